import { describe, expect, it } from 'vitest';
import { simulateDay } from '../../src/demo/simulate-day.js';
import { exampleConfig } from '../support/sim-world.js';

describe('simulated day (npm run demo)', () => {
  it('accounts for every call and is reproducible from its seed', async () => {
    const a = await simulateDay(exampleConfig(), { seed: 3, hours: 2, callsPerHour: 60 });
    const b = await simulateDay(exampleConfig(), { seed: 3, hours: 2, callsPerHour: 60 });
    expect(a).toEqual(b);
    expect(a.calls).toBeGreaterThan(80);
    expect(a.queues.map((q) => q.queueId)).toEqual(['q1', 'q2', 'q3']);
    const offered = a.queues.reduce((s, q) => s + q.offered, 0);
    expect(offered).toBeLessThanOrEqual(a.calls);
    expect(offered).toBeGreaterThan(a.calls * 0.9);
    for (const q of a.queues) {
      expect(q.answered + q.abandoned + q.timedOut).toBe(q.offered);
      expect(q.serviceLevel).toBeGreaterThanOrEqual(0);
      expect(q.serviceLevel).toBeLessThanOrEqual(100);
      expect(q.longestWaitMs).toBeGreaterThanOrEqual(q.avgWaitMs);
    }
    const answered = a.queues.reduce((s, q) => s + q.answered, 0);
    expect(a.agents.reduce((s, x) => s + x.calls, 0)).toBe(answered);
    for (const agent of a.agents) {
      expect(agent.occupancy).toBeGreaterThan(0);
      expect(agent.occupancy).toBeLessThan(100);
    }
  });
});
