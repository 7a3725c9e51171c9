/**
 * Agent and supervisor commands over REST (the same service answers the CTI WebSocket).
 * `me` stands for the caller's own agent id. Seed 002 errors keep their own JSON shape.
 */
import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { LiveStats } from '../../stats/live-stats.js';
import { SeedError, type AgentService } from '../agent-service.js';
import type { RouteDeps } from '../deps.js';
import { errorResponses } from '../error-responses.js';
import { forbidden, validationFailed } from '../errors.js';
import { canSeeAgent, principalOf } from '../profiles.js';

const agentParam = z.object({ id: z.string().min(1).max(64).describe('agent id, or `me`') });
const memberParam = agentParam.extend({ queueId: z.string().min(1).max(64) });
const phone = z.string().regex(/^\+?[0-9*#]{1,32}$/, 'digits, optionally with a leading +');

const agentState = z
  .object({
    name: z.string(),
    agentId: z.string(),
    phoneNb: z.string(),
    since: z.number(),
    queues: z.array(z.string()),
    online: z.boolean().describe('The phone is registered (always true on an external number)'),
    cause: z.string().optional(),
    acd: z.boolean().optional(),
    direction: z.enum(['Incoming', 'Outgoing']).optional(),
    callType: z.literal('External').optional(),
    monitorState: z.enum(['ACTIVE', 'PAUSED', 'DISABLED']).optional(),
  })
  .describe('Seed 002 AgentStateEvent');
const seedErrorBody = z.object({ Error: z.string() }).catchall(z.unknown()).describe('Seed 002 error, e.g. {"Error":"PhoneNumberUnknown"}');
const queueMember = z.object({ agentId: z.string(), queueId: z.string(), penalty: z.number().int() });

/** Run a command; a seed error leaves with its own status and body. */
async function seed<T>(reply: FastifyReply, fn: () => T | Promise<T>): Promise<T | undefined> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof SeedError) {
      await reply.code(err.status).send(err.body);
      return undefined;
    }
    throw err;
  }
}

