/**
 * The CTI WebSocket (seed 002 shapes): agent desktops and supervisors connect with a session token
 * or API key, send commands, and receive events — each event filtered by the client's profile.
 * Every message out is `{ msgType, ctiMessage }`; each event is serialised once for all clients.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Engine } from '../../calls/engine.js';
import type { JournalRepo } from '../../store/repos/journal-repo.js';
import type { Config } from '../../domain/config.js';
import type { Logger } from '../../infra/logger.js';
import type { LiveStats, QueueStatistics } from '../../stats/live-stats.js';
import { SeedError, STATE_NAMES, type AgentService } from '../agent-service.js';
import type { AuthService, Principal } from '../auth.js';
import { ApiError } from '../errors.js';
import type { OutboundService } from '../outbound-service.js';
import { canSeeAgent, canSeeQueue } from '../profiles.js';
import { agentCallEnded, agentCallOf, agentCallOfJournal } from './agent-call.js';
import { on } from './engine-subscribe.js';
import { createQueueStatsFeed } from './queue-stats-feed.js';
import { ctiCommand, type CtiCommand } from './commands.js';
import { ctiCallbackCommand, ctiCallbackEvents } from './callbacks.js';
import { ctiDialerCommand, ctiDialerEvents } from './dialer.js';
import type { DialerService } from '../../dialer/dialer-service.js';
import type { CallbackListService } from '../../outbound/callback-lists.js';
import type { CtiCommandResult, CtiEvent, CtiEventType } from './events.js';

export interface CtiDeps {
  engine: Engine;
  auth: AuthService;
  service: AgentService;
  /** dialFromQueue; without it the command answers AgentError NOT_FOUND. */
  outbound?: OutboundService;
  /** Callback lists (seed 002); without it the callback commands answer AgentError NOT_FOUND. */
  callbacks?: CallbackListService;
  /** The dialer (seed 003): preview and attempt events, acceptPreview/skipPreview; without it those commands answer AgentError NOT_FOUND. */
  dialer?: DialerService;
  stats: LiveStats;
  log: Logger;
  /** URL path of the WebSocket; default /cti. */
  path?: string;
  /** Ping interval to drop dead connections; default 30 s. */
  heartbeatMs?: number;
  /** QueueStatistics coalescing window in ms; 0 (default) = once per event-loop turn. */
  queueStatsDelayMs?: number;
  /** The live-call journal, for the IVR path and enqueue time on the call card (AgentCall); without it the card lacks them. */
  liveCalls?: Pick<JournalRepo, 'all' | 'get'>;
}

interface Client {
  ws: WebSocket;
  principal: Principal;
  agentStats: boolean;
  queueStats: boolean;
  /** The last QueueStatistics frame sent per queue: a queue whose figures did not change is not sent again. */
  queueStatsSent: Map<string, string>;
  alive: boolean;
}

const PROFILE_NAMES = { admin: 'Admin', supervisor: 'Supervisor', agent: 'NoRight' } as const;

export interface CtiGateway {
  readonly clients: number;
  /** A person has the agent's desktop open (an agent-profile client of this agent is connected). */
  atDesk(agentId: string): boolean;
  close(): Promise<void>;
}

