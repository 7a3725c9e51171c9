/** Read-only views of the routing state for the API and the CTI: queues, agents, wait estimates. */
import type { RoutingState } from '../routing/types.js';
import type { AgentSnapshot, QueueSnapshot } from './engine-types.js';

export function queueSnapshot(state: RoutingState, queueId: string, now: number): QueueSnapshot | undefined {
  const q = state.queues.get(queueId);
  if (!q) return undefined;
  let oldest = now;
  for (const c of q.calls) if (c.enqueuedAt < oldest) oldest = c.enqueuedAt;
  return { queueId, waiting: q.calls.size, longestWaitMs: now - oldest, availableAgents: q.available.size, loggedInAgents: q.loggedInCount };
}

export function agentSnapshot(state: RoutingState, agentId: string): AgentSnapshot | undefined {
  const a = state.agents.get(agentId);
  if (!a || a.removed) return undefined;
  return {
    agentId,
    presence: a.presence,
    since: a.presenceSince,
    pauseReason: a.pauseReason,
    logoutCause: a.logoutCause,
    callId: a.callId,
    reachable: a.reachable,
    dnd: a.dnd,
    queues: a.memberships.map((m) => ({ queueId: m.queue.cfg.id, penalty: m.penalty, tier: m.tier })),
  };
}

/** Hold times per queue (a moving average of connected calls' waits), for the wait estimate. */
export class HoldTimes {
  private readonly ewma = new Map<string, number>();

  /** A call connected after waiting `holdMs`. */
  add(queueId: string, holdMs: number): void {
    const prev = this.ewma.get(queueId);
    this.ewma.set(queueId, prev === undefined ? holdMs : prev * 0.8 + holdMs * 0.2);
  }

  /** The wait a new call in this queue may expect: the average hold, times its place, over staffed agents. */
  estimatedWaitMs(state: RoutingState, queueId: string): number {
    const avg = this.ewma.get(queueId) ?? 0;
    const q = state.queues.get(queueId);
    if (!q) return 0;
    const staffed = Math.max(1, q.staffedByRank.reduce((x, y) => x + y, 0));
    return Math.round((avg * (q.calls.size + 1)) / staffed);
  }
}
