/**
 * Load through a real Asterisk on loopback: SIPp callers dial, press 1 then 2 (IVR → Queue 2),
 * wait, and are bridged with one of N registered SIPp agent phones that answer after a short
 * ring, talk a little and hang up. Bounded in calls and time.
 *
 * Two paths on the same Asterisk, at each rate, in one invocation (one fresh Asterisk per rate):
 * - `native` (with --baseline app_queue): the same flow done by Asterisk alone, rendered by the
 *   bench into its private Asterisk (support/native-baseline.ts): Background/WaitExten IVR,
 *   greeting, Queue() with static PJSIP members. Its records are queue_log lines.
 * - `switchboard`: the engine in this process drives the flow over ARI; its records are CDRs.
 * For each: completion (answered / placed), calls per second completed, SIPp's own success
 * count, Asterisk CPU ms per answered call (/proc/<pid>/stat), engine CPU ms per answered call
 * (process.cpuUsage), calls with no record, PBX requests per call; then the highest rate at
 * ≥ 99.9 % completion and the ratios switchboard ÷ native.
 *
 * Run: npm run load [-- --calls 200 --rate 5 --agents 10 --talk 2000 --max-seconds 180 --json]
 *      npm run load -- --baseline app_queue --rates 20,30,40,50 --calls 400 --agents 200
 *      --ari-max-inflight N   the ARI client's limit on requests in flight (default 32)
 *      --max-live-calls N     the engine's admission limit (default: none)
 *      --sounds DIR           our synthesized prompts (DIR/switchboard/<lang>; default <repo>/sounds)
 *      --stop-on-drop         stop stepping a path up once it falls under 99.9 %
 *      --rest ws|http         ARI REST over the events WebSocket (the driver's default) or HTTP
 *      --warmup N             N calls through the engine at the same rate before the measured ones,
 *                             not counted (the engine's figures once its code is compiled and warm)
 *      --overload             switchboard only: step the rates (--rates, default 100,150,…,300) up
 *                             until completion drops under 99.9 %, then offer twice the highest
 *                             sustained rate (or, with no drop up to --overload-top, twice the top
 *                             with --max-live-calls, default the top rate, so the engine sheds);
 *                             reports callsWithoutCdr and whether SIPp's counts agree with the CDRs
 *      --overload-top N       the highest rate stepped to (default 300)
 * SWITCHBOARD_MAX_LIVE_CALLS sets --max-live-calls when the flag is not given.
 * Profile the engine: node --cpu-prof --cpu-prof-dir=prof --import tsx bench/load.ts …
 * Needs Asterisk (see test/asterisk/harness.ts) and sipp. LOG_FILE=path writes the engine's log.
 */
import { cpus, loadavg, tmpdir } from 'node:os';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { pino, type Logger } from 'pino';
import { Engine } from '../src/calls/engine.js';
import type { Cdr } from '../src/domain/cdr.js';
import type { Config } from '../src/domain/config.js';
import { createSystemClock } from '../src/infra/clock.js';
import { AriClient } from '../src/pbx/asterisk/ari-client.js';
import { AsteriskDriver } from '../src/pbx/asterisk/driver.js';
import { trunkEndpointState } from '../src/pbx/asterisk/event-filter.js';
import { openStore } from '../src/store/store.js';
import { configOf } from '../test/asterisk/engine-world.js';
import { findAsterisk, findSipp, freePort, HOW_TO_GET_ASTERISK, killAllChildren, repoRoot, scenariosDir, startAsterisk, type RunningAsterisk } from '../test/asterisk/harness.js';
import { countEvent, counter, countRequest, probePort } from './support/load-probe.js';
import { asteriskCpuMs, installNativeBaseline, NATIVE_EXTEN, queueLogSince, queueLogSize } from './support/native-baseline.js';
import { describeOverload, overloadRun, type OverloadResult } from './support/overload.js';
import { agentEndpoints, fleetConfigInput, IVR_TO_QUEUE_2_KEYS, killFleet, sipp, sippStats, sleep, startAgentFleet, widenAsterisk } from './support/sipp-fleet.js';
import { mainThreadSleeps } from './support/wakeups.js';

