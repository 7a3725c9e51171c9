/**
 * Agent and supervisor commands with the semantics of seed 002 (XiVO Agent API), shared by the
 * REST routes and the CTI WebSocket. Authorization follows the caller's profile: an admin commands
 * everyone, a supervisor the agents of its groups (and queues of its list), an agent itself.
 */
import { createCallControlService } from './call-control-service.js';
import type { Engine } from '../calls/engine.js';
import { startListen } from '../calls/listen.js';
import { parseConfig, type Config } from '../domain/config.js';
import type { Logger } from '../infra/logger.js';
import { startClickToCall } from '../outbound/click-to-call.js';
import type { AgentPresence } from '../routing/types.js';
import type { Store } from '../store/store.js';
import type { Principal } from './auth.js';
import { ApiError, forbidden, inConfig, notFound, validationFailed } from './errors.js';
import { canSeeAgent, canSeeQueue } from './profiles.js';

/** An error whose body is the seed's own JSON shape, e.g. `{"Error":"PhoneNumberUnknown"}`. */
export class SeedError extends Error {
  override readonly name = 'SeedError';
  constructor(
    readonly status: number,
    readonly body: { Error: string; [k: string]: unknown },
  ) {
    super(body.Error);
  }
}

export const STATE_NAMES = {
  loggedout: 'AgentLoggedOut',
  ready: 'AgentReady',
  paused: 'AgentOnPause',
  ringing: 'AgentRinging',
  dialing: 'AgentDialing',
  oncall: 'AgentOnCall',
  wrapup: 'AgentOnWrapup',
} as const satisfies Record<AgentPresence, string>;

export interface AgentStateMessage {
  name: (typeof STATE_NAMES)[AgentPresence];
  agentId: string;
  phoneNb: string;
  /** Seconds in this state. */
  since: number;
  queues: string[];
  /** The agent's phone is registered (always true on an external number); seed 000 online/offline. */
  online: boolean;
  cause?: string;
  acd?: boolean;
  direction?: 'Incoming' | 'Outgoing';
  callType?: 'External';
  monitorState?: 'ACTIVE' | 'PAUSED' | 'DISABLED';
  /** Do-not-disturb is on: the agent is not offered calls (absent when off). */
  dnd?: true;
}

export interface AgentServiceDeps {
  engine: Engine;
  store: Store;
  log: Logger;
}

export type AgentService = ReturnType<typeof createAgentService>;

