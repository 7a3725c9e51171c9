import { describe, expect, it } from 'vitest';
import { aConfig, aQueue, Core } from '../support/core.js';

const S = 1000;

describe('routing core: waiting list', () => {
  it('serves callers first come first served within a priority, higher priority first', () => {
    const core = new Core(aConfig([aQueue('q')], ['a@q']));
    core.enqueue(0, 'c1', 'q', 0);
    core.enqueue(1 * S, 'c2', 'q', 5);
    core.enqueue(2 * S, 'c3', 'q', 0);
    core.enqueue(3 * S, 'c4', 'q', 5);

    core.login(10 * S, 'a');
    const served: string[] = [];
    for (let t = 10 * S; served.length < 4; t += 50 * S) {
      const offer = core.lastOffer()!;
      expect(offer.at).toBe(t);
      served.push(offer.callId);
      core.answer(t + S, offer.callId);
      core.input(t + 50 * S, { type: 'call.end', callId: offer.callId, side: 'caller' });
    }
    expect(served).toEqual(['c2', 'c4', 'c1', 'c3']);
  });

  it('reports ENTERQUEUE with the position the caller joined at', () => {
    const core = new Core(aConfig([aQueue('q')], ['a@q']));
    core.enqueue(0, 'c1', 'q');
    core.enqueue(0, 'c2', 'q');
    core.enqueue(0, 'c3', 'q', 9);
    expect(core.queueLog('ENTERQUEUE').map((e) => [e.callId, e.data.position])).toEqual([
      ['c1', 1],
      ['c2', 2],
      ['c3', 1],
    ]);
  });
});

describe('routing core: tiers', () => {
  it('offers a lower tier only when no agent of a higher tier is available', () => {
    const core = new Core(aConfig([aQueue('q')], ['g2a@q:1', 'g3a@q:2']));
    core.login(0, 'g3a', 'g2a');
    core.enqueue(1 * S, 'c1', 'q');
    expect(core.lastOffer()).toEqual({ callId: 'c1', agentId: 'g2a', at: 1 * S });
    core.answer(2 * S, 'c1');
    core.enqueue(3 * S, 'c2', 'q');
    expect(core.lastOffer()).toEqual({ callId: 'c2', agentId: 'g3a', at: 3 * S });
  });

  it('keeps a call for the busy higher tier until the overflow delay, then opens the lower tier', () => {
    const core = new Core(aConfig([aQueue('q', { overflowDelayMs: 30 * S })], ['hi@q:1', 'lo@q:2']));
    core.login(0, 'hi', 'lo');
    core.enqueue(0, 'c0', 'q');
    core.answer(1 * S, 'c0'); // hi is busy from now on
    core.enqueue(10 * S, 'c1', 'q');
    expect(core.lastOffer()?.callId).toBe('c0');
    core.runTimersUntil(39_999);
    expect(core.lastOffer()?.callId).toBe('c0');
    core.runTimersUntil(40 * S);
    expect(core.lastOffer()).toEqual({ callId: 'c1', agentId: 'lo', at: 40 * S });
  });

  it('opens the lower tier for waiting calls when the last higher-tier agent pauses', () => {
    const core = new Core(aConfig([aQueue('q', { overflowDelayMs: 60 * S })], ['hi@q:1', 'lo@q:2']));
    core.login(0, 'hi', 'lo');
    core.enqueue(0, 'c0', 'q');
    core.answer(1 * S, 'c0');
    core.enqueue(2 * S, 'c1', 'q');
    core.input(10 * S, { type: 'agent.pause', agentId: 'hi', reason: 'break' });
    expect(core.lastOffer()).toEqual({ callId: 'c1', agentId: 'lo', at: 10 * S });
  });

  it('opens the lower tier at once when nobody of the higher tier is staffed, even with an overflow delay', () => {
    const core = new Core(aConfig([aQueue('q', { overflowDelayMs: 30 * S })], ['hi@q:1', 'lo@q:2']));
    core.login(0, 'lo');
    core.enqueue(5 * S, 'c1', 'q');
    expect(core.lastOffer()).toEqual({ callId: 'c1', agentId: 'lo', at: 5 * S });
  });
});

