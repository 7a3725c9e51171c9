/**
 * The engine: PBX events in, call sessions, the router, CDRs and the queue log out.
 * Built by the composition root with its dependencies; nothing in here reads config files.
 */
import { EventEmitter } from 'node:events';
import type { Cdr } from '../domain/cdr.js';
import type { Agent, Config, Ivr, Line, NumberEntry, Queue } from '../domain/config.js';
import type { QueueLogEntry } from '../domain/queue-log.js';
import type { Clock } from '../infra/clock.js';
import type { Logger } from '../infra/logger.js';
import type { Destination, LegId, PbxEvent, PbxPort } from '../pbx/port.js';
import { routingConfig } from '../routing/from-config.js';
import type { RoutingEvent } from '../routing/types.js';
import type { CustomAgent, LookupResult } from './hooks.js';
import { AgentPhones } from './agent-phones.js';
import { Admission } from './admission.js';
import { AgentSessionSaver } from './agent-session-saver.js';
import { agentSnapshot, HoldTimes, queueSnapshot } from './engine-snapshots.js';
import { hangUpOrphans } from './orphans.js';
import { runAgentList, runLookup, type HookEnv } from './engine-hooks.js';
import { sessionEnv } from './session-env.js';
import type { AgentSnapshot, EngineDeps, EngineEvents, PbxLinkState, QueueSnapshot, RecoveryReport } from './engine-types.js';
import { deliver, LegOwners, type LegOwner } from './leg-owners.js';
import { refusedCdr } from './refused-cdr.js';
import { Router } from './router.js';
import { runCallCommand, type CallCommand } from './routing-commands.js';
import { onRoutingEvent, type RoutingEventHost } from './routing-events.js';
import { CallbackResumers, type CallbackResumer } from './callback-resumers.js';
import { recoverCalls, restoreAgents, type RestartHost } from './restart.js';
import { CallSession, type Arrival, type SessionEnv } from './session.js';
import type { CallControl } from './control/call-control.js';
import { ControlError } from './control/types.js';
import type { RoutingEntryOwner, VirtualQueuePort } from './virtual-queue-port.js';
import type { CallJournal } from '../domain/journal.js';

