/**
 * Overload protection on the simulated PBX: past the admission limit (live calls, or PBX requests
 * in flight) a new call is hung up busy at once, with a CDR (refused, cause overload), counted in
 * /metrics; the calls in progress go on untouched, and every call that reached the engine has a CDR.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createMetrics } from '../../src/stats/metrics.js';
import { exampleConfig, simWorld, type SimWorld } from '../support/sim-world.js';

let w: SimWorld | undefined;
afterEach(async () => {
  await w?.close();
  w = undefined;
});

const callerLeg = (world: SimWorld, from: string) => [...world.pbx.legs.values()].find((l) => l.kind === 'caller' && l.from === from)!;
const cdrOf = (world: SimWorld, caller: string) => world.store.cdrs.all().find((c) => c.caller === caller);

describe('engine admission limit', () => {
  it('sheds a call busy with a refused CDR when the live-call limit is reached', async () => {
    w = await simWorld(exampleConfig(), { admission: { maxLiveCalls: 2 } });
    const { pbx, clock } = w;
    for (const ep of ['1001', '1002']) pbx.setOnline(ep, false); // nobody answers: calls stay live
    for (const from of ['5701', '5702', '5703']) pbx.placeCall({ to: '2000', from });
    await clock.runFor(5_000);
    expect(w.engine.liveCalls).toBe(2);
    expect(callerLeg(w, '5701').state).toBe('up');
    expect(callerLeg(w, '5702').state).toBe('up');
    expect(callerLeg(w, '5703').state).toBe('down');
    expect(pbx.calls('hangup').filter((c) => c.args[0] === callerLeg(w!, '5703').id).map((c) => c.args[1])).toEqual(['busy']);
    expect(cdrOf(w, '5703')).toMatchObject({ disposition: 'refused', hangupSide: 'system', hangupCause: 'overload' });
    expect(w.engine.admission).toEqual({ maxLiveCalls: 2, maxPbxRequests: undefined, shed: 1 });
  });

  it('admits calls again once live calls fall under the limit', async () => {
    w = await simWorld(exampleConfig(), { admission: { maxLiveCalls: 1 } });
    const { pbx, clock } = w;
    for (const ep of ['1001', '1002']) pbx.setOnline(ep, false);
    const first = pbx.placeCall({ to: '2000', from: '5711' });
    await clock.runFor(2_000);
    pbx.remoteHangup(first);
    await clock.runFor(1_000);
    pbx.placeCall({ to: '2000', from: '5712' });
    await clock.runFor(2_000);
    expect(callerLeg(w, '5712').state).toBe('up');
    expect(w.engine.admission.shed).toBe(0);
  });

  it('sheds a call when the PBX has too many requests in flight', async () => {
    let pbxLoad = 0;
    w = await simWorld(exampleConfig(), { admission: { maxPbxRequests: 16, pbxLoad: () => pbxLoad } });
    const { pbx, clock } = w;
    pbx.placeCall({ to: '2000', from: '5721' });
    await clock.runFor(1_000);
    pbxLoad = 16;
    pbx.placeCall({ to: '2000', from: '5722' });
    await clock.runFor(1_000);
    expect(callerLeg(w, '5721').state).toBe('up');
    expect(cdrOf(w, '5722')).toMatchObject({ disposition: 'refused', hangupCause: 'overload' });
    expect(w.engine.admission.shed).toBe(1);
  });

  it('writes a CDR for every call of a burst past the limit, and counts the shed ones in /metrics', async () => {
    w = await simWorld(exampleConfig(), { admission: { maxLiveCalls: 5 } });
    const { pbx, clock } = w;
    const metrics = createMetrics();
    metrics.attach(w.engine);
    for (const ep of ['1001', '1002']) pbx.setPhone(ep, { behavior: 'answer', answerAfterMs: 500, talkMs: 3_000 });
    const callers = Array.from({ length: 40 }, (_, i) => String(5800 + i));
    for (const [i, from] of callers.entries()) pbx.placeCall({ to: '2000', from, at: clock.now() + i * 100 });
    await clock.runFor(600_000);
    const cdrs = w.store.cdrs.all();
    expect(cdrs.map((c) => c.caller).sort()).toEqual(callers);
    const shed = cdrs.filter((c) => c.hangupCause === 'overload').length;
    expect(shed).toBeGreaterThan(0);
    expect(shed).toBe(w.engine.admission.shed);
    expect(cdrs.filter((c) => c.disposition === 'answered').length + shed).toBe(40);
    expect(await metrics.render()).toContain(`calls_shed_total ${shed}`);
  });
});
