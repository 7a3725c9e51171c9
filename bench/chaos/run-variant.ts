/**
 * One chaos variant: a private Asterisk, N SIPp agent phones, the engine as a child process on a
 * SQLite file, SIPp callers through the IVR into Queue 2 (more callers than agents, so callers are
 * waiting, in the IVR and bridged at once), one disruption at a seeded moment, then the run to
 * the end; the outcome is read from the engine's database (after it exited) and SIPp's log.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { stringify } from 'yaml';
import type { Cdr } from '../../src/domain/cdr.js';
import type { CallJournal } from '../../src/domain/journal.js';
import { seededRandom } from '../../src/domain/random.js';
import { openStore } from '../../src/store/store.js';
import { freePort, killAllChildren, startAsterisk, type RunningAsterisk } from '../../test/asterisk/harness.js';
import { agentEndpoints, fleetConfigInput, killFleet, sleep, startAgentFleet, widenAsterisk } from '../support/sipp-fleet.js';
import { readCallerResults, startCallers } from './callers.js';
import { agentStates, engineEnv, engineGet, startEngineProcess, type EngineProcess, type LogLine } from '../../test/asterisk/engine-process.js';
import { isAriEventsUpgrade, startTcpProxy, type TcpProxy } from '../../test/asterisk/tcp-proxy.js';

export const VARIANTS = ['kill9', 'sigterm', 'ws-cut', 'asterisk-restart', 'asterisk-crash'] as const;
export type Variant = (typeof VARIANTS)[number];

export interface ChaosOptions {
  calls: number;
  rate: number;
  agents: number;
  talkMs: number;
  maxSeconds: number;
  seed: number;
  /** SWITCHBOARD_DRAIN_MS for the sigterm variant. */
  drainMs: number;
  /** Length of the ws-cut. */
  cutMs: number;
  /** Directory for the engine's logs (one file per variant), or undefined. */
  logDir: string | undefined;
}

export interface ChaosResult {
  variant: Variant;
  seed: number;
  /** ms after the first call that the disruption happened. */
  disruptAtMs: number;
  callsPlaced: number;
  cdrsWritten: number;
  /** Placed calls (by caller number) without a CDR. */
  cdrsLost: number;
  /** Of the lost: calls the PBX refused at SIP level (final error response), e.g. while the engine was away. */
  lostRefused: number;
  /** Calls refused by the PBX's fallback (503) while no engine was connected: never seen by the engine, no CDR. */
  refusedByPbx: number;
  lostCallers: string[];
  /** Callers with more than one CDR. */
  duplicateCdrs: number;
  waitingAtKill: number;
  inIvrAtKill: number;
  bridgedAtKill: number;
  /** kill9 / sigterm / ws-cut: of the callers waiting at the disruption, how many were answered by an agent.
   * asterisk-restart: calls placed after Asterisk was back that were answered. */
  servedAfterRestart: number;
  /** The base of servedAfterRestart (waitingAtKill, or calls placed after Asterisk was back). */
  servedBase: number;
  servedPct: number | null;
  /** Agents ringing / dialing / on a call in the engine once no call is live. */
  stuckAgents: number;
  /** kill9 / sigterm: spawn → the restarted engine's 'engine started' line. ws-cut: end of the cut → link up.
   * asterisk-restart: Asterisk answering ARI again → the engine's link up. */
  recoveryMs: number | null;
  /** The restarted engine's own start (recover) time, from its 'engine started' line. */
  engineStartMs: number | null;
  recovery: { resumed?: number; completed?: number; strays?: number; agentsRestored?: number } | null;
  /** CDRs of calls that ended with the disruption (cause pbx-lost / lost / interrupted). */
  cdrsByCause: Record<string, number>;
  dispositions: Record<string, number>;
  callerOutcomes: Record<string, number>;
  liveCallsAtEnd: number | null;
  journalLeft: number;
  timedOut: boolean;
}

interface Snapshot {
  waiting: string[];
  ivr: number;
  bridged: number;
}

function journalSnapshot(dbPath: string): Snapshot {
  const store = openStore(dbPath);
  try {
    return summarise(store.journal.all());
  } finally {
    store.close();
  }
}

function summarise(journal: CallJournal[]): Snapshot {
  return {
    waiting: journal.filter((j) => j.step === 'queued').map((j) => j.cdr.caller),
    ivr: journal.filter((j) => j.step === 'ivr' || j.step === 'arrived').length,
    bridged: journal.filter((j) => j.step === 'bridged').length,
  };
}

const startedLine = (l: LogLine) => l.msg === 'engine started';

