/**
 * The agent desktop as the agent's phone, for real: headless Chromium with fake audio devices
 * registers the agent's WebRTC endpoint (web1001: SIP over WebSocket on Asterisk's HTTP server,
 * DTLS-SRTP, ICE) from the page, a SIPp caller reaches Queue 1, the engine rings the browser, the
 * agent answers in the page, and the call's recording holds audio from both sides: the caller's
 * 440 Hz tone (SIPp pcap) and the browser's 1 kHz tone (Chromium's fake microphone, a WAV file),
 * each measured apart in the mixed recording.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createSystemClock } from '../../src/infra/clock.js';
import { HAVE_CHROMIUM, launchChromium, logIn, seeText, type Chromium } from '../e2e/support/browser.js';
import { serveEngine, type ServedEngine } from '../e2e/support/web-world.js';
import { referenceConfig, skipReason, useEngineWorld, type EngineWorld } from './engine-world.js';
import { startSipp, type SippProcess } from './harness.js';
import { toneLevelDbfs, tonePcap, toneWav } from './tone-audio.js';

const CALLER_HZ = 440;
const BROWSER_HZ = 1000;
/** Where uac-caller-tone-expect-bye.xml reads its pcap (SIPp takes no pcap path from -key). */
const CALLER_PCAP = '/tmp/switchboard-caller-tone.pcap';

const why = skipReason ?? (HAVE_CHROMIUM ? undefined : 'no chromium');

describe.skipIf(why !== undefined)(`browser phone (WebRTC) on a real Asterisk${why ? ` (skipped: ${why})` : ''}`, () => {
  const world = useEngineWorld();
  let w: EngineWorld;
  let chrome: Chromium;
  let served: ServedEngine | undefined;
  let caller: SippProcess | undefined;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sb-webrtc-'));
    writeFileSync(join(dir, 'mic.wav'), toneWav(BROWSER_HZ, 10));
    writeFileSync(CALLER_PCAP, tonePcap(CALLER_HZ, 40));
    chrome = await launchChromium([`--use-file-for-fake-audio-capture=${join(dir, 'mic.wav')}`, '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', '--allow-loopback-in-peer-connection', '--disable-features=WebRtcHideLocalIpsWithMdns', '--autoplay-policy=no-user-gesture-required']);
  });
  afterAll(async () => {
    caller?.kill();
    await served?.close();
    await chrome?.close();
    rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    w = world();
  });

  it('rings the page, answers in it and records both sides when a caller reaches the agent', async () => {
    // Arrange: Alice's phone is her browser (web1001); Queue 1 records.
    await w.beginTest(
      referenceConfig((c) => {
        c.queues[0]!.record = true;
        c.agents = c.agents!.map((a) => (a.id === '1001' ? { ...a, phone: { type: 'sip' as const, endpoint: 'web1001' } } : { ...a, auto_login: false }));
      }),
    );
    served = await serveEngine(w.engine, w.store, createSystemClock());
    await served.user('alice', { profile: 'agent', agentId: '1001' });
    const { page } = await chrome.page();
    page.on('console', (m) => process.env.WEBRTC_DEBUG && console.log('page:', m.text()));
    await logIn(page, served.url, 'alice');
    await page.getByLabel('PBX WebSocket').fill(`ws://127.0.0.1:${w.asterisk.httpPort}/ws`);
    await page.getByLabel('SIP user').fill('web1001');
    await page.getByLabel('SIP password').fill(w.asterisk.phonePassword);
    await page.getByRole('button', { name: 'Use the browser as my phone' }).click();
    await seeText(page, 'phone-status', 'registered', 10_000);
    await w.until(() => w.engine.agentSnapshot('1001')?.reachable, 'the browser phone registered', 10_000);

    // Act: a caller on the no-IVR number reaches Queue 1; the agent answers in the page and talks 4 s.
    const from = w.nextCaller();
    caller = await startSipp({ asterisk: w.asterisk, scenario: 'uac-caller-tone-expect-bye.xml', service: '2000', keys: { caller: from }, timeoutMs: 60_000 });
    await seeText(page, 'phone-call', 'Ringing', 20_000);
    // On a real PBX the desk offers no simulated-phone Answer: only the browser phone's own.
    expect(await page.getByRole('button', { name: 'Answer' }).count()).toBe(1);
    await page.getByTestId('phone-call').getByRole('button', { name: 'Answer' }).click();
    await seeText(page, 'agent-state', 'On call', 15_000);
    await seeText(page, 'phone-call', 'Connected', 5000);
    await new Promise((r) => setTimeout(r, 4000));
    await page.getByRole('button', { name: 'Hang up' }).click();
    const cdr = await w.until(() => w.cdrOf(from), 'the CDR', 15_000);

    // Assert: answered by 1001 and recorded, with the caller's and the browser's tones both in it.
    expect(cdr).toMatchObject({ disposition: 'answered', agentId: '1001', hangupSide: 'agent' });
    const file = join(w.asterisk.spoolDir, 'recording', `${cdr.recording}.wav`);
    await w.until(() => existsSync(file), 'the recording file', 5000);
    const wav = readFileSync(file);
    const callerDb = toneLevelDbfs(wav, CALLER_HZ);
    const browserDb = toneLevelDbfs(wav, BROWSER_HZ);
    const offDb = toneLevelDbfs(wav, 2600);
    console.log(`browser phone: recording ${cdr.recording}.wav: caller ${CALLER_HZ} Hz ${callerDb.toFixed(1)} dBFS, browser ${BROWSER_HZ} Hz ${browserDb.toFixed(1)} dBFS, 2600 Hz (neither) ${offDb.toFixed(1)} dBFS`);
    expect(callerDb).toBeGreaterThan(-40);
    expect(browserDb).toBeGreaterThan(-40);
    expect(offDb).toBeLessThan(Math.min(callerDb, browserDb) - 20);
  }, 90_000);
});
