/**
 * Virtual queue (seed 004): a queue's settings, the waiter record and its states.
 * Times in the config are seconds (operator-facing); the service converts them to ms.
 */
import { z } from 'zod';

const prompts = z.record(z.string(), z.array(z.string().min(1).max(256)).min(1));

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
    offer_prompts: prompts.default({ default: ['vq-press-to-be-called-back'] }),
    /** Played to the customer of a customer-first callback ("you asked us to call you back"). */
    callback_prompts: prompts.default({ default: ['vq-you-asked-callback'] }),
  })
  .strict()
  .refine((v) => v.channel !== 'CallIn' || v.notify_url !== undefined, { message: 'CallIn needs notify_url', path: ['notify_url'] });
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
