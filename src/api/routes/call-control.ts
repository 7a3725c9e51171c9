/**
 * Call control over REST: `/agents/:id/call/...` on the call the agent owns (`me` for the
 * caller's own agent). Each answers the call's control state; a refusal leaves the call as it was.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { CallAction, CallControlService } from '../call-control-service.js';
import type { RouteDeps } from '../deps.js';
import { errorResponses } from '../error-responses.js';
import { validationFailed } from '../errors.js';
import { principalOf } from '../profiles.js';

const agentParam = z.object({ id: z.string().min(1).max(64).describe('agent id, or `me`') });
const id = z.string().min(1).max(64);
const number = z.string().regex(/^\+?[0-9]{1,32}$/, 'digits, optionally with a leading +');

/** Exactly one of agentId, queueId, number. */
const target = z
  .object({ agentId: id.optional(), queueId: id.optional(), number: number.optional() })
  .strict()
  .refine((t) => [t.agentId, t.queueId, t.number].filter((x) => x !== undefined).length === 1, { message: 'give exactly one of agentId, queueId, number' });
const partyTarget = z
  .object({ agentId: id.optional(), number: number.optional() })
  .strict()
  .refine((t) => [t.agentId, t.number].filter((x) => x !== undefined).length === 1, { message: 'give exactly one of agentId, number' });

const state = z
  .object({
    agentId: z.string(),
    callId: z.string(),
    onHold: z.boolean().describe('The customer hears music on hold'),
    party: z
      .object({ kind: z.enum(['consult', 'conference']), target: z.string().describe('Agent id or number'), answered: z.boolean() })
      .nullable()
      .describe('The consulted or conferenced party, if any'),
  })
  .describe('The call after the command');

type Target = z.infer<typeof target>;

function toTarget(t: Target): { agentId: string } | { queueId: string } | { number: string } {
  if (t.agentId !== undefined) return { agentId: t.agentId };
  if (t.queueId !== undefined) return { queueId: t.queueId };
  if (t.number !== undefined) return { number: t.number };
  throw validationFailed([{ path: 'body', message: 'give exactly one of agentId, queueId, number' }]);
}

export function callControlRoutes(service: CallControlService) {
  return (_deps: RouteDeps): FastifyPluginAsyncZod =>
    async (app) => {
      const tags = ['call control'];
      const agentOf = (paramId: string, own: string | undefined) => (paramId === 'me' ? own : paramId);
      const responses = { 200: state, ...errorResponses(409) };
      const plain: [string, CallAction['verb'], string][] = [
        ['hold', 'hold', 'Put the customer on hold (music on hold; the agent leaves the customer\'s bridge)'],
        ['unhold', 'unhold', 'Take the customer off hold'],
        ['consult/complete', 'complete', 'Attended transfer: the consulted party takes the customer, the agent goes to wrap-up'],
        ['consult/cancel', 'cancel', 'End the consult: the consulted party is hung up, the agent is back with the customer'],
        ['consult/swap', 'swap', 'Talk to the customer (the consulted party on hold) or back to the consulted party'],
      ];
      for (const [path, verb, summary] of plain) {
        app.post(`/agents/:id/call/${path}`, { schema: { tags, summary, params: agentParam, response: responses } }, async (request) => {
          const p = principalOf(request);
          return service.act(p, agentOf(request.params.id, p.agentId), { verb } as CallAction);
        });
      }
      app.delete('/agents/:id/call/conference', { schema: { tags, summary: 'Drop the conference party', params: agentParam, response: responses } }, async (request) => {
        const p = principalOf(request);
        return service.act(p, agentOf(request.params.id, p.agentId), { verb: 'drop' });
      });
      app.post(
        '/agents/:id/call/transfer',
        { schema: { tags, summary: 'Blind transfer to an agent (offered through routing), a queue (priority kept, a new wait there) or an outside number; the agent goes to wrap-up', params: agentParam, body: target, response: responses } },
        async (request) => {
          const p = principalOf(request);
          return service.act(p, agentOf(request.params.id, p.agentId), { verb: 'transfer', to: toTarget(request.body) });
        },
      );
      app.post(
        '/agents/:id/call/consult',
        { schema: { tags, summary: 'Attended transfer, first half: the customer on hold, ring an agent or a number and talk to it', params: agentParam, body: partyTarget, response: responses } },
        async (request) => {
          const p = principalOf(request);
          return service.act(p, agentOf(request.params.id, p.agentId), { verb: 'consult', to: toTarget(request.body) });
        },
      );
      app.post(
        '/agents/:id/call/conference',
        { schema: { tags, summary: 'Add an agent or a number to the call (three-way)', params: agentParam, body: partyTarget, response: responses } },
        async (request) => {
          const p = principalOf(request);
          return service.act(p, agentOf(request.params.id, p.agentId), { verb: 'conference', to: toTarget(request.body) });
        },
      );
    };
}
