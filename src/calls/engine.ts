/**
 * The engine: PBX events in, call sessions, the router, CDRs and the queue log out.
 * Built by the composition root with its dependencies; nothing in here reads config files.
 */
import { EventEmitter } from 'node:events';
import { cdrStart, type Cdr } from '../domain/cdr.js';
import type { AgentSessionRecord, CallJournal } from '../domain/journal.js';
import type { Agent, Config, Ivr, Line, NumberEntry, Queue } from '../domain/config.js';
import type { QueueLogEntry } from '../domain/queue-log.js';
import type { Clock } from '../infra/clock.js';
import type { Logger } from '../infra/logger.js';
import type { Destination, HangupCause, LegId, PbxEvent, PbxPort } from '../pbx/port.js';
import { positionOf } from '../routing/decide.js';
import { routingConfig } from '../routing/from-config.js';
import type { AgentPresence, RoutingCommand, RoutingEvent } from '../routing/types.js';
import type { CallHooks, CallNotice, CustomAgent, LookupResult } from './hooks.js';
import { AgentPhones } from './agent-phones.js';
import { Router } from './router.js';
import { completedCdr } from './recovery.js';
import { recoverCalls, restoreAgents, type CallsRecovered, type RestartHost } from './restart.js';
import { CallSession, type Arrival, type SessionEnv } from './session.js';
import type { CallControl } from './control/call-control.js';
import { ControlError, type ControlNotice } from './control/types.js';
import { agentMayDial } from '../domain/dial-policy.js';
import { free } from '../routing/call-control.js';
import type { RoutingEntryOwner, VirtualQueuePort } from './virtual-queue-port.js';

/** Whoever handles a PBX leg's events: an inbound session, an outbound call, a listen. */
export interface LegOwner {
  onDtmf(leg: LegId, digit: string): void;
  onLegAnswered(leg: LegId): void;
  onLegHangup(leg: LegId, cause: HangupCause): void;
}

type LegEvent = Extract<PbxEvent, { type: 'dtmf' | 'leg.answered' | 'leg.hangup' }>;

function deliver(owner: LegOwner, e: LegEvent): void {
  if (e.type === 'dtmf') owner.onDtmf(e.leg, e.digit);
  else if (e.type === 'leg.answered') owner.onLegAnswered(e.leg);
  else owner.onLegHangup(e.leg, e.cause);
}

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

export class Engine extends EventEmitter<EngineEvents> {
  readonly router: Router;
  private config!: Config;
  private numbers = new Map<string, NumberEntry>();
  private ivrs = new Map<string, Ivr>();
  private queues = new Map<string, Queue>();
  private agents = new Map<string, Agent>();
  /** Agents' lines and phone registrations (seed 002 loginAgent, seed 000 online/offline). */
  private readonly phones = new AgentPhones();
  private readonly sessions = new Map<string, CallSession>();
  private readonly legOwner = new Map<LegId, LegOwner>();
  private readonly unclaimed = new Map<LegId, LegEvent[]>();
  /** Legs of calls that ended recently (bounded), whose late events are dropped. */
  private readonly ended = new Set<LegId>();
  private readonly holdEwma = new Map<string, number>();
  private readonly env: SessionEnv;
  private readonly log: Logger;
  private offEvents: (() => void) | undefined;
  private accepting = false;
  private idSeq = 0;
  private drained: (() => void) | undefined;
  /** Dead (a simulated crash): nothing more happens, nothing more is written. */
  private halted = false;
  private link: PbxLinkState = 'down';
  /** Per agent, what was last persisted (see saveAgentSession). */
  private readonly savedAgents = new Map<string, string>();
  private linkSince = 0;
  private virtualQueue: VirtualQueuePort | undefined;
  /** Other owners of routing entries without a session (auto callback lists). */
  private readonly entryOwners: RoutingEntryOwner[] = [];
  /** Other takers of keys pressed while queued (the callback-message key). */
  private readonly queueKeys: ((session: CallSession, digit: string) => boolean)[] = [];
  /** Calls shed at the admission limit since start. */
  private shedCount = 0;