const { values } = parseArgs({
  options: {
    calls: { type: 'string', default: '200' },
    rate: { type: 'string', default: '5' },
    rates: { type: 'string' },
    agents: { type: 'string', default: '10' },
    ring: { type: 'string', default: '100' },
    talk: { type: 'string', default: '2000' },
    'max-seconds': { type: 'string', default: '180' },
    json: { type: 'boolean', default: false },
    baseline: { type: 'string' },
    sounds: { type: 'string' },
    'stop-on-drop': { type: 'boolean', default: false },
    /** Cap concurrent ARI requests in this process (0 = no cap, the engine as it is). */
    'ari-max-inflight': { type: 'string', default: '32' },
    'max-live-calls': { type: 'string' },
    /** How the engine sends ARI REST requests: ws (over the events WebSocket, the driver's default) or http. */
    rest: { type: 'string', default: 'ws' },
    overload: { type: 'boolean', default: false },
    'overload-top': { type: 'string', default: '300' },
    /** Calls placed through the engine at the same rate before the measured ones (not counted): the engine's CPU once its code is compiled and warm, as in a process that has run for a while. */
    warmup: { type: 'string', default: '0' },
  },
});
const CALLS = Number(values.calls);
const WARMUP = Number(values.warmup);
if (!(Number.isInteger(WARMUP) && WARMUP >= 0)) throw new Error(`--warmup: a whole number of calls ≥ 0 expected (got ${values.warmup})`);
const AGENTS = Number(values.agents);
const RING_MS = Number(values.ring);
const TALK_MS = Number(values.talk);
const MAX_S = Number(values['max-seconds']);
const RATES = (values.rates ?? (values.overload ? '100,150,200,250,300' : values.rate)).split(',').map(Number);
const ARI_BUDGET = 8;
const ARI_MAX_INFLIGHT = Number(values['ari-max-inflight']);
const maxLiveText = values['max-live-calls'] ?? process.env.SWITCHBOARD_MAX_LIVE_CALLS;
const MAX_LIVE = maxLiveText === undefined || maxLiveText === '' ? undefined : Number(maxLiveText);
const OVERLOAD = values.overload;
const OVERLOAD_TOP = Number(values['overload-top']);
if (!(Number.isFinite(OVERLOAD_TOP) && OVERLOAD_TOP > 0)) throw new Error('--overload-top must be a positive number');
if (![CALLS, AGENTS, RING_MS, TALK_MS, MAX_S, ...RATES].every((n) => Number.isFinite(n) && n > 0)) throw new Error('flags must be positive numbers');
if (MAX_LIVE !== undefined && !(Number.isInteger(MAX_LIVE) && MAX_LIVE > 0)) throw new Error('--max-live-calls must be a positive integer');
if (values.baseline !== undefined && values.baseline !== 'app_queue') throw new Error(`--baseline: only app_queue is known (got ${values.baseline})`);
const BASELINE = values.baseline === 'app_queue';
if (values.rest !== 'ws' && values.rest !== 'http') throw new Error(`--rest: ws or http (got ${values.rest})`);

const say = (s: string) => {
  if (!values.json) console.log(s);
};

// ------------------------------------------------------------ helpers

function pct(xs: number[], q: number): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  return Math.round(s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)]! * 100) / 100;
}

// ------------------------------------------------------------ one run

type PathName = 'native' | 'switchboard';