describe('routing core: penalties and strategies', () => {
  it('offers the lower penalty first, whatever the idle times', () => {
    const core = new Core(aConfig([aQueue('q')], ['a@q:1/5', 'b@q:1/0']));
    core.login(0, 'a');
    core.login(60 * S, 'b');
    core.enqueue(61 * S, 'c1', 'q');
    expect(core.lastOffer()?.agentId).toBe('b');
  });

  const freeAll = (core: Core, t: number, callId: string) => {
    core.answer(t, callId);
    core.input(t + S, { type: 'call.end', callId, side: 'caller' });
  };

  it('longest-idle picks the agent idle the longest, ties by id', () => {
    const core = new Core(aConfig([aQueue('q')], ['a@q', 'b@q', 'c@q']));
    core.login(0, 'a', 'b', 'c');
    core.enqueue(1 * S, 'x1', 'q');
    expect(core.lastOffer()?.agentId).toBe('a');
    freeAll(core, 2 * S, 'x1'); // a idle since 3 s
    core.enqueue(4 * S, 'x2', 'q');
    expect(core.lastOffer()?.agentId).toBe('b');
    freeAll(core, 5 * S, 'x2');
    core.enqueue(7 * S, 'x3', 'q');
    expect(core.lastOffer()?.agentId).toBe('c');
    freeAll(core, 8 * S, 'x3');
    core.enqueue(10 * S, 'x4', 'q');
    expect(core.lastOffer()?.agentId).toBe('a');
  });

  it('round-robin rotates through the members in order', () => {
    const core = new Core(aConfig([aQueue('q', { strategy: 'round-robin' })], ['a@q', 'b@q', 'c@q']));
    core.login(0, 'c', 'b', 'a');
    const picks: string[] = [];
    for (let i = 0; i < 5; i++) {
      core.enqueue(10 * S * i + 1, `x${i}`, 'q');
      picks.push(core.lastOffer()!.agentId);
      freeAll(core, 10 * S * i + 2, `x${i}`);
    }
    expect(picks).toEqual(['a', 'b', 'c', 'a', 'b']);
  });

  it('fewest-calls picks the agent that took the fewest calls in this queue', () => {
    const core = new Core(aConfig([aQueue('q', { strategy: 'fewest-calls' })], ['a@q', 'b@q']));
    core.login(0, 'a', 'b');
    core.enqueue(1 * S, 'x1', 'q');
    freeAll(core, 2 * S, 'x1'); // a: 1 call
    core.enqueue(100 * S, 'x2', 'q');
    expect(core.lastOffer()?.agentId).toBe('b');
    freeAll(core, 101 * S, 'x2'); // b: 1 call, more recently idle
    core.enqueue(200 * S, 'x3', 'q');
    expect(core.lastOffer()?.agentId).toBe('a');
  });

  it('linear always starts from the first member in order', () => {
    const core = new Core(aConfig([aQueue('q', { strategy: 'linear' })], ['b@q', 'a@q']));
    core.login(0, 'a', 'b');
    for (let i = 0; i < 3; i++) {
      core.enqueue(10 * S * i + 1, `x${i}`, 'q');
      expect(core.lastOffer()?.agentId).toBe('b');
      freeAll(core, 10 * S * i + 2, `x${i}`);
    }
  });

  it('random is reproducible from the seed and reaches every agent', () => {
    const run = (seed: number) => {
      const core = new Core(aConfig([aQueue('q', { strategy: 'random' })], ['a@q', 'b@q', 'c@q']), seed);
      core.login(0, 'a', 'b', 'c');
      const picks: string[] = [];
      for (let i = 0; i < 30; i++) {
        core.enqueue(10 * S * i + 1, `x${i}`, 'q');
        picks.push(core.lastOffer()!.agentId);
        freeAll(core, 10 * S * i + 2, `x${i}`);
      }
      return picks;
    };
    expect(run(7)).toEqual(run(7));
    expect(new Set(run(7))).toEqual(new Set(['a', 'b', 'c']));
    expect(run(7)).not.toEqual(run(8));
  });
});

