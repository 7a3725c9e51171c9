/**
 * The composition root: the only place that reads configuration and wires long-lived objects.
 * config file → store → PBX driver → engine → webhooks → HTTP API + CTI WebSocket.
 */
import { randomUUID } from 'node:crypto';
import { callControlRoutes } from './api/routes/call-control.js';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { createAgentService } from './api/agent-service.js';
import { apiSettingsFromEnv, type ApiSettings } from './api/api-settings.js';
import { createAuthService, type AuthService } from './api/auth.js';
import { attachCti, type CtiGateway } from './api/cti/gateway.js';
import { createOutboundService } from './api/outbound-service.js';
import { agentCommandRoutes } from './api/routes/agent-commands.js';
import { agentDndRoutes } from './api/routes/agent-dnd.js';
import { agentAnswerRoutes } from './api/routes/agent-answer.js';
import { outboundCallRoutes } from './api/routes/outbound-calls.js';
import { recordingRoutes } from './api/routes/recordings.js';
import { ensureFirstAdmin } from './api/first-admin.js';
import { dialerRoutes } from './api/routes/dialers.js';
import { DialerService } from './dialer/dialer-service.js';
import { registerDialerMetrics } from './dialer/dialer-stats.js';
import { virtualQueueRoutes } from './api/routes/virtualq.js';
import { callbackRoutes } from './api/routes/callbacks.js';
import { AutoCallbacks } from './outbound/callback-auto.js';
import { CallbackListService } from './outbound/callback-lists.js';
import { CallbackMessages } from './outbound/callback-message.js';
import { buildServer } from './api/server.js';
import { serveWeb } from './api/static-web.js';
import { Engine } from './calls/engine.js';
import { startSimTraffic, type SimTraffic } from './demo/sim-traffic.js';
import { loadConfigFile } from './infra/config-file.js';
import { createSystemClock, type Clock } from './infra/clock.js';
import type { Logger } from './infra/logger.js';
import { createWebhooks } from './integrations/webhooks.js';
import { createHttpClient } from './integrations/http-client.js';
import { VirtualQueueService } from './outbound/virtual-queue.js';
import { startPhoneCall } from './outbound/phone-call.js';
import { AsteriskDriver } from './pbx/asterisk/driver.js';
import { freeswitchDriverOf, freeswitchSettingsFromEnv, waitForEventSocket, type FreeswitchSettings } from './pbx/freeswitch/settings.js';
import { instrumentPbx } from './pbx/instrumented.js';
import type { PbxPort } from './pbx/port.js';
import { SimPbx } from './pbx/sim/sim-pbx.js';
import { createLiveStats, type LiveStats } from './stats/live-stats.js';
import { createMetrics, type Metrics } from './stats/metrics.js';
import { todaysCdrs } from './stats/todays-cdrs.js';
import { openQueueLogFile, type QueueLogFile } from './store/queue-log-file.js';
import { queueLogFileOptionsFromEnv, type QueueLogFileOptions } from './store/queue-log-file-options.js';
import { createAuthRepo } from './store/repos/auth-repo.js';
import { openStore, type Store } from './store/store.js';

export interface AppSettings {
  /** YAML configuration loaded into the store at start; omit to run on what the store holds. */
  configPath: string | undefined;
  /** SQLite file (or ':memory:'). */
  dbPath: string;
  pbx: 'sim' | 'asterisk' | 'freeswitch';
  asterisk?: { url: string; username: string; password: string; app: string; trunk: string; restOverWebSocket?: boolean };
  freeswitch?: FreeswitchSettings;
  /** The HTTP API and CTI WebSocket; omit to run without them. */
  http?: ApiSettings;
  /** Also write the queue log as a text file in Asterisk's queue_log format. */
  queueLog?: QueueLogFileOptions;
  /** Simulated PBX only: generated callers per hour (SWITCHBOARD_SIM_TRAFFIC); 0 or unset: none. */
  simTraffic?: number;
  /** Where the PBX writes recordings (<spool>/recording), for GET /cdrs/:callId/recording. */
  recordingsDir?: string;
  /** Overload protection (SWITCHBOARD_MAX_LIVE_CALLS, SWITCHBOARD_MAX_PBX_REQUESTS); unset: no limit. */
  admission?: { maxLiveCalls?: number; maxPbxRequests?: number };
}

export interface App {
  engine: Engine;
  store: Store;
  pbx: PbxPort;
  clock: Clock;
  metrics: Metrics;
  /** Present when the HTTP API runs. */
  api?: { server: FastifyInstance; auth: AuthService; cti: CtiGateway };
  stop(graceMs?: number): Promise<void>;
}

