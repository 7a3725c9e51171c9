/**
 * A queue's waiting list, part of the pure core: one heap per caller priority (first come, first
 * served), the per-priority counts, and a call's position among the calls of its queue.
 */
import { MinHeap } from './heap.js';
import type { CallRec, HeapEntry, QueueRec } from './types.js';

/** First come, first served: by enqueue time (a call restored after a restart keeps its original one), then arrival order. */
const heapLess = (x: HeapEntry, y: HeapEntry) => x.call.enqueuedAt < y.call.enqueuedAt || (x.call.enqueuedAt === y.call.enqueuedAt && x.call.seq < y.call.seq);

export function pushWaiting(q: QueueRec, call: CallRec): void {
  let heap = q.heaps.get(call.priority);
  if (!heap) {
    heap = new MinHeap<HeapEntry>(heapLess);
    q.heaps.set(call.priority, heap);
    q.levels.push(call.priority);
    q.levels.sort((x, y) => y - x);
  }
  call.heapGen += 1;
  heap.push({ call, gen: call.heapGen });
}

export function incLevel(q: QueueRec, priority: number): void {
  q.levelCounts.set(priority, (q.levelCounts.get(priority) ?? 0) + 1);
}
export function decLevel(q: QueueRec, priority: number): void {
  q.levelCounts.set(priority, (q.levelCounts.get(priority) ?? 1) - 1);
}
/** Calls in the queue with this caller priority or a higher one. */
export function countAtOrAbove(q: QueueRec, priority: number): number {
  let n = 0;
  for (const [p, c] of q.levelCounts) if (p >= priority) n += c;
  return n;
}

export const isLive = (e: HeapEntry) => e.call.state === 'waiting' && e.call.heapGen === e.gen;

/** 1-based position of a call among the calls of its queue (waiting or ringing). */
export function positionOf(q: QueueRec, call: CallRec): number {
  let ahead = 0;
  for (const c of q.calls) {
    if (c === call) continue;
    if (c.priority > call.priority || (c.priority === call.priority && c.seq < call.seq)) ahead++;
  }
  return ahead + 1;
}