  constructor(private readonly deps: EngineDeps) {
    super();
    this.log = deps.log.child({ mod: 'engine' });
    this.router = new Router(deps.clock, { command: (c) => this.onCommand(c), event: (e) => this.onRoutingEvent(e) }, deps.log.child({ mod: 'router' }), deps.seed);
    this.env = {
      pbx: deps.pbx,
      clock: deps.clock,
      log: deps.log.child({ mod: 'call' }),
      route: (input) => {
        if (!this.halted) this.router.input(input);
      },
      number: (dialled) => this.numbers.get(dialled),
      ivr: (id) => this.ivrs.get(id),
      queue: (id) => this.queues.get(id),
      agent: (id) => this.agents.get(id),
      positionOf: (callId) => {
        const call = this.router.state.calls.get(callId);
        const q = call && this.router.state.queues.get(call.queueId);
        return call && q && call.state !== 'connected' ? positionOf(q, call) : undefined;
      },
      estimatedWaitMs: (queueId) => this.estimatedWaitMs(queueId),
      claimLeg: (leg, session) => this.claimLeg(leg, session),
      releaseLeg: (leg) => this.legOwner.delete(leg),
      finished: (session, cdr) => this.onFinished(session, cdr),
      recordingName: (callId) => `switchboard-${callId}`,
      agentDestination: (agentId) => this.agentDestination(agentId),
      lookup: (session) => this.runLookup(session),
      agentList: (queue, session) => this.runAgentList(queue, session),
      offering: (session, agentId, queueId) => this.emit('call.offering', this.notice(session, agentId, queueId)),
      bridged: (session, agentId, queueId) => this.emit('call.bridged', this.notice(session, agentId, queueId)),
      journal: (entry) => {
        if (!this.halted) this.deps.store.journal.save(entry, this.deps.clock.now());
      },
      agentFree: (agentId) => {
        const a = this.router.state.agents.get(agentId);
        return a !== undefined && free(a);
      },
      agentReservedFor: (agentId) => {
        const a = this.router.state.agents.get(agentId);
        return a?.assisting ? a.callId : undefined;
      },
      dialAllowed: (number, agentId) => agentMayDial(this.config, agentId, number),
      control: (notice) => this.emit('call.control', notice),
      queueKey: (session, digit) => (this.virtualQueue?.queueKey(session, digit) ?? false) || this.queueKeys.some((k) => k(session, digit)),
      callbackOffer: (session, queueId, language) => this.virtualQueue?.callbackOffer(session, queueId, language),
      queuePriority: (session, queueId, priority) => this.virtualQueue?.queuePriority(session, queueId, priority) ?? priority,
    };
    this.applyConfig(deps.config);
  }

  async start(): Promise<void> {
    const t0 = performance.now();
    this.offEvents = this.deps.pbx.onEvent((e) => this.onPbxEvent(e));
    await this.deps.pbx.start();
    const host = this.restartHost();
    const saved = this.deps.store.agentSessions.all();
    // What is saved already (a wrap-up keeps its original end through the restore).
    for (const r of saved) this.savedAgents.set(r.agentId, savedKey(r, r.wrapupUntil !== null));
    const agentsRestored = restoreAgents(host, saved);
    const report = await recoverCalls(host);
    this.accepting = true;
    const full: RecoveryReport = { ...report, agentsRestored, ms: Math.round(performance.now() - t0) };
    this.log.info({ pbx: this.deps.pbx.name, queues: this.queues.size, agents: this.agents.size, ...full }, 'engine started');
    this.emit('recovered', full);
  }

  /** What start-up recovery (restart.ts) may do to this engine. */
  private restartHost(): RestartHost {
    return {
      log: this.log,
      clock: this.deps.clock,
      pbx: this.deps.pbx,
      store: this.deps.store,
      agents: this.config.agents,
      hasLine: (line) => this.phones.line(line) !== undefined,
      setAgentLine: (agentId, line) => this.setAgentLine(agentId, line),
      loginAgent: (agentId) => this.loginAgent(agentId),
      route: (input) => this.router.input(input),
      callEnded: (cdr) => {
        this.writeCdr(cdr);
        this.emit('call.ended', cdr);
      },
      adopt: (entry, agentLegAlive) => {
        if (entry.kind === 'callback') return this.adoptCallback(entry, agentLegAlive);
        const arrival = { leg: entry.leg as LegId, to: entry.cdr.dialled, from: entry.cdr.caller, callIdOnChannel: true, ...(entry.cdr.callerName === null ? {} : { fromName: entry.cdr.callerName }) };
        const session = new CallSession(entry.callId, arrival, this.env, entry);
        this.sessions.set(entry.callId, session);
        this.legOwner.set(arrival.leg, session);
        void session.resume(agentLegAlive);
      },
    };
  }

