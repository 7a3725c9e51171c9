/** The shapes a call session works with: what the engine gives it (SessionEnv), its arrival, and its queue phase. */
import type { CallbackOffer } from './virtual-queue-port.js';
import type { Cdr } from '../domain/cdr.js';
import type { Agent, ExitDestination, Ivr, NumberEntry, Queue } from '../domain/config.js';
import type { CallJournal } from '../domain/journal.js';
import type { Clock } from '../infra/clock.js';
import type { Logger } from '../infra/logger.js';
import type { BridgeId, Destination, LegId, PbxPort, RecordingId } from '../pbx/port.js';
import type { RoutingInput } from '../routing/types.js';
import type { Deferred } from './deferred.js';
import type { ControlNotice } from './control/types.js';
import type { CustomAgent, LookupResult } from './hooks.js';
import type { CallSession } from './session.js';

export interface SessionEnv {
  pbx: PbxPort;
  clock: Clock;
  log: Logger;
  route(input: RoutingInput): void;
  number(dialled: string): NumberEntry | undefined;
  ivr(id: string): Ivr | undefined;
  queue(id: string): Queue | undefined;
  agent(id: string): Agent | undefined;
  /** 1-based position of the call in its queue, if it is waiting. */
  positionOf(callId: string): number | undefined;
  /** Estimated wait for a new caller of the queue, ms. */
  estimatedWaitMs(queueId: string): number;
  claimLeg(leg: LegId, session: CallSession): void;
  releaseLeg(leg: LegId): void;
  /** The call is over: persist its CDR (before the end is reported). */
  finished(session: CallSession, cdr: Cdr): void;
  recordingName(callId: string): string;
  /** Where an agent is rung: its hot-desk line, else its own phone. */
  agentDestination(agentId: string): Destination | undefined;
  /**
   * CRM lookup for an arriving caller, already bounded in time (its answer undefined: nothing to
   * change); undefined itself when no lookup is configured.
   */
  lookup(session: CallSession): Promise<LookupResult | undefined> | undefined;
  /** Custom agent lists for the calls of a queue with `agent_list_url`, bounded in time. */
  agentList(queue: Queue, session: CallSession): Promise<CustomAgent[] | undefined>;
  offering(session: CallSession, agentId: string, queueId: string): void;
  bridged(session: CallSession, agentId: string, queueId: string): void;
  /** Keep what the call has done so far durable (the live-call journal). */
  journal(entry: CallJournal): void;
  /** The agent is logged in, ready, reachable and free: it may be offered or reserved now. */
  agentFree(agentId: string): boolean;
  /** The call a consulted agent is reserved for (or on), if any. */
  agentReservedFor(agentId: string): string | undefined;
  /** An outside number this agent may bring into a call (transfer, consult, conference). */
  dialAllowed(number: string, agentId: string | undefined): boolean;
  /** Call control happened (hold, transfer, consult, conference): tell desktops and CRMs. */
  control(notice: ControlNotice): void;
  /** Virtual queue (optional): the callback key while queued, the offer heard, the priority of a caller calling in. */
  queueKey?(session: CallSession, digit: string): boolean;
  callbackOffer?(session: CallSession, queueId: string, language: string): CallbackOffer | undefined;
  queuePriority?(session: CallSession, queueId: string, priority: number): number;
}

export interface Arrival {
  leg: LegId;
  to: string;
  from: string;
  fromName?: string;
  /** The PBX minted the call id at ingress and it is already on the channel (no request needed). */
  callIdOnChannel?: boolean;
}

export type QueueOutcome =
  | { kind: 'completed' }
  | { kind: 'abandoned' }
  | { kind: 'exit'; reason: 'timeout' | 'joinempty' | 'removed' | 'transfer'; destination: ExitDestination };

export interface Offer {
  agentId: string;
  queueId: string;
  leg: LegId | undefined;
  cancelled: boolean;
}

export interface Bridged {
  agentId: string;
  agentLeg: LegId;
  bridge: BridgeId | undefined;
  recording: RecordingId | undefined;
  recordingPaused: boolean;
}

export interface QueuePhase {
  queue: Queue;
  done: Deferred<QueueOutcome>;
  /** Aborts the waiting media (greeting, music, announcements) when the wait ends. */
  media: AbortController;
  mediaDone: Promise<void>;
  offer: Offer | undefined;
  bridged: Bridged | undefined;
  /**
   * The customer's bridge while no agent is in it (a blind transfer rings, an outside party
   * talks): the next party joins it, its recording goes on.
   */
  keptBridge?: { bridge: BridgeId; recording: RecordingId | undefined; recordingPaused: boolean };
  /** The customer talks to an outside number the call was transferred to (no agent, no routing). */
  outside?: { leg: LegId; number: string };
}

export type SessionState = 'arrived' | 'greeting' | 'ivr' | 'queued' | 'bridged' | 'ended';
