/**
 * Virtual queue on the simulated PBX (seed 004): the key, the hang-up, the kept place, the agent
 * reserved, the customer dialled and bridged, retries then TimeOut, agent-first, restart.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Engine } from '../../src/calls/engine.js';
import type { ConfigInput } from '../../src/domain/config.js';
import { silentLogger } from '../../src/infra/logger.js';
import { createLiveStats } from '../../src/stats/live-stats.js';
import type { OriginateRequest } from '../../src/pbx/port.js';
import { configFrom, simWorld, type SimWorld } from '../support/sim-world.js';
import { virtualQueue } from '../support/vq-world.js';

const S = 1000;
const CUSTOMER = '+33612345678';
const LATER = '+33698765432';

const config = (vq: Record<string, unknown> = {}): ConfigInput => ({
  numbers: [{ id: 'n', number: '100', queue: 'q' }],
  queues: [{ id: 'q', groups: [{ group: 'sales', priority: 1 }], answer_timeout_s: 15, virtual_queue: { key: '1', retries: 1, retry_after_s: 60, ring_timeout_s: 20, ...vq } }],
  groups: [{ id: 'sales' }],
  agents: [{ id: 'a1', phone: { type: 'sip', endpoint: '1001' }, groups: ['sales'] }],
  click_to_call: { caller_id: '0100000000' },
});

describe('virtual queue (simulated PBX)', () => {
  let w: SimWorld;
  let e2: Engine | undefined;
  afterEach(async () => {
    await e2?.stop();
    e2 = undefined;
    await w?.close();
  });
  const originates = () => w.pbx.calls('originate').map((c) => c.args[0] as OriginateRequest);
  const log = (event: string) => w.store.queueLog.list().filter((e) => e.event === event);

  it('keeps the place of a caller who pressed the key and hung up, reserves the agent, dials the customer, bridges, and links both CDRs', async () => {
    w = await simWorld(configFrom(config()));
    virtualQueue(w.engine, w.store);
    const stats = createLiveStats(w.engine);
    w.pbx.setPhone('1001', { behavior: 'answer', answerAfterMs: 2 * S, talkMs: 30 * S });
    w.pbx.setPhone(CUSTOMER, { behavior: 'answer', answerAfterMs: 3 * S });
    const first = w.pbx.placeCall({ to: '100', from: CUSTOMER, keys: [{ afterMs: 5 * S, digit: '1' }] });
    w.pbx.placeCall({ to: '100', from: LATER, at: w.clock.now() + 10 * S, patienceMs: 600 * S, talkMs: 5 * S });
    await w.clock.runFor(20 * S);

    // The caller is gone, its place kept.
    expect(w.pbx.legs.get(first)?.state).toBe('down');
    const parent = w.store.cdrs.all().find((c) => c.caller === CUSTOMER)!;
    expect(parent).toMatchObject({ direction: 'inbound', disposition: 'callback-requested', queueId: 'q' });
    const waiter = w.store.virtualWaiters.latest('q', CUSTOMER)!;
    expect(waiter).toMatchObject({ state: 'Waiting', channel: 'CallBack', source: 'Phone', parentCallId: parent.callId, enqueuedAt: parent.enqueuedAt });
    expect(log('CALLBACKREQ').map((e) => e.callId)).toEqual([parent.callId]);

    // An agent logs in: the earlier (virtual) caller goes first though nobody holds its line.
    w.engine.loginAgent('a1');
    await w.clock.runFor(4 * S);
    expect(originates()[0]).toMatchObject({ destination: { kind: 'external', number: CUSTOMER }, callerId: { number: '0100000000' } });
    expect(w.engine.agentSnapshot('a1')?.presence).toBe('ringing');
    await w.clock.runFor(20 * S);
    expect(w.pbx.calls('play').some((c) => JSON.stringify(c.args).includes('vq-you-asked-callback'))).toBe(true);
    expect(originates()[1]).toMatchObject({ destination: { kind: 'sip', endpoint: '1001' } });
    expect(w.engine.agentSnapshot('a1')?.presence).toBe('oncall');
    expect(w.store.virtualWaiters.get(waiter.id)).toMatchObject({ state: 'Connected', agentId: 'a1' });

    await w.clock.runFor(120 * S);
    const callback = w.store.cdrs.all().find((c) => c.direction === 'callback')!;
    expect(callback).toMatchObject({ parentCallId: parent.callId, dialled: CUSTOMER, agentId: 'a1', disposition: 'answered', queueId: 'q', enqueuedAt: parent.enqueuedAt, talkMs: 30 * S });
    expect(callback.waitMs).toBe(callback.connectedAt! - parent.enqueuedAt!);
    expect(w.store.virtualWaiters.get(waiter.id)).toMatchObject({ state: 'Finished', serviceState: 'Finished' });
    // The later caller was served after the callback, by the same agent.
    const later = w.store.cdrs.all().find((c) => c.caller === LATER)!;
    expect(later).toMatchObject({ disposition: 'answered', agentId: 'a1' });
    expect(later.connectedAt!).toBeGreaterThan(callback.connectedAt!);
    expect(w.store.queueLog.list().filter((e) => e.event === 'CONNECT').map((e) => e.callId)).toEqual([waiter.id, later.callId]);
    // Counted once: offered when it asked, answered by the callback with its wait from its original enter time.
    const figures = stats.figures('q')!;
    expect(figures).toMatchObject({ offered: 2, answered: 2, abandoned: 0 });
    expect(figures.averageSpeedOfAnswerMs).toBe(Math.round((callback.waitMs! + later.waitMs!) / 2));
  });

  it('tries again at the same place after retry_after_s when the customer is busy, then ends TimeOut with the agent free', async () => {
    w = await simWorld(configFrom(config()));
    virtualQueue(w.engine, w.store);
    w.pbx.setPhone('1001', { behavior: 'answer', answerAfterMs: 1 * S, talkMs: 10 * S });
    w.pbx.setPhone(CUSTOMER, { behavior: 'busy', answerAfterMs: 2 * S });
    w.pbx.placeCall({ to: '100', from: CUSTOMER, keys: [{ afterMs: 3 * S, digit: '1' }] });
    await w.clock.runFor(10 * S);
    w.engine.loginAgent('a1');
    await w.clock.runFor(10 * S);
    const waiter = w.store.virtualWaiters.latest('q', CUSTOMER)!;
    expect(waiter).toMatchObject({ state: 'Waiting', attempts: 1, serviceState: 'Deferred' });
    expect(w.engine.agentSnapshot('a1')?.presence).toBe('ready');
    expect(originates().filter((o) => o.destination.kind === 'external')).toHaveLength(1);

    await w.clock.runFor(60 * S);
    expect(originates().filter((o) => o.destination.kind === 'external')).toHaveLength(2);
    expect(w.store.virtualWaiters.get(waiter.id)).toMatchObject({ state: 'TimeOut', attempts: 2, serviceState: 'Canceled' });
    expect(w.engine.agentSnapshot('a1')?.presence).toBe('ready');
    expect(w.engine.router.state.calls.has(waiter.id)).toBe(false);
    expect(log('CALLBACKRETRY')).toHaveLength(1);
    expect(log('CALLBACKTIMEOUT').map((e) => e.data)).toEqual([{ channel: 'CallBack', attempts: 2, waittime: expect.any(Number) }]);
    const attempts = w.store.cdrs.all().filter((c) => c.direction === 'callback');
    expect(attempts.map((c) => c.disposition)).toEqual(['failed', 'failed']);
    expect(attempts.every((c) => c.parentCallId === waiter.parentCallId)).toBe(true);
  });

  it('rings the reserved agent first, then dials the customer, in agent-first mode', async () => {
    w = await simWorld(configFrom(config({ callback_mode: 'agent-first' })));
    virtualQueue(w.engine, w.store);
    w.pbx.setPhone('1001', { behavior: 'answer', answerAfterMs: 2 * S, talkMs: 20 * S });
    w.pbx.setPhone(CUSTOMER, { behavior: 'answer', answerAfterMs: 3 * S });
    w.pbx.placeCall({ to: '100', from: CUSTOMER, keys: [{ afterMs: 3 * S, digit: '1' }] });
    await w.clock.runFor(10 * S);
    w.engine.loginAgent('a1');
    await w.clock.runFor(1 * S);
    expect(originates().map((o) => o.destination.kind)).toEqual(['sip']);
    await w.clock.runFor(10 * S);
    expect(originates().map((o) => o.destination.kind)).toEqual(['sip', 'external']);
    expect(w.engine.agentSnapshot('a1')?.presence).toBe('oncall');
    await w.clock.runFor(60 * S);
    expect(w.store.cdrs.all().find((c) => c.direction === 'callback')).toMatchObject({ disposition: 'answered', agentId: 'a1' });
  });

  it('keeps a virtual waiter and its place across an engine restart', async () => {
    w = await simWorld(configFrom(config()));
    virtualQueue(w.engine, w.store);
    w.pbx.setPhone('1001', { behavior: 'answer', answerAfterMs: 1 * S, talkMs: 10 * S });
    w.pbx.setPhone(CUSTOMER, { behavior: 'answer', answerAfterMs: 1 * S });
    w.pbx.placeCall({ to: '100', from: CUSTOMER, keys: [{ afterMs: 3 * S, digit: '1' }] });
    await w.clock.runFor(10 * S);
    const waiter = w.store.virtualWaiters.latest('q', CUSTOMER)!;

    w.engine.halt();
    let n = 100;
    e2 = new Engine({ pbx: w.pbx, clock: w.clock, log: silentLogger(), store: w.store, config: w.store.config.load(), newCallId: () => `call-r${++n}`, seed: 2 });
    await e2.start();
    const vq2 = virtualQueue(e2, w.store, 'r');
    expect(vq2.start()).toBe(1);
    w.pbx.placeCall({ to: '100', from: LATER, patienceMs: 600 * S });
    await w.clock.runFor(2 * S);
    expect(e2.router.state.calls.get(waiter.id)?.enqueuedAt).toBe(waiter.enqueuedAt);
    e2.loginAgent('a1');
    await w.clock.runFor(2 * S);
    expect(w.pbx.calls('originate').map((c) => (c.args[0] as OriginateRequest).destination)).toContainEqual({ kind: 'external', number: CUSTOMER });
  });
});
