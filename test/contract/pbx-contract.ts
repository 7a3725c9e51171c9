/**
 * The PBX contract: one suite every driver must pass (the simulated PBX and Asterisk alike), so
 * the simulation stays honest. A target gives a started driver and a peer that plays the far
 * ends (callers, agent phones, the trunk) and knows how time passes for that driver.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isPbxError, type HangupCause, type LegId, type PbxEvent, type PbxEventType, type PbxPort } from '../../src/pbx/port.js';

export type PhoneBehavior = 'answer' | 'never' | 'busy' | 'reject';

export interface CallScript {
  to: string;
  from: string;
  /** DTMF digits, each this long after the call is answered. */
  keys?: { afterMs: number; digit: string }[];
  /** The caller hangs up this long after being answered. */
  patienceMs?: number;
}

export interface ContractPeer {
  /** A caller dials `to` from `from`; `call.arrived` follows. */
  placeCall(script: CallScript): Promise<void>;
  /** An agent phone (SIP endpoint) or external number (through the trunk) that behaves so. */
  phone(address: { kind: 'sip'; endpoint: string } | { kind: 'external'; number: string }, behavior: PhoneBehavior, opts?: { answerAfterMs?: number }): Promise<void>;
  /** Bring a SIP endpoint online (registered) for `forMs`, then offline again. */
  registerFor(endpoint: string, forMs: number): Promise<void>;
  /** Settle `p`, letting the driver's time pass, or fail after `timeoutMs` of that time. */
  until<T>(p: Promise<T>, timeoutMs: number, what: string): Promise<T>;
  /** Let `ms` of the driver's time pass. */
  sleep(ms: number): Promise<void>;
  /** Prompts that exist on this PBX: a short one (< 2 s) and a long one (> 5 s), plus one in Spanish. */
  prompts: { short: string; long: string; spanish: string };
  /** Release what one test started (far ends). */
  reset(): Promise<void>;
  close(): Promise<void>;
}

export interface ContractTarget {
  driver: PbxPort;
  peer: ContractPeer;
}

/** Distinct caller numbers per test, so a stray call never satisfies another test. */
let callerSeq = 0;
const nextCaller = () => `555${String(Date.now() % 10000).padStart(4, '0')}${String(++callerSeq).padStart(3, '0')}`;

