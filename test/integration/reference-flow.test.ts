import { afterEach, describe, expect, it } from 'vitest';
import { exampleConfig, simWorld, type SimWorld } from '../support/sim-world.js';

describe('reference call flow (seed 000) on the simulated PBX', () => {
  let w: SimWorld;
  afterEach(async () => w?.close());

  it('routes keys 1 then 2 to Queue 2 and, with every Group 2 agent busy, bridges a Group 3 agent', async () => {
    // Arrange: prompts take 2 s each; Group 2 (1003, 1004) is busy on other calls.
    w = await simWorld(exampleConfig());
    const { pbx, clock, engine, store } = w;
    for (const ep of ['1001', '1002', '1003', '1004', '1005']) pbx.setPhone(ep, { behavior: 'answer', answerAfterMs: 3000, talkMs: 600_000 });
    pbx.setPhone('15550001006', { behavior: 'answer', answerAfterMs: 3000, talkMs: 600_000 });
    // Two earlier support callers occupy Group 2.
    for (const from of ['5551', '5552']) {
      pbx.placeCall({ to: '1000', from, keys: [{ afterMs: 500, digit: '1' }, { afterMs: 2600, digit: '2' }] });
    }
    await clock.runFor(20_000);
    expect(engine.agentSnapshot('1003')?.presence).toBe('oncall');
    expect(engine.agentSnapshot('1004')?.presence).toBe('oncall');

    // Act: our caller presses 1 (English), then 2 (support), talks 60 s and hangs up.
    const t0 = clock.now();
    pbx.placeCall({ to: '1000', from: '5559', keys: [{ afterMs: 1000, digit: '1' }, { afterMs: 3500, digit: '2' }], talkMs: 60_000 });
    await clock.runFor(15_000);
    const leg = [...pbx.legs.values()].find((l) => l.from === '5559')!;
    const bridgedWith = [...pbx.legs.values()].find((l) => l.kind === 'agent' && l.bridge && l.bridge === leg.bridge);
    expect(bridgedWith?.to).toMatch(/^(1005|15550001006)$/);
    await clock.runFor(120_000);

    // Assert: the CDR tells the whole story.
    const cdr = store.cdrs.all().find((c) => c.caller === '5559')!;
    expect(cdr).toMatchObject({ numberId: 'A', ivrPath: 'lang:1>english:2', queueId: 'q2', disposition: 'answered', hangupSide: 'caller', language: 'en' });
    expect(['1005', '1006']).toContain(cdr.agentId);
    // Joined the queue at +3.5 s (key 2), the Group 3 phone rang 3 s: 3 s wait, 60 s talk.
    expect(cdr.enqueuedAt! - t0).toBe(3500);
    expect(cdr.waitMs).toBe(3000);
    expect(cdr.talkMs).toBe(60_000);
    expect(cdr.startedAt).toBe(t0);
    // The queue log has the call entering Queue 2 and connecting.
    const log = store.queueLog.list({ callId: cdr.callId }).map((e) => e.event);
    expect(log).toEqual(['ENTERQUEUE', 'CONNECT', 'COMPLETECALLER']);
  });

  it('routes number B straight to Queue 1 without IVR', async () => {
    w = await simWorld(exampleConfig());
    w.pbx.setPhone('1001', { behavior: 'answer', answerAfterMs: 1000, talkMs: 30_000 });
    w.pbx.placeCall({ to: '2000', from: '5550' });
    await w.clock.runFor(60_000);
    const [cdr] = w.store.cdrs.all();
    expect(cdr).toMatchObject({ numberId: 'B', ivrPath: null, queueId: 'q1', agentId: '1001', disposition: 'answered', hangupSide: 'agent', waitMs: 1000, talkMs: 30_000 });
    expect(w.pbx.calls('play').length).toBe(1); // the queue greeting only
  });

  it('refuses a number nobody configured as not found (SIP 404), without answering, and records that cause', async () => {
    w = await simWorld(exampleConfig());
    w.pbx.placeCall({ to: '7777', from: '5550' });
    await w.clock.runFor(5_000);
    const [cdr] = w.store.cdrs.all();
    expect(cdr).toMatchObject({ numberId: null, disposition: 'failed', hangupSide: 'system', hangupCause: 'not-found', answeredAt: null });
    expect(w.pbx.calls('answer')).toHaveLength(0);
    expect(w.pbx.calls('hangup').map((c) => c.args[1])).toEqual(['not-found']);
  });
});
