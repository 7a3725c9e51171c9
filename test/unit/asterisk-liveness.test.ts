import { afterEach, describe, expect, it, vi } from 'vitest';
import { LivenessWatcher, restartedSince, verdictOf, type ProbeAnswer } from '../../src/pbx/asterisk/liveness.js';
import { reconcilePlan, type KnownLeg } from '../../src/pbx/asterisk/reconcile.js';
import type { AriChannel } from '../../src/pbx/asterisk/ari-types.js';

const T0 = '2026-11-30T10:00:00.000+0000';
const T1 = '2026-11-30T10:05:00.000+0000';

describe('verdictOf', () => {
  it.each<[string | undefined, ProbeAnswer, ReturnType<typeof verdictOf>]>([
    [T0, { reached: true, startupTime: T0 }, 'alive'],
    [T0, { reached: true, startupTime: T1 }, 'restarted'],
    [T0, { reached: true }, 'alive'],
    [undefined, { reached: true, startupTime: T1 }, 'alive'],
    [T0, { reached: false, reason: 'refused' }, undefined],
    [T0, { reached: false, reason: 'timeout' }, undefined],
  ])('judges a probe against startup time %s', (known, answer, verdict) => {
    expect(verdictOf(known, answer)).toBe(verdict);
  });

  it('says restarted only when both startup times are known and differ', () => {
    expect([restartedSince(T0, T1), restartedSince(T0, T0), restartedSince(undefined, T1), restartedSince(T0, undefined)]).toEqual([true, false, false, false]);
  });
});

describe('LivenessWatcher', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  /** A probe answering from a script, one answer per call (the last one repeats). */
  function scripted(answers: ProbeAnswer[]) {
    const calls: number[] = [];
    const probe = vi.fn(async (timeoutMs: number) => {
      calls.push(timeoutMs);
      return answers[Math.min(calls.length - 1, answers.length - 1)]!;
    });
    return { probe, calls };
  }

  it('reports lost once, as unreachable, after every probe of a round is refused', async () => {
    vi.useFakeTimers();
    const { probe } = scripted([{ reached: true, startupTime: T0 }, { reached: false, reason: 'refused' }]);
    const w = new LivenessWatcher({ probe, attempts: 3, gapMs: 150, attemptTimeoutMs: 300 });
    await w.connected();
    const lost: string[] = [];

    w.startWatching((why) => lost.push(why));
    await vi.advanceTimersByTimeAsync(299);
    const early = [...lost];
    await vi.advanceTimersByTimeAsync(10);
    await vi.advanceTimersByTimeAsync(5000);

    expect(early).toEqual([]);
    expect(lost).toEqual(['unreachable']);
    expect(probe).toHaveBeenCalledTimes(4); // 1 at connection + 3 in the round
  });

  it('reports lost as restarted when Asterisk answers with another startup time', async () => {
    vi.useFakeTimers();
    const { probe } = scripted([{ reached: true, startupTime: T0 }, { reached: false, reason: 'refused' }, { reached: true, startupTime: T1 }]);
    const w = new LivenessWatcher({ probe });
    await w.connected();
    const lost: string[] = [];

    w.startWatching((why) => lost.push(why));
    await vi.advanceTimersByTimeAsync(1000);

    expect(lost).toEqual(['restarted']);
  });

  it('keeps probing while Asterisk answers with the same startup time, and stops when told', async () => {
    vi.useFakeTimers();
    const { probe } = scripted([{ reached: true, startupTime: T0 }]);
    const w = new LivenessWatcher({ probe, watchEveryMs: 1000 });
    await w.connected();
    const lost: string[] = [];

    w.startWatching((why) => lost.push(why));
    await vi.advanceTimersByTimeAsync(3500);
    const probesWhileWatching = probe.mock.calls.length;
    w.stopWatching();
    await vi.advanceTimersByTimeAsync(5000);

    expect(lost).toEqual([]);
    expect(probesWhileWatching).toBe(1 + 4); // at 0, 1000, 2000, 3000 ms
    expect(probe).toHaveBeenCalledTimes(probesWhileWatching);
  });

  it('ignores a verdict that arrives after stopWatching (the stream came back)', async () => {
    vi.useFakeTimers();
    let release: (a: ProbeAnswer) => void = () => {};
    const probe = vi.fn((): Promise<ProbeAnswer> => new Promise((r) => (release = r)));
    const w = new LivenessWatcher({ probe, attempts: 1 });
    const lost: string[] = [];

    w.startWatching((why) => lost.push(why));
    w.stopWatching();
    release({ reached: false, reason: 'refused' });
    await vi.advanceTimersByTimeAsync(2000);

    expect(lost).toEqual([]);
  });

  it('says restarted at a connection when the startup time changed since the last one', async () => {
    const { probe } = scripted([{ reached: true, startupTime: T0 }, { reached: true, startupTime: T0 }, { reached: true, startupTime: T1 }]);
    const w = new LivenessWatcher({ probe });

    const first = await w.connected();
    const same = await w.connected();
    const changed = await w.connected();

    expect([first.restarted, same.restarted, changed.restarted]).toEqual([false, false, true]);
    expect(w.knownStartupTime).toBe(T1);
  });

  it('keeps the remembered startup time when no probe answers at a connection', async () => {
    const { probe } = scripted([{ reached: true, startupTime: T0 }, { reached: false, reason: 'timeout' }]);
    const w = new LivenessWatcher({ probe });
    await w.connected();

    const unread = await w.connected();

    expect(unread).toEqual({ restarted: false, read: false });
    expect(w.knownStartupTime).toBe(T0);
  });
});

describe('reconcilePlan', () => {
  const ch = (id: string, state: string, inStasis = true): AriChannel => ({
    id,
    name: `PJSIP/x-${id}`,
    state,
    dialplan: { context: 'from-trunk', exten: '1000', priority: 2, ...(inStasis ? { app_name: 'Stasis', app_data: 'switchboard,agent,c1' } : {}) },
  });

  it('ends vanished legs with lost, or with the cause we asked for, and skips legs still being created', () => {
    const known = new Map<string, KnownLeg>([
      ['in-1', { kind: 'inbound' }],
      ['in-2', { kind: 'inbound', requestedCause: 'rejected' }],
      ['ag-new', { kind: 'agent', pending: true }],
      ['ag-was-new', { kind: 'agent' }],
      ['in-alive', { kind: 'inbound' }],
    ]);

    const plan = reconcilePlan(known, [ch('in-alive', 'Up')], new Set(['ag-was-new']));

    expect(plan.gone).toEqual([
      { leg: 'in-1', cause: 'lost' },
      { leg: 'in-2', cause: 'rejected' },
    ]);
  });

  it('reports originated legs that rang or were answered while the stream was down, once', () => {
    const known = new Map<string, KnownLeg>([
      ['ag-ringing', { kind: 'agent' }],
      ['ag-ringing-seen', { kind: 'agent', ringingReported: true }],
      ['ag-up', { kind: 'agent', ringingReported: true }],
      ['ag-up-seen', { kind: 'agent', answeredReported: true }],
      ['in-up', { kind: 'inbound' }],
    ]);

    const plan = reconcilePlan(known, [ch('ag-ringing', 'Ringing', false), ch('ag-ringing-seen', 'Ringing', false), ch('ag-up', 'Up'), ch('ag-up-seen', 'Up'), ch('in-up', 'Up')]);

    expect(plan).toEqual({ gone: [], ringing: ['ag-ringing'], answered: ['ag-up'] });
  });
});
