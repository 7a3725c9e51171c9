import type { ExitDestination, Strategy } from '../domain/config.js';
import type { QueueLogEventName } from '../domain/queue-log.js';
import type { MinHeap } from './heap.js';

/** The routing view of a queue: config converted to milliseconds. */
export interface RoutingQueueConfig {
  id: string;
  strategy: Strategy;
  weight: number;
  overflowDelayMs: number;
  answerTimeoutMs: number;
  maxNoAnswer: number;
  retryMs: number;
  wrapupMs: number;
  maxWaitMs: number;
  joinEmpty: 'join' | 'refuse';
  exit: ExitDestination;
  /** Callers' skills restrict the agents offered (skills.ts); absent = ignored. */
  skillsRequired?: boolean;
  /** After this long in the queue a call's skills no longer restrict it; 0 or absent = never. */
  skillsRelaxAfterMs?: number;
}

/** One agent's membership of one queue, after groups and direct memberships are merged. */
export interface RoutingMember {
  agentId: string;
  queueId: string;
  /** Tier priority of the group that brings the agent in (1 = first tier). */
  tier: number;
  penalty: number;
}

export interface RoutingConfig {
  queues: RoutingQueueConfig[];
  /** `skills`: skill → level (1–100). */
  agents: { id: string; skills?: Record<string, number> }[];
  members: RoutingMember[];
}

export type AgentStatus = 'loggedOut' | 'ready' | 'paused';
export type AgentActivity = 'idle' | 'ringing' | 'dialing' | 'onCall' | 'wrapup';
/** The state an agent desktop shows; one value derived from status and activity. */
export type AgentPresence = 'loggedout' | 'ready' | 'paused' | 'ringing' | 'dialing' | 'oncall' | 'wrapup';

export interface AgentRec {
  id: string;
  status: AgentStatus;
  activity: AgentActivity;
  pauseReason: string | undefined;
  reachable: boolean;
  /** Do-not-disturb: logged in but not offered calls (the agent's own choice). */
  dnd: boolean;
  /** The call offered to or connected with the agent. */
  callId: string | undefined;
  /** The queue whose wrap-up time applies after the current call. */
  callQueueId: string | undefined;
  idleSince: number;
  noAnswers: number;
  callsTaken: number;
  memberships: MemberRec[];
  /** Derived flags, kept in step by refreshAgent. */
  available: boolean;
  staffed: boolean;
  loggedIn: boolean;
  presence: AgentPresence;
  presenceSince: number;
  removed: boolean;
  /** The current call is one the agent makes (click-to-call), outside the queues. */
  outbound: boolean;
  /**
   * The agent is a consulted or conferenced party of `callId` (reserved, ringing, then on the
   * call), not the agent who owns it.
   */
  assisting: boolean;
  /** Why the agent was last logged out (logout, takeover, removed). */
  logoutCause: string | undefined;
  /** When the agent last logged in, and on which line or phone (queue log AGENTLOGIN/AGENTLOGOFF). */
  loginAt: number;
  channel: string;
  /** Skill → level, from config. */
  skills?: Record<string, number> | undefined;
}

export interface MemberRec {
  agent: AgentRec;
  queue: QueueRec;
  tier: number;
  /** 0-based index of the tier among the queue's distinct tiers. */
  rank: number;
  penalty: number;
  /** Position in the queue's member list, for linear and round-robin. */
  order: number;
  callsTaken: number;
}

export interface HeapEntry {
  call: CallRec;
  gen: number;
}

export interface QueueRec {
  cfg: RoutingQueueConfig;
  members: Map<string, MemberRec>;
  available: Set<MemberRec>;
  /** Members staffed (logged in, ready, reachable) per rank. */
  staffedByRank: number[];
  loggedInCount: number;
  /** Waiting heaps per caller priority; `levels` is kept sorted, highest priority first. */
  heaps: Map<number, MinHeap<HeapEntry>>;
  levels: number[];
  /** Calls in the queue per caller priority. */
  levelCounts: Map<number, number>;
  /** Every call in the queue, waiting or being offered. */
  calls: Set<CallRec>;
  rrCursor: number;
  nextOrder: number;
  removed: boolean;
}

