/** mapFsEvent on events captured from FreeSWITCH 1.10.12 (test/unit/freeswitch-map-event.fixtures.json). */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fsCauseOf, hangupCauseOf, mapFsEvent, type FsLegFacts, type FsView } from '../../src/pbx/freeswitch/map-event.js';
import type { HangupCause } from '../../src/pbx/port.js';

const fx = JSON.parse(readFileSync(new URL('./freeswitch-map-event.fixtures.json', import.meta.url), 'utf8')) as Record<string, Record<string, string>>;

function view(legs: Record<string, FsLegFacts> = {}, recordings: Record<string, string> = {}): FsView {
  return { leg: (id) => legs[id], recordingOfPath: (p) => recordings[p] };
}

describe('mapFsEvent', () => {
  it('reports call.arrived with dialled and calling numbers and our call id when an inbound leg parks', () => {
    const e = fx.park!;

    const out = mapFsEvent(e, view());

    expect(out).toMatchObject({ type: 'call.arrived', leg: e['Unique-ID'], to: '900', from: '5551234', callId: e['Unique-ID'] });
    expect(out).not.toHaveProperty('origin');
  });

  it('reports nothing when a leg it already knows parks again (leaving a bridge)', () => {
    const e = fx.park!;

    expect(mapFsEvent(e, view({ [e['Unique-ID']!]: { kind: 'inbound' } }))).toBeUndefined();
  });

  it('reports a phone call with origin phone and the endpoint when the dialplan tagged it sb_kind=phone', () => {
    const e = { ...fx.park!, variable_sb_kind: 'phone', variable_sb_endpoint: '1004' };

    expect(mapFsEvent(e, view())).toMatchObject({ type: 'call.arrived', origin: 'phone', endpoint: '1004' });
  });

  it('reports a DTMF digit on a known leg and ignores one on an unknown leg', () => {
    const e = fx.dtmf!;

    expect(mapFsEvent(e, view({ [e['Unique-ID']!]: { kind: 'inbound' } }))).toEqual({ type: 'dtmf', leg: e['Unique-ID'], digit: '5' });
    expect(mapFsEvent(e, view())).toBeUndefined();
  });

  it('reports leg.hangup busy for a phone that answered 486, from the Hangup-Cause', () => {
    const e = fx.agentHangup!;

    expect(mapFsEvent(e, view({ 'agent-1': { kind: 'agent' } }))).toEqual({ type: 'leg.hangup', leg: 'agent-1', cause: 'busy' });
  });

  it('reports the cause the engine asked for rather than the one FreeSWITCH reports', () => {
    const e = fx.callerHangup!;

    expect(mapFsEvent(e, view({ [e['Unique-ID']!]: { kind: 'inbound' } }))).toMatchObject({ cause: 'rejected' });
    expect(mapFsEvent(e, view({ [e['Unique-ID']!]: { kind: 'inbound', requestedCause: 'normal' } }))).toMatchObject({ cause: 'normal' });
  });

  it('reports endpoint.state online when a phone registers', () => {
    expect(mapFsEvent(fx.register!, view())).toEqual({ type: 'endpoint.state', endpoint: '1001', online: true });
  });

  it('reports recording.finished with its length for one of our recordings, nothing for another file', () => {
    const e = fx.stopRecording!;

    expect(mapFsEvent(e, view({}, { [e.Path!]: 'rec-1' }))).toEqual({ type: 'recording.finished', recording: 'rec-1', durationMs: 620 });
    expect(mapFsEvent(e, view())).toBeUndefined();
  });

  it('reports nothing for events the port does not carry (execute complete, background job, add-member)', () => {
    for (const e of [fx.executeComplete!, fx.backgroundJob!, fx.addMember!]) expect(mapFsEvent(e, view())).toBeUndefined();
  });
});

describe('hangupCauseOf / fsCauseOf', () => {
  it.each<[string, HangupCause]>([
    ['NORMAL_CLEARING', 'normal'],
    ['USER_BUSY', 'busy'],
    ['NO_ANSWER', 'no-answer'],
    ['CALL_REJECTED', 'rejected'],
    ['UNALLOCATED_NUMBER', 'not-found'],
    ['USER_NOT_REGISTERED', 'unreachable'],
    ['ORIGINATOR_CANCEL', 'cancelled'],
    ['NORMAL_TEMPORARY_FAILURE', 'failed'],
  ])('maps %s to %s', (fs, cause) => {
    expect(hangupCauseOf(fs)).toBe(cause);
  });

  it('round-trips every cause the engine can ask for except lost, which hangs up normally', () => {
    const causes: HangupCause[] = ['normal', 'busy', 'no-answer', 'rejected', 'failed', 'unreachable', 'not-found', 'cancelled'];

    expect(causes.map((c) => hangupCauseOf(fsCauseOf(c)))).toEqual(causes);
    expect(fsCauseOf('lost')).toBe('NORMAL_CLEARING');
  });
});
