import type { Cdr } from '../domain/cdr.js';
import type { CdrRepo } from '../store/repos/cdr-repo.js';

const DAY_MS = 86_400_000;

/**
 * CDRs that may have ended today (UTC), for seeding the live statistics at start: the range is on
 * start time, so it reaches back one day to catch calls that began before midnight; the live
 * statistics keep those that ended today.
 */
export function* todaysCdrs(cdrs: Pick<CdrRepo, 'listRange'>, now: number): Generator<Cdr> {
  const from = now - (now % DAY_MS) - DAY_MS;
  let cursor: string | undefined;
  do {
    const page = cdrs.listRange({ from, to: now + 1, ...(cursor ? { cursor } : {}) });
    yield* page.items;
    cursor = page.cursor ?? undefined;
  } while (cursor);
}
