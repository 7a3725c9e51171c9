/**
 * Routing rules for the virtual queue (seed 004): a caller who asked to be called back keeps its
 * place without holding the line. Its entry stays in the queue's waiting list at its original
 * place (enter time, priority, arrival order); when it reaches the head and an agent is free the
 * core reserves the agent with an ordinary `offer` (with the entry's own offer time-out, long
 * enough to dial the customer) and the callback service dials. A customer who does not answer
 * sends the entry back to its place, held until the next attempt, with the agent freed at once
 * (no no-answer count: the agent did nothing wrong). Part of the pure core (decide.ts registers
 * these handlers).
 */
import {
  clearCallTimers,
  clearTimer,
  countAtOrAbove,
  dispatchAgent,
  dispatchCall,
  ignore,
  incLevel,
  pushWaiting,
  queueLog,
  refreshAgent,
  scheduleOverflow,
  scheduleSkillsRelax,
  setTimer,
  type Ctx,
} from './decide.js';
import { HOLD_TIMER } from './context.js';
import type { CallRec, RoutingInput } from './types.js';

type Input<T extends RoutingInput['type']> = Extract<RoutingInput, { type: T }>;

export { HOLD_TIMER } from './context.js';

/** A waiting call becomes a virtual waiter under a new id, keeping its place. */
export function virtualize(ctx: Ctx, input: Input<'call.virtualize'>): void {
  const s = ctx.s;
  const call = s.calls.get(input.callId);
  if (!call || call.state !== 'waiting') return ignore(ctx, input, 'no waiting call');
  if (s.calls.has(input.virtualId)) return ignore(ctx, input, 'virtual id in use');
  const q = s.queues.get(call.queueId);
  if (!q) return ignore(ctx, input, 'unknown queue');
  clearTimer(ctx, `noanswer:${call.id}`);
  clearCallTimers(ctx, call);
  s.calls.delete(call.id);
  // The same record (so the same heap entry, enter time and sequence) under the new id.
  call.id = input.virtualId;
  call.virtual = true;
  call.offerTimeoutMs = input.offerTimeoutMs;
  call.tried = undefined;
  s.calls.set(call.id, call);
  queueLog(ctx, 'CALLBACKREQ', q.cfg.id, { callId: input.callId, data: { virtualid: call.id, position: call.origPosition, waittime: secs(ctx.now - call.enqueuedAt) } });
  scheduleOverflow(ctx, q, call);
  scheduleSkillsRelax(ctx, q, call);
  dispatchCall(ctx, call);
}

/**
 * A virtual waiter enters the queue: lined up without a call (REST), or taken up again after an
 * engine restart (`fresh` false: its place is its original enter time, nothing is logged again).
 * Virtual waiters have no maximum wait. Held until `holdUntil` when given (between attempts).
 */
export function virtualEnqueue(ctx: Ctx, input: Input<'virtual.enqueue'>): void {
  const s = ctx.s;
  if (s.calls.has(input.callId)) return ignore(ctx, input, 'call already queued');
  const q = s.queues.get(input.queueId);
  if (!q || q.removed) return ignore(ctx, input, 'unknown queue');
  const priority = input.priority ?? 0;
  const held = input.holdUntil !== undefined && input.holdUntil > ctx.now;
  const call: CallRec = {
    id: input.callId,
    queueId: q.cfg.id,
    priority,
    enqueuedAt: Math.min(input.enqueuedAt, ctx.now),
    seq: ++s.seq,
    state: 'waiting',
    agentId: undefined,
    offeredAt: 0,
    connectedAt: 0,
    tried: undefined,
    heapGen: 0,
    origPosition: 0,
    exitPending: false,
    agents: held ? [] : undefined,
    agentTimeouts: undefined,
    preferred: undefined,
    overflowRank: 0,
    assistants: undefined,
    virtual: true,
    offerTimeoutMs: input.offerTimeoutMs,
    skills: input.skills,
  };
  call.origPosition = 1 + countAtOrAbove(q, priority);
  s.calls.set(call.id, call);
  q.calls.add(call);
  incLevel(q, priority);
  pushWaiting(q, call);
  if (input.fresh) queueLog(ctx, 'ENTERQUEUE', q.cfg.id, { callId: call.id, data: { url: '', callerid: input.callerId ?? '', position: call.origPosition } });
  if (held) setTimer(ctx, `${HOLD_TIMER}:${call.id}`, input.holdUntil!);
  scheduleOverflow(ctx, q, call);
  scheduleSkillsRelax(ctx, q, call);
  dispatchCall(ctx, call);
}

/**
 * The customer of a reserved virtual entry did not answer (or was busy): the agent is free again
 * without a no-answer against it, and the entry goes back to its place, held until `retryAt`.
 */
export function virtualRetry(ctx: Ctx, input: Input<'virtual.retry'>): void {
  const s = ctx.s;
  const call = s.calls.get(input.callId);
  if (!call || !call.virtual || call.state !== 'offered') return ignore(ctx, input, 'no reserved virtual entry');
  const q = s.queues.get(call.queueId);
  const a = s.agents.get(call.agentId ?? '');
  clearTimer(ctx, `noanswer:${call.id}`);
  queueLog(ctx, 'CALLBACKRETRY', call.queueId, { callId: call.id, agentId: call.agentId, data: { cause: input.cause, retryat: input.retryAt } });
  call.state = 'waiting';
  call.agentId = undefined;
  call.agents = [];
  // The next attempt is a new round: every agent may be reserved again.
  call.tried = undefined;
  clearTimer(ctx, `retry:${call.id}`);
  if (q) pushWaiting(q, call);
  setTimer(ctx, `${HOLD_TIMER}:${call.id}`, Math.max(ctx.now, input.retryAt));
  if (a && a.callId === call.id && a.activity === 'ringing') {
    a.activity = 'idle';
    a.callId = undefined;
    refreshAgent(ctx, a);
    dispatchAgent(ctx, a);
  }
}

/** The hold between attempts is over: the entry may be offered again, at its place. */
export function holdEnded(ctx: Ctx, callId: string): void {
  const call = ctx.s.calls.get(callId);
  if (!call || !call.virtual || call.state !== 'waiting') return;
  call.agents = undefined;
  dispatchCall(ctx, call);
}

const secs = (x: number) => Math.round(x / 1000);
