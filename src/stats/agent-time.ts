import type { AgentPresence } from '../routing/types.js';

export interface AgentTimes {
  agentId: string;
  /** Milliseconds spent in each presence (logged-out time excluded from the login total). */
  byPresence: Record<AgentPresence, number>;
  loggedInMs: number;
  /** Calls answered. */
  calls: number;
  /** Share of logged-in time spent ringing, dialing, on calls or in wrap-up, in percent. */
  occupancy: number;
  lastLoginAt: number | undefined;
  lastLogoutAt: number | undefined;
}

const zero = (): Record<AgentPresence, number> => ({ loggedout: 0, ready: 0, paused: 0, ringing: 0, dialing: 0, oncall: 0, wrapup: 0 });

/**
 * Accumulates time per agent presence from agent state changes (AgentReadyTotalTime,
 * AgentPausedTotalTime, AgentWrapupTotalTime of seed 002, and occupancy for reports).
 */
export class AgentTimeTracker {
  private readonly agents = new Map<string, { presence: AgentPresence; since: number; totals: Record<AgentPresence, number>; calls: number; login?: number; logout?: number }>();

  onState(e: { agentId: string; presence: AgentPresence; previous: AgentPresence; at: number }): void {
    const rec = this.agents.get(e.agentId) ?? { presence: e.previous, since: e.at, totals: zero(), calls: 0 };
    rec.totals[rec.presence] += e.at - rec.since;
    if (e.presence === 'oncall') rec.calls += 1;
    if (rec.presence === 'loggedout' && e.presence !== 'loggedout') rec.login = e.at;
    if (e.presence === 'loggedout') rec.logout = e.at;
    rec.presence = e.presence;
    rec.since = e.at;
    this.agents.set(e.agentId, rec);
  }

  /** Totals as of `now`, counting the current state up to now. */
  times(agentId: string, now: number): AgentTimes | undefined {
    const rec = this.agents.get(agentId);
    if (!rec) return undefined;
    const byPresence = { ...rec.totals };
    byPresence[rec.presence] += now - rec.since;
    const loggedInMs = byPresence.ready + byPresence.paused + byPresence.ringing + byPresence.dialing + byPresence.oncall + byPresence.wrapup;
    const busy = byPresence.ringing + byPresence.dialing + byPresence.oncall + byPresence.wrapup;
    return {
      agentId,
      byPresence,
      loggedInMs,
      calls: rec.calls,
      occupancy: loggedInMs === 0 ? 0 : Math.round((1000 * busy) / loggedInMs) / 10,
      lastLoginAt: rec.login,
      lastLogoutAt: rec.logout,
    };
  }

  agentIds(): string[] {
    return [...this.agents.keys()].sort();
  }
}