  /**
   * Simulate the process dying at this instant (tests, chaos bench): stop listening to the PBX,
   * cancel every timer, abandon every call without a word to the PBX or the store. The journal
   * and agent sessions stay as they were, for the next engine to recover.
   */
  halt(): void {
    this.halted = true;
    this.accepting = false;
    this.router.stop();
    this.offEvents?.();
    for (const s of this.sessions.values()) s.halt();
  }

  /** The PBX driver's short name: `sim`, `asterisk`, `freeswitch`. */
  get pbxName(): string {
    return this.deps.pbx.name;
  }

  /** The PBX link as last reported: up, down (event stream lost) or lost (the PBX is gone). */
  get pbxLink(): { state: PbxLinkState; since: number } {
    return { state: this.link, since: this.linkSince };
  }

  /**
   * Stop taking calls, let live calls finish for at most `graceMs`, then stop the PBX link. Calls
   * still live then are left in the PBX with their journal, for the next start to take up.
   */
  async stop(graceMs = 0): Promise<void> {
    this.accepting = false;
    if (this.sessions.size > 0 && graceMs > 0) {
      const { clock } = this.deps;
      let timer: ReturnType<Clock['schedule']> | undefined;
      await new Promise<void>((resolve) => {
        this.drained = resolve;
        timer = clock.schedule(clock.now() + graceMs, resolve);
      });
      if (timer) clock.cancel(timer);
    }
    // Calls still live stay in the PBX and in the journal: the next start takes them up.
    if (this.sessions.size > 0) this.log.info({ liveCalls: this.sessions.size }, 'stopping with live calls, left to the next start');
    this.halted = true;
    for (const s of this.sessions.values()) s.halt();
    this.router.stop();
    this.offEvents?.();
    await this.deps.pbx.stop();
  }

  /** Apply a validated configuration live: lookups swap at once, routing reconciles memberships. */
  applyConfig(config: Config): void {
    const before = this.agents;
    this.config = config;
    this.numbers = new Map(config.numbers.map((n) => [n.number, n]));
    this.ivrs = new Map(config.ivrs.map((i) => [i.id, i]));
    this.queues = new Map(config.queues.map((q) => [q.id, q]));
    this.agents = new Map(config.agents.map((a) => [a.id, a]));
    this.phones.apply(config);
    this.router.input({ type: 'config.apply', config: routingConfig(config) });
    this.syncReachability();
    for (const a of config.agents) {
      const old = before?.get(a.id);
      if (old && !sameSkills(old.skills, a.skills)) this.emit('agent.skills', { agentId: a.id, skills: { ...a.skills } });
    }
  }

  /** An agent that moved to another phone (hot desk, logout, config) takes that phone's registration state. */
  private syncReachability(): void {
    for (const a of this.config.agents) {
      const current = this.router.state.agents.get(a.id)?.reachable;
      const reachable = this.phones.reachable(a.id);
      if (current !== undefined && current !== reachable) this.router.input({ type: 'agent.reachable', agentId: a.id, reachable });
    }
  }

  /** Known phone lines: the config's `lines` and every agent's own SIP endpoint. */
  line(number: string): Line | undefined {
    return this.phones.line(number);
  }

  /** The line an agent is logged in on (its own phone's number when it has no hot-desk line). */
  agentLineOf(agentId: string): string | undefined {
    return this.phones.lineOf(agentId);
  }

  /** The agent holding a hot-desk line, if any. */
  agentOnLine(line: string): string | undefined {
    return this.phones.agentOnLine(line);
  }

  setAgentLine(agentId: string, line: string | undefined): void {
    this.phones.setLine(agentId, line);
    this.syncReachability();
    this.saveAgentSession(agentId);
    this.emit('agent.line', { agentId, line });
  }

  agentDestination(agentId: string): Destination | undefined {
    return this.phones.destination(agentId);
  }

  agentConfig(agentId: string): Agent | undefined {
    return this.agents.get(agentId);
  }

  queueConfig(queueId: string): Queue | undefined {
    return this.queues.get(queueId);
  }

  get currentConfig(): Config {
    return this.config;
  }

  // ------------------------------------------------------------ agent commands