interface PathRun {
  path: PathName;
  rate: number;
  callsPlaced: number;
  /** Calls that reached the engine (switchboard) or entered a queue (native). */
  reached: number;
  /** Records written: CDRs (switchboard), calls with a terminal queue_log event (native). */
  records: number;
  answered: number;
  completionPct: number;
  byDisposition: Record<string, number>;
  /** Calls that reached the engine (or a queue) and have no record. */
  callsWithoutCdr: number;
  /** Calls the engine turned away at its admission limit (each has a CDR). */
  shed: number;
  sippSuccessful: number | null;
  sippFailed: number | null;
  offeredCps: number;
  completedCps: number;
  durationS: number;
  asteriskCpuMsPerCall: number | null;
  engineCpuMsPerCall: number | null;
  engineCpuPct: number | null;
  /** Of engineCpuMsPerCall, the kernel's share (system time: socket reads and writes). */
  engineSysMsPerCall?: number | null;
  /** Voluntary context switches of the engine's main thread per answered call (≈ wake-ups: mostly epoll sleeps, also waits on GC helper threads). */
  engineWakeupsPerCall?: number | null;
  /** Time the main thread's event loop was not waiting (performance.eventLoopUtilization().active) per answered call, ms. */
  engineBusyMsPerCall?: number | null;
  /** ARI requests per answered call (0 for native: no PBX requests at all). */
  pbxRequestsPerCall: number | null;
  ariPerCallByPattern: Record<string, number>;
  ariMaxInflight: number;
  /** ARI events received per answered call, by type. */
  eventsPerCall?: Record<string, number>;
  /** ARI event JSON bytes received per answered call, by type. */
  eventBytesPerCall?: Record<string, number>;
  greetMs?: { p50: number | null; p99: number | null; n: number; engineOnlyP50: number | null; engineOnlyP99: number | null };
  waitMs?: { p50: number | null; p99: number | null };
  talkMs?: { p50: number | null; p99: number | null };
  timedOut: boolean;
}

const round = (n: number, d = 2) => Math.round(n * 10 ** d) / 10 ** d;
/** Events per second over the middle 90 % of sorted times (one straggler does not decide the rate). */
const perSecond = (ts: number[]) => {
  if (ts.length < 2) return 0;
  const lo = Math.floor(ts.length * 0.05);
  const hi = Math.max(lo + 1, Math.ceil(ts.length * 0.95) - 1);
  const span = (ts[hi]! - ts[lo]!) / 1000;
  return span > 0 ? round((hi - lo) / span) : 0;
};

/** One SIPp caller run: `calls` calls at `rate` to `exten`, each pressing 1 then 2 and staying until BYE. */
async function placeCalls(asterisk: RunningAsterisk, work: string, exten: string, rate: number, tag: string, calls = CALLS) {
  const stf = join(work, `${tag}-stats.csv`);
  const callers = sipp(
    ['-sf', join(scenariosDir, 'uac-caller-dtmf-expect-bye.xml'), '-s', exten, '-i', '127.0.0.1', '-p', String(await freePort()), '-mi', '127.0.0.1', '-mp', String(await freePort(4)),
      '-t', 'u1', '-nostdin', '-m', String(calls), '-l', String(calls), '-r', String(rate), '-timeout', `${MAX_S}s`,
      '-trace_stat', '-stf', stf, '-fd', '1',
      '-key', 'caller', '5550100', ...IVR_TO_QUEUE_2_KEYS,
      `127.0.0.1:${asterisk.sipPort}`],
    work,
  );
  let timedOut = false;
  const limit = setTimeout(() => {
    timedOut = true;
    callers.child.kill('SIGKILL');
  }, MAX_S * 1000);
  await callers.done;
  clearTimeout(limit);
  return { timedOut, stats: sippStats(stf) };
}

async function runNative(asterisk: RunningAsterisk, work: string, rate: number): Promise<PathRun> {
  const logFrom = queueLogSize(asterisk);
  const ast0 = asteriskCpuMs(asterisk);
  const t0 = performance.now();
  const { timedOut, stats } = await placeCalls(asterisk, work, NATIVE_EXTEN, rate, `native-${rate}`);
  const t1 = performance.now();
  const astMs = asteriskCpuMs(asterisk) - ast0;
  await sleep(300);
  const q = queueLogSince(asterisk, logFrom);
  const answered = q.completed;
  return {
    path: 'native', rate, callsPlaced: CALLS, reached: q.entered, records: q.completed + q.otherEnd, answered,
    completionPct: round((answered / CALLS) * 100), byDisposition: { answered: q.completed, other: q.otherEnd },
    callsWithoutCdr: Math.max(0, q.entered - q.completed - q.otherEnd), shed: 0,
    sippSuccessful: stats?.successful ?? null, sippFailed: stats?.failed ?? null,
    offeredCps: rate, completedCps: perSecond(q.completedAt), durationS: round((t1 - t0) / 1000, 1),
    asteriskCpuMsPerCall: answered ? round(astMs / answered, 1) : null, engineCpuMsPerCall: null, engineCpuPct: null,
    pbxRequestsPerCall: 0, ariPerCallByPattern: {}, ariMaxInflight: 0, timedOut,
  };
}

