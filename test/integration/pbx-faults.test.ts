import { describe, expect, it } from 'vitest';
import { Engine } from '../../src/calls/engine.js';
import { VirtualClock } from '../../src/infra/clock.js';
import { silentLogger } from '../../src/infra/logger.js';
import { PbxError, type LegId, type PbxPort } from '../../src/pbx/port.js';
import { SimPbx } from '../../src/pbx/sim/sim-pbx.js';
import { openStore } from '../../src/store/store.js';
import { configFrom } from '../support/sim-world.js';

describe('a PBX that fails for a moment', () => {
  it('retries hanging up the caller so nobody is left on the line', async () => {
    const clock = new VirtualClock(0);
    const sim = new SimPbx(clock);
    let failures = 1;
    const flaky = Object.assign(Object.create(sim) as PbxPort, {
      name: 'flaky',
      start: () => sim.start(),
      stop: () => sim.stop(),
      onEvent: (l: Parameters<PbxPort['onEvent']>[0]) => sim.onEvent(l),
      async hangup(leg: LegId, cause?: Parameters<PbxPort['hangup']>[1]) {
        if (failures-- > 0) throw new PbxError('DISCONNECTED', 'cannot reach ARI');
        return sim.hangup(leg, cause);
      },
    });
    const store = openStore(':memory:');
    // The IVR hangs up when nothing is pressed.
    const config = configFrom({
      numbers: [{ id: 'n', number: '100', enable_ivr: true, ivr: 'm' }],
      ivrs: [{ id: 'm', root: 'top', nodes: [{ id: 'top', prompts: { default: ['menu'] }, timeout_s: 2, retries: 0, keys: { '1': { action: 'hangup' } } }] }],
    });
    const engine = new Engine({ pbx: flaky, clock, log: silentLogger(), store, config });
    await engine.start();
    const leg = sim.placeCall({ to: '100', from: '+1' });
    await clock.runFor(30_000);
    expect(sim.legs.get(leg)?.state).toBe('down');
    expect(sim.calls('hangup')).toHaveLength(1);
    expect(store.cdrs.all()[0]).toMatchObject({ disposition: 'ivr-exit', hangupSide: 'system' });
    await engine.stop();
    store.close();
  });
});
