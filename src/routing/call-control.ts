/**
 * Routing rules for an agent's call control: transfers and consulted (or conferenced) agents.
 * Part of the pure core (decide.ts registers these handlers): an agent is never offered or
 * reserved for two calls at once, whichever way a call reaches it.
 */
import {
  agentOrIgnore,
  becomeIdle,
  dispatchAll,
  incLevel,
  queueLog,
  refreshAgent,
  releaseAssistants,
  scheduleOverflow,
  setTimer,
  wrapupAfter,
  ignore,
  type Ctx,
} from './decide.js';
import type { AgentRec, RoutingInput } from './types.js';

type Input<T extends RoutingInput['type']> = Extract<RoutingInput, { type: T }>;

const secs = (x: number) => Math.round(x / 1000);

/** May this agent be offered or reserved for a call right now (staffed: ready, reachable, not DND)? */
export function free(a: AgentRec): boolean {
  return a.staffed && a.activity === 'idle';
}

export function transferCall(ctx: Ctx, input: Input<'call.transfer'>): void {
  const call = ctx.s.calls.get(input.callId);
  if (!call || call.state !== 'connected') return ignore(ctx, input, 'no connected call');
  const owner = ctx.s.agents.get(call.agentId ?? '');
  const q = ctx.s.queues.get(call.queueId);
  let target: AgentRec | undefined;
  if (input.agentId !== undefined) {
    target = ctx.s.agents.get(input.agentId);
    if (!target || target.removed) return ignore(ctx, input, 'unknown agent');
    if (target.id === call.agentId) return ignore(ctx, input, 'agent already on the call');
    const ready = input.mode === 'blind' ? free(target) : target.assisting && target.callId === call.id && target.activity === 'onCall';
    if (!ready) return ignore(ctx, input, input.mode === 'blind' ? 'agent not available' : 'agent not consulted on the call');
  }
  const data = {
    holdtime: secs(call.connectedAt - call.enqueuedAt),
    calltime: secs(ctx.now - call.connectedAt),
    origposition: call.origPosition,
  };
  if (input.mode === 'blind') queueLog(ctx, 'BLINDTRANSFER', call.queueId, { callId: call.id, agentId: call.agentId, data: { extension: input.target, context: 'switchboard', ...data } });
  else queueLog(ctx, 'ATTENDEDTRANSFER', call.queueId, { callId: call.id, agentId: call.agentId, data: { method: 'BRIDGE', extension: input.target, ...data } });
  const others = target && input.mode === 'attended' ? [] : releaseAssistants(ctx, call).filter((b) => b !== target);
  if (owner && owner.callId === call.id && !owner.assisting && wrapupAfter(ctx, owner, q, false)) others.push(owner);
  if (!target) {
    // Out of the routing core's hands: an outside number, or another queue (the session enqueues it there).
    ctx.s.calls.delete(call.id);
    dispatchAll(ctx, others);
    return;
  }
  if (input.mode === 'attended') {
    call.assistants?.delete(target.id);
    target.assisting = false;
    call.agentId = target.id;
    target.callQueueId = call.queueId;
    target.callsTaken += 1;
    refreshAgent(ctx, target);
    dispatchAll(ctx, others);
    return;
  }
  // Blind to an agent: offered like any offer, from the call's queue (back at its place there if
  // the agent does not answer).
  call.state = 'offered';
  call.agentId = target.id;
  call.offeredAt = ctx.now;
  call.heapGen += 1;
  call.tried = undefined;
  if (q) {
    q.calls.add(call);
    incLevel(q, call.priority);
    // Back in the queue if the agent does not answer: its tiers open as for any waiting call.
    scheduleOverflow(ctx, q, call);
  }
  target.activity = 'ringing';
  target.callId = call.id;
  refreshAgent(ctx, target);
  const timeoutMs = q?.cfg.answerTimeoutMs ?? 15_000;
  ctx.commands.push({ type: 'offer', callId: call.id, agentId: target.id, queueId: call.queueId, timeoutMs });
  setTimer(ctx, `noanswer:${call.id}`, ctx.now + timeoutMs);
  dispatchAll(ctx, others);
}

export function consultStart(ctx: Ctx, input: Input<'consult.start'>): void {
  const call = ctx.s.calls.get(input.callId);
  if (!call || call.state !== 'connected') return ignore(ctx, input, 'no connected call');
  const a = agentOrIgnore(ctx, input);
  if (!a) return;
  if (!free(a)) return ignore(ctx, input, 'agent not available');
  a.activity = 'ringing';
  a.callId = call.id;
  a.assisting = true;
  (call.assistants ??= new Set()).add(a.id);
  refreshAgent(ctx, a);
}

export function consultAnswered(ctx: Ctx, input: Input<'consult.answered'>): void {
  const a = ctx.s.agents.get(input.agentId);
  if (!a || !a.assisting || a.callId !== input.callId || a.activity !== 'ringing') return ignore(ctx, input, 'no such consult');
  a.activity = 'onCall';
  refreshAgent(ctx, a);
}

export function consultEnd(ctx: Ctx, input: Input<'consult.end'>): void {
  const a = ctx.s.agents.get(input.agentId);
  if (!a || !a.assisting || a.callId !== input.callId) return ignore(ctx, input, 'no such consult');
  ctx.s.calls.get(input.callId)?.assistants?.delete(a.id);
  a.assisting = false;
  becomeIdle(ctx, a);
}
