import { describe, expect, it } from 'vitest';
import { overloadRun, type OverloadRun } from '../../bench/support/overload.js';

/** A fake switchboard run: completes everything up to `limitCps`, then a fraction; sheds past `maxLive`. */
function fakeRun(limitCps: number, o: { noCdr?: number; sippOff?: number } = {}) {
  const calls: { rate: number; maxLive: number | undefined }[] = [];
  const run = async (rate: number, maxLive: number | undefined): Promise<OverloadRun> => {
    calls.push({ rate, maxLive });
    const placed = 400;
    const shed = maxLive !== undefined && rate > maxLive ? 300 : 0;
    const answered = rate <= limitCps ? placed - shed : Math.floor(placed * 0.8) - shed;
    const records = placed - (o.noCdr ?? 0);
    return {
      rate, callsPlaced: placed, reached: placed, records, answered, completionPct: (answered / placed) * 100,
      byDisposition: { answered, refused: shed }, callsWithoutCdr: placed - records, shed,
      sippSuccessful: records - shed + (o.sippOff ?? 0), sippFailed: shed, timedOut: false,
    };
  };
  return { run, calls };
}

describe('overloadRun', () => {
  it('offers twice the highest sustained rate when a step drops under 99.9 %', async () => {
    const f = fakeRun(150);
    const x = await overloadRun([100, 150, 200, 250], { topCps: 300, maxLiveCalls: undefined, run: f.run });
    expect(x.sustainableCps).toBe(150);
    expect(x.dropFound).toBe(true);
    expect(f.calls.map((c) => c.rate)).toEqual([100, 150, 200, 300]);
    expect(x.maxLiveCalls).toBeNull();
    expect(x.callsWithoutCdr).toBe(0);
    expect(x.sippAgrees).toBe(true);
  });

  it('sets a live-call limit of the top rate and offers twice the top when nothing drops', async () => {
    const f = fakeRun(1000);
    const x = await overloadRun([100, 200, 300, 400], { topCps: 300, maxLiveCalls: undefined, run: f.run });
    expect(x.dropFound).toBe(false);
    expect(f.calls).toEqual([{ rate: 100, maxLive: undefined }, { rate: 200, maxLive: undefined }, { rate: 300, maxLive: undefined }, { rate: 600, maxLive: 300 }]);
    expect(x.run.shed).toBe(300);
    expect(x.sippAgrees).toBe(true);
  });

  it('reports calls without a CDR and a SIPp disagreement when the counts differ', async () => {
    const f = fakeRun(100, { noCdr: 3, sippOff: 2 });
    const x = await overloadRun([100, 200], { topCps: 300, maxLiveCalls: 50, run: f.run });
    expect(x.callsWithoutCdr).toBe(3);
    expect(x.sippAgrees).toBe(false);
    expect(x.maxLiveCalls).toBe(50);
  });
});
