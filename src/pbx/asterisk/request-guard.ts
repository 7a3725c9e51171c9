/**
 * One REST request's abort signal: aborted when its time-out passes, when the client cuts every
 * pending request, or when the caller's own signal aborts. One controller, one timer and at
 * most two listeners, removed by dispose() once the request is settled.
 */
export class RequestGuard {
  private readonly ctl = new AbortController();
  private readonly timer: NodeJS.Timeout;
  private readonly onAbort = () => this.ctl.abort();
  /** The time-out passed (not a cut or the caller). */
  timedOut = false;

  constructor(
    timeoutMs: number,
    private readonly cut: AbortSignal,
    private readonly caller: AbortSignal | undefined,
  ) {
    this.timer = setTimeout(() => {
      this.timedOut = true;
      this.ctl.abort();
    }, timeoutMs);
    if (cut.aborted || caller?.aborted) this.ctl.abort();
    cut.addEventListener('abort', this.onAbort, { once: true });
    caller?.addEventListener('abort', this.onAbort, { once: true });
  }

  get signal(): AbortSignal {
    return this.ctl.signal;
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.cut.removeEventListener('abort', this.onAbort);
    this.caller?.removeEventListener('abort', this.onAbort);
  }
}
