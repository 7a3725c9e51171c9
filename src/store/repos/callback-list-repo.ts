/** Callback lists, periods, requests and tickets (seed 002) in SQLite. */
import type { CallbackList, CallbackPeriod, CallbackRequest, CallbackTicket, TicketStatus } from '../../domain/callback-list.js';
import type { Database } from '../db.js';

export interface NewRequest {
  uuid: string;
  listUuid: string;
  phoneNumber: string | null;
  mobilePhoneNumber: string | null;
  firstName: string | null;
  lastName: string | null;
  company: string | null;
  description: string | null;
  dueDate: string | null;
  periodUuid: string | null;
  parentCallId?: string | null;
  /** When that call entered its queue (a callback's wait counts from there). */
  parentEnqueuedAt?: number | null;
  message?: string | null;
  messageMs?: number | null;
}

/** An open request nobody holds, of an `auto` list: what the auto-list offerer looks at. */
export interface AutoCandidate {
  request: CallbackRequest;
  queueId: string;
  createdAt: number;
  /** When the call it was left from entered its queue, if any. */
  parentEnqueuedAt: number | null;
  /** The start of its last ticket (attempt) that reached the agent, if any (an agent's no-answer, or an attempt cut short by an engine restart, is not one). */
  lastAttemptAt: number | null;
}

export interface CallbackListRepo {
  createList(list: { uuid: string; name: string; queueId: string; auto?: boolean; periods: CallbackPeriod[] }, at: number): void;
  /** Lists with their open requests; of these queues when given. */
  lists(queueIds?: readonly string[]): CallbackList[];
  list(uuid: string): CallbackList | undefined;
  /** Insert requests in one transaction (all or none). */
  addRequests(requests: NewRequest[], at: number): void;
  request(uuid: string): (CallbackRequest & { closed: boolean; createdAt: number }) | undefined;
  /** Open requests nobody holds, of `auto` lists, oldest first. */
  autoCandidates(): AutoCandidate[];
  /** Hold the open request for the agent if nobody holds it; false otherwise. */
  take(uuid: string, agentId: string, at: number): boolean;
  /** Let go of a request the agent holds; false if it did not hold it. */
  release(uuid: string, agentId: string, at: number): boolean;
  /** Every request the agent holds is let go; their uuids. */
  releaseAll(agentId: string, at: number): string[];
  reschedule(uuid: string, dueDate: string | null, periodUuid: string | null, description: string | null, at: number): void;
  close(uuid: string, at: number): void;
  createTicket(t: CallbackTicket, at: number): void;
  ticket(uuid: string): CallbackTicket | undefined;
  updateTicket(uuid: string, status: TicketStatus, description: string | null, at: number): void;
  /** How the engine saw an attempt end (auto lists). */
  setTicketOutcome(uuid: string, outcome: string, at: number): void;
  /** The tickets of a request, oldest first. */
  tickets(requestUuid: string): CallbackTicket[];
}

interface ListRow { uuid: string; name: string; queue_id: string; auto: number }
interface PeriodRow { uuid: string; list_uuid: string; name: string; period_start: string; period_end: string; is_default: number }
interface RequestRow {
  uuid: string; list_uuid: string; phone_number: string | null; mobile_phone_number: string | null; first_name: string | null;
  last_name: string | null; company: string | null; description: string | null; due_date: string | null; period_uuid: string | null;
  agent_id: string | null; closed: number; parent_call_id: string | null; parent_enqueued_at: number | null; message: string | null; message_ms: number | null; created_at: number;
}
interface TicketRow { uuid: string; request_uuid: string; agent_id: string; phone_number: string; call_id: string | null; status: TicketStatus | null; description: string | null; outcome: string | null }

