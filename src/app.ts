/**
 * The composition root: the only place that reads configuration and wires long-lived objects.
 * config file → store → PBX driver → engine.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { apiSettingsFromEnv, type ApiSettings } from './api/api-settings.js';
import { createAuthService, type AuthService } from './api/auth.js';
import { buildServer } from './api/server.js';
import { Engine } from './calls/engine.js';
import { loadConfigFile } from './infra/config-file.js';
import { createSystemClock, type Clock } from './infra/clock.js';
import type { Logger } from './infra/logger.js';
import type { PbxPort } from './pbx/port.js';
import { SimPbx } from './pbx/sim/sim-pbx.js';
import { createMetrics, type Metrics } from './stats/metrics.js';
import { createAuthRepo } from './store/repos/auth-repo.js';
import { openStore, type Store } from './store/store.js';

export interface AppSettings {
  /** YAML configuration loaded into the store at start; omit to run on what the store holds. */
  configPath: string | undefined;
  /** SQLite file (or ':memory:'). */
  dbPath: string;
  pbx: 'sim' | 'asterisk';
  asterisk?: { url: string; username: string; password: string; app: string; trunk: string };
  /** The HTTP API; omit to run without it. */
  http?: ApiSettings;
}

export interface App {
  engine: Engine;
  store: Store;
  pbx: PbxPort;
  clock: Clock;
  /** Present when the HTTP API runs. */
  api?: { server: FastifyInstance; auth: AuthService; metrics: Metrics };
  stop(graceMs?: number): Promise<void>;
}

/** Settings from the environment; every variable is documented in README.md. */
export function settingsFromEnv(env: NodeJS.ProcessEnv = process.env): AppSettings {
  const pbx = (env.SWITCHBOARD_PBX ?? (env.ARI_URL ? 'asterisk' : 'sim')) as AppSettings['pbx'];
  if (pbx !== 'sim' && pbx !== 'asterisk') throw new Error(`SWITCHBOARD_PBX: expected "sim" or "asterisk", got "${String(pbx)}"`);
  const settings: AppSettings = {
    configPath: env.SWITCHBOARD_CONFIG === '' ? undefined : (env.SWITCHBOARD_CONFIG ?? 'config/example.yaml'),
    dbPath: env.SWITCHBOARD_DB ?? 'data/switchboard.db',
    pbx,
    http: apiSettingsFromEnv(env),
  };
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
  }
  return settings;
}

export async function createApp(settings: AppSettings, log: Logger, makeDriver?: (clock: Clock) => Promise<PbxPort>): Promise<App> {
  if (settings.dbPath !== ':memory:') mkdirSync(dirname(settings.dbPath), { recursive: true });
  const store = openStore(settings.dbPath);
  try {
    if (settings.configPath) {
      const config = loadConfigFile(settings.configPath);
      store.config.replaceAll(config);
      log.info({ file: settings.configPath, queues: config.queues.length, agents: config.agents.length }, 'configuration loaded');
    }
    const clock = createSystemClock();
    const pbx = makeDriver ? await makeDriver(clock) : new SimPbx(clock);
    const engine = new Engine({ pbx, clock, log, store, config: store.config.load() });
    await engine.start();
    const api = settings.http ? await startApi(settings.http, { engine, store, log, clock }) : undefined;
    return {
      engine,
      store,
      pbx,
      clock,
      ...(api ? { api } : {}),
      async stop(graceMs = 0) {
        await api?.server.close();
        await engine.stop(graceMs);
        store.close();
      },
    };
  } catch (err) {
    store.close();
    throw err;
  }
}

async function startApi(http: ApiSettings, deps: { engine: Engine; store: Store; log: Logger; clock: Clock }): Promise<NonNullable<App['api']>> {
  const metrics = createMetrics({ defaultMetrics: true });
  metrics.attach(deps.engine);
  const auth = createAuthService({ repo: createAuthRepo(deps.store.db), clock: deps.clock });
  if (http.adminKey) auth.registerApiKey(http.adminKey, 'SWITCHBOARD_ADMIN_KEY');
  const server = await buildServer({ ...deps, auth, metrics, sessionTtlMs: http.sessionTtlMs });
  await server.listen({ port: http.port, host: http.host });
  deps.log.info({ host: http.host, port: http.port }, 'http api listening');
  return { server, auth, metrics };
}
