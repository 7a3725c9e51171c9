/**
 * Load through a real PBX (Asterisk, or FreeSWITCH with --pbx freeswitch) and the engine on loopback: SIPp callers dial 1000, press 1 then 2
 * (IVR → Queue 2), wait, and are bridged with one of N registered SIPp agent phones that answer
 * after a short ring, talk a little and hang up. Bounded in calls and time.
 *
 * Measured inside the engine process: completion (answered CDRs / calls placed), calls per second
 * sustained, PBX requests per answered call (Asterisk: ARI requests, over the events WebSocket or
 * HTTP, counted by method + path pattern through the ARI client's onRequest hook; FreeSWITCH:
 * event-socket commands, counted by command through the driver's onCommand hook), and, through a proxy around the PBX port stamped with
 * performance.now(): call.arrived → first play request (greeting), and an agent's leg hang-up
 * (agent free while calls wait) → the next originate to that agent.
 *
 * Run: npm run load [-- --calls 200 --rate 5 --agents 10 --talk 2000 --max-seconds 180 --json]
 *      --capture FILE   record the ARI WebSocket's frames of the (last) run, for npm run bench:ari-floor
 *      npm run load -- --rates 2,5,10,20 --agents 60   (one fresh Asterisk per rate; reports all)
 *      --ari-max-inflight N sets the ARI client's limit on requests in flight (default 32).
 * The default (5 cps, 10 agents) keeps agents the bottleneck, so calls wait and the agent-free →
 * originate delay is sampled; for the highest rate give enough agents (rate × 2.5).
 *      npm run load -- --pbx freeswitch   (the same run through FreeSWITCH 1.10, test/freeswitch/harness.ts)
 * Needs Asterisk (see test/asterisk/harness.ts) or FreeSWITCH, and sipp. LOG_FILE=path writes the engine's log.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { pino, type Logger } from 'pino';
import { Engine } from '../src/calls/engine.js';
import type { Cdr } from '../src/domain/cdr.js';
import { createSystemClock } from '../src/infra/clock.js';
import { AriClient } from '../src/pbx/asterisk/ari-client.js';
import { AsteriskDriver } from '../src/pbx/asterisk/driver.js';
import { trunkEndpointState } from '../src/pbx/asterisk/event-filter.js';
import { FreeswitchDriver } from '../src/pbx/freeswitch/driver.js';
import type { PbxPort } from '../src/pbx/port.js';
import { openStore } from '../src/store/store.js';
import { configOf } from '../test/asterisk/engine-world.js';
import { findAsterisk, findSipp, freePort, HOW_TO_GET_ASTERISK, killAllChildren, scenariosDir, startAsterisk } from '../test/asterisk/harness.js';
import { findFreeswitch, HOW_TO_GET_FREESWITCH, startFreeswitch, trunkSide } from '../test/freeswitch/harness.js';
import { agentEndpoints, fleetConfigInput, IVR_TO_QUEUE_2_KEYS, killFleet, LOAD_AUTH_USER, sipp, sleep, startAgentFleet, widenAsterisk } from './support/sipp-fleet.js';
import { captureFrames } from './support/ari-capture.js';
import { counter, countRequest, probePort } from './support/load-probe.js';

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
    /** Cap concurrent ARI requests in this process (0 = no cap, the engine as it is). */
    'ari-max-inflight': { type: 'string', default: '32' },
    pbx: { type: 'string', default: 'asterisk' },
    /** Record the ARI WebSocket's frames of the (last) run to this file, for `npm run bench:ari-floor`. */
    capture: { type: 'string' },
  },
});
const PBX = values.pbx;
if (PBX !== 'asterisk' && PBX !== 'freeswitch') throw new Error(`--pbx: expected asterisk or freeswitch, got ${PBX}`);
const CALLS = Number(values.calls);
const AGENTS = Number(values.agents);
const RING_MS = Number(values.ring);
const TALK_MS = Number(values.talk);
const MAX_S = Number(values['max-seconds']);
if (values.capture !== undefined && values.pbx !== 'asterisk') throw new Error('--capture: records the ARI WebSocket, so --pbx asterisk only');
if (values.capture === '') throw new Error('--capture: a file name is required');
/** The AriClient of the run under way (for --capture). */
let lastAriClient: AriClient | undefined;
const RATES = (values.rates ?? values.rate).split(',').map(Number);
const ARI_BUDGET = 8;
const ARI_MAX_INFLIGHT = Number(values['ari-max-inflight']);
if (![CALLS, AGENTS, RING_MS, TALK_MS, MAX_S, ...RATES].every((n) => Number.isFinite(n) && n > 0)) throw new Error('flags must be positive numbers');

