import { describe, expect, it } from 'vitest';
import { simulateCampaign } from '../../src/dialer/simulate-campaign.js';

describe('predictive pacing', () => {
  it('keeps the abandon rate under the 3 % target with agents busier than progressive when the answer rate changes every hour', async () => {
    const rates = [0.2, 0.45, 0.25];
    const predictive = await simulateCampaign({ mode: 'predictive', hours: 3, agents: 20, answerRates: rates, seed: 5 });
    const progressive = await simulateCampaign({ mode: 'progressive', hours: 3, agents: 20, answerRates: rates, seed: 5 });
    expect(predictive.abandonRate).toBeLessThanOrEqual(0.03);
    expect(predictive.answered).toBeGreaterThan(500);
    expect(predictive.occupancy).toBeGreaterThan(progressive.occupancy + 0.05);
    expect(progressive.abandonRate).toBe(0);
  }, 240_000);
});
