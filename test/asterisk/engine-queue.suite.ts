/**
 * Queue behaviour of the engine on a real PBX (Asterisk or FreeSWITCH), driven by SIPp: first in, first out with more
 * callers than agents; an unanswered offer moving to the next agent; a caller abandoning the wait.
 * Calls come in on number 2000 (straight to Queue 1, no IVR).
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { realPbx, referenceConfig, skipReasonFor, useEngineWorld, type PbxName, type EngineWorld } from './engine-world.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The suite on `pbx` (one test file per PBX calls it). */
export function engineQueueSuite(pbx: PbxName): void {
  const skipReason = skipReasonFor(pbx);
  describe.skipIf(skipReason !== undefined)(`engine on ${realPbx(pbx)}: queues${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
    const world = useEngineWorld(pbx);
    let w: EngineWorld;
    beforeEach(() => {
      w = world();
    });

    it('connects five callers to two agents in arrival order', async () => {
      // Arrange: both Queue 1 agents at the same penalty, talking 1.5 s per call.
      await w.beginTest(referenceConfig((c) => ((c as { memberships: unknown[] }).memberships = [])));
      await w.phone('1001', { kind: 'talk', ringMs: 100, talkMs: 1500 });
      await w.phone('1002', { kind: 'talk', ringMs: 100, talkMs: 1500 });
      await w.until(() => ['1001', '1002'].every((a) => w.engine.agentSnapshot(a)?.reachable), 'agents reachable', 5000);

      // Act: five callers, 400 ms apart.
      const callers: string[] = [];
      for (let i = 0; i < 5; i++) {
        const from = w.nextCaller();
        callers.push(from);
        await w.caller({ to: '2000', from });
        await sleep(400);
      }
      await w.until(() => callers.every((c) => w.cdrOf(c)), 'five CDRs', 30_000);

      // Assert: queue entry order = arrival order, and connect order = entry order.
      const callerOf = new Map(w.cdrs.map((c) => [c.callId, c.caller]));
      const order = (event: string) => w.queueLog.filter((e) => e.event === event).map((e) => callerOf.get(e.callId!));
      expect(order('ENTERQUEUE')).toEqual(callers);
      expect(order('CONNECT')).toEqual(callers);
      const cdrs = callers.map((c) => w.cdrOf(c)!);
      expect(cdrs.map((c) => c.disposition)).toEqual(Array(5).fill('answered'));
      const connected = cdrs.map((c) => c.connectedAt!);
      expect([...connected].sort((a, b) => a - b)).toEqual(connected);
      expect(new Set(cdrs.map((c) => c.agentId))).toEqual(new Set(['1001', '1002']));
    }, 60_000);

    it('offers the call to the next agent when the first one does not answer in time', async () => {
      // Arrange: 1001 (first choice) rings forever; 1002 (penalty 1) answers. Answer time-out 2 s.
      await w.beginTest(referenceConfig((c) => (c.queues[0]!.answer_timeout_s = 2)));
      await w.phone('1001', { kind: 'never' });
      await w.phone('1002', { kind: 'talk', ringMs: 200, talkMs: 1000 });
      await w.until(() => ['1001', '1002'].every((a) => w.engine.agentSnapshot(a)?.reachable), 'agents reachable', 5000);
      const from = w.nextCaller();

      // Act
      await w.caller({ to: '2000', from });
      const cdr = await w.until(() => w.cdrOf(from), 'the CDR', 20_000);

      // Assert
      const log = w.queueLog.filter((e) => e.callId === cdr.callId);
      expect(log.map((e) => e.event)).toEqual(['ENTERQUEUE', 'RINGNOANSWER', 'CONNECT', 'COMPLETEAGENT']);
      expect(log[1]).toMatchObject({ agentId: '1001', data: { cause: 'no-answer' } });
      expect(cdr).toMatchObject({ agentId: '1002', disposition: 'answered', queueId: 'q1' });
      expect(cdr.waitMs).toBeGreaterThanOrEqual(2000);
      expect(cdr.waitMs).toBeLessThan(6000);
    }, 40_000);

    it('writes an abandoned CDR and ABANDON when the caller hangs up while waiting', async () => {
      // Arrange: nobody registered for Queue 1, so the call waits.
      await w.beginTest(referenceConfig());
      const from = w.nextCaller();

      // Act: the caller gives up after 3 s.
      await w.caller({ to: '2000', from, patienceMs: 3000 });
      const cdr = await w.until(() => w.cdrOf(from), 'the CDR', 15_000);

      // Assert
      expect(cdr).toMatchObject({ numberId: 'B', queueId: 'q1', disposition: 'abandoned', hangupSide: 'caller', agentId: null, connectedAt: null });
      expect(cdr.waitMs).toBeGreaterThan(2000);
      expect(cdr.waitMs).toBeLessThan(5000);
      const log = w.queueLog.filter((e) => e.callId === cdr.callId);
      expect(log.map((e) => e.event)).toEqual(['ENTERQUEUE', 'ABANDON']);
      expect(w.engine.queueSnapshot('q1')?.waiting).toBe(0);
    }, 30_000);
  });
}