async function runSwitchboard(asterisk: RunningAsterisk, work: string, rate: number, config: Config, endpoints: string[], logger: Logger, maxLive: number | undefined): Promise<PathRun> {
  const store = openStore(':memory:');
  let engine: Engine | undefined;
  try {
    const ari = { url: asterisk.ariUrl, username: asterisk.ariUser, password: asterisk.ariPassword, app: asterisk.app, logger };
    const client = new AriClient({ ...ari, maxInFlight: ARI_MAX_INFLIGHT, onRequest: countRequest, restOverWebSocket: values.rest === 'ws', skipRaw: trunkEndpointState('trunk') });
    client.onEvent(countEvent);
    const driver = new AsteriskDriver({ ...ari, client });
    let eng: Engine | undefined;
    const waiting = () => {
      let n = 0;
      for (const c of eng?.router.state.calls.values() ?? []) if (c.state === 'waiting') n++;
      return n;
    };
    const probe = probePort(driver, waiting);
    eng = engine = new Engine({ pbx: probe.port, clock: createSystemClock(), log: logger, store, config, ...(maxLive ? { admission: { maxLiveCalls: maxLive } } : {}) });
    const cdrs: Cdr[] = [];
    engine.on('call.ended', (c) => cdrs.push(c));
    await engine.start();
    const e = engine;
    await sleep(500); // endpoint states settle (every agent reachable)
    const reachable = endpoints.filter((a) => e.agentSnapshot(a)?.reachable).length;
    if (reachable < AGENTS) throw new Error(`only ${reachable}/${AGENTS} agents reachable for the engine`);
    if (WARMUP > 0) {
      const warm = await placeCalls(asterisk, work, '1000', rate, `warmup-${rate}`, WARMUP);
      if (warm.timedOut) throw new Error(`--warmup: the ${WARMUP} warm-up calls did not end within ${MAX_S} s`);
      // Every warm-up call ends before the measured ones start, so none of its records is counted.
      for (let i = 0; i < 300 && e.liveCalls > 0; i++) await sleep(100);
      if (e.liveCalls > 0) throw new Error(`--warmup: ${e.liveCalls} warm-up calls still live 30 s after the last was placed`);
      cdrs.length = 0;
      probe.reset();
    }
    const shed0 = e.admission.shed;

    counter.byPattern.clear();
    counter.events.clear();
    counter.eventBytes.clear();
    counter.maxInflight = 0;
    counter.on = true;
    const wake0 = mainThreadSleeps();
    const elu0 = performance.eventLoopUtilization();
    const cpu0 = process.cpuUsage();
    const ast0 = asteriskCpuMs(asterisk);
    const t0 = performance.now();
    const { timedOut, stats } = await placeCalls(asterisk, work, '1000', rate, `switchboard-${rate}`);
    const astMs = asteriskCpuMs(asterisk) - ast0;
    // Let the last calls end in the engine (bounded).
    for (let i = 0; i < 100 && e.liveCalls > 0; i++) await sleep(100);
    counter.on = false;
    const t1 = performance.now();
    const cpu = process.cpuUsage(cpu0);
    const cpuMs = (cpu.user + cpu.system) / 1000;
    const wakeups = mainThreadSleeps() - wake0;
    const elu = performance.eventLoopUtilization(elu0);

    const answered = cdrs.filter((c) => c.disposition === 'answered');
    const byDisposition: Record<string, number> = {};
    for (const c of cdrs) byDisposition[c.disposition] = (byDisposition[c.disposition] ?? 0) + 1;
    const total = [...counter.byPattern.values()].reduce((a, b) => a + b, 0);
    const perPattern = Object.fromEntries([...counter.byPattern].sort((a, b) => b[1] - a[1]).map(([k, v]) => [k, round(v / Math.max(1, answered.length))]));
    const ends = answered.map((c) => c.endedAt).sort((a, b) => a - b);
    const engineOnly = probe.greet.map((g, i) => g - (probe.greetPbx[i] ?? 0));
    const reached = probe.arrivals.length;
    return {
      path: 'switchboard', rate, callsPlaced: CALLS, reached, records: cdrs.length, answered: answered.length,
      completionPct: round((answered.length / CALLS) * 100), byDisposition,
      callsWithoutCdr: Math.max(0, reached - cdrs.length), shed: e.admission.shed - shed0,
      sippSuccessful: stats?.successful ?? null, sippFailed: stats?.failed ?? null,
      offeredCps: perSecond(probe.arrivals), completedCps: perSecond(ends), durationS: round((t1 - t0) / 1000, 1),
      asteriskCpuMsPerCall: answered.length ? round(astMs / answered.length, 1) : null,
      engineCpuMsPerCall: answered.length ? round(cpuMs / answered.length) : null,
      engineCpuPct: round((cpuMs / (t1 - t0)) * 100, 1),
      engineSysMsPerCall: answered.length ? round(cpu.system / 1000 / answered.length) : null,
      engineWakeupsPerCall: answered.length ? round(wakeups / answered.length, 1) : null,
      engineBusyMsPerCall: answered.length ? round(elu.active / answered.length) : null,
      pbxRequestsPerCall: answered.length ? round(total / answered.length) : null, ariPerCallByPattern: perPattern, ariMaxInflight: counter.maxInflight,
      eventBytesPerCall: Object.fromEntries([...counter.eventBytes].sort((a, b) => b[1] - a[1]).map(([k, v]) => [k, Math.round(v / Math.max(1, answered.length))])),
      eventsPerCall: Object.fromEntries([...counter.events].sort((a, b) => b[1] - a[1]).map(([k, v]) => [k, round(v / Math.max(1, answered.length))])),
      greetMs: { p50: pct(probe.greet, 0.5), p99: pct(probe.greet, 0.99), n: probe.greet.length, engineOnlyP50: pct(engineOnly, 0.5), engineOnlyP99: pct(engineOnly, 0.99) },
      waitMs: { p50: pct(answered.map((c) => c.waitMs ?? 0), 0.5), p99: pct(answered.map((c) => c.waitMs ?? 0), 0.99) },
      talkMs: { p50: pct(answered.map((c) => c.talkMs ?? 0), 0.5), p99: pct(answered.map((c) => c.talkMs ?? 0), 0.99) },
      timedOut,
    };
  } finally {
    counter.on = false;
    await engine?.stop().catch(() => undefined);
    store.close();
  }
}

