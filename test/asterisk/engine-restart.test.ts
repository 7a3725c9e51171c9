/**
 * The engine survives its own death on a real Asterisk: the engine runs as a child process on a
 * SQLite file, one agent talks with a caller while three more wait in Queue 1; the engine is killed
 * (SIGKILL) and started again. The bridged call stays bridged and its talk counts from the original
 * answer; the waiting callers are served after the restart in their original order; every caller
 * gets exactly one CDR and is hung up cleanly.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import type { Cdr } from '../../src/domain/cdr.js';
import type { CallJournal } from '../../src/domain/journal.js';
import { openStore } from '../../src/store/store.js';
import { engineEnv, startEngineProcess, type EngineProcess } from './engine-process.js';
import { referenceConfigInput, skipReason, startAgentPhone } from './engine-world.js';
import { freePort, killAllChildren, startAsterisk, startCaller, type RunningAsterisk, type SippProcess } from './harness.js';

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

function readJournal(dbPath: string): CallJournal[] {
  const store = openStore(dbPath);
  try {
    return store.journal.all();
  } finally {
    store.close();
  }
}

/** CDRs and what is left in the journal, read once the engine has exited. */
function readOutcome(dbPath: string): { cdrs: Cdr[]; journalLeft: number } {
  const store = openStore(dbPath);
  try {
    return { cdrs: store.cdrs.all(), journalLeft: store.journal.all().length };
  } finally {
    store.close();
  }
}