export async function runVariant(variant: Variant, o: ChaosOptions, say: (s: string) => void): Promise<ChaosResult> {
  const rand = seededRandom(o.seed);
  const asterisk = await startAsterisk({ maxLifetimeS: o.maxSeconds + 120 });
  const work = mkdtempSync(join(tmpdir(), 'sb-chaos-'));
  const endpoints = agentEndpoints(o.agents);
  let proxy: TcpProxy | undefined;
  let engine: EngineProcess | undefined;
  try {
    await widenAsterisk(asterisk, endpoints);
    await startAgentFleet(asterisk, endpoints, work, { ringMs: 200, talkMs: o.talkMs, lifetimeS: o.maxSeconds + 120 });

    // Every queue staffed by every agent: a caller whose key was lost while the engine was down (the IVR
    // restarts its node, the next key takes another branch) lands in Queue 1 or 3 and is served too.
    const configPath = join(work, 'switchboard.yaml');
    writeFileSync(configPath, stringify(fleetConfigInput(endpoints, { maxWaitS: o.maxSeconds, groups: ['g1', 'g2', 'g3'] })));
    if (variant === 'ws-cut') proxy = await startTcpProxy(asterisk.httpPort);
    const dbPath = join(work, 'switchboard.db');
    const httpPort = await freePort();
    const env = engineEnv(asterisk, { dbPath, configPath, httpPort, drainMs: o.drainMs, ...(proxy ? { ariUrl: `http://127.0.0.1:${proxy.port}` } : {}) });
    const logFile = o.logDir ? join(o.logDir, `chaos-${variant}.log`) : undefined;
    engine = startEngineProcess(env, logFile);
    await engine.waitFor(startedLine, 30_000);
    await sleep(1000); // endpoint states reach the engine (agents reachable)

    // Callers; the disruption at a seeded moment in the middle 40–80 % of the placing.
    const placingMs = (o.calls / o.rate) * 1000;
    const disruptAtMs = Math.round(placingMs * (0.4 + 0.4 * rand()));
    const callers = await startCallers(asterisk, work, { calls: o.calls, rate: o.rate, firstNumber: 5_551_000_000 + Math.floor(rand() * 9_000) * 100_000, maxS: o.maxSeconds });
    const deadline = performance.now() + o.maxSeconds * 1000;
    let timedOut = false;
    const limit = setTimeout(() => {
      timedOut = true;
      callers.child.kill('SIGKILL');
    }, o.maxSeconds * 1000);
    await sleep(disruptAtMs);

    let snap: Snapshot;
    let recoveryMs: number | null = null;
    let engineStartMs: number | null = null;
    let recovery: ChaosResult['recovery'] = null;
    let servedSince = 0;
    say(`  ${variant} at ${disruptAtMs} ms`);
    if (variant === 'kill9' || variant === 'sigterm') {
      if (variant === 'sigterm') {
        snap = journalSnapshot(dbPath);
        await engine.kill('SIGTERM');
      } else {
        await engine.kill('SIGKILL');
        snap = journalSnapshot(dbPath);
      }
      engine = startEngineProcess(env, logFile);
      const started = await engine.waitFor(startedLine, 30_000);
      recoveryMs = Math.round(started.at - engine.spawnedAt);
      engineStartMs = typeof started.line.ms === 'number' ? started.line.ms : null;
      const { resumed, completed, strays, agentsRestored } = started.line as Record<string, number | undefined>;
      recovery = { resumed, completed, strays, agentsRestored };
    } else if (variant === 'ws-cut') {
      snap = journalSnapshot(dbPath);
      const from = engine.lines.length;
      // The ARI events WebSocket is cut and refused for cutMs; Asterisk stays up and its REST API reachable.
      proxy!.refuse(isAriEventsUpgrade);
      proxy!.dropAll();
      await sleep(o.cutMs);
      proxy!.allowAll();
      const cutEnd = performance.now();
      const up = await engine.waitFor((l) => l.msg === 'pbx link up', 30_000, from).catch(() => undefined);
      recoveryMs = up ? Math.max(0, Math.round(up.at - cutEnd)) : null;
    } else {
      snap = journalSnapshot(dbPath);
      const from = engine.lines.length;
      if (variant === 'asterisk-crash') {
        // SIGKILL: no channel is hung up, no socket says goodbye; back after 1.5 s.
        await asterisk.crash();
        await sleep(1500);
        await asterisk.restart();
      } else {
        await asterisk.cli('core restart now');
      }
      const back = await waitAri(asterisk, 30_000);
      servedSince = Date.now();
      const up = await engine.waitFor((l) => l.msg === 'pbx link up', 30_000, from).catch(() => undefined);
      recoveryMs = up ? Math.max(0, Math.round(up.at - back)) : null;
    }

    await callers.done;
    clearTimeout(limit);
    // The last calls end in the engine (bounded by the run's deadline).
    let liveCallsAtEnd: number | null = null;
    for (;;) {
      const health = await engineGet(httpPort, '/health');
      liveCallsAtEnd = health ? (JSON.parse(health) as { liveCalls: number }).liveCalls : null;
      if (liveCallsAtEnd === 0 || performance.now() > deadline + 15_000) break;
      await sleep(200);
    }
    const states = (await agentStates(httpPort)) ?? {};
    const stuckAgents = (states.ringing ?? 0) + (states.dialing ?? 0) + (states.oncall ?? 0);
    await engine.kill('SIGTERM');

    const store = openStore(dbPath);
    let cdrs: Cdr[];
    let journalLeft: number;
    try {
      cdrs = store.cdrs.all();
      journalLeft = store.journal.all().length;
    } finally {
      store.close();
    }
    const results = readCallerResults(callers.messageLog);
    const byCaller = new Map<string, Cdr[]>();
    for (const c of cdrs) byCaller.set(c.caller, [...(byCaller.get(c.caller) ?? []), c]);
    const placed = [...results.values()];
    const noCdr = placed.filter((r) => !byCaller.has(r.number));
    // Refused by the PBX's own fallback (503, dialplan/extensions.conf) while no engine was
    // connected: the engine never heard of these calls, so they are counted apart, not as lost.
    const refusedByPbx = noCdr.filter((r) => r.outcome === 'refused' && r.status === 503);
    const lost = noCdr.filter((r) => !refusedByPbx.includes(r));
    const count = <T>(xs: T[], key: (x: T) => string) => xs.reduce<Record<string, number>>((acc, x) => ((acc[key(x)] = (acc[key(x)] ?? 0) + 1), acc), {});

    let served: number;
    let base: number;
    if (variant === 'asterisk-restart' || variant === 'asterisk-crash') {
      const after = placed.filter((r) => r.invitedAt >= servedSince);
      base = after.length;
      served = after.filter((r) => byCaller.get(r.number)?.some((c) => c.disposition === 'answered')).length;
    } else {
      base = snap.waiting.length;
      served = snap.waiting.filter((n) => byCaller.get(n)?.some((c) => c.disposition === 'answered')).length;
    }
    return {
      variant,
      seed: o.seed,
      disruptAtMs,
      callsPlaced: placed.length,
      cdrsWritten: cdrs.length,
      cdrsLost: lost.length,
      lostRefused: lost.filter((r) => r.outcome === 'refused').length,
      refusedByPbx: refusedByPbx.length,
      lostCallers: lost.slice(0, 20).map((r) => `${r.number}:${r.outcome}${r.status ? `:${r.status}` : ''}`),
      duplicateCdrs: [...byCaller.values()].filter((xs) => xs.length > 1).length,
      waitingAtKill: snap.waiting.length,
      inIvrAtKill: snap.ivr,
      bridgedAtKill: snap.bridged,
      servedAfterRestart: served,
      servedBase: base,
      servedPct: base ? Math.round((served / base) * 1000) / 10 : null,
      stuckAgents,
      recoveryMs,
      engineStartMs,
      recovery,
      cdrsByCause: count(cdrs, (c) => c.hangupCause ?? 'none'),
      dispositions: count(cdrs, (c) => c.disposition),
      callerOutcomes: count(placed, (r) => r.outcome),
      liveCallsAtEnd,
      journalLeft,
      timedOut,
    };
  } finally {
    await engine?.kill('SIGKILL');
    await proxy?.close();
    killFleet();
    await asterisk.stop();
    killAllChildren();
    if (!process.env.KEEP_CHAOS_DIR) rmSync(work, { recursive: true, force: true });
  }
}

/** Wait until Asterisk's ARI answers again (after a restart); returns performance.now() then. */
async function waitAri(asterisk: RunningAsterisk, timeoutMs: number): Promise<number> {
  const auth = 'Basic ' + Buffer.from(`${asterisk.ariUser}:${asterisk.ariPassword}`).toString('base64');
  const until = performance.now() + timeoutMs;
  await sleep(200);
  while (performance.now() < until) {
    const ok = await fetch(`${asterisk.ariUrl}/ari/asterisk/info`, { headers: { authorization: auth }, signal: AbortSignal.timeout(1000) })
      .then((r) => r.ok)
      .catch(() => false);
    if (ok) return performance.now();
    await sleep(100);
  }
  throw new Error(`asterisk did not come back within ${timeoutMs} ms`);
}
