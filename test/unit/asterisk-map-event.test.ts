import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { AriEvent } from '../../src/pbx/asterisk/ari-types.js';
import { dialStatusCause, hangupCauseOf, mapAriEvent, q850Of, type LegFacts } from '../../src/pbx/asterisk/map-event.js';
import { decodeStasisArgs, encodeStasisArgs, stasisAppArgs } from '../../src/pbx/asterisk/stasis-args.js';
import type { HangupCause } from '../../src/pbx/port.js';

type Fixtures = Record<string, AriEvent & { channel?: { id: string }; peer?: { id: string } }>;
const fixtures = JSON.parse(readFileSync(new URL('./asterisk-map-event.fixtures.json', import.meta.url), 'utf8')) as Fixtures;

const fixture = (name: string): Fixtures[string] => {
  const f = fixtures[name];
  if (!f) throw new Error(`no fixture ${name}`);
  return structuredClone(f);
};

/** A LegView knowing exactly these channels. */
const knowing = (facts: Record<string, LegFacts>) => (id: string) => facts[id];

const idOf = (name: string): string => {
  const f = fixture(name);
  return (f.channel ?? f.peer)!.id;
};

describe('mapAriEvent', () => {
  it('maps an inbound StasisStart to call.arrived with the dialled number and caller id', () => {
    const event = fixture('stasisStartInbound');

    const mapped = mapAriEvent(event);

    expect(mapped).toEqual({ type: 'call.arrived', leg: idOf('stasisStartInbound'), to: '900', from: '5555034001', fromName: 'Caller 5555034001' });
  });

  it('takes the dialled number from the Stasis args before the dialplan extension', () => {
    const event = fixture('stasisStartInbound') as AriEvent & { args: string[] };
    event.args = encodeStasisArgs({ kind: 'inbound', to: '+33 1 23' });

    expect(mapAriEvent(event)).toMatchObject({ type: 'call.arrived', to: '+33 1 23' });
  });

  it('maps StasisStart of a leg we originated to leg.answered, never call.arrived', () => {
    const event = fixture('stasisStartAgent');

    expect(mapAriEvent(event)).toEqual({ type: 'leg.answered', leg: idOf('stasisStartAgent') });
  });

  it('ignores StasisStart of a snoop channel', () => {
    expect(mapAriEvent(fixture('stasisStartSnoop'))).toBeUndefined();
  });

  it('maps StasisEnd of a snoop leg to leg.hangup and ignores it for other legs', () => {
    const snoop = fixture('stasisEnd');
    const id = idOf('stasisEnd');

    expect(mapAriEvent(snoop, knowing({ [id]: { kind: 'snoop' } }))).toEqual({ type: 'leg.hangup', leg: id, cause: 'normal' });
    expect(mapAriEvent(snoop, knowing({ [id]: { kind: 'inbound' } }))).toBeUndefined();
  });

  it('maps Ringing of an originated leg to leg.ringing only when the driver knows the leg as an agent leg', () => {
    const event = fixture('channelStateRinging');
    const id = idOf('channelStateRinging');

    expect(mapAriEvent(event, knowing({ [id]: { kind: 'agent' } }))).toEqual({ type: 'leg.ringing', leg: id });
    expect(mapAriEvent(event)).toBeUndefined();
  });

  it('ignores the Up state change (answer is reported when the leg enters Stasis)', () => {
    const id = idOf('channelStateUp');

    expect(mapAriEvent(fixture('channelStateUp'), knowing({ [id]: { kind: 'agent' } }))).toBeUndefined();
  });

  it('maps ChannelDtmfReceived to dtmf', () => {
    expect(mapAriEvent(fixture('dtmf'))).toEqual({ type: 'dtmf', leg: idOf('dtmf'), digit: '1' });
  });

  it.each<[string, HangupCause]>([
    ['destroyedNormal', 'normal'],
    ['destroyedUnknown', 'normal'],
    ['destroyedBusy', 'busy'],
    ['destroyedNoAnswer', 'no-answer'],
    ['destroyedRejected', 'rejected'],
  ])('maps %s to leg.hangup with cause %s', (name, cause) => {
    expect(mapAriEvent(fixture(name))).toEqual({ type: 'leg.hangup', leg: idOf(name), cause });
  });

  it('reports the cause the engine asked for over the one Asterisk gives', () => {
    const id = idOf('destroyedNormal');

    expect(mapAriEvent(fixture('destroyedNormal'), knowing({ [id]: { kind: 'inbound', requestedCause: 'rejected' } }))).toMatchObject({ cause: 'rejected' });
  });

  it('uses the dial status when the Q.850 cause says nothing', () => {
    const event = fixture('destroyedUnknown');
    const id = idOf('destroyedUnknown');

    expect(mapAriEvent(event, knowing({ [id]: { kind: 'agent', dialStatus: 'CHANUNAVAIL' } }))).toMatchObject({ cause: 'unreachable' });
  });

  it('maps RecordingFinished to recording.finished with the duration in ms', () => {
    expect(mapAriEvent(fixture('recordingFinished'))).toEqual({ type: 'recording.finished', recording: 'contract-1795291166474', durationMs: 1000 });
  });

  it('maps RecordingFailed to recording.finished without a duration', () => {
    const event = fixture('recordingFinished') as AriEvent & { recording: { state: string } };
    event.type = 'RecordingFailed';
    event.recording.state = 'failed';

    expect(mapAriEvent(event)).toEqual({ type: 'recording.finished', recording: 'contract-1795291166474' });
  });

  it('maps EndpointStateChange of a PJSIP endpoint to endpoint.state', () => {
    expect(mapAriEvent(fixture('endpointOnline'))).toEqual({ type: 'endpoint.state', endpoint: 'trunk', online: true });
    expect(mapAriEvent(fixture('endpointOffline'))).toEqual({ type: 'endpoint.state', endpoint: '1006', online: false });
  });

  it.each(['dialRinging', 'dialBusy', 'dialNoAnswer', 'playbackFinished', 'recordingStarted', 'channelVarset', 'contactStatus', 'hangupRequest'])(
    'ignores %s (driver bookkeeping, not a port event)',
    (name) => {
      expect(mapAriEvent(fixture(name))).toBeUndefined();
    },
  );

  it('ignores an event type it does not know', () => {
    expect(mapAriEvent({ type: 'BridgeVideoSourceChanged' })).toBeUndefined();
  });
});

