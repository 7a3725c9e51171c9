import { afterEach, describe, expect, it } from 'vitest';
import { createLiveStats } from '../../src/stats/live-stats.js';
import { exampleConfig, simWorld, type SimWorld } from '../support/sim-world.js';

describe('live statistics', () => {
  let w: SimWorld;
  afterEach(async () => w?.close());

  it('counts today’s calls from CDRs written before a restart, then keeps counting', async () => {
    w = await simWorld(exampleConfig());
    w.pbx.setPhone('1001', { behavior: 'answer', answerAfterMs: 1000, talkMs: 10_000 });
    w.pbx.placeCall({ to: '2000', from: '+1' });
    w.pbx.placeCall({ to: '2000', from: '+2', patienceMs: 500 });
    await w.clock.runFor(60_000);
    expect(w.store.cdrs.all()).toHaveLength(2);

    // A new process: stats start empty, then take in today's CDRs from the store.
    const stats = createLiveStats(w.engine);
    const counters = () => Object.fromEntries(stats.queue('q1')!.counters.map((c) => [c.statName, c.value]));
    expect(counters()).toMatchObject({ TotalNumberCallsAnswered: 0, TotalNumberCallsAbandonned: 0 });
    stats.seed(w.store.cdrs.all());
    expect(counters()).toMatchObject({ TotalNumberCallsAnswered: 1, TotalNumberCallsAbandonned: 1, PercentageAnsweredBefore: 50 });

    w.pbx.placeCall({ to: '2000', from: '+3' });
    await w.clock.runFor(60_000);
    expect(counters()).toMatchObject({ TotalNumberCallsAnswered: 2, AverageSpeedOfAnswer: 1 });
  });
});