/** One rate: a fresh Asterisk and agent fleet; the native path first (if asked), then the engine. */
async function runRate(rate: number, paths: PathName[], logger: Logger, maxLive = MAX_LIVE): Promise<PathRun[]> {
  const asterisk = await startAsterisk({ maxLifetimeS: (WARMUP > 0 ? 3 : 2) * MAX_S + 180, soundsDir: values.sounds ?? join(repoRoot, 'sounds') });
  const work = mkdtempSync(join(tmpdir(), 'sb-load-'));
  const endpoints = agentEndpoints(AGENTS);
  // The reference flow, Queue 2 staffed by the N agents. A call that loses its keys ends in
  // Queue 1 (IVR on_failure), which has no agent here: the maximum wait bounds it.
  const config = configOf(fleetConfigInput(endpoints, { maxWaitS: 30 }));
  const out: PathRun[] = [];
  try {
    await widenAsterisk(asterisk, endpoints);
    if (paths.includes('native')) await installNativeBaseline(asterisk, config, 'A');
    await startAgentFleet(asterisk, endpoints, work, { ringMs: RING_MS, talkMs: TALK_MS, lifetimeS: (WARMUP > 0 ? 3 : 2) * MAX_S + 120 });
    if (paths.includes('native')) {
      out.push(await runNative(asterisk, work, rate));
      await sleep(RING_MS + TALK_MS + 1000); // the agents are free again
    }
    if (paths.includes('switchboard')) out.push(await runSwitchboard(asterisk, work, rate, config, endpoints, logger, maxLive));
    return out;
  } finally {
    killFleet();
    await asterisk.stop();
    killAllChildren();
    rmSync(work, { recursive: true, force: true });
  }
}

