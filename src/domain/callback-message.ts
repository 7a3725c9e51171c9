/**
 * A queue's "leave a message and we call you back" key (seed 002 callback lists, issue 7): a
 * waiting caller presses `key`, hears `prompt`, leaves a voice message (at most `max_s`, ended by
 * `#` or `silence_s` of silence), hears `confirm`, and a callback request with the message is
 * created in the callback list `list` (a list uuid, checked when the key is pressed).
 */
import { z } from 'zod';

const prompts = z.record(z.string(), z.array(z.string().min(1).max(256)).min(1));

export const callbackMessageSchema = z
  .object({
    /** The key that leaves a message while waiting (`#` ends a message, so it is not one). */
    key: z.string().regex(/^[0-9*]$/, 'one key: 0-9 or *').default('2'),
    /** The callback list (its uuid) the request goes to. */
    list: z.string().min(1).max(64),
    /** Longest message, seconds. */
    max_s: z.number().int().min(3).max(600).default(60),
    /** The message ends after this much silence, seconds; 0: only `#` or max_s end it. */
    silence_s: z.number().int().min(0).max(60).default(5),
    /** Played before recording ("leave a message after the tone"), per language. */
    prompt: prompts.default({ default: ['switchboard/vq-leave-message'] }),
    /** Played once the request is written ("your message is recorded, we will call you back"). */
    confirm: prompts.default({ default: ['switchboard/cb-message-saved'] }),
  })
  .strict();
export type CallbackMessageSettings = z.infer<typeof callbackMessageSchema>;
