/**
 * FreeSWITCH driver behaviour beyond the PBX contract, on a real FreeSWITCH: snoop legs in every
 * mode (listen, whisper, barge: loopback legs running eavesdrop) end with the leg they spy on,
 * and a prompt name or recording format FreeSWITCH cannot take is refused naming the field.
 */
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FreeswitchDriver } from '../../src/pbx/freeswitch/driver.js';
import { isPbxError, type LegId, type PbxEvent, type SnoopMode } from '../../src/pbx/port.js';
import { skipReasonFor } from '../asterisk/engine-world.js';
import { killAllChildren, startCaller, type SippProcess } from '../asterisk/harness.js';
import { startFreeswitch, trunkSide, type RunningFreeswitch } from './harness.js';

const skipReason = skipReasonFor('freeswitch');

describe.skipIf(skipReason !== undefined)(`FreeSWITCH driver on a real FreeSWITCH${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  let fs: RunningFreeswitch;
  let driver: FreeswitchDriver;
  const events: PbxEvent[] = [];
  const far: SippProcess[] = [];
  let seq = 0;

  beforeAll(async () => {
    fs = await startFreeswitch();
    driver = new FreeswitchDriver({ host: '127.0.0.1', port: fs.eslPort, password: fs.eslPassword, app: fs.app, domain: fs.domain, trunkHost: fs.trunkHost, logger: pino({ level: process.env.LOG_LEVEL ?? 'silent' }) });
    driver.onEvent((e) => events.push(e));
    await driver.start();
  }, 60_000);
  afterEach(async () => {
    for (const s of far.splice(0)) s.kill();
    await fs.api('hupall NORMAL_CLEARING').catch(() => undefined);
  });
  afterAll(async () => {
    await driver?.stop();
    await fs?.stop();
    killAllChildren();
  });

  async function until<T>(probe: () => T | undefined, what: string, timeoutMs = 10_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const v = probe();
      if (v !== undefined) return v;
      if (Date.now() > deadline) throw new Error(`${what}: not seen within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  async function answeredCall(): Promise<LegId> {
    const from = `55588${String(++seq).padStart(5, '0')}`;
    far.push(await startCaller(trunkSide(fs), { to: '900', from, timeoutMs: 60_000 }));
    const arrived = await until(() => events.find((e): e is Extract<PbxEvent, { type: 'call.arrived' }> => e.type === 'call.arrived' && e.from === from), 'call.arrived', 15_000);
    await driver.answer(arrived.leg);
    return arrived.leg;
  }

  it.each<SnoopMode>(['listen', 'whisper', 'barge'])('ends a %s snoop leg with leg.hangup when the leg it spies on hangs up', async (mode) => {
    const leg = await answeredCall();
    const spy = await driver.snoop(leg, mode);
    const alive = (await fs.api(`uuid_exists ${spy}`)).trim();

    await driver.hangup(leg);
    const ended = await until(() => events.find((e) => e.type === 'leg.hangup' && e.leg === spy), 'snoop leg.hangup');

    expect(alive).toBe('true');
    expect(ended).toMatchObject({ type: 'leg.hangup', leg: spy });
  }, 30_000);

  it('refuses a snoop on a leg that is gone with LEG_GONE', async () => {
    const leg = await answeredCall();
    await driver.hangup(leg);
    await until(() => events.find((e) => e.type === 'leg.hangup' && e.leg === leg), 'leg.hangup');

    const err = await driver.snoop(leg, 'listen').catch((e: unknown) => e);

    expect(isPbxError(err, 'LEG_GONE')).toBe(true);
  }, 30_000);

  it('refuses a recording format other than wav and a prompt kind it cannot play, naming them', async () => {
    const leg = await answeredCall();
    const bridge = await driver.bridge([leg]);

    const format = await driver.recordBridge(bridge, { name: `r-${Date.now()}`, format: 'gsm' }).catch((e: unknown) => e);
    const prompt = await driver.play(leg, ['number:42']).catch((e: unknown) => e);

    expect(isPbxError(format, 'REJECTED') && (format as Error).message.startsWith('format:')).toBe(true);
    expect(isPbxError(prompt, 'REJECTED') && (prompt as Error).message.startsWith('prompt:')).toBe(true);
  }, 30_000);
});