export interface CallRec {
  id: string;
  queueId: string;
  priority: number;
  enqueuedAt: number;
  seq: number;
  state: 'waiting' | 'offered' | 'connected';
  agentId: string | undefined;
  offeredAt: number;
  connectedAt: number;
  /** Agents that failed to answer in the current round. */
  tried: Set<string> | undefined;
  heapGen: number;
  origPosition: number;
  /** Max wait reached while ringing: leave as soon as the offer ends. */
  exitPending: boolean;
  /** Agents allowed to take this call, best first (custom agent list); undefined = any member, [] = none yet. */
  agents: string[] | undefined;
  /** Answer time-out per agent for this call (custom agent list). */
  agentTimeouts: Record<string, number> | undefined;
  /** Offered first when available (CRM lookup); otherwise normal routing. */
  preferred: string | undefined;
  overflowRank: number;
  /** Agents consulted or conferenced on this connected call (see AgentRec.assisting). */
  assistants: Set<string> | undefined;
  /** A virtual waiter (seed 004): nobody on the line; an offer reserves the agent while the customer is dialled. */
  virtual?: boolean;
  /** How long an offer of this call may take before it counts as not answered (virtual waiters). */
  offerTimeoutMs?: number | undefined;
  /** Skills the caller needs, skill → minimum level (see skills.ts). */
  skills?: Record<string, number> | undefined;
}

export interface RoutingState {
  queues: Map<string, QueueRec>;
  agents: Map<string, AgentRec>;
  calls: Map<string, CallRec>;
  /** Live timers: key → generation. */
  timers: Map<string, number>;
  gen: number;
  seq: number;
  /** mulberry32 state for the random strategy. */
  rng: number;
}

export type RoutingInput =
  | { type: 'config.apply'; config: RoutingConfig }
  /** `channel`: the line or phone the agent logs in on, for the queue log. */
  | { type: 'agent.login'; agentId: string; channel?: string }
  | { type: 'agent.logout'; agentId: string; cause?: string }
  | { type: 'agent.pause'; agentId: string; reason?: string }
  | { type: 'agent.unpause'; agentId: string }
  | { type: 'agent.reachable'; agentId: string; reachable: boolean }
  /** Do-not-disturb on or off: like an unreachable phone, the agent is not offered calls. */
  | { type: 'agent.dnd'; agentId: string; dnd: boolean }
  | {
      type: 'call.enqueue';
      callId: string;
      queueId: string;
      priority?: number;
      /** Restrict to these agents, best first; [] holds the call until `call.agents` arrives. */
      agents?: string[];
      agentTimeouts?: Record<string, number>;
      preferredAgent?: string;
      /**
       * After an engine restart: the call's original enqueue time, so it keeps its place (and its
       * max wait counts from then); no ENTERQUEUE is logged again.
       */
      restoredAt?: number;
      /** The caller's number, for the queue log's ENTERQUEUE. */
      callerId?: string;
      /** Skills the caller needs (skill → minimum level), where the queue requires skills. */
      skills?: Record<string, number>;
    }
  /**
   * After an engine restart: a call that was bridged with an agent is still bridged. The agent
   * is on the call again (its wrap-up follows when the call ends), nothing is offered.
   */
  | { type: 'call.restore'; callId: string; queueId: string; agentId: string; priority: number; enqueuedAt: number; connectedAt: number }
  /**
   * After an engine restart: an agent's persisted login state (ready or paused, with the pause
   * reason; in wrap-up until `wrapupUntil`). Nothing is logged in the queue log: nothing changed.
   */
  | { type: 'agent.restore'; agentId: string; status: 'ready' | 'paused'; pauseReason?: string; wrapupUntil?: number }
  /** Set or lift (agents undefined) the per-call agent list. */
  | { type: 'call.agents'; callId: string; agents: string[] | undefined; agentTimeouts?: Record<string, number> }
  /** The agent places a call of its own (click-to-call): reserved, dialing, then on call. */
  | { type: 'agent.outbound'; agentId: string; callId: string }
  | { type: 'agent.outbound.connected'; agentId: string; callId: string }
  | { type: 'agent.outbound.end'; agentId: string; callId: string }
  /** The caller left while waiting or ringing an agent. */
  | { type: 'call.abandon'; callId: string }
  /** The call leaves the queue without abandoning (e.g. moved elsewhere by the session). */
  | { type: 'call.leave'; callId: string }
  /** `agentLeg`: the agent's PBX leg, logged as CONNECT's bridged channel. */
  | { type: 'offer.answered'; callId: string; agentId: string; agentLeg?: string }
  | { type: 'offer.failed'; callId: string; agentId: string; cause: string }
  /** A connected call ended; `side` tells who hung up. */
  | { type: 'call.end'; callId: string; side: 'caller' | 'agent' }
  /**
   * The call's agent hands the connected call on and goes to wrap-up. `agentId`: the agent who
   * takes it — blind: offered now like any offer (ringing; back in its queue at its place if it
   * does not answer); attended: the consulted agent, already on the call. No `agentId` (a queue
   * or an outside number): the call leaves the routing core. `target` goes to the queue log.
   */
  | { type: 'call.transfer'; callId: string; mode: 'blind' | 'attended'; agentId?: string; target: string }
  /** Reserve an available agent to be consulted or conferenced on a connected call: ringing. */
  | { type: 'consult.start'; callId: string; agentId: string }
  | { type: 'consult.answered'; callId: string; agentId: string }
  /** The consulted or conferenced agent leaves the call (cancelled, no answer, dropped): idle again. */
  | { type: 'consult.end'; callId: string; agentId: string }
  /**
   * Virtual queue (seed 004): the waiting call's caller asked to be called back and hangs up; its
   * entry stays at its place under `virtualId` (the original id is forgotten).
   */
  | { type: 'call.virtualize'; callId: string; virtualId: string; offerTimeoutMs: number }
  /**
   * A virtual waiter enters (lined up without a call, or taken up after a restart with its original
   * `enqueuedAt`; `fresh` logs ENTERQUEUE). Held until `holdUntil` when given.
   */
  | { type: 'virtual.enqueue'; callId: string; queueId: string; priority?: number; enqueuedAt: number; offerTimeoutMs: number; holdUntil?: number; fresh?: boolean; callerId?: string; skills?: Record<string, number> }
  /** The customer of a reserved virtual entry did not answer: agent freed, entry back at its place until `retryAt`. */
  | { type: 'virtual.retry'; callId: string; cause: string; retryAt: number }
  | { type: 'timer.fired'; key: string; gen: number };

