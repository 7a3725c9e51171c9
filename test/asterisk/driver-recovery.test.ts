/**
 * The Asterisk driver surviving faults while Asterisk stays up: an engine restart (a second
 * driver adopts what the first one left in Stasis) and a cut of the ARI events WebSocket (a TCP
 * proxy between driver and Asterisk drops it; a leg hung up meanwhile ends with cause `lost`).
 */
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AriClient } from '../../src/pbx/asterisk/ari-client.js';
import { AsteriskDriver, type AsteriskDriverOptions } from '../../src/pbx/asterisk/driver.js';
import { isPbxError, type LegId, type PbxEvent } from '../../src/pbx/port.js';
import { skipReason } from './engine-world.js';
import { killAllChildren, startAsterisk, startCaller, startPhone, type RunningAsterisk, type SippProcess } from './harness.js';
import { isAriEventsUpgrade, startTcpProxy, type TcpProxy } from './tcp-proxy.js';

type Arrived = Extract<PbxEvent, { type: 'call.arrived' }>;

/** A driver with the events it emitted, in order. */
class Watched {
  readonly events: PbxEvent[] = [];
  readonly driver: AsteriskDriver;
  constructor(opts: AsteriskDriverOptions) {
    this.driver = new AsteriskDriver(opts);
    this.driver.onEvent((e) => this.events.push(e));
  }

