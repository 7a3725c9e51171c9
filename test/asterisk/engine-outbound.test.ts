/**
 * Outbound calls on a real Asterisk driven by SIPp, with a SIPp UAS as the trunk's far end:
 * dialFromQueue (seed 002: the customer first, then an agent of the queue), an agent's phone
 * dialling out through the engine's policy, and CreateCall (seed 003) with auto-answer.
 */
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { createOutboundService } from '../../src/api/outbound-service.js';
import { silentLogger } from '../../src/infra/logger.js';
import { scenariosDir, startSipp, startTrunkPeer, waitRegistered } from './harness.js';
import { referenceConfig, skipReason, unregisterAll, useEngineWorld, type EngineWorld } from './engine-world.js';

interface AriChannel {
  id: string;
  name: string;
  caller: { number: string };
}

const CUSTOMER = '0612345678';
const admin = { profile: 'admin' as const };

describe.skipIf(skipReason !== undefined)(`engine on a real Asterisk: outbound calls${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  const world = useEngineWorld();
  let w: EngineWorld;
  beforeEach(() => {
    w = world();
  });

  /** The bridge holding an agent phone's leg and a trunk leg, as its channels. */
  const agentAndTrunkBridged = (endpoint: string) =>
    w.until(async () => {
      const [bridges, channels] = await Promise.all([w.ari<{ id: string; channels: string[] }[]>('bridges'), w.ari<AriChannel[]>('channels')]);
      const members = (b: { channels: string[] }) => b.channels.map((id) => channels.find((c) => c.id === id));
      const b = bridges.find((x) => members(x).some((c) => c?.name.startsWith(`PJSIP/${endpoint}-`)) && members(x).some((c) => c?.name.startsWith('PJSIP/trunk')));
      return b && members(b);
    }, `agent ${endpoint} and the trunk bridged`, 15_000);

  const withOutbound = () =>
    referenceConfig((c) => {
      Object.assign(c, {
        click_to_call: { allow: '^0[0-9]{9}$', caller_id: '0100000000' },
        phone_policies: [{ id: 'sales', groups: ['g1'], allow: ['^0[1-9][0-9]{8}$'], deny: ['^08'], caller_id: '0199887766' }],
      });
    });

  it('dialFromQueue dials the customer through the trunk, then bridges them with a free agent of the queue; USR_ variables on the leg and in the CDR', async () => {
    await w.beginTest(withOutbound());
    w.engine.pauseAgent('1002', 'busy elsewhere');
    await w.phone('1001', { kind: 'talk', ringMs: 200, talkMs: 3000 });
    await w.until(() => w.engine.agentSnapshot('1001')?.reachable, 'agent reachable', 5000);
    const customer = await startTrunkPeer(w.asterisk, 'answer', { answerAfterMs: 300 });
    const states: string[] = [];
    w.engine.on('agent.state', (e) => e.agentId === '1001' && states.push(e.presence));

    const { callId } = createOutboundService({ engine: w.engine, log: silentLogger() }).dialFromQueue(admin, { destination: CUSTOMER, queueId: 'q1', callerIdNumber: '0199887766', variables: { crm: '42' } });

    const bridged = await agentAndTrunkBridged('1001');
    const trunkLeg = bridged.find((c) => c?.name.startsWith('PJSIP/trunk'))!;
    expect(trunkLeg.caller.number).toBe('0199887766');
    expect(await w.ari<{ value: string }>(`channels/${encodeURIComponent(trunkLeg.id)}/variable?variable=USR_crm`)).toEqual({ value: '42' });
    const cdr = await w.until(() => w.cdrs.find((c) => c.callId === callId), 'the CDR', 20_000);
    expect(cdr).toMatchObject({ direction: 'outbound', queueId: 'q1', agentId: '1001', dialled: CUSTOMER, caller: '0199887766', disposition: 'answered', hangupSide: 'agent', variables: { USR_crm: '42' } });
    expect(cdr.talkMs).toBeGreaterThanOrEqual(2000);
    expect(states).toEqual(['ringing', 'oncall', 'ready']);
    expect((await customer.done).code).toBe(0);
  }, 60_000);

  it("bridges an agent phone's call to an allowed number through the trunk with the policy caller id: AgentDialing, AgentOnCall, outbound CDR", async () => {
    await w.beginTest(withOutbound());
    await w.phone('1001', { kind: 'answer' });
    const customer = await startTrunkPeer(w.asterisk, 'answer', { answerAfterMs: 500 });
    const states: string[] = [];
    w.engine.on('agent.state', (e) => e.agentId === '1001' && states.push(e.presence));

    const dialler = await startSipp({ scenario: 'uac-phone-dial-out-talk-bye.xml', asterisk: w.asterisk, service: CUSTOMER, auth: { user: '1001', password: w.asterisk.phonePassword }, keys: { user: '1001', talk: 2000 }, timeoutMs: 30_000 });

    const bridged = await agentAndTrunkBridged('1001');
    expect(bridged.find((c) => c?.name.startsWith('PJSIP/trunk'))?.caller.number).toBe('0199887766');
    const result = await dialler.done;
    expect(result.code, result.errors).toBe(0);
    const cdr = await w.until(() => w.cdrs.find((c) => c.dialled === CUSTOMER), 'the CDR', 10_000);
    expect(cdr).toMatchObject({ direction: 'outbound', agentId: '1001', caller: '1001', disposition: 'answered', hangupSide: 'agent' });
    expect(cdr.talkMs).toBeGreaterThanOrEqual(1500);
    expect(states).toEqual(['dialing', 'oncall', 'ready']);
    expect((await customer.done).code).toBe(0);
  }, 60_000);

  it('refuses a number the policy forbids with 403 and a refused CDR, and the trunk is never dialled', async () => {
    await w.beginTest(withOutbound());
    const dialler = await startSipp({ scenario: 'uac-phone-dial-out-talk-bye.xml', asterisk: w.asterisk, service: '0812345678', auth: { user: '1001', password: w.asterisk.phonePassword }, keys: { user: '1001', talk: 1000 }, timeoutMs: 10_000 });

    const result = await dialler.done;
    const cdr = await w.until(() => w.cdrs.find((c) => c.dialled === '0812345678'), 'the CDR', 10_000);

    expect(result.messages).toMatch(/SIP\/2\.0 403/);
    expect(cdr).toMatchObject({ direction: 'outbound', agentId: '1001', disposition: 'refused', hangupCause: 'forbidden-number' });
    expect((await w.ari<AriChannel[]>('channels')).filter((c) => c.name.startsWith('PJSIP/trunk'))).toEqual([]);
  }, 30_000);

  it('CreateCall rings the extension with an auto-answer header (the phone answers only then), dials the destination, bridges and records', async () => {
    await w.beginTest(withOutbound());
    const phone = await startSipp({
      scenario: 'uac-phone-register-stay-unregister.xml',
      asterisk: w.asterisk,
      auth: { user: '1001', password: w.asterisk.phonePassword },
      keys: { user: '1001', stay: 60_000, expires: 300 },
      extraArgs: ['-oocsf', join(scenariosDir, 'uas-agent-auto-answer-expect-bye.xml'), '-aa'],
      timeoutMs: 60_000,
    });
    try {
      await waitRegistered(w.asterisk, '1001', phone.port);
      await startTrunkPeer(w.asterisk, 'answer', { answerAfterMs: 300 });

      const { id } = createOutboundService({ engine: w.engine, log: silentLogger() }).createCall(admin, { destination: CUSTOMER, from: { extension: '1001' }, params: { auto_answer: true, record: true, variables: { ticket: '7' } } });

      const bridged = await agentAndTrunkBridged('1001');
      await w.until(() => w.engine.agentSnapshot('1001')?.presence === 'oncall', 'agent on call', 5000);
      await new Promise((r) => setTimeout(r, 1500));
      await w.ari(`channels/${encodeURIComponent(bridged.find((c) => c?.name.startsWith('PJSIP/trunk'))!.id)}`, 'DELETE');
      const cdr = await w.until(() => w.cdrs.find((c) => c.callId === id), 'the CDR', 10_000);
      expect(cdr).toMatchObject({ direction: 'outbound', agentId: '1001', dialled: CUSTOMER, disposition: 'answered', hangupSide: 'caller', recording: `switchboard-${id}`, variables: { USR_ticket: '7' } });
      expect(cdr.talkMs).toBeGreaterThanOrEqual(1000);
    } finally {
      phone.kill();
      await unregisterAll(w.asterisk, '1001');
    }
  }, 60_000);
});
