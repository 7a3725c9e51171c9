/**
 * Our own small ARI client: REST over node:http (ari-http.ts) or the events WebSocket (ws-rest.ts),
 * a bound on requests in flight (request-slots.ts), typed errors, and the events WebSocket
 * (`ws`) with reconnect and bounded exponential back-off. Connecting the WebSocket registers
 * the Stasis application. Raw traffic is logged at trace only; the password never is.
 * Nothing here rejects unhandled: REST calls reject with PbxError, the socket only reports.
 */
import type { Agent as HttpAgent } from 'node:http';
import WebSocket from 'ws';
import type { Logger } from 'pino';
import { PbxError } from '../port.js';
import type { AriEvent } from './ari-types.js';
import { errorCode, errorMessage, httpExchange, keepAliveAgent, queryString, transportError, type Query } from './ari-http.js';
import { RequestGuard } from './request-guard.js';
import { RequestSlots } from './request-slots.js';
import { WsRest } from './ws-rest.js';

export interface AriClientOptions {
  /** Base URL of Asterisk's HTTP server, e.g. http://127.0.0.1:8088 (no /ari suffix). */
  url: string;
  username: string;
  password: string;
  /** Stasis application name registered by the events WebSocket. */
  app: string;
  logger: Logger;
  /** Per-request time-out (default 5 s). */
  requestTimeoutMs?: number;
  /**
   * Requests in flight at once; more wait their turn (the wait counts toward their time-out).
   * Asterisk's HTTP server refuses sessions past `sessionlimit` (100 by default), which under a
   * burst would turn into failed calls. Default 32.
   */
  maxInFlight?: number;
  /** Reconnect back-off: first delay, cap, and growth factor (defaults 250 ms, 1 s, 2: a loopback PBX back after a blip is reached again within a second). There is no attempt limit: it retries until close(). */
  reconnect?: { initialDelayMs?: number; maxDelayMs?: number; factor?: number };
  /** WebSocket keep-alive ping period; a missing pong within one period drops the socket (default 15 s). */
  pingIntervalMs?: number;
  /**
   * Called as each REST request goes on the wire (method, path without query); the function it
   * returns, if any, when the answer is in. For benchmarks and diagnostics.
   */
  onRequest?: (method: string, path: string) => (() => void) | void;
  /**
   * Send REST requests (GET, POST, DELETE) over the events WebSocket while it is up, as ARI's
   * RESTRequest/RESTResponse messages (Asterisk 20.14, 21.9, 22.4 and later), instead of one HTTP
   * exchange each: no HTTP parsing on either side. PUT, and every request while the socket is
   * down, go over HTTP. A request in flight when the socket drops fails with DISCONNECTED.
   */
  restOverWebSocket?: boolean;
  /** Raw events for which this is true are dropped before parsing (a cheap test on the text). */
  skipRaw?: (raw: string) => boolean;
}

export interface RequestOptions {
  query?: Query;
  body?: unknown;
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Skip the in-flight limit (a liveness probe must not wait behind requests that hang). */
  unqueued?: boolean;
}

type Listener<T> = (value: T) => void;

/** Resource paths whose 404 means "that leg / bridge / recording / playback is gone". */
const GONE_ON_404 = /^\/(channels|bridges|playbacks|recordings\/live)\/[^/]+/;

export class AriClient {
  private readonly base: string;
  private readonly auth: string;
  private readonly log: Logger;
  /** Raw traffic is logged at trace: the objects for it are built only when trace is on. */
  private readonly traceOn: boolean;
  private readonly eventListeners = new Set<(event: AriEvent, raw: string) => void>();
  private readonly stateListeners = new Set<Listener<boolean>>();
  private ws: WebSocket | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private pingTimer: NodeJS.Timeout | undefined;
  private attempt = 0;
  /** Requests in flight or waiting for a slot: failPending() cancels each. */
  private readonly pending = new Set<RequestGuard>();
  private running = false;
  private isConnected = false;
  /** Keep-alive sockets to Asterisk's HTTP server, at most one per request in flight. */
  private readonly agent: HttpAgent;
  private readonly slots: RequestSlots;
  /** REST requests sent over the events WebSocket, until their RESTResponse. */
  private readonly wsRest = new WsRest();

  constructor(private readonly opts: AriClientOptions) {
    this.base = opts.url.replace(/\/+$/, '') + '/ari';
    this.auth = 'Basic ' + Buffer.from(`${opts.username}:${opts.password}`).toString('base64');
    this.log = opts.logger.child({ mod: 'ari' });
    this.traceOn = this.log.isLevelEnabled('trace');
    // No socket limit here: the slots bound requests in flight, and an unqueued liveness probe must never wait for a socket.
    this.agent = keepAliveAgent(this.base);
    this.slots = new RequestSlots(opts.maxInFlight ?? 32);
  }