const say = (s: string) => {
  if (!values.json) console.log(s);
};

// ------------------------------------------------------------ request counting
// ARI requests through the client's onRequest hook (countRequest, shared with load-native.ts);
// ESL commands through the FreeSWITCH driver's onCommand hook (countKey below).

// ------------------------------------------------------------ PBX port probe

// ------------------------------------------------------------ helpers

function pct(xs: number[], q: number): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  return Math.round(s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)]! * 100) / 100;
}

// ------------------------------------------------------------ one run

interface RunResult {
  rate: number;
  callsPlaced: number;
  cdrs: number;
  answered: number;
  completionPct: number;
  byDisposition: Record<string, number>;
  /** IVR path / queue of the calls that were not answered (e.g. lang:fail = no key received). */
  notAnswered: Record<string, number>;
  offeredCps: number;
  completedCps: number;
  durationS: number;
  ariRequests: number;
  ariPerAnsweredCall: number | null;
  ariPerCallByPattern: Record<string, number>;
  /** Most ARI requests in flight at once (Asterisk's http.conf sessionlimit is 100). */
  ariMaxInflight: number;
  greetMs: { p50: number | null; p99: number | null; n: number; pbxP50: number | null; pbxP99: number | null; engineOnlyP50: number | null; engineOnlyP99: number | null };
  agentFreeToOriginateMs: { p50: number | null; p99: number | null; n: number };
  waitMs: { p50: number | null; p99: number | null };
  engineCpuPct: number;
  timedOut: boolean;
  callerSippExit: number | null;
}

/** The PBX of one run: where callers dial, the fleet's target, the driver, and how it stops. */
interface LoadPbx {
  callerPort: number;
  /** The driver; its requests (ARI or ESL commands) are counted while `counter.on`. */
  driver(logger: Logger): PbxPort;
  stop(): Promise<void>;
}

function countKey(key: string): void {
  if (counter.on) counter.byPattern.set(key, (counter.byPattern.get(key) ?? 0) + 1);
}

