/**
 * What follows an attempt: the member is done (with its final result) or waits for its next
 * attempt on the next communication after the campaign's retry delay for that outcome. Pure.
 */
import type { AttemptOutcome, Campaign } from './campaign.js';

export type MemberResult = 'success' | 'max_attempts' | 'expired' | 'dnc' | 'no_communication' | `ivr:${string}`;

export type NextStep = { kind: 'done'; result: MemberResult } | { kind: 'retry'; at: number; nextComm: number; attempts: number };

export interface MemberProgress {
  attempts: number;
  nextComm: number;
  communications: number;
  expireAt: number | null;
}

export function afterAttempt(campaign: Pick<Campaign, 'max_attempts' | 'retry_s'>, m: MemberProgress, outcome: AttemptOutcome, now: number, ivrKey?: string): NextStep {
  if (outcome === 'answered') return { kind: 'done', result: ivrKey ? `ivr:${ivrKey}` : 'success' };
  if (outcome === 'dnc') return { kind: 'done', result: 'dnc' };
  // A skipped preview does not use up an attempt: the member goes back to the list.
  const attempts = outcome === 'skipped' ? m.attempts : m.attempts + 1;
  if (attempts >= campaign.max_attempts) return { kind: 'done', result: 'max_attempts' };
  const delayS = outcome === 'skipped' ? campaign.retry_s.no_answer : campaign.retry_s[outcome];
  const at = now + delayS * 1000;
  if (m.expireAt !== null && at >= m.expireAt) return { kind: 'done', result: 'expired' };
  // A failed communication hands over to the next one (by priority), cycling.
  const nextComm = outcome === 'skipped' ? m.nextComm : (m.nextComm + 1) % Math.max(1, m.communications);
  return { kind: 'retry', at, nextComm, attempts };
}