/** Settings from the environment; every variable is documented in README.md. */
export function settingsFromEnv(env: NodeJS.ProcessEnv = process.env): AppSettings {
  const pbx = (env.SWITCHBOARD_PBX ?? (env.ARI_URL ? 'asterisk' : 'sim')) as AppSettings['pbx'];
  if (pbx !== 'sim' && pbx !== 'asterisk' && pbx !== 'freeswitch') throw new Error(`SWITCHBOARD_PBX: expected "sim", "asterisk" or "freeswitch", got "${String(pbx)}"`);
  const settings: AppSettings = {
    configPath: env.SWITCHBOARD_CONFIG === '' ? undefined : (env.SWITCHBOARD_CONFIG ?? 'config/example.yaml'),
    dbPath: env.SWITCHBOARD_DB ?? 'data/switchboard.db',
    pbx,
    http: apiSettingsFromEnv(env),
  };
  const queueLog = queueLogFileOptionsFromEnv(env);
  if (queueLog) settings.queueLog = queueLog;
  if (pbx === 'sim') settings.simTraffic = simTrafficFromEnv(env);
  if (env.SWITCHBOARD_RECORDINGS_DIR) settings.recordingsDir = env.SWITCHBOARD_RECORDINGS_DIR;
  const maxLiveCalls = positiveIntFromEnv(env, 'SWITCHBOARD_MAX_LIVE_CALLS');
  const maxPbxRequests = positiveIntFromEnv(env, 'SWITCHBOARD_MAX_PBX_REQUESTS');
  if (maxLiveCalls !== undefined || maxPbxRequests !== undefined) {
    settings.admission = { ...(maxLiveCalls !== undefined ? { maxLiveCalls } : {}), ...(maxPbxRequests !== undefined ? { maxPbxRequests } : {}) };
  }
  if (pbx === 'asterisk') {
    const password = env.ARI_PASSWORD;
    if (!password) throw new Error('ARI_PASSWORD: required when SWITCHBOARD_PBX=asterisk');
    settings.asterisk = {
      url: env.ARI_URL ?? 'http://127.0.0.1:8088',
      username: env.ARI_USERNAME ?? 'switchboard',
      password,
      app: env.ARI_APP ?? 'switchboard',
      trunk: env.SWITCHBOARD_TRUNK ?? 'trunk',
    };
    const ws = env.ARI_REST_OVER_WS;
    if (ws !== undefined && ws !== '' && ws !== '0' && ws !== '1') throw new Error(`ARI_REST_OVER_WS: expected 1 or 0, got "${ws}"`);
    if (ws === '0') settings.asterisk.restOverWebSocket = false;
  }
  if (pbx === 'freeswitch') settings.freeswitch = freeswitchSettingsFromEnv(env);
  return settings;
}