describe('routing core: agents in several queues', () => {
  it('takes the call of the heavier queue first, then the longest waiting', () => {
    const core = new Core(aConfig([aQueue('light'), aQueue('heavy', { weight: 10 }), aQueue('other')], ['a@light', 'a@heavy', 'a@other']));
    core.enqueue(0, 'old', 'light');
    core.enqueue(5 * S, 'vip', 'heavy');
    core.enqueue(6 * S, 'older-than-new', 'other');
    core.login(10 * S, 'a');
    expect(core.lastOffer()?.callId).toBe('vip');
    core.answer(11 * S, 'vip');
    core.input(20 * S, { type: 'call.end', callId: 'vip', side: 'agent' });
    expect(core.lastOffer()).toEqual({ callId: 'old', agentId: 'a', at: 20 * S });
  });

  it('honours the wrap-up time of the call’s queue in every queue', () => {
    const core = new Core(aConfig([aQueue('q1', { wrapupMs: 30 * S }), aQueue('q2')], ['a@q1', 'a@q2']));
    core.login(0, 'a');
    core.enqueue(1 * S, 'c1', 'q1');
    core.answer(2 * S, 'c1');
    core.enqueue(3 * S, 'c2', 'q2');
    core.input(10 * S, { type: 'call.end', callId: 'c1', side: 'caller' });
    expect(core.presence('a')).toBe('wrapup');
    core.runTimersUntil(39_999);
    expect(core.lastOffer()?.callId).toBe('c1');
    core.runTimersUntil(40 * S);
    expect(core.lastOffer()).toEqual({ callId: 'c2', agentId: 'a', at: 40 * S });
  });
});

describe('routing core: offers', () => {
  it('moves to the next agent when the answer time-out expires', () => {
    const core = new Core(aConfig([aQueue('q', { answerTimeoutMs: 15 * S })], ['a@q', 'b@q']));
    core.login(0, 'a', 'b');
    core.enqueue(1 * S, 'c1', 'q');
    expect(core.lastOffer()).toEqual({ callId: 'c1', agentId: 'a', at: 1 * S });
    core.runTimersUntil(16 * S);
    expect(core.lastOffer()).toEqual({ callId: 'c1', agentId: 'b', at: 16 * S });
    expect(core.commands).toContainEqual({ type: 'offer.cancel', callId: 'c1', agentId: 'a', reason: 'timeout' });
    expect(core.queueLog('RINGNOANSWER')[0]).toMatchObject({ callId: 'c1', agentId: 'a', at: 16 * S, data: { ringtime: 15_000 } });
  });

  it('moves to the next agent at once when the phone rejects', () => {
    const core = new Core(aConfig([aQueue('q')], ['a@q', 'b@q']));
    core.login(0, 'a', 'b');
    core.enqueue(1 * S, 'c1', 'q');
    core.input(3 * S, { type: 'offer.failed', callId: 'c1', agentId: 'a', cause: 'busy' });
    expect(core.lastOffer()).toEqual({ callId: 'c1', agentId: 'b', at: 3 * S });
  });

  it('pauses an agent with reason no-answer after N consecutive unanswered offers', () => {
    const core = new Core(aConfig([aQueue('q', { answerTimeoutMs: 10 * S, maxNoAnswer: 2, retryMs: 0 })], ['a@q']));
    core.login(0, 'a');
    core.enqueue(0, 'c1', 'q');
    core.runTimersUntil(10 * S); // first no-answer; retried at once
    expect(core.presence('a')).toBe('ringing');
    core.runTimersUntil(20 * S); // second no-answer
    expect(core.presence('a')).toBe('paused');
    expect(core.state.agents.get('a')?.pauseReason).toBe('no-answer');
    expect(core.queueLog('PAUSE')[0]).toMatchObject({ agentId: 'a', at: 20 * S, data: { reason: 'no-answer' } });
    expect(core.offerLog.length).toBe(2);
  });

  it('resets the no-answer count when the agent answers', () => {
    const core = new Core(aConfig([aQueue('q', { answerTimeoutMs: 10 * S, maxNoAnswer: 2, retryMs: 0 })], ['a@q']));
    core.login(0, 'a');
    core.enqueue(0, 'c1', 'q');
    core.runTimersUntil(10 * S);
    core.answer(12 * S, 'c1');
    core.input(20 * S, { type: 'call.end', callId: 'c1', side: 'caller' });
    core.enqueue(21 * S, 'c2', 'q');
    core.runTimersUntil(31 * S);
    expect(core.presence('a')).toBe('ringing');
  });

  it('never offers a ringing agent a second call', () => {
    const core = new Core(aConfig([aQueue('q1'), aQueue('q2')], ['a@q1', 'a@q2']));
    core.login(0, 'a');
    core.enqueue(1 * S, 'c1', 'q1');
    core.enqueue(2 * S, 'c2', 'q2');
    expect(core.offerLog).toEqual([{ callId: 'c1', agentId: 'a', at: 1 * S }]);
    core.checkInvariants();
  });

  it('cancels the offer and frees the agent when the caller hangs up while it rings', () => {
    const core = new Core(aConfig([aQueue('q')], ['a@q']));
    core.login(0, 'a');
    core.enqueue(1 * S, 'c1', 'q');
    core.input(4 * S, { type: 'call.abandon', callId: 'c1' });
    expect(core.commands).toContainEqual({ type: 'offer.cancel', callId: 'c1', agentId: 'a', reason: 'abandon' });
    expect(core.presence('a')).toBe('ready');
    expect(core.queueLog('ABANDON')[0]).toMatchObject({ callId: 'c1', data: { position: 1, origposition: 1, waittime: 3 } });
  });

  it('puts a ringing call back for another agent when its agent logs out', () => {
    const core = new Core(aConfig([aQueue('q')], ['a@q', 'b@q']));
    core.login(0, 'a', 'b');
    core.input(0, { type: 'agent.pause', agentId: 'b' });
    core.enqueue(1 * S, 'c1', 'q');
    core.input(2 * S, { type: 'agent.logout', agentId: 'a' });
    core.input(3 * S, { type: 'agent.unpause', agentId: 'b' });
    expect(core.lastOffer()).toEqual({ callId: 'c1', agentId: 'b', at: 3 * S });
    expect(core.presence('a')).toBe('loggedout');
  });

  it('ignores a timer whose generation is stale', () => {
    const core = new Core(aConfig([aQueue('q')], ['a@q']));
    core.login(0, 'a');
    core.enqueue(0, 'c1', 'q');
    const gen = core.timers.get('noanswer:c1')!.gen;
    core.answer(1 * S, 'c1');
    core.input(15 * S, { type: 'timer.fired', key: 'noanswer:c1', gen });
    expect(core.events.at(-1)).toEqual({ type: 'ignored', input: 'timer.fired', reason: 'stale timer' });
    expect(core.presence('a')).toBe('oncall');
  });
});

