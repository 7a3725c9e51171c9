/**
 * The live-call journal: what a call has done so far, kept durably as it happens so that after a
 * crash the engine can put the call back where it was (or at least complete its CDR).
 */
import type { Cdr, CdrDisposition } from './cdr.js';

/** A call's CDR while it is live: everything but its end. */
export type CdrDraft = Omit<Cdr, 'endedAt' | 'disposition'> & { disposition: CdrDisposition | undefined };

export type JournalStep = 'arrived' | 'ivr' | 'queued' | 'bridged';

/** The services that run callback attempts. */
export type CallbackOwner = 'virtual-queue' | 'auto-list';

export interface CallJournal {
  callId: string;
  /** Absent: an inbound call (a session). `callback`: a callback attempt (customer leg in `leg`). */
  kind?: 'callback';
  /**
   * Who runs a callback attempt, so that the right service takes it up after a restart: absent (as
   * in entries written before the field) or `virtual-queue`, the virtual queue; `auto-list`, an
   * auto callback list.
   */
  owner?: CallbackOwner;
  /** A callback attempt's routing entry: the virtual waiter, or the auto list's `cbl-<request>`. */
  waiterId?: string;
  /** An auto-list callback attempt: its request and its ticket. */
  requestUuid?: string;
  ticketUuid?: string;
  /** The caller's leg (a callback attempt still ringing its agent first: empty). */
  leg: string;
  step: JournalStep;
  /** In the IVR: the tree and the node the caller is in. */
  ivrId?: string;
  ivrNode?: string;
  /** Queued or bridged: the queue, the caller's priority (enqueue time is in the CDR draft). */
  priority?: number;
  /** The skills the caller needs (lookup answer, IVR keys), once it has any. */
  skills?: Record<string, number>;
  /** The agent leg being rung (queued) or talking (bridged). */
  agentId?: string;
  agentLeg?: string;
  bridge?: string;
  recording?: string;
  recordingPaused?: boolean;
  cdr: CdrDraft;
}

/** An agent's login state as persisted (what survives a restart). */
export interface AgentSessionRecord {
  agentId: string;
  status: 'loggedOut' | 'ready' | 'paused';
  pauseReason: string | null;
  /** Hot-desk line the agent is logged in on. */
  line: string | null;
  /** When the agent's wrap-up ends (epoch ms), if it is in wrap-up. */
  wrapupUntil: number | null;
  /** Do-not-disturb is on (absent: off). */
  dnd?: boolean;
}
