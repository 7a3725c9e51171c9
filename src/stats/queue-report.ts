import type { Cdr } from '../domain/cdr.js';

export interface QueueReport {
  queueId: string;
  /** Calls that entered the queue. */
  offered: number;
  answered: number;
  abandoned: number;
  /** Left at the maximum wait, or refused because nobody was logged in. */
  timedOut: number;
  avgWaitMs: number;
  longestWaitMs: number;
  /** Average wait of the answered calls (average speed of answer). */
  avgAnswerMs: number;
  /** Percentage of answered + abandoned calls answered within the queue's threshold. */
  serviceLevel: number;
}

/** Per-queue figures from CDRs; `thresholdMs` gives each queue's service-level threshold. */
export function queueReport(cdrs: readonly Cdr[], thresholdMs: (queueId: string) => number): QueueReport[] {
  const byQueue = new Map<string, Cdr[]>();
  for (const c of cdrs) {
    if (!c.queueId) continue;
    const list = byQueue.get(c.queueId) ?? [];
    list.push(c);
    byQueue.set(c.queueId, list);
  }
  return [...byQueue.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([queueId, list]) => {
      const answered = list.filter((c) => c.disposition === 'answered');
      const abandoned = list.filter((c) => c.disposition === 'abandoned');
      const waits = list.map((c) => c.waitMs ?? 0);
      const limit = thresholdMs(queueId);
      const inTime = answered.filter((c) => (c.waitMs ?? 0) <= limit).length;
      const base = answered.length + abandoned.length;
      return {
        queueId,
        offered: list.length,
        answered: answered.length,
        abandoned: abandoned.length,
        timedOut: list.filter((c) => c.disposition === 'timeout' || c.disposition === 'refused').length,
        avgWaitMs: Math.round(avg(waits)),
        longestWaitMs: waits.reduce((m, x) => Math.max(m, x), 0),
        avgAnswerMs: Math.round(avg(answered.map((c) => c.waitMs ?? 0))),
        serviceLevel: base === 0 ? 100 : round1((100 * inTime) / base),
      };
    });
}

const avg = (xs: number[]) => (xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length);
const round1 = (x: number) => Math.round(x * 10) / 10;
