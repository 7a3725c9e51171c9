/** One call detail record, written once when the call ends. Times are epoch milliseconds. */
export interface Cdr {
  /** Our call id, minted at ingress (also set on the PBX channel). */
  callId: string;
  /** The PBX's id of the caller's leg. */
  legId: string;
  /** `callback`: a virtual-queue callback (seed 004), linked to the call that asked for it by parentCallId. */
  direction: 'inbound' | 'outbound' | 'callback';
  /** A callback's original call (the one that pressed the key), else absent or null. */
  parentCallId?: string | null;
  /** The dialled number's config id, and the digits dialled. */
  numberId: string | null;
  dialled: string;
  caller: string;
  callerName: string | null;
  startedAt: number;
  /** When the engine answered the caller (greeting starts). */
  answeredAt: number | null;
  endedAt: number;
  /** Keys and nodes walked in the IVR, e.g. "lang:1>english:2". */
  ivrPath: string | null;
  language: string | null;
  queueId: string | null;
  enqueuedAt: number | null;
  /** Time in queue until an agent answered, or until the caller left. */
  waitMs: number | null;
  agentId: string | null;
  agentLegId: string | null;
  /** When the agent answered and the bridge was made. */
  connectedAt: number | null;
  talkMs: number | null;
  holdMs: number;
  /** Who hung up first. */
  hangupSide: 'caller' | 'agent' | 'system' | null;
  hangupCause: string | null;
  recording: string | null;
  disposition: CdrDisposition;
  /** Free-form values carried with the call (USR_* variables, webhook data). */
  variables: Record<string, string>;
  /**
   * Who the customer talked to, one segment per party in order: the agent who answered from the
   * queue, then each agent or outside number the call was transferred to (or a party added in
   * conference). `agentId` above stays the agent who answered first; `holdMs` sums every segment.
   */
  segments: CdrSegment[];
}

export interface CdrSegment {
  /** The agent of this segment, or null for an outside number. */
  agentId: string | null;
  /** The outside number (transfer or conference to a number), else null. */
  number: string | null;
  /** The queue the call was in when this party took it. */
  queueId: string | null;
  /** How the party got the call. */
  via: 'queue' | 'blind' | 'attended' | 'conference';
  startedAt: number;
  /** When the party left the call (null while live). */
  endedAt: number | null;
  /** Time the customer spent on hold in this segment. */
  holdMs: number;
}

/** Who a call is, known when it starts: the rest of a CDR is filled in as the call goes. */
export type CdrIdentity = Pick<Cdr, 'callId' | 'legId' | 'direction' | 'numberId' | 'dialled' | 'caller' | 'callerName' | 'startedAt'>;

/** A call's CDR when it starts: its identity, nothing happened yet (no end, no disposition). */
export function cdrStart(id: CdrIdentity): Omit<Cdr, 'endedAt' | 'disposition'> {
  return {
    ...id,
    answeredAt: null,
    ivrPath: null,
    language: null,
    queueId: null,
    enqueuedAt: null,
    waitMs: null,
    agentId: null,
    agentLegId: null,
    connectedAt: null,
    talkMs: null,
    holdMs: 0,
    hangupSide: null,
    hangupCause: null,
    recording: null,
    variables: {},
    segments: [],
  };
}

export type CdrDisposition =
  /** Bridged with an agent. */
  | 'answered'
  /** Hung up while waiting in a queue (or while an agent's phone rang). */
  | 'abandoned'
  /** Left the queue at its maximum wait or because no agent was logged in. */
  | 'timeout'
  | 'refused'
  /** Hung up before reaching a queue (greeting / IVR). */
  | 'ivr-hangup'
  /** The IVR ended the call (hang-up branch or retries exhausted). */
  | 'ivr-exit'
  /**
   * The call was cut by a fault, not by a party: the engine or the PBX died, or its channel
   * vanished while the event stream was down (hangupCause `pbx-lost` / `lost` / `interrupted`).
   */
  | 'interrupted'
  /** The caller asked to be called back and hung up; its place was kept (virtual queue). */
  | 'callback-requested'
  /** A dialer attempt (seed 003) that reached no agent: the customer was busy, did not answer, an answering machine answered, or the number was on a do-not-call list (not dialled). */
  | 'busy'
  | 'no-answer'
  | 'machine'
  | 'do-not-call'
  /** The caller left a voice message for a callback (a queue's callback_message key) and left the queue. */
  | 'callback-message'
  | 'failed';
