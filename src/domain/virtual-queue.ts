/**
 * Virtual queue (seed 004): a queue's settings, the waiter record and its states.
 * Times in the config are seconds (operator-facing); the service converts them to ms.
 */
import { z } from 'zod';

const prompts = z.record(z.string(), z.array(z.string().min(1).max(256)).min(1));

/**
 * CallBack: after the key the caller may type another number to be called back on (ended with #;
 * # alone keeps its caller id), hears it read back and confirms with 1 (2 types it again). The
 * number must be dialable under `click_to_call.allow`; after `attempts` failed tries the caller id
 * is kept.
 */
export const numberEntrySchema = z
  .object({
    attempts: z.number().int().min(1).max(5).default(3),
    /** Seconds to wait for each next digit (and for the confirmation key). */
    digit_timeout_s: z.number().min(1).max(60).default(8),
    /** "Type the number … then press hash; to be called back on this number, just press hash." */
    enter_prompts: prompts.default({ default: ['switchboard/vq-enter-number'] }),
    /** Said before the digits read back: "we will call you back on". */
    readback_prompts: prompts.default({ default: ['switchboard/vq-number-readback'] }),
    /** "Press 1 to confirm, press 2 to type it again." */
    confirm_prompts: prompts.default({ default: ['switchboard/vq-number-confirm'] }),
    /** "Sorry, we cannot call that number." */
    invalid_prompts: prompts.default({ default: ['switchboard/vq-number-invalid'] }),
  })
  .strict();
export type NumberEntrySettings = z.infer<typeof numberEntrySchema>;

export const virtualQueueSchema = z
  .object({
    /** The key that asks for a callback while waiting. */
    key: z.string().regex(/^[0-9*#]$/, 'one key: 0-9, * or #').default('1'),
    /** Offer the callback when the estimated wait is at least this (0 with no offer_after_s: always). */
    offer_when_ewt_s: z.number().min(0).max(86_400).default(0),
    /** …or once the caller has waited this long. */
    offer_after_s: z.number().min(0).max(86_400).optional(),
    /** CallBack: we call the customer; CallIn: we notify it (notify_url) and it calls again. */
    channel: z.enum(['CallBack', 'CallIn']).default('CallBack'),
    /** customer-first: the customer hears "you asked us to call you back", then the reserved agent rings; agent-first: the other way round. */
    callback_mode: z.enum(['customer-first', 'agent-first']).default('customer-first'),
    /** Further attempts after a callback is not answered (or busy), each at the waiter's place. */
    retries: z.number().int().min(0).max(20).default(2),
    retry_after_s: z.number().min(1).max(86_400).default(300),
    /** Ring time of each leg we dial for a callback. */
    ring_timeout_s: z.number().min(1).max(300).default(30),
    /** CallIn: POSTed (signed like the other webhooks) when the waiter's turn comes. */
    notify_url: z.url({ protocol: /^https?$/, error: 'an http(s) URL' }).optional(),
    /** CallIn: a call from the same number within this window is served first; after it the entry ends TimeOut. */
    callin_window_s: z.number().min(1).max(86_400).default(600),
    /** The offer prompt per language ("press N to be called back and keep your place"). */
    offer_prompts: prompts.default({ default: ['switchboard/vq-press-1-callback'] }),
    /** Played to the customer of a customer-first callback ("you asked us to call you back"). */
    callback_prompts: prompts.default({ default: ['switchboard/vq-you-asked-callback'] }),
    /** CallBack: let the caller type the number to call back (see numberEntrySchema); absent = the caller id. */
    number_entry: numberEntrySchema.optional(),
  })
  .strict()
  .refine((v) => v.channel !== 'CallIn' || v.notify_url !== undefined, { message: 'CallIn needs notify_url', path: ['notify_url'] })
  .refine((v) => v.channel === 'CallBack' || v.number_entry === undefined, { message: 'number_entry needs channel CallBack (we call the number typed)', path: ['number_entry'] });
export type VirtualQueueSettings = z.infer<typeof virtualQueueSchema>;

export type WaiterChannel = 'CallBack' | 'CallIn';
export type WaiterState = 'Waiting' | 'Notified' | 'Connected' | 'Finished' | 'TimeOut';
export type ServiceState = 'Connected' | 'Deferred' | 'Canceled' | 'Finished';
export const SOURCES = ['Phone', 'Mobile', 'Widget', 'App', 'Other'] as const;

/** One virtual waiter, as stored. Times are epoch ms. */
export interface VirtualWaiter {
  id: string;
  lineId: string;
  phone: string;
  channel: WaiterChannel;
  source: string;
  lang: string | null;
  skills: string[];
  /** The level of each of `skills` where known (a caller's lookup or IVR skills); absent: any level. */
  skillLevels?: Record<string, number>;
  properties: Record<string, unknown>;
  state: WaiterState;
  serviceState: ServiceState | null;
  priority: number;
  /** The original enter time: the waiter's place in its queue. */
  enqueuedAt: number;
  parentCallId: string | null;
  attempts: number;
  nextAttemptAt: number | null;
  ewtS: number | null;
  estimatedUpAt: number | null;
  notifiedAt: number | null;
  connectedAt: number | null;
  agentId: string | null;
  waitTimeWhenUp: number | null;
  createdAt: number;
  updatedAt: number;
}

/** E.164: a plus, then 8 to 15 digits (spaces allowed on input, removed). */
export const e164 = z
  .string()
  .transform((s) => s.replace(/[\s-]/g, ''))
  .pipe(z.string().regex(/^\+[1-9][0-9]{7,14}$/, 'a phone number in E.164, e.g. +17343305027'));

/** Seed 004 CallerResult: a waiter as the API and notifications show it (times ISO 8601, waits in seconds). */
export interface CallerResult {
  Id: string;
  LineId: string;
  Phone: string;
  Channel: WaiterChannel;
  Source: string;
  Lang: string | null;
  Ewt: number | null;
  ConnectedAt: string | null;
  CreatedAt: string;
  EstimatedUpTimeAt: string | null;
  NotifiedAt: string | null;
  UpdatedAt: string;
  Properties: Record<string, unknown>;
  Skills: string[];
  VirtualQCallerState: WaiterState;
  /** Seed 004 UpdateCallerInformation's service state, if one was set. */
  State: ServiceState | null;
  /** Seconds waited so far (Waiting, Notified) or until up. */
  WaitTime: number | null;
  WaitTimeWhenUp: number | null;
  AgentId: string | null;
  Attempts: number;
}

export function callerResult(w: VirtualWaiter, now: number): CallerResult {
  const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());
  const live = w.state === 'Waiting' || w.state === 'Notified';
  return {
    Id: w.id,
    LineId: w.lineId,
    Phone: w.phone,
    Channel: w.channel,
    Source: w.source,
    Lang: w.lang,
    Ewt: w.ewtS,
    ConnectedAt: iso(w.connectedAt),
    CreatedAt: new Date(w.createdAt).toISOString(),
    EstimatedUpTimeAt: iso(w.estimatedUpAt),
    NotifiedAt: iso(w.notifiedAt),
    UpdatedAt: new Date(w.updatedAt).toISOString(),
    Properties: w.properties,
    Skills: w.skills,
    VirtualQCallerState: w.state,
    State: w.serviceState,
    WaitTime: live ? Math.round((now - w.enqueuedAt) / 1000) : w.waitTimeWhenUp,
    WaitTimeWhenUp: w.waitTimeWhenUp,
    AgentId: w.agentId,
    Attempts: w.attempts,
  };
}