export function attachCti(server: Server, deps: CtiDeps): CtiGateway {
  const { engine, auth, service, stats } = deps;
  const log = deps.log.child({ mod: 'cti' });
  const path = deps.path ?? '/cti';
  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  const clients = new Set<Client>();
  let queueStatsClients = 0;
  const config = (): Config => engine.currentConfig;
  const wrapupOf = (queueId: string | null): number | null => (queueId ? (engine.queueConfig(queueId)?.wrapup_s ?? null) : null);

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== path) return;
    const header = req.headers.authorization;
    const token = url.searchParams.get('token') ?? (header?.startsWith('Bearer ') ? header.slice(7) : undefined) ?? (req.headers['x-api-key'] as string | undefined);
    const result = token ? auth.check(token) : ({ ok: false, reason: 'unknown token' } as const);
    if (!result.ok) {
      const body = JSON.stringify({ error: { code: 'UNAUTHORIZED', message: token ? result.reason : 'missing credentials' } });
      socket.end(`HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => onConnection(ws, result.principal));
  };
  server.on('upgrade', onUpgrade);

  function send<K extends CtiEventType>(c: Client, msgType: K, ctiMessage: CtiEvent<K>): void {
    if (c.ws.readyState === c.ws.OPEN) c.ws.send(JSON.stringify({ msgType, ctiMessage }));
  }

  /** Serialise once; deliver to every client the filter admits. */
  function broadcast<K extends CtiEventType>(msgType: K, ctiMessage: CtiEvent<K>, admit: (c: Client) => boolean): void {
    let frame: Buffer | undefined;
    for (const c of clients) {
      if (c.ws.readyState !== c.ws.OPEN || !admit(c)) continue;
      frame ??= Buffer.from(JSON.stringify({ msgType, ctiMessage }));
      c.ws.send(frame, { binary: false });
    }
  }

  function onConnection(ws: WebSocket, principal: Principal): void {
    const c: Client = { ws, principal, agentStats: false, queueStats: false, queueStatsSent: new Map(), alive: true };
    clients.add(c);
    log.debug({ profile: principal.profile, clients: clients.size }, 'cti client connected');
    send(c, 'RightProfile', { profile: PROFILE_NAMES[principal.profile], rights: principal.profile === 'agent' ? [] : ['recording'] });
    // A desktop that (re)connects, after a network blip or an engine restart, starts from the state of now.
    send(c, 'Snapshot', {
      agents: service.agentList(principal).map((a) => service.stateMessage(a.id)),
      pbx: { state: engine.pbxLink.state, since: engine.pbxLink.since },
    });
    // The call card of each visible agent that is ringing or on a queue call now.
    const journals = deps.liveCalls?.all() ?? [];
    for (const j of journals) if (j.agentId && canSeeAgent(principal, j.agentId, config())) send(c, 'AgentCall', agentCallOfJournal(j.agentId, j, engine.clock.now(), wrapupOf(j.cdr.queueId)));
    ws.on('pong', () => (c.alive = true));
    ws.on('message', (data, isBinary) => {
      if (isBinary) return send(c, 'AgentError', { Error: 'BadRequest', message: 'text JSON messages only' });
      void handle(c, data.toString());
    });
    ws.on('close', () => drop(c));
    ws.on('error', (err) => log.debug({ err }, 'cti socket error'));
  }

  function drop(c: Client): void {
    if (!clients.delete(c)) return;
    if (c.queueStats) queueStatsClients -= 1;
  }

  /** Send a queue's statistics to a client unless it already has these exact figures. */
  function sendQueueStats(c: Client, q: QueueStatistics, frame: string): void {
    if (c.ws.readyState !== c.ws.OPEN || c.queueStatsSent.get(q.queueId) === frame) return;
    c.queueStatsSent.set(q.queueId, frame);
    c.ws.send(frame);
  }

  async function handle(c: Client, text: string): Promise<void> {
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      return send(c, 'AgentError', { Error: 'BadRequest', message: 'malformed JSON' });
    }
    const parsed = ctiCommand.safeParse(raw);
    if (!parsed.success) {
      return send(c, 'AgentError', { Error: 'BadRequest', issues: parsed.error.issues.map((i) => ({ path: i.path.join('.') || '(root)', message: i.message })) });
    }
    const { requestId } = parsed.data;
    try {
      const result = await run(c, parsed.data);
      if (result !== undefined) send(c, 'CommandResult', { command: parsed.data.command, ...(requestId !== undefined ? { requestId } : {}), result });
    } catch (err) {
      if (err instanceof SeedError) return send(c, 'AgentError', err.body);
      if (err instanceof ApiError) {
        const issues = err.details.issues;
        return send(c, 'AgentError', { Error: err.code, message: err.message, ...(Array.isArray(issues) ? { issues } : {}), ...(requestId !== undefined ? { requestId } : {}) });
      }
      log.error({ err, command: parsed.data.command }, 'cti command failed');
      send(c, 'AgentError', { Error: 'INTERNAL', message: 'internal error' });
    }
  }

  async function run(c: Client, cmd: CtiCommand): Promise<CtiCommandResult | undefined> {
    const p = c.principal;
    switch (cmd.command) {
      case 'loginAgent':
        return service.loginAgent(p, cmd.agentPhoneNumber, cmd.agentId);
      case 'logoutAgent':
        return service.logoutAgent(p, cmd.agentId);
      case 'pauseAgent':
        return service.pauseAgent(p, cmd.agentId, cmd.reason);
      case 'unpauseAgent':
        return service.unpauseAgent(p, cmd.agentId);
      case 'listenAgent':
        return service.listenAgent(p, cmd.agentId, cmd.phoneNumber, cmd.mode);
      case 'setAgentQueue':
        return service.setAgentQueue(p, cmd.agentId, cmd.queueId, cmd.penalty);
      case 'removeAgentFromQueue':
        return service.removeAgentFromQueue(p, cmd.agentId, cmd.queueId);
      case 'monitorPause':
        return service.monitorPause(p, cmd.agentId);
      case 'monitorUnpause':
        return service.monitorUnpause(p, cmd.agentId);
      case 'subscribeToAgentStats': {
        c.agentStats = true;
        for (const a of config().agents) if (canSeeAgent(p, a, config())) send(c, 'AgentStatistics', stats.agent(a.id));
        return undefined;
      }
      case 'subscribeToQueueStats': {
        if (!c.queueStats) queueStatsClients += 1;
        c.queueStats = true;
        for (const { id } of config().queues) {
          const q = canSeeQueue(p, id, config()) ? stats.queue(id) : undefined;
          if (q) sendQueueStats(c, q, JSON.stringify({ msgType: 'QueueStatistics', ctiMessage: q }));
        }
        return undefined;
      }
      case 'getList': {
        const lists = {
          agent: ['AgentList', () => service.agentList(p)],
          agentgroup: ['AgentGroupList', () => service.agentGroupList(p)],
          queue: ['QueueList', () => service.queueList(p)],
          queuemember: ['QueueMemberList', () => service.queueMemberList(p)],
        } as const;
        const [msgType, list] = lists[cmd.objectType];
        send(c, msgType, list());
        return undefined;
      }
      case 'getAgentDirectory':
        send(c, 'AgentDirectory', { directory: service.agentDirectory(p) });
        return undefined;
      case 'getAgentStates':
        for (const a of service.agentList(p)) send(c, 'AgentStateEvent', service.stateMessage(a.id));
        return undefined;
      case 'click2call': {
        const { agentId, destination, callerId, variables } = cmd;
        return service.clickToCall(p, { destination, ...(agentId ? { agentId } : {}), ...(callerId ? { callerId } : {}), ...(variables ? { variables } : {}) });
      }
      case 'callControl': {
        const t = cmd.target ?? {};
        const given = [t.agentId, t.queueId, t.number].filter((x) => x !== undefined).length;
        if (cmd.action === 'transfer' || cmd.action === 'consult' || cmd.action === 'conference') {
          if (given !== 1 || (cmd.action !== 'transfer' && t.queueId !== undefined)) {
            throw new ApiError('VALIDATION_FAILED', cmd.action === 'transfer' ? 'target: give exactly one of agentId, queueId, number' : 'target: give exactly one of agentId, number');
          }
          const to = t.agentId !== undefined ? { agentId: t.agentId } : t.queueId !== undefined ? { queueId: t.queueId } : { number: t.number! };
          return service.callControl.act(p, cmd.agentId, { verb: cmd.action, to });
        }
        return service.callControl.act(p, cmd.agentId, { verb: cmd.action === 'drop' ? 'drop' : cmd.action });
      }
      case 'dialFromQueue': {
        if (!deps.outbound) throw new ApiError('NOT_FOUND', 'dialFromQueue is not served here');
        const { destination, queueId, callerId, callerIdName, callerIdNumber, variables } = cmd;
        const number = callerIdNumber ?? callerId;
        return deps.outbound.dialFromQueue(p, { destination, queueId, ...(number ? { callerIdNumber: number } : {}), ...(callerIdName ? { callerIdName } : {}), ...(variables ? { variables } : {}) });
      }
      case 'setAgentDnd':
        return service.setDnd(p, cmd.agentId, cmd.dnd);
      case 'getCallbackLists':
      case 'takeCallback':
      case 'releaseCallback':
      case 'startCallback':
      case 'updateCallbackTicket':
      case 'listenCallbackMessage':
        return ctiCallbackCommand(deps.callbacks, p, cmd, (list) => send(c, 'CallbackLists', list));
      case 'acceptPreview':
      case 'skipPreview':
        return ctiDialerCommand(deps.dialer, p, cmd);
      case 'ping':
        return { pong: engine.clock.now() };
    }
  }

  // ------------------------------------------------------------ events

  const seesAgent = (agentId: string) => (c: Client) => canSeeAgent(c.principal, agentId, config());
  const seesQueue = (queueId: string) => (c: Client) =>
    c.principal.profile === 'agent' ? (engine.agentSnapshot(c.principal.agentId ?? '')?.queues.some((q) => q.queueId === queueId) ?? false) : canSeeQueue(c.principal, queueId, config());

  const offState = on(engine, 'agent.state', (e) => {
    if (clients.size === 0) return;
    // An agent removed from the configuration has no snapshot left: describe it from the event.
    // (It has no phone either: not online.)
    const message = engine.agentSnapshot(e.agentId)
      ? service.stateMessage(e.agentId)
      : { name: STATE_NAMES[e.presence], agentId: e.agentId, phoneNb: '', since: 0, queues: [], online: false, ...(e.reason ? { cause: e.reason } : {}) };
    broadcast('AgentStateEvent', message, seesAgent(e.agentId));
    const sees = seesAgent(e.agentId);
    broadcast('AgentStatistics', stats.agent(e.agentId), (c) => c.agentStats && sees(c));
  });
  // Seed 000 online/offline: the agent's phone registered or not; its statistics say it too.
  const offReachable = on(engine, 'agent.reachable', (e) => {
    if (clients.size === 0) return;
    const sees = seesAgent(e.agentId);
    broadcast('AgentOnlineStatus', { agentId: e.agentId, phoneNb: engine.agentLineOf(e.agentId) ?? '', online: e.reachable }, sees);
    broadcast('AgentStatistics', stats.agent(e.agentId), (c) => c.agentStats && sees(c));
  });
  const offDnd = on(engine, 'agent.dnd', (e) => {
    if (clients.size === 0) return;
    broadcast('AgentDnd', { agentId: e.agentId, phoneNb: engine.agentLineOf(e.agentId) ?? '', dnd: e.dnd }, seesAgent(e.agentId));
  });
  const offSkills = on(engine, 'agent.skills', (e) => {
    if (clients.size === 0) return;
    broadcast('AgentSkills', { agentId: e.agentId, skills: e.skills }, seesAgent(e.agentId));
  });
  // Seed 002 Phone Events with the call's USR_ variables: a queue call offered, answered, ended.
  const phoneEvent = (eventType: CtiEvent<'PhoneEvent'>['eventType'], n: { callId: string; agentId: string | null; cid: string; queueId: string | null; direction: 'inbound' | 'outbound'; variables: Record<string, string> }) => {
    if (clients.size === 0 || !n.agentId) return;
    const msg = { eventType, callId: n.callId, agentId: n.agentId, DN: engine.agentLineOf(n.agentId) ?? '', otherDN: n.cid, queueId: n.queueId, direction: n.direction, userData: n.variables };
    broadcast('PhoneEvent', msg, seesAgent(n.agentId));
  };
  const offRinging = on(engine, 'call.offering', (n) => phoneEvent('EventRinging', n));
  const offEstablished = on(engine, 'call.bridged', (n) => phoneEvent('EventEstablished', n));
  const offReleased = on(engine, 'call.ended', (cdr) =>
    phoneEvent('EventReleased', { callId: cdr.callId, agentId: cdr.agentId, cid: cdr.direction === 'outbound' ? cdr.dialled : cdr.caller, queueId: cdr.queueId, direction: cdr.direction === 'inbound' ? 'inbound' : 'outbound', variables: cdr.variables }),
  );
  const offMember = on(engine, 'member.changed', (e) => {
    if (clients.size === 0) return;
    const sees = seesQueue(e.queueId);
    broadcast('QueueMember', { agentId: e.agentId, queueId: e.queueId, penalty: e.penalty }, (c) => (c.principal.profile === 'agent' ? c.principal.agentId === e.agentId : sees(c)));
  });
  const offListen = on(engine, 'agent.listen', (e) => {
    if (clients.size === 0) return;
    broadcast('AgentListen', { started: e.started, phoneNumber: e.phoneNumber, agentId: e.agentId }, seesAgent(e.agentId));
  });
  const offControl = on(engine, 'call.control', (e) => {
    if (clients.size === 0) return;
    const seesOwner = e.agentId ? seesAgent(e.agentId) : () => false;
    const target = e.target && engine.agentConfig(e.target) ? e.target : undefined;
    const seesTarget = target ? seesAgent(target) : () => false;
    broadcast('CallControl', { ...e }, (c) => seesOwner(c) || seesTarget(c));
  });
  const journalOf = (callId: string) => deps.liveCalls?.get(callId);
  const callCard = (phase: 'ringing' | 'connected') => (notice: Parameters<typeof agentCallOf>[0]) => {
    if (clients.size === 0 || !notice.agentId) return;
    const message = agentCallOf(notice, phase, journalOf(notice.callId), engine.clock.now(), wrapupOf(notice.queueId));
    if (message) broadcast('AgentCall', message, seesAgent(message.agentId));
  };
  const offOffering = on(engine, 'call.offering', callCard('ringing'));
  const offBridged = on(engine, 'call.bridged', callCard('connected'));
  const offEnded = on(engine, 'call.ended', (cdr) => {
    const message = clients.size === 0 ? undefined : agentCallEnded(cdr, wrapupOf(cdr.queueId));
    if (message) broadcast('AgentCall', message, seesAgent(message.agentId));
  });
  const offPbx = on(engine, 'pbx.state', (e) => broadcast('PbxState', { state: e.state, since: e.at }, () => true));
  const offCallbacks = ctiCallbackEvents(deps.callbacks, (agentId) => (clients.size === 0 ? undefined : seesAgent(agentId)), broadcast);
  const offDialer = ctiDialerEvents(
    deps.dialer,
    {
      seesAgent: (agentId) => (clients.size === 0 ? undefined : seesAgent(agentId)),
      supervisesQueue: (queueId) => (c) => c.principal.profile !== 'agent' && canSeeQueue(c.principal, queueId, config()),
      isAgent: (c, agentId) => c.principal.profile === 'agent' && c.principal.agentId === agentId,
    },
    broadcast,
    () => engine.clock.now(),
  );
  // QueueStatistics on every change of a queue's figures, coalesced per event-loop turn.
  const queueFeed = createQueueStatsFeed({
    engine,
    stats,
    log,
    ...(deps.queueStatsDelayMs === undefined ? {} : { delayMs: deps.queueStatsDelayMs }),
    wanted: () => queueStatsClients > 0,
    publish: (q) => {
      const frame = JSON.stringify({ msgType: 'QueueStatistics', ctiMessage: q });
      const sees = seesQueue(q.queueId);
      for (const c of clients) if (c.queueStats && sees(c)) sendQueueStats(c, q, frame);
    },
  });

  const heartbeat = setInterval(() => {
    for (const c of clients) {
      if (!c.alive) {
        c.ws.terminate();
        drop(c);
        continue;
      }
      c.alive = false;
      c.ws.ping();
    }
  }, deps.heartbeatMs ?? 30_000);
  heartbeat.unref();

  return {
    get clients() {
      return clients.size;
    },
    atDesk(agentId) {
      for (const c of clients) if (c.principal.profile === 'agent' && c.principal.agentId === agentId) return true;
      return false;
    },
    async close() {
      clearInterval(heartbeat);
      server.off('upgrade', onUpgrade);
      offState();
      offReachable();
      offMember();
      offDnd();
      offSkills();
      offRinging();
      offEstablished();
      offReleased();
      offListen();
      offControl();
      offPbx();
      offOffering();
      offBridged();
      offEnded();
      offCallbacks();
      offDialer();
      queueFeed.close();
      for (const c of clients) c.ws.close(1001, 'server stopping');
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