async function startPbx(endpoints: string[], work: string): Promise<LoadPbx> {
  const fleet = { ringMs: RING_MS, talkMs: TALK_MS, lifetimeS: MAX_S + 60 };
  if (PBX === 'freeswitch') {
    const fs = await startFreeswitch({ maxLifetimeS: MAX_S + 120, phoneUsers: `1001-1006,${endpoints[0]}-${endpoints[endpoints.length - 1]},${LOAD_AUTH_USER}`, rtpPorts: 3000 });
    try {
      // Agents: one SIPp registers them all; each INVITE rings RING_MS, talks TALK_MS, hangs up.
      const contactsAt = async (port: number) => (await fs.api(`list_users domain ${fs.domain}`)).split('\n').filter((l) => l.includes(`@127.0.0.1:${port}`)).length;
      await startAgentFleet({ sipPort: fs.sipPort, phonePassword: fs.phonePassword, contactsAt }, endpoints, work, fleet);
    } catch (err) {
      await fs.stop();
      throw err;
    }
    return {
      callerPort: trunkSide(fs).sipPort,
      driver: (logger) =>
        new FreeswitchDriver({
          host: '127.0.0.1', port: fs.eslPort, password: fs.eslPassword, app: fs.app, domain: fs.domain, trunkHost: fs.trunkHost, mohClasses: fs.mohClasses, logger,
          // `api uuid_answer <uuid>` → `api uuid_answer`; `sendmsg <uuid>` → `sendmsg`
          onCommand: (line) => countKey(line.split(' ').slice(0, line.startsWith('api ') || line.startsWith('bgapi ') ? 2 : 1).join(' ')),
        }),
      stop: () => fs.stop(),
    };
  }
  const asterisk = await startAsterisk({ maxLifetimeS: MAX_S + 120 });
  try {
    await widenAsterisk(asterisk, endpoints);
    // Agents: one SIPp registers them all; each INVITE rings RING_MS, talks TALK_MS, hangs up.
    await startAgentFleet(asterisk, endpoints, work, fleet);
  } catch (err) {
    await asterisk.stop();
    throw err;
  }
  return {
    callerPort: asterisk.sipPort,
    driver: (logger) => {
      const ari = { url: asterisk.ariUrl, username: asterisk.ariUser, password: asterisk.ariPassword, app: asterisk.app, logger };
      const client = new AriClient({ ...ari, maxInFlight: ARI_MAX_INFLIGHT, onRequest: countRequest, restOverWebSocket: true, skipRaw: trunkEndpointState('trunk') });
      lastAriClient = client;
      return new AsteriskDriver({ ...ari, client });
    },
    stop: () => asterisk.stop(),
  };
}

