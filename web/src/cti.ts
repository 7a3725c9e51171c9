/**
 * The CTI WebSocket client: one connection per page, typed events, commands answered by
 * `requestId`, and reconnection with back-off. While the link is down the page shows a banner;
 * on reconnect the server sends RightProfile and a fresh Snapshot, and `onOpen` listeners
 * re-subscribe, so the screen starts again from the state of now.
 */
import type { CtiCommand, CtiEvent, CtiEventType, CtiFrame } from './types.js';

export type LinkStatus = 'connecting' | 'open' | 'lost';

export class CommandRefused extends Error {
  override readonly name = 'CommandRefused';
  constructor(readonly body: CtiEvent<'AgentError'>) {
    super(typeof body.message === 'string' ? body.message : body.Error);
  }
  get code(): string {
    return this.body.Error;
  }
}

type Listener<K extends CtiEventType> = (message: CtiEvent<K>) => void;
type CommandInput = CtiCommand extends infer C ? (C extends { command: string } ? Omit<C, 'requestId'> : never) : never;

export interface CtiClient {
  readonly status: LinkStatus;
  /** Open the connection: call it once the views have subscribed, so none misses the first Snapshot. */
  start(): void;
  on<K extends CtiEventType>(type: K, fn: Listener<K>): () => void;
  onStatus(fn: (s: LinkStatus) => void): () => void;
  /** Called on every (re)connection, after the server's Snapshot: subscribe here. */
  onOpen(fn: () => void): () => void;
  /** A command answered by CommandResult (resolved) or AgentError (rejected with CommandRefused). */
  command(cmd: CommandInput, timeoutMs?: number): Promise<CtiEvent<'CommandResult'>['result']>;
  /** A command answered by events only (subscriptions, lists). */
  send(cmd: CommandInput): void;
  close(): void;
}

export interface CtiOptions {
  token: () => string;
  url?: string;
  /** The socket could not be opened (or closed at once): perhaps the session expired. */
  onRefused?: () => void;
  /** Back-off bounds; default 500 ms → 5 s. */
  minDelayMs?: number;
  maxDelayMs?: number;
}

export function connectCti(opts: CtiOptions): CtiClient {
  const listeners = new Map<string, Set<(m: unknown) => void>>();
  const statusListeners = new Set<(s: LinkStatus) => void>();
  const openListeners = new Set<() => void>();
  const pending = new Map<string, { resolve: (r: CtiEvent<'CommandResult'>['result']) => void; reject: (e: Error) => void; timer: ReturnType<typeof setTimeout> }>();
  let status: LinkStatus = 'connecting';
  let ws: WebSocket | undefined;
  let closed = false;
  let seq = 0;
  let delay = opts.minDelayMs ?? 500;
  let retry: ReturnType<typeof setTimeout> | undefined;
  let started = false;

  const setStatus = (s: LinkStatus) => {
    if (s === status) return;
    status = s;
    for (const fn of statusListeners) fn(s);
  };
  const emit = (frame: CtiFrame) => {
    for (const fn of listeners.get(frame.msgType) ?? []) fn(frame.ctiMessage);
  };
  const settle = (requestId: unknown, outcome: { ok: true; result: CtiEvent<'CommandResult'>['result'] } | { ok: false; error: Error }) => {
    // Seed errors come without a requestId: they answer the oldest command still waiting.
    const key = typeof requestId === 'string' ? requestId : pending.keys().next().value;
    const p = key === undefined ? undefined : pending.get(key);
    if (!p || key === undefined) return;
    pending.delete(key);
    clearTimeout(p.timer);
    if (outcome.ok) p.resolve(outcome.result);
    else p.reject(outcome.error);
  };

  function open(): void {
    const base = opts.url ?? `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/cti`;
    const socket = new WebSocket(`${base}?token=${encodeURIComponent(opts.token())}`);
    ws = socket;
    let opened = false;
    socket.onopen = () => {
      opened = true;
      delay = opts.minDelayMs ?? 500;
    };
    socket.onmessage = (ev) => {
      let frame: CtiFrame;
      try {
        frame = JSON.parse(String(ev.data)) as CtiFrame;
      } catch {
        return;
      }
      if (frame.msgType === 'CommandResult') settle(frame.ctiMessage.requestId, { ok: true, result: frame.ctiMessage.result });
      if (frame.msgType === 'AgentError') settle(frame.ctiMessage.requestId, { ok: false, error: new CommandRefused(frame.ctiMessage) });
      emit(frame);
      // The Snapshot is the second message of a connection: the page is live from here.
      if (frame.msgType === 'Snapshot') {
        setStatus('open');
        for (const fn of openListeners) fn();
      }
    };
    socket.onclose = () => {
      if (ws !== socket) return;
      ws = undefined;
      for (const [key, p] of pending) {
        clearTimeout(p.timer);
        p.reject(new Error('the connection to the server was lost before an answer'));
        pending.delete(key);
      }
      if (closed) return;
      setStatus('lost');
      if (!opened) opts.onRefused?.();
      retry = setTimeout(open, delay);
      delay = Math.min(delay * 2, opts.maxDelayMs ?? 5_000);
    };
  }
  return {
    get status() {
      return status;
    },
    start() {
      if (started || closed) return;
      started = true;
      open();
    },
    on(type, fn) {
      const set = listeners.get(type) ?? new Set();
      listeners.set(type, set);
      set.add(fn as (m: unknown) => void);
      return () => set.delete(fn as (m: unknown) => void);
    },
    onStatus(fn) {
      statusListeners.add(fn);
      return () => statusListeners.delete(fn);
    },
    onOpen(fn) {
      openListeners.add(fn);
      if (status === 'open') fn();
      return () => openListeners.delete(fn);
    },
    command(cmd, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        if (!ws || ws.readyState !== WebSocket.OPEN) return reject(new Error('not connected to the server'));
        const requestId = `r${++seq}`;
        const timer = setTimeout(() => {
          pending.delete(requestId);
          reject(new Error('the server did not answer in time'));
        }, timeoutMs);
        pending.set(requestId, { resolve, reject, timer });
        ws.send(JSON.stringify({ ...cmd, requestId }));
      });
    },
    send(cmd) {
      if (ws && ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(cmd));
    },
    close() {
      closed = true;
      clearTimeout(retry);
      ws?.close();
    },
  };
}