describe('hangupCauseOf', () => {
  it.each<[number, HangupCause]>([
    [16, 'normal'],
    [31, 'normal'],
    [17, 'busy'],
    [18, 'no-answer'],
    [19, 'no-answer'],
    [21, 'rejected'],
    [1, 'not-found'],
    [3, 'unreachable'],
    [20, 'unreachable'],
    [27, 'unreachable'],
    [26, 'cancelled'],
    [34, 'failed'],
    [38, 'failed'],
    [41, 'failed'],
    [127, 'failed'],
  ])('maps Q.850 cause %i to %s', (code, cause) => {
    expect(hangupCauseOf(code)).toBe(cause);
  });

  it('prefers the cause over the dial status (603 Decline comes as cause 21 with NOANSWER)', () => {
    expect(hangupCauseOf(21, 'NOANSWER')).toBe('rejected');
  });

  it.each<[string, HangupCause]>([
    ['BUSY', 'busy'],
    ['NOANSWER', 'no-answer'],
    ['CANCEL', 'cancelled'],
    ['CHANUNAVAIL', 'unreachable'],
    ['CONGESTION', 'failed'],
    ['ANSWER', 'normal'],
  ])('maps dial status %s to %s', (status, cause) => {
    expect(dialStatusCause(status)).toBe(cause);
  });

  it.each<HangupCause>(['normal', 'busy', 'no-answer', 'rejected', 'unreachable', 'not-found', 'failed'])('round-trips %s through its Q.850 reason code', (cause) => {
    expect(hangupCauseOf(q850Of(cause))).toBe(cause);
  });

  it('sends normal clearing (16) when asked to hang up with cause lost', () => {
    expect(q850Of('lost')).toBe(16);
  });
});

describe('stasis args', () => {
  it('round-trips every kind, commas included', () => {
    for (const args of [
      { kind: 'inbound', to: '900' },
      { kind: 'inbound' },
      { kind: 'agent', callId: 'call,with,commas' },
      { kind: 'snoop', mode: 'whisper', target: '1795291155.0' },
    ] as const) {
      expect(decodeStasisArgs(stasisAppArgs(args).split(','))).toEqual(args);
    }
  });

  it('decodes arguments that are not ours to undefined', () => {
    expect(decodeStasisArgs([])).toBeUndefined();
    expect(decodeStasisArgs(['dialer', 'x'])).toBeUndefined();
    expect(decodeStasisArgs(['snoop', 'shout', 'x'])).toBeUndefined();
    expect(decodeStasisArgs(['agent'])).toBeUndefined();
  });
});
