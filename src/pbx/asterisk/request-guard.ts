/**
 * One REST request's life until it settles: cancelled by its time-out, by a cut of every pending
 * request (failPending), or by the caller's own signal. A plain object with one timer — no
 * AbortController per request and no listener on a signal shared by every request in flight
 * (EventTarget's add/remove walk its listener list, and an abort builds a DOMException: together
 * a sixth of the engine's CPU under load). Whatever waits on the request (a slot, a WebSocket
 * answer, an HTTP exchange) sets `onCancel` while it waits.
 */
import type { PbxError } from '../port.js';

/** Why a request was cancelled: its time-out, the caller's signal, or the cut's reason. */
export type CancelReason = 'timeout' | 'aborted' | PbxError;

export class RequestGuard {
  private readonly timer: NodeJS.Timeout;
  private readonly onCallerAbort = () => this.cancel('aborted');
  /** Set once: why the request was cancelled. */
  cancelled: CancelReason | undefined;
  /** Called once when the request is cancelled while something waits on it. */
  onCancel: (() => void) | undefined;

  constructor(
    timeoutMs: number,
    /** The client's pending requests: failPending() cancels each. */
    private readonly live: Set<RequestGuard>,
    private readonly caller: AbortSignal | undefined,
  ) {
    this.timer = setTimeout(() => this.cancel('timeout'), timeoutMs);
    live.add(this);
    if (caller) {
      if (caller.aborted) this.cancelled = 'aborted';
      else caller.addEventListener('abort', this.onCallerAbort, { once: true });
    }
  }

  get timedOut(): boolean {
    return this.cancelled === 'timeout';
  }

  cancel(why: CancelReason): void {
    if (this.cancelled !== undefined) return;
    this.cancelled = why;
    const f = this.onCancel;
    this.onCancel = undefined;
    f?.();
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.live.delete(this);
    this.onCancel = undefined;
    this.caller?.removeEventListener('abort', this.onCallerAbort);
  }
}

/** The error a waiter rejects with when its request is cancelled (mapped by transportError). */
export class Cancelled extends Error {
  constructor() {
    super('request cancelled');
  }
}
