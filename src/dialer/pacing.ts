/**
 * Predictive pacing, pure: how many customers to dial now so that agents rarely wait, while the
 * abandon rate (answered customers no agent was free for within 2 s) stays under the target.
 *
 * Dial by dial, the risk that this one more customer, if they answer, finds no agent: demand is
 * the customers already waiting plus the answers still to come from the dials in flight (each
 * with its own chance, lower the longer it has rung); supply is the free agents plus those busy
 * agents expected to finish within the time a new dial takes to be answered (+ the 2 s an answered
 * customer may wait): handle times are close to exponential, so each busy agent frees within that
 * horizon with probability 1 − e^(−horizon/AHT) (Erlang's memoryless service). Demand − supply is
 * a sum of independent Bernoulli trials, taken as normal. We add dials while the risk of the next
 * stays under a threshold; the threshold adapts on the abandon rate measured over a sliding window
 * of recent answers (up when under the set point, down when over, faster on a burst).
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
  /** The marginal abandon risk allowed for one more dial; adapts on the measured abandon rate. */
  risk: number;
  totalAnswered: number;
  totalAbandoned: number;
}

export const newPacingStats = (target = 0.03): PacingStats => ({ answered: [], dials: [], handleMs: [], ringMs: [], risk: target, totalAnswered: 0, totalAbandoned: 0 });

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
  adaptRisk(s, target);
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
 * The risk threshold steers the abandon rate of the window towards 90 % of the target in small
 * proportional steps; a burst above 2.5 × the target in the last 30 answers (3 abandons) pulls it down faster.
 */
function adaptRisk(s: PacingStats, target: number): void {
  const setpoint = target * 0.9;
  const err = Math.max(-1, Math.min(1, (setpoint - abandonRate(s)) / setpoint));
  s.risk *= 1 + 0.03 * err;
  const last = s.answered.slice(-30);
  if (last.length >= 30 && last.filter(Boolean).length / last.length > 2.5 * target) s.risk *= 0.95;
  s.risk = Math.max(target / 20, Math.min(0.5, s.risk));
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

/** How long an answered customer may wait for an agent before counting as abandoned. */
const ABANDON_WAIT_MS = 2000;

/** Number of new dials to place now. */
export function predictiveDials(s: PacingStats, i: PacingInput): number {
  const p = answerRate(s);
  const ahtMs = mean(s.handleMs, 180_000);
  const ringMs = mean(s.ringMs, 8_000);
  // Until 30 handle times are measured none is counted on: the first calls to end are the short
  // ones, and a mean of them would promise agents that will not be free.
  const freeing = s.handleMs.length < 30 ? 0 : 1 - Math.exp(-(ringMs + ABANDON_WAIT_MS) / ahtMs);
  const busy = i.busyElapsedMs.length;
  const coming = i.ringingElapsedMs.map((e) => answerChance(s, p, e));
  // Demand − supply, before any new dial: mean and variance.
  let m = i.waiting + coming.reduce((sum, q) => sum + q, 0) - i.freeAgents - busy * freeing;
  let v = coming.reduce((sum, q) => sum + q * (1 - q), 0) + busy * freeing * (1 - freeing);
  // Until the rates are measured (50 dials, 20 ring times) a third of the risk: no burst of abandons at the start.
  const risk = s.dials.length < 50 || s.ringMs.length < 20 ? s.risk / 3 : s.risk;
  const room = Math.max(0, i.maxConcurrent - i.ringingElapsedMs.length);
  let n = 0;
  while (n < room && noAgentRisk(m, v) <= risk) {
    m += p;
    v += p * (1 - p);
    n++;
  }
  return n;
}

/** The chance one more answered customer finds no agent: P(demand − supply + 1 > 0.5), demand − supply ~ N(m, v). */
export function noAgentRisk(m: number, v: number): number {
  if (v < 1e-9) return m + 1 > 0.5 ? 1 : 0;
  return 1 - normalCdf((-0.5 - m) / Math.sqrt(v));
}

/** Φ(z), Abramowitz–Stegun 7.1.26 through erf (error under 1.5e-7). */
function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const erf = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return z >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
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
