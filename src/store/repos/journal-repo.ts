import type { AgentSessionRecord, CallJournal } from '../../domain/journal.js';
import type { Database } from '../db.js';

export interface JournalRepo {
  /** Insert or replace a live call's journal. */
  save(entry: CallJournal, at: number): void;
  remove(callId: string): void;
  get(callId: string): CallJournal | undefined;
  all(): CallJournal[];
}

export interface AgentSessionRepo {
  save(rec: AgentSessionRecord, at: number): void;
  all(): AgentSessionRecord[];
  remove(agentId: string): void;
}

/** The live-call journal in `live_calls`: one row per live call, its JSON replaced at each step. */
export function createJournalRepo(db: Database): JournalRepo {
  const upsert = db.prepare<[string, string, number]>(
    `INSERT INTO live_calls (call_id, data, updated_at) VALUES (?, ?, ?)
     ON CONFLICT(call_id) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at`,
  );
  const del = db.prepare<[string]>('DELETE FROM live_calls WHERE call_id = ?');
  const list = db.prepare<[], { data: string }>('SELECT data FROM live_calls ORDER BY updated_at, call_id');
  const one = db.prepare<[string], { data: string }>('SELECT data FROM live_calls WHERE call_id = ?');
  return {
    save: (entry, at) => void upsert.run(entry.callId, JSON.stringify(entry), Math.round(at)),
    remove: (callId) => void del.run(callId),
    get: (callId) => {
      const row = one.get(callId);
      return row && (JSON.parse(row.data) as CallJournal);
    },
    all: () => list.all().map((r) => JSON.parse(r.data) as CallJournal),
  };
}

interface AgentSessionRow {
  agent_id: string;
  status: AgentSessionRecord['status'];
  pause_reason: string | null;
  line: string | null;
  wrapup_until: number | null;
  dnd: number;
}

/** Agents' login state in `agent_sessions`. */
export function createAgentSessionRepo(db: Database): AgentSessionRepo {
  const upsert = db.prepare<[string, string, string | null, string | null, number | null, number, number]>(
    `INSERT INTO agent_sessions (agent_id, status, pause_reason, line, wrapup_until, dnd, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT(agent_id) DO UPDATE SET status = excluded.status, pause_reason = excluded.pause_reason,
       line = excluded.line, wrapup_until = excluded.wrapup_until, dnd = excluded.dnd, updated_at = excluded.updated_at`,
  );
  const list = db.prepare<[], AgentSessionRow>('SELECT agent_id, status, pause_reason, line, wrapup_until, dnd FROM agent_sessions ORDER BY agent_id');
  const del = db.prepare<[string]>('DELETE FROM agent_sessions WHERE agent_id = ?');
  return {
    save: (r, at) => void upsert.run(r.agentId, r.status, r.pauseReason, r.line, r.wrapupUntil === null ? null : Math.ceil(r.wrapupUntil), r.dnd ? 1 : 0, Math.round(at)),
    all: () => list.all().map((r) => ({ agentId: r.agent_id, status: r.status, pauseReason: r.pause_reason, line: r.line, wrapupUntil: r.wrapup_until, ...(r.dnd ? { dnd: true } : {}) })),
    remove: (agentId) => void del.run(agentId),
  };
}
