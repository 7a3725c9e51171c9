/**
 * Our own small client for FreeSWITCH's inbound event socket (mod_event_socket), over `net`:
 * password auth, JSON events subscribed once per connection and filtered to our calls,
 * `api` commands correlated by order (the socket answers them in order) and `bgapi` jobs by the
 * Job-UUID we mint, reconnect with bounded exponential back-off, and commands that always
 * settle (time-out, connection loss). Nothing here rejects unhandled; the socket only reports.
 * Raw traffic is logged at trace; the password never is.
 */
import { randomUUID } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import type { Logger } from 'pino';
import { PbxError } from '../port.js';
import { EslParser, type EslMessage } from './esl-parser.js';

export interface EslClientOptions {
  host: string;
  port: number;
  password: string;
  logger: Logger;
  /** Event names to subscribe to (`event json …`); CUSTOM subclasses as `CUSTOM sofia::register …`. */
  events: readonly string[];
  /** `filter <header> <value>` pairs; an event passes when it matches any of them. */
  filters?: readonly [string, string][];
  /** Per-command time-out (default 5 s; a bgapi job's result has its own, see bgapi()). */
  requestTimeoutMs?: number;
  /** Reconnect back-off (defaults 250 ms, 1 s cap, factor 2); it retries until close(). */
  reconnect?: { initialDelayMs?: number; maxDelayMs?: number; factor?: number };
  /** Sees every command sent after auth (its first line), e.g. to count PBX requests in a bench. */
  onCommand?: (firstLine: string) => void;
}

/** One event: its headers (JSON keys) and, for BACKGROUND_JOB, the result under `_body`. */
export type EslEvent = Record<string, string>;

interface Pending {
  resolve: (m: EslMessage) => void;
  reject: (e: PbxError) => void;
  timer: NodeJS.Timeout;
}

interface Job {
  resolve: (body: string) => void;
  reject: (e: PbxError) => void;
  timer: NodeJS.Timeout;
}

export class EslClient {
  private readonly log: Logger;
  private readonly eventListeners = new Set<(e: EslEvent) => void>();
  private readonly stateListeners = new Set<(up: boolean, err?: PbxError) => void>();
  private readonly parser = new EslParser();
  private socket: Socket | undefined;
  private replies: Pending[] = [];
  private readonly jobs = new Map<string, Job>();
  private running = false;
  private up = false;
  private attempt = 0;
  private reconnectTimer: NodeJS.Timeout | undefined;
  /** Why the last attempt failed (reported by waitConnected and logs). */
  private lastError: PbxError | undefined;

  constructor(private readonly opts: EslClientOptions) {
    this.log = opts.logger.child({ mod: 'esl' });
  }

  get connected(): boolean {
    return this.up;
  }

  get lastFailure(): PbxError | undefined {
    return this.lastError;
  }

