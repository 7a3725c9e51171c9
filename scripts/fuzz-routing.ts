/**
 * Routing core fuzzer: random inputs into decide(), every invariant checked after each one.
 * Run: npm run fuzz:routing -- --inputs N [--seed S] [--segment N] [--max-seconds T] [--json]
 * With --max-seconds the run stops after the segment during which the budget ran out.
 * Replay a reported violation: npm run fuzz:routing -- --replay SEGMENT_SEED --step N
 * Progress goes to stderr; the report to stdout (one JSON object with --json).
 * Exit code 1 when any invariant was broken.
 */
import { emptyReport, runRoutingFuzz, runSegment, type FuzzReport } from '../test/support/routing-fuzz/run.js';

function usage(message: string): never {
  process.stderr.write(`${message}\nusage: npm run fuzz:routing -- --inputs N [--seed S] [--segment N] [--max-seconds T] [--json]\n`);
  process.exit(2);
}

function intArg(name: string, fallback: number | undefined, min: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) {
    if (fallback === undefined) usage(`--${name} is required`);
    return fallback;
  }
  const raw = (process.argv[i + 1] ?? '').replace(/_/g, '');
  const n = Number(raw);
  if (!/^-?\d+$/.test(raw) || !Number.isSafeInteger(n) || n < min) usage(`--${name} must be an integer ≥ ${min}, got ${JSON.stringify(process.argv[i + 1] ?? '')}`);
  return n;
}

if (process.argv.includes('--replay')) replay();

/** --replay SEGMENT_SEED --step N: rerun one segment up to a reported violation and print its story. */
function replay(): never {
  const segSeed = intArg('replay', undefined, Number.MIN_SAFE_INTEGER);
  const step = intArg('step', undefined, 0);
  const report = emptyReport(segSeed);
  runSegment(segSeed, step + 1, report, 1);
  const e = report.examples[0];
  if (!e) {
    process.stdout.write(`segment ${segSeed}: no violation in ${step + 1} inputs\n`);
    process.exit(0);
  }
  for (const r of e.recent) process.stdout.write(`  t=${r.at} ${JSON.stringify(r.input)}\n`);
  process.stdout.write(`> t=${e.at} ${JSON.stringify(e.input)}\n`);
  for (const m of e.messages) process.stdout.write(`  - ${m}\n`);
  process.exit(1);
}

const inputs = intArg('inputs', undefined, 1);
const seed = intArg('seed', 1, Number.MIN_SAFE_INTEGER);
const segmentInputs = intArg('segment', 100_000, 1);
const maxSeconds = intArg('max-seconds', 0, 0);
const json = process.argv.includes('--json');

const started = process.hrtime.bigint();
const elapsedMs = () => Number(process.hrtime.bigint() - started) / 1e6;
const rate = (r: FuzzReport) => Math.round(r.inputs / (elapsedMs() / 1000));

const report = runRoutingFuzz({
  seed,
  inputs,
  segmentInputs,
  maxExamples: 5,
  shouldStop: () => maxSeconds > 0 && elapsedMs() > maxSeconds * 1000,
  progressEvery: Math.max(10_000, Math.min(500_000, Math.floor(inputs / 20))),
  onProgress: (r) => process.stderr.write(`fuzz:routing ${r.inputs}/${inputs} inputs, ${r.violations} violations, ${Math.round(elapsedMs() / 1000)} s, ${rate(r)} inputs/s\n`),
});
const ms = Math.round(elapsedMs());
const out = {
  inputs: report.inputs,
  violations: report.violations,
  seed,
  requestedInputs: inputs,
  elapsedMs: ms,
  inputsPerSecond: Math.round(report.inputs / (ms / 1000)),
  decisions: report.decisions,
  timerFires: report.timerFires,
  lateTimerFires: report.lateTimerFires,
  segments: report.segments,
  segmentInputs,
  offers: report.offers,
  connects: report.connects,
  exits: report.exits,
  ignoredInputs: report.ignored,
  byType: report.byType,
  node: process.version,
  examples: report.examples,
};
if (json) {
  process.stdout.write(`${JSON.stringify(out)}\n`);
} else {
  process.stdout.write(
    `fuzz:routing seed ${seed}: ${out.inputs}${out.inputs < inputs ? ` of ${inputs} (stopped by --max-seconds)` : ''} inputs (${out.decisions} decisions, ${out.timerFires} timer fires) in ${(ms / 1000).toFixed(1)} s = ${out.inputsPerSecond} inputs/s; ` +
      `${out.offers} offers, ${out.connects} connects, ${out.exits} exits; ${out.violations} violations\n`,
  );
  for (const e of out.examples) {
    process.stdout.write(`\nviolation at step ${e.step} (segment seed ${e.segmentSeed}, t=${e.at}) after ${JSON.stringify(e.input)}:\n`);
    for (const m of e.messages) process.stdout.write(`  - ${m}\n`);
  }
}
process.exitCode = report.violations > 0 ? 1 : 0;
