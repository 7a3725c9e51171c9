/**
 * Commands that touch media, on a real PBX (Asterisk or FreeSWITCH) driven by SIPp: a supervisor listening to an
 * agent's call from its own phone (snoop + bridge), and click-to-call (agent first, then the
 * customer through the trunk, bridged). Recording pause/resume is in engine-reference.test.ts.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { createAgentService } from '../../src/api/agent-service.js';
import { silentLogger } from '../../src/infra/logger.js';
import { realPbx, referenceConfig, skipReasonFor, useEngineWorld, type PbxName, type EngineWorld } from './engine-world.js';

/** The suite on `pbx` (one test file per PBX calls it). */
export function engineSupervisorSuite(pbx: PbxName): void {
  const skipReason = skipReasonFor(pbx);
  describe.skipIf(skipReason !== undefined)(`engine on ${realPbx(pbx)}: supervisor and outbound commands${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
    const world = useEngineWorld(pbx);
    let w: EngineWorld;
    beforeEach(() => {
      w = world();
    });

    it('lets a supervisor on line 1002 hear the call of agent 1001 until it ends', async () => {
      // Arrange: a caller on 2000 (Queue 1) reaches agent 1001; 1002 is the supervisor's phone.
      await w.beginTest(referenceConfig());
      const service = createAgentService({ engine: w.engine, store: w.store, log: silentLogger() });
      w.engine.pauseAgent('1002', 'supervising');
      await w.phone('1001', { kind: 'talk', ringMs: 100, talkMs: 6000 });
      await w.phone('1002', { kind: 'answer', ringMs: 100 });
      const listen: string[] = [];
      w.engine.on('agent.listen', (e) => listen.push(`${e.agentId}:${e.phoneNumber}:${e.started}`));
      await w.caller({ to: '2000', from: w.nextCaller() });
      const session = await w.until(() => w.engine.sessionOfAgent('1001')?.agentLeg && w.engine.sessionOfAgent('1001'), 'agent 1001 on the call', 15_000);

      // Act
      expect(service.listenAgent({ profile: 'supervisor', queues: ['q1'], groups: ['g1'] }, '1001', '1002')).toEqual({ agentId: '1001', phoneNumber: '1002' });

      // Assert: a snoop channel on the agent's leg shares a bridge with the supervisor's phone.
      const listenBridge = await w.until(async () => {
        const bridges = await w.lab.bridges();
        return bridges.find((b) => b.channels.some((c) => c.kind === 'snoop') && b.channels.some((c) => c.kind === 'phone' && c.endpoint === '1002'));
      }, 'a bridge holding the snoop and the supervisor', 10_000);
      expect(listenBridge.channels).toHaveLength(2);
      expect(listenBridge.channels.map((c) => c.id)).not.toContain(session.leg);
      await w.until(() => listen.includes('1001:1002:true'), 'AgentListen started', 5000);
      // The call ends (the agent hangs up after 6 s): the listen ends with it, nothing is left.
      await w.until(() => listen.includes('1001:1002:false'), 'AgentListen stopped', 15_000);
      await w.until(async () => (await w.lab.channels()).every((c) => c.kind !== 'snoop' && c.endpoint !== '1002'), 'snoop and supervisor legs gone', 5000);
    });

    it('click-to-call rings the agent, then the customer through the trunk with the configured caller id, and bridges them', async () => {
      // Arrange
      await w.beginTest(referenceConfig((c) => ((c as { click_to_call?: unknown }).click_to_call = { allow: '^0[0-9]{9}$', caller_id: '0199887766' })));
      const service = createAgentService({ engine: w.engine, store: w.store, log: silentLogger() });
      await w.phone('1001', { kind: 'talk', ringMs: 300, talkMs: 3000 });
      const customer = await w.lab.trunkPeer('answer', { answerAfterMs: 300 });
      const states: string[] = [];
      w.engine.on('agent.state', (e) => e.agentId === '1001' && states.push(e.presence));

      // Act
      const { callId } = service.clickToCall({ profile: 'agent', agentId: '1001' }, { destination: '0612345678' });

      // Assert: both legs in one bridge, the customer's leg shows the configured caller id.
      const bridged = await w.until(async () => {
        const bridges = await w.lab.bridges();
        return bridges.find((b) => b.channels.some((c) => c.kind === 'phone' && c.endpoint === '1001') && b.channels.some((c) => c.kind === 'trunk'))?.channels;
      }, 'agent and customer bridged', 10_000);
      expect(bridged.find((c) => c.kind === 'trunk')?.callerNumber).toBe('0199887766');
      const cdr = await w.until(() => w.cdrs.find((c) => c.callId === callId), 'the outbound CDR', 15_000);
      expect(cdr).toMatchObject({ direction: 'outbound', agentId: '1001', dialled: '0612345678', disposition: 'answered', hangupSide: 'agent' });
      expect(cdr.talkMs).toBeGreaterThanOrEqual(2000);
      expect(states).toEqual(['dialing', 'oncall', 'ready']);
      customer.kill();
    });
  });
}
