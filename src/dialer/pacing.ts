/**
 * Predictive pacing, pure: how many customers to dial now so that agents rarely wait, while the
 * abandon rate (answered customers no agent was free for within 2 s) stays under the target.
 *
 * Expected answers from what is in flight = ringing × answer rate. Agents expected free by the
 * time a new dial would be answered = free agents + agents whose call is likely ending. We dial
 * so that expected answers ≈ that supply × `gain`; the gain adapts: it drops sharply when the
 * recent abandon rate passes the target and rises slowly while it stays well under.
 */

export interface PacingStats {
  /** Window of recent outcomes: answered customers (true = abandoned) for the abandon rate. */
  answered: boolean[];
  /** Recent dials: true = the customer answered. */
  dials: boolean[];
  /** Recent handle times (ms). */
  handleMs: number[];
  /** Recent times from dial to answer (ms). */
  ringMs: number[];
  gain: number;
}

export const newPacingStats = (): PacingStats => ({ answered: [], dials: [], handleMs: [], ringMs: [], gain: 1 });

const WINDOW = 200;
const push = <T>(xs: T[], x: T): void => {
  xs.push(x);
  if (xs.length > WINDOW) xs.shift();
};
const mean = (xs: number[], fallback: number) => (xs.length === 0 ? fallback : xs.reduce((s, x) => s + x, 0) / xs.length);

export function recordDial(s: PacingStats, answered: boolean, ringMs?: number): void {
  push(s.dials, answered);
  if (answered && ringMs !== undefined) push(s.ringMs, ringMs);
}
export function recordAnswered(s: PacingStats, abandoned: boolean, target: number): void {
  push(s.answered, abandoned);
  adaptGain(s, target);
}
export function recordHandle(s: PacingStats, ms: number): void {
  push(s.handleMs, ms);
}

export function answerRate(s: PacingStats): number {
  // A prior of 10 dials at 30 % until enough are measured.
  const yes = s.dials.filter(Boolean).length;
  return (yes + 3) / (s.dials.length + 10);
}
export function abandonRate(s: PacingStats): number {
  return s.answered.length === 0 ? 0 : s.answered.filter(Boolean).length / s.answered.length;
}

function adaptGain(s: PacingStats, target: number): void {
  const recent = s.answered.slice(-50);
  const rate = recent.filter(Boolean).length / Math.max(recent.length, 1);
  if (recent.length >= 10 && rate > target) s.gain = Math.max(0.3, s.gain * 0.85);
  else if (rate < target * 0.5) s.gain = Math.min(2.5, s.gain * 1.02);
}

export interface PacingInput {
  freeAgents: number;
  /** Elapsed handle time (ms) of each agent on a call or in wrap-up. */
  busyElapsedMs: number[];
  ringing: number;
  /** Answered customers waiting for an agent. */
  waiting: number;
  maxConcurrent: number;
}

/** Number of new dials to place now. */
export function predictiveDials(s: PacingStats, i: PacingInput): number {
  const p = answerRate(s);
  const ahtMs = mean(s.handleMs, 180_000);
  const ringMs = mean(s.ringMs, 8_000);
  // An agent whose call has run past the mean minus the ring time will probably be free when a
  // new dial answers; count each by that likelihood.
  const soon = i.busyElapsedMs.reduce((n, e) => n + (e >= ahtMs - ringMs ? 0.5 : 0), 0) * s.gain;
  const supply = i.freeAgents * Math.min(1, s.gain) + soon + Math.max(0, s.gain - 1) * i.freeAgents;
  const expected = i.ringing * p + i.waiting;
  const want = Math.floor((supply - expected) / p);
  return Math.max(0, Math.min(want, i.maxConcurrent - i.ringing));
}