function report(r: PathRun): void {
  say(`  ${r.path.padEnd(11)} ${r.answered}/${r.callsPlaced} answered (${r.completionPct} %), completed ${r.completedCps} cps; SIPp ${r.sippSuccessful ?? '?'} ok / ${r.sippFailed ?? '?'} failed; records ${r.records} of ${r.reached} reached (${r.callsWithoutCdr} without)${r.shed ? `, shed ${r.shed}` : ''}${r.timedOut ? ' [TIMED OUT]' : ''}`);
  say(`              Asterisk CPU ${r.asteriskCpuMsPerCall} ms/answered call${r.engineCpuMsPerCall !== null ? `; engine CPU ${r.engineCpuMsPerCall} ms/answered call (${r.engineSysMsPerCall} ms of it in the kernel; ${r.engineCpuPct} % of one core; ${r.engineWakeupsPerCall} wake-ups; event loop busy ${r.engineBusyMsPerCall} ms)` : ''}; PBX requests ${r.pbxRequestsPerCall}/call${r.path === 'switchboard' ? ` (budget ${ARI_BUDGET}), ≤ ${r.ariMaxInflight} in flight` : ''}`);
  if (r.path === 'switchboard') {
    if ((r.pbxRequestsPerCall ?? 0) > ARI_BUDGET) for (const [k, v] of Object.entries(r.ariPerCallByPattern)) say(`    ${v.toFixed(2).padStart(6)}  ${k}`);
    const events = Object.entries(r.eventsPerCall ?? {});
    say(`              ARI events ${round(events.reduce((n, [, v]) => n + v, 0))}/call: ${events.map(([k, v]) => `${k} ${v}`).join(', ')}`);
    const bytes = Object.entries(r.eventBytesPerCall ?? {});
    say(`              ARI event JSON ${bytes.reduce((n, [, v]) => n + v, 0)} bytes/call: ${bytes.map(([k, v]) => `${k} ${v}`).join(', ')}`);
    say(`              ${JSON.stringify(r.byDisposition)}; arrival → greeting p50 ${r.greetMs?.p50} / p99 ${r.greetMs?.p99} ms (engine only p99 ${r.greetMs?.engineOnlyP99}); queue wait p50 ${r.waitMs?.p50} / p99 ${r.waitMs?.p99} ms; talk p50 ${r.talkMs?.p50} / p99 ${r.talkMs?.p99} ms`);
  }
}

// ------------------------------------------------------------ main

