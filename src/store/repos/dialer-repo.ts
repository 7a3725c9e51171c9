/** Dialer campaigns, members, attempts (with the CDR of an attempt no call session wrote one for) and do-not-call lists (migration 009). */
import type { Database } from '../db.js';
import type { Cdr } from '../../domain/cdr.js';
import type { CdrRepo } from './cdr-repo.js';
import { orderCommunications, type AttemptOutcome, type Campaign, type Communication, type DialerState, type MemberInput } from '../../dialer/campaign.js';

export interface DialerRow {
  id: string;
  config: Campaign;
  state: DialerState;
  createdAt: number;
  updatedAt: number;
}

export type MemberState = 'waiting' | 'dialing' | 'done';

export interface MemberRow {
  id: number;
  dialerId: string;
  name: string | null;
  priority: number;
  expireAt: number | null;
  bucket: string | null;
  timezone: string | null;
  variables: Record<string, string>;
  /** In the order they are tried. */
  communications: Communication[];
  state: MemberState;
  result: string | null;
  attempts: number;
  nextComm: number;
  nextAt: number;
}

export interface AttemptRow {
  id: number;
  dialerId: string;
  memberId: number;
  commIndex: number;
  destination: string;
  callId: string;
  startedAt: number;
  answeredAt: number | null;
  endedAt: number | null;
  outcome: AttemptOutcome | null;
  cause: string | null;
  agentId: string | null;
  amd: string | null;
}

interface RawMember {
  id: number;
  dialer_id: string;
  name: string | null;
  priority: number;
  expire_at: number | null;
  bucket: string | null;
  timezone: string | null;
  variables: string;
  communications: string;
  state: MemberState;
  result: string | null;
  attempts: number;
  next_comm: number;
  next_at: number;
}

interface RawAttempt {
  id: number;
  dialer_id: string;
  member_id: number;
  comm_index: number;
  destination: string;
  call_id: string;
  started_at: number;
  answered_at: number | null;
  ended_at: number | null;
  outcome: AttemptOutcome | null;
  cause: string | null;
  agent_id: string | null;
  amd: string | null;
}

const member = (r: RawMember): MemberRow => ({
  id: r.id,
  dialerId: r.dialer_id,
  name: r.name,
  priority: r.priority,
  expireAt: r.expire_at,
  bucket: r.bucket,
  timezone: r.timezone,
  variables: JSON.parse(r.variables) as Record<string, string>,
  communications: JSON.parse(r.communications) as Communication[],
  state: r.state,
  result: r.result,
  attempts: r.attempts,
  nextComm: r.next_comm,
  nextAt: r.next_at,
});

const attempt = (r: RawAttempt): AttemptRow => ({
  id: r.id,
  dialerId: r.dialer_id,
  memberId: r.member_id,
  commIndex: r.comm_index,
  destination: r.destination,
  callId: r.call_id,
  startedAt: r.started_at,
  answeredAt: r.answered_at,
  endedAt: r.ended_at,
  outcome: r.outcome,
  cause: r.cause,
  agentId: r.agent_id,
  amd: r.amd,
});

export interface AttemptEnd {
  answeredAt: number | null;
  endedAt: number;
  outcome: AttemptOutcome;
  cause: string | null;
  agentId: string | null;
  amd: string | null;
}

export interface MemberNext {
  state: MemberState;
  result: string | null;
  attempts: number;
  nextComm: number;
  nextAt: number;
}

export interface DialerStats {
  members: Record<MemberState, number>;
  attempts: number;
  /** Attempts a customer answered (a person or a machine). */
  reached: number;
  answered: number;
  abandoned: number;
  machine: number;
}

