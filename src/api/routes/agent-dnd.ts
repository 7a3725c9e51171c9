/** Do-not-disturb per agent: logged in, not offered calls; kept across logins and restarts. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AgentService } from '../agent-service.js';
import { agentState } from '../cti/events.js';
import type { RouteDeps } from '../deps.js';
import { validationFailed } from '../errors.js';
import { principalOf } from '../profiles.js';

export function agentDndRoutes(service: AgentService) {
  return (_deps: RouteDeps): FastifyPluginAsyncZod =>
    async (app) => {
      app.put('/agents/:id/dnd', {
        schema: {
          tags: ['agents'],
          summary: 'Do-not-disturb on or off (`me` for the caller itself); AgentDnd event on the CTI WebSocket',
          params: z.object({ id: z.string().min(1).max(64).describe('agent id, or `me`') }),
          body: z.object({ dnd: z.boolean() }).strict(),
          response: { 200: agentState },
        },
      }, async (request) => {
        const p = principalOf(request);
        let id = request.params.id;
        if (id === 'me') {
          if (!p.agentId) throw validationFailed([{ path: 'params.id', message: '"me" needs a caller with an agent of its own' }]);
          id = p.agentId;
        }
        return service.setDnd(p, id, request.body.dnd);
      });
    };
}
