/**
 * Skills-based routing, part of the pure core: a caller may carry skills with the level each
 * needs (virtual-queue line-up, lookup answer, IVR key); in a queue that requires them only
 * agents holding every one at that level or above are offered the call, until the queue's
 * relax time after the call's enter time (0 = never relaxed), when any member may take it.
 */
import type { AgentRec, CallRec, QueueRec } from './types.js';

/** Does the agent hold the call's skills, as its queue requires them at `now`? */
export function skillsMatch(a: AgentRec, q: QueueRec, call: CallRec, now: number): boolean {
  const need = call.skills;
  if (!need || !q.cfg.skillsRequired) return true;
  if (relaxed(q, call, now)) return true;
  const have = a.skills;
  for (const skill in need) if ((have?.[skill] ?? 0) < need[skill]!) return false;
  return true;
}

export function relaxed(q: QueueRec, call: CallRec, now: number): boolean {
  const after = q.cfg.skillsRelaxAfterMs ?? 0;
  return after > 0 && now - call.enqueuedAt >= after;
}

/** When the call's skill requirement lifts, if it ever does and has not yet: the time, else undefined. */
export function relaxAt(q: QueueRec, call: CallRec, now: number): number | undefined {
  if (!call.skills || !q.cfg.skillsRequired) return undefined;
  const after = q.cfg.skillsRelaxAfterMs ?? 0;
  if (after <= 0 || relaxed(q, call, now)) return undefined;
  return call.enqueuedAt + after;
}
