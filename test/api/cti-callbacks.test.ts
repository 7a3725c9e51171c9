/**
 * Seed 002 Callback methods over the CTI WebSocket: two agents take one request (the second gets
 * AgentError ALREADY_TAKEN), an agent may not work another agent's callbacks, and an agent who logs
 * out releases what it held (CallbackReleased to the admin watching).
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { ConfigInput } from '../../src/domain/config.js';
import { ctiWorld, type CtiWorld } from '../support/cti-world.js';
import { configFrom } from '../support/sim-world.js';

const config = (): ConfigInput => ({
  queues: [{ id: 'q', groups: [{ group: 'sales', priority: 1 }] }],
  groups: [{ id: 'sales' }],
  agents: [
    { id: 'a1', phone: { type: 'sip', endpoint: '1001' }, groups: ['sales'] },
    { id: 'a2', phone: { type: 'sip', endpoint: '1002' }, groups: ['sales'] },
  ],
});

describe('CTI callback commands (seed 002)', () => {
  let w: CtiWorld | undefined;
  afterEach(async () => {
    await w?.close();
    w = undefined;
  });

  it('gives a request to the first agent that takes it, ALREADY_TAKEN to the second, and releases it when its holder logs out', async () => {
    w = await ctiWorld(configFrom(config()));
    w.engine.loginAgent('a1');
    w.engine.loginAgent('a2');
    const list = w.callbacks.createList({ name: 'Rappels', queueId: 'q' });
    const [r] = w.callbacks.addRequests(list.uuid, [{ phoneNumber: '0230210082', lastName: "O'Neill" }]);
    const ann = await w.connect(await w.session('ann', 'agent', { agentId: 'a1' }));
    const bob = await w.connect(await w.session('bob', 'agent', { agentId: 'a2' }));
    const admin = await w.connect(w.adminKey);

    ann.send({ command: 'getCallbackLists' });
    const lists = await ann.next((m) => m.msgType === 'CallbackLists');
    expect(lists.ctiMessage).toMatchObject({ uuid: list.uuid, name: 'Rappels', queueId: 'q', callbacks: [{ uuid: r!.uuid, lastName: "O'Neill", agentId: null }] });

    ann.send({ command: 'takeCallback', uuid: r!.uuid, requestId: 'ann-1' });
    await ann.next((m) => m.msgType === 'CommandResult' && m.ctiMessage.requestId === 'ann-1');
    bob.send({ command: 'takeCallback', uuid: r!.uuid, requestId: 'bob-1' });
    const refused = await bob.next((m) => m.msgType === 'AgentError' && m.ctiMessage.requestId === 'bob-1');
    expect(refused.ctiMessage.Error).toBe('ALREADY_TAKEN');
    expect(await admin.next((m) => m.msgType === 'CallbackTaken')).toMatchObject({ ctiMessage: { uuid: r!.uuid, agentId: 'a1' } });

    bob.send({ command: 'releaseCallback', agentId: 'a1', uuid: r!.uuid, requestId: 'bob-2' });
    expect((await bob.next((m) => m.msgType === 'AgentError' && m.ctiMessage.requestId === 'bob-2')).ctiMessage.Error).toBe('FORBIDDEN');

    w.engine.logoutAgent('a1');
    expect(await admin.next((m) => m.msgType === 'CallbackReleased')).toMatchObject({ ctiMessage: { uuid: r!.uuid, agentId: 'a1' } });
    expect(w.store.callbackLists.request(r!.uuid)?.agentId).toBeNull();
    bob.send({ command: 'takeCallback', uuid: r!.uuid, requestId: 'bob-3' });
    await bob.next((m) => m.msgType === 'CommandResult' && m.ctiMessage.requestId === 'bob-3');
  });

  it("listenCallbackMessage rings the agent's own phone with auto-answer and answers with the call; a request without a message is AgentError CALLBACK_NO_MESSAGE", async () => {
    w = await ctiWorld(configFrom(config()));
    w.engine.loginAgent('a1');
    const list = w.callbacks.createList({ name: 'Messages', queueId: 'q' });
    const left = w.callbacks.addFromCaller(list.uuid, { phoneNumber: '0230210082', parentCallId: 'call-9', parentEnqueuedAt: 0, message: 'cbmsg-call-9', messageMs: 4000 });
    const [plain] = w.callbacks.addRequests(list.uuid, [{ phoneNumber: '0230210083' }]);
    const ann = await w.connect(await w.session('ann', 'agent', { agentId: 'a1' }));

    ann.send({ command: 'getCallbackLists' });
    expect((await ann.next((m) => m.msgType === 'CallbackLists')).ctiMessage).toMatchObject({ auto: false, callbacks: expect.arrayContaining([expect.objectContaining({ uuid: left.uuid, parentCallId: 'call-9', message: 'cbmsg-call-9', messageMs: 4000 })]) });
    ann.send({ command: 'listenCallbackMessage', uuid: left.uuid, requestId: 'l-1' });
    const result = await ann.next((m) => m.msgType === 'CommandResult' && m.ctiMessage.requestId === 'l-1');
    expect(result.ctiMessage.result).toEqual({ requestUuid: left.uuid, callId: expect.any(String) });
    expect(w.pbx.calls('originate').at(-1)?.args[0]).toMatchObject({ destination: { kind: 'sip', endpoint: '1001' }, autoAnswer: true });

    ann.send({ command: 'listenCallbackMessage', uuid: plain!.uuid, requestId: 'l-2' });
    expect((await ann.next((m) => m.msgType === 'AgentError' && m.ctiMessage.requestId === 'l-2')).ctiMessage.Error).toBe('CALLBACK_NO_MESSAGE');
  });
});
