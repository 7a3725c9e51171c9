/**
 * The engine as `npm start` wires it (HTTP API, web application, CTI WebSocket) on the simulated
 * PBX, on 127.0.0.1:0, with a virtual clock starting at the real time: a test moves calls along
 * with `clock.runFor(ms)` while the browser runs in real time.
 */
import type { AddressInfo } from 'node:net';
import { createAgentService } from '../../../src/api/agent-service.js';
import { createAuthService, type AuthService, type UserInput } from '../../../src/api/auth.js';
import { attachCti, type CtiGateway } from '../../../src/api/cti/gateway.js';
import { randomUUID } from 'node:crypto';
import { agentAnswerRoutes, type RingingAnswerer } from '../../../src/api/routes/agent-answer.js';
import { agentCommandRoutes } from '../../../src/api/routes/agent-commands.js';
import { callbackRoutes } from '../../../src/api/routes/callbacks.js';
import { CallbackListService } from '../../../src/outbound/callback-lists.js';
import { recordingRoutes } from '../../../src/api/routes/recordings.js';
import { buildServer } from '../../../src/api/server.js';
import { serveWeb } from '../../../src/api/static-web.js';
import { Engine } from '../../../src/calls/engine.js';
import type { Config } from '../../../src/domain/config.js';
import { VirtualClock, type Clock } from '../../../src/infra/clock.js';
import { silentLogger } from '../../../src/infra/logger.js';
import { SimPbx } from '../../../src/pbx/sim/sim-pbx.js';
import { createLiveStats } from '../../../src/stats/live-stats.js';
import { createMetrics } from '../../../src/stats/metrics.js';
import { createAuthRepo } from '../../../src/store/repos/auth-repo.js';
import { openStore, type Store } from '../../../src/store/store.js';

export const PASSWORD = 'password-123';
export const SESSION_TTL_MS = 10 * 3600_000;

export interface WebWorld {
  url: string;
  clock: VirtualClock;
  pbx: SimPbx;
  engine: Engine;
  store: Store;
  auth: AuthService;
  cti: CtiGateway;
  user(username: string, input: Omit<UserInput, 'password'>): Promise<void>;
  /** Move the session store's clock past every session's end (the engine's clock does not move). */
  expireSessions(): void;
  close(): Promise<void>;
}

export interface ServeOptions {
  heartbeatMs?: number;
  sessionTtlMs?: number;
  recordingsDir?: string;
  /** The simulated PBX, for Answer from the desktop (POST /agents/:id/answer); without it that answers 409. */
  answerer?: RingingAnswerer;
}

export interface ServedEngine {
  url: string;
  auth: AuthService;
  cti: CtiGateway;
  user(username: string, input: Omit<UserInput, 'password'>): Promise<void>;
  expireSessions(): void;
  /** Stops the HTTP server and the CTI gateway (not the engine). */
  close(): Promise<void>;
}

/** The HTTP API, the web application and the CTI WebSocket over a running engine, on 127.0.0.1:0. */
export async function serveEngine(engine: Engine, store: Store, clock: Clock, opts: ServeOptions = {}): Promise<ServedEngine> {
  const log = silentLogger();
  let authSkewMs = 0;
  const authClock: Clock = { now: () => clock.now() + authSkewMs, schedule: (at, fn) => clock.schedule(at, fn), cancel: (h) => clock.cancel(h), sleep: (ms, signal) => clock.sleep(ms, signal) };
  const auth = createAuthService({ repo: createAuthRepo(store.db), clock: authClock, scryptCost: 1024 });
  const service = createAgentService({ engine, store, log });
  const stats = createLiveStats(engine);
  const callbacks = new CallbackListService({ engine, repo: store.callbackLists, log, newId: () => randomUUID() });
  const server = await buildServer(
    { engine, store, log, clock, auth, metrics: createMetrics(), stats, sessionTtlMs: opts.sessionTtlMs ?? SESSION_TTL_MS },
    { protectedRoutes: [agentCommandRoutes(service, stats), recordingRoutes(opts.recordingsDir), agentAnswerRoutes(opts.answerer), callbackRoutes(callbacks)] },
  );
  const web = await serveWeb(server);
  if (!web.built) throw new Error('web/dist is missing: run `npm run build:web`');
  const cti = attachCti(server.server, { engine, auth, service, callbacks, stats, log, liveCalls: store.journal, ...(opts.heartbeatMs ? { heartbeatMs: opts.heartbeatMs } : {}) });
  await server.listen({ port: 0, host: '127.0.0.1' });
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    auth,
    cti,
    async user(username, input) {
      await auth.createUser(username, { ...input, password: PASSWORD });
    },
    expireSessions() {
      authSkewMs = SESSION_TTL_MS + 1000;
    },
    async close() {
      await cti.close();
      await server.close();
    },
  };
}

export async function webWorld(config: Config, opts: ServeOptions = {}): Promise<WebWorld> {
  const clock = new VirtualClock(Date.now());
  const pbx = new SimPbx(clock);
  const store = openStore(':memory:');
  store.config.replaceAll(config);
  let n = 0;
  const engine = new Engine({ pbx, clock, log: silentLogger(), store, config: store.config.load(), newCallId: () => `e2e-${++n}`, seed: 1 });
  await engine.start();
  const served = await serveEngine(engine, store, clock, { answerer: pbx, ...opts });
  return {
    ...served,
    clock,
    pbx,
    engine,
    store,
    async close() {
      await served.close();
      await engine.stop();
      store.close();
    },
  };
}
