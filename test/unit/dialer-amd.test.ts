import { describe, expect, it } from 'vitest';
import { classifyTalk } from '../../src/dialer/talk-burst.js';
import { noAgentRisk, newPacingStats, predictiveDials, recordDial } from '../../src/dialer/pacing.js';
import { attemptCdr } from '../../src/dialer/attempt-cdr.js';
import { silentLogger } from '../../src/infra/logger.js';
import { amdHop } from '../../src/pbx/asterisk/amd-hop.js';
import type { AriEvent } from '../../src/pbx/asterisk/ari-types.js';
import { LegEvents } from '../../src/pbx/asterisk/leg-events.js';
import { mapAriEvent } from '../../src/pbx/asterisk/map-event.js';
import { decodeStasisArgs, encodeStasisArgs } from '../../src/pbx/asterisk/stasis-args.js';
import { isPbxError, type LegId, type PbxEvent } from '../../src/pbx/port.js';

const stasisStart = (id: string, args: string[]) => ({ type: 'StasisStart', application: 'sb', timestamp: '', args, channel: { id, name: 'PJSIP/trunk-00000001', state: 'Up', caller: { number: '0611' }, dialplan: { context: 'switchboard-amd', exten: 's', priority: 2 } } }) as unknown as AriEvent;
const stasisEnd = (id: string) => ({ type: 'StasisEnd', application: 'sb', timestamp: '', channel: { id, name: 'PJSIP/trunk-00000001', state: 'Up' } }) as unknown as AriEvent;
const destroyed = (id: string) => ({ type: 'ChannelDestroyed', application: 'sb', timestamp: '', cause: 16, cause_txt: 'Normal Clearing', channel: { id, name: 'PJSIP/trunk-00000001', state: 'Up' } }) as unknown as AriEvent;

describe('AMD stasis arguments', () => {
  it('decodes the dialplan\'s amd,<status>,<cause> and round-trips our encoding', () => {
    expect(decodeStasisArgs(['amd', 'MACHINE', 'MAXWORDS-4-3'])).toEqual({ kind: 'amd', status: 'MACHINE', cause: 'MAXWORDS-4-3' });
    expect(decodeStasisArgs(encodeStasisArgs({ kind: 'amd', status: 'HUMAN', cause: 'HUMAN-800-800' }))).toEqual({ kind: 'amd', status: 'HUMAN', cause: 'HUMAN-800-800' });
  });
  it('counts an unknown status as NOTSURE when AMD() left AMDSTATUS empty', () => {
    expect(decodeStasisArgs(['amd', '', ''])).toEqual({ kind: 'amd', status: 'NOTSURE', cause: '' });
  });
  it('maps a leg coming back from the AMD hop to no port event (neither a new call nor an answer)', () => {
    expect(mapAriEvent(stasisStart('c1', ['amd', 'HUMAN', 'HUMAN-800-800']), () => ({ kind: 'agent' }))).toBeUndefined();
  });
});

describe('amdHop', () => {
  const setup = () => {
    const book = new LegEvents(silentLogger());
    book.legs.set('c1', { kind: 'agent', answeredReported: true });
    const events: PbxEvent[] = [];
    book.onEvent((e) => events.push(e));
    return { book, events, raw: (e: AriEvent) => book.handle(e, JSON.stringify(e) + Math.random()) };
  };

  it('resolves with AMD\'s status and cause when the leg comes back, without ending the leg on its StasisEnd', async () => {
    const { book, events, raw } = setup();
    let sent = 0;
    const result = amdHop(book, 'c1' as LegId, async () => sent++);
    raw(stasisEnd('c1'));
    raw(stasisStart('c1', ['amd', 'MACHINE', 'LONGGREETING-1500-1500']));
    await expect(result).resolves.toEqual({ status: 'MACHINE', cause: 'LONGGREETING-1500-1500' });
    expect(sent).toBe(1);
    expect(book.legs.get('c1')).toMatchObject({ inDialplan: false });
    expect(book.legs.get('c1')?.going).toBeUndefined();
    expect(events).toEqual([]);
  });

  it('rejects LEG_GONE and reports the hang-up when the customer hangs up during AMD', async () => {
    const { book, events, raw } = setup();
    const result = amdHop(book, 'c1' as LegId, async () => undefined);
    raw(stasisEnd('c1'));
    raw(destroyed('c1'));
    await expect(result).rejects.toSatisfy((e: unknown) => isPbxError(e, 'LEG_GONE'));
    expect(events).toEqual([{ type: 'leg.hangup', leg: 'c1', cause: 'normal' }]);
  });

  it('rejects at once for a leg that is already ending', async () => {
    const { book } = setup();
    book.legs.get('c1')!.going = true;
    await expect(amdHop(book, 'c1' as LegId, async () => undefined)).rejects.toSatisfy((e: unknown) => isPbxError(e, 'LEG_GONE'));
  });
});

