/**
 * When to push QueueStatistics: every engine event that can move a queue's figures marks the queue
 * dirty (queue log, call ends, agent presence and reachability, membership); dirty queues are
 * flushed once per event-loop turn (or after `delayMs`), so a burst of changes costs one
 * computation per queue. Whether a client needs the message is the gateway's call (it sends only
 * figures that differ from what that client last received).
 */
import type { Engine } from '../../calls/engine.js';
import type { Logger } from '../../infra/logger.js';
import type { LiveStats, QueueStatistics } from '../../stats/live-stats.js';
import { on } from './engine-subscribe.js';

export interface QueueStatsFeedDeps {
  engine: Engine;
  stats: LiveStats;
  log: Logger;
  /** Coalescing window in ms; 0 (default) flushes on the next event-loop turn. */
  delayMs?: number;
  /** Skip the work while nobody listens. */
  wanted: () => boolean;
  publish: (stats: QueueStatistics) => void;
}

export interface QueueStatsFeed {
  /** Queues marked and not flushed yet. */
  readonly pending: number;
  close(): void;
}

export function createQueueStatsFeed(deps: QueueStatsFeedDeps): QueueStatsFeed {
  const { engine, stats, log } = deps;
  const delayMs = deps.delayMs ?? 0;
  const dirty = new Set<string>();
  let cancel: (() => void) | undefined;

  function flush(): void {
    cancel = undefined;
    if (!deps.wanted()) {
      dirty.clear();
      return;
    }
    const queues = [...dirty];
    dirty.clear();
    for (const queueId of queues) {
      const q = stats.queue(queueId);
      if (!q) continue;
      try {
        deps.publish(q);
      } catch (err) {
        log.error({ err, queueId }, 'queue statistics push failed');
      }
    }
  }

  function mark(queueId: string): void {
    if (!deps.wanted()) return;
    dirty.add(queueId);
    if (cancel) return;
    if (delayMs > 0) {
      const t = setTimeout(flush, delayMs);
      t.unref();
      cancel = () => clearTimeout(t);
    } else {
      const t = setImmediate(flush);
      t.unref();
      cancel = () => clearImmediate(t);
    }
  }

  /** The queues an agent belongs to; every queue when it has left the configuration. */
  function markAgent(agentId: string): void {
    const snap = engine.agentSnapshot(agentId);
    if (snap) for (const q of snap.queues) mark(q.queueId);
    else for (const q of engine.currentConfig.queues) mark(q.id);
  }

  const offs = [
    on(engine, 'queue.log', (e) => mark(e.queueId)),
    on(engine, 'call.ended', (cdr) => {
      if (cdr.queueId) mark(cdr.queueId);
    }),
    on(engine, 'agent.state', (e) => markAgent(e.agentId)),
    on(engine, 'agent.reachable', (e) => markAgent(e.agentId)),
    on(engine, 'member.changed', (e) => mark(e.queueId)),
  ];

  return {
    get pending() {
      return dirty.size;
    },
    close() {
      for (const off of offs) off();
      cancel?.();
      cancel = undefined;
      dirty.clear();
    },
  };
}
