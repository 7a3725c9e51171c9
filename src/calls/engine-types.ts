/** The engine's dependencies, events and snapshots (engine.ts). */
import type { Cdr } from '../domain/cdr.js';
import type { AgentSessionRecord, CallJournal } from '../domain/journal.js';
import type { Config } from '../domain/config.js';
import type { QueueLogEntry } from '../domain/queue-log.js';
import type { Clock } from '../infra/clock.js';
import type { Logger } from '../infra/logger.js';
import type { PbxEvent, PbxPort } from '../pbx/port.js';
import type { AgentPresence, RoutingEvent } from '../routing/types.js';
import type { Engine } from './engine.js';
import type { CallHooks, CallNotice } from './hooks.js';
import type { CallsRecovered } from './restart.js';
import type { ControlNotice } from './control/types.js';

export interface EngineStore {
  cdrs: { insert(cdr: Cdr): void };
  queueLog: { append(entries: QueueLogEntry[]): void };
  journal: { save(entry: CallJournal, at: number): void; remove(callId: string): void; all(): CallJournal[] };
  agentSessions: { save(rec: AgentSessionRecord, at: number): void; all(): AgentSessionRecord[] };
  /** The CDR written and the journal dropped in one transaction. */
  completeCall(cdr: Cdr): void;
}

export interface EngineDeps {
  pbx: PbxPort;
  clock: Clock;
  log: Logger;
  store: EngineStore;
  config: Config;
  /** Mints call ids; defaults to random UUIDs. */
  newCallId?: () => string;
  /** Seed of the routing core's random strategy. */
  seed?: number;
  /** CRM hooks (lookup, custom agent lists), bounded by the config's webhooks.timeout_ms. */
  hooks?: CallHooks;
  /**
   * Calls dialled from agents' phones (call.arrived with origin `phone`): the dialling policy and
   * the call (src/outbound/phone-call.ts, wired by the composition root). Without it such calls are
   * refused with a CDR.
   */
  phoneCall?: (engine: Engine, call: PhoneArrival) => void;
  /** Overload protection: past these limits new calls are shed (see AdmissionLimits). */
  admission?: AdmissionLimits;
}

/**
 * The engine's capacity. A call arriving while a limit is reached is shed: hung up at once as
 * busy (Q.850 17, SIP 486: the trunk can route it elsewhere) with a CDR (disposition `refused`,
 * hang-up cause `overload`), so the calls in progress keep their PBX round trips.
 */
export interface AdmissionLimits {
  /** Live calls (sessions) at most. */
  maxLiveCalls?: number;
  /** PBX requests in flight or waiting at most, read from `pbxLoad` at each arrival. */
  maxPbxRequests?: number;
  /** The PBX driver's requests in flight and waiting (AsteriskDriver.load). */
  pbxLoad?: () => number;
}

/** A call placed by an agent's phone, as it reaches the engine (with our call id). */
export type PhoneArrival = Extract<PbxEvent, { type: 'call.arrived' }> & { callId: string };

export interface EngineEvents {
  'call.arrived': [{ callId: string; from: string; to: string }];
  'call.ended': [Cdr];
  'agent.state': [Extract<RoutingEvent, { type: 'agent.state' }>];
  'member.changed': [Extract<RoutingEvent, { type: 'member.changed' }>];
  /** An agent's phone became reachable (registered; always for an external number) or unreachable. */
  'agent.reachable': [Extract<RoutingEvent, { type: 'agent.reachable' }>];
  /** An agent's do-not-disturb went on or off. */
  'agent.dnd': [Extract<RoutingEvent, { type: 'agent.dnd' }>];
  /** An agent's skills changed in the configuration (REST or a config write); `{}` when it has none. */
  'agent.skills': [{ agentId: string; skills: Record<string, number> }];
  'queue.log': [QueueLogEntry];
  'call.offering': [CallNotice];
  'call.bridged': [CallNotice];
  /** Seed 002 AgentListen: a supervisor started or stopped listening to an agent. */
  'agent.listen': [{ agentId: string; phoneNumber: string; started: boolean }];
  /** An agent's line changed (hot-desk login, take-over, logout). */
  'agent.line': [{ agentId: string; line: string | undefined }];
  /** The PBX link: up, down (event stream lost), lost (the PBX itself is gone). */
  'pbx.state': [{ state: PbxLinkState; at: number }];
  /** Start-up recovery finished (calls taken up again, CDRs completed, strays hung up). */
  'recovered': [RecoveryReport];
  /** An agent's call control: hold, retrieve, transfers, consult, conference. */
  'call.control': [ControlNotice];
  /** A recording ended (a leg's voice message, a call's recording). */
  'recording.finished': [Extract<PbxEvent, { type: 'recording.finished' }>];
}

export type PbxLinkState = 'up' | 'down' | 'lost';

export interface RecoveryReport extends CallsRecovered {
  agentsRestored: number;
  /** From start() to calls taken up again, ms. */
  ms: number;
}

export interface QueueSnapshot {
  queueId: string;
  waiting: number;
  longestWaitMs: number;
  availableAgents: number;
  loggedInAgents: number;
}

export interface AgentSnapshot {
  agentId: string;
  presence: AgentPresence;
  since: number;
  pauseReason: string | undefined;
  logoutCause: string | undefined;
  callId: string | undefined;
  reachable: boolean;
  /** Do-not-disturb: not offered calls. */
  dnd: boolean;
  queues: { queueId: string; penalty: number; tier: number }[];
}
