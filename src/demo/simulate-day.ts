/**
 * A simulated day of the reference flow on the simulated PBX and a virtual clock:
 * seeded random arrivals, IVR choices, patience and talk times; runs in seconds.
 */
import { Engine } from '../calls/engine.js';
import type { Config } from '../domain/config.js';
import { VirtualClock } from '../infra/clock.js';
import { silentLogger } from '../infra/logger.js';
import { SimPbx } from '../pbx/sim/sim-pbx.js';
import { AgentTimeTracker } from '../stats/agent-time.js';
import { queueReport, type QueueReport } from '../stats/queue-report.js';
import { openQueueLogFile } from '../store/queue-log-file.js';
import { openStore } from '../store/store.js';
import { seededRandom } from '../domain/random.js';

export interface DayOptions {
  seed?: number;
  /** Length of the simulated opening hours. */
  hours?: number;
  callsPerHour?: number;
  meanTalkS?: number;
  meanPatienceS?: number;
  /** Also append the day's queue events to this file in Asterisk's queue_log format. */
  queueLogPath?: string;
  /** SQLite file for the day's CDRs and queue log; default in memory. */
  dbPath?: string;
}

export interface AgentReport {
  agentId: string;
  name: string | undefined;
  calls: number;
  talkMs: number;
  occupancy: number;
}

export interface DayReport {
  seed: number;
  hours: number;
  calls: number;
  queues: (QueueReport & { name: string | undefined })[];
  agents: AgentReport[];
}

export async function simulateDay(config: Config, opts: DayOptions = {}): Promise<DayReport> {
  const seed = opts.seed ?? 42;
  const hours = opts.hours ?? 8;
  const callsPerHour = opts.callsPerHour ?? 70;
  const meanTalkMs = (opts.meanTalkS ?? 200) * 1000;
  const meanPatienceMs = (opts.meanPatienceS ?? 150) * 1000;
  const random = seededRandom(seed);
  const exp = (mean: number) => -Math.log(1 - random()) * mean;

  const start = Date.UTC(2026, 10, 2, 8, 0, 0);
  const clock = new VirtualClock(start);
  const pbx = new SimPbx(clock, { defaultPromptMs: 3000 });
  const store = openStore(opts.dbPath ?? ':memory:');
  const queueLog = opts.queueLogPath
    ? await openQueueLogFile({ path: opts.queueLogPath, fsync: 'none', fsyncIntervalMs: 1000, maxBytes: 0, daily: false }, silentLogger())
    : undefined;
  const tracker = new AgentTimeTracker();
  let n = 0;
  const engine = new Engine({ pbx, clock, log: silentLogger(), store, config, newCallId: () => `day-${++n}`, seed });
  engine.on('agent.state', (e) => tracker.onState(e));
  if (queueLog) engine.on('queue.log', queueLog.append);
  await engine.start();

  // Agent phones: answer after 2–8 s, 3 % of offers are missed; talk time ~ exponential.
  const phoneOf = (a: Config['agents'][number]) => (a.phone.type === 'sip' ? a.phone.endpoint : a.phone.number);
  const rescript = () => {
    for (const a of config.agents) {
      pbx.setPhone(phoneOf(a), random() < 0.03 ? { behavior: 'never' } : { behavior: 'answer', answerAfterMs: 2000 + random() * 6000, talkMs: 30_000 + exp(meanTalkMs) });
    }
  };
  rescript();
  // Each offer draws a fresh behaviour, so agents differ call by call.
  engine.on('queue.log', (e) => {
    if (e.event === 'CONNECT' || e.event === 'RINGNOANSWER') rescript();
  });
  // Agents paused for no-answer come back after a short break.
  engine.on('agent.state', (e) => {
    if (e.presence === 'paused' && e.reason === 'no-answer') clock.schedule(clock.now() + 120_000, () => engine.unpauseAgent(e.agentId));
  });

  const ivrNumbers = config.numbers.filter((x) => x.enable_ivr).map((x) => x.number);
  const directNumbers = config.numbers.filter((x) => !x.enable_ivr).map((x) => x.number);
  let t = start;
  const end = start + hours * 3600_000;
  let calls = 0;
  for (;;) {
    t += exp(3600_000 / callsPerHour);
    if (t >= end) break;
    calls++;
    const patienceMs = 20_000 + exp(meanPatienceMs);
    const from = `+1555${String(1_000_000 + calls).slice(1)}`;
    if (directNumbers.length > 0 && (ivrNumbers.length === 0 || random() < 0.2)) {
      pbx.placeCall({ to: directNumbers[Math.floor(random() * directNumbers.length)]!, from, at: t, patienceMs });
      continue;
    }
    // The sample IVR: 1 English (then 1 sales / 2 support), 2 Spanish (then 1).
    const english = random() < 0.7;
    const keys = english
      ? [{ afterMs: 1000 + random() * 2500, digit: '1' }, { afterMs: 5000 + random() * 2500, digit: random() < 0.5 ? '1' : '2' }]
      : [{ afterMs: 1000 + random() * 2500, digit: '2' }, { afterMs: 5000 + random() * 2500, digit: '1' }];
    pbx.placeCall({ to: ivrNumbers[Math.floor(random() * ivrNumbers.length)]!, from, at: t, keys, patienceMs });
  }
  await clock.advanceTo(end + 3600_000);
  const now = clock.now();

  const cdrs = store.cdrs.all();
  const queues = queueReport(cdrs, (id) => (config.queues.find((q) => q.id === id)?.service_level_s ?? 20) * 1000).map((r) => ({
    ...r,
    name: config.queues.find((q) => q.id === r.queueId)?.name,
  }));
  const agents = config.agents.map((a) => {
    const mine = cdrs.filter((c) => c.agentId === a.id);
    const times = tracker.times(a.id, now);
    const talkMs = mine.reduce((s, c) => s + (c.talkMs ?? 0), 0);
    return { agentId: a.id, name: a.name, calls: mine.length, talkMs, occupancy: times?.occupancy ?? 0 };
  });
  await engine.stop();
  await queueLog?.close();
  store.close();
  return { seed, hours, calls, queues, agents };
}
