/**
 * Live statistics fed by engine events: per agent (seed 002 AgentStatistics) and per queue for
 * today (QueueStatistics: waiting, longest wait, answered, abandoned, service level, ASA).
 * One set of counters serves both the CTI messages and `GET /queues/:id/stats`.
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

/** A queue now (waiting, agents) and today since `since` (UTC day start, epoch ms). */
export interface QueueFigures {
  queueId: string;
  waiting: number;
  longestWaitMs: number;
  availableAgents: number;
  loggedInAgents: number;
  since: number;
  /** Calls of today that went through the queue and ended, whatever their outcome. */
  offered: number;
  answered: number;
  abandoned: number;
  /** Left at the maximum wait, or refused because nobody was logged in. */
  timedOut: number;
  /** % of answered + abandoned calls answered within service_level_s (100 with none), one decimal. */
  serviceLevel: number;
  averageSpeedOfAnswerMs: number;
}

interface QueueDay {
  day: number;
  offered: number;
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
      q = { day, offered: 0, answered: 0, abandoned: 0, timedOut: 0, answeredInTime: 0, answerWaitTotalMs: 0 };
      queues.set(cdr.queueId, q);
    }
    // A called-back caller counts once: offered when it asked (its own call's CDR), answered when
    // a callback is bridged, with the wait from its original enter time; failed attempts count nothing.
    // A callback-list request that came from no call (API, CSV) is offered and answered by its callback.
    const callback = cdr.direction === 'callback';
    if (callback && cdr.disposition !== 'answered') return;
    if (!callback || !cdr.parentCallId) q.offered += 1;
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

  function figures(queueId: string): QueueFigures | undefined {
    const snap = engine.queueSnapshot(queueId);
    if (!snap) return undefined;
    const since = dayOf(engine.clock.now());
    const q = queues.get(queueId);
    const today = q && q.day === since ? q : undefined;
    const answered = today?.answered ?? 0;
    const abandoned = today?.abandoned ?? 0;
    const base = answered + abandoned;
    return {
      queueId,
      waiting: snap.waiting,
      longestWaitMs: snap.longestWaitMs,
      availableAgents: snap.availableAgents,
      loggedInAgents: snap.loggedInAgents,
      since,
      offered: today?.offered ?? 0,
      answered,
      abandoned,
      timedOut: today?.timedOut ?? 0,
      serviceLevel: base === 0 ? 100 : Math.round((1000 * (today?.answeredInTime ?? 0)) / base) / 10,
      averageSpeedOfAnswerMs: answered === 0 ? 0 : Math.round((today?.answerWaitTotalMs ?? 0) / answered),
    };
  }

  return {
    /** Count calls that ended before this process started (today's CDRs from the store). */
    seed(cdrs: Iterable<Cdr>): void {
      const today = dayOf(engine.clock.now());
      for (const cdr of cdrs) if (dayOf(cdr.endedAt) === today) fold(cdr);
    },

    agent(agentId: string): AgentStatistics {
      const now = engine.clock.now();
      const t = tracker.times(agentId, now);
      const reachable = engine.agentSnapshot(agentId)?.reachable;
      return {
        id: agentId,
        statistics: [
          { name: 'AgentPausedTotalTime', value: seconds(t?.byPresence.paused ?? 0) },
          { name: 'AgentWrapupTotalTime', value: seconds(t?.byPresence.wrapup ?? 0) },
          { name: 'AgentReadyTotalTime', value: seconds(t?.byPresence.ready ?? 0) },
          { name: 'LoginDateTime', value: iso(t?.lastLoginAt) },
          { name: 'LogoutDateTime', value: iso(t?.lastLogoutAt) },
          { name: 'OnlineStatus', value: reachable === undefined ? null : reachable ? 'online' : 'offline' },
        ],
      };
    },

    /** The figures `GET /queues/:id/stats` answers with; undefined for an unknown queue. */
    figures,

    /** Seed 002 QueueStatistics, from the same figures. */
    queue(queueId: string): QueueStatistics | undefined {
      const f = figures(queueId);
      if (!f) return undefined;
      return {
        queueId,
        counters: [
          { statName: 'WaitingCalls', value: f.waiting },
          { statName: 'LongestWaitTime', value: seconds(f.longestWaitMs) },
          { statName: 'AvailableAgents', value: f.availableAgents },
          { statName: 'LoggedAgents', value: f.loggedInAgents },
          { statName: 'TotalNumberCallsAnswered', value: f.answered },
          { statName: 'TotalNumberCallsAbandonned', value: f.abandoned },
          { statName: 'TotalNumberCallsTimeout', value: f.timedOut },
          { statName: 'PercentageAnsweredBefore', value: f.serviceLevel },
          { statName: 'AverageSpeedOfAnswer', value: seconds(f.averageSpeedOfAnswerMs) },
        ],
      };
    },
  };
}