  onEvent(listener: (e: EslEvent) => void): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  /** Connection ups and downs (a down only after an up); a down carries why. */
  onConnection(listener: (up: boolean, err?: PbxError) => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  /** Start connecting (and reconnecting after every loss) until close(). */
  connect(): void {
    if (this.running) return;
    this.running = true;
    this.open();
  }

  /** Resolves once connected and subscribed; rejects with the last failure after `timeoutMs`. */
  waitConnected(timeoutMs: number): Promise<void> {
    if (this.up) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        off();
        reject(this.lastError ?? new PbxError('TIMEOUT', `no event socket connection within ${timeoutMs} ms`));
      }, timeoutMs);
      const off = this.onConnection((up) => {
        if (!up) return;
        clearTimeout(timer);
        off();
        resolve();
      });
    });
  }

  async close(): Promise<void> {
    this.running = false;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    const s = this.socket;
    this.drop(new PbxError('DISCONNECTED', 'event socket closed'));
    if (s && !s.destroyed) {
      await new Promise<void>((r) => {
        s.once('close', () => r());
        s.end();
        setTimeout(() => {
          s.destroy();
          r();
        }, 500).unref();
      });
    }
  }

  /** A synchronous API command; resolves with its output (`-ERR …` outputs reject with REJECTED). */
  async api(command: string, timeoutMs?: number): Promise<string> {
    const m = await this.send(`api ${command}`, timeoutMs);
    const body = m.body;
    if (body.startsWith('-ERR') || body.startsWith('-USAGE')) throw new PbxError('REJECTED', body.trim(), { command: command.split(' ')[0] });
    return body;
  }

  /**
   * A background API command: resolves once FreeSWITCH accepted it, with `result`, which settles
   * when FreeSWITCH reports the job done (for originate: when the leg answers or fails), within
   * `jobTimeoutMs` (default 120 s). `result` never rejects unhandled.
   */
  async bgapi(command: string, jobTimeoutMs = 120_000): Promise<{ jobId: string; result: Promise<string> }> {
    const jobId = randomUUID();
    const result = new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.jobs.delete(jobId);
        reject(new PbxError('TIMEOUT', `background job not done within ${jobTimeoutMs} ms`, { command: command.split(' ')[0] }));
      }, jobTimeoutMs);
      this.jobs.set(jobId, { resolve, reject, timer });
    });
    result.catch(() => undefined); // observed by the caller when it wants the result; never unhandled
    try {
      const m = await this.send(`bgapi ${command}\nJob-UUID: ${jobId}`);
      const reply = m.headers['Reply-Text'] ?? '';
      if (!reply.startsWith('+OK')) throw new PbxError('REJECTED', reply, { command: command.split(' ')[0] });
    } catch (err) {
      const job = this.jobs.get(jobId);
      if (job) {
        clearTimeout(job.timer);
        this.jobs.delete(jobId);
      }
      throw err;
    }
    return { jobId, result };
  }

  /** A raw command (`sendmsg …`, `filter …`) answered by a command/reply; `-ERR` rejects. */
  async command(text: string, timeoutMs?: number): Promise<string> {
    const m = await this.send(text, timeoutMs);
    const reply = m.headers['Reply-Text'] ?? '';
    if (reply.startsWith('-ERR')) throw new PbxError('REJECTED', reply, { command: text.split(/\s/)[0] });
    return reply;
  }

  // ------------------------------------------------------------ internals

  private send(text: string, timeoutMs = this.opts.requestTimeoutMs ?? 5000): Promise<EslMessage> {
    const s = this.socket;
    if (!this.up || !s) return Promise.reject(new PbxError('DISCONNECTED', 'FreeSWITCH event socket is not connected'));
    return this.write(s, text, timeoutMs);
  }

  private write(s: Socket, text: string, timeoutMs: number): Promise<EslMessage> {
    return new Promise<EslMessage>((resolve, reject) => {
      const entry: Pending = {
        resolve,
        reject,
        timer: setTimeout(() => {
          // A reply that never comes would shift every later reply: drop the connection.
          reject(new PbxError('TIMEOUT', `no reply within ${timeoutMs} ms`, { command: text.split(/\s/)[0] }));
          this.replies = this.replies.filter((p) => p !== entry);
          this.log.warn({ command: text.split(/\s/)[0] }, 'event socket reply timed out, reconnecting');
          s.destroy();
        }, timeoutMs),
      };
      this.replies.push(entry);
      if (text.startsWith('auth ')) this.log.trace('esl > auth ***');
      else {
        this.log.trace({ text }, 'esl >');
        this.opts.onCommand?.(text.split('\n')[0]!);
      }
      s.write(text + '\n\n');
    });
  }

  private open(): void {
    if (!this.running) return;
    const s = connect({ host: this.opts.host, port: this.opts.port });
    this.socket = s;
    this.parser.reset();
    s.setNoDelay(true);
    s.on('data', (chunk: Buffer) => {
      for (const m of this.parser.push(chunk)) this.onMessage(s, m);
    });
    s.on('error', (err: NodeJS.ErrnoException) => {
      this.lastError = new PbxError('DISCONNECTED', `ESL_HOST/ESL_PORT ${this.opts.host}:${this.opts.port}: ${err.code ?? err.message}`, { code: err.code });
    });
    s.on('close', () => {
      if (this.socket !== s) return;
      this.socket = undefined;
      const wasUp = this.up;
      this.drop(new PbxError('DISCONNECTED', 'FreeSWITCH event socket closed'));
      if (wasUp) this.log.warn('event socket lost');
      else this.log.warn({ err: this.lastError?.message, attempt: this.attempt }, 'event socket connection failed');
      if (wasUp) this.emitState(false, this.lastError);
      this.scheduleReconnect();
    });
  }

  private onMessage(s: Socket, m: EslMessage): void {
    const type = m.headers['Content-Type'];
    switch (type) {
      case 'auth/request':
        this.authenticate(s);
        return;
      case 'command/reply':
      case 'api/response': {
        const p = this.replies.shift();
        if (!p) {
          this.log.warn({ type }, 'reply with no command waiting');
          return;
        }
        clearTimeout(p.timer);
        p.resolve(m);
        return;
      }
      case 'text/event-json':
        this.onEventBody(m.body);
        return;
      case 'text/disconnect-notice':
        this.log.debug('disconnect notice');
        return;
      case 'text/rude-rejection':
        this.lastError = new PbxError('REJECTED', `FreeSWITCH refused ESL from this address (its event_socket apply-inbound-acl): ${m.body.trim()}`);
        return;
      default:
        this.log.trace({ type }, 'esl message ignored');
    }
  }

  private authenticate(s: Socket): void {
    const run = async (): Promise<void> => {
      const auth = await this.write(s, `auth ${this.opts.password}`, 5000);
      if (!(auth.headers['Reply-Text'] ?? '').startsWith('+OK')) {
        this.lastError = new PbxError('REJECTED', 'ESL_PASSWORD refused by FreeSWITCH (event socket auth failed)');
        s.destroy();
        return;
      }
      await this.write(s, `event json ${this.opts.events.join(' ')}`, 5000);
      for (const [h, v] of this.opts.filters ?? []) await this.write(s, `filter ${h} ${v}`, 5000);
      if (this.socket !== s) return;
      this.up = true;
      this.attempt = 0;
      this.lastError = undefined;
      this.log.info({ host: this.opts.host, port: this.opts.port }, 'event socket connected');
      this.emitState(true);
    };
    run().catch((err: unknown) => {
      this.lastError = err instanceof PbxError ? err : new PbxError('PROTOCOL', String(err));
      s.destroy();
    });
  }

  private onEventBody(body: string): void {
    let e: EslEvent;
    try {
      e = JSON.parse(body) as EslEvent;
    } catch (err) {
      this.log.warn({ err }, 'unparsable event');
      return;
    }
    this.log.trace({ event: e['Event-Name'], uuid: e['Unique-ID'] }, 'esl <');
    if (e['Event-Name'] === 'BACKGROUND_JOB') {
      const id = e['Job-UUID'];
      const job = id ? this.jobs.get(id) : undefined;
      if (job && id) {
        this.jobs.delete(id);
        clearTimeout(job.timer);
        job.resolve(e._body ?? '');
      }
    }
    for (const l of this.eventListeners) {
      try {
        l(e);
      } catch (err) {
        this.log.error({ err }, 'esl event listener threw');
      }
    }
  }

  /** The connection is gone: reject every reply and job waiting on it. */
  private drop(err: PbxError): void {
    this.up = false;
    for (const p of this.replies.splice(0)) {
      clearTimeout(p.timer);
      p.reject(err);
    }
    for (const [id, j] of [...this.jobs]) {
      this.jobs.delete(id);
      clearTimeout(j.timer);
      j.reject(err);
    }
    this.socket?.destroy();
  }

  private emitState(up: boolean, err?: PbxError): void {
    for (const l of this.stateListeners) {
      try {
        l(up, err);
      } catch (e) {
        this.log.error({ err: e }, 'esl connection listener threw');
      }
    }
  }

  private scheduleReconnect(): void {
    if (!this.running) return;
    const r = this.opts.reconnect ?? {};
    const delay = Math.min((r.initialDelayMs ?? 250) * (r.factor ?? 2) ** this.attempt, r.maxDelayMs ?? 1000);
    this.attempt++;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      this.open();
    }, delay);
  }
}