  get connected(): boolean {
    return this.isConnected;
  }

  get app(): string {
    return this.opts.app;
  }

  // ------------------------------------------------------------ REST

  /** One REST call. Resolves with the parsed JSON body (undefined for 204); rejects only with PbxError. */
  async request<T = unknown>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, ro: RequestOptions = {}): Promise<T> {
    if (ro.signal?.aborted) throw new PbxError('ABORTED', 'aborted before request', { method, path });
    const timeoutMs = ro.timeoutMs ?? this.opts.requestTimeoutMs ?? 5000;
    // One plain guard per request: its time-out, a cut (failPending) or the caller's signal.
    const guard = new RequestGuard(timeoutMs, this.pending, ro.signal);
    try {
      if (ro.unqueued) return await this.send<T>(method, path, ro, guard, timeoutMs);
      try {
        await this.slots.acquire(guard);
      } catch (err) {
        throw transportError(err, { method, path, timeoutMs, cancelled: guard.cancelled });
      }
      try {
        return await this.send<T>(method, path, ro, guard, timeoutMs);
      } finally {
        this.slots.release();
      }
    } finally {
      guard.dispose();
    }
  }

  /**
   * Reject every request in flight or waiting for a slot with `reason` now, instead of letting
   * each wait for its time-out (the PBX is known to be gone). Later requests are not affected.
   */
  failPending(reason: PbxError): void {
    for (const guard of [...this.pending]) guard.cancel(reason);
  }

  /** Requests in flight and waiting for a slot (for benchmarks and diagnostics). */
  get load(): { inFlight: number; waiting: number } {
    return this.slots.load;
  }

  private async send<T>(method: string, path: string, ro: RequestOptions, guard: RequestGuard, timeoutMs: number): Promise<T> {
    const body = ro.body === undefined ? undefined : JSON.stringify(ro.body);
    if (this.traceOn) this.log.trace({ method, path, query: ro.query, body: ro.body }, 'ari request');
    const done = this.opts.onRequest?.(method, path);
    let res: { status: number; text: string };
    try {
      const ws = this.ws;
      if (this.opts.restOverWebSocket && method !== 'PUT' && this.isConnected && ws && ws.readyState === WebSocket.OPEN) {
        res = await this.wsRest.send(ws, method, path, ro.query, body, guard);
      } else {
        const headers: Record<string, string> = { authorization: this.auth, accept: 'application/json' };
        if (body !== undefined) headers['content-type'] = 'application/json';
        // node:http takes a signal: a controller only on this path.
        const ctl = new AbortController();
        if (guard.cancelled !== undefined) ctl.abort();
        else guard.onCancel = () => ctl.abort();
        res = await httpExchange(this.agent, method, this.base + path + queryString(ro.query), headers, body, ctl.signal);
      }
    } catch (err) {
      throw transportError(err, { method, path, timeoutMs, cancelled: guard.cancelled });
    } finally {
      done?.();
    }
    const text = res.text;
    if (this.traceOn) this.log.trace({ method, path, status: res.status, body: text }, 'ari response');
    if (res.status >= 200 && res.status < 300) {
      if (!text) return undefined as T;
      try {
        return JSON.parse(text) as T;
      } catch {
        throw new PbxError('PROTOCOL', 'ARI answered with invalid JSON', { method, path, status: res.status });
      }
    }
    const message = errorMessage(text);
    const details = { method, path, status: res.status, message };
    if (res.status === 404 && GONE_ON_404.test(path)) throw new PbxError('LEG_GONE', 'resource is gone', details);
    throw new PbxError('PROTOCOL', `ARI ${method} failed with HTTP ${res.status}`, details);
  }

  // ------------------------------------------------------------ events

  onEvent(listener: (event: AriEvent, raw: string) => void): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  /** Called with true on every (re)connection and false on every loss. */
  onConnection(listener: Listener<boolean>): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  /** Open the events WebSocket and keep it open (reconnecting) until close(). */
  connect(): void {
    if (this.running) return;
    this.running = true;
    this.open();
  }

  /** Resolve once connected; reject with PbxError('TIMEOUT') after timeoutMs. */
  waitConnected(timeoutMs: number, signal?: AbortSignal): Promise<void> {
    if (this.isConnected) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const done = (err?: PbxError) => {
        clearTimeout(timer);
        off();
        signal?.removeEventListener('abort', onAbort);
        if (err) reject(err);
        else resolve();
      };
      const off = this.onConnection((up) => up && done());
      const timer = setTimeout(() => done(new PbxError('TIMEOUT', `ARI events WebSocket not connected within ${timeoutMs} ms`)), timeoutMs);
      const onAbort = () => done(new PbxError('ABORTED', 'aborted while connecting'));
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  async close(): Promise<void> {
    this.running = false;
    this.agent.destroy();
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    const ws = this.ws;
    this.ws = undefined;
    this.stopPing();
    if (ws && ws.readyState !== WebSocket.CLOSED) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(() => {
          ws.terminate();
          resolve();
        }, 1000);
        ws.once('close', () => {
          clearTimeout(t);
          resolve();
        });
        ws.close();
      });
    }
    this.setConnected(false);
  }

  /** Delay before reconnection attempt n (0-based), capped. */
  backoffDelay(attempt: number): number {
    const r = this.opts.reconnect ?? {};
    const initial = r.initialDelayMs ?? 250;
    const max = r.maxDelayMs ?? 1_000;
    const factor = r.factor ?? 2;
    return Math.min(max, Math.round(initial * factor ** Math.min(attempt, 30)));
  }

  private open(): void {
    const wsUrl = this.base.replace(/^http/, 'ws') + '/events' + queryString({ app: this.opts.app, subscribeAll: false });
    this.log.debug({ url: wsUrl }, 'ari events connecting');
    const ws = new WebSocket(wsUrl, {
      headers: { authorization: this.auth },
      handshakeTimeout: this.opts.requestTimeoutMs ?? 5000,
      // The socket to our own PBX: a zero masking key (legal, and ws then skips masking and its
      // random bytes per frame) and no UTF-8 check of Asterisk's JSON (JSON.parse rejects bad text).
      generateMask: (mask: Buffer) => void mask.fill(0),
      skipUTF8Validation: true,
    });
    this.ws = ws;
    let alive = true;
    ws.on('open', () => {
      this.attempt = 0;
      this.log.info({ app: this.opts.app }, 'ari events connected');
      this.startPing(ws, () => alive, (v) => (alive = v));
      this.setConnected(true);
    });
    ws.on('pong', () => (alive = true));
    ws.on('message', (data: WebSocket.RawData) => this.dispatch(data.toString()));
    ws.on('unexpected-response', (_req, res) => {
      this.log.warn({ status: res.statusCode }, 'ari events refused');
      ws.terminate();
    });
    ws.on('error', (err) => this.log.debug({ err: { message: err.message, code: errorCode(err) } }, 'ari events socket error'));
    ws.on('close', (code) => {
      if (this.ws !== ws) return;
      this.ws = undefined;
      this.wsRest.failAll();
      this.stopPing();
      if (this.isConnected) this.log.warn({ code }, 'ari events disconnected');
      this.setConnected(false);
      this.scheduleReconnect();
    });
  }

  private scheduleReconnect(): void {
    if (!this.running || this.reconnectTimer) return;
    const delay = this.backoffDelay(this.attempt++);
    this.log.debug({ delayMs: delay, attempt: this.attempt }, 'ari events reconnect scheduled');
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      if (this.running) this.open();
    }, delay);
  }

  private startPing(ws: WebSocket, isAlive: () => boolean, setAlive: (v: boolean) => void): void {
    this.stopPing();
    const every = this.opts.pingIntervalMs ?? 15_000;
    this.pingTimer = setInterval(() => {
      if (!isAlive()) {
        this.log.warn('ari events pong missing, reconnecting');
        ws.terminate();
        return;
      }
      setAlive(false);
      ws.ping();
    }, every);
    this.pingTimer.unref();
  }

  private stopPing(): void {
    if (this.pingTimer) clearInterval(this.pingTimer);
    this.pingTimer = undefined;
  }

  private setConnected(up: boolean): void {
    if (this.isConnected === up) return;
    this.isConnected = up;
    for (const l of this.stateListeners) this.safely(() => l(up));
  }

  /** Raw events seen lately: the endpoint subscription delivers channel events a second time, byte for byte. */
  private readonly recentRaw = new Set<string>();

  private dispatch(raw: string): void {
    if (this.recentRaw.has(raw)) return;
    if (this.opts.skipRaw?.(raw)) return;
    this.recentRaw.add(raw);
    if (this.recentRaw.size > 256) this.recentRaw.delete(this.recentRaw.values().next().value as string);
    if (this.traceOn) this.log.trace({ raw }, 'ari event');
    let event: AriEvent;
    try {
      event = JSON.parse(raw) as AriEvent;
    } catch {
      this.log.warn({ size: raw.length }, 'ari event is not JSON');
      return;
    }
    if (!event || typeof event.type !== 'string') return;
    if (event.type === 'RESTResponse') {
      this.wsRest.answer(event as unknown as { transaction_id?: string; status_code?: number; message_body?: string });
      return;
    }
    for (const l of this.eventListeners) this.safely(() => l(event, raw));
  }

  private safely(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.log.error({ err }, 'ari listener threw');
    }
  }
}
