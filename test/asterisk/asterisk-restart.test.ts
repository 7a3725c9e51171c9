/**
 * The Asterisk driver when Asterisk itself goes away and comes back (`core restart now`, or a
 * crash: SIGKILL, then the same Asterisk started again): it
 * reports pbx.lost within about a second of Asterisk going away (figure printed), forgets the legs
 * it had, fails commands fast while Asterisk is gone, and reports pbx.connected{restarted} once
 * Asterisk is back; new calls arrive as before.
 */
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AsteriskDriver } from '../../src/pbx/asterisk/driver.js';
import { isPbxError, type PbxEvent } from '../../src/pbx/port.js';
import { skipReason } from './engine-world.js';
import { killAllChildren, startAsterisk, startCaller, type RunningAsterisk, type SippProcess } from './harness.js';

describe.skipIf(skipReason !== undefined)(`Asterisk driver across an Asterisk restart${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  let asterisk: RunningAsterisk;
  let driver: AsteriskDriver;
  const events: { at: number; e: PbxEvent }[] = [];
  const far: SippProcess[] = [];

  beforeAll(async () => {
    asterisk = await startAsterisk();
    driver = new AsteriskDriver({
      url: asterisk.ariUrl,
      username: asterisk.ariUser,
      password: asterisk.ariPassword,
      app: asterisk.app,
      logger: pino({ level: process.env.LOG_LEVEL ?? 'silent' }),
      reconnect: { initialDelayMs: 100, maxDelayMs: 500 },
    });
    driver.onEvent((e) => events.push({ at: Date.now(), e }));
    await driver.start();
  }, 60_000);

  afterAll(async () => {
    for (const s of far.splice(0)) {
      s.kill();
      await s.done;
    }
    await driver?.stop();
    await asterisk?.stop();
    killAllChildren();
  }, 20_000);

  async function next(pred: (e: PbxEvent) => boolean, timeoutMs = 15_000, from = 0): Promise<{ at: number; e: PbxEvent }> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = events.slice(from).find((x) => pred(x.e));
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`event not seen within ${timeoutMs} ms; saw ${events.map((x) => x.e.type).join(', ')}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  /** When Asterisk stopped answering on its HTTP port (polled every 20 ms). */
  async function whenHttpGone(): Promise<number> {
    for (;;) {
      const up = await fetch(`${asterisk.ariUrl}/ari/asterisk/ping`, { signal: AbortSignal.timeout(200) })
        .then(() => true)
        .catch(() => false);
      if (!up) return Date.now();
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  it('reports pbx.lost soon after Asterisk goes away, then pbx.connected restarted, and takes calls again', async () => {
    await next((e) => e.type === 'pbx.connected');
    far.push(await startCaller(asterisk, { to: '901', from: '5559000001', timeoutMs: 60_000 }));
    const before = await next((e) => e.type === 'call.arrived');
    await driver.answer((before.e as Extract<PbxEvent, { type: 'call.arrived' }>).leg);
    const mark = events.length;

    const gone = whenHttpGone();
    const restart = asterisk.cli('core restart now');
    const lost = await next((e) => e.type === 'pbx.lost', 10_000, mark);
    const goneAt = await gone;
    const failFast = await driver.answer((before.e as Extract<PbxEvent, { type: 'call.arrived' }>).leg).catch((e: unknown) => e);
    const back = await next((e) => e.type === 'pbx.connected', 20_000, mark);
    await restart;
    far.push(await startCaller(asterisk, { to: '901', from: '5559000002', timeoutMs: 60_000 }));
    const after = await next((e) => e.type === 'call.arrived' && e.from === '5559000002');

    const lostAfterMs = lost.at - goneAt;
    const disconnected = await next((e) => e.type === 'pbx.disconnected', 1000, mark);
    console.log(
      `pbx.lost ${lostAfterMs} ms after Asterisk's HTTP port stopped answering (${lost.at - disconnected.at} ms after pbx.disconnected); ` +
        `pbx.connected{restarted} ${back.at - lost.at} ms after pbx.lost`,
    );
    const types = events.slice(mark).map((x) => x.e.type);
    expect(types.filter((t) => t === 'pbx.lost')).toHaveLength(1);
    expect(types.indexOf('pbx.disconnected')).toBeLessThan(types.indexOf('pbx.lost'));
    expect(types.indexOf('pbx.lost')).toBeLessThan(types.lastIndexOf('pbx.connected'));
    expect(back.e).toEqual({ type: 'pbx.connected', restarted: true });
    expect(lostAfterMs).toBeLessThan(3000);
    expect(isPbxError(failFast, 'DISCONNECTED') || isPbxError(failFast, 'LEG_GONE')).toBe(true);
    expect(after.e.type).toBe('call.arrived');
  }, 60_000);

  it('reports pbx.lost soon after Asterisk crashes, and pbx.connected restarted once it is started again', async () => {
    await next((e) => e.type === 'pbx.connected');
    far.push(await startCaller(asterisk, { to: '901', from: '5559000003', timeoutMs: 60_000 }));
    const call = await next((e) => e.type === 'call.arrived' && e.from === '5559000003');
    await driver.answer((call.e as Extract<PbxEvent, { type: 'call.arrived' }>).leg);
    const mark = events.length;

    const killedAt = Date.now();
    await asterisk.crash();
    const lost = await next((e) => e.type === 'pbx.lost', 10_000, mark);
    await new Promise((r) => setTimeout(r, 1500)); // stays down a while: the driver keeps retrying
    await asterisk.restart();
    const back = await next((e) => e.type === 'pbx.connected', 20_000, mark);

    console.log(`pbx.lost ${lost.at - killedAt} ms after SIGKILL; pbx.connected{restarted} ${back.at - lost.at} ms after pbx.lost`);
    const types = events.slice(mark).map((x) => x.e.type);
    expect(types.filter((t) => t === 'pbx.lost')).toHaveLength(1);
    expect(types.filter((t) => t === 'leg.hangup')).toEqual([]); // forgotten, not reported one by one
    expect(back.e).toEqual({ type: 'pbx.connected', restarted: true });
    expect(lost.at - killedAt).toBeLessThan(3000);
  }, 60_000);
});
