/** Which outside numbers agents may dial (click-to-call, transfers, consult, conference). */
import type { Config } from '../domain/config.js';

/** Digits (optionally a leading +) matching the configured `click_to_call.allow` pattern. */
export function dialAllowed(cfg: Config['click_to_call'], number: string): boolean {
  return /^\+?[0-9]{1,32}$/.test(number) && new RegExp(cfg.allow).test(number);
}
