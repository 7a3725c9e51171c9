import { describe, expect, it } from 'vitest';
import type { Cdr } from '../../src/domain/cdr.js';
import { AgentTimeTracker } from '../../src/stats/agent-time.js';
import { queueReport } from '../../src/stats/queue-report.js';

const aCdr = (over: Partial<Cdr>): Cdr => ({
  callId: 'c',
  legId: 'l',
  direction: 'inbound',
  numberId: 'n',
  dialled: '100',
  caller: '1',
  callerName: null,
  startedAt: 0,
  answeredAt: 0,
  endedAt: 0,
  ivrPath: null,
  language: 'en',
  queueId: 'q',
  enqueuedAt: 0,
  waitMs: 0,
  agentId: null,
  agentLegId: null,
  connectedAt: null,
  talkMs: null,
  holdMs: 0,
  hangupSide: 'caller',
  hangupCause: 'normal',
  recording: null,
  disposition: 'answered',
  variables: {},
  segments: [],
  ...over,
});

describe('queueReport', () => {
  it('counts dispositions, waits and the service level per queue', () => {
    const report = queueReport(
      [
        aCdr({ waitMs: 10_000 }),
        aCdr({ waitMs: 30_000 }),
        aCdr({ waitMs: 5_000, disposition: 'abandoned' }),
        aCdr({ waitMs: 600_000, disposition: 'timeout' }),
        aCdr({ queueId: null, disposition: 'ivr-hangup' }),
      ],
      () => 20_000,
    );
    expect(report).toEqual([
      { queueId: 'q', offered: 4, answered: 2, abandoned: 1, timedOut: 1, avgWaitMs: 161_250, longestWaitMs: 600_000, avgAnswerMs: 20_000, serviceLevel: 33.3 },
    ]);
  });
});

describe('AgentTimeTracker', () => {
  it('adds up time per state and occupancy over logged-in time', () => {
    const t = new AgentTimeTracker();
    t.onState({ agentId: 'a', previous: 'loggedout', presence: 'ready', at: 0 });
    t.onState({ agentId: 'a', previous: 'ready', presence: 'ringing', at: 60_000 });
    t.onState({ agentId: 'a', previous: 'ringing', presence: 'oncall', at: 65_000 });
    t.onState({ agentId: 'a', previous: 'oncall', presence: 'wrapup', at: 125_000 });
    t.onState({ agentId: 'a', previous: 'wrapup', presence: 'paused', at: 135_000 });
    const times = t.times('a', 200_000)!;
    expect(times.byPresence).toEqual({ loggedout: 0, ready: 60_000, ringing: 5_000, dialing: 0, oncall: 60_000, wrapup: 10_000, paused: 65_000 });
    expect(times.loggedInMs).toBe(200_000);
    expect(times.calls).toBe(1);
    expect(times.occupancy).toBe(37.5);
    expect(times.lastLoginAt).toBe(0);
  });
});
