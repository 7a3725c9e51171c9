import { afterEach, describe, expect, it } from 'vitest';
import { configFrom } from '../support/sim-world.js';
import { ctiWorld, type CtiWorld } from '../support/cti-world.js';

const S = 1000;
const CUSTOMER = '0612345678';

const config = () =>
  configFrom({
    queues: [{ id: 'q', groups: [{ group: 'g', priority: 1 }] }],
    groups: [{ id: 'g' }, { id: 'other' }],
    agents: [
      { id: 'a1', phone: { type: 'sip', endpoint: '1001' }, groups: ['g'] },
      { id: 'a2', phone: { type: 'sip', endpoint: '1002' }, groups: ['other'] },
    ],
    click_to_call: { allow: '^0[0-9]{9}$', caller_id: '0123456789' },
  });

describe('CTI dialFromQueue and setAgentDnd', () => {
  let w: CtiWorld;
  afterEach(async () => w?.close());

  it('dialFromQueue answers with the call id; PhoneEvents carry the USR_ variables from ringing to release', async () => {
    w = await ctiWorld(config());
    w.engine.loginAgent('a1');
    w.pbx.setPhone(CUSTOMER, { behavior: 'answer', answerAfterMs: 2000, talkMs: 10_000 });
    w.pbx.setPhone('1001', { behavior: 'answer', answerAfterMs: 1000 });
    const admin = await w.connect(w.adminKey);

    admin.send({ command: 'dialFromQueue', destination: CUSTOMER, queueId: 'q', callerId: '0555000111', variables: { crm: '42' }, requestId: 'd1' });
    const result = await admin.next((m) => m.msgType === 'CommandResult' && m.ctiMessage.command === 'dialFromQueue');
    const callId = (result.ctiMessage.result as { callId: string }).callId;
    await w.clock.runFor(30 * S);
    await admin.next((m) => m.msgType === 'PhoneEvent' && m.ctiMessage.eventType === 'EventReleased');

    const phone = admin.messages.filter((m) => m.msgType === 'PhoneEvent').map((m) => m.ctiMessage);
    expect(phone.map((p) => p.eventType)).toEqual(['EventRinging', 'EventEstablished', 'EventReleased']);
    for (const p of phone) expect(p).toMatchObject({ callId, agentId: 'a1', DN: '1001', otherDN: CUSTOMER, queueId: 'q', direction: 'outbound', userData: { USR_crm: '42' } });
    expect(w.store.cdrs.get(callId)).toMatchObject({ caller: '0555000111', variables: { USR_crm: '42' } });
    const onCall = admin.messages.find((m) => m.msgType === 'AgentStateEvent' && m.ctiMessage.name === 'AgentOnCall');
    expect(onCall?.ctiMessage).toMatchObject({ agentId: 'a1', acd: true, direction: 'Outgoing' });
  });

  it('dialFromQueue answers AgentError QUEUE_NOT_FOUND for an unknown queue and dials nothing', async () => {
    w = await ctiWorld(config());
    const admin = await w.connect(w.adminKey);

    admin.send({ command: 'dialFromQueue', destination: CUSTOMER, queueId: 'nope', requestId: 7 });
    const err = await admin.next((m) => m.msgType === 'AgentError');

    expect(err.ctiMessage).toMatchObject({ Error: 'QUEUE_NOT_FOUND', requestId: 7 });
    expect(w.pbx.calls('originate')).toEqual([]);
  });

  it('setAgentDnd answers with the state, sends AgentDnd to those who see the agent, and an agent sets its own', async () => {
    w = await ctiWorld(config());
    w.engine.loginAgent('a1');
    const sup = await w.connect(await w.session('sup', 'supervisor', { groups: ['other'] }));
    const agent = await w.connect(await w.session('ann', 'agent', { agentId: 'a1' }));
    const admin = await w.connect(w.adminKey);

    agent.send({ command: 'setAgentDnd', dnd: true });
    const result = await agent.next((m) => m.msgType === 'CommandResult' && m.ctiMessage.command === 'setAgentDnd');
    await admin.next((m) => m.msgType === 'AgentDnd');

    expect(result.ctiMessage.result).toMatchObject({ agentId: 'a1', name: 'AgentReady', dnd: true });
    expect(admin.messages.filter((m) => m.msgType === 'AgentDnd').map((m) => m.ctiMessage)).toEqual([{ agentId: 'a1', phoneNb: '1001', dnd: true }]);
    expect(sup.messages.some((m) => m.msgType === 'AgentDnd')).toBe(false);
    expect(w.engine.agentSnapshot('a1')?.dnd).toBe(true);
  });
});
