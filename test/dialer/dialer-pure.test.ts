import { describe, expect, it } from 'vitest';
import { withinCallingHours } from '../../src/dialer/calling-hours.js';
import { campaignSchema } from '../../src/dialer/campaign.js';
import { afterAttempt } from '../../src/dialer/outcome.js';
import { answerChance, newPacingStats, predictiveDials, recordDial } from '../../src/dialer/pacing.js';

const campaign = campaignSchema.parse({ id: 'd', queue: 'q', mode: 'predictive', caller_id: '01', timezone: 'Europe/Paris', hours: { mon: [{ from: '09:00', to: '12:00' }, { from: '14:00', to: '18:00' }] }, retry_s: { busy: 60 } });
const MON_0830_UTC = Date.UTC(2026, 10, 2, 8, 30); // 09:30 in Paris (CET)

describe('withinCallingHours', () => {
  it('accepts a time inside a window and refuses the lunch gap and a day without windows', () => {
    expect(withinCallingHours(campaign, MON_0830_UTC)).toBe(true);
    expect(withinCallingHours(campaign, Date.UTC(2026, 10, 2, 12, 0))).toBe(false);
    expect(withinCallingHours(campaign, Date.UTC(2026, 10, 3, 8, 30))).toBe(false);
  });
  it('reads the member time zone when one is given', () => {
    expect(withinCallingHours(campaign, MON_0830_UTC, 'America/New_York')).toBe(false);
    expect(withinCallingHours(campaign, Date.UTC(2026, 10, 2, 15, 0), 'America/New_York')).toBe(true);
  });
});

describe('afterAttempt', () => {
  const m = { attempts: 0, nextComm: 0, communications: 2, expireAt: null };
  it('ends the member with success when answered', () => {
    expect(afterAttempt(campaign, m, 'answered', 0)).toEqual({ kind: 'done', result: 'success' });
  });
  it('retries on the next communication after the outcome\'s delay', () => {
    expect(afterAttempt(campaign, m, 'busy', 1000)).toEqual({ kind: 'retry', at: 61_000, nextComm: 1, attempts: 1 });
    expect(afterAttempt(campaign, { ...m, nextComm: 1 }, 'no_answer', 0)).toMatchObject({ nextComm: 0 });
  });
  it('ends at max attempts and when the retry would fall after expiry', () => {
    expect(afterAttempt(campaign, { ...m, attempts: 2 }, 'busy', 0)).toEqual({ kind: 'done', result: 'max_attempts' });
    expect(afterAttempt(campaign, { ...m, expireAt: 30_000 }, 'busy', 0)).toEqual({ kind: 'done', result: 'expired' });
  });
  it('keeps the attempt count when a preview is skipped', () => {
    expect(afterAttempt(campaign, m, 'skipped', 0)).toMatchObject({ kind: 'retry', attempts: 0, nextComm: 0 });
  });
});

describe('predictiveDials', () => {
  it('dials more than one per free agent and none past the concurrency cap', () => {
    const s = newPacingStats();
    for (let i = 0; i < 100; i++) recordDial(s, i % 4 === 0, 8000);
    const n = predictiveDials(s, { freeAgents: 5, busyElapsedMs: [], ringingElapsedMs: [], waiting: 0, maxConcurrent: 100 });
    expect(n).toBeGreaterThan(5);
    expect(predictiveDials(s, { freeAgents: 5, busyElapsedMs: [], ringingElapsedMs: [], waiting: 0, maxConcurrent: 3 })).toBe(3);
  });
  it('counts a dial ringing longer than customers answer as unlikely to answer', () => {
    const s = newPacingStats();
    for (let i = 0; i < 100; i++) recordDial(s, i % 3 === 0, 5000 + (i % 10) * 1000);
    expect(answerChance(s, 0.33, 1000)).toBeCloseTo(0.33, 1);
    expect(answerChance(s, 0.33, 20_000)).toBe(0);
  });
});