export function createCallbackListRepo(db: Database): CallbackListRepo {
  const insList = db.prepare('INSERT INTO callback_lists (uuid, name, queue_id, auto, created_at) VALUES (?, ?, ?, ?, ?)');
  const insPeriod = db.prepare('INSERT INTO callback_periods (uuid, list_uuid, name, period_start, period_end, is_default) VALUES (?, ?, ?, ?, ?, ?)');
  const selLists = db.prepare<[], ListRow>('SELECT uuid, name, queue_id, auto FROM callback_lists ORDER BY created_at, uuid');
  const selPeriods = db.prepare<[], PeriodRow>('SELECT * FROM callback_periods ORDER BY rowid');
  const selOpen = db.prepare<[], RequestRow>('SELECT * FROM callback_requests WHERE closed = 0 ORDER BY due_date IS NULL, due_date, created_at, uuid');
  const selRequest = db.prepare<[string], RequestRow>('SELECT * FROM callback_requests WHERE uuid = ?');
  const insRequest = db.prepare(`INSERT INTO callback_requests (uuid, list_uuid, phone_number, mobile_phone_number, first_name, last_name, company,
    description, due_date, period_uuid, parent_call_id, parent_enqueued_at, message, message_ms, created_at, updated_at) VALUES (@uuid, @listUuid,
    @phoneNumber, @mobilePhoneNumber, @firstName, @lastName, @company, @description, @dueDate, @periodUuid, @parentCallId, @parentEnqueuedAt,
    @message, @messageMs, @at, @at)`);
  const selAuto = db.prepare<[], RequestRow & { queue_id: string; last_attempt_at: number | null }>(`SELECT r.*, l.queue_id,
    (SELECT MAX(t.started_at) FROM callback_tickets t WHERE t.request_uuid = r.uuid
      AND (t.outcome IS NULL OR t.outcome NOT IN ('agent-no-answer', 'interrupted'))) AS last_attempt_at
    FROM callback_requests r JOIN callback_lists l ON l.uuid = r.list_uuid
    WHERE l.auto = 1 AND r.closed = 0 AND r.agent_id IS NULL ORDER BY r.created_at, r.uuid`);
  const updOutcome = db.prepare('UPDATE callback_tickets SET outcome = ?, updated_at = ? WHERE uuid = ?');
  const selTickets = db.prepare<[string], TicketRow>('SELECT * FROM callback_tickets WHERE request_uuid = ? ORDER BY started_at, rowid');
  const takeStmt = db.prepare('UPDATE callback_requests SET agent_id = ?, updated_at = ? WHERE uuid = ? AND agent_id IS NULL AND closed = 0');
  const releaseStmt = db.prepare('UPDATE callback_requests SET agent_id = NULL, updated_at = ? WHERE uuid = ? AND agent_id = ?');
  const heldBy = db.prepare<[string], { uuid: string }>('SELECT uuid FROM callback_requests WHERE agent_id = ? AND closed = 0');
  const releaseAllStmt = db.prepare('UPDATE callback_requests SET agent_id = NULL, updated_at = ? WHERE agent_id = ? AND closed = 0');
  const rescheduleStmt = db.prepare('UPDATE callback_requests SET due_date = ?, period_uuid = ?, description = COALESCE(?, description), agent_id = NULL, updated_at = ? WHERE uuid = ?');
  const closeStmt = db.prepare('UPDATE callback_requests SET closed = 1, agent_id = NULL, updated_at = ? WHERE uuid = ?');
  const insTicket = db.prepare(`INSERT INTO callback_tickets (uuid, request_uuid, agent_id, phone_number, call_id, status, description, started_at, updated_at)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const selTicket = db.prepare<[string], TicketRow>('SELECT * FROM callback_tickets WHERE uuid = ?');
  const updTicket = db.prepare('UPDATE callback_tickets SET status = ?, description = ?, updated_at = ? WHERE uuid = ?');

  const periodOf = (r: PeriodRow): CallbackPeriod => ({ uuid: r.uuid, name: r.name, periodStart: r.period_start, periodEnd: r.period_end, default: r.is_default === 1 });
  const requestOf = (r: RequestRow, periods: Map<string, CallbackPeriod>): CallbackRequest => ({
    uuid: r.uuid, listUuid: r.list_uuid, phoneNumber: r.phone_number, mobilePhoneNumber: r.mobile_phone_number, firstName: r.first_name,
    lastName: r.last_name, company: r.company, description: r.description, agentId: r.agent_id, dueDate: r.due_date,
    preferredPeriod: r.period_uuid ? (periods.get(r.period_uuid) ?? null) : null,
    parentCallId: r.parent_call_id, message: r.message, messageMs: r.message_ms,
  });
  const ticketOf = (r: TicketRow): CallbackTicket => ({
    uuid: r.uuid, requestUuid: r.request_uuid, agentId: r.agent_id, phoneNumber: r.phone_number, callId: r.call_id, status: r.status, description: r.description, outcome: r.outcome,
  });
  const allLists = (): CallbackList[] => {
    const periods = selPeriods.all();
    const byUuid = new Map(periods.map((p) => [p.uuid, periodOf(p)]));
    const open = selOpen.all();
    return selLists.all().map((l) => ({
      uuid: l.uuid,
      name: l.name,
      queueId: l.queue_id,
      auto: l.auto === 1,
      periods: periods.filter((p) => p.list_uuid === l.uuid).map(periodOf),
      callbacks: open.filter((r) => r.list_uuid === l.uuid).map((r) => requestOf(r, byUuid)),
    }));
  };
  const createList = db.transaction((list: { uuid: string; name: string; queueId: string; auto?: boolean; periods: CallbackPeriod[] }, at: number) => {
    insList.run(list.uuid, list.name, list.queueId, list.auto ? 1 : 0, at);
    for (const p of list.periods) insPeriod.run(p.uuid, list.uuid, p.name, p.periodStart, p.periodEnd, p.default ? 1 : 0);
  });
  const addRequests = db.transaction((requests: NewRequest[], at: number) => {
    for (const r of requests) insRequest.run({ parentCallId: null, parentEnqueuedAt: null, message: null, messageMs: null, ...r, at });
  });
  const releaseAll = db.transaction((agentId: string, at: number) => {
    const held = heldBy.all(agentId).map((r) => r.uuid);
    releaseAllStmt.run(at, agentId);
    return held;
  });

  return {
    createList: (list, at) => createList(list, at),
    lists: (queueIds) => allLists().filter((l) => !queueIds || queueIds.includes(l.queueId)),
    list: (uuid) => allLists().find((l) => l.uuid === uuid),
    addRequests: (requests, at) => addRequests(requests, at),
    request: (uuid) => {
      const r = selRequest.get(uuid);
      if (!r) return undefined;
      const byUuid = new Map(selPeriods.all().map((p) => [p.uuid, periodOf(p)]));
      return { ...requestOf(r, byUuid), closed: r.closed === 1, createdAt: r.created_at };
    },
    autoCandidates: () => {
      const byUuid = new Map(selPeriods.all().map((p) => [p.uuid, periodOf(p)]));
      return selAuto.all().map((r) => ({ request: requestOf(r, byUuid), queueId: r.queue_id, createdAt: r.created_at, parentEnqueuedAt: r.parent_enqueued_at, lastAttemptAt: r.last_attempt_at }));
    },
    take: (uuid, agentId, at) => takeStmt.run(agentId, at, uuid).changes === 1,
    release: (uuid, agentId, at) => releaseStmt.run(at, uuid, agentId).changes === 1,
    releaseAll: (agentId, at) => releaseAll(agentId, at),
    reschedule: (uuid, dueDate, periodUuid, description, at) => void rescheduleStmt.run(dueDate, periodUuid, description, at, uuid),
    close: (uuid, at) => void closeStmt.run(at, uuid),
    createTicket: (t, at) => void insTicket.run(t.uuid, t.requestUuid, t.agentId, t.phoneNumber, t.callId, t.status, t.description, at, at),
    ticket: (uuid) => {
      const r = selTicket.get(uuid);
      return r && ticketOf(r);
    },
    updateTicket: (uuid, status, description, at) => void updTicket.run(status, description, at, uuid),
    setTicketOutcome: (uuid, outcome, at) => void updOutcome.run(outcome, at, uuid),
    tickets: (requestUuid) => selTickets.all(requestUuid).map(ticketOf),
  };
}
