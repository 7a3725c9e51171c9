/**
 * The engine on a real PBX (Asterisk or FreeSWITCH), driven by SIPp: the seed 000 reference flow (IVR 1 → 2 → Queue 2
 * overflowing to Group 3), bridge recording paused and resumed, and a caller who hangs up in the
 * IVR. Assertions are on the engine's state, CDRs and queue log, and on the PBX's own lists.
 */
import { existsSync, readFileSync } from 'node:fs';
import { beforeEach, describe, expect, it } from 'vitest';
import { realPbx, referenceConfig, skipReasonFor, useEngineWorld, type PbxName, wavDurationMs, type EngineWorld } from './engine-world.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Keys 1 (English) then 2 (support), sent after the engine answers. */
const support = [
  { afterMs: 1200, digit: '1' },
  { afterMs: 2600, digit: '2' },
];

/** The suite on `pbx` (one test file per PBX calls it). */
export function engineReferenceSuite(pbx: PbxName): void {
  const skipReason = skipReasonFor(pbx);
  describe.skipIf(skipReason !== undefined)(`engine on ${realPbx(pbx)}: reference flow${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
    const world = useEngineWorld(pbx);
    let w: EngineWorld;
    beforeEach(() => {
      w = world();
    });

    it('routes 1 then 2 to Queue 2 and bridges a Group 3 agent when both Group 2 agents are busy', async () => {
      // Arrange: Group 2 (1003, 1004) and Group 3's 1005 registered; two earlier support callers take Group 2.
      await w.beginTest(referenceConfig());
      await w.phone('1003', { kind: 'answer', ringMs: 200 });
      await w.phone('1004', { kind: 'answer', ringMs: 200 });
      await w.phone('1005', { kind: 'talk', ringMs: 300, talkMs: 4000 });
      await w.until(() => ['1003', '1004', '1005'].every((a) => w.engine.agentSnapshot(a)?.reachable), 'agents reachable', 5000);
      for (let i = 0; i < 2; i++) await w.caller({ to: '1000', from: w.nextCaller(), keys: support });
      await w.until(() => ['1003', '1004'].every((a) => w.engine.agentSnapshot(a)?.presence === 'oncall'), 'Group 2 busy', 20_000);

      // Act: our caller presses 1 then 2.
      const from = w.nextCaller();
      await w.caller({ to: '1000', from, keys: support });
      const session = await w.until(() => w.engine.sessionOfAgent('1005'), 'Group 3 agent on the call', 20_000);
      const bridge = await w.until(
        async () => (await w.lab.bridges()).find((b) => b.channels.some((c) => c.id === session.leg) && b.channels.some((c) => c.id === session.agentLeg)),
        'one PBX bridge holding both legs',
        5000,
      );
      // The dialplan minted the call id at ingress; the engine adopted it without another request.
      expect(await w.lab.channelVar(session.leg, 'SWITCHBOARD_CALL_ID')).toBe(session.callId);
      const cdr = await w.until(() => w.cdrOf(from), 'the CDR', 15_000);

      // Assert
      expect(bridge.channels).toHaveLength(2);
      expect(session.from).toBe(from);
      expect(cdr).toMatchObject({ numberId: 'A', ivrPath: 'lang:1>english:2', queueId: 'q2', agentId: '1005', disposition: 'answered', hangupSide: 'agent', language: 'en' });
      expect(cdr.agentLegId).toBe(session.agentLeg);
      expect(cdr.waitMs).toBeGreaterThanOrEqual(300); // at least the agent's ring time
      expect(cdr.waitMs).toBeLessThan(5000);
      expect(cdr.talkMs).toBeGreaterThan(3500); // the agent talks 4 s, then hangs up
      expect(cdr.talkMs).toBeLessThan(6000);
      expect(w.queueLog.filter((e) => e.callId === cdr.callId).map((e) => e.event)).toEqual(['ENTERQUEUE', 'CONNECT', 'COMPLETEAGENT']);
      expect(w.engine.agentSnapshot('1003')?.presence).toBe('oncall');
      expect(w.engine.agentSnapshot('1004')?.presence).toBe('oncall');
    }, 60_000);

    it('records the bridge without the paused part when recording is paused then resumed', async () => {
      // Arrange: Queue 1 records; its agent talks 7 s.
      await w.beginTest(referenceConfig((c) => (c.queues[0]!.record = true)));
      await w.phone('1001', { kind: 'talk', ringMs: 200, talkMs: 7000 });
      await w.until(() => w.engine.agentSnapshot('1001')?.reachable, 'agent reachable', 5000);
      const from = w.nextCaller();
      await w.caller({ to: '2000', from });
      const session = await w.until(() => (w.engine.sessionOfAgent('1001')?.recordingState === 'active' ? w.engine.sessionOfAgent('1001') : undefined), 'recording active', 20_000);

      // Act: pause for 2.5 s after 1.5 s of recording.
      const pauseMs = 2500;
      await sleep(1500);
      expect(await session.pauseRecording()).toBe(true);
      const pausedState = session.recordingState;
      await sleep(pauseMs);
      expect(await session.resumeRecording()).toBe(true);
      const cdr = await w.until(() => w.cdrOf(from), 'the CDR', 15_000);

      // Assert: the file is shorter than the talk time by about the pause.
      expect(pausedState).toBe('paused');
      expect(cdr.recording).toBe(`switchboard-${cdr.callId}`);
      const file = w.lab.recordingFile(cdr.recording!);
      await w.until(() => existsSync(file), 'the recording file', 5000);
      const recordedMs = wavDurationMs(readFileSync(file));
      expect(recordedMs).toBeGreaterThan(1000);
      expect(Math.abs(cdr.talkMs! - recordedMs - pauseMs)).toBeLessThanOrEqual(1000);
    }, 60_000);

    it('ends with ivr-hangup on the caller side and leaves no channel in the PBX when the caller hangs up in the IVR', async () => {
      // Arrange
      await w.beginTest(referenceConfig());
      const from = w.nextCaller();

      // Act: hang up 1.5 s into the language menu (its prompt lasts about 4 s).
      await w.caller({ to: '1000', from, patienceMs: 1500 });
      const cdr = await w.until(() => w.cdrOf(from), 'the CDR', 15_000);
      const channels = await w.until(async () => ((await w.lab.channels()).length === 0 ? [] : undefined), 'no channel left', 5000);

      // Assert
      expect(cdr).toMatchObject({ numberId: 'A', disposition: 'ivr-hangup', hangupSide: 'caller', queueId: null, agentId: null, ivrPath: null });
      expect(cdr.answeredAt).not.toBeNull();
      expect(channels).toEqual([]);
      expect(w.engine.liveCalls).toBe(0);
    }, 30_000);
  });
}
