/**
 * A virtual-queue callback survives the engine's death on a real Asterisk: a SIPp caller presses
 * the callback key and is hung up; when agent 1001's phone registers, the customer is dialled
 * through the trunk (a SIPp UAS that answers) and bridged with the agent. The engine (a child
 * process on a SQLite file) is killed while they talk and started again: the callback stays
 * bridged, its CDR is written when the agent hangs up (direction callback, parentCallId, talk from
 * the original connect), and the waiter ends Finished.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import type { Cdr } from '../../src/domain/cdr.js';
import type { CallJournal } from '../../src/domain/journal.js';
import type { VirtualWaiter } from '../../src/domain/virtual-queue.js';
import { openStore } from '../../src/store/store.js';
import { startAgentPhone } from './asterisk-lab.js';
import { engineEnv, startEngineProcess, type EngineProcess } from './engine-process.js';
import { referenceConfigInput, skipReason } from './engine-world.js';
import { freePort, killAllChildren, startAsterisk, startCaller, startTrunkPeer, type RunningAsterisk, type SippProcess } from './harness.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(probe: () => T | undefined | false, what: string, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`${what}: not seen within ${timeoutMs} ms`);
    await sleep(100);
  }
}

function read(dbPath: string): { journal: CallJournal[]; cdrs: Cdr[]; waiters: VirtualWaiter[] } {
  const store = openStore(dbPath);
  try {
    return { journal: store.journal.all(), cdrs: store.cdrs.all(), waiters: store.virtualWaiters.list(['Waiting', 'Notified', 'Connected', 'Finished', 'TimeOut']) };
  } finally {
    store.close();
  }
}

describe.skipIf(skipReason !== undefined)(`engine restart during a virtual-queue callback on a real Asterisk${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  let asterisk: RunningAsterisk;
  let work: string;
  const far: SippProcess[] = [];
  let engine: EngineProcess | undefined;

  beforeAll(async () => {
    asterisk = await startAsterisk();
    work = mkdtempSync(join(tmpdir(), 'sb-restart-cb-'));
  }, 60_000);

  afterAll(async () => {
    for (const s of far) s.kill();
    await engine?.kill('SIGKILL');
    await asterisk?.stop();
    killAllChildren();
    rmSync(work, { recursive: true, force: true });
  }, 20_000);

  it('keeps a bridged callback bridged across a kill and restart, then writes its CDR and finishes the waiter', async () => {
    // Arrange: Queue 1 (number 2000) with a virtual queue; agent 1001 logged in, its phone not registered yet.
    const input = referenceConfigInput();
    input.agents = [{ id: '1001', name: 'Alice', phone: { type: 'sip', endpoint: '1001' }, groups: ['g1'], auto_login: true }];
    input.memberships = [];
    Object.assign((input.queues as Record<string, unknown>[])[0]!, { virtual_queue: { key: '1', ring_timeout_s: 20, retries: 0 } });
    Object.assign(input, { click_to_call: { caller_id: '0100000000' } });
    const configPath = join(work, 'switchboard.yaml');
    writeFileSync(configPath, stringify(input));
    const dbPath = join(work, 'switchboard.db');
    const env = engineEnv(asterisk, { dbPath, configPath, httpPort: await freePort() });
    const logFile = process.env.LOG_FILE;
    engine = startEngineProcess(env, logFile);
    await engine.waitFor((l) => l.msg === 'engine started', 30_000);

    // The caller presses 1 and is hung up; its waiter keeps the place.
    const from = String(5_553_000_000 + Math.floor(Math.random() * 9_000) * 100);
    const caller = await startCaller(asterisk, { to: '2000', from, keys: [{ afterMs: 3000, digit: '1' }], timeoutMs: 30_000 });
    far.push(caller);
    expect((await caller.done).code).toBe(0);
    const waiter = await until(() => read(dbPath).waiters.find((w) => w.phone === from && w.state === 'Waiting'), 'the waiter', 10_000);

    // The trunk's far end answers; the agent's phone registers, answers and talks 10 s.
    const customer = await startTrunkPeer(asterisk, 'answer', { answerAfterMs: 300, timeoutMs: 90_000 });
    far.push(customer);
    far.push(await startAgentPhone(asterisk, '1001', { kind: 'talk', ringMs: 200, talkMs: 10_000 }));
    const bridged = await until(() => read(dbPath).journal.find((j) => j.kind === 'callback' && j.step === 'bridged'), 'the callback bridged', 30_000);
    expect(bridged).toMatchObject({ waiterId: waiter.id, agentId: '1001' });

    // Act: kill the engine mid-call and start it again.
    await engine.kill('SIGKILL');
    const killedAt = Date.now();
    engine = startEngineProcess(env, logFile);
    const started = await engine.waitFor((l) => l.msg === 'engine started', 30_000);

    // Assert: taken up, then ended by the agent's hang-up with a complete CDR.
    expect(started.line).toMatchObject({ resumed: 1, completed: 0, strays: 0 });
    const cdr = await until(() => read(dbPath).cdrs.find((c) => c.direction === 'callback'), 'the callback CDR', 30_000);
    expect(cdr).toMatchObject({ parentCallId: waiter.parentCallId, agentId: '1001', disposition: 'answered', dialled: from, queueId: 'q1', connectedAt: bridged.cdr.connectedAt, hangupSide: 'agent' });
    expect(cdr.endedAt).toBeGreaterThan(killedAt);
    expect(cdr.talkMs).toBeGreaterThan(killedAt - cdr.connectedAt!);
    const after = read(dbPath);
    expect(after.waiters.find((w) => w.id === waiter.id)).toMatchObject({ state: 'Finished', serviceState: 'Finished', agentId: '1001' });
    expect(after.journal).toEqual([]);
    expect((await customer.done).code).toBe(0);
    await engine.kill('SIGTERM');
  }, 120_000);
});
