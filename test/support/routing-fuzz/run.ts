/**
 * The routing fuzzer: drives decide() with the random input generator, fires the timers it sets
 * at their due times (one in twenty late, after the next input), and checks every decision (src/routing/decision-checker.ts, which includes
 * the state invariants). Runs in segments: each segment starts from a fresh state and config with
 * its own seed, ends by hanging up every call and draining every timer, and checks that nothing is
 * left busy. After a violation the segment stops (the state can no longer be trusted) and the next
 * one starts, so `violations` counts inputs that broke an invariant, each on a clean history.
 */
import { createRoutingState, decide } from '../../../src/routing/decide.js';
import { DecisionChecker } from '../../../src/routing/decision-checker.js';
import { MinHeap } from '../../../src/routing/heap.js';
import type { RoutingInput, RoutingState } from '../../../src/routing/types.js';
import { InputGenerator } from './generator.js';

export interface FuzzViolation {
  /** Replay: runSegment(segmentSeed, step + 1) reproduces it. */
  segmentSeed: number;
  step: number;
  at: number;
  input: RoutingInput;
  messages: string[];
  /** The inputs just before, oldest first. */
  recent: { at: number; input: RoutingInput }[];
}

export interface FuzzReport {
  seed: number;
  /** Generated inputs (including stale timer fires and config changes). */
  inputs: number;
  /** Timer fires the scheduler delivered (on time, or late: after an input that came after their due time). */
  timerFires: number;
  lateTimerFires: number;
  /** Every decide() call: inputs, timer fires and the wind-down of each segment. */
  decisions: number;
  segments: number;
  violations: number;
  examples: FuzzViolation[];
  ignored: number;
  /** Generated inputs by type, and how many of them the core ignored (stale, unknown, not applicable). */
  byType: Record<string, { sent: number; ignored: number }>;
  offers: number;
  connects: number;
  exits: number;
}

export interface FuzzOptions {
  seed: number;
  inputs: number;
  /** Inputs per segment before the wind-down and a fresh start. */
  segmentInputs?: number;
  maxExamples?: number;
  onProgress?: (report: FuzzReport) => void;
  /** Checked between segments: true stops the run early (a time budget). */
  shouldStop?: () => boolean;
  progressEvery?: number;
}

/** The seed of segment `i` of a run seeded `seed`. */
export function segmentSeed(seed: number, i: number): number {
  return (Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) + Math.imul(i + 1, 0xc2b2ae35)) | 0;
}

export function emptyReport(seed: number): FuzzReport {
  return { seed, inputs: 0, timerFires: 0, lateTimerFires: 0, decisions: 0, segments: 0, violations: 0, examples: [], ignored: 0, byType: {}, offers: 0, connects: 0, exits: 0 };
}

export function runRoutingFuzz(opts: FuzzOptions): FuzzReport {
  const report = emptyReport(opts.seed);
  const per = opts.segmentInputs ?? 100_000;
  const every = opts.progressEvery ?? 250_000;
  let nextProgress = every;
  while (report.inputs < opts.inputs && !opts.shouldStop?.()) {
    const n = Math.min(per, opts.inputs - report.inputs);
    runSegment(segmentSeed(opts.seed, report.segments), n, report, opts.maxExamples ?? 5);
    report.segments += 1;
    if (opts.onProgress && report.inputs >= nextProgress) {
      opts.onProgress(report);
      nextProgress = report.inputs + every;
    }
  }
  return report;
}

interface Due {
  key: string;
  gen: number;
  at: number;
}

