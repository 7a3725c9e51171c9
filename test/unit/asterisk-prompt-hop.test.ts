import { afterEach, describe, expect, it, vi } from 'vitest';
import { silentLogger } from '../../src/infra/logger.js';
import type { LegId, PbxEvent } from '../../src/pbx/port.js';
import { LegEvents } from '../../src/pbx/asterisk/leg-events.js';
import { PromptHops, promptExtension } from '../../src/pbx/asterisk/prompt-hop.js';
import { reconcileAfterCut } from '../../src/pbx/asterisk/reconcile-after-cut.js';
import { decodeStasisArgs, encodeStasisArgs } from '../../src/pbx/asterisk/stasis-args.js';
import type { AriEvent } from '../../src/pbx/asterisk/ari-types.js';

const leg = 'in-1' as LegId;

function world() {
  const book = new LegEvents(silentLogger() as never);
  const sent: string[] = [];
  const hops = new PromptHops(book, async (_leg, exten) => void sent.push(exten));
  book.onPromptBack = (l, key) => hops.returned(l, key);
  const events: PbxEvent[] = [];
  book.onEvent((e) => events.push(e));
  book.legs.set(leg, { kind: 'inbound' });
  let n = 0;
  const raw = (e: object): [AriEvent, string] => {
    const ev = { ...e, n: ++n } as unknown as AriEvent;
    return [ev, JSON.stringify(ev)];
  };
  const channel = { id: leg, name: 'PJSIP/trunk-1', state: 'Up', caller: { name: '', number: '555' }, dialplan: { context: 'x', exten: 's', priority: 1 } };
  return { book, hops, sent, events, raw, channel };
}

describe('prompt hop: the extension', () => {
  it('carries the language and the sound files, and refuses what the dialplan cannot play', () => {
    expect(promptExtension(['sound:switchboard/english-menu', 'sound:beep'], 'en')).toBe('sbp~en~switchboard/english-menu&beep');
    expect(promptExtension(['sound:switchboard/menu'], 'pt_BR')).toBe('sbp~pt_BR~switchboard/menu');
    expect(promptExtension(['recording:msg'], 'en')).toBeUndefined();
    expect(promptExtension(['sound:a,b'], 'en')).toBeUndefined();
    expect(promptExtension(['sound:../etc/passwd'], 'en')).toBeUndefined();
    expect(promptExtension(['sound:x'], undefined)).toBeUndefined();
    expect(promptExtension([`sound:${'a'.repeat(80)}`], 'en')).toBeUndefined();
  });

  it('decodes the dialplan return: a key, or the end of the prompt', () => {
    expect(decodeStasisArgs(encodeStasisArgs({ kind: 'prompt', key: '#' }))).toEqual({ kind: 'prompt', key: '#' });
    expect(decodeStasisArgs(['prompt', 'done'])).toEqual({ kind: 'prompt' });
    expect(decodeStasisArgs(['prompt', 'key', '12'])).toEqual({ kind: 'prompt' });
  });
});

