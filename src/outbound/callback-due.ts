/**
 * When a callback request of an auto list is due (pure): its due date reached (none: at once), now
 * inside its preferred period (none: all day), and not attempted in the last `retryAfterMs`.
 * Dates and periods are read in UTC, as the API's dueDate checks are. The answer is the instant
 * it became due — its place among the queue's calls (earlier is served first).
 */
import type { CallbackPeriod } from '../domain/callback-list.js';

const DAY_MS = 86_400_000;

export interface DueInput {
  dueDate: string | null;
  preferredPeriod: Pick<CallbackPeriod, 'periodStart' | 'periodEnd'> | null;
  createdAt: number;
  /** The start of its last attempt, if any. */
  lastAttemptAt: number | null;
}

/** The instant the request became due, or undefined when it is not due now. */
export function dueSince(r: DueInput, now: number, retryAfterMs: number): number | undefined {
  const dayStart = Math.floor(now / DAY_MS) * DAY_MS;
  const today = new Date(dayStart).toISOString().slice(0, 10);
  if (r.dueDate !== null && r.dueDate > today) return undefined;
  let since = Math.max(r.createdAt, r.dueDate === null ? 0 : Date.parse(`${r.dueDate}T00:00:00Z`));
  if (r.lastAttemptAt !== null) {
    if (now < r.lastAttemptAt + retryAfterMs) return undefined;
    since = Math.max(since, r.lastAttemptAt + retryAfterMs);
  }
  if (r.preferredPeriod) {
    const start = dayStart + secondsOf(r.preferredPeriod.periodStart) * 1000;
    const end = dayStart + secondsOf(r.preferredPeriod.periodEnd) * 1000;
    // A period past midnight (22:00–02:00) is two windows of the day.
    const windows: [number, number][] = end > start ? [[start, end]] : [[dayStart, end], [start, dayStart + DAY_MS]];
    const w = windows.find(([a, b]) => now >= a && now < b);
    if (!w) return undefined;
    since = Math.max(since, w[0]);
  }
  return Math.min(since, now);
}

function secondsOf(hms: string): number {
  const [h = 0, m = 0, s = 0] = hms.split(':').map(Number);
  return h * 3600 + m * 60 + s;
}
