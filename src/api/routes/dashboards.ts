import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Cdr } from '../../domain/cdr.js';
import { queueReport } from '../../stats/queue-report.js';
import type { RouteDeps } from '../deps.js';
import { forbidden, notFound } from '../errors.js';
import { canSeeAgent, canSeeQueue, principalOf } from '../profiles.js';

const DAY_MS = 86_400_000;
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
  function cdrsSince(from: number, to: number, queueId: string): Cdr[] {
    const out: Cdr[] = [];
    let cursor: string | undefined;
    for (;;) {
      const page = deps.store.cdrs.listRange({ from, to, cursor });
      for (const c of page.items) if (c.queueId === queueId) out.push(c);
      if (page.cursor === null) return out;
      cursor = page.cursor;
    }
  }

  return async (app) => {
    app.get('/queues/:id/stats', { schema: { tags: ['live'], summary: "A queue now (waiting, longest wait) and today (answered, abandoned, SL, ASA)", params: byId, response: { 200: queueStats } } }, async (request) => {
      const { id } = request.params;
      const config = deps.config.current();
      const queue = config.queues.find((q) => q.id === id);
      const live = deps.engine.queueSnapshot(id);
      if (!queue || !live) throw notFound('QUEUE_NOT_FOUND', `queue "${id}"`);
      if (!canSeeQueue(principalOf(request), id, config)) throw forbidden(`queue "${id}" is not visible to this profile`);
      const now = deps.clock.now();
      const since = now - (now % DAY_MS);
      const [report] = queueReport(cdrsSince(since, now + 1, id), () => queue.service_level_s * 1000);
      return {
        queueId: id,
        waiting: live.waiting,
        longestWaitMs: live.longestWaitMs,
        availableAgents: live.availableAgents,
        loggedInAgents: live.loggedInAgents,
        since,
        offered: report?.offered ?? 0,
        answered: report?.answered ?? 0,
        abandoned: report?.abandoned ?? 0,
        serviceLevel: report?.serviceLevel ?? 100,
        averageSpeedOfAnswerMs: report?.avgAnswerMs ?? 0,
      };
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
