/**
 * Live statistics fed by engine events: per agent (seed 002 AgentStatistics) and per queue for
 * today (QueueStatistics: waiting, longest wait, answered, abandoned, service level, ASA).
 */
import type { Engine } from '../calls/engine.js';
import type { Cdr } from '../domain/cdr.js';
import { AgentTimeTracker } from './agent-time.js';

const DAY_MS = 86_400_000;

export interface AgentStatistics {
  id: string;
  statistics: { name: string; value: number | string | null }[];
}

export interface QueueStatistics {
  queueId: string;
  counters: { statName: string; value: number }[];
}

interface QueueDay {
  day: number;
  answered: number;
  abandoned: number;
  timedOut: number;
  answeredInTime: number;
  answerWaitTotalMs: number;
}

export type LiveStats = ReturnType<typeof createLiveStats>;

export function createLiveStats(engine: Engine) {
  const tracker = new AgentTimeTracker();
  const queues = new Map<string, QueueDay>();
  const dayOf = (t: number) => t - (t % DAY_MS);

  engine.on('agent.state', (e) => tracker.onState(e));
  engine.on('call.ended', fold);

  function fold(cdr: Cdr): void {
    if (!cdr.queueId) return;
    const day = dayOf(cdr.endedAt);
    let q = queues.get(cdr.queueId);
    if (!q || q.day !== day) {
      q = { day, answered: 0, abandoned: 0, timedOut: 0, answeredInTime: 0, answerWaitTotalMs: 0 };
      queues.set(cdr.queueId, q);
    }
    const threshold = (engine.queueConfig(cdr.queueId)?.service_level_s ?? 20) * 1000;
    if (cdr.disposition === 'answered') {
      q.answered += 1;
      q.answerWaitTotalMs += cdr.waitMs ?? 0;
      if ((cdr.waitMs ?? 0) <= threshold) q.answeredInTime += 1;
    } else if (cdr.disposition === 'abandoned') q.abandoned += 1;
    else if (cdr.disposition === 'timeout' || cdr.disposition === 'refused') q.timedOut += 1;
  }

  const iso = (t: number | undefined) => (t === undefined ? null : new Date(t).toISOString());
  const seconds = (ms: number) => Math.round(ms / 1000);

  return {
    /** Count calls that ended before this process started (today's CDRs from the store). */
    seed(cdrs: Iterable<Cdr>): void {
      const today = dayOf(engine.clock.now());
      for (const cdr of cdrs) if (dayOf(cdr.endedAt) === today) fold(cdr);
    },

    agent(agentId: string): AgentStatistics {
      const now = engine.clock.now();
      const t = tracker.times(agentId, now);
      return {
        id: agentId,
        statistics: [
          { name: 'AgentPausedTotalTime', value: seconds(t?.byPresence.paused ?? 0) },
          { name: 'AgentWrapupTotalTime', value: seconds(t?.byPresence.wrapup ?? 0) },
          { name: 'AgentReadyTotalTime', value: seconds(t?.byPresence.ready ?? 0) },
          { name: 'LoginDateTime', value: iso(t?.lastLoginAt) },
          { name: 'LogoutDateTime', value: iso(t?.lastLogoutAt) },
        ],
      };
    },

    queue(queueId: string): QueueStatistics | undefined {
      const snap = engine.queueSnapshot(queueId);
      if (!snap) return undefined;
      const now = engine.clock.now();
      const q = queues.get(queueId);
      const today = q && q.day === dayOf(now) ? q : undefined;
      const answered = today?.answered ?? 0;
      const abandoned = today?.abandoned ?? 0;
      const base = answered + abandoned;
      return {
        queueId,
        counters: [
          { statName: 'WaitingCalls', value: snap.waiting },
          { statName: 'LongestWaitTime', value: seconds(snap.longestWaitMs) },
          { statName: 'AvailableAgents', value: snap.availableAgents },
          { statName: 'LoggedAgents', value: snap.loggedInAgents },
          { statName: 'TotalNumberCallsAnswered', value: answered },
          { statName: 'TotalNumberCallsAbandonned', value: abandoned },
          { statName: 'TotalNumberCallsTimeout', value: today?.timedOut ?? 0 },
          { statName: 'PercentageAnsweredBefore', value: base === 0 ? 100 : Math.round((1000 * (today?.answeredInTime ?? 0)) / base) / 10 },
          { statName: 'AverageSpeedOfAnswer', value: answered === 0 ? 0 : seconds((today?.answerWaitTotalMs ?? 0) / answered) },
        ],
      };
    },
  };
}