export function agentCommandRoutes(service: AgentService, stats: LiveStats) {
  return (deps: RouteDeps): FastifyPluginAsyncZod =>
    async (app) => {
      const idOf = (id: string, agentId: string | undefined): string => {
        if (id !== 'me') return id;
        if (!agentId) throw validationFailed([{ path: 'params.id', message: '"me" needs a caller with an agent of its own' }]);
        return agentId;
      };
      const tags = ['agents'];

      app.post('/agents/:id/login', { schema: { tags, summary: 'loginAgent(phoneNumber, agentId): the five cases of seed 002', params: agentParam, body: z.object({ phoneNumber: phone }).strict(), response: { 200: agentState, 404: seedErrorBody, 409: seedErrorBody } } }, async (request, reply) => {
        const p = principalOf(request);
        return seed(reply, () => service.loginAgent(p, request.body.phoneNumber, idOf(request.params.id, p.agentId)));
      });

      app.post('/agents/:id/logout', { schema: { tags, summary: 'logoutAgent', params: agentParam, response: { 200: agentState } } }, async (request) => {
        const p = principalOf(request);
        return service.logoutAgent(p, idOf(request.params.id, p.agentId));
      });

      app.post('/agents/:id/pause', { schema: { tags, summary: 'pauseAgent(agentId, reason)', params: agentParam, body: z.object({ reason: z.string().max(80).optional() }).strict().optional(), response: { 200: agentState, ...errorResponses(409) } } }, async (request) => {
        const p = principalOf(request);
        return service.pauseAgent(p, idOf(request.params.id, p.agentId), request.body?.reason);
      });

      app.post('/agents/:id/unpause', { schema: { tags, summary: 'unpauseAgent', params: agentParam, response: { 200: agentState, ...errorResponses(409) } } }, async (request) => {
        const p = principalOf(request);
        return service.unpauseAgent(p, idOf(request.params.id, p.agentId));
      });

      app.put('/agents/:id/queues/:queueId', { schema: { tags, summary: 'setAgentQueue(agentId, queueId, penalty): QueueMember event on success', params: memberParam, body: z.object({ penalty: z.number().int().min(0).max(1000) }).strict(), response: { 200: queueMember } } }, async (request) => {
        const p = principalOf(request);
        return service.setAgentQueue(p, idOf(request.params.id, p.agentId), request.params.queueId, request.body.penalty);
      });

      app.delete('/agents/:id/queues/:queueId', { schema: { tags, summary: 'removeAgentFromQueue: QueueMember event with penalty -1', params: memberParam, response: { 200: queueMember, ...errorResponses(409) } } }, async (request) => {
        const p = principalOf(request);
        return service.removeAgentFromQueue(p, idOf(request.params.id, p.agentId), request.params.queueId);
      });

      const monitor = z.object({ agentId: z.string(), monitorState: z.enum(['ACTIVE', 'PAUSED']) });
      app.post('/agents/:id/monitor/pause', { schema: { tags, summary: "monitorPause: pause the recording of the agent's queue call", params: agentParam, response: { 200: monitor, ...errorResponses(409) } } }, async (request) => {
        const p = principalOf(request);
        return service.monitorPause(p, idOf(request.params.id, p.agentId));
      });

      app.post('/agents/:id/monitor/unpause', { schema: { tags, summary: 'monitorUnpause: resume the recording', params: agentParam, response: { 200: monitor, ...errorResponses(409) } } }, async (request) => {
        const p = principalOf(request);
        return service.monitorUnpause(p, idOf(request.params.id, p.agentId));
      });

      app.post('/agents/:id/listen', {
        schema: { tags, summary: "listenAgent: the supervisor's line hears the agent's call (whisper and barge also)", params: agentParam, body: z.object({ phoneNumber: phone.optional(), mode: z.enum(['listen', 'whisper', 'barge']).default('listen') }).strict().optional(), response: { 200: z.object({ agentId: z.string(), phoneNumber: z.string() }), 404: seedErrorBody, ...errorResponses(409) } },
      }, async (request, reply) => {
        const p = principalOf(request);
        return seed(reply, () => service.listenAgent(p, idOf(request.params.id, p.agentId), request.body?.phoneNumber, request.body?.mode ?? 'listen'));
      });

      app.get('/agents/:id/statistics', { schema: { tags, summary: 'AgentStatistics (seed 002)', params: agentParam, response: { 200: z.object({ id: z.string(), statistics: z.array(z.object({ name: z.string(), value: z.union([z.number(), z.string(), z.null()]) })) }) } } }, async (request) => {
        const p = principalOf(request);
        const id = idOf(request.params.id, p.agentId);
        if (!canSeeAgent(p, id, deps.engine.currentConfig)) throw forbidden(`agent "${id}" is not visible to this profile`);
        return stats.agent(id);
      });

      app.post('/click2call', {
        schema: {
          tags: ['calls'],
          summary: 'Click-to-call: ring the agent, then the customer, and bridge; returns the call id for the CDR query',
          body: z.object({ agentId: z.string().min(1).max(64).optional(), destination: phone, callerId: phone.optional(), variables: z.record(z.string().regex(/^[A-Za-z0-9_]{1,40}$/), z.string().max(200)).optional() }).strict(),
          response: { 200: z.object({ callId: z.string() }), ...errorResponses(404, 409) },
        },
      }, async (request) => {
        const p = principalOf(request);
        const { agentId, destination, callerId, variables } = request.body;
        return service.clickToCall(p, { destination, ...(agentId ? { agentId } : {}), ...(callerId ? { callerId } : {}), ...(variables ? { variables } : {}) });
      });

      app.get('/lists/agents', { schema: { tags, summary: 'AgentList' } }, async (request) => service.agentList(principalOf(request)));
      app.get('/lists/agentgroups', { schema: { tags, summary: 'AgentGroupList' } }, async (request) => service.agentGroupList(principalOf(request)));
      app.get('/lists/queues', { schema: { tags, summary: 'QueueList' } }, async (request) => service.queueList(principalOf(request)));
      app.get('/lists/queuemembers', { schema: { tags, summary: 'QueueMemberList' } }, async (request) => service.queueMemberList(principalOf(request)));
      app.get('/agents/directory', { schema: { tags, summary: 'AgentDirectory: agents with their state' } }, async (request) => ({ directory: service.agentDirectory(principalOf(request)) }));
    };
}
