import type { Cdr, CdrSegment } from '../../domain/cdr.js';
import type { Database } from '../db.js';

export interface CdrRange {
  /** Inclusive lower bound on startedAt (epoch ms). */
  from: number;
  /** Exclusive upper bound on startedAt (epoch ms). */
  to: number;
  /** Page size; default and maximum 100. */
  limit?: number;
  /** The `cursor` of the previous page. */
  cursor?: string;
}

export interface CdrPage {
  items: Cdr[];
  /** Pass back to get the next page; null on the last page. */
  cursor: string | null;
}

export interface CdrRepo {
  insert(cdr: Cdr): void;
  get(callId: string): Cdr | undefined;
  /** CDRs started in [from, to), ordered by startedAt then callId, a page at a time (keyset pagination). */
  listRange(range: CdrRange): CdrPage;
  /** Every CDR in the same order; for the demo and tests. */
  all(): Cdr[];
}

/** Thrown by `listRange` when the cursor was not produced by it. */
export class InvalidCursorError extends Error {
  readonly code = 'INVALID_CURSOR';
  constructor() {
    super('invalid cursor');
    this.name = 'InvalidCursorError';
  }
}

const MAX_LIMIT = 100;

interface CdrRow {
  call_id: string; leg_id: string; direction: Cdr['direction']; number_id: string | null; dialled: string;
  caller: string; caller_name: string | null; started_at: number; answered_at: number | null; ended_at: number;
  ivr_path: string | null; language: string | null; queue_id: string | null; enqueued_at: number | null;
  wait_ms: number | null; agent_id: string | null; agent_leg_id: string | null; connected_at: number | null;
  talk_ms: number | null; hold_ms: number; hangup_side: Cdr['hangupSide']; hangup_cause: string | null;
  recording: string | null; disposition: Cdr['disposition']; variables: string; segments: string;
  parent_call_id: string | null;
}

const COLUMNS: (keyof CdrRow)[] = [
  'call_id', 'leg_id', 'direction', 'number_id', 'dialled', 'caller', 'caller_name', 'started_at', 'answered_at',
  'ended_at', 'ivr_path', 'language', 'queue_id', 'enqueued_at', 'wait_ms', 'agent_id', 'agent_leg_id',
  'connected_at', 'talk_ms', 'hold_ms', 'hangup_side', 'hangup_cause', 'recording', 'disposition', 'variables',
  'segments', 'parent_call_id',
];

interface RangeParams { from: number; to: number; limit: number }
interface AfterParams extends RangeParams { afterStartedAt: number; afterCallId: string }

/** Call detail records in the `cdrs` table. */
export function createCdrRepo(db: Database): CdrRepo {
  const insertStmt = db.prepare<CdrRow>(
    `INSERT INTO cdrs (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map((c) => `@${c}`).join(', ')})`,
  );
  const getStmt = db.prepare<[string], CdrRow>('SELECT * FROM cdrs WHERE call_id = ?');
  const firstPage = db.prepare<RangeParams, CdrRow>(`SELECT * FROM cdrs
    WHERE started_at >= @from AND started_at < @to
    ORDER BY started_at, call_id LIMIT @limit`);
  const nextPage = db.prepare<AfterParams, CdrRow>(`SELECT * FROM cdrs
    WHERE started_at >= @from AND started_at < @to AND (started_at, call_id) > (@afterStartedAt, @afterCallId)
    ORDER BY started_at, call_id LIMIT @limit`);
  const allStmt = db.prepare<[], CdrRow>('SELECT * FROM cdrs ORDER BY started_at, call_id');

  return {
    insert: (cdr) => void insertStmt.run(toRow(cdr)),
    get: (callId) => {
      const row = getStmt.get(callId);
      return row && fromRow(row);
    },
    listRange: ({ from, to, limit, cursor }) => {
      const pageSize = Math.min(MAX_LIMIT, Math.max(1, Math.floor(limit ?? MAX_LIMIT)));
      // One extra row tells whether another page follows, so the last page has a null cursor.
      const params = { from, to, limit: pageSize + 1 };
      const rows = cursor === undefined ? firstPage.all(params) : nextPage.all({ ...params, ...decodeCursor(cursor) });
      const items = rows.slice(0, pageSize).map(fromRow);
      const last = items[items.length - 1];
      return { items, cursor: rows.length > pageSize && last ? encodeCursor(last) : null };
    },
    all: () => allStmt.all().map(fromRow),
  };
}

function encodeCursor(cdr: Cdr): string {
  return Buffer.from(JSON.stringify([cdr.startedAt, cdr.callId])).toString('base64url');
}

function decodeCursor(cursor: string): { afterStartedAt: number; afterCallId: string } {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidCursorError();
  }
  if (!Array.isArray(value) || value.length !== 2) throw new InvalidCursorError();
  const [afterStartedAt, afterCallId] = value as unknown[];
  if (typeof afterStartedAt !== 'number' || typeof afterCallId !== 'string') throw new InvalidCursorError();
  return { afterStartedAt, afterCallId };
}

function toRow(c: Cdr): CdrRow {
  return {
    call_id: c.callId, leg_id: c.legId, direction: c.direction, number_id: c.numberId, dialled: c.dialled,
    caller: c.caller, caller_name: c.callerName, started_at: c.startedAt, answered_at: c.answeredAt,
    ended_at: c.endedAt, ivr_path: c.ivrPath, language: c.language, queue_id: c.queueId, enqueued_at: c.enqueuedAt,
    wait_ms: c.waitMs, agent_id: c.agentId, agent_leg_id: c.agentLegId, connected_at: c.connectedAt,
    talk_ms: c.talkMs, hold_ms: c.holdMs, hangup_side: c.hangupSide, hangup_cause: c.hangupCause,
    recording: c.recording, disposition: c.disposition, variables: JSON.stringify(c.variables),
    segments: JSON.stringify(c.segments ?? []),
    parent_call_id: c.parentCallId ?? null,
  };
}

function fromRow(r: CdrRow): Cdr {
  return {
    callId: r.call_id, legId: r.leg_id, direction: r.direction, numberId: r.number_id, dialled: r.dialled,
    caller: r.caller, callerName: r.caller_name, startedAt: r.started_at, answeredAt: r.answered_at,
    endedAt: r.ended_at, ivrPath: r.ivr_path, language: r.language, queueId: r.queue_id, enqueuedAt: r.enqueued_at,
    waitMs: r.wait_ms, agentId: r.agent_id, agentLegId: r.agent_leg_id, connectedAt: r.connected_at,
    talkMs: r.talk_ms, holdMs: r.hold_ms, hangupSide: r.hangup_side, hangupCause: r.hangup_cause,
    recording: r.recording, disposition: r.disposition, variables: JSON.parse(r.variables) as Record<string, string>,
    segments: JSON.parse(r.segments) as CdrSegment[],
    ...(r.parent_call_id === null ? {} : { parentCallId: r.parent_call_id }),
  };
}