export interface DialerRepo {
  create(config: Campaign, now: number): DialerRow;
  update(config: Campaign, now: number): void;
  get(id: string): DialerRow | undefined;
  list(): DialerRow[];
  remove(id: string): boolean;
  setState(id: string, state: DialerState, now: number): void;
  /** All members of one request in one transaction: all stored or none. Returns their ids. */
  addMembers(dialerId: string, items: MemberInput[], now: number): number[];
  member(id: number): MemberRow | undefined;
  members(dialerId: string, page: { limit: number; offset: number; state?: MemberState }): { items: MemberRow[]; total: number };
  /** Waiting members due by `now`, not expired: higher priority first, then the earliest due. */
  due(dialerId: string, now: number, limit: number): MemberRow[];
  /** Waiting members whose expire_at passed become done/expired; returns how many. */
  expire(dialerId: string, now: number): number;
  /** Take a member for dialing: true only if it was waiting (never dialled twice at once). */
  claim(memberId: number, now: number): boolean;
  /** Start an attempt (durable before the PBX is asked to dial); returns its id. */
  startAttempt(a: { dialerId: string; memberId: number; commIndex: number; destination: string; callId: string; startedAt: number }): number;
  /** The attempt's end, the member's next step and the attempt's CDR (when no call session wrote one), in one transaction. */
  endAttempt(attemptId: number, end: AttemptEnd, memberId: number, next: MemberNext, now: number, cdr?: Cdr): void;
  attempt(id: number): AttemptRow | undefined;
  attempts(dialerId: string, page: { limit: number; offset: number; memberId?: number }): { items: AttemptRow[]; total: number };
  /** Members left `dialing` by a crash go back to waiting; their open attempts end as failed. */
  recover(now: number): number;
  stats(dialerId: string): DialerStats;
  /** Attempts the customer answered (a person or a machine), and those ending `answered`, since `since`. */
  answeredSince(dialerId: string, since: number): { reached: number; contacts: number };
  dncAdd(scope: string, numbers: string[], now: number): void;
  dncRemove(scope: string, number: string): boolean;
  dncList(scope: string): string[];
  /** On the campaign's list or the global one ('*'). */
  dncHas(dialerId: string, number: string): boolean;
}

