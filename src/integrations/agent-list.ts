/**
 * Seed 000 `get_list_agents_url`: POST the calls waiting in a queue, receive per call an ordered
 * list of agents (version 2). Any doubt (wrong version, bad shape, non-2xx, time-out) gives
 * undefined and the engine routes normally. One attempt, bounded by `timeout_ms`.
 */
import { z } from 'zod';
import type { AgentListCall, CustomAgent } from '../calls/hooks.js';
import type { Queue, Webhooks } from '../domain/config.js';
import type { Logger } from '../infra/logger.js';
import { safeUrl, type HttpClient } from './http-client.js';
import type { WebhookMetrics } from './metrics.js';

const absent = (v: unknown) => (v === null || v === '' ? undefined : v);

const agentSchema = z.object({
  stringee_user_id: z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/),
  phone_number: z.preprocess(absent, z.string().regex(/^\+?[0-9]{2,20}$/).optional()),
  routing_type: z.union([z.literal(1), z.literal(2)]),
  answer_timeout: z.number().positive().max(600),
});

export const agentListAnswerSchema = z.object({
  version: z.literal(2),
  calls: z
    .array(
      z.object({
        callId: z.string().min(1).max(200),
        agents: z.array(agentSchema).max(200),
      }),
    )
    .max(1000),
});

/** The seed 000 request body, exactly. */
export function agentListBody(queue: Queue, calls: AgentListCall[], projectId: number) {
  return { queueId: queue.id, calls: calls.map(({ callId, from, to }) => ({ callId, from, to })), projectId };
}

export type MapResult = { ok: true; lists: Map<string, CustomAgent[]> } | { ok: false; issue: string };

/** Validate an answer; only calls we asked about are kept, and an agent listed twice counts once. */
export function mapAgentListAnswer(json: unknown, asked: AgentListCall[]): MapResult {
  const parsed = agentListAnswerSchema.safeParse(json);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    return { ok: false, issue: first ? `${first.path.join('.') || '(root)'}: ${first.message}` : 'invalid' };
  }
  const wanted = new Set(asked.map((c) => c.callId));
  const lists = new Map<string, CustomAgent[]>();
  for (const call of parsed.data.calls) {
    if (!wanted.has(call.callId) || lists.has(call.callId)) continue;
    const seen = new Set<string>();
    const agents: CustomAgent[] = [];
    for (const a of call.agents) {
      if (seen.has(a.stringee_user_id)) continue;
      seen.add(a.stringee_user_id);
      const agent: CustomAgent = { agentId: a.stringee_user_id, routingType: a.routing_type, answerTimeoutMs: Math.round(a.answer_timeout * 1000) };
      if (a.phone_number !== undefined) agent.phoneNumber = a.phone_number;
      agents.push(agent);
    }
    lists.set(call.callId, agents);
  }
  return { ok: true, lists };
}

export interface AgentListDeps {
  getConfig: () => Webhooks;
  http: HttpClient;
  log: Logger;
  metrics?: WebhookMetrics;
}

export type AgentListFn = (queue: Queue, calls: AgentListCall[], signal: AbortSignal) => Promise<Map<string, CustomAgent[]> | undefined>;

export function createAgentList(deps: AgentListDeps): AgentListFn {
  const { http, log, metrics } = deps;
  return async (queue, calls, signal) => {
    if (!queue.agent_list_url || calls.length === 0) return undefined;
    const cfg = deps.getConfig();
    const url = safeUrl(queue.agent_list_url);
    const res = await http.request({
      method: 'POST',
      url: queue.agent_list_url,
      body: agentListBody(queue, calls, cfg.project_id),
      timeoutMs: cfg.timeout_ms,
      signal,
      secret: cfg.secret,
      expectJson: true,
    });
    if (!res.ok) {
      metrics?.observeWebhook('agent_list', res.ms / 1000, false);
      const level = res.error === 'ABORTED' ? 'debug' : 'warn';
      log[level]({ kind: 'agent_list', queueId: queue.id, url, status: res.status, error: res.error, detail: res.detail, ms: res.ms }, 'webhook failed');
      return undefined;
    }
    const mapped = mapAgentListAnswer(res.json, calls);
    metrics?.observeWebhook('agent_list', res.ms / 1000, mapped.ok);
    if (!mapped.ok) {
      log.warn({ kind: 'agent_list', queueId: queue.id, url, status: res.status, error: 'BAD_ANSWER', detail: mapped.issue, ms: res.ms }, 'webhook failed');
      return undefined;
    }
    log.debug({ kind: 'agent_list', queueId: queue.id, calls: calls.length, lists: mapped.lists.size, ms: res.ms }, 'agent list answered');
    return mapped.lists;
  };
}
