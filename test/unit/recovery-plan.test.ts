import { describe, expect, it } from 'vitest';
import { planRecovery } from '../../src/calls/recovery.js';
import type { CallJournal, CdrDraft } from '../../src/domain/journal.js';
import type { BridgeId, LegId, LiveLeg } from '../../src/pbx/port.js';

const draft = (callId: string, over: Partial<CdrDraft> = {}): CdrDraft => ({
  callId, legId: `leg-${callId}`, direction: 'inbound', numberId: 'B', dialled: '2000', caller: '555', callerName: null,
  startedAt: 1000, answeredAt: 1100, ivrPath: null, language: 'en', queueId: 'q1', enqueuedAt: 2000, waitMs: null,
  agentId: null, agentLegId: null, connectedAt: null, talkMs: null, holdMs: 0, hangupSide: null, hangupCause: null,
  recording: null, disposition: undefined, variables: {}, segments: [], ...over,
});
const entry = (callId: string, step: CallJournal['step'], over: Partial<CallJournal> = {}, cdr: Partial<CdrDraft> = {}): CallJournal => ({
  callId, leg: `leg-${callId}`, step, cdr: draft(callId, cdr), ...over,
});
const live = (leg: string, over: Partial<LiveLeg> = {}): LiveLeg => ({ leg: leg as LegId, role: 'inbound', answered: true, ...over });

describe('planRecovery', () => {
  it('resumes bridged calls first, then queued callers by original enqueue time, then the IVR', () => {
    const journal = [
      entry('ivr', 'ivr', {}, { enqueuedAt: null, startedAt: 500 }),
      entry('late', 'queued', { priority: 0 }, { enqueuedAt: 3000 }),
      entry('early', 'queued', { priority: 0 }, { enqueuedAt: 1500 }),
      entry('talk', 'bridged', { agentId: 'a', agentLeg: 'ag-talk', bridge: 'br-1' }, { connectedAt: 2500 }),
    ];
    const plan = planRecovery(journal, [live('leg-ivr'), live('leg-late'), live('leg-early'), live('leg-talk'), live('ag-talk', { role: 'agent' })], 10_000);
    expect(plan.resume.map((r) => [r.entry.callId, r.agentLegAlive])).toEqual([['talk', true], ['early', false], ['late', false], ['ivr', false]]);
    expect(plan.hangup).toEqual([]);
    expect(plan.completed).toEqual([]);
  });

  it('completes the CDR of a vanished caller (answered when it was bridged) and cleans up its agent leg and bridge', () => {
    const journal = [entry('talk', 'bridged', { agentId: 'a', agentLeg: 'ag', bridge: 'br' }, { connectedAt: 4000, agentId: 'a' }), entry('wait', 'queued', {}, { enqueuedAt: 3000 })];
    const plan = planRecovery(journal, [live('ag', { role: 'agent', bridge: 'br' as BridgeId })], 10_000);
    expect(plan.completed.map((c) => [c.callId, c.disposition, c.hangupCause, c.talkMs, c.waitMs, c.endedAt])).toEqual([
      ['talk', 'answered', 'interrupted', 6000, null, 10_000],
      ['wait', 'interrupted', 'interrupted', null, 7000, 10_000],
    ]);
    expect(plan.hangup.map((h) => h.leg)).toEqual(['ag']);
    expect(plan.destroyBridges).toEqual(['br']);
  });

  it('hangs up a ringing agent leg and every leg no journal knows', () => {
    const journal = [entry('ring', 'queued', { agentId: 'a', agentLeg: 'ag-ring' })];
    const plan = planRecovery(journal, [live('leg-ring'), live('ag-ring', { role: 'agent', answered: false }), live('snoop-x', { role: 'snoop' }), live('c2c', { role: 'agent', callId: 'x' })], 10_000);
    expect(plan.resume.map((r) => r.entry.callId)).toEqual(['ring']);
    expect(plan.hangup.map((h) => h.leg)).toEqual(['ag-ring', 'snoop-x', 'c2c']);
    expect(plan.strays).toBe(2);
  });

  it('resumes a bridged callback like a call, and ends a dialling or ringing one with its legs hung up and an interrupted CDR', () => {
    const cb = { kind: 'callback' as const, waiterId: 'vq-1' };
    const journal = [
      entry('cb-talk', 'bridged', { ...cb, agentId: 'a', agentLeg: 'ag-talk', bridge: 'br' }, { direction: 'callback', connectedAt: 4000, agentId: 'a' }),
      entry('cb-ring', 'arrived', { ...cb, waiterId: 'vq-2', agentId: 'b', agentLeg: 'ag-ring' }, { direction: 'callback', answeredAt: 5000 }),
      entry('cb-dial', 'arrived', { ...cb, waiterId: 'vq-3' }, { direction: 'callback', answeredAt: null }),
    ];
    const legs = [live('leg-cb-talk', { role: 'other' }), live('ag-talk', { role: 'agent' }), live('leg-cb-ring', { role: 'other' }), live('ag-ring', { role: 'agent', answered: false }), live('leg-cb-dial', { role: 'other', answered: false })];
    const plan = planRecovery(journal, legs, 10_000);
    expect(plan.resume.map((r) => [r.entry.callId, r.agentLegAlive])).toEqual([['cb-talk', true]]);
    expect(plan.completed.map((c) => [c.callId, c.disposition, c.hangupCause])).toEqual([
      ['cb-ring', 'interrupted', 'interrupted'],
      ['cb-dial', 'interrupted', 'interrupted'],
    ]);
    expect(plan.hangup.map((h) => h.leg)).toEqual(['leg-cb-ring', 'ag-ring', 'leg-cb-dial']);
    expect(plan.strays).toBe(0);
  });
});