describe('classifyTalk', () => {
  it('says HUMAN for a short first burst, MACHINE for a long one and waits while undecided', () => {
    expect(classifyTalk(0, [{ kind: 'start', at: 400 }], 1000)).toBeUndefined();
    expect(classifyTalk(0, [{ kind: 'start', at: 400 }, { kind: 'finish', at: 2000, durationMs: 600 }], 2000)).toEqual({ status: 'HUMAN', cause: 'SHORTGREETING-600' });
    expect(classifyTalk(0, [{ kind: 'start', at: 400 }], 1900)).toEqual({ status: 'MACHINE', cause: 'LONGGREETING-1500' });
    expect(classifyTalk(0, [], 2600)).toMatchObject({ status: 'NOTSURE' });
  });
});

describe('noAgentRisk and predictiveDials', () => {
  it('grows with demand over supply and is certain without uncertainty', () => {
    expect(noAgentRisk(-3, 1)).toBeLessThan(noAgentRisk(-1, 1));
    expect(noAgentRisk(-2, 0)).toBe(0);
    expect(noAgentRisk(0, 0)).toBe(1);
    expect(noAgentRisk(-1, 1)).toBeCloseTo(0.3085, 3);
  });
  it('dials fewer when the allowed risk is lower and none with no free agent and nothing freeing', () => {
    const s = newPacingStats();
    for (let i = 0; i < 100; i++) recordDial(s, i % 4 === 0, 8000);
    const input = { freeAgents: 5, busyElapsedMs: Array.from({ length: 10 }, () => 60_000), ringingElapsedMs: [], waiting: 0, maxConcurrent: 100 };
    const bold = predictiveDials({ ...s, risk: 0.1 }, input);
    const careful = predictiveDials({ ...s, risk: 0.005 }, input);
    expect(bold).toBeGreaterThan(careful);
    expect(predictiveDials(s, { ...input, freeAgents: 0, busyElapsedMs: [] })).toBe(0);
  });
});

describe('attemptCdr', () => {
  it('writes an outbound CDR with the dialer as queue and a disposition per outcome', () => {
    const cdr = attemptCdr({ dialerId: 'd1', callId: 'c', legId: null, destination: '0611', callerId: '0100', outcome: 'dnc', cause: 'do-not-call', startedAt: 5, answeredAt: null, endedAt: 5, variables: { USR_dialer_attempt: '3' } });
    expect(cdr).toMatchObject({ direction: 'outbound', queueId: 'd1', disposition: 'do-not-call', dialled: '0611', caller: '0100', legId: '', hangupSide: null, variables: { USR_dialer_attempt: '3' } });
    expect(attemptCdr({ dialerId: 'd1', callId: 'c', legId: 'l', destination: '0611', callerId: '0100', outcome: 'machine', cause: 'hangup', startedAt: 5, answeredAt: 9, endedAt: 12, variables: {} })).toMatchObject({ disposition: 'machine', hangupSide: 'system', answeredAt: 9 });
  });
});