const skip = !findAsterisk() ? HOW_TO_GET_ASTERISK : !findSipp() ? 'sipp not found: install sip-tester or set SIPP_BIN' : undefined;
if (skip) {
  console.error(`load: skipped: ${skip}`);
  process.exit(values.json ? 0 : 1);
}
const logger: Logger = process.env.LOG_FILE ? pino({ level: process.env.LOG_LEVEL ?? 'info' }, pino.destination({ dest: process.env.LOG_FILE, sync: false })) : pino({ level: 'silent' });
const machine = { cpus: cpus().length, model: cpus()[0]?.model ?? '?', loadavg: loadavg().map((l) => round(l)) };
say(`load: ${CALLS} calls per rate and path${WARMUP ? ` (the engine warmed by ${WARMUP} calls first)` : ''}, rates ${RATES.join(', ')} cps, ${AGENTS} agents (ring ${RING_MS} ms, talk ${TALK_MS} ms), flow → IVR 1, 2 → Queue 2, ≤ ${MAX_S} s per run; paths ${BASELINE ? 'native (app_queue), ' : ''}switchboard; ${machine.cpus} × ${machine.model}, load ${machine.loadavg.join(' ')}`);
const runs: PathRun[] = [];
const dropped = new Set<PathName>();
const ok = (r: PathRun) => r.completionPct >= 99.9 && !r.timedOut;
let overload: OverloadResult<PathRun> | undefined;
if (OVERLOAD) {
  overload = await overloadRun(RATES, {
    topCps: OVERLOAD_TOP,
    maxLiveCalls: MAX_LIVE,
    run: async (rate, maxLive) => (await runRate(rate, ['switchboard'], logger, maxLive))[0]!,
    onStep: (r, phase) => {
      say(`\n${phase === 'overload' ? 'overload ' : ''}rate ${r.rate} cps:`);
      report(r);
      if (phase === 'step') runs.push(r);
    },
  });
  say('');
  for (const line of describeOverload(overload)) say(line);
}
for (const rate of OVERLOAD ? [] : RATES) {
  const paths = (BASELINE ? (['native', 'switchboard'] as PathName[]) : (['switchboard'] as PathName[])).filter((p) => !dropped.has(p));
  if (paths.length === 0) break;
  say(`\nrate ${rate} cps:`);
  for (const r of await runRate(rate, paths, logger)) {
    runs.push(r);
    report(r);
    if (values['stop-on-drop'] && !ok(r)) dropped.add(r.path);
  }
}
const best = (p: PathName) => {
  const good = runs.filter((r) => r.path === p && ok(r)).map((r) => r.rate);
  return good.length ? Math.max(...good) : null;
};
const summary = (p: PathName) => ({ bestRateCps: best(p), runs: runs.filter((r) => r.path === p) });
const sb = summary('switchboard');
// Headline figures for the engine: at its highest sustained rate (else the lowest rate tried).
const head = sb.runs.find((r) => r.rate === sb.bestRateCps) ?? sb.runs[0];
const nativeSum = BASELINE && !OVERLOAD ? summary('native') : undefined;
// Asterisk CPU ratio at the highest rate both paths sustained (else the lowest rate tried).
const common = RATES.filter((rate) => runs.some((r) => r.rate === rate && r.path === 'native' && ok(r)) && runs.some((r) => r.rate === rate && r.path === 'switchboard' && ok(r)));
const cmpRate = common.length ? Math.max(...common) : RATES[0];
const at = (p: PathName) => runs.find((r) => r.path === p && r.rate === cmpRate);
const astN = at('native')?.asteriskCpuMsPerCall;
const astS = at('switchboard')?.asteriskCpuMsPerCall;
const ratios = nativeSum
  ? {
      cps: nativeSum.bestRateCps && sb.bestRateCps !== null ? round(sb.bestRateCps / nativeSum.bestRateCps) : null,
      asteriskCpuPerCall: astN && astS ? round(astS / astN) : null,
      atRateCps: cmpRate,
    }
  : undefined;
say(`\nhighest rate with ≥ 99.9 % completion: switchboard ${sb.bestRateCps ?? 'none'}${nativeSum ? `, native ${nativeSum.bestRateCps ?? 'none'}` : ''} (tried ${RATES.join(', ')})`);
if (ratios) say(`ratios switchboard ÷ native: highest rate ${ratios.cps ?? '—'}, Asterisk CPU per answered call ${ratios.asteriskCpuPerCall ?? '—'} (at ${cmpRate} cps)`);
if (values.json) {
  console.log(JSON.stringify({
    machine, calls: CALLS, warmupCalls: WARMUP, agents: AGENTS, ringMs: RING_MS, talkMs: TALK_MS, rates: RATES, ariMaxInflightCap: ARI_MAX_INFLIGHT, maxLiveCalls: MAX_LIVE ?? null, ariBudget: ARI_BUDGET,
    ...(nativeSum ? { native: nativeSum } : {}),
    switchboard: {
      ...sb,
      ariRequestsPerCall: head?.pbxRequestsPerCall ?? null,
      completion: head ? head.completionPct / 100 : null,
      engineCpuMsPerCall: head?.engineCpuMsPerCall ?? null,
      callsWithoutCdr: sb.runs.reduce((n, r) => n + r.callsWithoutCdr, 0),
    },
    ...(ratios ? { ratios } : {}),
    ...(overload ? { overload: { sustainableCps: overload.sustainableCps, dropFound: overload.dropFound, overloadCps: overload.overloadCps, maxLiveCalls: overload.maxLiveCalls, callsWithoutCdr: overload.callsWithoutCdr, sippAgrees: overload.sippAgrees, run: overload.run } } : {}),
  }));
}
process.exit(0);