/** Run one segment of `n` inputs; adds to `report` and stops at the first violation. Returns the final state (for replays). */
export function runSegment(seed: number, n: number, report: FuzzReport, maxExamples = 5): RoutingState {
  const gen = new InputGenerator(seed);
  const state: RoutingState = createRoutingState(seed);
  const checker = new DecisionChecker();
  const due = new MinHeap<Due>((x, y) => x.at < y.at || (x.at === y.at && x.gen < y.gen));
  const recent: { at: number; input: RoutingInput }[] = [];
  let now = 0;
  let step = 0;

  /** Apply one input; false when it broke an invariant. */
  const apply = (at: number, input: RoutingInput, generated = false): boolean => {
    now = at;
    report.decisions += 1;
    if (recent.length >= 12) recent.shift();
    recent.push({ at, input });
    let messages: string[];
    try {
      const d = decide(state, input, at);
      for (const c of d.commands) {
        if (c.type === 'timer.set') {
          due.push({ key: c.key, gen: c.gen, at: c.at });
          gen.sawTimer(c.key, c.gen);
        } else if (c.type === 'offer') report.offers += 1;
        else if (c.type === 'connect') report.connects += 1;
        else if (c.type === 'call.exit') report.exits += 1;
      }
      const wasIgnored = d.events.length > 0 && d.events.some((e) => e.type === 'ignored');
      if (wasIgnored) report.ignored += 1;
      if (generated) {
        const t = (report.byType[input.type] ??= { sent: 0, ignored: 0 });
        t.sent += 1;
        if (wasIgnored) t.ignored += 1;
      }
      messages = checker.check(input, d, state, at);
    } catch (err) {
      messages = [`decide threw: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`];
    }
    if (messages.length === 0) return true;
    report.violations += 1;
    if (report.examples.length < maxExamples) report.examples.push({ segmentSeed: seed, step, at, input, messages: messages.slice(0, 8), recent: recent.slice(0, -1) });
    return false;
  };

  /** Timers due before the next input that a busy event loop delivers only after it. */
  let late: Due[] = [];

  /**
   * Fire every live timer due at or before `t`, in due order; with `defer`, some of them are held
   * back until after the next input (a timer callback queued behind an input, as in a real process).
   */
  const fireUntil = (t: number, defer = false): boolean => {
    for (;;) {
      const top = due.peek();
      if (!top || top.at > t) return true;
      due.pop();
      if (checker.timers.get(top.key)?.gen !== top.gen) continue;
      if (defer && gen.deferTimer()) {
        late.push(top);
        continue;
      }
      report.timerFires += 1;
      if (!apply(Math.max(top.at, now), { type: 'timer.fired', key: top.key, gen: top.gen })) return false;
    }
  };

  /**
   * Deliver the held-back timers now. One the input cleared or replaced is delivered too, as a
   * fire already queued when the clear came: the core must ignore it by its generation.
   */
  const fireLate = (): boolean => {
    const list = late;
    late = [];
    for (const x of list) {
      report.timerFires += 1;
      report.lateTimerFires += 1;
      if (!apply(now, { type: 'timer.fired', key: x.key, gen: x.gen })) return false;
    }
    return true;
  };

  if (!apply(0, { type: 'config.apply', config: gen.config() })) {
    report.inputs += 1; // counted, so a run always progresses
    return state;
  }
  for (; step < n; step++) {
    report.inputs += 1;
    const at = now + gen.gap();
    if (!fireUntil(at, true)) return state;
    if (!apply(at, gen.next(state), true)) return state;
    if (!fireLate() || !fireUntil(now)) return state;
  }
  windDown();
  return state;

  /** Every caller hangs up and every timer runs out: then nothing may be left busy. */
  function windDown(): void {
    const t = now + 1000;
    for (const a of [...state.agents.values()]) {
      if (a.outbound && a.callId && !apply(t, { type: 'agent.outbound.end', agentId: a.id, callId: a.callId })) return;
    }
    for (const c of [...state.calls.values()]) {
      const input: RoutingInput = c.state === 'connected' ? { type: 'call.end', callId: c.id, side: 'caller' } : { type: 'call.abandon', callId: c.id };
      if (!apply(t, input)) return;
    }
    if (!fireUntil(Number.MAX_SAFE_INTEGER)) return;
    const left: string[] = [];
    if (state.calls.size) left.push(`${state.calls.size} calls left after wind-down`);
    if (state.timers.size) left.push(`timers left after wind-down: ${[...state.timers.keys()].join(',')}`);
    for (const a of state.agents.values()) if (a.activity !== 'idle') left.push(`agent ${a.id} left ${a.activity} after wind-down`);
    for (const q of state.queues.values()) if (q.calls.size) left.push(`queue ${q.cfg.id} holds ${q.calls.size} calls after wind-down`);
    if (left.length) {
      report.violations += 1;
      if (report.examples.length < maxExamples) report.examples.push({ segmentSeed: seed, step, at: now, input: { type: 'timer.fired', key: 'wind-down', gen: 0 }, messages: left, recent });
    }
  }
}