describe('prompt hop: plays', () => {
  // Also when a test fails or times out with fake timers on: the next tests need real ones.
  afterEach(() => vi.useRealTimers());

  it('a key cuts the prompt: the play resolves stopped, then the key is reported once (its copy from the endpoint subscription is dropped)', async () => {
    const w = world();
    const order: string[] = [];
    const play = w.hops.play(leg, 'sbp~en~menu', undefined).then((o) => order.push(`play ${o}`));
    w.book.onEvent((e) => e.type === 'dtmf' && order.push(`dtmf ${e.digit}`));
    expect(w.sent).toEqual(['sbp~en~menu']);
    // Leaving Stasis for the dialplan is not the leg's end; the key seen on the way is not reported.
    w.book.handle(...w.raw({ type: 'StasisEnd', channel: w.channel }));
    w.book.handle(...w.raw({ type: 'ChannelDtmfReceived', channel: w.channel, digit: '1', duration_ms: 100 }));
    w.book.handle(...w.raw({ type: 'StasisStart', channel: w.channel, args: ['prompt', 'key', '1'] }));
    await play;
    expect(w.events.filter((e) => e.type === 'leg.hangup' || e.type === 'call.arrived')).toEqual([]);
    expect(w.events.filter((e) => e.type === 'dtmf')).toEqual([{ type: 'dtmf', leg, digit: '1' }]);
    expect(order).toEqual(['dtmf 1', 'play stopped']);
    expect(w.book.legs.get(leg)?.inPrompt).toBe(false);
  });

  it('a key pressed before the leg left Stasis is dropped when a later key cuts the prompt (the caller pressed again): one key reported', async () => {
    const w = world();
    const order: string[] = [];
    const play = w.hops.play(leg, 'sbp~en~menu', undefined).then((o) => order.push(`play ${o}`));
    w.book.onEvent((e) => e.type === 'dtmf' && order.push(`dtmf ${e.digit}`));
    // Still in Stasis: read by our application, reported twice (channel and endpoint subscriptions).
    const early = w.raw({ type: 'ChannelDtmfReceived', channel: w.channel, digit: '3', duration_ms: 100 });
    w.book.handle(...early);
    w.book.handle(...early);
    expect(order).toEqual([]);
    w.book.handle(...w.raw({ type: 'StasisEnd', channel: w.channel }));
    // In the dialplan: Background() takes this one and comes back with it.
    w.book.handle(...w.raw({ type: 'ChannelDtmfReceived', channel: w.channel, digit: '1', duration_ms: 100 }));
    w.book.handle(...w.raw({ type: 'StasisStart', channel: w.channel, args: ['prompt', 'key', '1'] }));
    await play;
    expect(order).toEqual(['dtmf 1', 'play stopped']);
    expect(w.book.legs.get(leg)?.keysAhead).toBeUndefined();
  });

  it('a key pressed before the leg left Stasis, then the prompt played to its end: the key is reported on the return, once', async () => {
    const w = world();
    const play = w.hops.play(leg, 'sbp~en~menu', undefined);
    w.book.handle(...w.raw({ type: 'ChannelDtmfReceived', channel: w.channel, digit: '2', duration_ms: 100 }));
    w.book.handle(...w.raw({ type: 'StasisEnd', channel: w.channel }));
    expect(w.events.filter((e) => e.type === 'dtmf')).toEqual([]);
    w.book.handle(...w.raw({ type: 'StasisStart', channel: w.channel, args: ['prompt', 'done'] }));
    await expect(play).resolves.toBe('stopped');
    expect(w.events.filter((e) => e.type === 'dtmf')).toEqual([{ type: 'dtmf', leg, digit: '2' }]);
    // The next hop starts clean.
    const next = w.hops.play(leg, 'sbp~en~menu', undefined);
    w.book.handle(...w.raw({ type: 'StasisEnd', channel: w.channel }));
    w.book.handle(...w.raw({ type: 'StasisStart', channel: w.channel, args: ['prompt', 'done'] }));
    await expect(next).resolves.toBe('finished');
    expect(w.events.filter((e) => e.type === 'dtmf')).toHaveLength(1);
  });

  it('the hop refused: the play fails first, then the keys pressed meanwhile (the leg\'s own) are reported, even to a listener that aborts the play', async () => {
    const book = new LegEvents(silentLogger() as never);
    const events: PbxEvent[] = [];
    const ac = new AbortController();
    book.onEvent((e) => {
      events.push(e);
      if (e.type === 'dtmf') ac.abort(); // as the IVR's keypad does on a key
    });
    book.legs.set(leg, { kind: 'inbound' });
    let refuse: (err: unknown) => void = () => undefined;
    const hops = new PromptHops(book, () => new Promise((_, rej) => (refuse = rej)));
    const play = hops.play(leg, 'sbp~en~menu', ac.signal);
    book.handle({ type: 'ChannelDtmfReceived', channel: { id: leg }, digit: '4' } as unknown as AriEvent, 'k4');
    expect(events).toEqual([]);
    refuse(new Error('no'));
    await expect(play).rejects.toMatchObject({ code: 'PROTOCOL' });
    expect(events).toEqual([{ type: 'dtmf', leg, digit: '4' }]);
    expect(book.legs.get(leg)?.inPrompt).toBe(false);
  });

  it('a play for a leg that stays out in the hop past the wait fails with TIMEOUT and sends no second hop', async () => {
    vi.useFakeTimers();
    const w = world();
    Object.assign(w.book.legs.get(leg)!, { inDialplan: true, inPrompt: true, leftForPrompt: true });
    const p = w.hops.play(leg, 'sbp~en~menu', undefined);
    const outcome = expect(p).rejects.toMatchObject({ code: 'TIMEOUT' });
    await vi.advanceTimersByTimeAsync(60_000);
    await outcome;
    expect(w.sent).toEqual([]);
    expect(w.hops.waiting).toBe(0);
  });

  it('the prompt ends: finished, no key; a hang-up meanwhile: LEG_GONE', async () => {
    const w = world();
    const p1 = w.hops.play(leg, 'sbp~en~menu', undefined);
    w.book.handle(...w.raw({ type: 'StasisStart', channel: w.channel, args: ['prompt', 'done'] }));
    await expect(p1).resolves.toBe('finished');
    const p2 = w.hops.play(leg, 'sbp~en~menu', undefined);
    w.book.handle(...w.raw({ type: 'ChannelDestroyed', channel: w.channel, cause: 16, cause_txt: 'Normal Clearing' }));
    await expect(p2).rejects.toMatchObject({ code: 'LEG_GONE' });
  });

  it('a leg found out in the hop after a restart: a play waits for its return before sending it again', async () => {
    const w = world();
    Object.assign(w.book.legs.get(leg)!, { inDialplan: true, inPrompt: true });
    const p = w.hops.play(leg, 'sbp~en~menu', undefined);
    await new Promise((r) => setTimeout(r, 10));
    expect(w.sent).toEqual([]);
    w.book.handle(...w.raw({ type: 'StasisStart', channel: w.channel, args: ['prompt', 'done'] }));
    await new Promise((r) => setTimeout(r, 10));
    expect(w.sent).toEqual(['sbp~en~menu']);
    w.book.handle(...w.raw({ type: 'StasisStart', channel: w.channel, args: ['prompt', 'done'] }));
    await expect(p).resolves.toBe('finished');
  });

  it('a play waiting for a leg out in the hop stops when its signal aborts, sends nothing, and leaves no waiter', async () => {
    const w = world();
    Object.assign(w.book.legs.get(leg)!, { inDialplan: true, inPrompt: true });
    const ac = new AbortController();
    const p = w.hops.play(leg, 'sbp~en~menu', ac.signal);
    await new Promise((r) => setTimeout(r, 10));
    expect(w.hops.waiting).toBe(1);

    ac.abort();

    await expect(p).resolves.toBe('stopped');
    expect(w.hops.waiting).toBe(0);
    w.book.handle(...w.raw({ type: 'StasisStart', channel: w.channel, args: ['prompt', 'done'] }));
    await new Promise((r) => setTimeout(r, 10));
    expect(w.sent).toEqual([]);
  });
});

