/**
 * The live-call journal: what a call has done so far, kept durably as it happens so that after a
 * crash the engine can put the call back where it was (or at least complete its CDR).
 */
import type { Cdr, CdrDisposition } from './cdr.js';

/** A call's CDR while it is live: everything but its end. */
export type CdrDraft = Omit<Cdr, 'endedAt' | 'disposition'> & { disposition: CdrDisposition | undefined };

export type JournalStep = 'arrived' | 'ivr' | 'queued' | 'bridged';

export interface CallJournal {
  callId: string;
  /** Absent: an inbound call (a session). `callback`: a virtual-queue callback attempt (customer leg in `leg`). */
  kind?: 'callback';
  /** A callback attempt's virtual waiter. */
  waiterId?: string;
  /** The caller's leg. */
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
