/**
 * Chaos through a real Asterisk: the engine runs as a child process (node --import tsx src/main.ts)
 * on a SQLite file, SIPp agent phones answer and talk, SIPp callers (one caller number each) go
 * through the IVR into Queue 2 at a rate the agents cannot keep up with, and at a seeded moment:
 *   kill9            the engine is killed (SIGKILL) and started again;
 *   sigterm          the engine is stopped gracefully (SIGTERM, drain SWITCHBOARD_DRAIN_MS) and started again;
 *   ws-cut           a TCP proxy between the engine and Asterisk's HTTP port drops every connection for --cut-ms;
 *   asterisk-restart Asterisk restarts (core restart now): it hangs its calls up first.
 *   asterisk-crash   Asterisk is killed (SIGKILL) and started again 1.5 s later: its calls vanish.
 * Then the run goes on until the callers are done; the figures come from the engine's database
 * (read after it exited), its /metrics and SIPp's message log: calls placed, CDRs written and lost
 * (placed calls, by caller number, without a CDR), callers waiting at the disruption and how many
 * were served, agents left stuck, recovery time.
 *
 * Run: npm run chaos [-- --variants kill9,sigterm,ws-cut,asterisk-restart,asterisk-crash --calls 60 --rate 2
 *      --agents 6 --talk 4000 --seed 1 --max-seconds 120 --json]
 * --json prints one JSON array, one object per variant. LOG_DIR=dir keeps the engine's logs
 * (chaos-<variant>.log). Needs Asterisk (see test/asterisk/harness.ts) and sipp.
 */
import { parseArgs } from 'node:util';
import { findAsterisk, findSipp, HOW_TO_GET_ASTERISK } from '../test/asterisk/harness.js';
import { runVariant, VARIANTS, type ChaosResult, type Variant } from './chaos/run-variant.js';

const { values } = parseArgs({
  options: {
    variants: { type: 'string', default: 'kill9' },
    calls: { type: 'string', default: '60' },
    rate: { type: 'string', default: '2' },
    agents: { type: 'string', default: '6' },
    talk: { type: 'string', default: '4000' },
    seed: { type: 'string', default: '1' },
    'max-seconds': { type: 'string', default: '120' },
    'drain-ms': { type: 'string', default: '3000' },
    'cut-ms': { type: 'string', default: '2000' },
    json: { type: 'boolean', default: false },
  },
});
const num = (name: keyof typeof values) => {
  const n = Number(values[name]);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name}: expected a positive number, got "${String(values[name])}"`);
  return n;
};
const variants = values.variants!.split(',').map((v) => v.trim());
for (const v of variants) if (!(VARIANTS as readonly string[]).includes(v)) throw new Error(`--variants: unknown variant "${v}" (expected ${VARIANTS.join(', ')})`);
const opts = {
  calls: num('calls'),
  rate: num('rate'),
  agents: num('agents'),
  talkMs: num('talk'),
  maxSeconds: num('max-seconds'),
  seed: num('seed'),
  drainMs: num('drain-ms'),
  cutMs: num('cut-ms'),
  logDir: process.env.LOG_DIR || undefined,
};
const say = (s: string) => {
  if (!values.json) console.log(s);
};

const skip = !findAsterisk() ? HOW_TO_GET_ASTERISK : !findSipp() ? 'sipp not found: install sip-tester or set SIPP_BIN' : undefined;
if (skip) {
  console.error(`chaos: skipped: ${skip}`);
  process.exit(values.json ? 0 : 1);
}

say(`chaos: ${opts.calls} callers at ${opts.rate} cps through IVR → Queue 2, ${opts.agents} agents talking ${opts.talkMs} ms, seed ${opts.seed}, ≤ ${opts.maxSeconds} s per variant`);
const results: ChaosResult[] = [];
for (const v of variants as Variant[]) {
  say(`\n${v}:`);
  const r = await runVariant(v, opts, say);
  results.push(r);
  const pct = r.servedPct === null ? '-' : `${r.servedPct} %`;
  say(`  calls placed ${r.callsPlaced}, CDRs written ${r.cdrsWritten}, CDRs lost ${r.cdrsLost}${r.cdrsLost ? ` (${r.lostRefused} refused: ${r.lostCallers.join(', ')})` : ''}, refused by the PBX while no engine was connected ${r.refusedByPbx}${r.duplicateCdrs ? `, callers with two CDRs ${r.duplicateCdrs}` : ''}`);
  say(`  at the disruption (${r.disruptAtMs} ms): ${r.waitingAtKill} waiting, ${r.inIvrAtKill} in the IVR, ${r.bridgedAtKill} bridged`);
  say(`  served afterwards: ${r.servedAfterRestart}/${r.servedBase} (${pct})${v === 'asterisk-restart' || v === 'asterisk-crash' ? ' of the calls placed after Asterisk was back' : ' of the callers waiting'}`);
  say(`  stuck agents ${r.stuckAgents}; live calls at the end ${r.liveCallsAtEnd}; journal rows left ${r.journalLeft}`);
  say(`  recovery ${r.recoveryMs ?? '-'} ms${r.engineStartMs !== null ? ` (engine start ${r.engineStartMs} ms; ${JSON.stringify(r.recovery)})` : ''}`);
  say(`  dispositions ${JSON.stringify(r.dispositions)}; causes ${JSON.stringify(r.cdrsByCause)}; callers ${JSON.stringify(r.callerOutcomes)}${r.timedOut ? ' [TIMED OUT]' : ''}`);
}
if (values.json) console.log(JSON.stringify(results));
process.exit(0);
