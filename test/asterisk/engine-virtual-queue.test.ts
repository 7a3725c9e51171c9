/**
 * Virtual queue on a real Asterisk driven by SIPp (seed 004): a caller presses the callback key
 * and is hung up; when an agent is free the customer is dialled through the trunk to a SIPp UAS
 * that answers, and is bridged with the reserved SIPp agent; both CDRs are linked. A caller may
 * type the number to call back (SIPp DTMF), hear it read back and confirm it with 1.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/infra/logger.js';
import { createHttpClient } from '../../src/integrations/http-client.js';
import { VirtualQueueService } from '../../src/outbound/virtual-queue.js';
import { startTrunkPeer } from './harness.js';
import { referenceConfig, skipReason, useEngineWorld, type EngineWorld } from './engine-world.js';

interface AriChannel {
  id: string;
  name: string;
}

describe.skipIf(skipReason !== undefined)(`engine on a real Asterisk: virtual queue${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  const world = useEngineWorld();
  let w: EngineWorld;
  beforeEach(() => {
    w = world();
  });

  it('calls back a caller who pressed the key: the customer through the trunk, bridged with the reserved agent; CDRs linked', async () => {
    await w.beginTest(
      referenceConfig((c) => {
        Object.assign(c.queues[0]!, { virtual_queue: { key: '1', ring_timeout_s: 20, retries: 0 } });
        Object.assign(c, { click_to_call: { caller_id: '0100000000' } });
      }),
    );
    let n = 0;
    new VirtualQueueService({ engine: w.engine, waiters: w.store.virtualWaiters, http: createHttpClient(), log: silentLogger(), newId: () => `ast-${++n}` });
    // Nobody free in q1: the caller waits.
    w.engine.pauseAgent('1001', 'busy');
    w.engine.pauseAgent('1002', 'busy');
    const from = `+3361${w.nextCaller().slice(-7)}`;

    const caller = await w.caller({ to: '2000', from, keys: [{ afterMs: 3000, digit: '1' }] });
    const result = await caller.done;
    expect(result.code, result.errors).toBe(0);
    const parent = await w.until(() => w.cdrOf(from), 'the caller CDR', 10_000);
    expect(parent).toMatchObject({ disposition: 'callback-requested', queueId: 'q1' });
    const waiter = w.store.virtualWaiters.latest('q1', from)!;
    expect(waiter).toMatchObject({ state: 'Waiting', parentCallId: parent.callId });
    // Its place: the routing core's enter time, a millisecond or so after the session's own stamp.
    expect(Math.abs(waiter.enqueuedAt - parent.enqueuedAt!)).toBeLessThanOrEqual(50);

    // The trunk's far end answers the callback; the agent's phone answers and talks.
    const customer = await startTrunkPeer(w.asterisk, 'answer', { answerAfterMs: 300 });
    await w.phone('1001', { kind: 'talk', ringMs: 300, talkMs: 3000 });
    await w.until(() => w.engine.agentSnapshot('1001')?.reachable, 'agent reachable', 5000);
    w.engine.unpauseAgent('1001');

    await w.until(async () => {
      const [bridges, channels] = await Promise.all([w.ari<{ channels: string[] }[]>('bridges'), w.ari<AriChannel[]>('channels')]);
      return bridges.some((b) => {
        const names = b.channels.map((id) => channels.find((c) => c.id === id)?.name ?? '');
        return names.some((x) => x.startsWith('PJSIP/1001-')) && names.some((x) => x.startsWith('PJSIP/trunk'));
      });
    }, 'agent 1001 and the trunk bridged', 30_000);

    const callback = await w.until(() => w.cdrs.find((c) => c.direction === 'callback'), 'the callback CDR', 20_000);
    expect(callback).toMatchObject({ parentCallId: parent.callId, agentId: '1001', disposition: 'answered', queueId: 'q1', dialled: from, enqueuedAt: waiter.enqueuedAt });
    expect(callback.waitMs).toBe(callback.connectedAt! - waiter.enqueuedAt);
    expect(callback.talkMs).toBeGreaterThanOrEqual(2000);
    expect(w.store.virtualWaiters.get(waiter.id)).toMatchObject({ state: 'Finished', serviceState: 'Finished', agentId: '1001' });
    expect(w.queueLog.filter((e) => e.event === 'CALLBACKREQ').map((e) => e.callId)).toEqual([parent.callId]);
    expect((await customer.done).code).toBe(0);
  }, 90_000);

  it('calls back the number the caller typed, read back and confirmed with 1 (SIPp DTMF)', async () => {
    await w.beginTest(
      referenceConfig((c) => {
        Object.assign(c.queues[0]!, { virtual_queue: { key: '1', ring_timeout_s: 20, retries: 0, number_entry: { attempts: 2, digit_timeout_s: 15 } } });
        Object.assign(c, { click_to_call: { caller_id: '0100000000' } });
      }),
    );
    let n = 0;
    new VirtualQueueService({ engine: w.engine, waiters: w.store.virtualWaiters, http: createHttpClient(), log: silentLogger(), newId: () => `ast-n${++n}` });
    w.engine.pauseAgent('1001', 'busy');
    w.engine.pauseAgent('1002', 'busy');
    const from = `+3361${w.nextCaller().slice(-7)}`;
    const typed = '5550';

    // The key at 3 s; the number typed from 5 s (stopping the prompt), then #; 1 confirms after the
    // read-back (any digit order: dtmf-pcaps.ts gives each slot its own increasing RTP events).
    const digits = [...typed, '#'].map((digit, i) => ({ afterMs: 5000 + i * 800, digit }));
    const caller = await w.caller({ to: '2000', from, keys: [{ afterMs: 3000, digit: '1' }, ...digits, { afterMs: 18_000, digit: '1' }], timeoutMs: 60_000 });
    const result = await caller.done;
    expect(result.code, result.errors).toBe(0);
    const parent = await w.until(() => w.cdrOf(from), 'the caller CDR', 10_000);
    expect(parent).toMatchObject({ disposition: 'callback-requested', queueId: 'q1' });
    const waiter = w.store.virtualWaiters.list(['Waiting'], 'q1').find((x) => x.parentCallId === parent.callId)!;
    expect(waiter).toMatchObject({ phone: typed, state: 'Waiting' });

    const customer = await startTrunkPeer(w.asterisk, 'answer', { answerAfterMs: 300 });
    await w.phone('1001', { kind: 'talk', ringMs: 300, talkMs: 2000 });
    await w.until(() => w.engine.agentSnapshot('1001')?.reachable, 'agent reachable', 5000);
    w.engine.unpauseAgent('1001');

    const callback = await w.until(() => w.cdrs.find((c) => c.direction === 'callback' && c.parentCallId === parent.callId), 'the callback CDR', 30_000);
    expect(callback).toMatchObject({ dialled: typed, agentId: '1001', disposition: 'answered' });
    expect((await customer.done).code).toBe(0);
  }, 120_000);
});
