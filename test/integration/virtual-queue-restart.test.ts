/**
 * Virtual-queue callbacks across an engine crash (simulated PBX): the engine dies (halt()) while a
 * callback attempt is bridged, dialling the customer, or ringing the reserved agent; a new engine
 * on the same store and PBX takes it up from the live-call journal.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Engine } from '../../src/calls/engine.js';
import type { ConfigInput } from '../../src/domain/config.js';
import { silentLogger } from '../../src/infra/logger.js';
import type { OriginateRequest } from '../../src/pbx/port.js';
import { configFrom, simWorld, type SimWorld } from '../support/sim-world.js';
import { virtualQueue } from '../support/vq-world.js';

const S = 1000;
const CUSTOMER = '+33612345678';

const config = (): ConfigInput => ({
  numbers: [{ id: 'n', number: '100', queue: 'q' }],
  queues: [{ id: 'q', groups: [{ group: 'sales', priority: 1 }], answer_timeout_s: 15, wrapup_s: 5, virtual_queue: { key: '1', retries: 1, retry_after_s: 60, ring_timeout_s: 20 } }],
  groups: [{ id: 'sales' }],
  agents: [{ id: 'a1', phone: { type: 'sip', endpoint: '1001' }, groups: ['sales'] }],
  click_to_call: { caller_id: '0100000000' },
});

describe('virtual-queue callback across an engine restart (simulated PBX)', () => {
  let w: SimWorld;
  let e2: Engine | undefined;
  afterEach(async () => {
    await e2?.stop();
    e2 = undefined;
    await w?.close();
  });
  const callbackCdrs = () => w.store.cdrs.all().filter((c) => c.direction === 'callback');
  const customerDials = () => w.pbx.calls('originate').filter((c) => (c.args[0] as OriginateRequest).destination.kind === 'external');

  /** A caller asks for a callback; the agent logs in; the world runs `forMs` into the attempt. */
  async function callbackUnderWay(forMs: number, talkMs = 60 * S): Promise<{ waiterId: string; parentCallId: string }> {
    w = await simWorld(configFrom(config()));
    virtualQueue(w.engine, w.store);
    w.pbx.setPhone('1001', { behavior: 'answer', answerAfterMs: 2 * S, talkMs });
    w.pbx.setPhone(CUSTOMER, { behavior: 'answer', answerAfterMs: 3 * S });
    w.pbx.placeCall({ to: '100', from: CUSTOMER, keys: [{ afterMs: 3 * S, digit: '1' }] });
    await w.clock.runFor(10 * S);
    const waiter = w.store.virtualWaiters.latest('q', CUSTOMER)!;
    w.engine.loginAgent('a1');
    await w.clock.runFor(forMs);
    return { waiterId: waiter.id, parentCallId: waiter.parentCallId! };
  }

  async function restart(vqFirst: boolean): Promise<Engine> {
    w.engine.halt();
    let n = 100;
    const e = new Engine({ pbx: w.pbx, clock: w.clock, log: silentLogger(), store: w.store, config: w.store.config.load(), newCallId: () => `call-r${++n}`, seed: 2 });
    e2 = e;
    const vq = vqFirst ? virtualQueue(e, w.store, 'r') : undefined;
    await e.start();
    (vq ?? virtualQueue(e, w.store, 'r')).start();
    return e;
  }

  it('keeps a bridged callback bridged, writes its CDR when it ends, and puts the agent in wrap-up then ready', async () => {
    // Dial at 10 s, customer up at 13 s, prompt to 15 s, agent rings, answers at 17 s: bridged.
    const { waiterId, parentCallId } = await callbackUnderWay(15 * S);
    expect(w.store.journal.all()).toMatchObject([{ kind: 'callback', waiterId, step: 'bridged', agentId: 'a1' }]);
    const connectedAt = w.store.journal.all()[0]!.cdr.connectedAt!;

    const e = await restart(false);
    await w.clock.runFor(S);
    expect(e.agentSnapshot('a1')?.presence).toBe('oncall');
    expect(callbackCdrs()).toHaveLength(0);
    const presences: string[] = [];
    e.on('agent.state', (s) => s.agentId === 'a1' && presences.push(s.presence));

    await w.clock.runFor(70 * S);
    const [cdr] = callbackCdrs();
    expect(cdr).toMatchObject({ parentCallId, disposition: 'answered', agentId: 'a1', connectedAt, dialled: CUSTOMER, hangupSide: 'agent', talkMs: 60 * S });
    expect(presences).toEqual(['wrapup', 'ready']);
    expect(w.store.virtualWaiters.get(waiterId)).toMatchObject({ state: 'Finished', serviceState: 'Finished', agentId: 'a1' });
    expect(w.store.journal.all()).toEqual([]);
  });

  it('takes the bridged callback up when the virtual queue is attached before the engine starts', async () => {
    const { waiterId } = await callbackUnderWay(15 * S);

    const e = await restart(true);
    await w.clock.runFor(S);

    expect(e.agentSnapshot('a1')?.presence).toBe('oncall');
    expect(e.router.state.calls.get(waiterId)).toMatchObject({ state: 'connected', agentId: 'a1' });
  });

  it('completes the CDR when the customer hung up while the engine was down, and finishes the waiter', async () => {
    const { waiterId, parentCallId } = await callbackUnderWay(15 * S);
    w.engine.halt();
    const customerLeg = [...w.pbx.legs.values()].find((l) => l.kind !== 'caller' && l.to === CUSTOMER && l.state === 'up')!;
    w.pbx.remoteHangup(customerLeg.id);
    await w.clock.runFor(2 * S);

    const e = new Engine({ pbx: w.pbx, clock: w.clock, log: silentLogger(), store: w.store, config: w.store.config.load(), newCallId: () => 'call-r1', seed: 2 });
    e2 = e;
    await e.start();
    virtualQueue(e, w.store, 'r').start();
    await w.clock.runFor(S);

    expect(callbackCdrs()).toMatchObject([{ parentCallId, disposition: 'answered', hangupCause: 'interrupted', agentId: 'a1' }]);
    expect(w.store.virtualWaiters.get(waiterId)).toMatchObject({ state: 'Finished' });
    expect(e.agentSnapshot('a1')?.presence).toBe('ready');
  });

  it('puts the waiter back at its place when the engine died while the customer was being dialled, and dials again', async () => {
    const { waiterId } = await callbackUnderWay(1 * S);
    expect(w.store.journal.all()).toMatchObject([{ kind: 'callback', waiterId, step: 'arrived' }]);
    const enqueuedAt = w.store.virtualWaiters.get(waiterId)!.enqueuedAt;
    const customerLeg = [...w.pbx.legs.values()].find((l) => l.kind !== 'caller' && l.to === CUSTOMER)!;

    const e = await restart(true);
    await w.clock.runFor(S / 2);

    expect(w.pbx.legs.get(customerLeg.id)?.state).toBe('down');
    expect(callbackCdrs()).toMatchObject([{ disposition: 'interrupted', hangupCause: 'interrupted', agentId: null }]);
    expect(w.store.virtualWaiters.get(waiterId)).toMatchObject({ state: 'Waiting', attempts: 0 });
    expect(e.router.state.calls.get(waiterId)?.enqueuedAt).toBe(enqueuedAt);
    await w.clock.runFor(30 * S);
    expect(customerDials()).toHaveLength(2);
    expect(e.agentSnapshot('a1')?.presence).toBe('oncall');
  });

  it('hangs up both legs when the engine died while the reserved agent rang, and calls back again', async () => {
    // Customer up at 13 s, prompt to 15 s, agent rings from 15 s: halted at 16 s.
    const { waiterId } = await callbackUnderWay(6 * S);
    expect(w.store.journal.all()).toMatchObject([{ kind: 'callback', step: 'arrived', agentId: 'a1' }]);
    const liveBefore = [...w.pbx.legs.values()].filter((l) => l.kind !== 'caller' && l.state !== 'down').map((l) => l.id);
    expect(liveBefore).toHaveLength(2);

    const e = await restart(true);
    await w.clock.runFor(S / 2);

    for (const leg of liveBefore) expect(w.pbx.legs.get(leg)?.state).toBe('down');
    expect(w.store.virtualWaiters.get(waiterId)).toMatchObject({ state: 'Waiting' });
    await w.clock.runFor(100 * S);
    expect(callbackCdrs().map((c) => c.disposition)).toEqual(['interrupted', 'answered']);
    expect(w.store.virtualWaiters.get(waiterId)).toMatchObject({ state: 'Finished' });
    expect(e.agentSnapshot('a1')?.presence).toMatch(/ready|wrapup/);
  });

  it('does not queue again a caller who was typing its callback number when the engine died: hung up, CDR kept, the waiter keeps its place', async () => {
    const input = config();
    (input.queues as { virtual_queue: Record<string, unknown> }[])[0]!.virtual_queue.number_entry = { attempts: 2 };
    w = await simWorld(configFrom(input));
    virtualQueue(w.engine, w.store);
    w.pbx.setPhone('1001', { behavior: 'answer', answerAfterMs: 2 * S, talkMs: 10 * S });
    w.pbx.setPhone(CUSTOMER, { behavior: 'answer', answerAfterMs: 3 * S });
    const leg = w.pbx.placeCall({ to: '100', from: CUSTOMER, keys: [{ afterMs: 3 * S, digit: '1' }, { afterMs: 6 * S, digit: '0' }] });
    await w.clock.runFor(7 * S);
    const waiter = w.store.virtualWaiters.latest('q', CUSTOMER)!;
    expect(w.pbx.legs.get(leg)?.state).toBe('up');

    const e = await restart(true);
    await w.clock.runFor(S);

    expect(w.pbx.legs.get(leg)?.state).toBe('down');
    expect(w.store.cdrs.all().filter((c) => c.direction === 'inbound')).toMatchObject([{ callId: waiter.parentCallId, disposition: 'callback-requested' }]);
    expect([...e.router.state.calls.keys()]).toEqual([waiter.id]);
    e.loginAgent('a1');
    await w.clock.runFor(60 * S);
    expect(callbackCdrs()).toMatchObject([{ dialled: CUSTOMER, disposition: 'answered', parentCallId: waiter.parentCallId }]);
  });

  it('keeps the levels of a waiter\'s skills (from the lookup) across the restart', async () => {
    const input = config();
    Object.assign((input.queues as Record<string, unknown>[])[0]!, { skills: { required: true } });
    w = await simWorld(configFrom(input), { hooks: { lookup: async () => ({ skills: { fr: 70 } }) } });
    virtualQueue(w.engine, w.store);
    w.pbx.placeCall({ to: '100', from: CUSTOMER, keys: [{ afterMs: 3 * S, digit: '1' }] });
    await w.clock.runFor(10 * S);
    const waiter = w.store.virtualWaiters.latest('q', CUSTOMER)!;
    expect(waiter).toMatchObject({ skills: ['fr'], skillLevels: { fr: 70 } });

    const e = await restart(true);

    expect(e.router.state.calls.get(waiter.id)?.skills).toEqual({ fr: 70 });
  });
});
