/**
 * What only a real Asterisk can show, beyond the PBX contract: our prompts play in Spanish,
 * recordings land on disk, our call id is on the channel, snoop modes, and the configuration's
 * security defaults (loopback, no anonymous caller, no route from agents to the trunk).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AriClient } from '../../src/pbx/asterisk/ari-client.js';
import { AsteriskDriver } from '../../src/pbx/asterisk/driver.js';
import { isPbxError, type LegId, type PbxEvent } from '../../src/pbx/port.js';
import {
  findAsterisk,
  findSipp,
  HOW_TO_GET_ASTERISK,
  killAllChildren,
  repoRoot,
  startAsterisk,
  startCaller,
  startPhone,
  type RunningAsterisk,
  type SippProcess,
} from './harness.js';

const hasTools = ['espeak-ng', 'sox'].every((t) => spawnSync(t, ['--version'], { timeout: 5000 }).status === 0);
const skip = !findAsterisk() ? HOW_TO_GET_ASTERISK : !findSipp() ? 'sipp not found' : undefined;

describe.skipIf(skip !== undefined)(`Asterisk driver on a real Asterisk${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let asterisk: RunningAsterisk;
  let driver: AsteriskDriver;
  let ari: AriClient;
  let soundsDir: string;
  const events: PbxEvent[] = [];
  const far: SippProcess[] = [];
  let seq = 0;

  beforeAll(async () => {
    soundsDir = mkdtempSync(join(tmpdir(), 'sb-sounds-'));
    if (hasTools) {
      const r = spawnSync(process.execPath, [join(repoRoot, 'scripts/prompts/synthesize.mjs'), '--out', soundsDir, '--only', 'choose-language,invalid'], { timeout: 60_000, encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`prompt synthesis failed: ${r.stderr}`);
    }
    asterisk = await startAsterisk({ soundsDir });
    const logger = pino({ level: process.env.LOG_LEVEL ?? 'silent' });
    const opts = { url: asterisk.ariUrl, username: asterisk.ariUser, password: asterisk.ariPassword, app: asterisk.app, logger };
    driver = new AsteriskDriver(opts);
    ari = new AriClient(opts);
    driver.onEvent((e) => events.push(e));
    await driver.start();
  }, 90_000);

  afterEach(async () => {
    for (const s of far.splice(0)) {
      s.kill();
      await s.done;
    }
  });

  afterAll(async () => {
    await driver?.stop();
    await asterisk?.stop();
    killAllChildren();
    if (soundsDir) rmSync(soundsDir, { recursive: true, force: true });
  }, 20_000);

  async function waitFor<T extends PbxEvent>(pred: (e: PbxEvent) => e is T, timeoutMs = 10_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = events.find(pred);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`event not seen within ${timeoutMs} ms; saw ${events.map((e) => e.type).join(', ')}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  async function answeredCall(): Promise<LegId> {
    const from = `5557${String(++seq).padStart(6, '0')}`;
    far.push(await startCaller(asterisk, { to: '901', from, timeoutMs: 60_000 }));
    const arrived = await waitFor((e): e is Extract<PbxEvent, { type: 'call.arrived' }> => e.type === 'call.arrived' && e.from === from);
    await driver.answer(arrived.leg);
    return arrived.leg;
  }

  it.skipIf(!hasTools)('plays our synthesized prompts in Spanish as sound:switchboard/<name>', async () => {
    const leg = await answeredCall();

    const started = Date.now();
    const outcome = await driver.play(leg, ['sound:switchboard/choose-language', 'switchboard/invalid'], { language: 'es' });

    expect(outcome).toBe('finished');
    expect(Date.now() - started).toBeGreaterThan(3000); // a missing file fails at once
    expect(existsSync(join(soundsDir, 'switchboard/es/choose-language.wav'))).toBe(true);
  }, 30_000);

  it('writes a bridge recording to astspooldir/recording, shorter than the call by the pause', async () => {
    const a = await answeredCall();
    const b = await answeredCall();
    const name = `rec-${Date.now()}`;

    const bridge = await driver.bridge([a, b]);
    const rec = await driver.recordBridge(bridge, { name });
    await new Promise((r) => setTimeout(r, 1200));
    await driver.pauseRecording(rec);
    await new Promise((r) => setTimeout(r, 1200));
    await driver.resumeRecording(rec);
    await new Promise((r) => setTimeout(r, 1200));
    await driver.stopRecording(rec);
    const finished = await waitFor((e): e is Extract<PbxEvent, { type: 'recording.finished' }> => e.type === 'recording.finished' && e.recording === name);

    const file = join(asterisk.spoolDir, 'recording', `${name}.wav`);
    expect(statSync(file).size).toBeGreaterThan(44);
    expect(finished.durationMs).toBeGreaterThanOrEqual(1000);
    expect(finished.durationMs).toBeLessThan(3600);
    await expect(driver.pauseRecording(rec)).rejects.toSatisfy((e: unknown) => isPbxError(e, 'LEG_GONE'));
  }, 30_000);

  it('sets SWITCHBOARD_CALL_ID and the request variables on an originated leg', async () => {
    far.push(await startPhone(asterisk, { endpoint: '1001', behavior: 'answer', answerAfterMs: 100 }));

    const leg = await driver.originate({ destination: { kind: 'sip', endpoint: '1001' }, callerId: { number: '900', name: 'Sales' }, timeoutMs: 10_000, callId: 'call-42', variables: { QUEUE_ID: 'q1' } });
    await waitFor((e): e is PbxEvent => e.type === 'leg.answered' && e.leg === leg);
    const callId = await ari.request<{ value: string }>('GET', `/channels/${leg}/variable`, { query: { variable: 'SWITCHBOARD_CALL_ID' } });
    const queue = await ari.request<{ value: string }>('GET', `/channels/${leg}/variable`, { query: { variable: 'QUEUE_ID' } });
    await driver.hangup(leg);

    expect(callId.value).toBe('call-42');
    expect(queue.value).toBe('q1');
  }, 30_000);

  it.each(['whisper', 'barge'] as const)('creates a %s snoop leg that can be bridged with another leg', async (mode) => {
    const target = await answeredCall();
    const supervisor = await answeredCall();

    const spy = await driver.snoop(target, mode);
    const bridge = await driver.bridge([spy, supervisor]);
    await driver.destroyBridge(bridge);
    await driver.hangup(spy);

    await waitFor((e): e is PbxEvent => e.type === 'leg.hangup' && e.leg === spy);
  }, 30_000);

  it('never hands a call from an unknown address to the engine', async () => {
    const from = '5550000666';
    const stranger = await startCaller(asterisk, { to: '900', from, localIp: '127.0.0.2', timeoutMs: 5000 });
    far.push(stranger);

    const result = await stranger.done;

    expect(result.code).not.toBe(0);
    expect(result.messages).toMatch(/SIP\/2\.0 (401|403)/);
    expect(events.some((e) => e.type === 'call.arrived' && e.from === from)).toBe(false);
  }, 30_000);

  it('binds HTTP/ARI and SIP to loopback, has no anonymous endpoint, and gives agents no route out but the engine', async () => {
    const http = await asterisk.cli('http show status');
    const transports = await asterisk.cli('pjsip show transports');
    const endpoints = await asterisk.cli('pjsip show endpoints');
    const agents = await asterisk.cli('dialplan show from-agents');

    expect(http).toContain(`127.0.0.1:${asterisk.httpPort}`);
    expect(transports).toMatch(new RegExp(`udp\\s+\\d+\\s+\\d+\\s+127\\.0\\.0\\.1:${asterisk.sipPort}`));
    expect(transports).toMatch(new RegExp(`tcp\\s+\\d+\\s+\\d+\\s+127\\.0\\.0\\.1:${asterisk.sipPort}`));
    expect(endpoints).not.toMatch(/anonymous/i);
    // Every number an agent dials goes to the engine (its dialling policy); no Dial() to a trunk.
    expect(agents).toMatch(/Stasis\([^,]+,phone,\$\{EXTEN\}\)/);
    expect(agents).not.toMatch(/Dial\(/);
  }, 30_000);

  it('refuses to start with a wrong ARI password (DISCONNECTED)', async () => {
    const bad = new AsteriskDriver({ url: asterisk.ariUrl, username: asterisk.ariUser, password: 'wrong', app: 'other', logger: pino({ level: 'silent' }), connectTimeoutMs: 1000 });

    const err = await bad.start().catch((e: unknown) => e);

    expect(isPbxError(err, 'DISCONNECTED')).toBe(true);
  }, 30_000);
});
