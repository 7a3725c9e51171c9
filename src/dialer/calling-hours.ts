/** Calling hours: is `now` inside a campaign's windows, read in a time zone? Pure. */
import { WEEKDAYS, type Campaign, type Weekday } from './campaign.js';

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    formatters.set(timeZone, f);
  }
  return f;
}

/** The weekday and HH:MM of an instant in a time zone. */
export function localTime(now: number, timeZone: string): { day: Weekday; hhmm: string } {
  const parts = formatter(timeZone).formatToParts(new Date(now));
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  const day = get('weekday').slice(0, 3).toLowerCase() as Weekday;
  if (!WEEKDAYS.includes(day)) throw new Error(`unexpected weekday ${day}`);
  return { day, hhmm: `${get('hour')}:${get('minute')}` };
}

/** True when a member may be called now: no hours configured, or inside one of today's windows (member time zone first). */
export function withinCallingHours(campaign: Pick<Campaign, 'hours' | 'timezone'>, now: number, memberTimeZone?: string | null): boolean {
  if (!campaign.hours) return true;
  const { day, hhmm } = localTime(now, memberTimeZone ?? campaign.timezone);
  return (campaign.hours[day] ?? []).some((w) => w.from <= hhmm && hhmm < w.to);
}