async function run(rate: number, logger: Logger): Promise<RunResult> {
  const work = mkdtempSync(join(tmpdir(), 'sb-load-'));
  const endpoints = agentEndpoints(AGENTS);
  const store = openStore(':memory:');
  let engine: Engine | undefined;
  let pbx: LoadPbx | undefined;
  try {
    pbx = await startPbx(endpoints, work);

    // The engine: reference flow, Queue 2 staffed by the N agents.
    // A call that loses its keys ends in Queue 1 (IVR on_failure), which has no agent here: the
    // maximum wait bounds it (disposition timeout) instead of holding the run until SIPp's time-out.
    const input = fleetConfigInput(endpoints, { maxWaitS: 30 });
    const config = configOf(input);
    const driver = pbx.driver(logger);
    let eng: Engine | undefined;
    const waiting = () => {
      let n = 0;
      for (const c of eng?.router.state.calls.values() ?? []) if (c.state === 'waiting') n++;
      return n;
    };
    const probe = probePort(driver, waiting);
    eng = engine = new Engine({ pbx: probe.port, clock: createSystemClock(), log: logger, store, config });
    const cdrs: Cdr[] = [];
    engine.on('call.ended', (c) => cdrs.push(c));
    await engine.start();
    const e = engine;
    await sleep(500); // endpoint states settle (every agent reachable)
    const reachable = endpoints.filter((a) => e.agentSnapshot(a)?.reachable).length;
    if (reachable < AGENTS) throw new Error(`only ${reachable}/${AGENTS} agents reachable for the engine`);

    // Callers: one SIPp places CALLS calls at `rate`, each pressing 1 then 2 and staying until BYE.
    counter.byPattern.clear();
    counter.maxInflight = 0;
    counter.on = true;
    const capture = values.capture && lastAriClient ? captureFrames(lastAriClient, values.capture) : undefined;
    capture?.start();
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const callers = sipp(
      ['-sf', join(scenariosDir, 'uac-caller-dtmf-expect-bye.xml'), '-s', '1000', '-i', '127.0.0.1', '-p', String(await freePort()), '-mi', '127.0.0.1', '-mp', String(await freePort(4)),
        '-t', 'u1', '-nostdin', '-m', String(CALLS), '-l', String(CALLS), '-r', String(rate), '-timeout', `${MAX_S}s`,
        '-key', 'caller', '5550100', ...IVR_TO_QUEUE_2_KEYS,
        `127.0.0.1:${pbx.callerPort}`],
      work,
    );
    let timedOut = false;
    const limit = setTimeout(() => {
      timedOut = true;
      callers.child.kill('SIGKILL');
    }, MAX_S * 1000);
    const callerExit = await callers.done;
    clearTimeout(limit);
    // Let the last calls end in the engine (bounded).
    for (let i = 0; i < 100 && e.liveCalls > 0; i++) await sleep(100);
    counter.on = false;
    const t1 = performance.now();
    const cpu = process.cpuUsage(cpu0);
    capture?.stop(cdrs.filter((c) => c.disposition === 'answered').length);

    const answered = cdrs.filter((c) => c.disposition === 'answered');
    const byDisposition: Record<string, number> = {};
    for (const c of cdrs) byDisposition[c.disposition] = (byDisposition[c.disposition] ?? 0) + 1;
    const notAnswered: Record<string, number> = {};
    for (const c of cdrs) if (c.disposition !== 'answered') notAnswered[`${c.disposition} ${c.ivrPath ?? '-'} ${c.queueId ?? '-'}`] = (notAnswered[`${c.disposition} ${c.ivrPath ?? '-'} ${c.queueId ?? '-'}`] ?? 0) + 1;
    const total = [...counter.byPattern.values()].reduce((a, b) => a + b, 0);
    const perPattern = Object.fromEntries([...counter.byPattern].sort((a, b) => b[1] - a[1]).map(([k, v]) => [k, Math.round((v / Math.max(1, answered.length)) * 100) / 100]));
    const arr = probe.arrivals;
    const ends = answered.map((c) => c.endedAt).sort((a, b) => a - b);
    const engineOnly = probe.greet.map((g, i) => g - (probe.greetPbx[i] ?? 0));
    return {
      rate,
      callsPlaced: CALLS,
      cdrs: cdrs.length,
      answered: answered.length,
      completionPct: Math.round((answered.length / CALLS) * 10_000) / 100,
      byDisposition,
      notAnswered,
      offeredCps: arr.length > 1 ? Math.round(((arr.length - 1) / ((arr[arr.length - 1]! - arr[0]!) / 1000)) * 100) / 100 : 0,
      // Completions per second between the first and the last answered call's end (steady state).
      completedCps: ends.length > 1 ? Math.round(((ends.length - 1) / ((ends[ends.length - 1]! - ends[0]!) / 1000)) * 100) / 100 : 0,
      durationS: Math.round((t1 - t0) / 100) / 10,
      ariRequests: total,
      ariPerAnsweredCall: answered.length ? Math.round((total / answered.length) * 100) / 100 : null,
      ariPerCallByPattern: perPattern,
      ariMaxInflight: counter.maxInflight,
      greetMs: { p50: pct(probe.greet, 0.5), p99: pct(probe.greet, 0.99), n: probe.greet.length, pbxP50: pct(probe.greetPbx, 0.5), pbxP99: pct(probe.greetPbx, 0.99), engineOnlyP50: pct(engineOnly, 0.5), engineOnlyP99: pct(engineOnly, 0.99) },
      agentFreeToOriginateMs: { p50: pct(probe.freeToOffer, 0.5), p99: pct(probe.freeToOffer, 0.99), n: probe.freeToOffer.length },
      waitMs: { p50: pct(answered.map((c) => c.waitMs ?? 0), 0.5), p99: pct(answered.map((c) => c.waitMs ?? 0), 0.99) },
      engineCpuPct: Math.round(((cpu.user + cpu.system) / 1000 / (t1 - t0)) * 1000) / 10,
      timedOut,
      callerSippExit: callerExit,
    };
  } finally {
    counter.on = false;
    await engine?.stop().catch(() => undefined);
    store.close();
    killFleet();
    await pbx?.stop();
    killAllChildren();
    rmSync(work, { recursive: true, force: true });
  }
}

// ------------------------------------------------------------ main

