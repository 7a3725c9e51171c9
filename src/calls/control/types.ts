/** Call control on a bridged call (hold, transfers, consult, conference): its shapes and errors. */
import type { BridgeId, LegId } from '../../pbx/port.js';

/** Where a transfer, consult or conference goes. */
export type ControlTarget = { agentId: string } | { queueId: string } | { number: string };

export type ControlErrorCode =
  /** The agent has no call to act on. */
  | 'NO_ACTIVE_CALL'
  | 'AGENT_NOT_FOUND'
  | 'QUEUE_NOT_FOUND'
  /** The target agent is not logged in, ready, reachable and free. */
  | 'AGENT_NOT_AVAILABLE'
  /** The number does not match the dialling policy. */
  | 'DESTINATION_NOT_ALLOWED'
  /** The call is not in a state for this (already on hold, no consult, a consult already, …). */
  | 'INVALID_CALL_STATE';

export class ControlError extends Error {
  override readonly name = 'ControlError';
  constructor(
    readonly code: ControlErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** What the agent did, told to desktops (CTI) and CRMs. */
export type ControlAction =
  | 'held'
  | 'retrieved'
  | 'transferred'
  | 'consult-started'
  | 'consult-answered'
  | 'consult-failed'
  | 'consult-cancelled'
  | 'swapped'
  | 'party-added'
  | 'party-answered'
  | 'party-failed'
  | 'party-dropped';

export interface ControlNotice {
  callId: string;
  /** The agent who owns the call (who acted). */
  agentId: string | null;
  action: ControlAction;
  /** Blind or attended, for `transferred`. */
  mode?: 'blind' | 'attended';
  /** The other party: an agent id, `queue:<id>` or a number. */
  target?: string;
  at: number;
}

/** A third leg on the call: being consulted (the customer on hold) or in conference. */
export interface Party {
  kind: 'consult' | 'conference';
  target: string;
  agentId: string | undefined;
  number: string | undefined;
  leg: LegId | undefined;
  answered: boolean;
  /** Consult: the bridge of the agent and the consulted party. */
  bridge: BridgeId | undefined;
  /** Consult: the agent is talking to the consulted party (else back with the customer, who hears the party on hold). */
  withParty: boolean;
  /** Cancelled before its leg existed. */
  dropped: boolean;
}
