/**
 * Callback lists on the simulated PBX (seed 002, issue 7 items 3 and 6): the queue's "leave a
 * message" key recording a voice message into a request (durable before the confirmation),
 * listenCallbackMessage, auto lists offered to the queue's agents through the routing core, and
 * CDRs of callback-list calls (direction `callback`, parentCallId).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Engine } from '../../src/calls/engine.js';
import type { ConfigInput } from '../../src/domain/config.js';
import { silentLogger } from '../../src/infra/logger.js';
import { CallbackError } from '../../src/outbound/callback-lists.js';
import { createLiveStats } from '../../src/stats/live-stats.js';
import type { LegRecordOptions, OriginateRequest } from '../../src/pbx/port.js';
import { callbackWorld } from '../support/callback-world.js';
import { configFrom, simWorld, type SimWorld } from '../support/sim-world.js';

const S = 1000;
const CUSTOMER = '+33612345678';
const OTHER = '+33698765432';

const config = (queue: Record<string, unknown> = {}): ConfigInput => ({
  numbers: [{ id: 'n', number: '100', queue: 'q' }],
  queues: [{ id: 'q', groups: [{ group: 'sales', priority: 1 }], answer_timeout_s: 15, ...queue }],
  groups: [{ id: 'sales' }],
  agents: [
    { id: 'a1', phone: { type: 'sip', endpoint: '1001' }, groups: ['sales'] },
    { id: 'a2', phone: { type: 'sip', endpoint: '1002' }, groups: ['sales'] },
  ],
  click_to_call: { caller_id: '0100000000' },
});
/** The sim world starts at 2026-11-02 08:00 UTC. */
const periods = [
  { name: 'Morning', periodStart: '08:00:00', periodEnd: '12:00:00', default: true },
  { name: 'Afternoon', periodStart: '14:00:00', periodEnd: '17:00:00', default: false },
];

