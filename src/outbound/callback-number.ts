/**
 * The typed callback number (virtual queue, CallBack): after the callback key the caller types the
 * number to be called back on, ended with #, hears it read back and presses 1 to confirm or 2 to
 * type it again. # alone keeps the caller id. A number the dial policy refuses
 * (`click_to_call.allow`) is refused with a prompt; after `attempts` tries without a confirmed
 * number the caller id is kept. Keys typed during a prompt stop it and are kept (type-ahead).
 */
import type { NumberEntrySettings } from '../domain/virtual-queue.js';
import type { Logger } from '../infra/logger.js';
import { sayDigits } from '../calls/say-number.js';

/** The longest number a caller may type (E.164 has at most 15 digits; trunk prefixes add a few). */
export const MAX_TYPED_DIGITS = 20;

export interface NumberEntryIo {
  /** Play prompts in the caller's language; a key stops them. Throws when the caller is gone. */
  play(prompts: Record<string, string[]>): Promise<void>;
  /** Play prompts that need no language pick (the digits read back); a key stops them. */
  playList(prompts: string[]): Promise<void>;
  /** The next key within `timeoutMs`, or undefined. Throws when the caller is gone. */
  nextKey(timeoutMs: number): Promise<string | undefined>;
  clearKeys(): void;
  /** May the callback dial this number? */
  dialable(number: string): boolean;
  log: Logger;
}

export type NumberEntryResult =
  | { kind: 'typed'; number: string; attempts: number }
  | { kind: 'caller-id'; reason: 'chosen' | 'attempts'; attempts: number };

/** Run the dialogue; resolves with the number to call back (or that the caller id stays). */
export async function askCallbackNumber(cfg: NumberEntrySettings, io: NumberEntryIo): Promise<NumberEntryResult> {
  const timeoutMs = cfg.digit_timeout_s * 1000;
  for (let attempt = 1; attempt <= cfg.attempts; attempt++) {
    io.clearKeys();
    await io.play(cfg.enter_prompts);
    const typed = await readDigits(io, timeoutMs);
    if (typed === '') return { kind: 'caller-id', reason: 'chosen', attempts: attempt };
    if (typed === undefined) {
      io.log.debug({ attempt }, 'callback number: nothing typed');
      continue;
    }
    if (!io.dialable(typed)) {
      io.log.info({ attempt, digits: typed.length }, 'callback number refused by the dial policy');
      io.clearKeys();
      await io.play(cfg.invalid_prompts);
      continue;
    }
    io.clearKeys();
    await io.play(cfg.readback_prompts);
    await io.playList(sayDigits(typed));
    await io.play(cfg.confirm_prompts);
    const key = await io.nextKey(timeoutMs);
    if (key === '1') return { kind: 'typed', number: typed, attempts: attempt };
    io.log.debug({ attempt, key: key ?? null }, 'callback number not confirmed');
  }
  return { kind: 'caller-id', reason: 'attempts', attempts: cfg.attempts };
}

/** Digits up to #: '' when # comes first, undefined on a time-out or too many digits. `*` starts over. */
async function readDigits(io: NumberEntryIo, timeoutMs: number): Promise<string | undefined> {
  let digits = '';
  for (;;) {
    const key = await io.nextKey(timeoutMs);
    if (key === undefined) return undefined;
    if (key === '#') return digits;
    if (key === '*') digits = '';
    else if (/^[0-9]$/.test(key)) digits += key;
    if (digits.length > MAX_TYPED_DIGITS) return undefined;
  }
}
