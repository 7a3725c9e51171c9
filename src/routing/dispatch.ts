/**
 * Dispatch, part of the pure core: a waiting call or a free agent is matched (see selection.ts)
 * and the call offered — the agent rings, the offer time-out starts.
 */
import { refreshAgent } from './agents.js';
import { setTimer, type Ctx } from './context.js';
import { bestCallFor, compareCalls, eligible, selectAgent } from './selection.js';
import type { AgentRec, CallRec, MemberRec, QueueRec } from './types.js';

/**
 * Several agents became free at once (a call with consulted agents ended): the agent whose best
 * call ranks highest goes first, so none takes a lesser call while a better one it could take
 * waits — as when tiers reopen.
 */
export function dispatchAll(ctx: Ctx, agents: readonly AgentRec[]): void {
  if (agents.length === 1) return dispatchAgent(ctx, agents[0]!);
  const ranked: { agent: AgentRec; call: CallRec; queue: QueueRec }[] = [];
  for (const agent of agents) {
    const best = bestCallFor(ctx, agent);
    if (best) ranked.push({ agent, ...best });
  }
  ranked.sort((x, y) => compareCalls(x.call, x.queue, y.call, y.queue));
  for (const { agent } of ranked) dispatchAgent(ctx, agent);
}

/**
 * A lower tier opened for `call` by its wait: the agents it opened take the best waiting calls
 * first, so a call of higher priority whose tier opens at the same instant goes before it.
 */
export function dispatchOpenedTier(ctx: Ctx, q: QueueRec, call: CallRec): void {
  for (const m of [...q.available]) {
    if (call.state !== 'waiting') return;
    if (m.agent.available && eligible(ctx, q, m, call)) dispatchAgent(ctx, m.agent);
  }
}

export function dispatchCall(ctx: Ctx, call: CallRec): void {
  if (call.state !== 'waiting') return;
  const m = selectAgent(ctx, call);
  if (m) offer(ctx, call, m);
}

/** An agent became available: give it the best waiting call across its queues (fair by weight, then wait). */
export function dispatchAgent(ctx: Ctx, a: AgentRec): void {
  while (a.available) {
    const best = bestCallFor(ctx, a);
    if (!best) return;
    // The call may have a better claim on another available agent (tier, penalty, strategy).
    const chosen = selectAgent(ctx, best.call);
    if (!chosen) return;
    offer(ctx, best.call, chosen);
  }
}

function offer(ctx: Ctx, call: CallRec, m: MemberRec): void {
  const a = m.agent;
  const q = m.queue;
  call.state = 'offered';
  call.agentId = a.id;
  call.offeredAt = ctx.now;
  call.heapGen += 1;
  a.activity = 'ringing';
  a.callId = call.id;
  if (q.cfg.strategy === 'round-robin') q.rrCursor = m.order;
  refreshAgent(ctx, a);
  const timeoutMs = call.agentTimeouts?.[a.id] ?? call.offerTimeoutMs ?? q.cfg.answerTimeoutMs;
  ctx.commands.push({ type: 'offer', callId: call.id, agentId: a.id, queueId: q.cfg.id, timeoutMs });
  setTimer(ctx, `noanswer:${call.id}`, ctx.now + timeoutMs);
}
