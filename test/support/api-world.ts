/** The HTTP API over a simulated world: in-memory store, virtual clock, `app.inject()` helpers. */
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { createAuthService, type AuthService, type Profile, type UserInput } from '../../src/api/auth.js';
import { buildServer, type ServerOptions } from '../../src/api/server.js';
import type { Cdr } from '../../src/domain/cdr.js';
import type { Config } from '../../src/domain/config.js';
import type { Logger } from '../../src/infra/logger.js';
import { silentLogger } from '../../src/infra/logger.js';
import { createLiveStats, type LiveStats } from '../../src/stats/live-stats.js';
import { createMetrics, type Metrics } from '../../src/stats/metrics.js';
import { todaysCdrs } from '../../src/stats/todays-cdrs.js';
import { createAuthRepo } from '../../src/store/repos/auth-repo.js';
import { exampleConfig, simWorld, type SimWorld } from './sim-world.js';

export const HOUR_MS = 3600_000;

export interface RequestOptions {
  /** A session token or API key, sent as `Authorization: Bearer`. */
  token?: string;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface ApiWorld extends SimWorld {
  app: FastifyInstance;
  auth: AuthService;
  metrics: Metrics;
  stats: LiveStats;
  /** An admin API key. */
  adminKey: string;
  request(method: InjectOptions['method'], url: string, opts?: RequestOptions): Promise<LightMyRequestResponse>;
  /** Create a user (password `password-1`) and log it in; returns its session token. */
  userSession(username: string, profile: Profile, extra?: Partial<UserInput>): Promise<string>;
}

export interface ApiWorldOptions {
  sessionTtlMs?: number;
  log?: Logger;
  /** CDRs already in the store when the API starts (written before a restart); the live statistics are seeded from them as at start. */
  cdrs?: Cdr[];
  server?: ServerOptions;
  /** Add prom-client's process and Node.js metrics to /metrics, as the app does. */
  defaultMetrics?: boolean;
}

export async function apiWorld(config: Config = exampleConfig(), opts: ApiWorldOptions = {}): Promise<ApiWorld> {
  const world = await simWorld(config);
  for (const cdr of opts.cdrs ?? []) world.store.cdrs.insert(cdr);
  const stats = createLiveStats(world.engine);
  stats.seed(todaysCdrs(world.store.cdrs, world.clock.now()));
  const auth = createAuthService({ repo: createAuthRepo(world.store.db), clock: world.clock, scryptCost: 1024 });
  const metrics = createMetrics({ defaultMetrics: opts.defaultMetrics ?? false });
  const detach = metrics.attach(world.engine);
  const app = await buildServer({
    engine: world.engine,
    store: world.store,
    log: opts.log ?? silentLogger(),
    clock: world.clock,
    auth,
    metrics,
    stats,
    sessionTtlMs: opts.sessionTtlMs ?? 10 * HOUR_MS,
  }, opts.server);
  const adminKey = auth.createApiKey('tests').key;

  const request: ApiWorld['request'] = (method, url, { token, body, headers = {} } = {}) =>
    app.inject({
      method,
      url,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
      ...(body === undefined ? {} : typeof body === 'string' ? { payload: body } : { payload: body as object }),
    });

  return {
    ...world,
    app,
    auth,
    metrics,
    stats,
    adminKey,
    request,
    async userSession(username, profile, extra = {}) {
      await auth.createUser(username, { password: 'password-1', profile, ...extra });
      const res = await request('POST', '/auth/login', { body: { username, password: 'password-1' } });
      if (res.statusCode !== 200) throw new Error(`login failed: ${res.body}`);
      return (res.json() as { session: string }).session;
    },
    async close() {
      await app.close();
      detach();
      await world.close();
    },
  };
}
