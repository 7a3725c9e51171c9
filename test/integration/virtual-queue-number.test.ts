/**
 * Virtual queue, CallBack with a typed number (simulated PBX): after the key the caller types the
 * number to be called back on, ended with #, hears it read back and confirms with 1.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { ConfigInput } from '../../src/domain/config.js';
import type { OriginateRequest } from '../../src/pbx/port.js';
import { configFrom, simWorld, type SimWorld } from '../support/sim-world.js';
import { virtualQueue } from '../support/vq-world.js';

const S = 1000;
const CALLER = '+33612345678';
const TYPED = '0698765432';

const config = (over: Record<string, unknown> = {}): ConfigInput => ({
  numbers: [{ id: 'n', number: '100', queue: 'q' }],
  queues: [{ id: 'q', groups: [{ group: 'sales', priority: 1 }], virtual_queue: { key: '1', retries: 0, ring_timeout_s: 20, number_entry: { attempts: 2, digit_timeout_s: 5 } } }],
  groups: [{ id: 'sales' }],
  agents: [{ id: 'a1', phone: { type: 'sip', endpoint: '1001' }, groups: ['sales'] }],
  click_to_call: { caller_id: '0100000000', allow: '^(\\+33|0)[1-9][0-9]{8}$' },
  ...over,
});

/** Keys: the callback key at 5 s, then `typed` one every 200 ms from `from`. */
function keys(typed: string, from = 8 * S): { digit: string; afterMs: number }[] {
  return [{ digit: '1', afterMs: 5 * S }, ...[...typed].map((digit, i) => ({ digit, afterMs: from + i * 200 }))];
}

