/**
 * After a connected call, part of the pure core: the call ends, its agent goes to wrap-up (the
 * queue's time) or idle, the agents consulted or conferenced on it are freed, and all of them
 * are dispatched together.
 */
import { becomeIdle, detach, refreshAgent } from './agents.js';
import { ms, queueLog, setTimer, type Ctx } from './context.js';
import { dispatchAll } from './dispatch.js';
import type { AgentRec, CallRec, QueueRec } from './types.js';

export function endConnected(ctx: Ctx, call: CallRec, side: 'caller' | 'agent'): void {
  const a = ctx.s.agents.get(call.agentId ?? '');
  const q = ctx.s.queues.get(call.queueId);
  queueLog(ctx, side === 'caller' ? 'COMPLETECALLER' : 'COMPLETEAGENT', call.queueId, {
    callId: call.id,
    agentId: call.agentId,
    data: { holdtime: ms(call.connectedAt - call.enqueuedAt), calltime: ms(ctx.now - call.connectedAt), origposition: call.origPosition },
  });
  ctx.s.calls.delete(call.id);
  const freed = releaseAssistants(ctx, call);
  if (a && a.callId === call.id && !a.assisting && wrapupAfter(ctx, a, q, false)) freed.push(a);
  dispatchAll(ctx, freed);
}

/**
 * The agent's call is over: wrap-up (the queue's time) or idle. With `dispatch` false an agent
 * that is idle now is not given a call yet: true is returned and the caller dispatches it.
 */
export function wrapupAfter(ctx: Ctx, a: AgentRec, q: QueueRec | undefined, dispatch = true): boolean {
  const wrapupMs = q?.cfg.wrapupMs ?? 0;
  if (wrapupMs > 0 && a.status !== 'loggedOut' && !a.removed) {
    a.activity = 'wrapup';
    a.callId = undefined;
    setTimer(ctx, `wrapup:${a.id}`, ctx.now + wrapupMs);
    refreshAgent(ctx, a);
    return false;
  }
  if (dispatch) {
    becomeIdle(ctx, a);
    return false;
  }
  a.activity = 'idle';
  a.callId = undefined;
  a.callQueueId = undefined;
  a.idleSince = ctx.now;
  if (a.removed) {
    detach(a);
    ctx.s.agents.delete(a.id);
    return false;
  }
  refreshAgent(ctx, a);
  return true;
}

/**
 * Free the agents consulted or conferenced on a call. They are not given a call here: the caller
 * settles the call's own agent, then dispatches them, so each waiting call goes to the best of all.
 */
export function releaseAssistants(ctx: Ctx, call: CallRec): AgentRec[] {
  if (!call.assistants) return [];
  const freed: AgentRec[] = [];
  for (const id of call.assistants) {
    const b = ctx.s.agents.get(id);
    if (!b || !b.assisting || b.callId !== call.id) continue;
    b.assisting = false;
    b.activity = 'idle';
    b.callId = undefined;
    b.idleSince = ctx.now;
    if (b.removed) {
      detach(b);
      ctx.s.agents.delete(b.id);
      continue;
    }
    refreshAgent(ctx, b);
    freed.push(b);
  }
  call.assistants = undefined;
  return freed;
}
