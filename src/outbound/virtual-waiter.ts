/**
 * The virtual waiter's small pieces (seed 004): line-up parameters, results and errors of the
 * Callers API, a new waiter record, the offer time-out of its routing entry, prompts by language.
 */
import type { Queue } from '../domain/config.js';
import type { VirtualQueueSettings, VirtualWaiter, WaiterChannel } from '../domain/virtual-queue.js';

export interface LineUpParams {
  phone: string;
  channel: WaiterChannel;
  source: string;
  lang?: string | undefined;
  skills?: string[] | undefined;
  /** Levels of the skills, where known (a caller's lookup or IVR skills). */
  skillLevels?: Record<string, number> | undefined;
  properties?: Record<string, unknown> | undefined;
}

export type VirtualQueueError =
  | { code: 'LINE_NOT_FOUND'; message: string }
  | { code: 'VIRTUAL_QUEUE_DISABLED'; message: string }
  | { code: 'CALLER_NOT_FOUND'; message: string }
  | { code: 'CALLER_ALREADY_WAITING'; message: string };

export type VqResult<T> = { ok: true; value: T } | { ok: false; error: VirtualQueueError };

/** A new waiter in state Waiting at `enqueuedAt` (its place). */
export function newWaiter(id: string, lineId: string, p: LineUpParams, now: number, enqueuedAt: number, priority: number, parentCallId: string | null): VirtualWaiter {
  return {
    id, lineId, phone: p.phone, channel: p.channel, source: p.source, lang: p.lang ?? null, skills: p.skills ?? Object.keys(p.skillLevels ?? {}),
    ...(p.skillLevels && Object.keys(p.skillLevels).length > 0 ? { skillLevels: { ...p.skillLevels } } : {}),
    properties: p.properties ?? {}, state: 'Waiting', serviceState: null, priority, enqueuedAt, parentCallId, attempts: 0,
    nextAttemptAt: null, ewtS: null, estimatedUpAt: null, notifiedAt: null, connectedAt: null, agentId: null,
    waitTimeWhenUp: null, createdAt: now, updatedAt: now,
  };
}

/** Long enough to reach the customer and ring the agent: two ring times and the prompt. */
export function offerTimeoutMs(s: VirtualQueueSettings, q: Queue | undefined): number {
  return s.ring_timeout_s * 1000 + (q?.answer_timeout_s ?? 15) * 1000 + 30_000;
}

export function pick(prompts: Record<string, string[]>, lang: string): string[] {
  const list = prompts[lang] ?? prompts.default ?? Object.values(prompts)[0] ?? [];
  return list.map((p) => (p.includes(':') ? p : `sound:${p}`));
}

export const secs = (ms: number) => Math.round(ms / 1000);

export function fail<T>(code: VirtualQueueError['code'], message: string): VqResult<T> {
  return { ok: false, error: { code, message } };
}