describe('routing core: leaving the queue', () => {
  it('sends the call to the exit destination at its maximum wait', () => {
    const core = new Core(aConfig([aQueue('q', { maxWaitMs: 60 * S, exit: { action: 'queue', queue: 'overflow' } }), aQueue('overflow')], ['a@q']));
    core.enqueue(5 * S, 'c1', 'q');
    core.runTimersUntil(64_999);
    expect(core.commands.some((c) => c.type === 'call.exit')).toBe(false);
    core.runTimersUntil(65 * S);
    expect(core.commands).toContainEqual({ type: 'call.exit', callId: 'c1', queueId: 'q', reason: 'timeout', destination: { action: 'queue', queue: 'overflow' } });
    expect(core.queueLog('EXITWITHTIMEOUT')[0]).toMatchObject({ at: 65 * S, data: { waittime: 60, position: 1 } });
    expect(core.state.calls.size).toBe(0);
  });

  it('refuses a caller when no member is logged in and the queue says refuse', () => {
    const core = new Core(aConfig([aQueue('q', { joinEmpty: 'refuse' })], ['a@q']));
    core.enqueue(1 * S, 'c1', 'q');
    expect(core.commands).toContainEqual({ type: 'call.exit', callId: 'c1', queueId: 'q', reason: 'joinempty', destination: { action: 'hangup' } });
    expect(core.state.calls.size).toBe(0);
  });

  it('lets a caller wait when no member is logged in and the queue says join', () => {
    const core = new Core(aConfig([aQueue('q', { joinEmpty: 'join' })], ['a@q']));
    core.enqueue(1 * S, 'c1', 'q');
    expect(core.state.calls.get('c1')?.state).toBe('waiting');
    core.login(30 * S, 'a');
    expect(core.lastOffer()).toEqual({ callId: 'c1', agentId: 'a', at: 30 * S });
  });
});

