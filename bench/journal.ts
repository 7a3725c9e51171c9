/**
 * Cost of the live-call journal: how many journal writes a call makes and what they cost on disk.
 *
 * 1. A simulated hour of the reference flow (sim PBX, virtual clock, seeded) through the engine
 *    with a store wrapper that records every journal write and CDR completion, as they happen.
 * 2. Those writes replayed, in order, into a SQLite file (WAL, synchronous=NORMAL as the engine
 *    opens it), timing each: µs per write, and per call (its journal writes + the CDR transaction).
 *
 * Run: npm run bench:journal [-- --calls-per-hour 600 --json]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { Engine, type EngineStore } from '../src/calls/engine.js';
import type { Cdr } from '../src/domain/cdr.js';
import type { CallJournal } from '../src/domain/journal.js';
import { seededRandom } from '../src/domain/random.js';
import { loadConfigFile } from '../src/infra/config-file.js';
import { VirtualClock } from '../src/infra/clock.js';
import { silentLogger } from '../src/infra/logger.js';
import { SimPbx } from '../src/pbx/sim/sim-pbx.js';
import { openStore } from '../src/store/store.js';

const { values } = parseArgs({ options: { 'calls-per-hour': { type: 'string', default: '600' }, json: { type: 'boolean', default: false } } });
const perHour = Number(values['calls-per-hour']);
if (!(perHour > 0)) throw new Error('--calls-per-hour must be a positive number');

type Op = { kind: 'save'; entry: CallJournal; at: number } | { kind: 'complete'; cdr: Cdr };

async function record(): Promise<{ ops: Op[]; calls: number }> {
  const config = loadConfigFile(new URL('../config/example.yaml', import.meta.url).pathname);
  const clock = new VirtualClock(Date.UTC(2026, 10, 2, 8));
  const pbx = new SimPbx(clock, { defaultPromptMs: 3000 });
  const mem = openStore(':memory:');
  mem.config.replaceAll(config);
  const ops: Op[] = [];
  const store: EngineStore = {
    cdrs: mem.cdrs,
    queueLog: mem.queueLog,
    agentSessions: mem.agentSessions,
    journal: { ...mem.journal, save: (entry, at) => (ops.push({ kind: 'save', entry: structuredClone(entry), at }), mem.journal.save(entry, at)) },
    completeCall: (cdr) => (ops.push({ kind: 'complete', cdr }), mem.completeCall(cdr)),
  };
  const random = seededRandom(7);
  const engine = new Engine({ pbx, clock, log: silentLogger(), store, config: mem.config.load(), seed: 7 });
  await engine.start();
  for (const a of config.agents) pbx.setPhone(a.phone.type === 'sip' ? a.phone.endpoint : a.phone.number, { behavior: 'answer', answerAfterMs: 3000, talkMs: 20_000 });
  let t = clock.now();
  let calls = 0;
  while (t < Date.UTC(2026, 10, 2, 9)) {
    t += -Math.log(1 - random()) * (3_600_000 / perHour);
    calls += 1;
    pbx.placeCall({ to: '1000', from: `+1555${1_000_000 + calls}`, at: t, patienceMs: 60_000 + random() * 120_000, keys: [{ afterMs: 1500, digit: '1' }, { afterMs: 5000, digit: random() < 0.5 ? '1' : '2' }] });
  }
  await clock.advanceTo(Date.UTC(2026, 10, 2, 10));
  await engine.stop();
  mem.close();
  return { ops, calls };
}

const { ops, calls } = await record();
const dir = mkdtempSync(join(tmpdir(), 'sb-journal-'));
const disk = openStore(join(dir, 'bench.db'));
const saveUs: number[] = [];
const completeUs: number[] = [];
for (const op of ops) {
  const t0 = performance.now();
  if (op.kind === 'save') disk.journal.save(op.entry, op.at);
  else disk.completeCall(op.cdr);
  (op.kind === 'save' ? saveUs : completeUs).push((performance.now() - t0) * 1000);
}
disk.close();
rmSync(dir, { recursive: true, force: true });

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] ?? 0;
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const ended = completeUs.length;
const report = {
  callsPlaced: calls,
  callsEnded: ended,
  journalWrites: saveUs.length,
  writesPerCall: +(saveUs.length / Math.max(1, ended)).toFixed(1),
  saveUsP50: +pct(saveUs, 50).toFixed(1),
  saveUsP99: +pct(saveUs, 99).toFixed(1),
  completeUsP50: +pct(completeUs, 50).toFixed(1),
  completeUsP99: +pct(completeUs, 99).toFixed(1),
  usPerCall: +((sum(saveUs) + sum(completeUs)) / Math.max(1, ended)).toFixed(1),
};
if (values.json) console.log(JSON.stringify(report));
else {
  console.log(`journal: ${report.callsPlaced} calls placed, ${report.callsEnded} ended, ${report.journalWrites} journal writes (${report.writesPerCall} per call)`);
  console.log(`  journal write on a WAL file: p50 ${report.saveUsP50} µs, p99 ${report.saveUsP99} µs`);
  console.log(`  CDR + journal delete (one transaction): p50 ${report.completeUsP50} µs, p99 ${report.completeUsP99} µs`);
  console.log(`  per call, all journal I/O: ${report.usPerCall} µs`);
}