describe('virtual queue typed callback number (simulated PBX)', () => {
  let w: SimWorld;
  afterEach(async () => w?.close());
  const originates = () => w.pbx.calls('originate').map((c) => c.args[0] as OriginateRequest);
  const played = () => w.pbx.calls('play').map((c) => (c.args[1] as string[]).join(' '));

  async function world(over: Record<string, unknown> = {}): Promise<SimWorld> {
    w = await simWorld(configFrom(config(over)));
    virtualQueue(w.engine, w.store);
    w.pbx.setPhone('1001', { behavior: 'answer', answerAfterMs: 2 * S, talkMs: 30 * S });
    for (const n of [CALLER, TYPED]) w.pbx.setPhone(n, { behavior: 'answer', answerAfterMs: 3 * S });
    return w;
  }

  it('records the typed number once read back and confirmed with 1, then calls it back', async () => {
    await world();
    // Read back from ~10 s: the prompt (2 s), ten digits (2 s each), the confirm prompt (2 s).
    const leg = w.pbx.placeCall({ to: '100', from: CALLER, keys: [...keys(`${TYPED}#`), { digit: '1', afterMs: 35 * S }] });
    await w.clock.runFor(40 * S);

    expect(played().some((p) => p.includes('vq-enter-number'))).toBe(true);
    expect(played()).toContain(`sound:switchboard/vq-number-readback`);
    expect(played()).toContain([...TYPED].map((d) => `sound:digits/${d}`).join(' '));
    expect(w.pbx.legs.get(leg)?.state).toBe('down');
    const waiter = w.store.virtualWaiters.list(['Waiting'])[0]!;
    expect(waiter).toMatchObject({ phone: TYPED, state: 'Waiting' });

    w.engine.loginAgent('a1');
    await w.clock.runFor(60 * S);
    expect(originates()[0]).toMatchObject({ destination: { kind: 'external', number: TYPED } });
    expect(w.store.cdrs.all().find((c) => c.direction === 'callback')).toMatchObject({ dialled: TYPED, agentId: 'a1' });
  });

  it('keeps the caller id when the caller presses # alone', async () => {
    await world();
    const leg = w.pbx.placeCall({ to: '100', from: CALLER, keys: keys('#') });
    await w.clock.runFor(15 * S);

    expect(w.pbx.legs.get(leg)?.state).toBe('down');
    expect(w.store.virtualWaiters.list(['Waiting'])[0]).toMatchObject({ phone: CALLER });
    expect(played().some((p) => p.includes('vq-number-readback'))).toBe(false);
  });

  it('refuses a number the dial policy does not allow and lets the caller type another', async () => {
    await world();
    w.pbx.placeCall({ to: '100', from: CALLER, keys: [...keys('123#'), ...keys(`${TYPED}#`, 14 * S).slice(1), { digit: '1', afterMs: 20 * S }] });
    await w.clock.runFor(30 * S);

    expect(played().filter((p) => p.includes('vq-number-invalid'))).toHaveLength(1);
    expect(played().filter((p) => p.includes('vq-enter-number'))).toHaveLength(2);
    expect(w.store.virtualWaiters.list(['Waiting'])[0]).toMatchObject({ phone: TYPED });
  });

  it('lets the caller retype with 2 and records the second number', async () => {
    await world();
    const other = '0611111111';
    w.pbx.placeCall({ to: '100', from: CALLER, keys: [...keys(`${other}#`), { digit: '2', afterMs: 11 * S }, ...keys(`${TYPED}#`, 16 * S).slice(1), { digit: '1', afterMs: 22 * S }] });
    await w.clock.runFor(35 * S);

    expect(w.store.virtualWaiters.list(['Waiting'])[0]).toMatchObject({ phone: TYPED });
  });

  it('keeps the caller id after the attempts run out, and hangs up', async () => {
    await world();
    const leg = w.pbx.placeCall({ to: '100', from: CALLER, keys: keys('') });
    // Two attempts: prompt (2 s) and 5 s without a key each.
    await w.clock.runFor(5 * S + 2 * (2 * S + 5 * S) + S);

    expect(w.pbx.legs.get(leg)?.state).toBe('down');
    expect(w.store.virtualWaiters.list(['Waiting'])[0]).toMatchObject({ phone: CALLER });
  });

  it('keeps the caller id when the caller hangs up while typing', async () => {
    await world();
    w.pbx.placeCall({ to: '100', from: CALLER, keys: keys('0698'), patienceMs: 10 * S });
    await w.clock.runFor(30 * S);

    expect(w.store.virtualWaiters.list(['Waiting'])[0]).toMatchObject({ phone: CALLER });
  });

  it('holds the reserved agent while the caller types, then dials the confirmed number', async () => {
    await world();
    w.pbx.placeCall({ to: '100', from: CALLER, keys: [...keys(`${TYPED}#`, 9 * S), { digit: '1', afterMs: 14 * S }] });
    await w.clock.runFor(7 * S);
    w.engine.loginAgent('a1');
    await w.clock.runFor(2 * S);

    // The waiter's turn came (a1 reserved), but nobody is dialled while the caller is on the line.
    const waiterId = w.store.virtualWaiters.list(['Waiting'])[0]!.id;
    expect(w.engine.router.state.calls.get(waiterId)).toMatchObject({ state: 'offered', agentId: 'a1' });
    expect(originates()).toHaveLength(0);

    await w.clock.runFor(10 * S);
    expect(originates()[0]).toMatchObject({ destination: { kind: 'external', number: TYPED } });
  });

  it('rejects a number_entry with bad attempts naming the field', () => {
    const input = config();
    (input.queues as { virtual_queue: Record<string, unknown> }[])[0]!.virtual_queue.number_entry = { attempts: 0 };
    expect(() => configFrom(input)).toThrow(/queues\.0\.virtual_queue\.number_entry\.attempts|queues\[0\]\.virtual_queue\.number_entry\.attempts/);
  });

  it('rejects number_entry on a CallIn queue naming the field', () => {
    const input = config();
    Object.assign((input.queues as { virtual_queue: Record<string, unknown> }[])[0]!.virtual_queue, { channel: 'CallIn', notify_url: 'http://127.0.0.1:9/n', number_entry: {} });
    expect(() => configFrom(input)).toThrow(/virtual_queue\.number_entry: number_entry needs channel CallBack/);
  });
});