describe('prompt hop across a cut of the events WebSocket', () => {
  it('a leg whose StasisEnd was lost in the cut: the key Background() took is reported once, with its return', async () => {
    const w = world();
    const play = w.hops.play(leg, 'sbp~en~menu', undefined);
    // Reconnected after the cut: no StasisEnd; the copy of the key (endpoint subscription), then the return with it.
    w.book.handle(...w.raw({ type: 'ChannelDtmfReceived', channel: w.channel, digit: '1', duration_ms: 100 }));
    w.book.handle(...w.raw({ type: 'StasisStart', channel: w.channel, args: ['prompt', 'key', '1'] }));
    await expect(play).resolves.toBe('stopped');
    expect(w.events.filter((e) => e.type === 'dtmf')).toEqual([{ type: 'dtmf', leg, digit: '1' }]);
  });

  it('a leg that came back while events were lost is settled from the channel list, key included; one still out keeps waiting', async () => {
    const w = world();
    const other = 'in-2' as LegId;
    w.book.legs.set(other, { kind: 'inbound' });
    const keyed = w.hops.play(leg, 'sbp~en~menu', undefined);
    const still = w.hops.play(other, 'sbp~en~menu', undefined);
    let stillSettled = false;
    void still.then(() => (stillSettled = true));
    const channels = [
      { ...w.channel, dialplan: { context: 'switchboard-prompt-back', exten: 's', priority: 2, app_name: 'Stasis', app_data: 'switchboard,prompt,key,2' } },
      { ...w.channel, id: other, dialplan: { context: 'switchboard-prompt', exten: 'sbp~en~menu', priority: 2, app_name: 'BackGround', app_data: 'menu' } },
    ];
    const asked: string[] = [];
    const client = { request: async (method: string, path: string) => (asked.push(`${method} ${path}`), path === '/channels' ? channels : undefined) };
    await reconcileAfterCut(client as never, w.book, silentLogger() as never);
    await expect(keyed).resolves.toBe('stopped');
    expect(w.events.filter((e) => e.type === 'dtmf')).toEqual([{ type: 'dtmf', leg, digit: '2' }]);
    await new Promise((r) => setTimeout(r, 10));
    expect(stillSettled).toBe(false);
    expect(w.book.legs.get(other)?.inPrompt).toBe(true);
    // No playback lookups for prompts the dialplan plays.
    expect(asked).toEqual(['GET /channels']);
  });
});
