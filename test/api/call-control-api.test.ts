import { afterEach, describe, expect, it } from 'vitest';
import { configFrom } from '../support/sim-world.js';
import { ctiWorld, type CtiWorld } from '../support/cti-world.js';

const S = 1000;

const config = () =>
  configFrom({
    numbers: [{ id: 'n', number: '100', queue: 'q' }],
    queues: [{ id: 'q', groups: [{ group: 'g', priority: 1 }], wrapup_s: 5 }],
    groups: [{ id: 'g' }, { id: 'other' }],
    agents: [
      { id: 'a1', phone: { type: 'sip', endpoint: 'a1' }, groups: ['g'], auto_login: true },
      { id: 'a2', phone: { type: 'sip', endpoint: 'a2' }, groups: ['g'], auto_login: true },
      { id: 'x1', phone: { type: 'sip', endpoint: 'x1' }, groups: ['other'], auto_login: true },
    ],
    click_to_call: { allow: '^0[0-9]{9}$', answer_timeout_s: 30 },
  });

describe('call control over REST and the CTI WebSocket', () => {
  let w: CtiWorld;
  afterEach(async () => w?.close());

  async function bridged() {
    w = await ctiWorld(config());
    for (const a of ['a1', 'a2', 'x1']) w.pbx.setPhone(a, { behavior: 'answer', answerAfterMs: 500 });
    w.engine.pauseAgent('a2', 'break');
    w.pbx.placeCall({ to: '100', from: '5550001' });
    await w.clock.runFor(3 * S);
    expect(w.engine.sessionOfAgent('a1')).toBeDefined();
  }

  it('holds and retrieves over REST as the agent itself, with the state in the answer', async () => {
    await bridged();
    const token = await w.session('ann', 'agent', { agentId: 'a1' });
    const held = await w.http('POST', '/agents/me/call/hold', token);
    expect(held).toMatchObject({ status: 200, json: { agentId: 'a1', onHold: true, party: null } });
    const again = await w.http('POST', '/agents/me/call/hold', token);
    expect(again).toMatchObject({ status: 409, json: { error: { code: 'INVALID_CALL_STATE' } } });
    expect((await w.http('POST', '/agents/me/call/unhold', token)).json).toMatchObject({ onHold: false });
  });

  it('answers 409 without a call, 404 for an unknown target agent, 403 for a forbidden number or another agent, 400 for two targets', async () => {
    await bridged();
    const token = await w.session('ann', 'agent', { agentId: 'a1' });
    expect(await w.http('POST', '/agents/a2/call/hold', w.adminKey)).toMatchObject({ status: 409, json: { error: { code: 'NO_ACTIVE_CALL' } } });
    expect(await w.http('POST', '/agents/me/call/transfer', token, { agentId: 'ghost' })).toMatchObject({ status: 404, json: { error: { code: 'AGENT_NOT_FOUND' } } });
    expect(await w.http('POST', '/agents/me/call/transfer', token, { number: '0044123' })).toMatchObject({ status: 403, json: { error: { code: 'DESTINATION_NOT_ALLOWED' } } });
    expect(await w.http('POST', '/agents/me/call/transfer', token, { agentId: 'a2' })).toMatchObject({ status: 409, json: { error: { code: 'AGENT_NOT_AVAILABLE' } } });
    expect(await w.http('POST', '/agents/a2/call/hold', token)).toMatchObject({ status: 403 });
    const two = await w.http('POST', '/agents/me/call/transfer', token, { agentId: 'a2', number: '0612345678' });
    expect(two.status).toBe(400);
    expect(w.engine.agentSnapshot('a1')?.presence).toBe('oncall');
    expect(w.engine.callControl('a1').onHold).toBe(false);
  });

  it('transfers blind over CTI and tells the agent and the target agent with CallControl events', async () => {
    await bridged();
    w.engine.unpauseAgent('a2');
    const ann = await w.connect(await w.session('ann', 'agent', { agentId: 'a1' }));
    const bob = await w.connect(await w.session('bob', 'agent', { agentId: 'a2' }));
    const outsider = await w.connect(await w.session('xav', 'agent', { agentId: 'x1' }));
    ann.send({ command: 'callControl', action: 'transfer', target: { agentId: 'a2' }, requestId: 1 });
    const result = await ann.next((m) => m.msgType === 'CommandResult' && m.ctiMessage.requestId === 1);
    expect(result.ctiMessage.result).toMatchObject({ agentId: 'a1', onHold: false });
    const seen = await bob.next((m) => m.msgType === 'CallControl');
    expect(seen.ctiMessage).toMatchObject({ agentId: 'a1', action: 'transferred', mode: 'blind', target: 'a2' });
    await ann.next((m) => m.msgType === 'CallControl' && m.ctiMessage.action === 'transferred');
    expect(outsider.messages.some((m) => m.msgType === 'CallControl')).toBe(false);
    await w.clock.runFor(2 * S);
    expect(w.engine.agentSnapshot('a2')?.presence).toBe('oncall');
  });

  it('refuses a CTI transfer with no target with an AgentError naming the field', async () => {
    await bridged();
    const ann = await w.connect(await w.session('ann', 'agent', { agentId: 'a1' }));
    ann.send({ command: 'callControl', action: 'consult', target: { queueId: 'q' }, requestId: 2 });
    const err = await ann.next((m) => m.msgType === 'AgentError');
    expect(err.ctiMessage).toMatchObject({ Error: 'VALIDATION_FAILED' });
    expect(JSON.stringify(err.ctiMessage)).toContain('target');
  });
});
