/**
 * A bound on ARI requests in flight: past it, requests wait their turn in arrival order (the
 * wait counts toward their time-out, and a cancelled request leaves the line).
 */
import { Cancelled, type RequestGuard } from './request-guard.js';

export class RequestSlots {
  private inFlight = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly max: number) {}

  /** Requests in flight and waiting for a slot. */
  get load(): { inFlight: number; waiting: number } {
    return { inFlight: this.inFlight, waiting: this.waiting.length };
  }

  /** Resolves once a slot is ours; rejects with Cancelled if the request is cancelled first. */
  acquire(guard: RequestGuard): Promise<void> {
    if (guard.cancelled !== undefined) return Promise.reject(new Cancelled());
    if (this.inFlight < this.max) {
      this.inFlight += 1;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const grant = () => {
        guard.onCancel = undefined;
        resolve();
      };
      guard.onCancel = () => {
        const i = this.waiting.indexOf(grant);
        if (i >= 0) this.waiting.splice(i, 1);
        reject(new Cancelled());
      };
      this.waiting.push(grant);
    });
  }

  /** Hand the slot to the next waiting request, or free it. */
  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.inFlight -= 1;
  }
}
