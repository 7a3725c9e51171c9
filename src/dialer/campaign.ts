/**
 * A dialer campaign's configuration (REST `/dialers`) and the members it calls (seed 003's body).
 * Validated at the edge with zod; the runner and the pure modules trust these types.
 */
import { z } from 'zod';

export const DIALER_MODES = ['preview', 'progressive', 'predictive', 'ivr'] as const;
export type DialerMode = (typeof DIALER_MODES)[number];

/** Outcomes of one attempt. `answered` (bridged to an agent, or the IVR done) ends the member. */
export const ATTEMPT_OUTCOMES = ['answered', 'busy', 'no_answer', 'failed', 'machine', 'abandoned', 'skipped', 'dnc'] as const;
export type AttemptOutcome = (typeof ATTEMPT_OUTCOMES)[number];

const hhmm = z.string().regex(/^([01][0-9]|2[0-3]):[0-5][0-9]$/, 'HH:MM (24 h)');
const window = z.object({ from: hhmm, to: hhmm }).strict().refine((w) => w.from < w.to, 'from must be before to');
export const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

const timeZone = z.string().refine((tz) => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}, 'an IANA time zone, e.g. Europe/Paris');

const phone = z.string().regex(/^\+?[0-9*#]{1,32}$/, 'digits, optionally with a leading +');
const seconds = z.number().int().min(0).max(30 * 86400);

export const campaignSchema = z
  .object({
    id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'letters, digits, _ and - (at most 64)'),
    name: z.string().max(120).optional(),
    queue: z.string().min(1).max(64).describe('Agents of this queue serve the campaign; answered customers wait in it'),
    mode: z.enum(DIALER_MODES),
    caller_id: phone.describe('Caller id shown to the customers'),
    timezone: timeZone.default('UTC'),
    /** Calling hours per weekday; a day absent means no calls that day; the whole object absent means any time. */
    hours: z.partialRecord(z.enum(WEEKDAYS), z.array(window).max(8)).optional(),
    max_attempts: z.number().int().min(1).max(100).default(3),
    retry_s: z
      .object({ busy: seconds.default(300), no_answer: seconds.default(900), failed: seconds.default(1800), machine: seconds.default(3600), abandoned: seconds.default(600) })
      .strict()
      .prefault({}),
    max_concurrent: z.number().int().min(1).max(1000).default(30),
    answer_timeout_s: z.number().int().min(5).max(120).default(30),
    abandon_target: z.number().min(0.001).max(0.5).default(0.03).describe('Predictive: the abandon rate to stay under (fraction of answered calls)'),
    abandon_prompt: z.string().min(1).max(120).default('dialer-abandon').describe('Played to a customer no agent was free for within 2 s'),
    /** Bucket id → agent id (seed 003: a member with `bucket` goes only to that agent). */
    buckets: z.record(z.string().min(1).max(64), z.string().min(1).max(64)).default({}),
    amd: z
      .object({
        on_machine: z.enum(['hangup', 'message']).default('hangup').describe('An answering machine: hang up, or leave `message` (played, then hang up)'),
        message: z.string().min(1).max(120).optional().describe('The prompt left on an answering machine'),
      })
      .strict()
      .refine((a) => a.on_machine !== 'message' || a.message !== undefined, { message: 'on_machine "message" needs a message', path: ['message'] })
      .optional()
      .describe('Answering-machine detection on answered customers (progressive, predictive, ivr); absent: off. NOTSURE is connected like a person'),
    ivr: z
      .object({
        prompt: z.string().min(1).max(120),
        keys: z.string().regex(/^[0-9*#]{1,12}$/).default('0123456789*#').describe('Keys that count as an answer'),
        timeout_s: z.number().int().min(1).max(60).default(8),
        queue_on: z.string().regex(/^[0-9*#]$/).optional().describe('This key sends the customer to the campaign queue'),
      })
      .strict()
      .optional(),
  })
  .strict()
  .refine((c) => c.mode !== 'ivr' || c.ivr !== undefined, { message: 'ivr mode needs an ivr section', path: ['ivr'] });

export type CampaignInput = z.input<typeof campaignSchema>;
export type Campaign = z.output<typeof campaignSchema>;
export type DialerState = 'stopped' | 'running' | 'paused';

const expireAt = z
  .union([z.string(), z.number()])
  .transform((v, ctx) => {
    const ms = typeof v === 'number' ? v : /^\d+$/.test(v) ? Number(v) : Date.parse(v);
    if (!Number.isFinite(ms)) {
      ctx.addIssue({ code: 'custom', message: 'a timestamp: epoch milliseconds or an ISO 8601 date' });
      return z.NEVER;
    }
    return ms;
  });

export const communicationSchema = z
  .object({
    destination: phone,
    priority: z.number().int().min(-1_000_000).max(1_000_000).default(0),
    type: z.object({ id: z.string().min(1).max(32) }).strict().optional(),
    description: z.string().max(200).optional(),
  })
  .strict();

export const memberSchema = z
  .object({
    bucket: z.object({ id: z.string().min(1).max(64) }).strict().optional(),
    communications: z.array(communicationSchema).min(1).max(20),
    expire_at: expireAt.optional(),
    name: z.string().max(200).optional(),
    priority: z.number().int().min(-1_000_000).max(1_000_000).default(0),
    variables: z.record(z.string().regex(/^[A-Za-z0-9_]{1,40}$/, 'letters, digits and _ (at most 40)'), z.string().max(500)).optional(),
    timezone: timeZone.optional().describe('The member\'s time zone for the calling hours (default the campaign\'s)'),
  })
  .strict();

export const membersBody = z.object({ items: z.array(memberSchema).min(1).max(10_000) }).strict();
export type MemberInput = z.output<typeof memberSchema>;
export type Communication = z.output<typeof communicationSchema>;

/** Communications in the order they are tried: higher priority first, then as given. */
export function orderCommunications(comms: Communication[]): Communication[] {
  return comms.map((c, i) => ({ c, i })).sort((a, b) => b.c.priority - a.c.priority || a.i - b.i).map((x) => x.c);
}
