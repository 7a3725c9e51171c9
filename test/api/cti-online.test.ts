import { afterEach, describe, expect, it } from 'vitest';
import type { ConfigInput } from '../../src/domain/config.js';
import { ctiWorld, type CtiClient, type CtiMessage, type CtiWorld } from '../support/cti-world.js';
import { configFrom } from '../support/sim-world.js';

const admin = { profile: 'admin' } as const;

const config = (autoLogin = false): ConfigInput => ({
  numbers: [{ id: 'n1', number: '100', queue: 'sales' }],
  queues: [
    { id: 'sales', groups: [{ group: 'gs', priority: 1 }] },
    { id: 'support', groups: [{ group: 'gt', priority: 1 }] },
  ],
  groups: [{ id: 'gs', name: 'Sales' }, { id: 'gt', name: 'Tech' }],
  agents: [
    { id: 's1', phone: { type: 'sip', endpoint: '1001' }, groups: ['gs'], auto_login: autoLogin },
    { id: 's2', phone: { type: 'sip', endpoint: '1002' }, groups: ['gs'] },
    { id: 'p1', phone: { type: 'external', number: '0611111111' }, groups: ['gs'] },
    { id: 't1', phone: { type: 'sip', endpoint: '1003' }, groups: ['gt'] },
  ],
  lines: [{ number: '2001', endpoint: 'desk-1' }],
});

const onlineStatus = (m: CtiMessage) => (m.ctiMessage.statistics as { name: string; value: unknown }[]).find((s) => s.name === 'OnlineStatus')?.value;
const isStats = (agentId: string, status: string) => (m: CtiMessage) => m.msgType === 'AgentStatistics' && m.ctiMessage.id === agentId && onlineStatus(m) === status;

async function supervisor(w: CtiWorld, name: string, queues: string[], groups: string[]): Promise<CtiClient> {
  const c = await w.connect(await w.session(name, 'supervisor', { queues, groups }));
  c.send({ command: 'subscribeToAgentStats' });
  await c.next((m) => m.msgType === 'AgentStatistics');
  return c;
}

describe('CTI phone registration (online/offline)', () => {
  let w: CtiWorld;
  afterEach(async () => w?.close());

  it('tells a supervisor when an agent’s phone goes offline and comes back', async () => {
    // Arrange
    w = await ctiWorld(configFrom(config()));
    w.service.loginAgent(admin, '1001', 's1');
    const sales = await supervisor(w, 'sup-sales', ['sales'], ['gs']);
    const tech = await supervisor(w, 'sup-tech', ['support'], ['gt']);
    expect(await sales.next(isStats('s1', 'online'))).toBeDefined();

    // Act: the phone unregisters.
    w.pbx.setOnline('1001', false);

    // Assert: the change event, the statistics and the state all say offline.
    const off = await sales.next((m) => m.msgType === 'AgentOnlineStatus');
    expect(off.ctiMessage).toEqual({ agentId: 's1', phoneNb: '1001', online: false });
    await sales.next(isStats('s1', 'offline'));
    sales.send({ command: 'getAgentStates' });
    const state = await sales.next((m) => m.msgType === 'AgentStateEvent' && m.ctiMessage.agentId === 's1');
    expect(state.ctiMessage).toMatchObject({ name: 'AgentReady', online: false });
    expect(w.engine.agentSnapshot('s1')?.reachable).toBe(false);

    // Act: it registers again.
    w.pbx.setOnline('1001', true);

    // Assert
    const on = await sales.next((m) => m.msgType === 'AgentOnlineStatus' && m.ctiMessage.online === true);
    expect(on.ctiMessage).toEqual({ agentId: 's1', phoneNb: '1001', online: true });
    const onAt = sales.messages.indexOf(on);
    await sales.next((m) => isStats('s1', 'online')(m) && sales.messages.indexOf(m) > onAt);
    // Another group's supervisor heard nothing of s1.
    await new Promise((r) => setTimeout(r, 50));
    expect(tech.messages.some((m) => m.msgType === 'AgentOnlineStatus' || m.ctiMessage.agentId === 's1' || m.ctiMessage.id === 's1')).toBe(false);
  });

  it('announces an auto-login agent whose phone is not registered at start as ready but offline', async () => {
    w = await ctiWorld(configFrom(config(true)), { phones: { '1001': { behavior: 'answer', online: false } } });
    const sales = await supervisor(w, 'sup-sales', ['sales'], ['gs']);

    sales.send({ command: 'getAgentStates' });
    const state = await sales.next((m) => m.msgType === 'AgentStateEvent' && m.ctiMessage.agentId === 's1');
    expect(state.ctiMessage).toMatchObject({ name: 'AgentReady', phoneNb: '1001', online: false });
    expect(onlineStatus(await sales.next((m) => m.msgType === 'AgentStatistics' && m.ctiMessage.id === 's1'))).toBe('offline');
    sales.send({ command: 'subscribeToQueueStats' });
    const q = await sales.next((m) => m.msgType === 'QueueStatistics' && m.ctiMessage.queueId === 'sales');
    expect((q.ctiMessage.counters as { statName: string; value: number }[]).find((c) => c.statName === 'AvailableAgents')?.value).toBe(0);
  });

  it('follows the phone of the line an agent logs in on, and its own phone again after logout', async () => {
    w = await ctiWorld(configFrom(config()));
    w.pbx.setOnline('desk-1', false);
    const sales = await supervisor(w, 'sup-sales', ['sales'], ['gs']);

    // Logging in on the hot desk whose phone is not registered: ready, but offline.
    const login = w.service.loginAgent(admin, '2001', 's1');
    expect(login).toMatchObject({ name: 'AgentReady', phoneNb: '2001', online: false });
    expect((await sales.next((m) => m.msgType === 'AgentOnlineStatus')).ctiMessage).toEqual({ agentId: 's1', phoneNb: '2001', online: false });

    // Back on its own (registered) phone.
    w.service.logoutAgent(admin, 's1');
    const back = w.service.loginAgent(admin, '1001', 's1');
    expect(back).toMatchObject({ name: 'AgentReady', phoneNb: '1001', online: true });
    await sales.next((m) => m.msgType === 'AgentOnlineStatus' && m.ctiMessage.online === true);
  });

  it('counts an agent on an external number as online', async () => {
    w = await ctiWorld(configFrom(config()));
    w.service.loginAgent(admin, '0611111111', 'p1');
    const res = await w.http('GET', '/agents/p1/statistics', w.adminKey);
    expect((res.json as { statistics: { name: string; value: unknown }[] }).statistics).toContainEqual({ name: 'OnlineStatus', value: 'online' });
    expect(w.service.stateMessage('p1')).toMatchObject({ name: 'AgentReady', online: true });
  });
});
