/**
 * Estimated wait time per queue from live figures (seed 004 Ewt, EstimatedUpTimeAt): the average
 * handle time of answered calls (talk time plus the queue's wrap-up, a moving average) and the
 * agents staffed now. A caller at position p has p - 1 callers ahead, served `staffed` at a time:
 * floor((p - 1) / staffed) handle times, plus half a handle time (the residual of the calls in
 * progress) when no agent is free now. With nobody staffed, one agent is assumed.
 */
import type { Cdr } from '../domain/cdr.js';

/** Weight of the newest call in the moving average. */
const ALPHA = 0.2;
/** Handle time assumed before any call was answered in a queue. */
export const DEFAULT_HANDLE_MS = 180_000;

export class HandleTimes {
  private readonly avg = new Map<string, number>();

  /** A call ended: answered calls of a queue update its average handle time. */
  record(cdr: Pick<Cdr, 'queueId' | 'talkMs' | 'connectedAt'>, wrapupMs: number): void {
    if (!cdr.queueId || cdr.connectedAt === null || cdr.talkMs === null) return;
    const handle = cdr.talkMs + wrapupMs;
    const prev = this.avg.get(cdr.queueId);
    this.avg.set(cdr.queueId, prev === undefined ? handle : prev * (1 - ALPHA) + handle * ALPHA);
  }

  handleMs(queueId: string): number {
    return this.avg.get(queueId) ?? DEFAULT_HANDLE_MS;
  }
}

/** Estimated wait, ms, of a caller at 1-based `position` with `staffed` agents (`available` free now). */
export function estimateWaitMs(position: number, staffed: number, available: number, handleMs: number): number {
  if (position <= 0) return 0;
  const ahead = position - 1;
  if (available > ahead) return 0;
  const perRound = Math.max(1, staffed);
  return Math.floor(ahead / perRound) * handleMs + (available > 0 ? 0 : Math.round(handleMs / 2));
}