export type { AdmissionLimits, AgentSnapshot, EngineDeps, EngineEvents, EngineStore, PbxLinkState, PhoneArrival, QueueSnapshot, RecoveryReport } from './engine-types.js';
export type { LegOwner } from './leg-owners.js';
export type { CallbackResumer } from './callback-resumers.js';

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
  /** Who handles each leg's events (leg-owners.ts). */
  private readonly legs = new LegOwners();
  private readonly holdTimes = new HoldTimes();
  private readonly env: SessionEnv;
  private readonly log: Logger;
  private offEvents: (() => void) | undefined;
  private accepting = false;
  private idSeq = 0;
  private drained: (() => void) | undefined;
  /** Dead (a simulated crash): nothing more happens, nothing more is written. */
  private halted = false;
  private link: PbxLinkState = 'down';
  /** Agents' login state, written when it changes (agent-session-saver.ts). */
  private readonly agentSaver: AgentSessionSaver;
  private linkSince = 0;
  private virtualQueue: VirtualQueuePort | undefined;
  /** Other owners of routing entries without a session (auto callback lists). */
  private readonly entryOwners: RoutingEntryOwner[] = [];
  /** Other takers of keys pressed while queued (the callback-message key). */
  private readonly queueKeys: ((session: CallSession, digit: string) => boolean)[] = [];
  private readonly admit: Admission;
  /** What routing events may do to this engine (routing-events.ts). */
  private readonly routingEventHost: RoutingEventHost;
  /** The services that take callback attempts up again after a restart (callback-resumers.ts). */
  private readonly callbacks: CallbackResumers;

  constructor(private readonly deps: EngineDeps) {
    super();
    this.log = deps.log.child({ mod: 'engine' });
    this.agentSaver = new AgentSessionSaver(deps.store.agentSessions, this.log);
    this.admit = new Admission(deps.admission, () => this.sessions.size);
    this.routingEventHost = {
      log: this.log,
      queueLog: deps.store.queueLog,
      holdTimes: this.holdTimes,
      saveAgentSession: (agentId) => this.saveAgentSession(agentId),
      emit: (...args) => this.emit(...args),
    };
    this.callbacks = new CallbackResumers({ log: this.log, pbx: deps.pbx, now: () => deps.clock.now(), callEnded: (cdr) => this.endRecovered(cdr) });
    this.router = new Router(deps.clock, { command: (c) => this.onCommand(c), event: (e) => this.onRoutingEvent(e) }, deps.log.child({ mod: 'router' }), deps.seed);
    this.env = sessionEnv(this, deps.log.child({ mod: 'call' }), {
      halted: () => this.halted,
      number: (dialled) => this.numbers.get(dialled),
      ivr: (id) => this.ivrs.get(id),
      finished: (session, cdr) => this.onFinished(session, cdr),
      lookup: (session) => this.runLookup(session),
      agentList: (queue, session) => this.runAgentList(queue, session),
      journal: (entry) => {
        if (!this.halted) this.deps.store.journal.save(entry, this.deps.clock.now());
      },
      virtualQueue: () => this.virtualQueue,
      queueKeys: () => this.queueKeys,
    });
    this.applyConfig(deps.config);
  }

  async start(): Promise<void> {
    const t0 = performance.now();
    this.offEvents = this.deps.pbx.onEvent((e) => this.onPbxEvent(e));
    await this.deps.pbx.start();
    const host = this.restartHost();
    const saved = this.deps.store.agentSessions.all();
    // What is saved already (a wrap-up keeps its original end through the restore).
    this.agentSaver.remember(saved);
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
      callEnded: (cdr) => this.endRecovered(cdr),
      callbackEnded: (entry, cdr) => this.callbacks.ended(entry, cdr),
      adopt: (entry, agentLegAlive) => {
        if (entry.kind === 'callback') return this.callbacks.adopt(entry, agentLegAlive);
        const arrival = { leg: entry.leg as LegId, to: entry.cdr.dialled, from: entry.cdr.caller, callIdOnChannel: true, ...(entry.cdr.callerName === null ? {} : { fromName: entry.cdr.callerName }) };
        const session = new CallSession(entry.callId, arrival, this.env, entry);
        this.sessions.set(entry.callId, session);
        this.legs.set(arrival.leg, session);
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
      const old = before.get(a.id);
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
    this.legs.set(arrival.leg, session);
    return session;
  }

  /** The agent rung on this endpoint (its own phone or the hot-desk line it is logged in on). */
  agentOnEndpoint(endpoint: string): string | undefined {
    return this.phones.agentAt(endpoint);
  }

  /** Route a leg's events to `owner` (outbound calls, listen legs) until `releaseLeg`. */
  claimLeg(leg: LegId, owner: LegOwner): void {
    this.legs.claim(leg, owner);
  }

  releaseLeg(leg: LegId): void {
    this.legs.release(leg);
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

  /** A call that start-up recovery ended: its CDR written (the journal dropped), its end reported. */
  private endRecovered(cdr: Cdr): void {
    this.writeCdr(cdr);
    this.emit('call.ended', cdr);
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
    return this.admit.view;
  }

  // ------------------------------------------------------------ snapshots

  queueSnapshot(queueId: string): QueueSnapshot | undefined {
    return queueSnapshot(this.router.state, queueId, this.deps.clock.now());
  }

  agentSnapshot(agentId: string): AgentSnapshot | undefined {
    return agentSnapshot(this.router.state, agentId);
  }

  estimatedWaitMs(queueId: string): number {
    return this.holdTimes.estimatedWaitMs(this.router.state, queueId);
  }

  // ------------------------------------------------------------ hooks

  private runLookup(session: CallSession): Promise<LookupResult | undefined> | undefined {
    return runLookup(this.hookEnv(), session);
  }

  private runAgentList(queue: Queue, session: CallSession): Promise<CustomAgent[] | undefined> {
    return runAgentList(this.hookEnv(), queue, session, (c) => this.sessions.get(c));
  }

  private hookEnv(): HookEnv {
    return { clock: this.deps.clock, log: this.log, hooks: this.deps.hooks, timeoutMs: this.config.webhooks.timeout_ms, queueCalls: (queueId) => this.router.state.queues.get(queueId)?.calls ?? [] };
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
        const over = this.admit.shed();
        if (over) {
          void this.deps.pbx.hangup(e.leg, 'busy').catch((err: unknown) => this.log.debug({ err }, 'shed call hang-up failed'));
          return this.refused({ ...e, callId }, 'overload', { limit: over });
        }
        const arrival = { leg: e.leg, to: e.to, from: e.from, callIdOnChannel: e.callId !== undefined, ...(e.fromName === undefined ? {} : { fromName: e.fromName }) };
        const session = new CallSession(callId, arrival, this.env);
        this.sessions.set(callId, session);
        this.legs.set(e.leg, session);
        session.log.info({ to: e.to }, 'call arrived');
        this.emit('call.arrived', { callId, from: e.from, to: e.to });
        void session.run();
        return;
      }
      case 'dtmf':
      case 'leg.answered':
      case 'leg.hangup': {
        this.legs.dispatch(e);
        return;
      }
      case 'endpoint.state': {
        const agentId = this.phones.endpointState(e.endpoint, e.online);
        if (agentId) this.router.input({ type: 'agent.reachable', agentId, reachable: e.online });
        return;
      }
      case 'pbx.connected':
        if (e.restarted) this.pbxGone();
        else if (this.link === 'lost') void hangUpOrphans(this.deps.pbx, (leg) => this.legs.has(leg), this.log);
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

  /** A call that reached the engine while it was starting or stopping (or shed): refused, and its CDR says so. */
  private refused(e: Extract<PbxEvent, { type: 'call.arrived' }>, cause = 'engine-stopping', detail: Record<string, unknown> = {}): void {
    const cdr = refusedCdr(e, { callId: e.callId ?? this.nextCallId(), numberId: this.numbers.get(e.to)?.id ?? null, cause, now: this.deps.clock.now() });
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
    for (const [leg, owner] of this.legs.entries()) if (!(owner instanceof CallSession)) deliver(owner, { type: 'leg.hangup', leg, cause: 'lost' });
  }

  /** The virtual queue (seed 004), attached by the composition root; it takes its callback attempts up after a restart. */
  attachVirtualQueue(port: VirtualQueuePort): void {
    this.virtualQueue = port;
    this.attachCallbackResumer({ owner: 'virtual-queue', resume: (entry, agentLegAlive) => port.resumeCallback(entry, agentLegAlive) });
  }

  /** A service running callback attempts (journal kind `callback`, its `owner`): those found at start go to it. */
  attachCallbackResumer(resumer: CallbackResumer): void {
    this.callbacks.attach(resumer);
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

  private onCommand(cmd: CallCommand): void {
    const session = this.sessions.get(cmd.callId);
    const owner = session ? undefined : this.entryOwners.find((o) => o.owns(cmd.callId));
    if (owner) return owner.command(cmd);
    runCallCommand(cmd, session, this.virtualQueue, (input) => this.router.input(input));
  }

  private onRoutingEvent(e: RoutingEvent): void {
    onRoutingEvent(this.routingEventHost, e);
  }

  /** Persist an agent's login state (status, pause reason, hot-desk line, wrap-up end) for a restart. */
  private saveAgentSession(agentId: string): void {
    if (this.halted) return;
    const a = this.router.state.agents.get(agentId);
    if (!a) return;
    const wrapupMs = a.callQueueId ? (this.router.state.queues.get(a.callQueueId)?.cfg.wrapupMs ?? 0) : 0;
    this.agentSaver.save(a, this.phones.hotDeskLine(agentId) ?? null, wrapupMs, this.deps.clock.now());
  }

  private onFinished(session: CallSession, cdr: Cdr): void {
    this.writeCdr(cdr);
    this.sessions.delete(session.callId);
    this.legs.callEnded(session.leg);
    this.emit('call.ended', cdr);
    if (this.sessions.size === 0) this.drained?.();
  }
}

function sameSkills(a: Record<string, number> | undefined, b: Record<string, number> | undefined): boolean {
  const ka = Object.keys(a ?? {});
  return ka.length === Object.keys(b ?? {}).length && ka.every((k) => a![k] === b?.[k]);
}