  loginAgent(agentId: string): void {
    const channel = this.agentLineOf(agentId);
    this.router.input(channel === undefined ? { type: 'agent.login', agentId } : { type: 'agent.login', agentId, channel });
  }
  logoutAgent(agentId: string, cause?: string): void {
    this.router.input(cause === undefined ? { type: 'agent.logout', agentId } : { type: 'agent.logout', agentId, cause });
  }
  pauseAgent(agentId: string, reason?: string): void {
    this.router.input(reason === undefined ? { type: 'agent.pause', agentId } : { type: 'agent.pause', agentId, reason });
  }
  unpauseAgent(agentId: string): void {
    this.router.input({ type: 'agent.unpause', agentId });
  }
  /** Do-not-disturb on or off (kept across logins and restarts). */
  setDnd(agentId: string, dnd: boolean): void {
    this.router.input({ type: 'agent.dnd', agentId, dnd });
  }

  /** The live session an agent is talking on, if any. */
  /** Call control for the call an agent owns; NO_ACTIVE_CALL when it has none bridged. */
  callControl(agentId: string): CallControl {
    const session = this.sessionOfAgent(agentId);
    if (!session) throw new ControlError('NO_ACTIVE_CALL', `agent ${agentId} has no call`);
    return session.control;
  }

  sessionOfAgent(agentId: string): CallSession | undefined {
    const callId = this.router.state.agents.get(agentId)?.callId;
    const session = callId ? this.sessions.get(callId) : undefined;
    return session?.agentId === agentId ? session : undefined;
  }

  /** A session for a leg we dialled out (dialFromQueue); the caller runs it. */
  outboundSession(callId: string, arrival: Arrival): CallSession {
    const session = new CallSession(callId, arrival, this.env);
    this.sessions.set(callId, session);
    this.legOwner.set(arrival.leg, session);
    return session;
  }

  /** The agent rung on this endpoint (its own phone or the hot-desk line it is logged in on). */
  agentOnEndpoint(endpoint: string): string | undefined {
    return this.phones.agentAt(endpoint);
  }

  /** Route a leg's events to `owner` (outbound calls, listen legs) until `releaseLeg`. */
  claimLeg(leg: LegId, owner: LegOwner): void {
    this.legOwner.set(leg, owner);
    // Events that overtook the originate answer (the PBX may report an answer or a hang-up
    // before the request returns) are delivered now, in order.
    const early = this.unclaimed.get(leg);
    if (early) {
      this.unclaimed.delete(leg);
      for (const e of early) deliver(owner, e);
    }
  }

  /** Keep a few events of legs nobody owns yet; the oldest legs are forgotten past a bound. */
  private holdUnclaimed(e: LegEvent): void {
    // Late events of a call that already ended (its hang-up, typically) are not early ones.
    if (this.ended.has(e.leg)) return;
    const list = this.unclaimed.get(e.leg);
    if (list) list.push(e);
    else this.unclaimed.set(e.leg, [e]);
    if (this.unclaimed.size > 256) this.unclaimed.delete(this.unclaimed.keys().next().value as LegId);
  }

  releaseLeg(leg: LegId): void {
    this.legOwner.delete(leg);
  }

  get pbx(): PbxPort {
    return this.deps.pbx;
  }

  get clock(): Clock {
    return this.deps.clock;
  }

  private writeCdr(cdr: Cdr): void {
    try {
      this.deps.store.completeCall(cdr);
    } catch (err) {
      this.log.error({ err, callId: cdr.callId }, 'cdr write failed');
    }
  }

  /** Persist a CDR written outside inbound sessions (outbound calls; its journal, if any, dropped) and report the end. */
  recordCdr(cdr: Cdr): void {
    if (this.halted) return;
    try {
      this.deps.store.completeCall(cdr);
    } catch (err) {
      this.log.error({ err, callId: cdr.callId }, 'cdr write failed');
    }
    this.emit('call.ended', cdr);
  }

  newCallIdFor(): string {
    return this.nextCallId();
  }

  session(callId: string): CallSession | undefined {
    return this.sessions.get(callId);
  }

  get liveCalls(): number {
    return this.sessions.size;
  }

  /** The admission limits in force and the calls shed at them since start. */
  get admission(): { maxLiveCalls: number | undefined; maxPbxRequests: number | undefined; shed: number } {
    const a = this.deps.admission;
    return { maxLiveCalls: a?.maxLiveCalls, maxPbxRequests: a?.pbxLoad ? a.maxPbxRequests : undefined, shed: this.shedCount };
  }