export function createDialerRepo(db: Database, cdrs: Pick<CdrRepo, 'insert'>): DialerRepo {
  const insertDialer = db.prepare('INSERT INTO dialers (id, config, state, created_at, updated_at) VALUES (?, ?, \'stopped\', ?, ?)');
  const updateDialer = db.prepare('UPDATE dialers SET config = ?, updated_at = ? WHERE id = ?');
  const getDialer = db.prepare<[string], { id: string; config: string; state: DialerState; created_at: number; updated_at: number }>('SELECT * FROM dialers WHERE id = ?');
  const listDialers = db.prepare<[], { id: string; config: string; state: DialerState; created_at: number; updated_at: number }>('SELECT * FROM dialers ORDER BY id');
  const deleteDialer = db.prepare<[string]>('DELETE FROM dialers WHERE id = ?');
  const setState = db.prepare('UPDATE dialers SET state = ?, updated_at = ? WHERE id = ?');
  const insertMember = db.prepare(
    'INSERT INTO dialer_members (dialer_id, name, priority, expire_at, bucket, timezone, variables, communications, state, next_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, \'waiting\', ?, ?, ?)',
  );
  const getMember = db.prepare<[number], RawMember>('SELECT * FROM dialer_members WHERE id = ?');
  const pageMembers = db.prepare<[string, number, number], RawMember>('SELECT * FROM dialer_members WHERE dialer_id = ? ORDER BY id LIMIT ? OFFSET ?');
  const pageMembersState = db.prepare<[string, string, number, number], RawMember>('SELECT * FROM dialer_members WHERE dialer_id = ? AND state = ? ORDER BY id LIMIT ? OFFSET ?');
  const countMembers = db.prepare<[string], { n: number }>('SELECT COUNT(*) AS n FROM dialer_members WHERE dialer_id = ?');
  const countMembersState = db.prepare<[string, string], { n: number }>('SELECT COUNT(*) AS n FROM dialer_members WHERE dialer_id = ? AND state = ?');
  const dueMembers = db.prepare<[string, number, number, number], RawMember>(
    "SELECT * FROM dialer_members WHERE dialer_id = ? AND state = 'waiting' AND next_at <= ? AND (expire_at IS NULL OR expire_at > ?) ORDER BY priority DESC, next_at, id LIMIT ?",
  );
  const expireMembers = db.prepare("UPDATE dialer_members SET state = 'done', result = 'expired', updated_at = ? WHERE dialer_id = ? AND state = 'waiting' AND expire_at IS NOT NULL AND expire_at <= ?");
  const claimMember = db.prepare("UPDATE dialer_members SET state = 'dialing', updated_at = ? WHERE id = ? AND state = 'waiting'");
  const insertAttempt = db.prepare('INSERT INTO dialer_attempts (dialer_id, member_id, comm_index, destination, call_id, started_at) VALUES (?, ?, ?, ?, ?, ?)');
  const finishAttempt = db.prepare('UPDATE dialer_attempts SET answered_at = ?, ended_at = ?, outcome = ?, cause = ?, agent_id = ?, amd = ? WHERE id = ?');
  const moveMember = db.prepare('UPDATE dialer_members SET state = ?, result = ?, attempts = ?, next_comm = ?, next_at = ?, updated_at = ? WHERE id = ?');
  const getAttempt = db.prepare<[number], RawAttempt>('SELECT * FROM dialer_attempts WHERE id = ?');
  const pageAttempts = db.prepare<[string, number, number], RawAttempt>('SELECT * FROM dialer_attempts WHERE dialer_id = ? ORDER BY id LIMIT ? OFFSET ?');
  const pageAttemptsMember = db.prepare<[string, number, number, number], RawAttempt>('SELECT * FROM dialer_attempts WHERE dialer_id = ? AND member_id = ? ORDER BY id LIMIT ? OFFSET ?');
  const countAttempts = db.prepare<[string], { n: number }>('SELECT COUNT(*) AS n FROM dialer_attempts WHERE dialer_id = ?');
  const countAttemptsMember = db.prepare<[string, number], { n: number }>('SELECT COUNT(*) AS n FROM dialer_attempts WHERE dialer_id = ? AND member_id = ?');
  const openAttempts = db.prepare("UPDATE dialer_attempts SET ended_at = ?, outcome = 'failed', cause = 'interrupted' WHERE ended_at IS NULL");
  const strandedMembers = db.prepare("UPDATE dialer_members SET state = 'waiting', updated_at = ? WHERE state = 'dialing'");
  const memberCounts = db.prepare<[string], { state: MemberState; n: number }>('SELECT state, COUNT(*) AS n FROM dialer_members WHERE dialer_id = ? GROUP BY state');
  const attemptCounts = db.prepare<[string], { outcome: string | null; n: number }>('SELECT outcome, COUNT(*) AS n FROM dialer_attempts WHERE dialer_id = ? GROUP BY outcome');
  const reachedCount = db.prepare<[string], { n: number }>('SELECT COUNT(*) AS n FROM dialer_attempts WHERE dialer_id = ? AND answered_at IS NOT NULL');
  const reachedSince = db.prepare<[number, string, number], { reached: number; contacts: number }>(
    "SELECT COUNT(*) AS reached, COALESCE(SUM(outcome = 'answered'), 0) AS contacts FROM dialer_attempts WHERE answered_at IS NOT NULL AND ended_at >= ? AND dialer_id = ? AND started_at >= ? - 86400000",
  );
  const dncInsert = db.prepare('INSERT OR IGNORE INTO dialer_dnc (scope, number, added_at) VALUES (?, ?, ?)');
  const dncDelete = db.prepare<[string, string]>('DELETE FROM dialer_dnc WHERE scope = ? AND number = ?');
  const dncAll = db.prepare<[string], { number: string }>('SELECT number FROM dialer_dnc WHERE scope = ? ORDER BY number');
  const dncFind = db.prepare<[string, string], { n: number }>("SELECT COUNT(*) AS n FROM dialer_dnc WHERE scope IN (?, '*') AND number = ?");

  const dialerRow = (r: { id: string; config: string; state: DialerState; created_at: number; updated_at: number }): DialerRow => ({
    id: r.id,
    config: JSON.parse(r.config) as Campaign,
    state: r.state,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  });

  const addMembers = db.transaction((dialerId: string, items: MemberInput[], now: number): number[] =>
    items.map((m) => {
      const comms = orderCommunications(m.communications);
      const info = insertMember.run(dialerId, m.name ?? null, m.priority, m.expire_at ?? null, m.bucket?.id ?? null, m.timezone ?? null, JSON.stringify(m.variables ?? {}), JSON.stringify(comms), now, now, now);
      return Number(info.lastInsertRowid);
    }),
  );
  const endAttempt = db.transaction((attemptId: number, end: AttemptEnd, memberId: number, next: MemberNext, now: number, cdr: Cdr | undefined) => {
    finishAttempt.run(end.answeredAt, end.endedAt, end.outcome, end.cause, end.agentId, end.amd, attemptId);
    moveMember.run(next.state, next.result, next.attempts, next.nextComm, next.nextAt, now, memberId);
    if (cdr) cdrs.insert(cdr);
  });
  const recover = db.transaction((now: number) => {
    openAttempts.run(now);
    return strandedMembers.run(now).changes;
  });
  const dncAddAll = db.transaction((scope: string, numbers: string[], now: number) => {
    for (const n of numbers) dncInsert.run(scope, n, now);
  });

  return {
    create(config, now) {
      insertDialer.run(config.id, JSON.stringify(config), now, now);
      return { id: config.id, config, state: 'stopped', createdAt: now, updatedAt: now };
    },
    update(config, now) {
      updateDialer.run(JSON.stringify(config), now, config.id);
    },
    get(id) {
      const r = getDialer.get(id);
      return r ? dialerRow(r) : undefined;
    },
    list: () => listDialers.all().map(dialerRow),
    remove: (id) => deleteDialer.run(id).changes > 0,
    setState(id, state, now) {
      setState.run(state, now, id);
    },
    addMembers: (dialerId, items, now) => addMembers(dialerId, items, now),
    member(id) {
      const r = getMember.get(id);
      return r ? member(r) : undefined;
    },
    members(dialerId, { limit, offset, state }) {
      const items = (state ? pageMembersState.all(dialerId, state, limit, offset) : pageMembers.all(dialerId, limit, offset)).map(member);
      const total = (state ? countMembersState.get(dialerId, state) : countMembers.get(dialerId))?.n ?? 0;
      return { items, total };
    },
    due: (dialerId, now, limit) => dueMembers.all(dialerId, now, now, limit).map(member),
    expire: (dialerId, now) => expireMembers.run(now, dialerId, now).changes,
    claim: (memberId, now) => claimMember.run(now, memberId).changes === 1,
    startAttempt: (a) => Number(insertAttempt.run(a.dialerId, a.memberId, a.commIndex, a.destination, a.callId, a.startedAt).lastInsertRowid),
    endAttempt: (attemptId, end, memberId, next, now, cdr) => endAttempt(attemptId, end, memberId, next, now, cdr),
    attempt(id) {
      const r = getAttempt.get(id);
      return r ? attempt(r) : undefined;
    },
    attempts(dialerId, { limit, offset, memberId }) {
      const items = (memberId !== undefined ? pageAttemptsMember.all(dialerId, memberId, limit, offset) : pageAttempts.all(dialerId, limit, offset)).map(attempt);
      const total = (memberId !== undefined ? countAttemptsMember.get(dialerId, memberId) : countAttempts.get(dialerId))?.n ?? 0;
      return { items, total };
    },
    recover: (now) => recover(now),
    stats(dialerId) {
      const members: Record<MemberState, number> = { waiting: 0, dialing: 0, done: 0 };
      for (const r of memberCounts.all(dialerId)) members[r.state] = r.n;
      const by = new Map(attemptCounts.all(dialerId).map((r) => [r.outcome, r.n]));
      const attempts = [...by.values()].reduce((s, n) => s + n, 0);
      return { members, attempts, reached: reachedCount.get(dialerId)?.n ?? 0, answered: by.get('answered') ?? 0, abandoned: by.get('abandoned') ?? 0, machine: by.get('machine') ?? 0 };
    },
    answeredSince(dialerId, since) {
      const r = reachedSince.get(since, dialerId, since);
      return { reached: r?.reached ?? 0, contacts: r?.contacts ?? 0 };
    },
    dncAdd: (scope, numbers, now) => dncAddAll(scope, numbers, now),
    dncRemove: (scope, number) => dncDelete.run(scope, number).changes > 0,
    dncList: (scope) => dncAll.all(scope).map((r) => r.number),
    dncHas: (dialerId, number) => (dncFind.get(dialerId, number)?.n ?? 0) > 0,
  };
}
