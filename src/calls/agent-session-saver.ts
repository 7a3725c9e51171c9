/**
 * Persists an agent's login state (status, pause reason, hot-desk line, wrap-up end, DND) for a
 * restart, and only when something that survives a restart changed: ringing, on a call, idle
 * again write nothing.
 */
import type { AgentSessionRecord } from '../domain/journal.js';
import type { Logger } from '../infra/logger.js';
import type { AgentRec } from '../routing/types.js';

export class AgentSessionSaver {
  /** Per agent, what was last persisted. */
  private readonly saved = new Map<string, string>();

  constructor(
    private readonly store: { save(rec: AgentSessionRecord, at: number): void },
    private readonly log: Logger,
  ) {}

  /** What is saved already (a wrap-up keeps its original end through the restore). */
  remember(records: readonly AgentSessionRecord[]): void {
    for (const r of records) this.saved.set(r.agentId, savedKey(r, r.wrapupUntil !== null));
  }

  /** Write `a`'s state if it changed; a wrap-up ends `wrapupMs` from `now`. */
  save(a: AgentRec, line: string | null, wrapupMs: number, now: number): void {
    const inWrapup = a.activity === 'wrapup';
    const rec: AgentSessionRecord = {
      agentId: a.id,
      status: a.removed ? 'loggedOut' : a.status,
      pauseReason: a.status === 'paused' ? (a.pauseReason ?? '') : null,
      line,
      wrapupUntil: null,
      ...(a.dnd ? { dnd: true } : {}),
    };
    const key = savedKey(rec, inWrapup);
    if (this.saved.get(a.id) === key) return;
    if (inWrapup) rec.wrapupUntil = now + wrapupMs;
    try {
      this.store.save(rec, now);
      this.saved.set(a.id, key);
    } catch (err) {
      this.log.error({ err, agentId: a.id }, 'agent session write failed');
    }
  }
}

/** What of an agent's state survives a restart, as a comparable key. */
function savedKey(r: AgentSessionRecord, inWrapup: boolean): string {
  return JSON.stringify([r.status, r.pauseReason, r.line, inWrapup, r.dnd === true]);
}