  /** Which admission limit a new call would pass, if any. */
  private overLimit(): 'live-calls' | 'pbx-requests' | undefined {
    const a = this.deps.admission;
    if (!a) return undefined;
    if (a.maxLiveCalls !== undefined && this.sessions.size >= a.maxLiveCalls) return 'live-calls';
    if (a.maxPbxRequests !== undefined && a.pbxLoad && a.pbxLoad() >= a.maxPbxRequests) return 'pbx-requests';
    return undefined;
  }

  // ------------------------------------------------------------ snapshots

  queueSnapshot(queueId: string): QueueSnapshot | undefined {
    const q = this.router.state.queues.get(queueId);
    if (!q) return undefined;
    const now = this.deps.clock.now();
    let oldest = now;
    for (const c of q.calls) if (c.enqueuedAt < oldest) oldest = c.enqueuedAt;
    return { queueId, waiting: q.calls.size, longestWaitMs: now - oldest, availableAgents: q.available.size, loggedInAgents: q.loggedInCount };
  }

  agentSnapshot(agentId: string): AgentSnapshot | undefined {
    const a = this.router.state.agents.get(agentId);
    if (!a || a.removed) return undefined;
    return {
      agentId,
      presence: a.presence,
      since: a.presenceSince,
      pauseReason: a.pauseReason,
      logoutCause: a.logoutCause,
      callId: a.callId,
      reachable: a.reachable,
      dnd: a.dnd,
      queues: a.memberships.map((m) => ({ queueId: m.queue.cfg.id, penalty: m.penalty, tier: m.tier })),
    };
  }

  estimatedWaitMs(queueId: string): number {
    const avg = this.holdEwma.get(queueId) ?? 0;
    const q = this.router.state.queues.get(queueId);
    if (!q) return 0;
    const staffed = Math.max(1, q.staffedByRank.reduce((x, y) => x + y, 0));
    return Math.round((avg * (q.calls.size + 1)) / staffed);
  }

  // ------------------------------------------------------------ hooks

  private notice(session: CallSession, agentId: string | null, queueId: string | null): CallNotice {
    // Dialer calls (seed 003): queue is the dialer's id, with the member and attempt.
    const { USR_dialer_id: dialer, USR_dialer_member: member, USR_dialer_attempt: attempt } = session.variables;
    return { callId: session.callId, direction: session.direction, queueId: dialer ?? queueId, agentId, cid: session.from, dialled: session.dialled, variables: { ...session.variables }, ...(member ? { member } : {}), ...(attempt ? { attempt } : {}) };
  }

  /** Run a hook with a deadline: past it the signal aborts and the call goes on without an answer. */
  private async bounded<T>(fn: (signal: AbortSignal) => Promise<T>): Promise<T | undefined> {
    const { clock } = this.deps;
    const ctl = new AbortController();
    let timer: ReturnType<Clock['schedule']> | undefined;
    const deadline = new Promise<undefined>((resolve) => {
      timer = clock.schedule(clock.now() + this.config.webhooks.timeout_ms, () => {
        ctl.abort(new Error('hook deadline'));
        resolve(undefined);
      });
    });
    try {
      return await Promise.race([fn(ctl.signal), deadline]);
    } catch (err) {
      this.log.warn({ err }, 'hook failed');
      return undefined;
    } finally {
      if (timer) clock.cancel(timer);
    }
  }

  private runLookup(session: CallSession): Promise<LookupResult | undefined> {
    const lookup = this.deps.hooks?.lookup;
    if (!lookup) return Promise.resolve(undefined);
    return this.bounded((signal) => lookup({ callId: session.callId, from: session.from, to: session.dialled, numberId: session.number?.id ?? null }, signal));
  }

  private async runAgentList(queue: Queue, session: CallSession): Promise<CustomAgent[] | undefined> {
    const agentList = this.deps.hooks?.agentList;
    if (!agentList) return undefined;
    const q = this.router.state.queues.get(queue.id);
    const calls = [...(q?.calls ?? [])]
      .map((c) => this.sessions.get(c.id))
      .filter((x): x is CallSession => x !== undefined)
      .map((x) => ({ callId: x.callId, from: x.from, to: x.dialled }));
    if (!calls.some((c) => c.callId === session.callId)) calls.push({ callId: session.callId, from: session.from, to: session.dialled });
    const answer = await this.bounded((signal) => agentList(queue, calls, signal));
    return answer?.get(session.callId);
  }

