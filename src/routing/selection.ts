/**
 * Offer selection, part of the pure core: which available member a call should be offered to
 * (tier, penalty, strategy, reserved and preferred agents, skills), and which waiting call an
 * agent should take next across its queues (weight, priority, wait).
 */
import { nextRandom, type Ctx } from './context.js';
import { skillsMatch } from './skills.js';
import { isLive } from './waiting.js';
import type { AgentRec, CallRec, HeapEntry, MemberRec, QueueRec } from './types.js';

function tierOpen(ctx: Ctx, q: QueueRec, rank: number, call: CallRec): boolean {
  const d = q.cfg.overflowDelayMs;
  if (rank <= 0 || d <= 0) return true;
  if (ctx.now - call.enqueuedAt >= rank * d) return true;
  for (let r = 0; r < rank; r++) if ((q.staffedByRank[r] ?? 0) > 0) return false;
  return true;
}

export function eligible(ctx: Ctx, q: QueueRec, m: MemberRec, call: CallRec): boolean {
  if (call.tried?.has(m.agent.id)) return false;
  if (call.agents && !call.agents.includes(m.agent.id)) return false;
  if (!skillsMatch(m.agent, q, call, ctx.now)) return false;
  return tierOpen(ctx, q, m.rank, call);
}

/** The best available member of the call's queue for this call, or undefined. */
export function selectAgent(ctx: Ctx, call: CallRec): MemberRec | undefined {
  const q = ctx.s.queues.get(call.queueId);
  if (!q || q.available.size === 0) return undefined;
  const strategy = q.cfg.strategy;
  let best: MemberRec | undefined;
  let ties = 0;
  for (const m of q.available) {
    if (!eligible(ctx, q, m, call)) continue;
    if (!best) {
      best = m;
      ties = 1;
      continue;
    }
    const c = compareMembers(q, call, m, best);
    if (c < 0) {
      best = m;
      ties = 1;
    } else if (c === 0 && strategy === 'random') {
      // Reservoir sampling among equals, with the seeded generator held in state.
      ties += 1;
      if (nextRandom(ctx.s) * ties < 1) best = m;
    }
  }
  return best;
}

/** Negative when `x` should be offered before `y`. */
function compareMembers(q: QueueRec, call: CallRec, x: MemberRec, y: MemberRec): number {
  if (call.agents) {
    const d = call.agents.indexOf(x.agent.id) - call.agents.indexOf(y.agent.id);
    if (d !== 0) return d;
  }
  if (call.preferred !== undefined) {
    if (x.agent.id === call.preferred) return -1;
    if (y.agent.id === call.preferred) return 1;
  }
  if (x.rank !== y.rank) return x.rank - y.rank;
  if (x.penalty !== y.penalty) return x.penalty - y.penalty;
  switch (q.cfg.strategy) {
    case 'longest-idle':
      if (x.agent.idleSince !== y.agent.idleSince) return x.agent.idleSince - y.agent.idleSince;
      break;
    case 'fewest-calls':
      if (x.callsTaken !== y.callsTaken) return x.callsTaken - y.callsTaken;
      if (x.agent.idleSince !== y.agent.idleSince) return x.agent.idleSince - y.agent.idleSince;
      break;
    case 'round-robin': {
      const n = q.nextOrder + 1;
      const dx = (((x.order - q.rrCursor - 1) % n) + n) % n;
      const dy = (((y.order - q.rrCursor - 1) % n) + n) % n;
      if (dx !== dy) return dx - dy;
      break;
    }
    case 'linear':
      if (x.order !== y.order) return x.order - y.order;
      break;
    case 'random':
      return 0;
  }
  return x.agent.id < y.agent.id ? -1 : x.agent.id > y.agent.id ? 1 : 0;
}

/** The call this agent should take next in one queue, or undefined. */
function bestCallInQueue(ctx: Ctx, q: QueueRec, m: MemberRec): CallRec | undefined {
  const agentId = m.agent.id;
  for (const level of q.levels) {
    const heap = q.heaps.get(level);
    if (!heap) continue;
    while (heap.size > 0 && !isLive(heap.peek()!)) heap.pop();
    if (heap.size === 0) continue;
    const top = heap.peek()!.call;
    if (!top.tried?.has(agentId) && (!top.agents || top.agents.includes(agentId)) && skillsMatch(m.agent, q, top, ctx.now)) {
      if (tierOpen(ctx, q, m.rank, top)) return top;
      continue;
    }
    // Rare path: the head declined this agent already, or is reserved for others; look deeper.
    const aside: HeapEntry[] = [];
    let found: CallRec | undefined;
    while (heap.size > 0) {
      const e = heap.pop()!;
      if (!isLive(e)) continue;
      aside.push(e);
      const c = e.call;
      if (c.tried?.has(agentId) || (c.agents && !c.agents.includes(agentId)) || !skillsMatch(m.agent, q, c, ctx.now)) continue;
      if (tierOpen(ctx, q, m.rank, c)) found = c;
      break;
    }
    for (const e of aside) heap.push(e);
    if (found) return found;
  }
  return undefined;
}

/** Negative when call `x` (from queue qx) should be served before `y` (from qy). */
export function compareCalls(x: CallRec, qx: QueueRec, y: CallRec, qy: QueueRec): number {
  if (qx.cfg.weight !== qy.cfg.weight) return qy.cfg.weight - qx.cfg.weight;
  if (x.priority !== y.priority) return y.priority - x.priority;
  if (x.enqueuedAt !== y.enqueuedAt) return x.enqueuedAt - y.enqueuedAt;
  return x.seq - y.seq;
}

/** The best waiting call this agent may take across its queues (weight, priority, wait). */
export function bestCallFor(ctx: Ctx, a: AgentRec): { call: CallRec; queue: QueueRec } | undefined {
  let bestCall: CallRec | undefined;
  let bestQueue: QueueRec | undefined;
  for (const m of a.memberships) {
    if (m.queue.calls.size === 0) continue;
    const c = bestCallInQueue(ctx, m.queue, m);
    if (c && (!bestCall || compareCalls(c, m.queue, bestCall, bestQueue!) < 0)) {
      bestCall = c;
      bestQueue = m.queue;
    }
  }
  return bestCall && bestQueue ? { call: bestCall, queue: bestQueue } : undefined;
}
