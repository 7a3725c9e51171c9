/**
 * Seed 003 inbound lookup: GET `lookup_url?cid=<caller>&to=<dialled>&uuid=<callId>` when a call
 * arrives; the CRM's JSON answer may set a priority, a queue, a preferred agent, variables and the
 * caller's skills (`{"spanish": 50}`, or `["spanish"]` at level 1).
 * One attempt only, bounded by `timeout_ms`: a caller is waiting.
 */
import { z } from 'zod';
import type { LookupRequest, LookupResult } from '../calls/hooks.js';
import type { Webhooks } from '../domain/config.js';
import { skillsAnswerSchema } from '../domain/skills.js';
import type { Logger } from '../infra/logger.js';
import { safeUrl, type HttpClient } from './http-client.js';
import type { WebhookMetrics } from './metrics.js';

/** Priority given to a VIP caller when the CRM names no priority. */
export const VIP_PRIORITY = 10;
const MAX_VARIABLES = 32;

const idLike = z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/);
const flag = z.union([z.boolean(), z.literal(0), z.literal(1), z.enum(['true', 'false', '0', '1', 'yes', 'no'])]);
const scalar = z.union([z.string().max(256), z.number(), z.boolean()]);

/** Lenient per field: a field of the wrong shape is dropped, the rest of the answer still counts. */
const answerSchema = z.object({
  found: flag.optional().catch(undefined),
  vip: flag.optional().catch(undefined),
  debt: scalar.optional().catch(undefined),
  priority: z
    .preprocess((v) => (typeof v === 'string' && /^[0-9]{1,3}$/.test(v) ? Number(v) : v), z.number().int().min(0).max(100))
    .optional()
    .catch(undefined),
  queue: idLike.optional().catch(undefined),
  agent: idLike.optional().catch(undefined),
  variables: z.record(z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/), scalar.nullable()).optional().catch(undefined),
  skills: skillsAnswerSchema.optional().catch(undefined),
});

const truthy = (v: z.infer<typeof flag> | undefined): boolean => v === true || v === 1 || v === 'true' || v === '1' || v === 'yes';

/** Map a CRM answer to a routing hint; anything that is not an object, or says nothing, gives undefined. */
export function mapLookupAnswer(json: unknown): LookupResult | undefined {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) return undefined;
  const parsed = answerSchema.safeParse(json);
  if (!parsed.success) return undefined;
  const a = parsed.data;
  const result: LookupResult = {};

  const vip = truthy(a.vip);
  if (a.priority !== undefined) result.priority = a.priority;
  else if (vip) result.priority = VIP_PRIORITY;
  if (a.queue) result.queueId = a.queue;
  if (a.agent) result.agentId = a.agent;
  if (a.skills && Object.keys(a.skills).length > 0) result.skills = a.skills;

  const variables: Record<string, string> = {};
  for (const [k, v] of Object.entries(a.variables ?? {}).slice(0, MAX_VARIABLES)) {
    if (v !== null) variables[k] = String(v);
  }
  if (a.debt !== undefined) variables.debt = String(a.debt);
  if (vip) variables.vip = 'true';
  if (Object.keys(variables).length > 0) result.variables = variables;

  return Object.keys(result).length > 0 ? result : undefined;
}

/** `lookup_url` with cid, to and uuid added to any query it already has. */
export function lookupUrl(base: string, req: LookupRequest): string {
  const url = new URL(base);
  url.searchParams.set('cid', req.from);
  url.searchParams.set('to', req.to);
  url.searchParams.set('uuid', req.callId);
  return url.toString();
}

export interface LookupDeps {
  getConfig: () => Webhooks;
  http: HttpClient;
  log: Logger;
  metrics?: WebhookMetrics;
}

export type LookupFn = (req: LookupRequest, signal: AbortSignal) => Promise<LookupResult | undefined>;

export function createLookup(deps: LookupDeps): LookupFn {
  const { http, log, metrics } = deps;
  return async (req, signal) => {
    const cfg = deps.getConfig();
    if (!cfg.lookup_url) return undefined;
    const res = await http.request({
      method: 'GET',
      url: lookupUrl(cfg.lookup_url, req),
      timeoutMs: cfg.timeout_ms,
      signal,
      secret: cfg.secret,
      expectJson: true,
    });
    const result = res.ok ? mapLookupAnswer(res.json) : undefined;
    if (res.ok && hasField(res.json, 'skills') && !result?.skills) log.warn({ kind: 'lookup', callId: req.callId, field: 'skills' }, 'lookup answer field ignored: skills must be {name: level 1-100} or [name]');
    metrics?.observeWebhook('lookup', res.ms / 1000, res.ok);
    if (!res.ok) {
      const level = res.error === 'ABORTED' ? 'debug' : 'warn';
      log[level]({ kind: 'lookup', callId: req.callId, url: safeUrl(cfg.lookup_url), status: res.status, error: res.error, detail: res.detail, ms: res.ms }, 'webhook failed');
    } else {
      log.debug({ kind: 'lookup', callId: req.callId, cid: req.from, status: res.status, ms: res.ms, result }, 'lookup answered');
    }
    return result;
  };
}

function hasField(json: unknown, field: string): boolean {
  return json !== null && typeof json === 'object' && !Array.isArray(json) && field in json;
}