describe('routing core: rest states', () => {
  it.each([
    ['caller first', 'caller'],
    ['agent first', 'agent'],
  ] as const)('returns the agent to ready after a call ended by the %s', (_, side) => {
    const core = new Core(aConfig([aQueue('q', { wrapupMs: 5 * S })], ['a@q']));
    core.login(0, 'a');
    core.enqueue(0, 'c1', 'q');
    core.answer(1 * S, 'c1');
    core.input(2 * S, { type: 'call.end', callId: 'c1', side });
    core.runTimersUntil(7 * S);
    expect(core.presence('a')).toBe('ready');
  });

  it('keeps a pause asked for during a call, after the wrap-up', () => {
    const core = new Core(aConfig([aQueue('q', { wrapupMs: 5 * S })], ['a@q']));
    core.login(0, 'a');
    core.enqueue(0, 'c1', 'q');
    core.answer(1 * S, 'c1');
    core.input(2 * S, { type: 'agent.pause', agentId: 'a', reason: 'lunch' });
    expect(core.presence('a')).toBe('oncall');
    core.input(3 * S, { type: 'call.end', callId: 'c1', side: 'caller' });
    core.runTimersUntil(10 * S);
    expect(core.presence('a')).toBe('paused');
  });

  it('lets an agent log out during a call and ends logged out', () => {
    const core = new Core(aConfig([aQueue('q', { wrapupMs: 5 * S })], ['a@q']));
    core.login(0, 'a');
    core.enqueue(0, 'c1', 'q');
    core.answer(1 * S, 'c1');
    core.input(2 * S, { type: 'agent.logout', agentId: 'a' });
    core.input(3 * S, { type: 'call.end', callId: 'c1', side: 'agent' });
    core.runTimersUntil(10 * S);
    expect(core.presence('a')).toBe('loggedout');
    expect(core.state.agents.get('a')?.activity).toBe('idle');
  });
});

describe('routing core: phone reachability', () => {
  it('reports a reachability change once, keeps the presence, and offers no call while unreachable', () => {
    const core = new Core(aConfig([aQueue('q')], ['a@q']));
    core.login(0, 'a');

    core.input(1 * S, { type: 'agent.reachable', agentId: 'a', reachable: false });
    core.input(2 * S, { type: 'agent.reachable', agentId: 'a', reachable: false });
    core.enqueue(3 * S, 'c1', 'q');

    expect(core.events.filter((e) => e.type === 'agent.reachable')).toEqual([{ type: 'agent.reachable', agentId: 'a', reachable: false, at: 1 * S }]);
    expect(core.presence('a')).toBe('ready');
    expect(core.lastOffer()).toBeUndefined();

    core.input(4 * S, { type: 'agent.reachable', agentId: 'a', reachable: true });
    expect(core.events.filter((e) => e.type === 'agent.reachable').at(-1)).toEqual({ type: 'agent.reachable', agentId: 'a', reachable: true, at: 4 * S });
    expect(core.lastOffer()).toEqual({ callId: 'c1', agentId: 'a', at: 4 * S });
  });
});

describe('routing core: live configuration', () => {
  it('reports member changes with penalty -1 on removal and keeps calls routing', () => {
    const core = new Core(aConfig([aQueue('q')], ['a@q']));
    core.login(0, 'a');
    core.input(1 * S, { type: 'config.apply', config: aConfig([aQueue('q')], ['a@q:1/3', 'b@q']) });
    core.input(2 * S, { type: 'config.apply', config: aConfig([aQueue('q')], ['b@q']) });
    const changes = core.events.filter((e) => e.type === 'member.changed');
    expect(changes).toEqual([
      { type: 'member.changed', agentId: 'a', queueId: 'q', penalty: 0 },
      { type: 'member.changed', agentId: 'a', queueId: 'q', penalty: 3 },
      { type: 'member.changed', agentId: 'b', queueId: 'q', penalty: 0 },
      { type: 'member.changed', agentId: 'a', queueId: 'q', penalty: -1 },
    ]);
    core.login(3 * S, 'b');
    core.enqueue(4 * S, 'c1', 'q');
    expect(core.lastOffer()?.agentId).toBe('b');
    core.checkInvariants();
  });
});

