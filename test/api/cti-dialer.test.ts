/**
 * The dialer on the CTI WebSocket (seed 003): a preview offer reaches the agent with the member's
 * data and variables, the agent skips and accepts it by command, and attempts report their
 * progress (dialing, answered, ended) to supervisors of the queue and to the attempt's agent only.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { campaignSchema, membersBody } from '../../src/dialer/campaign.js';
import type { ConfigInput } from '../../src/domain/config.js';
import { ctiWorld, type CtiWorld } from '../support/cti-world.js';
import { configFrom } from '../support/sim-world.js';

const S = 1000;
const config = (): ConfigInput => ({
  queues: [{ id: 'q', groups: [{ group: 'sales', priority: 1 }] }, { id: 'other', groups: [{ group: 'support', priority: 1 }] }],
  groups: [{ id: 'sales' }, { id: 'support' }],
  agents: [
    { id: 'a1', phone: { type: 'sip', endpoint: '1001' }, groups: ['sales'] },
    { id: 'a2', phone: { type: 'sip', endpoint: '1002' }, groups: ['support'] },
  ],
});

describe('CTI dialer events and preview commands (seed 003)', () => {
  let w: CtiWorld | undefined;
  afterEach(async () => {
    await w?.close();
    w = undefined;
  });

  const campaign = (mode: 'preview' | 'progressive') => {
    w!.dialer.create(campaignSchema.parse({ id: 'd1', queue: 'q', mode, caller_id: '0123456789', max_concurrent: 1 }));
    w!.store.dialers.addMembers('d1', membersBody.parse({ items: [
      { name: 'Alice', priority: 5, communications: [{ destination: '0611111111', type: { id: 'mobile' }, description: 'cell' }], variables: { crm: '42' } },
      { name: 'Bob', communications: [{ destination: '0622222222' }] },
    ] }).items, w!.clock.now());
  };

  it('offers the member with its data to the agent, skips with a reason, accepts by command and reports the attempt', async () => {
    w = await ctiWorld(configFrom(config()));
    w.engine.loginAgent('a1');
    w.pbx.setPhone('1001', { behavior: 'answer', answerAfterMs: 1000 });
    w.pbx.setPhone('0622222222', { behavior: 'busy', answerAfterMs: 1000 });
    campaign('preview');
    const ann = await w.connect(await w.session('ann', 'agent', { agentId: 'a1' }));
    const admin = await w.connect(w.adminKey);
    w.dialer.act('d1', 'start');
    await w.clock.runFor(2 * S);

    const offer = await ann.next((m) => m.msgType === 'DialerPreview' && m.ctiMessage.phase === 'offered');
    expect(offer.ctiMessage).toEqual({
      dialerId: 'd1', agentId: 'a1', phase: 'offered', memberId: 1,
      member: { id: 1, name: 'Alice', priority: 5, communications: [{ destination: '0611111111', priority: 0, type: { id: 'mobile' }, description: 'cell' }], variables: { crm: '42' }, attempts: 0, expireAt: null, bucket: null },
    });
    await admin.next((m) => m.msgType === 'DialerPreview' && m.ctiMessage.memberId === 1);

    ann.send({ command: 'skipPreview', reason: 'called yesterday', requestId: 's1' });
    expect((await ann.next((m) => m.msgType === 'CommandResult' && m.ctiMessage.requestId === 's1')).ctiMessage.result).toEqual({ dialerId: 'd1', memberId: 1, decision: 'skipped' });
    expect((await ann.next((m) => m.msgType === 'DialerPreview' && m.ctiMessage.phase === 'skipped')).ctiMessage).toMatchObject({ memberId: 1, reason: 'called yesterday' });
    await w.clock.runFor(2 * S);
    await ann.next((m) => m.msgType === 'DialerPreview' && m.ctiMessage.phase === 'offered' && m.ctiMessage.memberId === 2);

    ann.send({ command: 'acceptPreview', requestId: 'a1' });
    await ann.next((m) => m.msgType === 'CommandResult' && m.ctiMessage.requestId === 'a1');
    await ann.next((m) => m.msgType === 'DialerPreview' && m.ctiMessage.phase === 'accepted' && m.ctiMessage.memberId === 2);
    await w.clock.runFor(10 * S);
    const ended = await ann.next((m) => m.msgType === 'DialerAttempt' && m.ctiMessage.phase === 'ended' && m.ctiMessage.memberId === 2);
    expect(ended.ctiMessage).toMatchObject({ dialerId: 'd1', queueId: 'q', destination: '0622222222', agentId: 'a1', outcome: 'busy', amd: null });
    // The skip was stored as an attempt too: the supervisor saw it end.
    await admin.next((m) => m.msgType === 'DialerAttempt' && m.ctiMessage.phase === 'ended' && m.ctiMessage.outcome === 'skipped');

    ann.send({ command: 'acceptPreview', requestId: 'a2' });
    expect((await ann.next((m) => m.msgType === 'AgentError' && m.ctiMessage.requestId === 'a2')).ctiMessage.Error).toBe('CONFLICT');
  });

  it('reports dialing, answered and ended to the supervisor and the attempt\'s agent, and nothing to an agent of another queue', async () => {
    w = await ctiWorld(configFrom(config()));
    w.engine.loginAgent('a1');
    w.engine.loginAgent('a2');
    w.pbx.setPhone('1001', { behavior: 'answer', answerAfterMs: 500 });
    w.pbx.setPhone('0611111111', { behavior: 'answer', answerAfterMs: 3000, talkMs: 20 * S });
    campaign('progressive');
    const ann = await w.connect(await w.session('ann', 'agent', { agentId: 'a1' }));
    const bob = await w.connect(await w.session('bob', 'agent', { agentId: 'a2' }));
    const sup = await w.connect(await w.session('sue', 'supervisor', { queues: ['q'] }));
    w.dialer.act('d1', 'start');
    await w.clock.runFor(60 * S);

    const ended = await sup.next((m) => m.msgType === 'DialerAttempt' && m.ctiMessage.phase === 'ended' && m.ctiMessage.memberId === 1);
    const phases = sup.messages.filter((m) => m.msgType === 'DialerAttempt' && m.ctiMessage.attemptId === ended.ctiMessage.attemptId).map((m) => m.ctiMessage.phase);
    expect(phases).toEqual(['dialing', 'answered', 'ended']);
    expect(ended.ctiMessage).toMatchObject({ outcome: 'answered', agentId: 'a1', callId: expect.any(String) });
    // The agent learns of the attempt once it is theirs.
    await ann.next((m) => m.msgType === 'DialerAttempt' && m.ctiMessage.attemptId === ended.ctiMessage.attemptId && m.ctiMessage.phase === 'ended');
    expect(ann.messages.some((m) => m.msgType === 'DialerAttempt' && m.ctiMessage.phase === 'dialing')).toBe(false);
    expect(bob.messages.some((m) => m.msgType.startsWith('Dialer'))).toBe(false);
  });
});
