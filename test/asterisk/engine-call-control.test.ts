/**
 * Agent call control on a real Asterisk driven by SIPp: hold (the agent leaves the customer's
 * bridge, the bridge plays music), a blind transfer to another agent, and an attended transfer
 * to an outside number through the trunk (a SIPp UAS). CDR segments and hold time are checked.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { startTrunkPeer } from './harness.js';
import { referenceConfig, skipReason, useEngineWorld, type EngineWorld } from './engine-world.js';

interface AriChannel {
  id: string;
  name: string;
}
interface AriBridge {
  id: string;
  channels: string[];
}

describe.skipIf(skipReason !== undefined)(`engine on a real Asterisk: agent call control${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  const world = useEngineWorld();
  let w: EngineWorld;
  beforeEach(() => {
    w = world();
  });

  /** Names of the channels sharing a bridge with the caller's leg. */
  async function bridgeOf(leg: string): Promise<string[] | undefined> {
    const [bridges, channels] = await Promise.all([w.ari<AriBridge[]>('bridges'), w.ari<AriChannel[]>('channels')]);
    const b = bridges.find((x) => x.channels.includes(leg));
    return b?.channels.map((id) => channels.find((c) => c.id === id)?.name ?? id);
  }

  it('holds the customer: the agent leaves the bridge, the customer hears music, and the hold time is in the CDR', async () => {
    await w.beginTest(referenceConfig());
    w.engine.pauseAgent('1002', 'away');
    await w.phone('1001', { kind: 'talk', ringMs: 100, talkMs: 9000 });
    const from = w.nextCaller();
    await w.caller({ to: '2000', from });
    const session = await w.until(() => w.engine.sessionOfAgent('1001')?.agentLeg && w.engine.sessionOfAgent('1001'), 'agent 1001 on the call', 15_000);
    const ctl = w.engine.callControl('1001');
    await w.until(async () => (await bridgeOf(session.leg))?.length === 2 && true, 'caller and agent bridged', 5000);

    await ctl.hold();
    const held = await bridgeOf(session.leg);
    await new Promise((r) => setTimeout(r, 2500));
    await ctl.unhold();
    const back = await bridgeOf(session.leg);

    expect(held).toHaveLength(1);
    expect(back?.some((n) => n.startsWith('PJSIP/1001'))).toBe(true);
    const cdr = await w.until(() => w.cdrOf(from), 'the CDR', 20_000);
    expect(cdr).toMatchObject({ disposition: 'answered', agentId: '1001', hangupSide: 'agent' });
    expect(cdr.holdMs).toBeGreaterThanOrEqual(2400);
    expect(cdr.holdMs).toBeLessThan(5000);
    expect(cdr.segments).toEqual([expect.objectContaining({ agentId: '1001', via: 'queue', holdMs: cdr.holdMs })]);
  });

  it('transfers blind to another agent: the first agent is released, the second rings and joins the same bridge', async () => {
    await w.beginTest(referenceConfig());
    w.engine.pauseAgent('1002', 'away');
    await w.phone('1001', { kind: 'answer', ringMs: 100 });
    await w.phone('1002', { kind: 'talk', ringMs: 300, talkMs: 3000 });
    const from = w.nextCaller();
    await w.caller({ to: '2000', from });
    const session = await w.until(() => w.engine.sessionOfAgent('1001')?.agentLeg && w.engine.sessionOfAgent('1001'), 'agent 1001 on the call', 15_000);
    await w.until(async () => (await bridgeOf(session.leg))?.length === 2 && true, 'caller and agent bridged', 5000);
    const states: string[] = [];
    w.engine.on('agent.state', (e) => states.push(`${e.agentId}:${e.presence}`));
    w.engine.unpauseAgent('1002');

    await w.engine.callControl('1001').transfer({ agentId: '1002' });

    const withBob = await w.until(async () => {
      const names = await bridgeOf(session.leg);
      return names?.some((n) => n.startsWith('PJSIP/1002')) && names;
    }, 'the caller bridged with 1002', 10_000);
    expect(withBob.some((n) => n.startsWith('PJSIP/1001'))).toBe(false);
    const cdr = await w.until(() => w.cdrOf(from), 'the CDR', 20_000);
    expect(cdr).toMatchObject({ disposition: 'answered', agentId: '1001', hangupSide: 'agent' });
    expect(cdr.segments.map((s) => [s.agentId, s.via])).toEqual([['1001', 'queue'], ['1002', 'blind']]);
    expect(w.queueLog.filter((e) => e.callId === cdr.callId).map((e) => `${e.event}:${e.agentId ?? ''}`)).toEqual(expect.arrayContaining(['BLINDTRANSFER:1001', 'CONNECT:1002']));
    expect(states).toEqual(expect.arrayContaining(['1001:ready', '1002:ringing', '1002:oncall']));
  });

  it('transfers attended to an outside number: consult with the customer on hold, then the customer and the number are bridged', async () => {
    await w.beginTest(referenceConfig((c) => ((c as { click_to_call?: unknown }).click_to_call = { allow: '^0[0-9]{9}$' })));
    w.engine.pauseAgent('1002', 'away');
    await w.phone('1001', { kind: 'answer', ringMs: 100 });
    const outside = await startTrunkPeer(w.asterisk, 'answer', { answerAfterMs: 300 });
    const from = w.nextCaller();
    await w.caller({ to: '2000', from, patienceMs: 14_000 });
    const session = await w.until(() => w.engine.sessionOfAgent('1001')?.agentLeg && w.engine.sessionOfAgent('1001'), 'agent 1001 on the call', 15_000);
    await w.until(async () => (await bridgeOf(session.leg))?.length === 2 && true, 'caller and agent bridged', 5000);
    const ctl = w.engine.callControl('1001');

    await ctl.consult({ number: '0612345678' });
    await w.until(() => ctl.party?.answered, 'the outside number answered the consult', 10_000);
    const onHold = await bridgeOf(session.leg);
    await new Promise((r) => setTimeout(r, 1000));
    await ctl.complete();

    expect(onHold).toHaveLength(1);
    const joined = await w.until(async () => {
      const names = await bridgeOf(session.leg);
      return names?.some((n) => n.startsWith('PJSIP/trunk')) && names;
    }, 'the caller bridged with the outside number', 10_000);
    expect(joined.some((n) => n.startsWith('PJSIP/1001'))).toBe(false);
    const cdr = await w.until(() => w.cdrOf(from), 'the CDR', 25_000);
    expect(cdr).toMatchObject({ disposition: 'answered', agentId: '1001', hangupSide: 'caller' });
    expect(cdr.segments.map((s) => [s.agentId, s.number, s.via])).toEqual([['1001', null, 'queue'], [null, '0612345678', 'attended']]);
    expect(cdr.holdMs).toBeGreaterThanOrEqual(1000);
    expect(w.queueLog.some((e) => e.callId === cdr.callId && e.event === 'ATTENDEDTRANSFER')).toBe(true);
    outside.kill();
  });
});
