/** The HTTP API with agent command routes and the CTI WebSocket, listening on 127.0.0.1:0, over a simulated world. */
import { callControlRoutes } from '../../src/api/routes/call-control.js';
import type { AddressInfo } from 'node:net';
import WebSocket from 'ws';
import { createAgentService, type AgentService } from '../../src/api/agent-service.js';
import { createAuthService, type AuthService, type Profile, type UserInput } from '../../src/api/auth.js';
import { attachCti, type CtiGateway } from '../../src/api/cti/gateway.js';
import { CallbackListService } from '../../src/outbound/callback-lists.js';
import { DialerService } from '../../src/dialer/dialer-service.js';
import { createOutboundService } from '../../src/api/outbound-service.js';
import { agentCommandRoutes } from '../../src/api/routes/agent-commands.js';
import { agentDndRoutes } from '../../src/api/routes/agent-dnd.js';
import { outboundCallRoutes } from '../../src/api/routes/outbound-calls.js';
import { buildServer } from '../../src/api/server.js';
import type { Config } from '../../src/domain/config.js';
import { silentLogger } from '../../src/infra/logger.js';
import { createLiveStats } from '../../src/stats/live-stats.js';
import { createMetrics } from '../../src/stats/metrics.js';
import { createAuthRepo } from '../../src/store/repos/auth-repo.js';
import { simWorld, type SimWorld, type SimWorldOptions } from './sim-world.js';

export interface CtiMessage {
  msgType: string;
  ctiMessage: Record<string, unknown> & { [k: string]: unknown };
}

export interface CtiClient {
  ws: WebSocket;
  messages: CtiMessage[];
  send(command: Record<string, unknown>): void;
  /** Resolve with the first message (already received or coming) that matches. */
  next(pred: (m: CtiMessage) => boolean, timeoutMs?: number): Promise<CtiMessage>;
  close(): Promise<void>;
}

export interface CtiWorld extends SimWorld {
  base: string;
  auth: AuthService;
  service: AgentService;
  cti: CtiGateway;
  /** Callback lists (seed 002) behind the CTI callback commands. */
  callbacks: CallbackListService;
  /** The dialer (seed 003) behind the CTI preview commands and dialer events. */
  dialer: DialerService;
  adminKey: string;
  session(username: string, profile: Profile, extra?: Partial<UserInput>): Promise<string>;
  connect(token: string): Promise<CtiClient>;
  http(method: string, path: string, token: string, body?: unknown): Promise<{ status: number; json: unknown }>;
}

export async function ctiWorld(config: Config, opts: SimWorldOptions = {}): Promise<CtiWorld> {
  const world = await simWorld(config, opts);
  const log = silentLogger();
  const auth = createAuthService({ repo: createAuthRepo(world.store.db), clock: world.clock, scryptCost: 1024 });
  const service = createAgentService({ engine: world.engine, store: world.store, log });
  const stats = createLiveStats(world.engine);
  const outbound = createOutboundService({ engine: world.engine, log });
  const app = await buildServer(
    { engine: world.engine, store: world.store, log, clock: world.clock, auth, metrics: createMetrics(), stats, sessionTtlMs: 10 * 3600_000 },
    { protectedRoutes: [agentCommandRoutes(service, stats), callControlRoutes(service.callControl), agentDndRoutes(service), outboundCallRoutes(outbound)] },
  );
  await app.listen({ port: 0, host: '127.0.0.1' });
  let n = 0;
  const callbacks = new CallbackListService({ engine: world.engine, repo: world.store.callbackLists, log, newId: () => `cb-${++n}` });
  const dialer = new DialerService(world.engine, world.store.dialers, log);
  const cti = attachCti(app.server, { engine: world.engine, auth, service, outbound, callbacks, dialer, stats, log, liveCalls: world.store.journal });
  const { port } = app.server.address() as AddressInfo;
  const base = `127.0.0.1:${port}`;
  const adminKey = auth.createApiKey('tests').key;
  const sockets: CtiClient[] = [];

  return {
    ...world,
    base,
    auth,
    service,
    cti,
    callbacks,
    dialer,
    adminKey,
    async session(username, profile, extra = {}) {
      await auth.createUser(username, { password: 'password-1', profile, ...extra });
      const grant = await auth.login(username, 'password-1', 3600_000);
      return grant!.session;
    },
    async connect(token) {
      const ws = new WebSocket(`ws://${base}/cti?token=${encodeURIComponent(token)}`);
      const messages: CtiMessage[] = [];
      const waiters = new Set<{ pred: (m: CtiMessage) => boolean; resolve: (m: CtiMessage) => void }>();
      ws.on('message', (data) => {
        const m = JSON.parse(data.toString()) as CtiMessage;
        messages.push(m);
        for (const w of [...waiters]) if (w.pred(m)) {
          waiters.delete(w);
          w.resolve(m);
        }
      });
      await new Promise<void>((resolve, reject) => {
        ws.once('open', () => resolve());
        ws.once('error', reject);
        ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
      });
      const client: CtiClient = {
        ws,
        messages,
        send: (command) => ws.send(JSON.stringify(command)),
        next(pred, timeoutMs = 3000) {
          const found = messages.find(pred);
          if (found) return Promise.resolve(found);
          return new Promise((resolve, reject) => {
            const w = { pred, resolve: (m: CtiMessage) => (clearTimeout(t), resolve(m)) };
            const t = setTimeout(() => {
              waiters.delete(w);
              reject(new Error(`no matching CTI message; got ${JSON.stringify(messages.map((x) => x.msgType))}`));
            }, timeoutMs);
            waiters.add(w);
          });
        },
        close: () =>
          new Promise<void>((resolve) => {
            if (ws.readyState === ws.CLOSED) return resolve();
            ws.once('close', () => resolve());
            ws.close();
          }),
      };
      sockets.push(client);
      return client;
    },
    async http(method, path, token, body) {
      const res = await fetch(`http://${base}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await res.text();
      return { status: res.status, json: text ? (JSON.parse(text) as unknown) : undefined };
    },
    async close() {
      dialer.stopAll();
      for (const s of sockets) await s.close();
      await cti.close();
      await app.close();
      await world.close();
    },
  };
}
