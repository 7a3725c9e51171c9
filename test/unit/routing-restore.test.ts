import { describe, expect, it } from 'vitest';
import { aConfig, aQueue, Core } from '../support/core.js';

const S = 1000;

describe('routing core: restore after an engine restart', () => {
  it('puts a restored call at its original place: before a call that joined later, even one restored after it', () => {
    const core = new Core(aConfig([aQueue('q')], ['a@q']));
    core.input(100 * S, { type: 'call.enqueue', callId: 'new', queueId: 'q', restoredAt: 90 * S });
    core.input(100 * S, { type: 'call.enqueue', callId: 'old', queueId: 'q', restoredAt: 10 * S });
    core.login(101 * S, 'a');
    expect(core.lastOffer()).toEqual({ callId: 'old', agentId: 'a', at: 101 * S });
  });

  it('logs no second ENTERQUEUE and counts the maximum wait from the original enqueue time', () => {
    const core = new Core(aConfig([aQueue('q', { maxWaitMs: 60 * S })], ['a@q']));
    const cmds = core.input(100 * S, { type: 'call.enqueue', callId: 'c', queueId: 'q', restoredAt: 50 * S });
    expect(core.queueLog('ENTERQUEUE')).toEqual([]);
    expect(cmds).toContainEqual({ type: 'timer.set', key: 'maxwait:c', at: 110 * S, gen: expect.any(Number) });
    core.runTimersUntil(110 * S);
    expect(core.queueLog('EXITWITHTIMEOUT').map((e) => e.data.waittime)).toEqual([60]);
  });

  it('restores a bridged call: the agent is on it, nothing is offered, wrap-up follows its end', () => {
    const core = new Core(aConfig([aQueue('q', { wrapupMs: 5 * S })], ['a@q', 'b@q']));
    core.login(0, 'a', 'b');
    core.input(0, { type: 'call.restore', callId: 'c', queueId: 'q', agentId: 'a', priority: 0, enqueuedAt: -20 * S, connectedAt: -10 * S });
    expect(core.presence('a')).toBe('oncall');
    core.enqueue(1 * S, 'd', 'q');
    expect(core.lastOffer()).toEqual({ callId: 'd', agentId: 'b', at: 1 * S });
    core.input(2 * S, { type: 'call.end', callId: 'c', side: 'caller' });
    expect(core.queueLog('COMPLETECALLER').map((e) => e.data)).toEqual([expect.objectContaining({ holdtime: 10, calltime: 12 })]);
    expect(core.presence('a')).toBe('wrapup');
    core.runTimersUntil(7 * S);
    expect(core.presence('a')).toBe('ready');
  });

  it('refuses to restore a bridged call on an agent already busy', () => {
    const core = new Core(aConfig([aQueue('q')], ['a@q']));
    core.login(0, 'a');
    core.input(0, { type: 'call.restore', callId: 'c1', queueId: 'q', agentId: 'a', priority: 0, enqueuedAt: 0, connectedAt: 0 });
    core.input(0, { type: 'call.restore', callId: 'c2', queueId: 'q', agentId: 'a', priority: 0, enqueuedAt: 0, connectedAt: 0 });
    core.input(1 * S, { type: 'call.end', callId: 'c2', side: 'caller' });
    expect(core.queueLog('COMPLETECALLER')).toEqual([]);
    expect(core.presence('a')).toBe('oncall');
    core.checkInvariants();
  });

  it('restores an agent paused with its reason, or in wrap-up until its end, without queue-log noise', () => {
    const core = new Core(aConfig([aQueue('q')], ['a@q', 'b@q']));
    core.input(0, { type: 'agent.restore', agentId: 'a', status: 'paused', pauseReason: 'lunch' });
    core.input(0, { type: 'agent.restore', agentId: 'b', status: 'ready', wrapupUntil: 4 * S });
    expect(core.presence('a')).toBe('paused');
    expect(core.presence('b')).toBe('wrapup');
    expect(core.queueLog()).toEqual([]);
    core.enqueue(1 * S, 'c', 'q');
    expect(core.lastOffer()).toBeUndefined();
    core.runTimersUntil(4 * S);
    expect(core.lastOffer()).toEqual({ callId: 'c', agentId: 'b', at: 4 * S });
  });
});
