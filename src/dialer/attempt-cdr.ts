/**
 * The CDR of a dialer attempt that no call session wrote one for (busy, no answer, failed, on a
 * do-not-call list, an answering machine, a predictive abandon, an outbound IVR answered without
 * the queue), pure: direction `outbound`, the dialer id as queue (seed 003), the member and
 * attempt ids among the variables (USR_dialer_member, USR_dialer_attempt), a disposition
 * matching the outcome. Written with the attempt's end in one transaction.
 */
import { cdrStart, type Cdr, type CdrDisposition } from '../domain/cdr.js';
import type { AttemptOutcome } from './campaign.js';

export const DISPOSITION_OF: Record<Exclude<AttemptOutcome, 'skipped'>, CdrDisposition> = {
  answered: 'ivr-exit',
  busy: 'busy',
  no_answer: 'no-answer',
  failed: 'failed',
  machine: 'machine',
  abandoned: 'abandoned',
  dnc: 'do-not-call',
};

export interface AttemptCdrInput {
  dialerId: string;
  callId: string;
  /** The customer's leg, when one was placed. */
  legId: string | null;
  destination: string;
  callerId: string;
  outcome: Exclude<AttemptOutcome, 'skipped'>;
  cause: string | null;
  startedAt: number;
  answeredAt: number | null;
  endedAt: number;
  /** The attempt's variables (USR_* of the member, USR_dialer_id/member/attempt). */
  variables: Record<string, string>;
}

export function attemptCdr(a: AttemptCdrInput): Cdr {
  return {
    ...cdrStart({ callId: a.callId, legId: a.legId ?? '', direction: 'outbound', numberId: null, dialled: a.destination, caller: a.callerId, callerName: null, startedAt: a.startedAt }),
    answeredAt: a.answeredAt,
    endedAt: a.endedAt,
    queueId: a.dialerId,
    hangupSide: a.answeredAt === null ? null : 'system',
    hangupCause: a.cause,
    disposition: DISPOSITION_OF[a.outcome],
    variables: { ...a.variables },
  };
}
