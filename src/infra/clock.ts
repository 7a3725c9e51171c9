/** Time for the shell: the routing core never reads it, it is passed in. */
export interface Clock {
  now(): number;
  /** Run `fn` at absolute time `at` (ms); returns a handle for `cancel`. */
  schedule(at: number, fn: () => void): TimerHandle;
  cancel(handle: TimerHandle): void;
  /** Resolve after `ms`, or reject with the signal's reason when aborted. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export type TimerHandle = { readonly id: number };

export function createSystemClock(): Clock {
  let next = 0;
  const timers = new Map<number, NodeJS.Timeout>();
  const clock: Clock = {
    now: () => Date.now(),
    schedule(at, fn) {
      const id = ++next;
      const t = setTimeout(() => {
        timers.delete(id);
        fn();
      }, Math.max(0, at - Date.now()));
      timers.set(id, t);
      return { id };
    },
    cancel(handle) {
      const t = timers.get(handle.id);
      if (t) clearTimeout(t);
      timers.delete(handle.id);
    },
    sleep: (ms, signal) => sleepOn(clock, ms, signal),
  };
  return clock;
}

export function sleepOn(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clock.cancel(handle);
      reject(signal?.reason);
    };
    const handle = clock.schedule(clock.now() + ms, () => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    });
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * A virtual clock for the simulated PBX, tests, the demo and benchmarks.
 * Time moves only through `advanceTo`/`runFor`, which fire due timers in order and let
 * promise chains settle between timers, so async call flows run as they would in real time.
 */
export class VirtualClock implements Clock {
  private current: number;
  private seq = 0;
  private readonly queue: { at: number; seq: number; id: number; fn: () => void }[] = [];
  private readonly cancelled = new Set<number>();
  private nextId = 0;

  constructor(start = 0) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  schedule(at: number, fn: () => void): TimerHandle {
    const id = ++this.nextId;
    const item = { at: Math.max(at, this.current), seq: ++this.seq, id, fn };
    // Insert keeping (at, seq) order; timers are mostly appended near the end.
    let i = this.queue.length;
    while (i > 0) {
      const prev = this.queue[i - 1]!;
      if (prev.at < item.at || (prev.at === item.at && prev.seq < item.seq)) break;
      i--;
    }
    this.queue.splice(i, 0, item);
    return { id };
  }

  cancel(handle: TimerHandle): void {
    this.cancelled.add(handle.id);
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return sleepOn(this, ms, signal);
  }

  /** How many timers are pending (cancelled ones excluded). */
  get pending(): number {
    let n = 0;
    for (const t of this.queue) if (!this.cancelled.has(t.id)) n++;
    return n;
  }

  /** Fire every timer due up to `at`, settling promise chains after each, then set now = at. */
  async advanceTo(at: number): Promise<void> {
    await settle();
    for (;;) {
      const head = this.queue[0];
      if (!head || head.at > at) break;
      this.queue.shift();
      if (this.cancelled.delete(head.id)) continue;
      this.current = head.at;
      head.fn();
      await settle();
    }
    this.current = Math.max(this.current, at);
    await settle();
  }

  runFor(ms: number): Promise<void> {
    return this.advanceTo(this.current + ms);
  }

  /** Run until no timer is left (bounded by `limit` ms of virtual time). */
  async runAll(limit = 24 * 3600_000): Promise<void> {
    const end = this.current + limit;
    while (this.queue.length > 0 && this.queue[0]!.at <= end) {
      await this.advanceTo(this.queue[0]!.at);
    }
  }
}

/** Let queued promise reactions and immediates run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}
