/**
 * The FreeSWITCH driver under faults, on a real FreeSWITCH: a wrong ESL password at start, an
 * event socket cut while FreeSWITCH stays up (a TCP proxy drops it; a leg hung up meanwhile
 * ends with cause `lost` once the socket is back), a socket that stays down (pbx.lost), and a
 * FreeSWITCH that restarts (another core uuid: pbx.connected with restarted).
 */
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FreeswitchDriver, type FreeswitchDriverOptions } from '../../src/pbx/freeswitch/driver.js';
import { isPbxError, type PbxEvent } from '../../src/pbx/port.js';
import { killAllChildren, startCaller, type SippProcess } from '../asterisk/harness.js';
import { startTcpProxy, type TcpProxy } from '../asterisk/tcp-proxy.js';
import { skipReasonFor } from '../asterisk/engine-world.js';
import { startFreeswitch, trunkSide, type RunningFreeswitch } from './harness.js';

const skipReason = skipReasonFor('freeswitch');
/** With serverFirst, any predicate refuses every new connection. */
const isAuth = (chunk: string) => chunk.startsWith('auth ');

describe.skipIf(skipReason !== undefined)(`FreeSWITCH driver faults on a real FreeSWITCH${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  let fs: RunningFreeswitch;
  const far: SippProcess[] = [];
  const drivers: FreeswitchDriver[] = [];
  const proxies: TcpProxy[] = [];
  const logger = pino({ level: process.env.LOG_LEVEL ?? 'silent' });
  let seq = 0;

  beforeAll(async () => {
    fs = await startFreeswitch();
  }, 60_000);
  afterEach(async () => {
    for (const d of drivers.splice(0)) await d.stop();
    for (const p of proxies.splice(0)) await p.close();
    for (const s of far.splice(0)) s.kill();
    await fs.api('hupall NORMAL_CLEARING').catch(() => undefined);
  });
  afterAll(async () => {
    await fs?.stop();
    killAllChildren();
  });

  function watched(port: number, extra: Partial<FreeswitchDriverOptions> = {}) {
    const events: PbxEvent[] = [];
    const driver = new FreeswitchDriver({ host: '127.0.0.1', port, password: fs.eslPassword, app: fs.app, domain: fs.domain, trunkHost: fs.trunkHost, logger, reconnect: { initialDelayMs: 100, maxDelayMs: 300 }, ...extra });
    driver.onEvent((e) => events.push(e));
    drivers.push(driver);
    const next = async <K extends PbxEvent['type']>(type: K, pred: (e: Extract<PbxEvent, { type: K }>) => boolean = () => true, timeoutMs = 10_000) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = events.find((e) => e.type === type && pred(e as Extract<PbxEvent, { type: K }>));
        if (found) return found as Extract<PbxEvent, { type: K }>;
        if (Date.now() > deadline) throw new Error(`${type} not seen within ${timeoutMs} ms; saw ${events.map((e) => e.type).join(', ')}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    return { driver, events, next };
  }

  async function answeredCall(w: ReturnType<typeof watched>) {
    const from = `55577${String(++seq).padStart(5, '0')}`;
    far.push(await startCaller(trunkSide(fs), { to: '900', from, timeoutMs: 60_000 }));
    const arrived = await w.next('call.arrived', (e) => e.from === from, 15_000);
    await w.driver.answer(arrived.leg);
    return arrived.leg;
  }

  it('refuses to start with an error naming ESL_PASSWORD when the password is wrong', async () => {
    const w = watched(fs.eslPort, { password: 'not-the-password', connectTimeoutMs: 1500 });

    const err = await w.driver.start().catch((e: unknown) => e);

    expect(isPbxError(err, 'DISCONNECTED')).toBe(true);
    expect((err as Error).message).toContain('ESL_PASSWORD');
    expect((err as { details: Record<string, unknown> }).details.setting).toBe('ESL_PASSWORD');
  });

  it('ends a leg hung up while the event socket was cut with cause lost, and keeps the surviving leg usable', async () => {
    const proxy = await startTcpProxy(fs.eslPort, '127.0.0.1', { serverFirst: true });
    proxies.push(proxy);
    const w = watched(proxy.port, { lostAfterMs: 10_000 });
    await w.driver.start();
    const vanishing = await answeredCall(w);
    const surviving = await answeredCall(w);

    proxy.refuse(isAuth);
    proxy.dropAll();
    await w.next('pbx.disconnected');
    await fs.api(`uuid_kill ${vanishing} NORMAL_CLEARING`);
    proxy.allowAll();
    const hangup = await w.next('leg.hangup', (e) => e.leg === vanishing);
    await w.driver.setVariable(surviving, 'AFTER_CUT', '1');

    expect(hangup.cause).toBe('lost');
    expect(w.events.filter((e) => e.type === 'pbx.connected')).toEqual([{ type: 'pbx.connected' }, { type: 'pbx.connected' }]);
    expect(w.events.some((e) => e.type === 'pbx.lost')).toBe(false);
    expect((await fs.api(`uuid_getvar ${surviving} AFTER_CUT`)).trim()).toBe('1');
  }, 40_000);

  it('reports pbx.lost and fails commands with DISCONNECTED when the socket stays down, then lists the live legs again once back', async () => {
    const proxy = await startTcpProxy(fs.eslPort, '127.0.0.1', { serverFirst: true });
    proxies.push(proxy);
    const w = watched(proxy.port, { lostAfterMs: 500 });
    await w.driver.start();
    const leg = await answeredCall(w);

    proxy.refuse(isAuth);
    proxy.dropAll();
    await w.next('pbx.lost');
    const err = await w.driver.setVariable(leg, 'X', '1').catch((e: unknown) => e);
    proxy.allowAll();
    await w.next('pbx.connected', () => w.events.some((e) => e.type === 'pbx.lost'), 10_000);
    await new Promise((r) => setTimeout(r, 200));
    const connectedAfterLoss = w.events.slice(w.events.findIndex((e) => e.type === 'pbx.lost')).find((e) => e.type === 'pbx.connected');
    const live = await w.driver.recover();

    expect(isPbxError(err, 'DISCONNECTED')).toBe(true);
    expect(connectedAfterLoss).toEqual({ type: 'pbx.connected' });
    expect(live.map((l) => l.leg)).toContain(leg);
  }, 40_000);

  it('reports pbx.lost then pbx.connected with restarted when FreeSWITCH itself restarts', async () => {
    const other = await startFreeswitch();
    const w = watched(other.eslPort, { password: other.eslPassword, lostAfterMs: 500 });
    try {
      await w.driver.start();

      await other.stop();
      await w.next('pbx.lost');
      const again = await startFreeswitch({ eslPort: other.eslPort, eslPassword: other.eslPassword });
      try {
        const connected = await w.next('pbx.connected', (e) => e.restarted === true, 20_000);

        expect(connected).toEqual({ type: 'pbx.connected', restarted: true });
        expect(w.events.map((e) => e.type).filter((t) => t.startsWith('pbx.'))).toEqual(['pbx.connected', 'pbx.disconnected', 'pbx.lost', 'pbx.connected']);
      } finally {
        await w.driver.stop();
        await again.stop();
      }
    } finally {
      await other.stop();
    }
  }, 90_000);
});
