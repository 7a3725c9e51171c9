/**
 * The API fuzzer's engine: the app on the simulated PBX in-process (in-memory store, the example
 * configuration, an admin session), and a bounded run of generated requests through `inject()`.
 * Counts statuses, 5xx, statuses the operation does not declare, requests that hang, and crashes
 * (an uncaught exception or rejection during the run, or a dead /health afterwards).
 */
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { createApp, type App } from '../../src/app.js';
import { seededRandom } from '../../src/domain/random.js';
import { createLogger } from '../../src/infra/logger.js';
import { operationsOf, pick, requestFor, type FuzzRequest, type Kind, type Operation } from './inputs.js';

const CONFIG = fileURLToPath(new URL('../../config/example.yaml', import.meta.url));
const ADMIN = { username: 'fuzz-admin', password: 'fuzz-admin-password' };

export interface FuzzTarget {
  server: FastifyInstance;
  /** A fresh admin session token. */
  login(): Promise<string>;
  /** error and fatal log lines written so far (JSON). */
  errorLogs: string[];
  stop(): Promise<void>;
}

export async function startFuzzTarget(): Promise<FuzzTarget> {
  const errorLogs: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      const line = String(chunk);
      if (/"level":(50|60)/.test(line) && errorLogs.length < 10_000) errorLogs.push(line);
      done();
    },
  });
  const app: App = await createApp(
    { configPath: CONFIG, dbPath: ':memory:', pbx: 'sim', http: { port: 0, host: '127.0.0.1', sessionTtlMs: 10 * 3600_000, adminKey: undefined, ctiQueueStatsDelayMs: 0 } },
    createLogger({ level: 'warn', destination: sink }),
  );
  const api = app.api!;
  await api.auth.createUser(ADMIN.username, { password: ADMIN.password, profile: 'admin' });
  return {
    server: api.server,
    errorLogs,
    async login() {
      const res = await api.server.inject({ method: 'POST', url: '/auth/login', payload: ADMIN });
      if (res.statusCode !== 200) throw new Error(`admin login failed: ${res.statusCode} ${res.body}`);
      return (res.json() as { session: string }).session;
    },
    stop: () => app.stop(),
  };
}

export interface Sample {
  kind: Kind;
  method: string;
  url: string;
  status: number;
  payload?: string;
  body: string;
}

export interface FuzzResult {
  requests: number;
  seconds: number;
  statuses: Record<string, number>;
  status5xx: number;
  /** Responses whose status the operation's OpenAPI entry does not declare. */
  undeclared: number;
  hung: number;
  crashed: boolean;
  errorLogs: number;
  samples5xx: Sample[];
  samplesUndeclared: Sample[];
}

export interface FuzzOptions {
  requests: number;
  seed: number;
  /** Stop sending after this long, whatever the count. */
  maxSeconds: number;
  /** A request still unanswered after this long counts as hung. */
  timeoutMs?: number;
}

const declares = (op: Operation, status: number): boolean =>
  op.responses.includes(String(status)) || op.responses.includes(`${Math.floor(status / 100)}XX`) || op.responses.includes('default');

const short = (s: string | undefined, n = 300): string | undefined => (s === undefined ? undefined : s.length > n ? `${s.slice(0, n)}… (${s.length} chars)` : s);

export async function runFuzz(target: FuzzTarget, opts: FuzzOptions): Promise<FuzzResult> {
  const rng = seededRandom(opts.seed);
  const doc = (await target.server.inject({ method: 'GET', url: '/openapi.json' })).json();
  const ops = operationsOf(doc);
  let session = await target.login();
  const statuses: Record<string, number> = {};
  const samples5xx: Sample[] = [];
  const samplesUndeclared: Sample[] = [];
  let status5xx = 0;
  let undeclared = 0;
  let hung = 0;
  let uncaught = 0;
  const onUncaught = () => void uncaught++;
  process.on('uncaughtException', onUncaught);
  process.on('unhandledRejection', onUncaught);
  const started = performance.now();
  let sent = 0;
  try {
    while (sent < opts.requests && performance.now() - started < opts.maxSeconds * 1000) {
      const op = pick(rng, ops);
      const req = requestFor(rng, op, { session });
      sent++;
      const res = await send(target.server, req, opts.timeoutMs ?? 10_000);
      if (res === undefined) {
        hung++;
        continue;
      }
      statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1;
      const sample = (): Sample => ({ kind: req.kind, method: req.method, url: short(req.url, 200)!, status: res.statusCode, ...(req.payload !== undefined ? { payload: short(req.payload)! } : {}), body: short(res.body)! });
      if (res.statusCode >= 500) {
        status5xx++;
        if (samples5xx.length < 20) samples5xx.push(sample());
      }
      if (!declares(op, res.statusCode)) {
        undeclared++;
        if (samplesUndeclared.length < 20) samplesUndeclared.push(sample());
      }
      // The fuzzer's own session may have been renewed away or logged out: take a new one.
      if (req.headers.authorization === `Bearer ${session}` && (req.url.startsWith('/auth/logout') || req.url.startsWith('/auth/renew')) && res.statusCode < 300) session = await target.login();
    }
  } finally {
    process.off('uncaughtException', onUncaught);
    process.off('unhandledRejection', onUncaught);
  }
  const health = await send(target.server, { method: 'GET', url: '/health', headers: {}, kind: 'plausible' }, 5_000);
  return {
    requests: sent,
    seconds: Math.round((performance.now() - started) / 100) / 10,
    statuses,
    status5xx,
    undeclared,
    hung,
    crashed: uncaught > 0 || health?.statusCode !== 200,
    errorLogs: target.errorLogs.length,
    samples5xx,
    samplesUndeclared,
  };
}

async function send(server: FastifyInstance, req: FuzzRequest, timeoutMs: number): Promise<{ statusCode: number; body: string } | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), timeoutMs)));
  try {
    return await Promise.race([
      server.inject({ method: req.method as 'GET', url: req.url, headers: req.headers, ...(req.payload !== undefined ? { payload: req.payload } : {}) }).then((r) => ({ statusCode: r.statusCode, body: r.body })),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}
