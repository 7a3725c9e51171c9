import { describe, expect, it } from 'vitest';
import type { Cdr, CdrSegment } from '../../src/domain/cdr.js';
import type { CallJournal } from '../../src/domain/journal.js';
import { openStore } from '../../src/store/store.js';

const draft = { callId: 'c1', legId: 'l1', direction: 'inbound', numberId: 'A', dialled: '1000', caller: '555', callerName: null, startedAt: 1, answeredAt: 2, ivrPath: null, language: 'en', queueId: 'q1', enqueuedAt: 3, waitMs: null, agentId: null, agentLegId: null, connectedAt: null, talkMs: null, holdMs: 0, hangupSide: null, hangupCause: null, recording: null, disposition: undefined, variables: { USR_x: 'y' }, segments: [] as CdrSegment[] } as const;

describe('journal store', () => {
  it('keeps one entry per live call, replaced at each step, at fractional virtual times too', () => {
    const store = openStore(':memory:');
    const e: CallJournal = { callId: 'c1', leg: 'l1', step: 'queued', priority: 2, cdr: { ...draft, variables: { ...draft.variables } } };
    store.journal.save({ ...e, step: 'arrived' }, 10.4);
    store.journal.save(e, 20.6);
    expect(store.journal.all()).toEqual([e]);
    store.close();
  });

  it('writes the CDR and drops the journal in one transaction: a failed CDR insert keeps the journal', () => {
    const store = openStore(':memory:');
    store.journal.save({ callId: 'c1', leg: 'l1', step: 'arrived', cdr: { ...draft, variables: {} } }, 1);
    const cdr = { ...draft, variables: {}, endedAt: 9, disposition: 'abandoned' } as Cdr;
    store.completeCall(cdr);
    expect(store.journal.all()).toEqual([]);
    expect(store.cdrs.all().map((c) => c.callId)).toEqual(['c1']);

    store.journal.save({ callId: 'c1', leg: 'l1', step: 'arrived', cdr: { ...draft, variables: {} } }, 1);
    expect(() => store.completeCall(cdr)).toThrow(); // same call id again: the insert fails
    expect(store.journal.all().map((j) => j.callId)).toEqual(['c1']);
    store.close();
  });

  it("persists agents' login state", () => {
    const store = openStore(':memory:');
    store.agentSessions.save({ agentId: 'a', status: 'paused', pauseReason: 'lunch', line: null, wrapupUntil: null }, 1);
    store.agentSessions.save({ agentId: 'b', status: 'ready', pauseReason: null, line: '1005', wrapupUntil: 1000.2 }, 1);
    expect(store.agentSessions.all()).toEqual([
      { agentId: 'a', status: 'paused', pauseReason: 'lunch', line: null, wrapupUntil: null },
      { agentId: 'b', status: 'ready', pauseReason: null, line: '1005', wrapupUntil: 1001 },
    ]);
    store.close();
  });
});