export function createAgentService({ engine, store, log }: AgentServiceDeps) {
  const config = () => engine.currentConfig;
  const callControl = createCallControlService(engine);

  /** The agent a command is about: the given id, or the caller itself; checked against the profile. */
  function target(p: Principal, agentId: string | undefined): string {
    const id = agentId ?? p.agentId;
    if (!id) throw validationFailed([{ path: 'body.agentId', message: 'required: the caller has no agent of its own' }]);
    if (!engine.agentConfig(id)) throw notFound('AGENT_NOT_FOUND', `agent ${id}`);
    if (!canSeeAgent(p, id, config())) throw forbidden(`agent ${id} is outside your profile`);
    return id;
  }

  function ownAddress(agentId: string): string | undefined {
    const a = engine.agentConfig(agentId);
    return a ? (a.phone.type === 'sip' ? a.phone.endpoint : a.phone.number) : undefined;
  }

  function isLoggedIn(agentId: string): boolean {
    const s = engine.agentSnapshot(agentId);
    return s !== undefined && s.presence !== 'loggedout';
  }

  /** Save a changed configuration and apply it live, or explain which field is wrong. */
  function commit(next: Config): void {
    const parsed = parseConfig(next);
    if (!parsed.ok) throw validationFailed(inConfig(parsed.issues), 'the resulting configuration is invalid');
    store.config.replaceAll(parsed.config);
    engine.applyConfig(parsed.config);
  }

  function stateMessage(agentId: string): AgentStateMessage {
    const snap = engine.agentSnapshot(agentId);
    if (!snap) throw notFound('AGENT_NOT_FOUND', `agent ${agentId}`);
    const msg: AgentStateMessage = {
      name: STATE_NAMES[snap.presence],
      agentId,
      phoneNb: engine.agentLineOf(agentId) ?? '',
      since: Math.max(0, Math.floor((engine.clock.now() - snap.since) / 1000)),
      queues: snap.queues.map((q) => q.queueId),
      online: snap.reachable,
    };
    if (snap.dnd) msg.dnd = true;
    if (snap.presence === 'paused') msg.cause = snap.pauseReason ?? '';
    if (snap.presence === 'ready') msg.cause = 'available';
    if (snap.presence === 'loggedout' && snap.logoutCause) msg.cause = snap.logoutCause;
    if (snap.presence === 'oncall') {
      const session = engine.sessionOfAgent(agentId);
      msg.acd = session !== undefined;
      msg.direction = session?.direction === 'inbound' ? 'Incoming' : 'Outgoing';
      msg.callType = 'External';
      const rec = session?.recordingState ?? 'none';
      msg.monitorState = rec === 'active' ? 'ACTIVE' : rec === 'paused' ? 'PAUSED' : 'DISABLED';
    }
    return msg;
  }

  return {
    /** Hold, transfers, consult and conference on an agent's call. */
    callControl,
    stateMessage,

    /** Seed 002 loginAgent: the five cases, with the seed's error JSON. */
    loginAgent(p: Principal, phoneNb: string, agentId?: string): AgentStateMessage {
      const id = target(p, agentId);
      const own = ownAddress(id);
      if (phoneNb !== own && !engine.line(phoneNb)) throw new SeedError(404, { Error: 'PhoneNumberUnknown' });
      if (isLoggedIn(id)) {
        const current = engine.agentLineOf(id) ?? '';
        if (current === phoneNb) return stateMessage(id);
        throw new SeedError(409, { Error: 'LoggedInOnAnotherPhone', phoneNb: current, RequestedNb: phoneNb });
      }
      // A line held by another logged-in agent is taken over: that agent is logged out.
      for (const other of config().agents) {
        if (other.id !== id && isLoggedIn(other.id) && engine.agentLineOf(other.id) === phoneNb) {
          log.info({ agentId: other.id, by: id }, 'line taken over');
          engine.logoutAgent(other.id, 'takeover');
          engine.setAgentLine(other.id, undefined);
        }
      }
      engine.setAgentLine(id, phoneNb === own ? undefined : phoneNb);
      engine.loginAgent(id);
      return stateMessage(id);
    },

    logoutAgent(p: Principal, agentId?: string): AgentStateMessage {
      const id = target(p, agentId);
      if (isLoggedIn(id)) engine.logoutAgent(id);
      engine.setAgentLine(id, undefined);
      return stateMessage(id);
    },

    pauseAgent(p: Principal, agentId?: string, reason?: string): AgentStateMessage {
      const id = target(p, agentId);
      // A reason, when given, is one of the configured pause_reasons: reports and the wallboard group by it.
      const reasons = config().pause_reasons;
      if (reason && !reasons.includes(reason)) {
        throw validationFailed([{ path: 'body.reason', message: `not a configured pause reason (${reasons.join(', ')})` }]);
      }
      if (!isLoggedIn(id)) throw new ApiError('AGENT_NOT_AVAILABLE', `agent ${id} is not logged in`);
      engine.pauseAgent(id, reason ?? '');
      return stateMessage(id);
    },

    unpauseAgent(p: Principal, agentId?: string): AgentStateMessage {
      const id = target(p, agentId);
      if (!isLoggedIn(id)) throw new ApiError('AGENT_NOT_AVAILABLE', `agent ${id} is not logged in`);
      engine.unpauseAgent(id);
      return stateMessage(id);
    },

    /** Do-not-disturb on or off: the agent stays logged in but is not offered calls. */
    setDnd(p: Principal, agentId: string | undefined, dnd: boolean): AgentStateMessage {
      const id = target(p, agentId);
      engine.setDnd(id, dnd);
      return stateMessage(id);
    },

    /** Associate the agent with the queue, or change its penalty (QueueMember event on success). */
    setAgentQueue(p: Principal, agentId: string, queueId: string, penalty: number): { agentId: string; queueId: string; penalty: number } {
      if (p.profile === 'agent') throw forbidden('agents cannot change queue memberships');
      const id = target(p, agentId);
      if (!engine.queueConfig(queueId)) throw notFound('QUEUE_NOT_FOUND', `queue ${queueId}`);
      if (!canSeeQueue(p, queueId, config())) throw forbidden(`queue ${queueId} is outside your profile`);
      const cfg = config();
      const memberships = cfg.memberships.filter((m) => !(m.agent === id && m.queue === queueId));
      memberships.push({ agent: id, queue: queueId, penalty });
      commit({ ...cfg, memberships });
      return { agentId: id, queueId, penalty };
    },

    /** Remove the agent's direct membership (QueueMember event with penalty -1). */
    removeAgentFromQueue(p: Principal, agentId: string, queueId: string): { agentId: string; queueId: string; penalty: -1 } {
      if (p.profile === 'agent') throw forbidden('agents cannot change queue memberships');
      const id = target(p, agentId);
      const cfg = config();
      const queue = engine.queueConfig(queueId);
      if (!queue) throw notFound('QUEUE_NOT_FOUND', `queue ${queueId}`);
      if (!canSeeQueue(p, queueId, cfg)) throw forbidden(`queue ${queueId} is outside your profile`);
      const agent = engine.agentConfig(id)!;
      const viaGroup = queue.groups.find((g) => agent.groups.includes(g.group));
      if (viaGroup) throw new ApiError('CONFLICT', `agent ${id} serves queue ${queueId} through group ${viaGroup.group}; remove it from the group instead`, { group: viaGroup.group });
      if (!cfg.memberships.some((m) => m.agent === id && m.queue === queueId)) throw new ApiError('NOT_FOUND', `agent ${id} is not a member of queue ${queueId}`);
      commit({ ...cfg, memberships: cfg.memberships.filter((m) => !(m.agent === id && m.queue === queueId)) });
      return { agentId: id, queueId, penalty: -1 };
    },

    /** Seed 002 monitorPause: pause the recording of the agent's queue call. */
    monitorPause: (p: Principal, agentId?: string) => setRecording(p, agentId, 'PAUSED'),

    /** Seed 002 monitorUnpause: resume it. */
    monitorUnpause: (p: Principal, agentId?: string) => setRecording(p, agentId, 'ACTIVE'),

    /** The supervisor's phone (its line, or `phoneNb`) hears the agent's call. */
    listenAgent(p: Principal, agentId: string, phoneNb?: string, mode: 'listen' | 'whisper' | 'barge' = 'listen'): { agentId: string; phoneNumber: string } {
      if (p.profile === 'agent') throw forbidden('agents cannot listen to other agents');
      const id = target(p, agentId);
      const line = phoneNb ?? (p.agentId ? engine.agentLineOf(p.agentId) : undefined);
      if (!line) throw validationFailed([{ path: 'body.phoneNumber', message: 'required: the line that should hear the call' }]);
      const result = startListen(engine, id, line, mode, log);
      if (!result.ok) {
        if (result.error.code === 'LINE_UNKNOWN') throw new SeedError(404, { Error: 'PhoneNumberUnknown' });
        throw new ApiError('CONFLICT', result.error.message);
      }
      return { agentId: id, phoneNumber: line };
    },

    clickToCall(p: Principal, req: { agentId?: string; destination: string; callerId?: string; variables?: Record<string, string> }): { callId: string } {
      const id = target(p, req.agentId);
      const result = startClickToCall(engine, { ...req, agentId: id }, log);
      if (!result.ok) {
        if (result.error.code === 'DESTINATION_NOT_ALLOWED') throw new ApiError('DESTINATION_NOT_ALLOWED', result.error.message);
        if (result.error.code === 'AGENT_NOT_FOUND') throw notFound('AGENT_NOT_FOUND', `agent ${id}`);
        throw new ApiError('AGENT_NOT_AVAILABLE', result.error.message);
      }
      return { callId: result.callId };
    },

    agentList(p: Principal) {
      const cfg = config();
      return cfg.agents
        .filter((a) => canSeeAgent(p, a, cfg))
        .map((a) => {
          const [firstName = '', ...rest] = (a.name ?? '').split(' ');
          return { id: a.id, firstName, lastName: rest.join(' '), number: engine.agentLineOf(a.id) ?? '', context: 'default', groupId: a.groups[0] ?? null, groups: a.groups };
        });
    },

    agentGroupList(p: Principal) {
      return config()
        .groups.filter((g) => p.profile === 'admin' || (p.profile === 'supervisor' ? (p.groups ?? []).includes(g.id) : engine.agentConfig(p.agentId ?? '')?.groups.includes(g.id)))
        .map((g) => ({ id: g.id, name: g.name ?? g.id }));
    },

    queueList(p: Principal) {
      const cfg = config();
      return cfg.queues.filter((q) => canSeeQueue(p, q.id, cfg) || isMemberOf(p.agentId, q.id)).map((q) => ({ id: q.id, name: q.name ?? q.id, strategy: q.strategy, groups: q.groups, serviceLevelS: q.service_level_s }));
    },

    queueMemberList(p: Principal) {
      const cfg = config();
      const out: { agentId: string; queueId: string; penalty: number }[] = [];
      for (const a of cfg.agents) {
        for (const m of engine.agentSnapshot(a.id)?.queues ?? []) {
          if (p.profile === 'agent' ? a.id === p.agentId : canSeeQueue(p, m.queueId, cfg)) out.push({ agentId: a.id, queueId: m.queueId, penalty: m.penalty });
        }
      }
      return out;
    },

    agentDirectory(p: Principal) {
      return this.agentList(p).map((agent) => ({ agent, agentState: stateMessage(agent.id) }));
    },
  };

  async function setRecording<S extends 'PAUSED' | 'ACTIVE'>(p: Principal, agentId: string | undefined, state: S): Promise<{ agentId: string; monitorState: S }> {
    const id = target(p, agentId);
    const session = engine.sessionOfAgent(id);
    const verb = state === 'PAUSED' ? 'pause' : 'resume';
    if (!session) throw new ApiError('CONFLICT', `agent ${id} has no queue call to ${verb} the recording of`);
    if (session.recordingState === 'none') throw new ApiError('CONFLICT', `the call of agent ${id} is not recorded`);
    if (state === 'PAUSED') await session.pauseRecording();
    else await session.resumeRecording();
    return { agentId: id, monitorState: state };
  }

  function isMemberOf(agentId: string | undefined, queueId: string): boolean {
    return agentId !== undefined && (engine.agentSnapshot(agentId)?.queues.some((q) => q.queueId === queueId) ?? false);
  }
}