describe('routing core: per-call agent lists and preferences', () => {
  it('holds a call whose agent list is pending, then offers the listed agents in their order with their time-outs', () => {
    const core = new Core(aConfig([aQueue('q')], ['a@q', 'b@q', 'c@q']));
    core.login(0, 'a', 'b', 'c');
    core.input(1 * S, { type: 'call.enqueue', callId: 'c1', queueId: 'q', agents: [] });
    expect(core.offerLog).toEqual([]);
    core.input(2 * S, { type: 'call.agents', callId: 'c1', agents: ['c', 'b'], agentTimeouts: { c: 10 * S, b: 15 * S } });
    expect(core.lastOffer()).toEqual({ callId: 'c1', agentId: 'c', at: 2 * S });
    core.runTimersUntil(12 * S);
    expect(core.lastOffer()).toEqual({ callId: 'c1', agentId: 'b', at: 12 * S });
    expect(core.commands.filter((c) => c.type === 'offer').map((c) => (c as { timeoutMs: number }).timeoutMs)).toEqual([10 * S, 15 * S]);
  });

  it('falls back to normal routing when the agent list is lifted', () => {
    const core = new Core(aConfig([aQueue('q')], ['a@q']));
    core.login(0, 'a');
    core.input(1 * S, { type: 'call.enqueue', callId: 'c1', queueId: 'q', agents: [] });
    core.input(3 * S, { type: 'call.agents', callId: 'c1', agents: undefined });
    expect(core.lastOffer()).toEqual({ callId: 'c1', agentId: 'a', at: 3 * S });
  });

  it('offers a preferred agent first when available, and routes normally when it is not', () => {
    const core = new Core(aConfig([aQueue('q')], ['a@q', 'b@q']));
    core.login(0, 'a', 'b');
    core.input(1 * S, { type: 'call.enqueue', callId: 'c1', queueId: 'q', preferredAgent: 'b' });
    expect(core.lastOffer()?.agentId).toBe('b');
    core.answer(2 * S, 'c1');
    core.input(3 * S, { type: 'call.enqueue', callId: 'c2', queueId: 'q', preferredAgent: 'b' });
    expect(core.lastOffer()?.agentId).toBe('a');
  });
});

describe('routing core: outbound calls of an agent', () => {
  it('reserves the agent while it dials and talks, so no queue call is offered, then frees it', () => {
    const core = new Core(aConfig([aQueue('q')], ['a@q']));
    core.login(0, 'a');
    core.input(1 * S, { type: 'agent.outbound', agentId: 'a', callId: 'out-1' });
    expect(core.presence('a')).toBe('dialing');
    core.enqueue(2 * S, 'c1', 'q');
    expect(core.offerLog).toEqual([]);
    core.input(5 * S, { type: 'agent.outbound.connected', agentId: 'a', callId: 'out-1' });
    expect(core.presence('a')).toBe('oncall');
    core.input(60 * S, { type: 'agent.outbound.end', agentId: 'a', callId: 'out-1' });
    expect(core.lastOffer()).toEqual({ callId: 'c1', agentId: 'a', at: 60 * S });
    core.checkInvariants();
  });

  it('refuses an outbound call for an agent that is busy', () => {
    const core = new Core(aConfig([aQueue('q')], ['a@q']));
    core.login(0, 'a');
    core.enqueue(1 * S, 'c1', 'q');
    core.input(2 * S, { type: 'agent.outbound', agentId: 'a', callId: 'out-1' });
    expect(core.events.at(-1)).toEqual({ type: 'ignored', input: 'agent.outbound', reason: 'agent busy' });
    expect(core.presence('a')).toBe('ringing');
  });
});

describe('routing core: review findings', () => {
  it('leaves at the maximum wait even when the ringing agent logs out', () => {
    const core = new Core(aConfig([aQueue('q', { maxWaitMs: 10 * S, answerTimeoutMs: 30 * S })], ['a@q', 'b@q']));
    core.login(0, 'a');
    core.enqueue(0, 'c1', 'q');
    core.runTimersUntil(10 * S); // max wait reached while a rings
    core.input(12 * S, { type: 'agent.logout', agentId: 'a' });
    expect(core.commands).toContainEqual({ type: 'call.exit', callId: 'c1', queueId: 'q', reason: 'timeout', destination: { action: 'hangup' } });
    expect(core.state.calls.size).toBe(0);
  });

  it('makes an agent removed while on a call usable again when it is configured again', () => {
    const cfg = aConfig([aQueue('q')], ['a@q']);
    const core = new Core(cfg);
    core.login(0, 'a');
    core.enqueue(0, 'c1', 'q');
    core.answer(1 * S, 'c1');
    core.input(2 * S, { type: 'config.apply', config: aConfig([aQueue('q')], []) });
    core.input(3 * S, { type: 'config.apply', config: cfg });
    core.input(4 * S, { type: 'call.end', callId: 'c1', side: 'caller' });
    core.login(5 * S, 'a');
    core.enqueue(6 * S, 'c2', 'q');
    expect(core.lastOffer()).toEqual({ callId: 'c2', agentId: 'a', at: 6 * S });
  });
});
