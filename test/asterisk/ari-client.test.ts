/**
 * AriClient against a fake ARI (node:http + ws on port 0): typed errors, auth, trace-only raw
 * logging without the password, and the events WebSocket reconnecting with back-off.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import { AriClient } from '../../src/pbx/asterisk/ari-client.js';
import { isPbxError, PbxError } from '../../src/pbx/port.js';

const PASSWORD = 's3cret-pass-word';

interface FakeAri {
  url: string;
  port: number;
  server: Server;
  sockets: Set<WebSocket>;
  upgrades: { url: string; authorization: string | undefined }[];
  close(): Promise<void>;
}

const open: (FakeAri | AriClient)[] = [];

async function fakeAri(handler: (req: IncomingMessage, res: ServerResponse) => void, port = 0): Promise<FakeAri> {
  const server = createServer(handler);
  const wss = new WebSocketServer({ noServer: true });
  const sockets = new Set<WebSocket>();
  const upgrades: FakeAri['upgrades'] = [];
  server.on('upgrade', (req, socket, head) => {
    upgrades.push({ url: req.url ?? '', authorization: req.headers.authorization });
    wss.handleUpgrade(req, socket, head, (ws) => {
      sockets.add(ws);
      ws.on('close', () => sockets.delete(ws));
    });
  });
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  const actual = (server.address() as AddressInfo).port;
  const fake: FakeAri = {
    url: `http://127.0.0.1:${actual}`,
    port: actual,
    server,
    sockets,
    upgrades,
    async close() {
      for (const s of sockets) s.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
  open.push(fake);
  return fake;
}

function logSink() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(chunk.toString());
      cb();
    },
  });
  return { logger: pino({ level: 'trace' }, stream), lines };
}

function client(url: string, extra: Partial<ConstructorParameters<typeof AriClient>[0]> = {}) {
  const c = new AriClient({ url, username: 'sb', password: PASSWORD, app: 'switchboard', logger: pino({ level: 'silent' }), requestTimeoutMs: 1000, ...extra });
  open.push(c);
  return c;
}

async function codeOf(p: Promise<unknown>): Promise<string | undefined> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  return err instanceof PbxError ? err.code : `not a PbxError: ${String(err)}`;
}

afterEach(async () => {
  for (const o of open.splice(0).reverse()) await o.close();
});

describe('AriClient REST', () => {
  it('sends basic auth and JSON, and parses the JSON answer', async () => {
    let seen: { auth?: string; url?: string; body?: string } = {};
    const ari = await fakeAri((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        seen = { auth: req.headers.authorization, url: req.url, body };
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"id":"c1"}');
      });
    });

    const out = await client(ari.url).request('POST', '/channels', { query: { endpoint: 'PJSIP/1001', media: ['sound:a', 'sound:b'] }, body: { variables: { A: '1' } } });

    expect(out).toEqual({ id: 'c1' });
    expect(seen.auth).toBe('Basic ' + Buffer.from(`sb:${PASSWORD}`).toString('base64'));
    expect(seen.url).toBe('/ari/channels?endpoint=PJSIP%2F1001&media=sound%3Aa%2Csound%3Ab');
    expect(JSON.parse(seen.body ?? '')).toEqual({ variables: { A: '1' } });
  });

  it.each([
    ['/channels/abc/play', 404, 'LEG_GONE'],
    ['/bridges/b1/addChannel', 404, 'LEG_GONE'],
    ['/recordings/live/r1/pause', 404, 'LEG_GONE'],
    ['/playbacks/p1', 404, 'LEG_GONE'],
    ['/applications/nope', 404, 'PROTOCOL'],
    ['/channels/abc/answer', 500, 'PROTOCOL'],
    ['/channels/abc/answer', 409, 'PROTOCOL'],
  ])('maps HTTP errors on %s (%i) to %s', async (path, status, code) => {
    const ari = await fakeAri((_req, res) => res.writeHead(status, { 'content-type': 'application/json' }).end('{"message":"Channel not found"}'));

    const err = await client(ari.url).request('POST', path).catch((e: unknown) => e);

    expect(isPbxError(err)).toBe(true);
    expect((err as PbxError).code).toBe(code);
    expect((err as PbxError).details).toMatchObject({ status, message: 'Channel not found' });
  });

  it('rejects with TIMEOUT when ARI does not answer in time', async () => {
    const ari = await fakeAri(() => undefined);

    expect(await codeOf(client(ari.url).request('GET', '/asterisk/info', { timeoutMs: 200 }))).toBe('TIMEOUT');
  });

  it('rejects with ABORTED when the caller aborts', async () => {
    const ari = await fakeAri(() => undefined);
    const ac = new AbortController();

    const p = client(ari.url).request('GET', '/asterisk/info', { signal: ac.signal });
    setTimeout(() => ac.abort(), 50);

    expect(await codeOf(p)).toBe('ABORTED');
  });

  it('rejects with DISCONNECTED when nothing listens', async () => {
    const ari = await fakeAri(() => undefined);
    const url = ari.url;
    await ari.close();
    open.splice(open.indexOf(ari), 1);

    expect(await codeOf(client(url).request('GET', '/asterisk/info'))).toBe('DISCONNECTED');
  });

  it('logs raw traffic at trace only, never the password or the authorization header', async () => {
    const ari = await fakeAri((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}'));
    const { logger, lines } = logSink();
    const c = client(ari.url, { logger });

    await c.request('GET', '/asterisk/info');

    const all = lines.join('');
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.every((l) => JSON.parse(l).level <= 20)).toBe(true);
    expect(all).not.toContain(PASSWORD);
    expect(all).not.toContain(Buffer.from(`sb:${PASSWORD}`).toString('base64'));
  });
});

describe('AriClient events', () => {
  it('registers the application, delivers events and reconnects with back-off after a drop', async () => {
    const ari = await fakeAri((_req, res) => res.writeHead(404).end());
    const c = client(ari.url, { reconnect: { initialDelayMs: 50, maxDelayMs: 200 } });
    const got: string[] = [];
    const states: boolean[] = [];
    c.onEvent((e) => got.push(e.type));
    c.onConnection((up) => states.push(up));

    c.connect();
    await c.waitConnected(2000);
    for (const s of ari.sockets) s.send(JSON.stringify({ type: 'StasisStart', args: [], channel: { id: '1' } }));
    for (const s of ari.sockets) s.terminate();
    await new Promise((r) => setTimeout(r, 20));
    await c.waitConnected(2000);
    for (const s of ari.sockets) s.send('not json');
    for (const s of ari.sockets) s.send(JSON.stringify({ type: 'ChannelDestroyed', cause: 16, channel: { id: '1' } }));
    await new Promise((r) => setTimeout(r, 50));

    expect(got).toEqual(['StasisStart', 'ChannelDestroyed']);
    expect(states).toEqual([true, false, true]);
    expect(ari.upgrades[0]?.url).toBe('/ari/events?app=switchboard&subscribeAll=false');
    expect(ari.upgrades[0]?.authorization).toMatch(/^Basic /);
    expect(ari.upgrades.length).toBe(2);
  });

  it('keeps retrying while ARI is down and connects once it is back', async () => {
    const first = await fakeAri(() => undefined);
    const port = first.port;
    await first.close();
    open.splice(open.indexOf(first), 1);
    const c = client(`http://127.0.0.1:${port}`, { reconnect: { initialDelayMs: 20, maxDelayMs: 100 } });

    c.connect();
    await new Promise((r) => setTimeout(r, 300));
    expect(c.connected).toBe(false);
    await fakeAri(() => undefined, port);

    await c.waitConnected(2000);
    expect(c.connected).toBe(true);
  });

  it('grows the back-off exponentially up to its cap', () => {
    const c = client('http://127.0.0.1:1', { reconnect: { initialDelayMs: 100, maxDelayMs: 1000, factor: 2 } });

    expect([0, 1, 2, 3, 4, 10, 100].map((n) => c.backoffDelay(n))).toEqual([100, 200, 400, 800, 1000, 1000, 1000]);
  });

  it('rejects waitConnected with TIMEOUT when ARI refuses the credentials', async () => {
    const ari = await fakeAri(() => undefined);
    ari.server.removeAllListeners('upgrade');
    ari.server.on('upgrade', (_req, socket) => socket.end('HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n'));
    const c = client(ari.url, { reconnect: { initialDelayMs: 50, maxDelayMs: 50 } });

    c.connect();

    expect(await codeOf(c.waitConnected(300))).toBe('TIMEOUT');
  });
});

describe('AriClient request limit', () => {
  it('keeps at most maxInFlight requests open, queues the rest in order, and completes them all', async () => {
    let open = 0;
    let peak = 0;
    const order: string[] = [];
    const ari = await fakeAri((req, res) => {
      open++;
      peak = Math.max(peak, open);
      order.push(req.url ?? '');
      // Staggered answers: two slots never free in the same tick, so the requests they let go
      // reach the server in the order they were granted (equal delays raced under load).
      setTimeout(() => {
        open--;
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      }, 30 + 15 * order.length);
    });
    const c = client(ari.url, { maxInFlight: 2 });
    await Promise.all([1, 2, 3, 4, 5, 6].map((i) => c.request('GET', `/x${i}`)));
    expect(peak).toBe(2);
    expect(order).toEqual(['/ari/x1', '/ari/x2', '/ari/x3', '/ari/x4', '/ari/x5', '/ari/x6']);
    expect(c.load).toEqual({ inFlight: 0, waiting: 0 });
  });

  it('counts the wait for a slot toward the time-out and frees the slot for others', async () => {
    const ari = await fakeAri((_req, res) => {
      setTimeout(() => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'), 400);
    });
    const c = client(ari.url, { maxInFlight: 1 });
    const slow = c.request('GET', '/slow');
    const queued = c.request('GET', '/queued', { timeoutMs: 100 });
    expect(await codeOf(queued)).toBe('TIMEOUT');
    await slow;
    await c.request('GET', '/after');
    expect(c.load).toEqual({ inFlight: 0, waiting: 0 });
  });

  it('rejects requests in flight and waiting with the failPending reason at once, and serves later ones', async () => {
    const hung: ServerResponse[] = [];
    const ari = await fakeAri((req, res) => {
      if (req.url?.startsWith('/ari/hang')) hung.push(res);
      else res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
    const c = client(ari.url, { maxInFlight: 1, requestTimeoutMs: 10_000 });
    const inFlight = c.request('GET', '/hang1');
    const waiting = c.request('GET', '/hang2');
    const probe = c.request('GET', '/info', { unqueued: true });
    await probe;
    const started = Date.now();

    c.failPending(new PbxError('DISCONNECTED', 'gone'));
    const codes = [await codeOf(inFlight), await codeOf(waiting)];
    const elapsed = Date.now() - started;
    await c.request('GET', '/after');

    expect(codes).toEqual(['DISCONNECTED', 'DISCONNECTED']);
    expect(elapsed).toBeLessThan(5000);
    expect(c.load).toEqual({ inFlight: 0, waiting: 0 });
    for (const r of hung) r.destroy();
  });
});

describe('AriClient REST over the events WebSocket', () => {
  /** A fake ARI whose WebSocket answers RESTRequest messages (unless `silent`), and whose HTTP side answers {"via":"http"}. */
  async function wsAri(opts: { silent?: boolean } = {}) {
    const requests: { method: string; uri: string; query_strings: { name: string; value: string }[]; message_body?: string }[] = [];
    const http: string[] = [];
    const ari = await fakeAri((req, res) => {
      http.push(`${req.method} ${req.url}`);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"via":"http"}');
    });
    ari.server.on('upgrade', () => {
      setImmediate(() => {
        for (const s of ari.sockets) {
          if ((s as unknown as { wired?: boolean }).wired) continue;
          (s as unknown as { wired?: boolean }).wired = true;
          s.on('message', (data: Buffer) => {
            const m = JSON.parse(data.toString()) as (typeof requests)[number] & { type: string; transaction_id: string; request_id: string };
            requests.push(m);
            if (opts.silent) return;
            const gone = m.uri.startsWith('channels/gone');
            s.send(JSON.stringify({ type: 'RESTResponse', transaction_id: m.transaction_id, request_id: m.request_id, status_code: gone ? 404 : 200, reason_phrase: gone ? 'Not Found' : 'OK', uri: m.uri, content_type: 'application/json', message_body: gone ? '{"message":"Channel not found"}' : '{"via":"ws"}' }));
          });
        }
      });
    });
    return { ari, requests, http };
  }

  it('sends requests as RESTRequest messages while the socket is up, with the query and body, and maps their status like HTTP', async () => {
    const { ari, requests, http } = await wsAri();
    const c = client(ari.url, { restOverWebSocket: true });
    c.connect();
    await c.waitConnected(2000);
    await new Promise((r) => setTimeout(r, 20));

    const out = await c.request('POST', '/channels', { query: { endpoint: 'PJSIP/1001', media: ['sound:a', 'sound:b'] }, body: { variables: { A: '1' } } });
    const gone = await codeOf(c.request('POST', '/channels/gone/answer'));

    expect(out).toEqual({ via: 'ws' });
    expect(gone).toBe('LEG_GONE');
    expect(requests[0]).toMatchObject({ type: 'RESTRequest', method: 'POST', uri: 'channels', query_strings: [{ name: 'endpoint', value: 'PJSIP/1001' }, { name: 'media', value: 'sound:a,sound:b' }] });
    expect(JSON.parse(requests[0]!.message_body ?? '')).toEqual({ variables: { A: '1' } });
    expect(http).toEqual([]);
  });

  it('uses HTTP while the socket is down and for PUT', async () => {
    const { ari, http } = await wsAri();
    const c = client(ari.url, { restOverWebSocket: true });
    expect(await c.request('GET', '/asterisk/info')).toEqual({ via: 'http' });
    c.connect();
    await c.waitConnected(2000);
    expect(await c.request('PUT', '/applications/switchboard/eventFilter', { body: { allowed: [] } })).toEqual({ via: 'http' });
    expect(http).toEqual(['GET /ari/asterisk/info', 'PUT /ari/applications/switchboard/eventFilter']);
  });

  it('fails a request in flight with DISCONNECTED when the socket drops before its answer', async () => {
    const { ari } = await wsAri({ silent: true });
    const c = client(ari.url, { restOverWebSocket: true, requestTimeoutMs: 5000 });
    c.connect();
    await c.waitConnected(2000);
    const pending = c.request('POST', '/channels/c1/answer');
    await new Promise((r) => setTimeout(r, 50));
    for (const s of ari.sockets) s.terminate();

    expect(await codeOf(pending)).toBe('DISCONNECTED');
    expect(c.load).toEqual({ inFlight: 0, waiting: 0 });
  });
});
