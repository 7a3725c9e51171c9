/**
 * Routing timers, part of the pure core: what each timer does when it fires (offer time-out,
 * wrap-up end, maximum wait, tier overflow, virtual-queue hold, skills relax, retry), and the
 * per-call timers a waiting call carries (overflow and skills-relax scheduling, clearing).
 */
import { becomeIdle } from './agents.js';
import { exitCall, offerFailed } from './calls.js';
import { clearTimer, setTimer, type Ctx } from './context.js';
import { dispatchCall, dispatchOpenedTier } from './dispatch.js';
import { relaxAt } from './skills.js';
import { HOLD_TIMER, holdEnded } from './virtual-queue.js';
import type { CallRec, QueueRec } from './types.js';

export const timerHandlers: Record<string, (ctx: Ctx, id: string) => void> = {
  noanswer: (ctx, callId) => {
    const call = ctx.s.calls.get(callId);
    if (!call || call.state !== 'offered') return;
    ctx.commands.push({ type: 'offer.cancel', callId, agentId: call.agentId ?? '', reason: 'timeout' });
    offerFailed(ctx, call, 'no-answer');
  },
  wrapup: (ctx, agentId) => {
    const a = ctx.s.agents.get(agentId);
    if (!a || a.activity !== 'wrapup') return;
    becomeIdle(ctx, a);
  },
  maxwait: (ctx, callId) => {
    const call = ctx.s.calls.get(callId);
    if (!call || call.state === 'connected') return;
    if (call.state === 'offered') {
      call.exitPending = true;
      return;
    }
    exitCall(ctx, call, 'timeout');
  },
  overflow: (ctx, callId) => {
    const call = ctx.s.calls.get(callId);
    const q = call && ctx.s.queues.get(call.queueId);
    if (!call || !q || call.state === 'connected') return;
    scheduleOverflow(ctx, q, call);
    if (call.state === 'waiting') dispatchOpenedTier(ctx, q, call);
  },
  [HOLD_TIMER]: (ctx, callId) => holdEnded(ctx, callId),
  skills: (ctx, callId) => {
    // The call's skills no longer restrict it: the agents now allowed take their best calls.
    const call = ctx.s.calls.get(callId);
    const q = call && ctx.s.queues.get(call.queueId);
    if (!call || !q || call.state !== 'waiting') return;
    dispatchOpenedTier(ctx, q, call);
  },
  retry: (ctx, callId) => {
    const call = ctx.s.calls.get(callId);
    if (!call || call.state === 'connected') return;
    call.tried = undefined;
    if (call.state === 'waiting') dispatchCall(ctx, call);
  },
};

export function clearCallTimers(ctx: Ctx, call: CallRec): void {
  clearTimer(ctx, `maxwait:${call.id}`);
  clearTimer(ctx, `overflow:${call.id}`);
  clearTimer(ctx, `retry:${call.id}`);
  if (call.virtual) clearTimer(ctx, `${HOLD_TIMER}:${call.id}`);
  if (call.skills) clearTimer(ctx, `skills:${call.id}`);
}

/** A call whose skills relax later is woken then, so the agents it may now have take it. */
export function scheduleSkillsRelax(ctx: Ctx, q: QueueRec, call: CallRec): void {
  const at = relaxAt(q, call, ctx.now);
  if (at !== undefined) setTimer(ctx, `skills:${call.id}`, at);
}

/** With an overflow delay, lower tiers open one by one; wake the call when the next one opens. */
export function scheduleOverflow(ctx: Ctx, q: QueueRec, call: CallRec): void {
  const d = q.cfg.overflowDelayMs;
  const ranks = q.staffedByRank.length;
  if (d <= 0 || ranks <= 1) {
    clearTimer(ctx, `overflow:${call.id}`);
    return;
  }
  const waited = ctx.now - call.enqueuedAt;
  const next = Math.floor(waited / d) + 1;
  if (next >= ranks) {
    clearTimer(ctx, `overflow:${call.id}`);
    return;
  }
  call.overflowRank = next;
  setTimer(ctx, `overflow:${call.id}`, call.enqueuedAt + next * d);
}