function positiveIntFromEnv(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name}: expected a positive integer, got "${raw}"`);
  return n;
}

export async function createApp(settings: AppSettings, log: Logger): Promise<App> {
  if (settings.dbPath !== ':memory:') mkdirSync(dirname(settings.dbPath), { recursive: true });
  const store = openStore(settings.dbPath);
  let queueLogFile: QueueLogFile | undefined;
  try {
    if (settings.configPath) {
      const config = loadConfigFile(settings.configPath);
      store.config.replaceAll(config);
      log.info({ file: settings.configPath, queues: config.queues.length, agents: config.agents.length }, 'configuration loaded');
    }
    if (settings.queueLog) {
      queueLogFile = await openQueueLogFile(settings.queueLog, log);
      log.info({ file: queueLogFile.path, fsync: settings.queueLog.fsync }, 'queue_log file open');
    }
    const clock = createSystemClock();
    const metrics = createMetrics({ defaultMetrics: true });
    const driver = makeDriver(settings, clock, log);
    const pbx = instrumentPbx(driver, metrics);
    let engine: Engine | undefined;
    const webhooks = createWebhooks({ getConfig: () => (engine ? engine.currentConfig.webhooks : store.config.load().webhooks), log, metrics });
    const admission = settings.admission && { ...settings.admission, ...(driver instanceof AsteriskDriver ? { pbxLoad: () => driver.load } : {}) };
    engine = new Engine({ pbx, clock, log, store, config: store.config.load(), hooks: webhooks.hooks, phoneCall: (e, call) => startPhoneCall(e, call, log), ...(admission ? { admission } : {}) });
    if (queueLogFile) engine.on('queue.log', queueLogFile.append);
    engine.on('call.offering', webhooks.notify.offering);
    engine.on('call.bridged', webhooks.notify.bridged);
    engine.on('call.ended', webhooks.notify.hangup);
    metrics.attach(engine);
    const stats = createLiveStats(engine);
    stats.seed(todaysCdrs(store.cdrs, clock.now()));
    let api: App['api'];
    const dialer = new DialerService(engine, store.dialers, log.child({ mod: 'dialer' }));
    registerDialerMetrics(metrics.registry, dialer);
    const virtualQueue = new VirtualQueueService({ engine, waiters: store.virtualWaiters, http: createHttpClient(), log, newId: () => randomUUID() });
    const callbackLists = new CallbackListService({ engine, repo: store.callbackLists, log, newId: () => randomUUID() });
    // The queues' "leave a message" key, and auto lists offered to agents like calls.
    new CallbackMessages({ engine, lists: callbackLists, log });
    const autoCallbacks = new AutoCallbacks({ engine, lists: callbackLists, repo: store.callbackLists, log, newId: () => randomUUID() });
    const sim = driver instanceof SimPbx ? driver : undefined;
    const apiDeps = { engine, store, log, clock, metrics, stats, recordingsDir: settings.recordingsDir, dialer, virtualQueue, callbackLists, sim };
    if (settings.pbx === 'freeswitch') {
      // FreeSWITCH may come up after us, or refuse our password: the API (and /health, degraded
      // while the PBX link is down) comes up first, and the engine starts once the event socket does.
      api = settings.http ? await startApi(settings.http, apiDeps) : undefined;
      await waitForEventSocket(settings.freeswitch!, log);
      await engine.start();
    } else {
      await engine.start();
      api = settings.http ? await startApi(settings.http, apiDeps) : undefined;
    }
    // Virtual waiters take their places again; dialer campaigns resume (attempts a crash left open are closed as failed).
    virtualQueue.start();
    autoCallbacks.start();
    dialer.start();
    // First run without a PBX: simulated callers and agents, so the wallboard moves.
    const traffic: SimTraffic | undefined = driver instanceof SimPbx && settings.simTraffic ? startSimTraffic({ pbx: driver, engine, clock, callsPerHour: settings.simTraffic, atDesk: (agentId) => api?.cti.atDesk(agentId) ?? false }) : undefined;
    if (traffic) log.info({ callsPerHour: settings.simTraffic }, 'simulated traffic on (SWITCHBOARD_SIM_TRAFFIC=0 turns it off)');
    const running = engine;
    return {
      engine: running,
      store,
      pbx,
      clock,
      metrics,
      ...(api ? { api } : {}),
      async stop(graceMs = 0) {
        traffic?.stop();
        await api?.cti.close();
        await api?.server.close();
        dialer.stopAll();
        virtualQueue.stop();
        autoCallbacks.stop();
        await running.stop(graceMs);
        await webhooks.stop();
        await queueLogFile?.close();
        store.close();
      },
    };
  } catch (err) {
    await queueLogFile?.close();
    store.close();
    throw err;
  }
}

function simTrafficFromEnv(env: NodeJS.ProcessEnv): number {
  const text = env.SWITCHBOARD_SIM_TRAFFIC ?? '120';
  const n = Number(text);
  if (text === '' || !Number.isInteger(n) || n < 0 || n > 100_000) throw new Error(`SWITCHBOARD_SIM_TRAFFIC: expected calls per hour (a whole number, 0 for none), got "${text}"`);
  return n;
}

function makeDriver(settings: AppSettings, clock: Clock, log: Logger): PbxPort {
  if (settings.pbx === 'freeswitch' && settings.freeswitch) return freeswitchDriverOf(settings.freeswitch, log);
  if (settings.pbx === 'sim' || !settings.asterisk) return new SimPbx(clock);
  const a = settings.asterisk;
  return new AsteriskDriver({ url: a.url, username: a.username, password: a.password, app: a.app, trunkEndpoint: a.trunk, logger: log, ...(a.restOverWebSocket === false ? { restOverWebSocket: false } : {}) });
}

async function startApi(
  http: ApiSettings,
  deps: { engine: Engine; store: Store; log: Logger; clock: Clock; metrics: Metrics; stats: LiveStats; recordingsDir: string | undefined; dialer: DialerService; virtualQueue: VirtualQueueService; callbackLists: CallbackListService; sim: SimPbx | undefined },
): Promise<NonNullable<App['api']>> {
  const auth = createAuthService({ repo: createAuthRepo(deps.store.db), clock: deps.clock });
  if (http.adminKey) auth.registerApiKey(http.adminKey, 'SWITCHBOARD_ADMIN_KEY');
  const service = createAgentService({ engine: deps.engine, store: deps.store, log: deps.log });
  const outbound = createOutboundService({ engine: deps.engine, log: deps.log });
  const server = await buildServer(
    { engine: deps.engine, store: deps.store, log: deps.log, clock: deps.clock, auth, metrics: deps.metrics, stats: deps.stats, sessionTtlMs: http.sessionTtlMs },
    { protectedRoutes: [agentCommandRoutes(service, deps.stats), callControlRoutes(service.callControl), agentDndRoutes(service), agentAnswerRoutes(deps.sim), outboundCallRoutes(outbound), recordingRoutes(deps.recordingsDir), dialerRoutes(deps.dialer), virtualQueueRoutes(deps.virtualQueue), callbackRoutes(deps.callbackLists)] },
  );
  const web = await serveWeb(server);
  const cti = attachCti(server.server, { engine: deps.engine, auth, service, outbound, callbacks: deps.callbackLists, dialer: deps.dialer, stats: deps.stats, log: deps.log, queueStatsDelayMs: http.ctiQueueStatsDelayMs, liveCalls: deps.store.journal });
  await server.listen({ port: http.port, host: http.host });
  const url = `http://${http.host.includes(':') ? `[${http.host}]` : http.host}:${(server.server.address() as { port: number }).port}/`;
  deps.log.info({ host: http.host, port: http.port, url, web: web.built }, 'http api, web application and cti websocket listening');
  await ensureFirstAdmin(auth, deps.log, url);
  return { server, auth, cti };
}
