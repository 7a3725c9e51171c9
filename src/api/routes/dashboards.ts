import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { RouteDeps } from '../deps.js';
import { forbidden, notFound } from '../errors.js';
import { canSeeAgent, canSeeQueue, principalOf } from '../profiles.js';

const byId = z.object({ id: z.string().min(1).max(64) });

const queueStats = z.object({
  queueId: z.string(),
  waiting: z.number().int(),
  longestWaitMs: z.number().int(),
  availableAgents: z.number().int(),
  loggedInAgents: z.number().int(),
  since: z.number().describe('Start of the day (UTC, epoch ms) the counters cover'),
  offered: z.number().int(),
  answered: z.number().int(),
  abandoned: z.number().int(),
  serviceLevel: z.number().describe('% of answered + abandoned calls answered within service_level_s'),
  averageSpeedOfAnswerMs: z.number(),
});

const agentState = z.object({
  agentId: z.string(),
  presence: z.enum(['loggedout', 'ready', 'paused', 'ringing', 'dialing', 'oncall', 'wrapup']),
  since: z.number(),
  pauseReason: z.string().nullable(),
  callId: z.string().nullable(),
  reachable: z.boolean(),
  queues: z.array(z.object({ queueId: z.string(), penalty: z.number(), tier: z.number() })),
});

/** Live queue and agent figures for wallboards, filtered by profile. */
export function dashboardRoutes(deps: RouteDeps): FastifyPluginAsyncZod {
  return async (app) => {
    // The same live counters as the CTI QueueStatistics, seeded from today's CDRs at start.
    app.get('/queues/:id/stats', { schema: { tags: ['live'], summary: "A queue now (waiting, longest wait) and today (answered, abandoned, SL, ASA)", params: byId, response: { 200: queueStats } } }, async (request) => {
      const { id } = request.params;
      const config = deps.config.current();
      const figures = deps.stats.figures(id);
      if (!config.queues.some((q) => q.id === id) || !figures) throw notFound('QUEUE_NOT_FOUND', `queue "${id}"`);
      if (!canSeeQueue(principalOf(request), id, config)) throw forbidden(`queue "${id}" is not visible to this profile`);
      const { timedOut: _timedOut, ...body } = figures;
      return body;
    });

    app.get('/agents/:id/state', { schema: { tags: ['live'], summary: "An agent's state now", params: byId, response: { 200: agentState } } }, async (request) => {
      const { id } = request.params;
      const config = deps.config.current();
      const snapshot = deps.engine.agentSnapshot(id);
      if (!snapshot || !config.agents.some((a) => a.id === id)) throw notFound('AGENT_NOT_FOUND', `agent "${id}"`);
      if (!canSeeAgent(principalOf(request), id, config)) throw forbidden(`agent "${id}" is not visible to this profile`);
      return { ...snapshot, pauseReason: snapshot.pauseReason ?? null, callId: snapshot.callId ?? null };
    });
  };
}
