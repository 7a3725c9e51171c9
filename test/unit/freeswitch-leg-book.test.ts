/** LegBook: the FreeSWITCH driver's intake of raw events, on events captured from FreeSWITCH 1.10.12. */
import { readFileSync } from 'node:fs';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { LegBook } from '../../src/pbx/freeswitch/leg-book.js';
import { isPbxError, type PbxEvent, type PlayOutcome, type PbxError } from '../../src/pbx/port.js';

const fx = JSON.parse(readFileSync(new URL('./freeswitch-map-event.fixtures.json', import.meta.url), 'utf8')) as Record<string, Record<string, string>>;

function book() {
  const b = new LegBook(pino({ level: 'silent' }));
  const out: PbxEvent[] = [];
  b.onEvent((e) => out.push(e));
  return { b, out };
}

describe('LegBook', () => {
  it('reports a parked inbound leg once, even when it parks again after leaving a bridge', () => {
    const { b, out } = book();

    b.handle(fx.park!);
    b.handle(fx.park!);

    expect(out.map((e) => e.type)).toEqual(['call.arrived']);
    expect(b.legs.get(fx.park!['Unique-ID']!)).toMatchObject({ kind: 'inbound' });
  });

  it('settles a play finished when its execute completes, and LEG_GONE when the leg hangs up first', () => {
    const { b } = book();
    const leg = fx.park!['Unique-ID']!;
    b.handle(fx.park!);
    const outcomes: (PlayOutcome | PbxError)[] = [];
    b.plays.set('play-1', { leg, settle: (o) => outcomes.push(o) });
    b.plays.set('play-2', { leg, settle: (o) => outcomes.push(o) });

    b.handle(fx.executeComplete!);
    b.handle(fx.callerHangup!);

    expect(outcomes[0]).toBe('finished');
    expect(isPbxError(outcomes[1], 'LEG_GONE')).toBe(true);
    expect(b.plays.size).toBe(0);
  });

  it('reports leg.ringing before leg.answered when a phone answers without a 180, and each once', () => {
    const { b, out } = book();
    b.legs.set('agent-1', { kind: 'agent' });

    b.deliver({ type: 'leg.answered', leg: 'agent-1' as never });
    b.deliver({ type: 'leg.ringing', leg: 'agent-1' as never });
    b.deliver({ type: 'leg.answered', leg: 'agent-1' as never });

    expect(out.map((e) => e.type)).toEqual(['leg.ringing', 'leg.answered']);
  });

  it('ends a leg once, then treats it as gone for commands', () => {
    const { b, out } = book();
    b.legs.set('agent-1', { kind: 'agent' });

    b.handle(fx.agentHangup!);
    b.legEnded('agent-1', 'lost');

    expect(out).toEqual([{ type: 'leg.hangup', leg: 'agent-1', cause: 'busy' }]);
    expect(b.isGone('agent-1')).toBe(true);
  });

  it('resolves a bridge join when the conference reports add-member for that leg', () => {
    const { b } = book();
    const e = fx.addMember!;
    let joined = false;
    b.joins.set(`${e['Conference-Name']}/${e['Unique-ID']}`, () => (joined = true));

    b.handle(e);

    expect(joined).toBe(true);
    expect(b.joins.size).toBe(0);
  });

  it('resolves a bridge leave on del-member for that leg only, not on its add-member', () => {
    const { b } = book();
    const e = fx.addMember!;
    let left = false;
    b.leaves.set(`${e['Conference-Name']}/${e['Unique-ID']}`, () => (left = true));

    b.handle(e);
    const afterAdd = left;
    b.handle({ ...e, Action: 'del-member' });

    expect(afterAdd).toBe(false);
    expect(left).toBe(true);
    expect(b.leaves.size).toBe(0);
  });

  it('marks an originated leg parked on its CHANNEL_PARK (no call.arrived), and wakes its waiter; a hang-up wakes it too', () => {
    const { b, out } = book();
    const woken: string[] = [];
    b.legs.set('agent-1', { kind: 'agent' });
    b.legs.set('agent-2', { kind: 'agent' });
    b.parks.set('agent-1', () => woken.push('agent-1'));
    b.parks.set('agent-2', () => woken.push('agent-2'));

    b.handle({ ...fx.park!, 'Unique-ID': 'agent-1', variable_sb_kind: 'agent' });
    b.legEnded('agent-2', 'busy');

    expect(b.legs.get('agent-1')?.parked).toBe(true);
    expect(woken).toEqual(['agent-1', 'agent-2']);
    expect(out.map((e) => e.type)).toEqual(['leg.hangup']);
  });

  it('reports an endpoint state only when it changes', () => {
    const { b, out } = book();

    b.handle(fx.register!);
    b.handle(fx.register!);

    expect(out).toEqual([{ type: 'endpoint.state', endpoint: '1001', online: true }]);
  });
});
