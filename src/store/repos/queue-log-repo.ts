import type { QueueLogEntry } from '../../domain/queue-log.js';
import type { Database } from '../db.js';
import type BetterSqlite3 from 'better-sqlite3';

export interface QueueLogFilter {
  queueId?: string;
  callId?: string;
  /** Inclusive lower bound on `at` (epoch ms). */
  from?: number;
  /** Exclusive upper bound on `at` (epoch ms). */
  to?: number;
}

export interface QueueLogRepo {
  /** Append entries in one transaction. */
  append(entries: QueueLogEntry[]): void;
  /** Entries matching every given filter, in the order they were appended. */
  list(filter?: QueueLogFilter): QueueLogEntry[];
}

interface QueueLogRow {
  at: number; call_id: string | null; queue_id: string; agent_id: string | null;
  event: QueueLogEntry['event']; data: string;
}

const CONDITIONS: Record<keyof QueueLogFilter, string> = {
  queueId: 'queue_id = @queueId',
  callId: 'call_id = @callId',
  from: 'at >= @from',
  to: 'at < @to',
};

/** The queue event log in the `queue_log` table. */
export function createQueueLogRepo(db: Database): QueueLogRepo {
  const insert = db.prepare<QueueLogRow>(`INSERT INTO queue_log (at, call_id, queue_id, agent_id, event, data)
    VALUES (@at, @call_id, @queue_id, @agent_id, @event, @data)`);
  const appendAll = db.transaction((entries: QueueLogEntry[]) => {
    for (const e of entries) {
      insert.run({
        at: e.at, call_id: e.callId, queue_id: e.queueId, agent_id: e.agentId, event: e.event,
        data: JSON.stringify(e.data),
      });
    }
  });

  // One statement per combination of filters, each prepared once on first use, so every shape can use an index.
  const selects = new Map<string, BetterSqlite3.Statement<QueueLogFilter, QueueLogRow>>();
  function selectFor(keys: (keyof QueueLogFilter)[]) {
    const shape = keys.join(',');
    let stmt = selects.get(shape);
    if (!stmt) {
      const where = keys.length ? `WHERE ${keys.map((k) => CONDITIONS[k]).join(' AND ')}` : '';
      stmt = db.prepare<QueueLogFilter, QueueLogRow>(
        `SELECT at, call_id, queue_id, agent_id, event, data FROM queue_log ${where} ORDER BY id`,
      );
      selects.set(shape, stmt);
    }
    return stmt;
  }

  return {
    append: (entries) => appendAll(entries),
    list: (filter = {}) => {
      const keys = (Object.keys(CONDITIONS) as (keyof QueueLogFilter)[]).filter((k) => filter[k] !== undefined);
      const params = Object.fromEntries(keys.map((k) => [k, filter[k]]));
      return selectFor(keys).all(params).map(fromRow);
    },
  };
}

function fromRow(r: QueueLogRow): QueueLogEntry {
  return {
    at: r.at, callId: r.call_id, queueId: r.queue_id, agentId: r.agent_id, event: r.event,
    data: JSON.parse(r.data) as QueueLogEntry['data'],
  };
}
