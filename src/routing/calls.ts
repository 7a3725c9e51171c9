/**
 * A call leaving its offer or its queue, part of the pure core: an offer that failed (back in its
 * place, the agent counted and maybe auto-paused), a call put back and offered again, a call
 * exiting the queue (time-out, queue removed), a call forgotten.
 */
import type { ExitDestination } from '../domain/config.js';
import { detach, pause, refreshAgent } from './agents.js';
import { clearTimer, ms, queueLog, setTimer, type Ctx } from './context.js';
import { dispatchAgent, dispatchCall } from './dispatch.js';
import { clearCallTimers } from './timers.js';
import { decLevel, positionOf, pushWaiting } from './waiting.js';
import type { CallRec } from './types.js';

export function offerFailed(ctx: Ctx, call: CallRec, cause: string): void {
  const a = ctx.s.agents.get(call.agentId ?? '');
  const q = ctx.s.queues.get(call.queueId);
  queueLog(ctx, 'RINGNOANSWER', call.queueId, { callId: call.id, agentId: call.agentId, data: { ringtime: ctx.now - call.offeredAt, cause } });
  if (a) {
    (call.tried ??= new Set()).add(a.id);
    a.activity = 'idle';
    a.callId = undefined;
    a.noAnswers += 1;
  }
  const settleAgent = () => {
    if (!a) return;
    const limit = q?.cfg.maxNoAnswer ?? 0;
    if (limit > 0 && a.noAnswers >= limit && a.status === 'ready') pause(ctx, a, 'no-answer');
    else refreshAgent(ctx, a);
  };
  if (call.exitPending) {
    call.state = 'waiting';
    exitCall(ctx, call, 'timeout');
    settleAgent();
  } else {
    // The call is back in its place before the auto-pause wakes agents of lower tiers, and offered
    // again only after: they take the waiting calls in order (priority, then arrival).
    requeue(ctx, call, settleAgent);
  }
  if (a && !a.removed) dispatchAgent(ctx, a);
  else if (a?.removed) {
    detach(a);
    ctx.s.agents.delete(a.id);
  }
}

/**
 * Put an offered call back in its place and offer it again. `beforeDispatch` runs in between:
 * an agent that stops being staffed there may open lower tiers, and the agents there take the
 * waiting calls in order first, so the call back in the queue jumps no call ahead of it.
 */
export function requeue(ctx: Ctx, call: CallRec, beforeDispatch?: () => void): void {
  const q = ctx.s.queues.get(call.queueId);
  if (!q) {
    beforeDispatch?.();
    return;
  }
  call.state = 'waiting';
  call.agentId = undefined;
  pushWaiting(q, call);
  beforeDispatch?.();
  dispatchCall(ctx, call);
  if (call.state === 'waiting' && call.tried && call.tried.size > 0 && !ctx.s.timers.has(`retry:${call.id}`)) {
    setTimer(ctx, `retry:${call.id}`, ctx.now + q.cfg.retryMs);
  }
}

export function exitCall(ctx: Ctx, call: CallRec, reason: 'timeout' | 'removed', destination?: ExitDestination): void {
  const q = ctx.s.queues.get(call.queueId);
  if (reason === 'timeout') {
    queueLog(ctx, 'EXITWITHTIMEOUT', call.queueId, {
      callId: call.id,
      data: { position: q ? positionOf(q, call) : 0, origposition: call.origPosition, waittime: ms(ctx.now - call.enqueuedAt) },
    });
  }
  ctx.commands.push({ type: 'call.exit', callId: call.id, queueId: call.queueId, reason, destination: destination ?? q?.cfg.exit ?? { action: 'hangup' } });
  removeCall(ctx, call);
}

/** Forget a call that is waiting or being offered (not connected). */
export function removeCall(ctx: Ctx, call: CallRec): void {
  const q = ctx.s.queues.get(call.queueId);
  if (q && q.calls.delete(call)) decLevel(q, call.priority);
  call.heapGen += 1;
  ctx.s.calls.delete(call.id);
  clearTimer(ctx, `noanswer:${call.id}`);
  clearCallTimers(ctx, call);
}
