/**
 * Auto callback-list calls across an engine crash (simulated PBX, issue 7 item 5): the engine dies
 * (halt()) while an auto-list callback is bridged, dialling the customer, or ringing the agent; a
 * new engine on the same store and PBX takes it up from the live-call journal. Bridged, it goes on
 * (the agent busy on it, the CDR and the ticket's outcome when it ends, then wrap-up); dialling or
 * ringing, its legs are hung up, its CDR says `interrupted`, and the request is offered again.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Engine } from '../../src/calls/engine.js';
import type { ConfigInput } from '../../src/domain/config.js';
import { silentLogger } from '../../src/infra/logger.js';
import type { OriginateRequest } from '../../src/pbx/port.js';
import { callbackWorld, type CallbackWorld } from '../support/callback-world.js';
import { configFrom, simWorld, type SimWorld } from '../support/sim-world.js';

const S = 1000;
const CUSTOMER = '+33612345678';

const config = (): ConfigInput => ({
  numbers: [{ id: 'n', number: '100', queue: 'q' }],
  queues: [{ id: 'q', groups: [{ group: 'sales', priority: 1 }], answer_timeout_s: 15, wrapup_s: 5, callback_message: { key: '2', list: 'u1' } }],
  groups: [{ id: 'sales' }],
  agents: [{ id: 'a1', phone: { type: 'sip', endpoint: '1001' }, groups: ['sales'] }],
  click_to_call: { caller_id: '0100000000' },
});

describe('auto callback-list calls across an engine restart (simulated PBX)', () => {
  let w: SimWorld;
  let e2: Engine | undefined;
  afterEach(async () => {
    await e2?.stop();
    e2 = undefined;
    await w?.close();
  });
  const callbackCdrs = () => w.store.cdrs.all().filter((c) => c.direction === 'callback');
  const customerDials = () => w.pbx.calls('originate').filter((c) => (c.args[0] as OriginateRequest).destination.kind === 'external');
  const liveLegs = () => [...w.pbx.legs.values()].filter((l) => l.kind !== 'caller' && l.state !== 'down');

  /**
   * A caller leaves a message in the queue's auto list (its request's parentCallId); the agent logs
   * in and the request is offered to it: the agent rings at once and answers after 2 s, then the
   * customer is dialled and answers after 3 s (bridged 5 s after the login). Runs `forMs` from the login.
   */
  async function callbackUnderWay(forMs: number, talk: { agentMs?: number; customerMs?: number } = {}) {
    w = await simWorld(configFrom(config()));
    const cb = callbackWorld(w.engine, w.store);
    cb.lists.createList({ name: 'Messages', queueId: 'q', auto: true });
    w.pbx.placeCall({ to: '100', from: CUSTOMER, keys: [{ afterMs: 4 * S, digit: '2' }, { afterMs: 10 * S, digit: '#' }] });
    await w.clock.runFor(30 * S);
    const parent = w.store.cdrs.all()[0]!;
    expect(parent.disposition).toBe('callback-message');
    const request = w.store.callbackLists.lists()[0]!.callbacks[0]!;
    w.pbx.setPhone('1001', { behavior: 'answer', answerAfterMs: 2 * S, ...(talk.agentMs === undefined ? {} : { talkMs: talk.agentMs }) });
    w.pbx.setPhone(CUSTOMER, { behavior: 'answer', answerAfterMs: 3 * S, ...(talk.customerMs === undefined ? {} : { talkMs: talk.customerMs }) });
    w.engine.loginAgent('a1');
    await w.clock.runFor(forMs);
    return { parentCallId: parent.callId, requestUuid: request.uuid, entryId: `cbl-${request.uuid}` };
  }

  /** The engine dies; a new one starts on the same store and PBX, its callback lists wired after it started. */
  async function restart(): Promise<{ e: Engine; cb: CallbackWorld }> {
    w.engine.halt();
    let n = 100;
    const e = new Engine({ pbx: w.pbx, clock: w.clock, log: silentLogger(), store: w.store, config: w.store.config.load(), newCallId: () => `call-r${++n}`, seed: 2 });
    e2 = e;
    await e.start();
    const cb = callbackWorld(e, w.store, 'r', 'v');
    return { e, cb };
  }

  it('keeps a bridged auto-list callback up with the agent busy on it; the customer hangs up: the agent leg goes, one CDR, the ticket completed, the agent in wrap-up', async () => {
    // Bridged at 5 s; the customer talks 60 s from then.
    const { parentCallId, requestUuid, entryId } = await callbackUnderWay(10 * S, { agentMs: 600 * S, customerMs: 60 * S });
    expect(w.store.journal.all()).toMatchObject([{ kind: 'callback', step: 'bridged', agentId: 'a1' }]);
    const connectedAt = w.store.journal.all()[0]!.cdr.connectedAt!;
    const legs = liveLegs();
    expect(legs).toHaveLength(2);
    const agentLeg = legs.find((l) => l.to === '1001')!;

    const { e, cb } = await restart();
    await w.clock.runFor(S);
    expect(liveLegs().map((l) => l.id).sort()).toEqual(legs.map((l) => l.id).sort());
    expect(e.agentSnapshot('a1')?.presence).toBe('oncall');
    expect(e.router.state.calls.get(entryId)).toMatchObject({ state: 'connected', agentId: 'a1' });
    expect(callbackCdrs()).toHaveLength(0);
    // Not offered a second time while it is up.
    expect(customerDials()).toHaveLength(1);
    const presences: string[] = [];
    e.on('agent.state', (s) => s.agentId === 'a1' && presences.push(s.presence));

    await w.clock.runFor(60 * S);
    expect(w.pbx.legs.get(agentLeg.id)?.state).toBe('down');
    expect(callbackCdrs()).toHaveLength(1);
    expect(callbackCdrs()[0]).toMatchObject({ direction: 'callback', parentCallId, disposition: 'answered', agentId: 'a1', connectedAt, dialled: CUSTOMER, hangupSide: 'caller', talkMs: 60 * S, queueId: 'q' });
    const [ticket] = w.store.callbackLists.tickets(requestUuid);
    expect(ticket).toMatchObject({ agentId: 'a1', outcome: 'completed', callId: callbackCdrs()[0]!.callId });
    // As without the crash: the agent holds the request until its ticket update closes it.
    expect(w.store.callbackLists.request(requestUuid)).toMatchObject({ agentId: 'a1', closed: false });
    expect(presences[0]).toBe('wrapup');
    await w.clock.runFor(10 * S);
    expect(presences).toEqual(['wrapup', 'ready']);
    expect(w.store.journal.all()).toEqual([]);
    cb.lists.updateTicket(ticket!.uuid, 'a1', { status: 'Answered' });
    expect(w.store.callbackLists.request(requestUuid)?.closed).toBe(true);
    await w.clock.runFor(60 * S);
    expect(customerDials()).toHaveLength(1);
  });

  it('ends the resumed callback when the agent hangs up first: the customer leg goes, CDR hangupSide agent, ticket completed, wrap-up', async () => {
    const { parentCallId, requestUuid } = await callbackUnderWay(10 * S, { agentMs: 40 * S, customerMs: 600 * S });
    const customerLeg = liveLegs().find((l) => l.to === CUSTOMER)!;

    const { e } = await restart();
    await w.clock.runFor(S);
    expect(e.agentSnapshot('a1')?.presence).toBe('oncall');
    expect(w.pbx.legs.get(customerLeg.id)?.state).toBe('up');

    await w.clock.runFor(35 * S);
    expect(w.pbx.legs.get(customerLeg.id)?.state).toBe('down');
    expect(callbackCdrs()).toMatchObject([{ direction: 'callback', parentCallId, disposition: 'answered', agentId: 'a1', hangupSide: 'agent', talkMs: 40 * S }]);
    expect(w.store.callbackLists.tickets(requestUuid)).toMatchObject([{ outcome: 'completed' }]);
    expect(e.agentSnapshot('a1')?.presence).toBe('wrapup');
    expect(w.store.journal.all()).toEqual([]);
  });

  it('completes the ticket when the customer hung up while the engine was down: CDR answered to the restart, the agent free', async () => {
    const { parentCallId, requestUuid } = await callbackUnderWay(10 * S, { agentMs: 600 * S });
    w.engine.halt();
    w.pbx.remoteHangup(liveLegs().find((l) => l.to === CUSTOMER)!.id);
    await w.clock.runFor(2 * S);

    const { e } = await restart();
    await w.clock.runFor(S);
    expect(liveLegs()).toEqual([]);
    expect(callbackCdrs()).toMatchObject([{ parentCallId, disposition: 'answered', hangupCause: 'interrupted', agentId: 'a1' }]);
    expect(w.store.callbackLists.tickets(requestUuid)).toMatchObject([{ outcome: 'completed' }]);
    expect(w.store.callbackLists.request(requestUuid)).toMatchObject({ agentId: 'a1', closed: false });
    expect(e.agentSnapshot('a1')?.presence).toBe('ready');
    await w.clock.runFor(60 * S);
    expect(customerDials()).toHaveLength(1);
  });

  it("ends at once a bridged callback whose agent leg did not survive: the customer hung up, CDR and ticket written", async () => {
    const { requestUuid } = await callbackUnderWay(10 * S, { agentMs: 600 * S });
    w.engine.halt();
    w.pbx.remoteHangup(liveLegs().find((l) => l.to === '1001')!.id);

    const { e } = await restart();
    await w.clock.runFor(S);
    expect(liveLegs()).toEqual([]);
    expect(callbackCdrs()).toMatchObject([{ disposition: 'answered', agentId: 'a1', hangupSide: 'agent', hangupCause: 'lost' }]);
    expect(w.store.callbackLists.tickets(requestUuid)).toMatchObject([{ outcome: 'completed' }]);
    expect(e.router.state.calls.size).toBe(0);
    await w.clock.runFor(60 * S);
    expect(customerDials()).toHaveLength(1);
  });

  it('hangs up a callback that was dialling the customer at the crash: CDR interrupted, the request given back and offered again', async () => {
    // The agent answered at 2 s; the customer rings from 2 s to 5 s: halted at 3 s.
    const { parentCallId, requestUuid } = await callbackUnderWay(3 * S, { agentMs: 20 * S });
    expect(w.store.journal.all()).toMatchObject([{ kind: 'callback', step: 'arrived', agentId: 'a1' }]);
    const before = liveLegs().map((l) => l.id);
    expect(before).toHaveLength(2);

    const { e, cb } = await restart();
    await w.clock.runFor(S / 2);
    for (const leg of before) expect(w.pbx.legs.get(leg)?.state).toBe('down');
    expect(callbackCdrs()).toMatchObject([{ disposition: 'interrupted', hangupCause: 'interrupted', parentCallId, agentId: null }]);
    // Given back, and (still due, at its place) offered to the free agent again at once.
    expect(w.store.callbackLists.tickets(requestUuid)[0]?.outcome).toBe('interrupted');
    expect(cb.events.map((x) => x.eventType)).toEqual(['CallbackReleased', 'CallbackTaken', 'CallbackStarted']);

    // Still due: offered again to the agent, and called back this time.
    await w.clock.runFor(40 * S);
    expect(customerDials()).toHaveLength(2);
    expect(callbackCdrs().map((c) => [c.disposition, c.agentId, c.parentCallId])).toEqual([['interrupted', null, parentCallId], ['answered', 'a1', parentCallId]]);
    expect(w.store.callbackLists.tickets(requestUuid).map((t) => t.outcome)).toEqual(['interrupted', 'completed']);
    expect(e.agentSnapshot('a1')?.presence).toMatch(/ready|wrapup/);
  });

  it("hangs up the agent's phone ringing for a callback at the crash: CDR interrupted, the request offered again", async () => {
    // The agent rings from the login and answers after 2 s: halted at 1 s.
    const { requestUuid } = await callbackUnderWay(1 * S, { agentMs: 20 * S });
    const before = liveLegs().map((l) => l.id);
    expect(before).toHaveLength(1);
    expect(w.store.journal.all()).toMatchObject([{ kind: 'callback', owner: 'auto-list', requestUuid, leg: '', agentLeg: before[0] }]);

    const { cb } = await restart();
    await w.clock.runFor(S / 2);
    expect(w.pbx.legs.get(before[0]!)?.state).toBe('down');
    expect(callbackCdrs()).toMatchObject([{ disposition: 'interrupted', agentId: null }]);
    expect(cb.events.map((x) => x.eventType)).toEqual(['CallbackReleased', 'CallbackTaken', 'CallbackStarted']);

    await w.clock.runFor(40 * S);
    expect(customerDials()).toHaveLength(1);
    expect(callbackCdrs().map((c) => c.disposition)).toEqual(['interrupted', 'answered']);
    expect(w.store.callbackLists.tickets(requestUuid).map((t) => t.outcome)).toEqual(['interrupted', 'completed']);
  });
});
