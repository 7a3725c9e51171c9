/**
 * Is Asterisk itself alive, or only our event stream cut? When the ARI WebSocket closes, the
 * driver asks this watcher, which probes ARI over HTTP (GET /asterisk/info, short time-outs, a
 * few attempts within about a second) and keeps probing while the stream stays down:
 * - nothing answers (connection refused, no answer) → Asterisk is unreachable: lost;
 * - it answers with another startup time than at our last connection → it restarted: lost;
 * - it answers with the same startup time → alive; the client reconnects and the driver reconciles.
 * At each connection the watcher remembers Asterisk's startup time, and says whether it changed
 * (a restart the probes did not catch, e.g. a restart quicker than the first probe).
 * The decisions are the pure `verdictOf` / `restartedSince`; the class only sequences probes.
 */
import { PbxError } from '../port.js';
import type { AriClient } from './ari-client.js';

/** What one probe saw. */
export type ProbeAnswer = { reached: true; startupTime?: string } | { reached: false; reason: 'refused' | 'timeout' | 'error' };

export type Verdict = 'alive' | 'restarted' | 'unreachable';

/** One answered probe's verdict; undefined when the probe did not reach Asterisk (try again). */
export function verdictOf(known: string | undefined, answer: ProbeAnswer): Exclude<Verdict, 'unreachable'> | undefined {
  if (!answer.reached) return undefined;
  return restartedSince(known, answer.startupTime) ? 'restarted' : 'alive';
}

/** Asterisk restarted between two readings of its startup time (an unknown reading says nothing). */
export function restartedSince(before: string | undefined, now: string | undefined): boolean {
  return before !== undefined && now !== undefined && before !== now;
}

export interface LivenessOptions {
  /** One probe with this time-out (see `ariInfoProbe`). */
  probe: (timeoutMs: number) => Promise<ProbeAnswer>;
  /** Probes per round before concluding `unreachable` (default 3). */
  attempts?: number;
  /** Time-out of one probe (default 300 ms). */
  attemptTimeoutMs?: number;
  /** Pause between probes of a round (default 150 ms). */
  gapMs?: number;
  /** Pause between rounds while the stream stays down and Asterisk answers (default 1 s). */
  watchEveryMs?: number;
}

export class LivenessWatcher {
  private startupTime: string | undefined;
  private watch: { stopped: boolean; timer?: NodeJS.Timeout; wake?: () => void } | undefined;

  constructor(private readonly opts: LivenessOptions) {}

  /** Asterisk's startup time as read at the last connection. */
  get knownStartupTime(): string | undefined {
    return this.startupTime;
  }

  /**
   * The event stream is up: read and remember Asterisk's startup time. `restarted` when it
   * differs from the one read at the previous connection; `read` false when no probe answered
   * (the remembered time is kept).
   */
  async connected(timeoutMs = 2000): Promise<{ restarted: boolean; read: boolean }> {
    this.stopWatching();
    for (let i = 0; i < 2; i++) {
      const answer = await this.opts.probe(timeoutMs);
      if (answer.reached && answer.startupTime !== undefined) {
        const restarted = restartedSince(this.startupTime, answer.startupTime);
        this.startupTime = answer.startupTime;
        return { restarted, read: true };
      }
    }
    return { restarted: false, read: false };
  }

  /**
   * The event stream dropped: probe in rounds until Asterisk is found unreachable or restarted
   * (then `onLost` is called once and probing ends) or until `stopWatching()`.
   */
  startWatching(onLost: (why: 'unreachable' | 'restarted') => void): void {
    this.stopWatching();
    const watch: { stopped: boolean; timer?: NodeJS.Timeout; wake?: () => void } = { stopped: false };
    this.watch = watch;
    const pause = (ms: number) =>
      new Promise<void>((resolve) => {
        watch.wake = resolve;
        watch.timer = setTimeout(resolve, ms);
        watch.timer.unref?.();
      });
    const loop = async (): Promise<void> => {
      while (!watch.stopped) {
        const verdict = await this.round(pause, () => watch.stopped);
        if (watch.stopped) return;
        if (verdict !== 'alive') {
          watch.stopped = true;
          if (this.watch === watch) this.watch = undefined;
          onLost(verdict);
          return;
        }
        await pause(this.opts.watchEveryMs ?? 1000);
      }
    };
    void loop();
  }

  stopWatching(): void {
    const w = this.watch;
    if (!w) return;
    this.watch = undefined;
    w.stopped = true;
    if (w.timer) clearTimeout(w.timer);
    w.wake?.();
  }

  private async round(pause: (ms: number) => Promise<void>, stopped: () => boolean): Promise<Verdict> {
    const attempts = this.opts.attempts ?? 3;
    for (let i = 0; i < attempts && !stopped(); i++) {
      if (i > 0) await pause(this.opts.gapMs ?? 150);
      if (stopped()) break;
      const v = verdictOf(this.startupTime, await this.opts.probe(this.opts.attemptTimeoutMs ?? 300));
      if (v) return v;
    }
    return 'unreachable';
  }
}

/** The probe over ARI: GET /asterisk/info?only=status, outside the client's in-flight limit. */
export function ariInfoProbe(client: AriClient): (timeoutMs: number) => Promise<ProbeAnswer> {
  return async (timeoutMs) => {
    try {
      const info = await client.request<{ status?: { startup_time?: string } }>('GET', '/asterisk/info', { query: { only: 'status' }, timeoutMs, unqueued: true });
      const startupTime = info?.status?.startup_time;
      return startupTime ? { reached: true, startupTime } : { reached: true };
    } catch (err) {
      if (err instanceof PbxError) {
        if (err.code === 'TIMEOUT') return { reached: false, reason: 'timeout' };
        if (err.code === 'DISCONNECTED') return { reached: false, reason: 'refused' };
        // Asterisk's HTTP server answered, even if with an error: it is up.
        if (err.code === 'PROTOCOL') return { reached: true };
      }
      return { reached: false, reason: 'error' };
    }
  };
}