const skip = PBX === 'asterisk' && !findAsterisk() ? HOW_TO_GET_ASTERISK : PBX === 'freeswitch' && !findFreeswitch() ? HOW_TO_GET_FREESWITCH : !findSipp() ? 'sipp not found: install sip-tester or set SIPP_BIN' : undefined;
if (skip) {
  console.error(`load: skipped: ${skip}`);
  process.exit(values.json ? 0 : 1);
}
const logger: Logger = process.env.LOG_FILE ? pino({ level: process.env.LOG_LEVEL ?? 'info' }, pino.destination({ dest: process.env.LOG_FILE, sync: false })) : pino({ level: 'silent' });
say(`load on ${PBX}: ${CALLS} calls per rate, rates ${RATES.join(', ')} cps, ${AGENTS} agents (ring ${RING_MS} ms, talk ${TALK_MS} ms), flow 1000 → IVR 1, 2 → Queue 2, ≤ ${MAX_S} s per rate`);
const runs: RunResult[] = [];
for (const rate of RATES) {
  const r = await run(rate, logger);
  runs.push(r);
  say(`\nrate ${rate} cps: ${r.answered}/${r.callsPlaced} answered (${r.completionPct} %) ${JSON.stringify(r.byDisposition)}${r.cdrs < r.callsPlaced ? ` (${r.callsPlaced - r.cdrs} without CDR)` : ''}${Object.keys(r.notAnswered).length ? ` not answered: ${JSON.stringify(r.notAnswered)}` : ''}${r.timedOut ? ' [TIMED OUT]' : ''}`);
  say(`  offered ${r.offeredCps} cps, completed ${r.completedCps} cps over ${r.durationS} s; engine CPU ${r.engineCpuPct} % of one core`);
  say(PBX === 'asterisk'
    ? `  ARI requests: ${r.ariRequests} = ${r.ariPerAnsweredCall} per answered call (budget ${ARI_BUDGET}); at most ${r.ariMaxInflight} in flight${ARI_MAX_INFLIGHT ? ` (capped at ${ARI_MAX_INFLIGHT})` : ''}`
    : `  ESL commands: ${r.ariRequests} = ${r.ariPerAnsweredCall} per answered call (budget ${ARI_BUDGET})`);
  if ((r.ariPerAnsweredCall ?? 0) > ARI_BUDGET) for (const [k, v] of Object.entries(r.ariPerCallByPattern)) say(`    ${v.toFixed(2).padStart(6)}  ${k}`);
  say(`  call.arrived → greeting play: p50 ${r.greetMs.p50} ms, p99 ${r.greetMs.p99} ms (n ${r.greetMs.n}); of which awaiting the PBX (the answer request) p50 ${r.greetMs.pbxP50} / p99 ${r.greetMs.pbxP99}; engine only p50 ${r.greetMs.engineOnlyP50} / p99 ${r.greetMs.engineOnlyP99}`);
  say(`  agent free (leg hang-up, calls waiting) → originate: p50 ${r.agentFreeToOriginateMs.p50} ms, p99 ${r.agentFreeToOriginateMs.p99} ms (n ${r.agentFreeToOriginateMs.n})`);
  say(`  queue wait of answered calls: p50 ${r.waitMs.p50} ms, p99 ${r.waitMs.p99} ms`);
}
const good = runs.filter((r) => r.completionPct >= 99.9 && !r.timedOut).map((r) => r.rate);
const best = good.length ? Math.max(...good) : null;
say(`\nhighest rate with ≥ 99.9 % completion: ${best ?? 'none'}${best !== null ? ' cps' : ''} (tried ${RATES.join(', ')})`);
if (values.json) console.log(JSON.stringify({ pbx: PBX, calls: CALLS, agents: AGENTS, ariMaxInflightCap: ARI_MAX_INFLIGHT, ringMs: RING_MS, talkMs: TALK_MS, ariBudget: ARI_BUDGET, bestRateCps: best, runs }));
process.exit(0);
