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
  totalAnswered: number;
  totalAbandoned: number;
}

export const newPacingStats = (): PacingStats => ({ answered: [], dials: [], handleMs: [], ringMs: [], gain: 1, totalAnswered: 0, totalAbandoned: 0 });

const WINDOW = 300;
/** The answer rate follows a shorter window: it changes through the day and is re-learnt fast. */
const DIAL_WINDOW = 200;
const push = <T>(xs: T[], x: T, window = WINDOW): void => {
  xs.push(x);
  if (xs.length > window) xs.shift();
};
const mean = (xs: number[], fallback: number) => (xs.length === 0 ? fallback : xs.reduce((s, x) => s + x, 0) / xs.length);

export function recordDial(s: PacingStats, answered: boolean, ringMs?: number): void {
  push(s.dials, answered, DIAL_WINDOW);
  if (answered && ringMs !== undefined) push(s.ringMs, ringMs);
}
export function recordAnswered(s: PacingStats, abandoned: boolean, target: number): void {
  push(s.answered, abandoned);
  s.totalAnswered++;
  if (abandoned) s.totalAbandoned++;
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

/**
 * The gain steers the recent abandon rate (the window) towards 80 % of the target in small
 * proportional steps; a burst above 1.5 × the target in the last 30 answers pulls it down faster.
 */
function adaptGain(s: PacingStats, target: number): void {
  const setpoint = target * 0.8;
  const err = Math.max(-1, Math.min(1, (setpoint - abandonRate(s)) / setpoint));
  s.gain *= 1 + 0.02 * err;
  const last = s.answered.slice(-30);
  if (last.length >= 30 && last.filter(Boolean).length / last.length > 1.5 * target) s.gain *= 0.97;
  s.gain = Math.max(0.3, Math.min(3, s.gain));
}

export interface PacingInput {
  freeAgents: number;
  /** Elapsed handle time (ms) of each agent on a call or in wrap-up. */
  busyElapsedMs: number[];
  /** How long each dial in flight has been ringing (ms). */
  ringingElapsedMs: number[];
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
  // Handle times are close to exponential (memoryless): each busy agent frees within a ring time
  // with probability 1 − e^(−ring/aht), whatever its elapsed time.
  const soon = 0.5 * i.busyElapsedMs.length * (1 - Math.exp(-ringMs / ahtMs));
  // Until the rates are measured (50 dials, 20 ring times) the gain is held low: no burst of abandons at the start.
  const gain = s.dials.length < 50 || s.ringMs.length < 20 ? Math.min(s.gain, 0.6) : s.gain;
  const supply = (i.freeAgents + soon) * gain;
  const expected = i.ringingElapsedMs.reduce((sum, e) => sum + answerChance(s, p, e), 0) + i.waiting;
  const want = Math.floor((supply - expected) / p);
  return Math.max(0, Math.min(want, i.maxConcurrent - i.ringingElapsedMs.length));
}

/**
 * The chance a dial ringing for `elapsedMs` is still answered: p·S(e) / (p·S(e) + 1 − p), with S the
 * measured share of answered dials whose ring time exceeds e (a dial that rang longer than
 * customers usually take is probably not going to be answered).
 */
export function answerChance(s: PacingStats, p: number, elapsedMs: number): number {
  if (s.ringMs.length < 20) return p;
  const later = s.ringMs.filter((r) => r > elapsedMs).length / s.ringMs.length;
  return (p * later) / (p * later + 1 - p);
}