describe('callback lists (simulated PBX)', () => {
  let w: SimWorld;
  let e2: Engine | undefined;
  afterEach(async () => {
    await e2?.stop();
    e2 = undefined;
    await w?.close();
  });
  const originates = () => w.pbx.calls('originate').map((c) => c.args[0] as OriginateRequest);
  const queueLog = (event: string) => w.store.queueLog.list().filter((e) => e.event === event);
  const openRequests = () => w.store.callbackLists.lists().flatMap((l) => l.callbacks);

  describe('the queue key "leave a message and we call you back"', () => {
    it('records the voice message into a request with the caller, the recording and parentCallId, written before the confirmation', async () => {
      w = await simWorld(configFrom(config({ callback_message: { key: '2', list: 'u1', max_s: 30, silence_s: 4 } })));
      const cb = callbackWorld(w.engine, w.store);
      cb.lists.createList({ name: 'Messages', queueId: 'q' });
      // What the store holds when the caller starts hearing the confirmation.
      const atConfirm: number[] = [];
      const play = w.pbx.play.bind(w.pbx);
      w.pbx.play = async (leg, prompts, opts) => {
        if (prompts.some((p) => p.includes('cb-message-saved'))) atConfirm.push(openRequests().length);
        return play(leg, prompts, opts);
      };
      const leg = w.pbx.placeCall({ to: '100', from: CUSTOMER, keys: [{ afterMs: 5 * S, digit: '2' }, { afterMs: 12 * S, digit: '#' }] });
      await w.clock.runFor(30 * S);

      const parent = w.store.cdrs.all().find((c) => c.caller === CUSTOMER)!;
      expect(parent).toMatchObject({ direction: 'inbound', disposition: 'callback-message', queueId: 'q', agentId: null });
      expect(w.pbx.legs.get(leg)?.state).toBe('down');
      expect(w.engine.router.state.calls.has(parent.callId)).toBe(false);
      const [rec] = w.pbx.calls('recordLeg');
      expect(rec?.args[0]).toBe(leg);
      expect(rec?.args[1]).toMatchObject({ name: `cbmsg-${parent.callId}`, maxDurationMs: 30 * S, maxSilenceMs: 4 * S, endOnHash: true } satisfies Partial<LegRecordOptions>);
      const recording = w.pbx.recordings.get(`cbmsg-${parent.callId}` as never)!;
      expect(recording.durationMs).toBeGreaterThan(3 * S);

      const [request] = openRequests();
      expect(request).toMatchObject({ phoneNumber: CUSTOMER, parentCallId: parent.callId, message: `cbmsg-${parent.callId}`, messageMs: recording.durationMs, agentId: null });
      expect(atConfirm).toEqual([1]);
      expect(queueLog('EXITWITHKEY')).toEqual([expect.objectContaining({ callId: parent.callId, queueId: 'q', data: { key: '2', position: 1, origposition: 1, waittime: 5 } })]);
      expect(queueLog('CALLBACKMSG')).toEqual([expect.objectContaining({ callId: parent.callId, queueId: 'q', data: expect.objectContaining({ requestid: request!.uuid }) })]);
    });

    it('ends the message at max_s when the caller says nothing more, and keeps it when the caller hangs up while recording', async () => {
      w = await simWorld(configFrom(config({ callback_message: { key: '2', list: 'u1', max_s: 3 } })));
      const cb = callbackWorld(w.engine, w.store);
      cb.lists.createList({ name: 'Messages', queueId: 'q' });
      w.pbx.placeCall({ to: '100', from: CUSTOMER, keys: [{ afterMs: 5 * S, digit: '2' }] });
      const hangsUp = w.pbx.placeCall({ to: '100', from: OTHER, keys: [{ afterMs: 5 * S, digit: '2' }] });
      await w.clock.runFor(8 * S);
      w.pbx.remoteHangup(hangsUp);
      await w.clock.runFor(20 * S);

      const byPhone = new Map(openRequests().map((r) => [r.phoneNumber, r]));
      expect(byPhone.get(CUSTOMER)?.messageMs).toBe(3 * S);
      expect(byPhone.get(OTHER)?.message).toMatch(/^cbmsg-/);
      expect(byPhone.get(OTHER)?.messageMs).toBeLessThan(3 * S);
      expect(w.store.cdrs.all().map((c) => c.disposition)).toEqual(['callback-message', 'callback-message']);
    });

    it('leaves other keys and queues alone: the caller stays queued', async () => {
      w = await simWorld(configFrom(config({ callback_message: { key: '2', list: 'u1' } })));
      callbackWorld(w.engine, w.store).lists.createList({ name: 'Messages', queueId: 'q' });
      w.pbx.placeCall({ to: '100', from: CUSTOMER, keys: [{ afterMs: 5 * S, digit: '3' }] });
      await w.clock.runFor(10 * S);
      expect(w.pbx.calls('recordLeg')).toEqual([]);
      expect([...w.engine.router.state.calls.values()].map((c) => c.state)).toEqual(['waiting']);
    });
  });

  describe('listenCallbackMessage', () => {
    it("rings the agent's phone asking it to answer by itself and plays the request's message, then frees the agent", async () => {
      w = await simWorld(configFrom(config({ callback_message: { key: '2', list: 'u1' } })));
      const cb = callbackWorld(w.engine, w.store);
      cb.lists.createList({ name: 'Messages', queueId: 'q' });
      w.pbx.placeCall({ to: '100', from: CUSTOMER, keys: [{ afterMs: 2 * S, digit: '2' }, { afterMs: 8 * S, digit: '#' }] });
      await w.clock.runFor(20 * S);
      const [request] = openRequests();
      w.pbx.setPhone('1001', { behavior: 'answer', answerAfterMs: 1 * S });
      w.engine.loginAgent('a1');

      const started = cb.lists.listenMessage(request!.uuid, 'a1');
      expect(w.engine.agentSnapshot('a1')?.presence).toBe('dialing');
      // The phone answers by itself; the message (2 s on the simulated PBX) plays.
      await w.clock.runFor(1 * S);
      expect(originates().at(-1)).toMatchObject({ destination: { kind: 'sip', endpoint: '1001' }, autoAnswer: true, callId: started.callId });
      expect(w.engine.agentSnapshot('a1')?.presence).toBe('oncall');
      const played = w.pbx.calls('play').at(-1)!;
      expect(played.args[1]).toEqual([`recording:${request!.message}`]);
      await w.clock.runFor(10 * S);
      expect(w.pbx.calls('hangup').some((c) => c.args[0] === played.args[0])).toBe(true);
      expect(w.engine.agentSnapshot('a1')?.presence).toBe('ready');
    });

    it.each([
      ['a request without a message', 'CALLBACK_NO_MESSAGE', 'a1', false],
      ['an unknown agent', 'AGENT_NOT_FOUND', 'nobody', true],
      ['an agent not logged in', 'AGENT_NOT_LOGGED_IN', 'a2', true],
    ] as const)('refuses %s with %s', async (_name, code, agentId, withMessage) => {
      w = await simWorld(configFrom(config({ callback_message: { key: '2', list: 'u1' } })));
      const cb = callbackWorld(w.engine, w.store);
      const list = cb.lists.createList({ name: 'Messages', queueId: 'q' });
      w.engine.loginAgent('a1');
      let uuid: string;
      if (withMessage) {
        w.pbx.placeCall({ to: '100', from: CUSTOMER, keys: [{ afterMs: 2 * S, digit: '2' }] });
        await w.clock.runFor(80 * S);
        uuid = openRequests()[0]!.uuid;
      } else uuid = cb.lists.addRequests(list.uuid, [{ phoneNumber: CUSTOMER }])[0]!.uuid;
      const before = w.pbx.calls('originate').length;
      expect(() => cb.lists.listenMessage(uuid, agentId)).toThrow(expect.objectContaining({ code }) as CallbackError);
      expect(w.pbx.calls('originate')).toHaveLength(before);
    });
  });

  describe('CDRs of callback-list calls', () => {
    it('writes startCallback\'s CDR with direction callback and the parentCallId of the call that left the request', async () => {
      w = await simWorld(configFrom(config({ callback_message: { key: '2', list: 'u1' } })));
      const cb = callbackWorld(w.engine, w.store);
      cb.lists.createList({ name: 'Messages', queueId: 'q' });
      w.pbx.placeCall({ to: '100', from: CUSTOMER, keys: [{ afterMs: 2 * S, digit: '2' }, { afterMs: 8 * S, digit: '#' }] });
      await w.clock.runFor(20 * S);
      const parent = w.store.cdrs.all()[0]!;
      const [request] = openRequests();
      w.pbx.setPhone('1001', { behavior: 'answer', answerAfterMs: 1 * S, talkMs: 10 * S });
      w.pbx.setPhone(CUSTOMER, { behavior: 'answer', answerAfterMs: 2 * S });
      w.engine.loginAgent('a1');
      cb.lists.take(request!.uuid, 'a1');
      cb.lists.start(request!.uuid, CUSTOMER, 'a1');
      await w.clock.runFor(30 * S);
      const cdr = w.store.cdrs.all().find((c) => c.callId !== parent.callId)!;
      expect(cdr).toMatchObject({ direction: 'callback', parentCallId: parent.callId, dialled: CUSTOMER, agentId: 'a1', disposition: 'answered' });
    });
  });

  describe('auto lists', () => {
    const setup = async (agents: string[] = ['a1']) => {
      w = await simWorld(configFrom(config()));
      const cb = callbackWorld(w.engine, w.store);
      const list = cb.lists.createList({ name: 'Auto', queueId: 'q', auto: true, periods });
      for (const a of agents) w.engine.loginAgent(a);
      return { cb, list, afternoon: list.periods.find((p) => p.name === 'Afternoon')!.uuid };
    };

    it("offers a due request to a free agent (agent first, then the number), records the attempt, and the agent's ticket closes it; one outside its period waits for it", async () => {
      const { cb, list, afternoon } = await setup();
      const stats = createLiveStats(w.engine);
      w.pbx.setPhone('1001', { behavior: 'answer', answerAfterMs: 2 * S, talkMs: 20 * S });
      w.pbx.setPhone(CUSTOMER, { behavior: 'answer', answerAfterMs: 3 * S });
      w.pbx.setPhone(OTHER, { behavior: 'answer', answerAfterMs: 3 * S });
      const [now, later] = cb.lists.addRequests(list.uuid, [{ phoneNumber: CUSTOMER }, { phoneNumber: OTHER, periodUuid: afternoon }]);
      await w.clock.runFor(1 * S);
      expect(w.engine.agentSnapshot('a1')?.presence).toBe('ringing');
      expect(originates()).toEqual([expect.objectContaining({ destination: { kind: 'sip', endpoint: '1001' } })]);
      await w.clock.runFor(4 * S);
      expect(originates().map((o) => o.destination)).toEqual([{ kind: 'sip', endpoint: '1001' }, { kind: 'external', number: CUSTOMER }]);
      await w.clock.runFor(40 * S);

      const cdr = w.store.cdrs.all().find((c) => c.dialled === CUSTOMER)!;
      expect(cdr).toMatchObject({ direction: 'callback', agentId: 'a1', disposition: 'answered', queueId: 'q' });
      expect(cdr.parentCallId ?? null).toBeNull();
      const [ticket] = w.store.callbackLists.tickets(now!.uuid);
      expect(ticket).toMatchObject({ agentId: 'a1', phoneNumber: CUSTOMER, callId: cdr.callId, outcome: 'completed', status: null });
      expect(cb.events.map((e) => e.eventType)).toEqual(['CallbackTaken', 'CallbackStarted']);
      expect(w.store.callbackLists.request(now!.uuid)?.agentId).toBe('a1');
      expect(queueLog('CONNECT').map((e) => e.callId)).toEqual([`cbl-${now!.uuid}`]);
      // A request from no call counts once in the queue's figures, by its answered callback.
      expect(stats.figures('q')).toMatchObject({ offered: 1, answered: 1, abandoned: 0 });

      cb.lists.updateTicket(ticket!.uuid, 'a1', { status: 'Answered' });
      expect(w.store.callbackLists.request(now!.uuid)?.closed).toBe(true);
      // The afternoon request is not offered in the morning, and is at 14:00.
      await w.clock.runFor(3600 * S);
      expect(originates().some((o) => o.destination.kind === 'external' && o.destination.number === OTHER)).toBe(false);
      await w.clock.advanceTo(Date.UTC(2026, 10, 2, 14, 0, 30));
      await w.clock.runFor(10 * S);
      expect(originates().filter((o) => o.destination.kind === 'external').map((o) => (o.destination as { number: string }).number)).toEqual([CUSTOMER, OTHER]);
      expect(w.store.callbackLists.tickets(later!.uuid)).toHaveLength(1);
    });

    it('offers two due requests to one agent one at a time', async () => {
      const { cb, list } = await setup();
      w.pbx.setPhone('1001', { behavior: 'answer', answerAfterMs: 2 * S, talkMs: 20 * S });
      w.pbx.setPhone(CUSTOMER, { behavior: 'answer', answerAfterMs: 3 * S });
      w.pbx.setPhone(OTHER, { behavior: 'answer', answerAfterMs: 3 * S });
      const [first, second] = cb.lists.addRequests(list.uuid, [{ phoneNumber: CUSTOMER }, { phoneNumber: OTHER }]);
      await w.clock.runFor(10 * S);
      expect(w.engine.router.state.calls.get(`cbl-${first!.uuid}`)?.state).toBe('connected');
      expect(w.engine.router.state.calls.get(`cbl-${second!.uuid}`)?.state).toBe('waiting');
      expect(originates().filter((o) => o.destination.kind === 'sip')).toHaveLength(1);
      await w.clock.runFor(60 * S);
      expect(originates().map((o) => o.destination)).toEqual([
        { kind: 'sip', endpoint: '1001' }, { kind: 'external', number: CUSTOMER },
        { kind: 'sip', endpoint: '1001' }, { kind: 'external', number: OTHER },
      ]);
      const cdrs = w.store.cdrs.all().filter((c) => c.direction === 'callback');
      expect(cdrs.map((c) => c.dialled)).toEqual([CUSTOMER, OTHER]);
      expect(cdrs[1]!.connectedAt!).toBeGreaterThanOrEqual(cdrs[0]!.endedAt);
    });

    it('gives the request back and offers it to another agent when the first does not answer', async () => {
      const { cb, list } = await setup(['a1', 'a2']);
      w.pbx.setPhone('1001', { behavior: 'never' });
      w.pbx.setPhone('1002', { behavior: 'answer', answerAfterMs: 1 * S, talkMs: 5 * S });
      w.pbx.setPhone(CUSTOMER, { behavior: 'answer', answerAfterMs: 1 * S });
      const [r] = cb.lists.addRequests(list.uuid, [{ phoneNumber: CUSTOMER }]);
      await w.clock.runFor(60 * S);
      const sip = originates().filter((o) => o.destination.kind === 'sip').map((o) => (o.destination as { endpoint: string }).endpoint);
      expect(new Set(sip)).toEqual(new Set(['1001', '1002']));
      // One CDR per attempt: the one a1 did not answer failed, a2's was answered.
      expect(w.store.cdrs.all().map((c) => [c.direction, c.agentId, c.disposition])).toEqual([['callback', null, 'failed'], ['callback', 'a2', 'answered']]);
      expect(w.store.callbackLists.tickets(r!.uuid).map((t) => t.outcome).sort()).toEqual(['agent-no-answer', 'completed'].sort());
      expect(w.store.callbackLists.request(r!.uuid)?.agentId).toBe('a2');
    });

    it("calls back a caller who left a message in an auto list: CDR direction callback, parentCallId its call, the wait from that call's enter time", async () => {
      w = await simWorld(configFrom(config({ callback_message: { key: '2', list: 'u1' } })));
      const stats = createLiveStats(w.engine);
      const cb = callbackWorld(w.engine, w.store);
      cb.lists.createList({ name: 'Messages', queueId: 'q', auto: true });
      w.pbx.placeCall({ to: '100', from: CUSTOMER, keys: [{ afterMs: 4 * S, digit: '2' }, { afterMs: 10 * S, digit: '#' }] });
      await w.clock.runFor(30 * S);
      const parent = w.store.cdrs.all()[0]!;
      expect(parent.disposition).toBe('callback-message');
      w.pbx.setPhone('1001', { behavior: 'answer', answerAfterMs: 1 * S, talkMs: 10 * S });
      w.pbx.setPhone(CUSTOMER, { behavior: 'answer', answerAfterMs: 2 * S });
      w.engine.loginAgent('a1');
      await w.clock.runFor(30 * S);

      const callback = w.store.cdrs.all().find((c) => c.direction === 'callback')!;
      expect(callback).toMatchObject({ parentCallId: parent.callId, dialled: CUSTOMER, agentId: 'a1', disposition: 'answered', queueId: 'q', enqueuedAt: parent.enqueuedAt });
      // Counted once: offered by its own call, answered by the callback.
      expect(stats.figures('q')).toMatchObject({ offered: 1, answered: 1, abandoned: 0 });
      expect(callback.waitMs).toBe(callback.connectedAt! - parent.enqueuedAt!);
    });

    it('offers due requests again after an engine restart', async () => {
      const { cb, list } = await setup([]);
      cb.lists.addRequests(list.uuid, [{ phoneNumber: CUSTOMER }]);
      await w.clock.runFor(1 * S);
      cb.auto.stop();
      w.engine.halt();
      let n = 100;
      e2 = new Engine({ pbx: w.pbx, clock: w.clock, log: silentLogger(), store: w.store, config: w.store.config.load(), newCallId: () => `call-r${++n}`, seed: 2 });
      await e2.start();
      callbackWorld(e2, w.store, 'r');
      w.pbx.setPhone('1001', { behavior: 'answer', answerAfterMs: 1 * S, talkMs: 5 * S });
      w.pbx.setPhone(CUSTOMER, { behavior: 'answer', answerAfterMs: 1 * S });
      e2.loginAgent('a1');
      await w.clock.runFor(30 * S);
      expect(w.store.cdrs.all()).toEqual([expect.objectContaining({ direction: 'callback', dialled: CUSTOMER, agentId: 'a1', disposition: 'answered' })]);
    });
  });
});
