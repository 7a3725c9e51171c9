/** Real HTTP servers on 127.0.0.1 port 0 for the webhook tests, plus small fakes. */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { createLogger, type Logger } from '../../src/infra/logger.js';
import type { Cdr } from '../../src/domain/cdr.js';
import type { Queue, Webhooks } from '../../src/domain/config.js';
import { queueSchema, webhooksSchema } from '../../src/domain/config.js';
import type { CallNotice } from '../../src/calls/hooks.js';

export interface Seen {
  method: string;
  /** Path and query, as sent. */
  url: string;
  headers: IncomingMessage['headers'];
  body: Buffer;
  /** performance.now() when the request's body was fully received. */
  at: number;
}

export type Handler = (req: Seen, res: ServerResponse, n: number) => void;

export interface TestServer {
  url: string;
  seen: Seen[];
  close(): Promise<void>;
}

export async function startServer(handler: Handler): Promise<TestServer> {
  const seen: Seen[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const s: Seen = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks), at: performance.now() };
      seen.push(s);
      handler(s, res, seen.length);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A URL on a port nobody listens on (a server was there a moment ago). */
export async function downUrl(): Promise<string> {
  const s = await startServer(() => undefined);
  const url = s.url;
  await s.close();
  return url;
}

export const json = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
};

/** Answer after `ms` (unless the client went away). */
export const later = (ms: number, fn: () => void) => setTimeout(fn, ms).unref();

export function verifySignature(secret: string, seen: Seen): boolean {
  const header = seen.headers['x-switchboard-signature'];
  if (typeof header !== 'string') return false;
  const payload = seen.method === 'GET' ? seen.url : seen.body;
  const timestamp = seen.headers['x-switchboard-timestamp'];
  const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(`${String(timestamp)}.`).update(payload).digest('hex')}`);
  const got = Buffer.from(header);
  return got.length === expected.length && timingSafeEqual(got, expected);
}

export function aWebhooks(over: Partial<Webhooks> = {}): Webhooks {
  return { ...webhooksSchema.parse({}), timeout_ms: 300, retries: 2, ...over };
}

export function aQueue(over: Partial<Queue> = {}): Queue {
  return { ...queueSchema.parse({ id: 'q1' }), ...over };
}

export function aNotice(over: Partial<CallNotice> = {}): CallNotice {
  return { callId: 'call-1', direction: 'inbound', queueId: 'q1', agentId: 'agent_1', cid: '84986776777', dialled: '842473082666', variables: { debt: '12' }, ...over };
}

export function aCdr(over: Partial<Cdr> = {}): Cdr {
  return {
    callId: 'call-1',
    legId: 'leg-1',
    direction: 'inbound',
    numberId: 'main',
    dialled: '842473082666',
    caller: '84986776777',
    callerName: null,
    startedAt: Date.UTC(2024, 0, 2, 10, 0, 0),
    answeredAt: Date.UTC(2024, 0, 2, 10, 0, 1),
    endedAt: Date.UTC(2024, 0, 2, 10, 2, 0),
    ivrPath: null,
    language: 'en',
    queueId: 'q1',
    enqueuedAt: Date.UTC(2024, 0, 2, 10, 0, 5),
    waitMs: 25_400,
    agentId: 'agent_1',
    agentLegId: 'leg-2',
    connectedAt: Date.UTC(2024, 0, 2, 10, 0, 30),
    talkMs: 90_000,
    holdMs: 0,
    hangupSide: 'caller',
    hangupCause: 'normal',
    recording: null,
    disposition: 'answered',
    variables: {},
    segments: [],
    ...over,
  };
}

export interface Observation {
  kind: string;
  seconds: number;
  ok: boolean;
}

export function fakeMetrics() {
  const observed: Observation[] = [];
  return { observed, observeWebhook: (kind: string, seconds: number, ok: boolean) => void observed.push({ kind, seconds, ok }) };
}

/** A debug-level logger whose lines a test can read back. */
export function capturingLogger(): { log: Logger; lines: { level: number; text: string }[] } {
  const lines: { level: number; text: string }[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const text of chunk.toString('utf8').split('\n').filter(Boolean)) {
        lines.push({ level: (JSON.parse(text) as { level: number }).level, text });
      }
      done();
    },
  });
  return { log: createLogger({ level: 'debug', destination }), lines };
}