  async next<T extends PbxEvent>(pred: (e: PbxEvent) => e is T, timeoutMs = 10_000, from = 0): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.events.slice(from).find(pred);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`event not seen within ${timeoutMs} ms; saw ${this.events.map((e) => e.type).join(', ')}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

const is =
  <K extends PbxEvent['type']>(type: K, pred: (e: Extract<PbxEvent, { type: K }>) => boolean = () => true) =>
  (e: PbxEvent): e is Extract<PbxEvent, { type: K }> =>
    e.type === type && pred(e as Extract<PbxEvent, { type: K }>);

describe.skipIf(skipReason !== undefined)(`Asterisk driver recovery on a real Asterisk${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  let asterisk: RunningAsterisk;
  let ari: AriClient;
  const far: SippProcess[] = [];
  const drivers: AsteriskDriver[] = [];
  const proxies: TcpProxy[] = [];
  let seq = 0;
  const logger = pino({ level: process.env.LOG_LEVEL ?? 'silent' });

  beforeAll(async () => {
    asterisk = await startAsterisk();
    ari = new AriClient({ url: asterisk.ariUrl, username: asterisk.ariUser, password: asterisk.ariPassword, app: asterisk.app, logger });
  }, 60_000);

  afterEach(async () => {
    for (const d of drivers.splice(0)) await d.stop();
    for (const p of proxies.splice(0)) await p.close();
    for (const s of far.splice(0)) {
      s.kill();
      await s.done;
    }
    const left = await ari.request<{ id: string }[]>('GET', '/channels');
    for (const c of left) await ari.request('DELETE', `/channels/${c.id}`).catch(() => undefined);
  }, 20_000);

  afterAll(async () => {
    await asterisk?.stop();
    killAllChildren();
  }, 20_000);

  function watched(url = asterisk.ariUrl, extra: Partial<AsteriskDriverOptions> = {}): Watched {
    const w = new Watched({ url, username: asterisk.ariUser, password: asterisk.ariPassword, app: asterisk.app, logger, ...extra });
    drivers.push(w.driver);
    return w;
  }

  async function answeredCaller(w: Watched): Promise<Arrived> {
    const from = `5558${String(++seq).padStart(6, '0')}`;
    far.push(await startCaller(asterisk, { to: '901', from, timeoutMs: 60_000 }));
    const arrived = await w.next(is('call.arrived', (e) => e.from === from), 15_000);
    await w.driver.answer(arrived.leg);
    return arrived;
  }

  it('lists the legs a previous driver left, with roles, call ids, answer and bridge, and reports their events', async () => {
    const before = watched();
    await before.driver.start();
    const waiting = await answeredCaller(before);
    await before.driver.startMoh(waiting.leg, 'q1');
    const talking = await answeredCaller(before);
    far.push(await startPhone(asterisk, { endpoint: '1001', behavior: 'answer', answerAfterMs: 100 }));
    const agent = await before.driver.originate({ destination: { kind: 'sip', endpoint: '1001' }, callerId: { number: '901' }, timeoutMs: 10_000, callId: 'call-agent-1' });
    await before.next(is('leg.answered', (e) => e.leg === agent));
    const bridge = await before.driver.bridge([talking.leg, agent]);

    await before.driver.stop(); // the engine stops; Asterisk keeps the channels in Stasis
    const after = watched();
    await after.driver.start();
    const live = await after.driver.recover();
    await ari.request('DELETE', `/channels/${waiting.leg}`);
    const hangup = await after.next(is('leg.hangup', (e) => e.leg === waiting.leg));

    const byLeg = new Map(live.map((l) => [l.leg, l]));
    expect(waiting.callId).toBeTruthy();
    expect(byLeg.get(waiting.leg)).toMatchObject({ role: 'inbound', callId: waiting.callId, answered: true, from: waiting.from, to: '901' });
    expect(byLeg.get(waiting.leg)?.bridge).toBeUndefined();
    expect(byLeg.get(talking.leg)).toMatchObject({ role: 'inbound', callId: talking.callId, answered: true, bridge });
    expect(byLeg.get(agent)).toMatchObject({ role: 'agent', callId: 'call-agent-1', answered: true, bridge });
    expect(live).toHaveLength(3);
    expect(hangup.cause).toBe('normal');
  }, 60_000);

  it('ends a leg hung up while the events WebSocket was cut with cause lost, settles its plays, and keeps the surviving leg usable', async () => {
    const proxy = await startTcpProxy(asterisk.httpPort);
    proxies.push(proxy);
    const w = watched(proxy.url, { reconnect: { initialDelayMs: 100, maxDelayMs: 400 } });
    await w.driver.start();
    await w.next(is('pbx.connected'));
    const vanishing = await answeredCaller(w);
    const surviving = await answeredCaller(w);
    const mark = w.events.length;
    const cutShort = w.driver.play(vanishing.leg, ['sound:tt-monkeys']).catch((e: unknown) => e); // the leg goes during the cut
    const endsInCut = w.driver.play(surviving.leg, ['sound:digits/1']); // about 0.6 s: ends during the cut
    await new Promise((r) => setTimeout(r, 200)); // both play requests answered

    proxy.refuse(isAriEventsUpgrade); // the WebSocket cannot come back; REST still passes
    proxy.dropAll();
    await w.next(is('pbx.disconnected'), 5000, mark);
    await ari.request('DELETE', `/channels/${vanishing.leg}`); // straight to Asterisk, unseen by the driver
    await new Promise((r) => setTimeout(r, 1500)); // several liveness rounds: Asterisk answers
    proxy.allowAll();
    const connected = await w.next(is('pbx.connected'), 10_000, mark);
    const hangup = await w.next(is('leg.hangup', (e) => e.leg === vanishing.leg), 10_000, mark);
    const cutShortErr = await cutShort;
    const endedInCut = await endsInCut;
    const played = await w.driver.play(surviving.leg as LegId, ['sound:beep']);

    const types = w.events.slice(mark).map((e) => e.type);
    expect(types.indexOf('pbx.disconnected')).toBeLessThan(types.indexOf('pbx.connected'));
    expect(types).not.toContain('pbx.lost');
    expect(connected.restarted).toBeUndefined();
    expect(hangup.cause).toBe('lost');
    expect(w.events.some((e) => e.type === 'leg.hangup' && e.leg === surviving.leg)).toBe(false);
    expect(isPbxError(cutShortErr, 'LEG_GONE')).toBe(true);
    expect(endedInCut).toBe('finished');
    expect(played).toBe('finished');
  }, 60_000);
});