  // ------------------------------------------------------------ internals

  private nextCallId(): string {
    return this.deps.newCallId ? this.deps.newCallId() : `${Date.now().toString(36)}-${(++this.idSeq).toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  }

  private onPbxEvent(e: PbxEvent): void {
    switch (e.type) {
      case 'call.arrived': {
        if (!this.accepting) {
          void this.deps.pbx.hangup(e.leg, 'rejected').catch((err: unknown) => this.log.debug({ err }, 'reject while stopping failed'));
          if (!this.halted) this.refused(e);
          return;
        }
        const callId = e.callId ?? this.nextCallId();
        if (e.origin === 'phone') {
          if (this.deps.phoneCall) return this.deps.phoneCall(this, { ...e, callId });
          void this.deps.pbx.hangup(e.leg, 'rejected').catch((err: unknown) => this.log.debug({ err }, 'reject phone call failed'));
          return this.refused({ ...e, callId }, 'no-phone-policy');
        }
        const over = this.overLimit();
        if (over) {
          this.shedCount += 1;
          void this.deps.pbx.hangup(e.leg, 'busy').catch((err: unknown) => this.log.debug({ err }, 'shed call hang-up failed'));
          return this.refused({ ...e, callId }, 'overload', { limit: over });
        }
        const arrival = { leg: e.leg, to: e.to, from: e.from, callIdOnChannel: e.callId !== undefined, ...(e.fromName === undefined ? {} : { fromName: e.fromName }) };
        const session = new CallSession(callId, arrival, this.env);
        this.sessions.set(callId, session);
        this.legOwner.set(e.leg, session);
        session.log.info({ to: e.to }, 'call arrived');
        this.emit('call.arrived', { callId, from: e.from, to: e.to });
        void session.run();
        return;
      }
      case 'dtmf':
      case 'leg.answered':
      case 'leg.hangup': {
        const owner = this.legOwner.get(e.leg);
        if (owner) deliver(owner, e);
        else this.holdUnclaimed(e);
        return;
      }
      case 'endpoint.state': {
        const agentId = this.phones.endpointState(e.endpoint, e.online);
        if (agentId) this.router.input({ type: 'agent.reachable', agentId, reachable: e.online });
        return;
      }
      case 'pbx.connected':
        if (e.restarted) this.pbxGone();
        else if (this.link === 'lost') void this.hangUpOrphans();
        return this.setLink('up');
      case 'pbx.disconnected':
        return this.setLink('down');
      case 'pbx.lost':
        this.pbxGone();
        return this.setLink('lost');
      case 'recording.finished':
        this.emit('recording.finished', e);
        return;
      case 'leg.ringing':
        return;
    }
  }

  /** A call that reached the engine while it was starting or stopping: refused, and its CDR says so. */
  private refused(e: Extract<PbxEvent, { type: 'call.arrived' }>, cause = 'engine-stopping', detail: Record<string, unknown> = {}): void {
    const now = this.deps.clock.now();
    const cdr: Cdr = {
      ...cdrStart({
        callId: e.callId ?? this.nextCallId(),
        legId: e.leg,
        direction: e.origin === 'phone' ? 'outbound' : 'inbound',
        numberId: this.numbers.get(e.to)?.id ?? null,
        dialled: e.to,
        caller: e.from,
        callerName: e.fromName ?? null,
        startedAt: now,
      }),
      hangupSide: 'system',
      hangupCause: cause,
      endedAt: now,
      disposition: 'refused',
    };
    this.log.info({ callId: cdr.callId, to: e.to, cause, ...detail }, 'call refused');
    this.writeCdr(cdr);
    this.emit('call.ended', cdr);
  }

  private setLink(state: PbxLinkState): void {
    if (this.link === state) return;
    const at = this.deps.clock.now();
    if (state === 'up') this.log.info({ was: this.link }, 'pbx link up');
    else this.log.error({ state }, state === 'lost' ? 'pbx lost' : 'pbx event stream lost');
    this.link = state;
    this.linkSince = at;
    this.emit('pbx.state', { state, at });
  }

  /** The PBX died or restarted: every live call ended with it. CDRs say `pbx-lost`; agents go back to rest. */
  private pbxGone(): void {
    for (const s of [...this.sessions.values()]) s.pbxLost();
    for (const [leg, owner] of [...this.legOwner]) if (!(owner instanceof CallSession)) deliver(owner, { type: 'leg.hangup', leg, cause: 'lost' });
  }

  /** After the event stream came back: legs that vanished meanwhile end their calls (cause `lost`). */
  /**
   * The PBX had been taken as lost (its calls ended with `pbx-lost`) but was only out of reach:
   * what is still alive there belongs to no call any more and is hung up. (After a mere cut of
   * the event stream the driver itself ends the legs that vanished, with cause `lost`.)
   */
  private async hangUpOrphans(): Promise<void> {
    let legs;
    try {
      legs = await this.deps.pbx.recover();
    } catch (err) {
      this.log.warn({ err }, 'listing legs after the PBX came back failed');
      return;
    }
    let orphans = 0;
    for (const l of legs) {
      if (this.legOwner.has(l.leg)) continue;
      orphans += 1;
      this.log.warn({ legId: l.leg, role: l.role, callId: l.callId }, 'hanging up a leg left from before the PBX was lost');
      await this.deps.pbx.hangup(l.leg, 'normal').catch((err: unknown) => this.log.debug({ err, legId: l.leg }, 'orphan hang-up failed'));
    }
    this.log.info({ legs: legs.length, orphans }, 'pbx back after being lost');
  }

  /** The virtual queue (seed 004), attached by the composition root. */
  attachVirtualQueue(port: VirtualQueuePort): void {
    this.virtualQueue = port;
    const waiting = this.recoveredCallbacks.splice(0);
    for (const r of waiting) this.adoptCallback(r.entry, r.agentLegAlive);
  }

  /** Bridged callback attempts found at start before the virtual queue was attached. */
  private readonly recoveredCallbacks: { entry: CallJournal; agentLegAlive: boolean }[] = [];

  /** A bridged callback attempt found at start goes to the virtual queue; without one it ends now. */
  private adoptCallback(entry: CallJournal, agentLegAlive: boolean): void {
    if (!this.virtualQueue) {
      this.recoveredCallbacks.push({ entry, agentLegAlive });
      return;
    }
    if (this.virtualQueue.resumeCallback(entry, agentLegAlive)) return;
    this.log.warn({ callId: entry.callId, waiterId: entry.waiterId }, 'callback cannot be resumed: ended');
    for (const leg of [entry.leg, entry.agentLeg]) if (leg) void this.deps.pbx.hangup(leg as LegId, 'normal').catch((err: unknown) => this.log.debug({ err }, 'callback hang-up after restart failed'));
    this.writeCdr(completedCdr(entry, this.deps.clock.now()));
  }

  /** Journal a call the engine does not run as a session (a callback attempt); nothing once halted. */
  journalCall(entry: CallJournal): void {
    if (!this.halted) this.deps.store.journal.save(entry, this.deps.clock.now());
  }

  /** Routing entries that have no call session (auto callback lists): their commands go to `owner`. */
  attachEntryOwner(owner: RoutingEntryOwner): void {
    this.entryOwners.push(owner);
  }

  /** A taker of keys pressed while queued; true from it when the key was its own (taken). */
  attachQueueKey(taker: (session: CallSession, digit: string) => boolean): void {
    this.queueKeys.push(taker);
  }

  /** Queue-log entries of the virtual queue's own steps (callback attempts, notifications). */
  appendQueueLog(entry: QueueLogEntry): void {
    if (this.halted) return;
    this.deps.store.queueLog.append([entry]);
    this.emit('queue.log', entry);
  }

  private onCommand(cmd: Exclude<RoutingCommand, { type: 'timer.set' | 'timer.clear' }>): void {
    const session = this.sessions.get(cmd.callId);
    if (!session && this.virtualQueue?.owns(cmd.callId)) return this.virtualQueue.command(cmd);
    const owner = session ? undefined : this.entryOwners.find((o) => o.owns(cmd.callId));
    if (owner) return owner.command(cmd);
    switch (cmd.type) {
      case 'offer':
        if (session) session.offer(cmd.agentId, cmd.queueId, cmd.timeoutMs);
        else this.router.input({ type: 'offer.failed', callId: cmd.callId, agentId: cmd.agentId, cause: 'failed' });
        return;
      case 'offer.cancel':
        session?.cancelOffer(cmd.agentId);
        return;
      case 'consult.cancel':
        session?.control.cancelAgent(cmd.agentId);
        return;
      case 'connect':
        if (session) session.connect(cmd.agentId);
        else this.router.input({ type: 'call.end', callId: cmd.callId, side: 'caller' });
        return;
      case 'call.exit':
        session?.exitQueue(cmd.reason, cmd.destination);
        return;
    }
  }

  private onRoutingEvent(e: RoutingEvent): void {
    switch (e.type) {
      case 'queue.log': {
        const entry: QueueLogEntry = { at: e.at, callId: e.callId ?? null, queueId: e.queueId, agentId: e.agentId ?? null, event: e.event, data: e.data };
        this.deps.store.queueLog.append([entry]);
        if (e.event === 'CONNECT') {
          const hold = Number(e.data.holdtime ?? 0) * 1000;
          const prev = this.holdEwma.get(e.queueId);
          this.holdEwma.set(e.queueId, prev === undefined ? hold : prev * 0.8 + hold * 0.2);
        }
        this.emit('queue.log', entry);
        return;
      }
      case 'agent.state':
        this.log.info({ agentId: e.agentId, from: e.previous, to: e.presence, reason: e.reason }, 'agent state');
        this.saveAgentSession(e.agentId);
        this.emit('agent.state', e);
        return;
      case 'member.changed':
        this.emit('member.changed', e);
        return;
      case 'agent.reachable':
        this.log.info({ agentId: e.agentId, reachable: e.reachable }, 'agent reachability');
        this.emit('agent.reachable', e);
        return;
      case 'agent.dnd':
        this.log.info({ agentId: e.agentId, dnd: e.dnd }, 'agent do-not-disturb');
        this.saveAgentSession(e.agentId);
        this.emit('agent.dnd', e);
        return;
      case 'ignored':
        this.log.debug({ input: e.input, reason: e.reason }, 'routing input ignored');
        return;
    }
  }

  /** Persist an agent's login state (status, pause reason, hot-desk line, wrap-up end) for a restart. */
  private saveAgentSession(agentId: string): void {
    if (this.halted) return;
    const a = this.router.state.agents.get(agentId);
    if (!a) return;
    const now = this.deps.clock.now();
    const inWrapup = a.activity === 'wrapup';
    const rec: AgentSessionRecord = {
      agentId,
      status: a.removed ? 'loggedOut' : a.status,
      pauseReason: a.status === 'paused' ? (a.pauseReason ?? '') : null,
      line: this.phones.hotDeskLine(agentId) ?? null,
      wrapupUntil: null,
      ...(a.dnd ? { dnd: true } : {}),
    };
    // Ringing, on a call, idle again: nothing that survives a restart changed, nothing to write.
    const key = savedKey(rec, inWrapup);
    if (this.savedAgents.get(agentId) === key) return;
    if (inWrapup) {
      const wrapupMs = a.callQueueId ? (this.router.state.queues.get(a.callQueueId)?.cfg.wrapupMs ?? 0) : 0;
      rec.wrapupUntil = now + wrapupMs;
    }
    try {
      this.deps.store.agentSessions.save(rec, now);
      this.savedAgents.set(agentId, key);
    } catch (err) {
      this.log.error({ err, agentId }, 'agent session write failed');
    }
  }

  private onFinished(session: CallSession, cdr: Cdr): void {
    this.writeCdr(cdr);
    this.sessions.delete(session.callId);
    this.legOwner.delete(session.leg);
    this.ended.add(session.leg);
    if (this.ended.size > 1024) this.ended.delete(this.ended.values().next().value as LegId);
    this.emit('call.ended', cdr);
    if (this.sessions.size === 0) this.drained?.();
  }
}

/** What of an agent's state survives a restart, as a comparable key. */
function savedKey(r: AgentSessionRecord, inWrapup: boolean): string {
  return JSON.stringify([r.status, r.pauseReason, r.line, inWrapup, r.dnd === true]);
}

function sameSkills(a: Record<string, number> | undefined, b: Record<string, number> | undefined): boolean {
  const ka = Object.keys(a ?? {});
  return ka.length === Object.keys(b ?? {}).length && ka.every((k) => a![k] === b?.[k]);
}
