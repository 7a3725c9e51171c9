/**
 * Answer from the desktop (simulated PBX only): the agent's ringing phone is answered as if the
 * person picked it up. On Asterisk or FreeSWITCH a real phone answers by itself: 409.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { RouteDeps } from '../deps.js';
import { ApiError, forbidden, notFound, validationFailed } from '../errors.js';
import { canSeeAgent, principalOf } from '../profiles.js';

/** What the route needs from the simulated PBX (SimPbx.answerRinging). */
export interface RingingAnswerer {
  answerRinging(address: string): string | undefined;
}

const answered = z.object({ agentId: z.string(), callId: z.string().nullable(), legId: z.string() });

export function agentAnswerRoutes(sim: RingingAnswerer | undefined) {
  return (deps: RouteDeps): FastifyPluginAsyncZod =>
    async (app) => {
      app.post('/agents/:id/answer', {
        schema: {
          tags: ['agents'],
          summary: 'Answer the agent\'s ringing phone (`me` for the caller itself); simulated PBX only, else 409 ANSWER_NEEDS_SIMULATED_PBX',
          params: z.object({ id: z.string().min(1).max(64).describe('agent id, or `me`') }),
          response: { 200: answered },
        },
      }, async (request) => {
        const p = principalOf(request);
        let id = request.params.id;
        if (id === 'me') {
          if (!p.agentId) throw validationFailed([{ path: 'params.id', message: '"me" needs a caller with an agent of its own' }]);
          id = p.agentId;
        }
        if (!deps.engine.agentConfig(id)) throw notFound('AGENT_NOT_FOUND', `agent ${id}`);
        if (!canSeeAgent(p, id, deps.config.current())) throw forbidden(`agent ${id} is outside your profile`);
        if (!sim) throw new ApiError('ANSWER_NEEDS_SIMULATED_PBX', 'answering from the desktop works on the simulated PBX only; answer the phone itself');
        const snapshot = deps.engine.agentSnapshot(id);
        const destination = deps.engine.agentDestination(id);
        const address = destination ? (destination.kind === 'sip' ? destination.endpoint : destination.number) : undefined;
        const leg = snapshot?.presence === 'ringing' && address ? sim.answerRinging(address) : undefined;
        if (!leg) throw new ApiError('NOT_RINGING', `agent ${id}'s phone is not ringing`);
        request.log.info({ agentId: id, legId: leg }, 'answered from the desktop');
        return { agentId: id, callId: snapshot?.callId ?? null, legId: leg };
      });
    };
}