export function pbxContract(
  name: string,
  setup: () => Promise<ContractTarget>,
  opts: { skip?: string; testTimeoutMs?: number } = {},
): void {
  const d = opts.skip ? describe.skip : describe;
  if (opts.skip) {
    describe(`PBX contract: ${name}`, () => it.skip(`skipped: ${opts.skip}`, () => {}));
    return;
  }
  const timeout = opts.testTimeoutMs ?? 30_000;

  d(`PBX contract: ${name}`, () => {
    let target: ContractTarget;
    let driver: PbxPort;
    let peer: ContractPeer;
    let events: PbxEvent[] = [];
    let waiters: { match: (e: PbxEvent) => boolean; resolve: (e: PbxEvent) => void }[] = [];
    let off: () => void = () => {};
    const ourLegs = new Set<LegId>();

    beforeAll(async () => {
      target = await setup();
      driver = target.driver;
      peer = target.peer;
      off = driver.onEvent((e) => {
        events.push(e);
        if (e.type === 'call.arrived') ourLegs.add(e.leg);
        if (e.type === 'leg.hangup') ourLegs.delete(e.leg);
        for (const w of [...waiters]) {
          if (w.match(e)) {
            waiters = waiters.filter((x) => x !== w);
            w.resolve(e);
          }
        }
      });
    }, 60_000);

    afterEach(async () => {
      for (const leg of [...ourLegs]) await driver.hangup(leg).catch(() => undefined);
      ourLegs.clear();
      await peer?.reset();
      events = [];
      waiters = [];
    }, 20_000);

    afterAll(async () => {
      off();
      await peer?.close();
    }, 20_000);

    /** The first event (already seen or coming) of `type` matching `pred`. */
    function next<T extends PbxEventType>(type: T, pred: (e: Extract<PbxEvent, { type: T }>) => boolean = () => true, timeoutMs = 10_000): Promise<Extract<PbxEvent, { type: T }>> {
      const match = (e: PbxEvent): boolean => e.type === type && pred(e as Extract<PbxEvent, { type: T }>);
      const seen = events.find(match);
      if (seen) return Promise.resolve(seen as Extract<PbxEvent, { type: T }>);
      const p = new Promise<PbxEvent>((resolve) => waiters.push({ match, resolve }));
      return peer.until(p, timeoutMs, `event ${type}`) as Promise<Extract<PbxEvent, { type: T }>>;
    }

    const track = (leg: LegId) => {
      ourLegs.add(leg);
      return leg;
    };

    async function arrivedCall(script: Partial<CallScript> = {}) {
      const from = script.from ?? nextCaller();
      const to = script.to ?? '900';
      await peer.placeCall({ ...script, to, from });
      const arrived = await next('call.arrived', (e) => e.from === from, 15_000);
      return track(arrived.leg);
    }

    async function answeredCall(script: Partial<CallScript> = {}) {
      const leg = await arrivedCall(script);
      await driver.answer(leg);
      return leg;
    }

    async function answeredAgent(endpoint: string) {
      await peer.phone({ kind: 'sip', endpoint }, 'answer', { answerAfterMs: 200 });
      const leg = track(await driver.originate({ destination: { kind: 'sip', endpoint }, callerId: { number: '900', name: 'Sales' }, timeoutMs: 10_000, callId: `c-${endpoint}` }));
      await next('leg.answered', (e) => e.leg === leg, 15_000);
      return leg;
    }

    async function expectRejects(p: Promise<unknown>, code: 'LEG_GONE') {
      const err = await p.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isPbxError(err, code), `expected PbxError ${code}, got ${String(err)}`).toBe(true);
    }

    /** Run a command, turning a synchronous throw into a rejection (see the sync-throw clause). */
    const attempt = (fn: () => Promise<unknown>): Promise<unknown> => {
      try {
        return fn();
      } catch (err) {
        return Promise.reject(err);
      }
    };

    it('reports call.arrived with the dialled and calling numbers when a call comes in', async () => {
      const from = nextCaller();

      await peer.placeCall({ to: '900', from });
      const arrived = await next('call.arrived', (e) => e.from === from, 15_000);
      track(arrived.leg);

      expect(arrived).toMatchObject({ type: 'call.arrived', to: '900', from });
    }, timeout);

    it('resolves play with finished when the prompts end', async () => {
      const leg = await answeredCall();

      const outcome = await peer.until(driver.play(leg, [peer.prompts.short, peer.prompts.short]), 15_000, 'play');

      expect(outcome).toBe('finished');
    }, timeout);

    it('plays prompts in the requested language', async () => {
      const leg = await answeredCall();

      const outcome = await peer.until(driver.play(leg, [peer.prompts.spanish], { language: 'es' }), 15_000, 'play es');

      expect(outcome).toBe('finished');
    }, timeout);

    it('resolves play with stopped when its signal aborts, and the leg plays again after', async () => {
      const leg = await answeredCall();
      const ac = new AbortController();

      const playing = driver.play(leg, [peer.prompts.long], { signal: ac.signal });
      await peer.sleep(300);
      ac.abort();
      const outcome = await peer.until(playing, 5_000, 'stopped play');
      const again = await peer.until(driver.play(leg, [peer.prompts.short]), 15_000, 'play again');

      expect(outcome).toBe('stopped');
      expect(again).toBe('finished');
    }, timeout);

    it('reports DTMF digits the caller sends', async () => {
      const leg = await answeredCall({ keys: [{ afterMs: 1000, digit: '1' }, { afterMs: 1600, digit: '#' }] });

      const first = await next('dtmf', (e) => e.leg === leg, 10_000);
      const second = await next('dtmf', (e) => e.leg === leg && e !== first, 10_000);

      expect([first.digit, second.digit]).toEqual(['1', '#']);
    }, timeout);

    it('rejects play with LEG_GONE and reports leg.hangup normal when the caller hangs up', async () => {
      const leg = await answeredCall({ patienceMs: 1000 });

      const playing = driver.play(leg, [peer.prompts.long]);
      await expectRejects(peer.until(playing, 10_000, 'play until hang-up'), 'LEG_GONE');
      const hangup = await next('leg.hangup', (e) => e.leg === leg);

      expect(hangup.cause).toBe('normal');
    }, timeout);

    it('reports leg.hangup with the cause given to hangup, then refuses commands on that leg', async () => {
      const leg = await answeredCall();

      await driver.hangup(leg, 'rejected');
      const hangup = await next('leg.hangup', (e) => e.leg === leg);

      expect(hangup.cause).toBe('rejected');
      await expectRejects(attempt(() => driver.play(leg, [peer.prompts.short])), 'LEG_GONE');
      await expectRejects(attempt(() => driver.setVariable(leg, 'X', '1')), 'LEG_GONE');
      await expectRejects(attempt(() => driver.hangup(leg)), 'LEG_GONE');
    }, timeout);

    it('returns a rejected promise, never a synchronous throw, for a command on a gone leg', async () => {
      const leg = await answeredCall();
      await driver.hangup(leg);
      await next('leg.hangup', (e) => e.leg === leg);

      let thrown: unknown;
      let result: Promise<unknown> | undefined;
      try {
        result = driver.play(leg, [peer.prompts.short]);
      } catch (err) {
        thrown = err;
      }

      expect(thrown).toBeUndefined();
      await expectRejects(result!, 'LEG_GONE');
    }, timeout);

    it('starts and stops music on hold with a class, and sets channel variables', async () => {
      const leg = await answeredCall();

      await driver.setVariable(leg, 'SWITCHBOARD_CALL_ID', 'call-1');
      await driver.startMoh(leg, 'q1');
      await peer.sleep(300);
      await driver.stopMoh(leg);

      expect(events.filter((e) => e.type === 'leg.hangup' && e.leg === leg)).toEqual([]);
    }, timeout);

    it('originates to a registered phone that rings then answers', async () => {
      await peer.phone({ kind: 'sip', endpoint: '1001' }, 'answer', { answerAfterMs: 500 });

      const leg = track(await driver.originate({ destination: { kind: 'sip', endpoint: '1001' }, callerId: { number: '900' }, timeoutMs: 10_000, callId: 'call-ring', variables: { QUEUE: 'q1' } }));
      const ringing = await next('leg.ringing', (e) => e.leg === leg);
      const answered = await next('leg.answered', (e) => e.leg === leg);

      expect(ringing.leg).toBe(leg);
      expect(answered.leg).toBe(leg);
      expect(events.findIndex((e) => e === ringing)).toBeLessThan(events.findIndex((e) => e === answered));
    }, timeout);

    it('ends an originated leg with no-answer when the phone rings past the time-out', async () => {
      await peer.phone({ kind: 'sip', endpoint: '1002' }, 'never');

      const leg = track(await driver.originate({ destination: { kind: 'sip', endpoint: '1002' }, callerId: { number: '900' }, timeoutMs: 2000, callId: 'call-noanswer' }));
      const hangup = await next('leg.hangup', (e) => e.leg === leg, 10_000);

      expect(hangup.cause).toBe('no-answer');
      expect(events.some((e) => e.type === 'leg.answered' && e.leg === leg)).toBe(false);
    }, timeout);

    it.each<[PhoneBehavior, string, HangupCause]>([
      ['busy', '1003', 'busy'],
      ['reject', '1004', 'rejected'],
    ])('ends an originated leg when the phone is %s', async (behavior, endpoint, cause) => {
      await peer.phone({ kind: 'sip', endpoint }, behavior, { answerAfterMs: 300 });

      const leg = track(await driver.originate({ destination: { kind: 'sip', endpoint }, callerId: { number: '900' }, timeoutMs: 10_000, callId: `call-${behavior}` }));
      const hangup = await next('leg.hangup', (e) => e.leg === leg, 10_000);

      expect(hangup.cause).toBe(cause);
    }, timeout);

    it('ends an originated leg with unreachable when the phone is not registered', async () => {
      const leg = track(await driver.originate({ destination: { kind: 'sip', endpoint: '1999' }, callerId: { number: '900' }, timeoutMs: 5000, callId: 'call-unreachable' }));
      const hangup = await next('leg.hangup', (e) => e.leg === leg, 10_000);

      expect(hangup.cause).toBe('unreachable');
    }, timeout);

    it('originates to an external number through the trunk', async () => {
      await peer.phone({ kind: 'external', number: '0612345678' }, 'answer', { answerAfterMs: 200 });

      const leg = track(await driver.originate({ destination: { kind: 'external', number: '0612345678' }, callerId: { number: '900' }, timeoutMs: 10_000, callId: 'call-external' }));

      await next('leg.answered', (e) => e.leg === leg, 10_000);
    }, timeout);

    it('bridges a caller with an agent, records the bridge with pause/resume and reports recording.finished', async () => {
      const caller = await answeredCall();
      const agent = await answeredAgent('1005');
      const name = `contract-${Date.now()}`;

      const bridge = await driver.bridge([caller, agent]);
      const rec = await driver.recordBridge(bridge, { name, format: 'wav' });
      await peer.sleep(700);
      await driver.pauseRecording(rec);
      await peer.sleep(500);
      await driver.resumeRecording(rec);
      await peer.sleep(700);
      await driver.stopRecording(rec);
      const finished = await next('recording.finished', (e) => e.recording === rec, 10_000);
      await driver.destroyBridge(bridge);

      expect(rec).toBe(name);
      expect(finished.durationMs ?? 0).toBeGreaterThanOrEqual(0);
      expect(events.filter((e) => e.type === 'leg.hangup' && (e.leg === caller || e.leg === agent))).toEqual([]);
    }, timeout);

    it('records what one leg says until its maximum length, reported by recording.finished; the leg stays up', async () => {
      const caller = await answeredCall();
      const name = `contract-leg-${Date.now()}`;

      const rec = await driver.recordLeg(caller, { name, format: 'wav', maxDurationMs: 1000, beep: true });
      const finished = await next('recording.finished', (e) => e.recording === rec, 10_000);

      expect(rec).toBe(name);
      expect(finished.durationMs ?? 0).toBeGreaterThanOrEqual(0);
      expect(events.filter((e) => e.type === 'leg.hangup' && e.leg === caller)).toEqual([]);
    }, timeout);

    it('ends a leg recording on stopRecording', async () => {
      const caller = await answeredCall();
      const name = `contract-leg-stop-${Date.now()}`;

      const rec = await driver.recordLeg(caller, { name, format: 'wav', maxDurationMs: 30_000, endOnHash: true });
      await peer.sleep(700);
      await driver.stopRecording(rec);
      const finished = await next('recording.finished', (e) => e.recording === rec, 10_000);

      expect(finished.recording).toBe(name);
      expect(events.filter((e) => e.type === 'leg.hangup' && e.leg === caller)).toEqual([]);
    }, timeout);

    it('adds a leg to an existing bridge and destroys the bridge twice without error', async () => {
      const a = await answeredCall();
      const b = await answeredCall();

      const bridge = await driver.bridge([a]);
      await driver.addToBridge(bridge, b);
      await driver.destroyBridge(bridge);
      await driver.destroyBridge(bridge);

      expect(bridge).toBeTruthy();
    }, timeout);

    it('takes a leg out of a bridge and back, with music on hold to the bridge meanwhile (hold)', async () => {
      const caller = await answeredCall();
      const agent = await answeredAgent('1005');
      const bridge = await driver.bridge([caller, agent]);

      await driver.removeFromBridge(bridge, agent);
      await driver.startBridgeMoh(bridge, 'default');
      await peer.sleep(400);
      await driver.stopBridgeMoh(bridge);
      await driver.addToBridge(bridge, agent);
      await peer.sleep(200);
      await driver.destroyBridge(bridge);

      expect(events.filter((e) => e.type === 'leg.hangup' && (e.leg === caller || e.leg === agent))).toEqual([]);
    }, timeout);

    it('creates a snoop leg on a live leg, which ends with leg.hangup when hung up', async () => {
      const leg = await answeredCall();

      const spy = await driver.snoop(leg, 'listen');
      track(spy);
      await driver.hangup(spy);
      const hangup = await next('leg.hangup', (e) => e.leg === spy);

      expect(spy).not.toBe(leg);
      expect(hangup.cause).toBe('normal');
      expect(events.some((e) => e.type === 'call.arrived' && e.leg === spy)).toBe(false);
    }, timeout);

    it('ends a snoop leg with leg.hangup when the leg it listens to hangs up, and only that one', async () => {
      const leg = await answeredCall();
      const other = await answeredCall();
      const spy = track(await driver.snoop(leg, 'listen'));
      const otherSpy = track(await driver.snoop(other, 'listen'));

      await driver.hangup(leg);
      await next('leg.hangup', (e) => e.leg === spy);
      await peer.sleep(300);

      expect(events.some((e) => e.type === 'leg.hangup' && (e.leg === other || e.leg === otherSpy))).toBe(false);
      await driver.hangup(other);
      await next('leg.hangup', (e) => e.leg === otherSpy);
    }, timeout);

    it('lists an answered inbound leg and a bridged originated leg in recover() with role, call id, answer and bridge', async () => {
      const from = nextCaller();
      await peer.placeCall({ to: '900', from });
      const arrived = await next('call.arrived', (e) => e.from === from, 15_000);
      const waiting = track(arrived.leg);
      await driver.answer(waiting);
      const talking = await answeredCall();
      const agent = await answeredAgent('1001');
      const bridge = await driver.bridge([talking, agent]);

      const live = await driver.recover();
      await driver.destroyBridge(bridge);

      const byLeg = new Map(live.map((l) => [l.leg, l]));
      expect(byLeg.get(waiting)).toMatchObject({ role: 'inbound', answered: true, from, to: '900' });
      expect(byLeg.get(waiting)?.callId).toBe(arrived.callId);
      expect(byLeg.get(waiting)?.bridge).toBeUndefined();
      expect(byLeg.get(talking)).toMatchObject({ role: 'inbound', answered: true, bridge });
      expect(byLeg.get(agent)).toMatchObject({ role: 'agent', callId: 'c-1001', answered: true, bridge });
    }, timeout);

    it('reports endpoint.state online when a phone registers and offline when it leaves', async () => {
      await peer.registerFor('1006', 1500);

      const online = await next('endpoint.state', (e) => e.endpoint === '1006' && e.online, 10_000);
      const offline = await next('endpoint.state', (e) => e.endpoint === '1006' && !e.online, 10_000);

      expect(online.online).toBe(true);
      expect(offline.online).toBe(false);
    }, timeout);
  });
}
