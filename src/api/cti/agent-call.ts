/**
 * The desktop's call card (CTI `AgentCall`): who is calling, what they dialled, their IVR path,
 * queue, wait and variables, from the engine's call notices, the live-call journal (IVR path and
 * enqueue time of a live call) and, at the end, the CDR.
 */
import type { CallNotice } from '../../calls/hooks.js';
import type { Cdr } from '../../domain/cdr.js';
import type { CallJournal } from '../../domain/journal.js';
import type { CtiEvent } from './events.js';

export type AgentCallMessage = CtiEvent<'AgentCall'>;

/** "lang:1>english:2" → ["lang:1", "english:2"]. */
export const splitIvrPath = (path: string | null | undefined): string[] => (path ? path.split('>') : []);

const waitS = (enqueuedAt: number | null, until: number): number | null => (enqueuedAt === null ? null : Math.max(0, Math.round((until - enqueuedAt) / 1000)));

/** A live call offered to or bridged with `notice.agentId`; `journal` is the call's journal entry when there is one. */
export function agentCallOf(notice: CallNotice, phase: 'ringing' | 'connected', journal: CallJournal | undefined, now: number, wrapupS: number | null): AgentCallMessage | undefined {
  if (!notice.agentId) return undefined;
  const enqueuedAt = journal?.cdr.enqueuedAt ?? null;
  return {
    agentId: notice.agentId,
    callId: notice.callId,
    phase,
    from: notice.cid,
    dialled: notice.dialled,
    queueId: notice.queueId,
    ivrPath: splitIvrPath(journal?.cdr.ivrPath),
    enqueuedAt,
    waitS: waitS(enqueuedAt, now),
    variables: { ...notice.variables },
    at: now,
    wrapupS,
  };
}

/** A live call described by its journal alone (a desktop that connects while the agent is on it). */
export function agentCallOfJournal(agentId: string, journal: CallJournal, now: number, wrapupS: number | null): AgentCallMessage {
  const { cdr } = journal;
  return {
    agentId,
    callId: journal.callId,
    phase: journal.step === 'bridged' ? 'connected' : 'ringing',
    from: cdr.caller,
    dialled: cdr.dialled,
    queueId: cdr.queueId,
    ivrPath: splitIvrPath(cdr.ivrPath),
    enqueuedAt: cdr.enqueuedAt,
    waitS: cdr.waitMs !== null ? Math.round(cdr.waitMs / 1000) : waitS(cdr.enqueuedAt, now),
    variables: { ...cdr.variables },
    at: now,
    wrapupS,
  };
}

/** The call is over: the card shows its final figures. */
export function agentCallEnded(cdr: Cdr, wrapupS: number | null): AgentCallMessage | undefined {
  if (!cdr.agentId) return undefined;
  return {
    agentId: cdr.agentId,
    callId: cdr.callId,
    phase: 'ended',
    from: cdr.caller,
    dialled: cdr.dialled,
    queueId: cdr.queueId,
    ivrPath: splitIvrPath(cdr.ivrPath),
    enqueuedAt: cdr.enqueuedAt,
    waitS: cdr.waitMs === null ? null : Math.round(cdr.waitMs / 1000),
    variables: { ...cdr.variables },
    at: cdr.endedAt,
    wrapupS,
  };
}