describe.skipIf(skipReason !== undefined)(`engine restart on a real Asterisk${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  let asterisk: RunningAsterisk;
  let work: string;
  const far: SippProcess[] = [];
  let engine: EngineProcess | undefined;

  beforeAll(async () => {
    asterisk = await startAsterisk();
    work = mkdtempSync(join(tmpdir(), 'sb-restart-'));
  }, 60_000);

  afterAll(async () => {
    for (const s of far) s.kill();
    await engine?.kill('SIGKILL');
    await asterisk?.stop();
    killAllChildren();
    rmSync(work, { recursive: true, force: true });
  }, 20_000);

  /**
   * The reference configuration with one agent alone in `group` (its SIPp phone answers after
   * 200 ms and talks `talkMs`), and the engine started as a child process on its own database.
   */
  async function arrange(name: string, agent: { id: string; group: string; talkMs: number }) {
    const input = referenceConfigInput();
    input.agents = [{ id: agent.id, name: `Agent ${agent.id}`, phone: { type: 'sip', endpoint: agent.id }, groups: [agent.group], auto_login: true }];
    input.memberships = [];
    const configPath = join(work, `${name}.yaml`);
    writeFileSync(configPath, stringify(input));
    const dbPath = join(work, `${name}.db`);
    const env = engineEnv(asterisk, { dbPath, configPath, httpPort: await freePort() });
    far.push(await startAgentPhone(asterisk, agent.id, { kind: 'talk', ringMs: 200, talkMs: agent.talkMs }));
    const first = startEngineProcess(env, process.env.LOG_FILE);
    engine = first;
    await first.waitFor((l) => l.msg === 'engine started', 30_000);
    await first.waitFor((l) => l.msg === 'agent state' && l.agentId === agent.id && l.to === 'ready', 10_000).catch(() => undefined);
    await sleep(500); // the agent's endpoint state reaches the engine
    return { env, dbPath, started: first };
  }

  it('keeps the bridged call and serves the waiting callers in their order when the engine is killed and restarted', async () => {
    // Arrange: Queue 1 (number 2000, no IVR) staffed by agent 1001 alone, who talks 4 s per call.
    const { env, dbPath, started: firstEngine } = await arrange('switchboard', { id: '1001', group: 'g1', talkMs: 4000 });

    // One caller bridged with the agent, then three waiting.
    const base = 5_552_000_000 + Math.floor(Math.random() * 9_000) * 100;
    const callers = [0, 1, 2, 3].map((i) => String(base + i));
    const calls: Promise<{ code: number | null; errors: string }>[] = [];
    const dial = async (from: string) => {
      const c = await startCaller(asterisk, { to: '2000', from, timeoutMs: 50_000 });
      far.push(c);
      calls.push(c.done);
    };
    await dial(callers[0]!);
    await until(() => readJournal(dbPath).some((j) => j.step === 'bridged'), 'the first caller bridged', 10_000);
    for (const from of callers.slice(1)) {
      await dial(from);
      await until(() => readJournal(dbPath).some((j) => j.cdr.caller === from && j.step === 'queued'), `caller ${from} queued`, 10_000);
    }

    // Act: kill the engine, read what it left, start it again.
    await firstEngine.kill('SIGKILL');
    const killedAt = Date.now();
    const atKill = readJournal(dbPath);
    engine = startEngineProcess(env, process.env.LOG_FILE);
    const started = await engine.waitFor((l) => l.msg === 'engine started', 30_000);
    const outcomes = await Promise.all(calls);
    await sleep(500); // the last CDR is written once the engine has seen the hang-ups
    await engine.kill('SIGTERM');
    const { cdrs, journalLeft } = readOutcome(dbPath);

    // Assert: what the journal held at the kill, and what the restarted engine took up.
    const bridged = atKill.find((j) => j.step === 'bridged');
    expect(bridged?.cdr.caller).toBe(callers[0]);
    expect(atKill.filter((j) => j.step === 'queued').map((j) => j.cdr.caller).sort()).toEqual(callers.slice(1));
    expect(started.line).toMatchObject({ resumed: 4, completed: 0 });
    // Every caller was hung up by the server (SIPp saw the BYE): no call left hanging.
    expect(outcomes.map((o) => o.code)).toEqual([0, 0, 0, 0]);
    // One CDR per caller, all answered by the agent, none left in the journal.
    expect(cdrs.map((c) => c.caller).sort()).toEqual(callers);
    expect(cdrs.map((c) => [c.disposition, c.agentId])).toEqual(Array(4).fill(['answered', '1001']));
    expect(journalLeft).toBe(0);
    // The bridged call: talk measured from the original answer, across the restart.
    const first = cdrs.find((c) => c.caller === callers[0])!;
    expect(first.connectedAt).toBe(bridged!.cdr.connectedAt);
    expect(first.endedAt).toBeGreaterThan(killedAt);
    expect(first.talkMs).toBeGreaterThan(killedAt - first.connectedAt!);
    // The waiting callers: served after the restart in their original enqueue order.
    const waited = cdrs.filter((c) => c.caller !== callers[0]);
    const byConnect = [...waited].sort((a, b) => a.connectedAt! - b.connectedAt!).map((c) => c.caller);
    expect(byConnect).toEqual(callers.slice(1));
    const byEnqueue = [...waited].sort((a, b) => a.enqueuedAt! - b.enqueuedAt!).map((c) => c.caller);
    expect(byEnqueue).toEqual(callers.slice(1));
    for (const c of waited) expect(c.enqueuedAt).toBe(atKill.find((j) => j.cdr.caller === c.caller)!.cdr.enqueuedAt);
  }, 60_000);

  it('takes up a caller who was hearing an IVR menu through the dialplan when the engine was killed: the menu again, then the keys, the queue and the agent', async () => {
    // Arrange: Queue 2 staffed by agent 1003 alone, who talks 2 s.
    const { env, dbPath, started: firstEngine } = await arrange('switchboard-ivr', { id: '1003', group: 'g2', talkMs: 2000 });

    // The caller presses 1 then 2, late enough to hear the language menu again after the restart.
    const from = String(5_553_000_000 + Math.floor(Math.random() * 9_000) * 100);
    const caller = await startCaller(asterisk, { to: '1000', from, keys: [{ afterMs: 10_000, digit: '1' }, { afterMs: 12_000, digit: '2' }], timeoutMs: 50_000 });
    far.push(caller);
    await until(() => readJournal(dbPath).some((j) => j.cdr.caller === from && j.step === 'ivr'), 'the caller in the IVR', 10_000);
    await sleep(500);
    // The language menu (3.9 s) is playing in [switchboard-prompt], out of our application.
    expect(await asterisk.cli('core show channels concise')).toContain('switchboard-prompt');

    // Act: kill the engine while the caller is out in the prompt hop; start it again.
    await firstEngine.kill('SIGKILL');
    engine = startEngineProcess(env, process.env.LOG_FILE);
    const started = await engine.waitFor((l) => l.msg === 'engine started', 30_000);
    const outcome = await caller.done;
    await sleep(500);
    await engine.kill('SIGTERM');
    const { cdrs, journalLeft } = readOutcome(dbPath);

    // Assert: taken up, not lost: one CDR, answered by the agent after both keys, nothing left.
    expect(started.line).toMatchObject({ resumed: 1 });
    expect(outcome.code, outcome.errors).toBe(0);
    expect(cdrs.filter((c) => c.caller === from)).toHaveLength(1);
    expect(cdrs[0]).toMatchObject({ caller: from, disposition: 'answered', agentId: '1003', queueId: 'q2' });
    expect(cdrs[0]!.ivrPath).toMatch(/english:2$/);
    expect(journalLeft).toBe(0);
  }, 60_000);
});
