/**
 * The agent desktop as the agent's phone, for real: headless Chromium with fake audio devices
 * registers the agent's WebRTC endpoint (web1001: SIP over WebSocket on Asterisk's HTTP server,
 * DTLS-SRTP, ICE) from the page, a SIPp caller reaches Queue 1, the engine rings the browser, the
 * agent answers in the page, and the call's recording holds the browser's audio.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createSystemClock } from '../../src/infra/clock.js';
import { HAVE_CHROMIUM, launchChromium, logIn, seeText, type Chromium } from '../e2e/support/browser.js';
import { serveEngine, type ServedEngine } from '../e2e/support/web-world.js';
import { referenceConfig, skipReason, useEngineWorld, type EngineWorld } from './engine-world.js';

const why = skipReason ?? (HAVE_CHROMIUM ? undefined : 'no chromium');

/** RMS level (dBFS) of 16-bit PCM samples in a wav file, after its 44-byte header. */
function levelDbfs(wav: Buffer): number {
  let sum = 0;
  let n = 0;
  for (let i = 44; i + 1 < wav.length; i += 2) {
    const v = wav.readInt16LE(i) / 32768;
    sum += v * v;
    n++;
  }
  return n === 0 ? -Infinity : 10 * Math.log10(sum / n);
}

describe.skipIf(why !== undefined)(`browser phone (WebRTC) on a real Asterisk${why ? ` (skipped: ${why})` : ''}`, () => {
  const world = useEngineWorld();
  let w: EngineWorld;
  let chrome: Chromium;
  let served: ServedEngine | undefined;
  beforeAll(async () => {
    chrome = await launchChromium(['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', '--allow-loopback-in-peer-connection', '--disable-features=WebRtcHideLocalIpsWithMdns', '--autoplay-policy=no-user-gesture-required']);
  });
  afterAll(async () => {
    await served?.close();
    await chrome?.close();
  });
  beforeEach(() => {
    w = world();
  });

  it('rings the page, answers in it and records the browser audio when a caller reaches the agent', async () => {
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
    await w.caller({ to: '2000', from });
    await seeText(page, 'phone-call', 'Ringing', 20_000);
    await page.getByRole('button', { name: 'Answer' }).click();
    await seeText(page, 'agent-state', 'On call', 15_000);
    await seeText(page, 'phone-call', 'Connected', 5000);
    await new Promise((r) => setTimeout(r, 4000));
    await page.getByRole('button', { name: 'Hang up' }).click();
    const cdr = await w.until(() => w.cdrOf(from), 'the CDR', 15_000);

    // Assert: answered by 1001 and recorded; the recording is not silent (the browser's fake microphone beeps).
    expect(cdr).toMatchObject({ disposition: 'answered', agentId: '1001', hangupSide: 'agent' });
    const file = join(w.asterisk.spoolDir, 'recording', `${cdr.recording}.wav`);
    await w.until(() => existsSync(file), 'the recording file', 5000);
    const level = levelDbfs(readFileSync(file));
    console.log(`browser phone: recording ${cdr.recording}.wav level ${level.toFixed(1)} dBFS`);
    expect(level).toBeGreaterThan(-50);
  }, 90_000);
});