export type RoutingCommand =
  | { type: 'offer'; callId: string; agentId: string; queueId: string; timeoutMs: number }
  | { type: 'offer.cancel'; callId: string; agentId: string; reason: 'timeout' | 'abandon' | 'logout' }
  /** The agent answered and the core accepted it: bridge the caller with the agent. */
  | { type: 'connect'; callId: string; agentId: string; queueId: string }
  | { type: 'call.exit'; callId: string; queueId: string; reason: 'timeout' | 'joinempty' | 'removed'; destination: ExitDestination }
  /** A consulted agent logged out while its phone rang: stop ringing it (the call goes on). */
  | { type: 'consult.cancel'; callId: string; agentId: string }
  | { type: 'timer.set'; key: string; at: number; gen: number }
  | { type: 'timer.clear'; key: string };

export type { QueueLogEventName } from '../domain/queue-log.js';

export type RoutingEvent =
  | {
      type: 'queue.log';
      event: QueueLogEventName;
      at: number;
      queueId: string;
      callId?: string;
      agentId?: string;
      data: Record<string, string | number>;
    }
  | { type: 'agent.state'; agentId: string; presence: AgentPresence; previous: AgentPresence; reason?: string; callId?: string; at: number }
  | { type: 'member.changed'; agentId: string; queueId: string; penalty: number }
  /** The agent's phone became reachable (registered) or unreachable; presence is unchanged. */
  | { type: 'agent.reachable'; agentId: string; reachable: boolean; at: number }
  /** Do-not-disturb changed; presence is unchanged. */
  | { type: 'agent.dnd'; agentId: string; dnd: boolean; at: number }
  | { type: 'ignored'; input: RoutingInput['type']; reason: string };

export interface Decision {
  state: RoutingState;
  commands: RoutingCommand[];
  events: RoutingEvent[];
}
