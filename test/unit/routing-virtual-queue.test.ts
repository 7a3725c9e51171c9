import { describe, expect, it } from 'vitest';
import { aConfig, aQueue, Core } from '../support/core.js';

const S = 1000;

describe('routing core: virtual queue', () => {
  it('keeps the place of a caller who asked to be called back: a caller who joined later is served after it', () => {
    const core = new Core(aConfig([aQueue('q')], ['a@q']));
    core.enqueue(0, 'early', 'q');
    core.enqueue(5 * S, 'late', 'q');
    core.input(10 * S, { type: 'call.virtualize', callId: 'early', virtualId: 'v-early', offerTimeoutMs: 60 * S });
    core.login(20 * S, 'a');
    expect(core.lastOffer()).toEqual({ callId: 'v-early', agentId: 'a', at: 20 * S });
    expect(core.state.calls.get('v-early')?.enqueuedAt).toBe(0);
    expect(core.state.calls.has('early')).toBe(false);
    expect(core.queueLog('CALLBACKREQ').map((e) => ({ callId: e.callId, data: e.data }))).toEqual([{ callId: 'early', data: { virtualid: 'v-early', position: 1, waittime: 10 } }]);
    core.checkInvariants();
  });

  it('reserves the agent for the virtual entry with its own offer time-out, not the queue answer time-out', () => {
    const core = new Core(aConfig([aQueue('q', { answerTimeoutMs: 15 * S })], ['a@q']));
    core.login(0, 'a');
    const cmds = core.input(1 * S, { type: 'virtual.enqueue', callId: 'v', queueId: 'q', enqueuedAt: 0, offerTimeoutMs: 70 * S, fresh: true, callerId: '+15550001' });
    expect(cmds).toContainEqual({ type: 'offer', callId: 'v', agentId: 'a', queueId: 'q', timeoutMs: 70 * S });
    expect(cmds).toContainEqual({ type: 'timer.set', key: 'noanswer:v', at: 71 * S, gen: expect.any(Number) });
    expect(core.presence('a')).toBe('ringing');
    expect(core.queueLog('ENTERQUEUE').map((e) => e.data)).toEqual([{ url: '', callerid: '+15550001', position: 1 }]);
  });

  it('frees the agent without a no-answer and holds the entry at its place until the retry time when the customer does not answer', () => {
    const core = new Core(aConfig([aQueue('q', { maxNoAnswer: 1 })], ['a@q']));
    core.login(0, 'a');
    core.input(1 * S, { type: 'virtual.enqueue', callId: 'v', queueId: 'q', enqueuedAt: 0, offerTimeoutMs: 60 * S });
    core.enqueue(2 * S, 'later', 'q');
    core.input(30 * S, { type: 'virtual.retry', callId: 'v', cause: 'no-answer', retryAt: 90 * S });
    // The agent is not paused for it and takes the next call while the entry is held.
    expect(core.presence('a')).toBe('ringing');
    expect(core.lastOffer()).toEqual({ callId: 'later', agentId: 'a', at: 30 * S });
    core.answer(31 * S, 'later');
    core.input(40 * S, { type: 'call.end', callId: 'later', side: 'caller' });
    expect(core.lastOffer()?.callId).toBe('later');
    core.runTimersUntil(90 * S);
    expect(core.lastOffer()).toEqual({ callId: 'v', agentId: 'a', at: 90 * S });
    expect(core.queueLog('CALLBACKRETRY').map((e) => e.data)).toEqual([{ cause: 'no-answer', retryat: 90 * S }]);
    core.checkInvariants();
  });

  it('serves a held entry before later callers once its hold ends, at its original place', () => {
    const core = new Core(aConfig([aQueue('q')], ['a@q']));
    core.input(0, { type: 'virtual.enqueue', callId: 'v', queueId: 'q', enqueuedAt: 0, offerTimeoutMs: 60 * S, holdUntil: 50 * S });
    core.enqueue(10 * S, 'c1', 'q');
    core.enqueue(20 * S, 'c2', 'q');
    core.login(30 * S, 'a');
    expect(core.lastOffer()?.callId).toBe('c1');
    core.input(35 * S, { type: 'offer.failed', callId: 'c1', agentId: 'a', cause: 'rejected' });
    core.runTimersUntil(50 * S);
    expect(core.lastOffer()).toEqual({ callId: 'v', agentId: 'a', at: 50 * S });
  });

  it('ignores a virtualize of a call that is not waiting, and a retry of a call that is not virtual', () => {
    const core = new Core(aConfig([aQueue('q')], ['a@q']));
    core.login(0, 'a');
    core.enqueue(1 * S, 'c', 'q');
    core.input(2 * S, { type: 'call.virtualize', callId: 'c', virtualId: 'v', offerTimeoutMs: 60 * S });
    core.input(3 * S, { type: 'virtual.retry', callId: 'c', cause: 'busy', retryAt: 10 * S });
    expect(core.events.filter((e) => e.type === 'ignored').map((e) => (e as { reason: string }).reason)).toEqual(['no waiting call', 'no reserved virtual entry']);
    expect(core.presence('a')).toBe('ringing');
    core.checkInvariants();
  });

  it('takes a virtual waiter up after a restart at its original place without a second ENTERQUEUE', () => {
    const core = new Core(aConfig([aQueue('q')], ['a@q']));
    core.enqueue(100 * S, 'new', 'q');
    core.input(100 * S, { type: 'virtual.enqueue', callId: 'v', queueId: 'q', enqueuedAt: 20 * S, offerTimeoutMs: 60 * S });
    core.login(101 * S, 'a');
    expect(core.lastOffer()).toEqual({ callId: 'v', agentId: 'a', at: 101 * S });
    expect(core.queueLog('ENTERQUEUE').map((e) => e.callId)).toEqual(['new']);
  });
});
