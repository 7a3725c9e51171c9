/**
 * The overload run of the load bench (`--overload`): step the offered rate up until completion
 * drops below 99.9 % (bounded by a top rate, a fixed number of calls per step), then offer twice
 * the highest sustained rate — or, when nothing dropped up to the top, twice the top with an
 * admission limit on live calls so the engine sheds — and check that every call that reached
 * the engine has a CDR and that SIPp's own counts agree with the CDRs.
 */

/** What the overload run reads of one switchboard run (load-native.ts's PathRun). */
export interface OverloadRun {
  rate: number;
  callsPlaced: number;
  reached: number;
  records: number;
  answered: number;
  completionPct: number;
  byDisposition: Record<string, number>;
  callsWithoutCdr: number;
  shed: number;
  sippSuccessful: number | null;
  sippFailed: number | null;
  timedOut: boolean;
}

export interface OverloadResult<R extends OverloadRun> {
  steps: R[];
  /** Highest stepped rate at ≥ 99.9 % completion (null: not even the first). */
  sustainableCps: number | null;
  /** A step fell under 99.9 % (else the top rate was sustained). */
  dropFound: boolean;
  overloadCps: number;
  /** The admission limit on live calls in force for the overload run (null: none). */
  maxLiveCalls: number | null;
  run: R;
  callsWithoutCdr: number;
  /**
   * SIPp's counts match the CDRs: its failed calls are the refused CDRs (shed or refused busy,
   * never answered) plus the calls that never reached the engine; its successful calls every
   * other CDR (answered by the engine and ended with a BYE: talked, timed out in the queue, …).
   */
  sippAgrees: boolean;
}

export const sustained = (r: OverloadRun) => r.completionPct >= 99.9 && !r.timedOut;

export async function overloadRun<R extends OverloadRun>(
  rates: readonly number[],
  o: { topCps: number; maxLiveCalls: number | undefined; run: (rate: number, maxLiveCalls: number | undefined) => Promise<R>; onStep?: (r: R, phase: 'step' | 'overload') => void },
): Promise<OverloadResult<R>> {
  const steps: R[] = [];
  let sustainableCps: number | null = null;
  let dropFound = false;
  for (const rate of rates.filter((r) => r <= o.topCps)) {
    const r = await o.run(rate, o.maxLiveCalls);
    steps.push(r);
    o.onStep?.(r, 'step');
    if (!sustained(r)) {
      dropFound = true;
      break;
    }
    sustainableCps = rate;
  }
  const base = dropFound ? (sustainableCps ?? rates[0]!) : o.topCps;
  const overloadCps = 2 * base;
  // Nothing dropped up to the top: a limit on live calls (given, or about a second of arrivals at the top rate) makes the engine shed.
  const maxLiveCalls = o.maxLiveCalls ?? (dropFound ? undefined : o.topCps);
  const run = await o.run(overloadCps, maxLiveCalls);
  o.onStep?.(run, 'overload');
  const { refused, neverReached } = sippSplit(run);
  const sippAgrees = run.sippSuccessful === run.records - refused && run.sippFailed === refused + neverReached;
  return { steps, sustainableCps, dropFound, overloadCps, maxLiveCalls: maxLiveCalls ?? null, run, callsWithoutCdr: run.callsWithoutCdr, sippAgrees };
}

function sippSplit(r: OverloadRun): { refused: number; neverReached: number } {
  return { refused: r.byDisposition.refused ?? 0, neverReached: Math.max(0, r.callsPlaced - r.reached) };
}

export function describeOverload(x: OverloadResult<OverloadRun>): string[] {
  const r = x.run;
  const { refused, neverReached } = sippSplit(r);
  return [
    `overload: highest rate at ≥ 99.9 % completion ${x.sustainableCps ?? 'none'} cps (${x.dropFound ? 'the next step dropped' : 'no drop up to the top rate'}); offered ${x.overloadCps} cps${x.maxLiveCalls ? ` with at most ${x.maxLiveCalls} live calls` : ''}`,
    `  ${r.answered}/${r.callsPlaced} answered, ${r.shed} shed; CDRs ${r.records} of ${r.reached} calls that reached the engine: callsWithoutCdr ${x.callsWithoutCdr}; ${JSON.stringify(r.byDisposition)}`,
    `  SIPp ${r.sippSuccessful ?? '?'} ok / ${r.sippFailed ?? '?'} failed vs CDRs ${r.records - refused} not refused / ${refused} refused + ${neverReached} never reached: ${x.sippAgrees ? 'agree' : 'DISAGREE'}`,
  ];
}
