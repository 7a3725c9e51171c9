/**
 * Calls that arrive while the engine is not connected (our Stasis application not registered):
 * the dialplan's fallback plays all-circuits-busy-now as early media and refuses the call with
 * 503 (Q.850 34), never answering, and leaves no channel behind. Checked on a fresh Asterisk
 * (the application never registered) and after an engine connected and went away.
 */
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AriClient } from '../../src/pbx/asterisk/ari-client.js';
import { AsteriskDriver } from '../../src/pbx/asterisk/driver.js';
import { skipReason } from './engine-world.js';
import { killAllChildren, startAsterisk, startSipp, type RunningAsterisk } from './harness.js';

describe.skipIf(skipReason !== undefined)(`Dialplan fallback without the engine${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  let asterisk: RunningAsterisk;
  let ari: AriClient;
  const logger = pino({ level: process.env.LOG_LEVEL ?? 'silent' });

  beforeAll(async () => {
    asterisk = await startAsterisk();
    // REST only: AriClient.request never opens the events WebSocket, so the app stays unregistered.
    ari = new AriClient({ url: asterisk.ariUrl, username: asterisk.ariUser, password: asterisk.ariPassword, app: asterisk.app, logger });
  }, 60_000);

  afterAll(async () => {
    await asterisk?.stop();
    killAllChildren();
  }, 20_000);

  async function channelsAfter(ms: number): Promise<unknown[]> {
    const deadline = Date.now() + ms;
    for (;;) {
      const list = await ari.request<unknown[]>('GET', '/channels');
      if (list.length === 0 || Date.now() > deadline) return list;
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async function callWithoutEngine(from: string) {
    const started = Date.now();
    const sipp = await startSipp({ scenario: 'uac-caller-expect-503.xml', asterisk, service: '1000', keys: { caller: from }, timeoutMs: 20_000 });
    const result = await sipp.done;
    return { ...result, ms: Date.now() - started };
  }

  it('plays all-circuits-busy-now as early media and refuses with 503 when the application was never registered', async () => {
    const result = await callWithoutEngine('5556000001');
    const left = await channelsAfter(2000);

    expect(result.code, result.errors).toBe(0);
    expect(result.messages).toMatch(/SIP\/2\.0 183 /);
    expect(result.messages).toMatch(/SIP\/2\.0 503 /);
    expect(result.messages).toMatch(/Reason: Q\.850;cause=34/);
    expect(result.messages).not.toMatch(/SIP\/2\.0 200 /);
    expect(result.ms).toBeGreaterThan(1000); // the announcement (about 2 s) played before the 503
    expect(left).toEqual([]);
    console.log(`fallback call refused after ${result.ms} ms`);
  }, 30_000);

  it('falls back the same way once an engine has connected and gone away', async () => {
    const driver = new AsteriskDriver({ url: asterisk.ariUrl, username: asterisk.ariUser, password: asterisk.ariPassword, app: asterisk.app, logger });
    await driver.start();
    await driver.stop();

    const result = await callWithoutEngine('5556000002');
    const left = await channelsAfter(2000);

    expect(result.code, result.errors).toBe(0);
    expect(result.messages).toMatch(/SIP\/2\.0 503 /);
    expect(left).toEqual([]);
  }, 30_000);
});
