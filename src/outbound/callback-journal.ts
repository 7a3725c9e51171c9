/**
 * The live-call journal entry of a callback attempt (kind `callback`: the virtual queue's, or an
 * auto list's, told apart by `owner`), so that an engine restart finds it like any call: bridged,
 * it is taken up again by its owner (the customer and the reserved agent stay bridged, the CDR is
 * written when it ends); dialling or ringing, its legs are hung up, its CDR says `interrupted`, and
 * the waiter (still Waiting) or the request (given back) takes its place again.
 */
import { cdrStart } from '../domain/cdr.js';
import type { CallJournal } from '../domain/journal.js';

/** What an attempt's owner records in its journal entry to take it up again (absent: the virtual queue). */
export type CallbackJournalTags = Pick<CallJournal, 'owner' | 'requestUuid' | 'ticketUuid'>;
import type { VirtualWaiter } from '../domain/virtual-queue.js';

export interface CallbackAttemptView {
  callId: string;
  /** The routing entry called back: a virtual-queue waiter or an auto list's due request. */
  waiter: Pick<VirtualWaiter, 'id' | 'lineId' | 'phone' | 'parentCallId' | 'enqueuedAt' | 'lang' | 'priority'>;
  /** Caller id shown to the customer. */
  callerId: string;
  /** Undefined while an agent-first attempt rings its agent. */
  customerLeg: string | undefined;
  startedAt: number;
  answeredAt: number | null;
  agentId: string | undefined;
  agentLeg: string | undefined;
  bridge: string | undefined;
  connectedAt: number | null;
  /** The CDR's variables; default `SWITCHBOARD_VIRTUAL_ID` (the waiter). */
  variables?: Record<string, string>;
  tags?: CallbackJournalTags;
}

export function callbackJournal(v: CallbackAttemptView): CallJournal {
  const w = v.waiter;
  const bridged = v.connectedAt !== null && v.agentId !== undefined && v.agentLeg !== undefined;
  const entry: CallJournal = {
    callId: v.callId,
    kind: 'callback',
    ...v.tags,
    waiterId: w.id,
    leg: v.customerLeg ?? '',
    step: bridged ? 'bridged' : 'arrived',
    priority: w.priority,
    cdr: {
      ...cdrStart({ callId: v.callId, legId: v.customerLeg ?? '', direction: 'callback', numberId: null, dialled: w.phone, caller: v.callerId, callerName: null, startedAt: v.startedAt }),
      parentCallId: w.parentCallId,
      answeredAt: v.answeredAt,
      queueId: w.lineId,
      enqueuedAt: w.enqueuedAt,
      waitMs: v.connectedAt === null ? null : v.connectedAt - w.enqueuedAt,
      agentId: bridged ? v.agentId! : null,
      agentLegId: bridged ? v.agentLeg! : null,
      connectedAt: v.connectedAt,
      language: w.lang,
      variables: v.variables ?? { SWITCHBOARD_VIRTUAL_ID: w.id },
      segments: bridged ? [{ agentId: v.agentId!, number: null, queueId: w.lineId, via: 'queue', startedAt: v.connectedAt!, endedAt: v.connectedAt!, holdMs: 0 }] : [],
      disposition: undefined,
    },
  };
  if (v.agentId && v.agentLeg) {
    entry.agentId = v.agentId;
    entry.agentLeg = v.agentLeg;
  }
  if (v.bridge) entry.bridge = v.bridge;
  return entry;
}
