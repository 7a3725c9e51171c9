/**
 * First-run traffic on the simulated PBX: callers arrive at random (Poisson, `callsPerHour`), walk
 * the reference IVR, wait, and simulated agent phones answer and talk, so a wallboard moves.
 * Agents paused for no-answer come back after a short break. Seeded: a run can be replayed.
 * An agent a person works at the desktop (`atDesk`) is left ringing until the person clicks Answer
 * (POST /agents/:id/answer).
 */
import type { Engine } from '../calls/engine.js';
import type { Agent, Config } from '../domain/config.js';
import { seededRandom } from '../domain/random.js';
import type { Clock, TimerHandle } from '../infra/clock.js';
import type { SimPbx } from '../pbx/sim/sim-pbx.js';

export interface SimTrafficOptions {
  pbx: SimPbx;
  engine: Engine;
  clock: Clock;
  callsPerHour: number;
  seed?: number;
  /** Mean talk time; default 60 s. */
  meanTalkMs?: number;
  /** Mean caller patience in queue; default 120 s. */
  meanPatienceMs?: number;
  /** A person has this agent's desktop open: its phone is not scripted to answer by itself. */
  atDesk?: (agentId: string) => boolean;
}

export interface SimTraffic {
  /** Callers placed so far. */
  readonly placed: number;
  stop(): void;
}

const phoneOf = (a: Agent): string => (a.phone.type === 'sip' ? a.phone.endpoint : a.phone.number);

/** The IVR keys a caller presses on the reference flow: 1 English (then 1 sales / 2 support), 2 Spanish (then 1). */
function ivrKeys(random: () => number): { afterMs: number; digit: string }[] {
  const english = random() < 0.7;
  const second = english ? (random() < 0.5 ? '1' : '2') : '1';
  return [
    { afterMs: 1000 + random() * 2000, digit: english ? '1' : '2' },
    { afterMs: 4000 + random() * 2000, digit: second },
  ];
}

export function startSimTraffic(opts: SimTrafficOptions): SimTraffic {
  const { pbx, engine, clock } = opts;
  const random = seededRandom(opts.seed ?? Date.now());
  const exp = (mean: number) => -Math.log(1 - random()) * mean;
  const meanTalkMs = opts.meanTalkMs ?? 60_000;
  const meanPatienceMs = opts.meanPatienceMs ?? 120_000;
  const timers = new Set<TimerHandle>();
  let placed = 0;
  let stopped = false;

  const later = (at: number, fn: () => void) => {
    const handle = clock.schedule(at, () => {
      timers.delete(handle);
      if (!stopped) fn();
    });
    timers.add(handle);
  };

  // Each agent phone answers after 2–6 s and talks ~meanTalk; 3 % of offers are missed. Redrawn after each call.
  const atDesk = opts.atDesk ?? (() => false);
  const addressOf = (a: Agent): string => {
    const d = engine.agentDestination(a.id);
    return d ? (d.kind === 'sip' ? d.endpoint : d.number) : phoneOf(a);
  };
  const script = (config: Config) => {
    for (const a of config.agents) {
      const draw = random();
      if (atDesk(a.id)) pbx.setPhone(addressOf(a), { behavior: 'never' });
      else pbx.setPhone(addressOf(a), draw < 0.03 ? { behavior: 'never' } : { behavior: 'answer', answerAfterMs: 2000 + random() * 4000, talkMs: 15_000 + exp(meanTalkMs) });
    }
  };
  script(engine.currentConfig);
  const onLog = (e: { event: string }) => {
    if (e.event === 'CONNECT' || e.event === 'RINGNOANSWER') script(engine.currentConfig);
  };
  const onState = (e: { presence: string; reason?: string | undefined; agentId: string }) => {
    // Logging in at the desktop (on a line, maybe) hands the phone to the person.
    if (e.presence !== 'loggedout' && atDesk(e.agentId)) {
      const a = engine.agentConfig(e.agentId);
      if (a) pbx.setPhone(addressOf(a), { behavior: 'never' });
    }
    if (e.presence === 'paused' && e.reason === 'no-answer') later(clock.now() + 30_000, () => engine.unpauseAgent(e.agentId));
  };
  engine.on('queue.log', onLog);
  engine.on('agent.state', onState);

  const next = () => {
    later(clock.now() + exp(3_600_000 / opts.callsPerHour), () => {
      const config = engine.currentConfig;
      const ivr = config.numbers.filter((n) => n.enable_ivr).map((n) => n.number);
      const direct = config.numbers.filter((n) => !n.enable_ivr).map((n) => n.number);
      const from = `+1555${String(1_000_000 + (++placed % 1_000_000)).slice(1)}`;
      const patienceMs = 20_000 + exp(meanPatienceMs);
      const pick = (list: string[]) => list[Math.floor(random() * list.length)]!;
      if (direct.length > 0 && (ivr.length === 0 || random() < 0.2)) pbx.placeCall({ to: pick(direct), from, patienceMs });
      else if (ivr.length > 0) pbx.placeCall({ to: pick(ivr), from, keys: ivrKeys(random), patienceMs });
      next();
    });
  };
  if (opts.callsPerHour > 0) next();

  return {
    get placed() {
      return placed;
    },
    stop() {
      stopped = true;
      for (const t of timers) clock.cancel(t);
      timers.clear();
      engine.off('queue.log', onLog);
      engine.off('agent.state', onState);
    },
  };
}
