/**
 * `npm start` with SWITCHBOARD_PBX=freeswitch when FreeSWITCH is not there yet: the API comes up,
 * /health says degraded with the PBX link down, the log names the setting, and the engine starts
 * once FreeSWITCH's event socket answers (retried with back-off).
 */
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../src/app.js';
import { skipReasonFor } from '../asterisk/engine-world.js';
import { freePort, killAllChildren } from '../asterisk/harness.js';
import { startFreeswitch, type RunningFreeswitch } from './harness.js';

const skipReason = skipReasonFor('freeswitch');

describe.skipIf(skipReason !== undefined)(`app start on FreeSWITCH${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  let fs: RunningFreeswitch | undefined;
  let app: App | undefined;
  afterAll(async () => {
    await app?.stop();
    await fs?.stop();
    killAllChildren();
  });

  it('serves /health degraded and logs the ESL setting while FreeSWITCH is down, then starts when it comes up', async () => {
    const eslPort = await freePort();
    const httpPort = await freePort();
    const lines: string[] = [];
    const log = pino({ level: 'info' }, new Writable({ write: (chunk, _enc, cb) => (lines.push(String(chunk)), cb()) }));
    const starting = createApp(
      {
        configPath: new URL('../../config/example.yaml', import.meta.url).pathname,
        dbPath: ':memory:',
        pbx: 'freeswitch',
        freeswitch: { host: '127.0.0.1', port: eslPort, password: 'esl-secret', app: 'switchboard', domain: 'switchboard', trunkHost: '127.0.0.1:5999', mohClasses: ['default'] },
        http: { port: httpPort, host: '127.0.0.1', sessionTtlMs: 3_600_000, adminKey: undefined, ctiQueueStatsDelayMs: 0 },
      },
      log,
    );
    starting.catch(() => undefined);
    const health = async () => (await fetch(`http://127.0.0.1:${httpPort}/health`).then((r) => r.json().catch(() => undefined)).catch(() => undefined)) as { status: string; pbx: { state: string } } | undefined;

    let down: Awaited<ReturnType<typeof health>>;
    for (let i = 0; i < 100 && !down; i++) {
      down = await health();
      if (!down) await new Promise((r) => setTimeout(r, 100));
    }
    await new Promise((r) => setTimeout(r, 1500));
    fs = await startFreeswitch({ eslPort, eslPassword: 'esl-secret' });
    app = await starting;
    let up = await health();
    for (let i = 0; i < 50 && up?.status !== 'ok'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      up = await health();
    }

    expect(down).toMatchObject({ status: 'degraded', pbx: { state: 'down' } });
    expect(lines.some((l) => l.includes('ESL_HOST/ESL_PORT') && l.includes('ECONNREFUSED'))).toBe(true);
    expect(up).toMatchObject({ status: 'ok', pbx: { state: 'up' } });
  }, 90_000);
});
