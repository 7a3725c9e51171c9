import { describe, expect, it } from 'vitest';
import { dueSince } from '../../src/outbound/callback-due.js';

const at = (iso: string) => Date.parse(iso);
const MIN = 60_000;
const morning = { periodStart: '09:00:00', periodEnd: '12:00:00' };
const night = { periodStart: '22:00:00', periodEnd: '02:00:00' };
const base = { dueDate: null, preferredPeriod: null, createdAt: at('2026-11-02T07:00:00Z'), lastAttemptAt: null };

describe('dueSince', () => {
  it('is due since its creation when it has no date and no period', () => {
    expect(dueSince(base, at('2026-11-02T08:00:00Z'), 15 * MIN)).toBe(base.createdAt);
  });

  it.each([
    ['before the due date', { dueDate: '2026-11-03' }, '2026-11-02T10:00:00Z', undefined],
    ['on the due date, since midnight of that day', { dueDate: '2026-11-02', createdAt: at('2026-11-01T10:00:00Z') }, '2026-11-02T10:00:00Z', at('2026-11-02T00:00:00Z')],
    ['before its period opens', { preferredPeriod: morning }, '2026-11-02T08:59:59Z', undefined],
    ['inside its period, since the period opened', { preferredPeriod: morning }, '2026-11-02T09:30:00Z', at('2026-11-02T09:00:00Z')],
    ['at the end of its period (excluded)', { preferredPeriod: morning }, '2026-11-02T12:00:00Z', undefined],
    ['inside a period past midnight, after midnight', { preferredPeriod: night, createdAt: at('2026-11-01T10:00:00Z') }, '2026-11-02T01:00:00Z', at('2026-11-02T00:00:00Z')],
    ['inside a period past midnight, before midnight', { preferredPeriod: night }, '2026-11-02T23:00:00Z', at('2026-11-02T22:00:00Z')],
    ['outside a period past midnight', { preferredPeriod: night }, '2026-11-02T03:00:00Z', undefined],
  ] as const)('answers %s', (_name, change, now, expected) => {
    expect(dueSince({ ...base, ...change }, at(now), 15 * MIN)).toBe(expected);
  });

  it('is not due again until retryAfterMs after its last attempt, then since that moment', () => {
    const r = { ...base, lastAttemptAt: at('2026-11-02T08:00:00Z') };
    expect(dueSince(r, at('2026-11-02T08:14:59Z'), 15 * MIN)).toBeUndefined();
    expect(dueSince(r, at('2026-11-02T08:20:00Z'), 15 * MIN)).toBe(at('2026-11-02T08:15:00Z'));
  });
});
