import { describe, expect, it } from 'vitest';
import { Engine } from '../../src/calls/engine.js';
import { VirtualClock } from '../../src/infra/clock.js';
import { silentLogger } from '../../src/infra/logger.js';
import type { PbxPort } from '../../src/pbx/port.js';
import { SimPbx } from '../../src/pbx/sim/sim-pbx.js';
import { openStore } from '../../src/store/store.js';
import { configFrom } from '../support/sim-world.js';

/** A PBX whose originate answers arrive late: the agent's phone reacts before the request returns. */
function slowOriginate(sim: SimPbx, clock: VirtualClock, lagMs: number): PbxPort {
  return Object.assign(Object.create(sim) as PbxPort, {
    name: 'slow-originate',
    start: () => sim.start(),
    stop: () => sim.stop(),
    onEvent: (l: Parameters<PbxPort['onEvent']>[0]) => sim.onEvent(l),
    async originate(req: Parameters<PbxPort['originate']>[0]) {
      const leg = await sim.originate(req);
      await clock.sleep(lagMs);
      return leg;
    },
  });
}

describe('events that overtake an originate answer', () => {
  it.each([
    ['answers', { behavior: 'answer' as const, answerAfterMs: 0, talkMs: 10_000 }, 'a1'],
    ['rejects', { behavior: 'busy' as const, answerAfterMs: 0 }, 'a2'],
  ])('are delivered once the leg is known, when the phone %s at once', async (_, phone, expectedAgent) => {
    const clock = new VirtualClock(0);
    const sim = new SimPbx(clock);
    const store = openStore(':memory:');
    const config = configFrom({
      numbers: [{ id: 'n', number: '100', queue: 'q' }],
      queues: [{ id: 'q', groups: [{ group: 'g', priority: 1 }], strategy: 'linear', answer_timeout_s: 30 }],
      groups: [{ id: 'g' }],
      agents: ['a1', 'a2'].map((id) => ({ id, phone: { type: 'sip' as const, endpoint: id }, groups: ['g'], auto_login: true })),
    });
    const engine = new Engine({ pbx: slowOriginate(sim, clock, 500), clock, log: silentLogger(), store, config });
    await engine.start();
    sim.setPhone('a1', phone);
    sim.setPhone('a2', { behavior: 'answer', answerAfterMs: 1000, talkMs: 10_000 });
    sim.placeCall({ to: '100', from: '+1' });
    await clock.runFor(60_000);
    const [cdr] = store.cdrs.all();
    expect(cdr).toMatchObject({ disposition: 'answered', agentId: expectedAgent });
    // Connected as soon as the late answer was known, not after the 30 s answer time-out.
    expect(cdr!.waitMs).toBeLessThan(3000);
    await engine.stop();
    store.close();
  });
});
