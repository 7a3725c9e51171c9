/** Virtual waiters (seed 004) in the `virtual_waiters` table: one row per caller lined up. */
import type { ServiceState, VirtualWaiter, WaiterChannel, WaiterState } from '../../domain/virtual-queue.js';
import type { Database } from '../db.js';

export interface VirtualWaiterRepo {
  /** Insert or replace the whole record. */
  save(w: VirtualWaiter): void;
  get(id: string): VirtualWaiter | undefined;
  /** The newest waiter of this number on this line. */
  latest(lineId: string, phone: string): VirtualWaiter | undefined;
  /** Waiters in these states, oldest place first; all lines when `lineId` is undefined. */
  list(states: readonly WaiterState[], lineId?: string): VirtualWaiter[];
}

interface Row {
  id: string; line_id: string; phone: string; channel: WaiterChannel; source: string; lang: string | null;
  skills: string; properties: string; state: WaiterState; service_state: ServiceState | null; priority: number;
  enqueued_at: number; parent_call_id: string | null; attempts: number; next_attempt_at: number | null;
  ewt_s: number | null; estimated_up_at: number | null; notified_at: number | null; connected_at: number | null;
  agent_id: string | null; wait_time_when_up: number | null; created_at: number; updated_at: number;
}

const COLUMNS: (keyof Row)[] = [
  'id', 'line_id', 'phone', 'channel', 'source', 'lang', 'skills', 'properties', 'state', 'service_state', 'priority',
  'enqueued_at', 'parent_call_id', 'attempts', 'next_attempt_at', 'ewt_s', 'estimated_up_at', 'notified_at',
  'connected_at', 'agent_id', 'wait_time_when_up', 'created_at', 'updated_at',
];

export function createVirtualWaiterRepo(db: Database): VirtualWaiterRepo {
  const saveStmt = db.prepare<Row>(`INSERT OR REPLACE INTO virtual_waiters (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map((c) => `@${c}`).join(', ')})`);
  const getStmt = db.prepare<[string], Row>('SELECT * FROM virtual_waiters WHERE id = ?');
  const latestStmt = db.prepare<[string, string], Row>('SELECT * FROM virtual_waiters WHERE line_id = ? AND phone = ? ORDER BY created_at DESC, rowid DESC LIMIT 1');
  const allStmt = db.prepare<[], Row>('SELECT * FROM virtual_waiters ORDER BY enqueued_at, rowid');
  return {
    save: (w) => void saveStmt.run(toRow(w)),
    get: (id) => {
      const r = getStmt.get(id);
      return r && fromRow(r);
    },
    latest: (lineId, phone) => {
      const r = latestStmt.get(lineId, phone);
      return r && fromRow(r);
    },
    list: (states, lineId) =>
      allStmt
        .all()
        .filter((r) => states.includes(r.state) && (lineId === undefined || r.line_id === lineId))
        .map(fromRow),
  };
}

function toRow(w: VirtualWaiter): Row {
  return {
    id: w.id, line_id: w.lineId, phone: w.phone, channel: w.channel, source: w.source, lang: w.lang,
    // Names (seed 004 Skills), or name → level when the levels are known.
    skills: JSON.stringify(w.skillLevels ?? w.skills), properties: JSON.stringify(w.properties), state: w.state,
    service_state: w.serviceState, priority: w.priority, enqueued_at: w.enqueuedAt, parent_call_id: w.parentCallId,
    attempts: w.attempts, next_attempt_at: w.nextAttemptAt, ewt_s: w.ewtS, estimated_up_at: w.estimatedUpAt,
    notified_at: w.notifiedAt, connected_at: w.connectedAt, agent_id: w.agentId, wait_time_when_up: w.waitTimeWhenUp,
    created_at: w.createdAt, updated_at: w.updatedAt,
  };
}

function fromRow(r: Row): VirtualWaiter {
  const skills = JSON.parse(r.skills) as string[] | Record<string, number>;
  return {
    id: r.id, lineId: r.line_id, phone: r.phone, channel: r.channel, source: r.source, lang: r.lang,
    ...(Array.isArray(skills) ? { skills } : { skills: Object.keys(skills), skillLevels: skills }),
    properties: JSON.parse(r.properties) as Record<string, unknown>,
    state: r.state, serviceState: r.service_state, priority: r.priority, enqueuedAt: r.enqueued_at,
    parentCallId: r.parent_call_id, attempts: r.attempts, nextAttemptAt: r.next_attempt_at, ewtS: r.ewt_s,
    estimatedUpAt: r.estimated_up_at, notifiedAt: r.notified_at, connectedAt: r.connected_at, agentId: r.agent_id,
    waitTimeWhenUp: r.wait_time_when_up, createdAt: r.created_at, updatedAt: r.updated_at,
  };
}
