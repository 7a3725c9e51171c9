import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { ConfigInput } from '../../src/domain/config.js';
import { ctiWorld, type CtiMessage, type CtiWorld } from '../support/cti-world.js';
import { configFrom } from '../support/sim-world.js';

const S = 1000;

const config = (): ConfigInput => ({
  numbers: [
    { id: 'n1', number: '100', queue: 'sales' },
    { id: 'n2', number: '200', queue: 'support' },
  ],
  queues: [
    { id: 'sales', groups: [{ group: 'gs', priority: 1 }], record: true, service_level_s: 20 },
    { id: 'support', groups: [{ group: 'gt', priority: 1 }] },
  ],
  groups: [{ id: 'gs', name: 'Sales' }, { id: 'gt', name: 'Tech' }],
  agents: [
    { id: 's1', name: 'Sam One', phone: { type: 'sip', endpoint: '1001' }, groups: ['gs'] },
    { id: 's2', phone: { type: 'sip', endpoint: '1002' }, groups: ['gs'] },
    { id: 't1', phone: { type: 'sip', endpoint: '1003' }, groups: ['gt'] },
  ],
  lines: [{ number: '2001', endpoint: 'desk-1' }],
  click_to_call: { allow: '^0[0-9]{9}$', caller_id: '0123456789' },
});

const agentStates = (msgs: CtiMessage[]) => msgs.filter((m) => m.msgType === 'AgentStateEvent').map((m) => `${m.ctiMessage.agentId}:${m.ctiMessage.name}`);

describe('CTI WebSocket', () => {
  let w: CtiWorld;
  afterEach(async () => w?.close());

  it('refuses a connection without a valid token, with a clear 401', async () => {
    w = await ctiWorld(configFrom(config()));
    await expect(w.connect('not-a-token')).rejects.toThrow('HTTP 401');
    const res = await new Promise<number>((resolve) => {
      const ws = new WebSocket(`ws://${w.base}/cti`);
      ws.on('unexpected-response', (_req, r) => resolve(r.statusCode ?? 0));
      ws.on('error', () => undefined);
    });
    expect(res).toBe(401);
  });

  it('says the profile on connection and answers seed 002 login commands with the seed error JSON', async () => {
    w = await ctiWorld(configFrom(config()));
    const admin = await w.connect(w.adminKey);
    expect(admin.messages[0] ?? (await admin.next(() => true))).toEqual({ msgType: 'RightProfile', ctiMessage: { profile: 'Admin', rights: ['recording'] } });

    admin.send({ command: 'loginAgent', agentPhoneNumber: '9999', agentId: 's1' });
    expect((await admin.next((m) => m.msgType === 'AgentError')).ctiMessage).toEqual({ Error: 'PhoneNumberUnknown' });

    admin.send({ command: 'loginAgent', agentPhoneNumber: '2001', agentId: 's1', requestId: 7 });
    const result = await admin.next((m) => m.msgType === 'CommandResult' && m.ctiMessage.requestId === 7);
    expect(result.ctiMessage.result).toMatchObject({ name: 'AgentReady', agentId: 's1', phoneNb: '2001' });
    await admin.next((m) => m.msgType === 'AgentStateEvent' && m.ctiMessage.agentId === 's1');

    admin.send({ command: 'loginAgent', agentPhoneNumber: '1001', agentId: 's1' });
    const err = await admin.next((m) => m.msgType === 'AgentError' && m.ctiMessage.Error === 'LoggedInOnAnotherPhone');
    expect(err.ctiMessage).toEqual({ Error: 'LoggedInOnAnotherPhone', phoneNb: '2001', RequestedNb: '1001' });

    admin.send({ command: 'nonsense' });
    expect((await admin.next((m) => m.msgType === 'AgentError' && m.ctiMessage.Error === 'BadRequest')).ctiMessage.issues).toBeDefined();
    admin.ws.send('{not json');
    await admin.next((m) => m.msgType === 'AgentError' && m.ctiMessage.message === 'malformed JSON');
  });

  it('never gives a supervisor an event of a queue or group outside its lists, and an agent only itself', async () => {
    w = await ctiWorld(configFrom(config()));
    const salesSup = await w.connect(await w.session('sup-sales', 'supervisor', { queues: ['sales'], groups: ['gs'] }));
    const techSup = await w.connect(await w.session('sup-tech', 'supervisor', { queues: ['support'], groups: ['gt'] }));
    const agentS1 = await w.connect(await w.session('s1', 'agent', { agentId: 's1' }));
    const admin = await w.connect(w.adminKey);
    for (const c of [salesSup, techSup, agentS1, admin]) c.send({ command: 'subscribeToQueueStats' });
    for (const c of [salesSup, techSup, agentS1, admin]) c.send({ command: 'subscribeToAgentStats' });

    // A busy morning: logins, pauses, membership changes, calls in both queues.
    for (const [agent, line] of [['s1', '1001'], ['s2', '1002'], ['t1', '1003']] as const) w.service.loginAgent({ profile: 'admin' }, line, agent);
    w.service.pauseAgent({ profile: 'admin' }, 's2', 'lunch');
    w.service.setAgentQueue({ profile: 'admin' }, 't1', 'sales', 3);
    w.service.removeAgentFromQueue({ profile: 'admin' }, 't1', 'sales');
    for (const ep of ['1001', '1002', '1003']) w.pbx.setPhone(ep, { behavior: 'answer', answerAfterMs: 1000, talkMs: 20_000 });
    w.pbx.placeCall({ to: '100', from: '+1' });
    w.pbx.placeCall({ to: '200', from: '+2' });
    await w.clock.runFor(60 * S);
    await admin.next((m) => m.msgType === 'AgentStateEvent' && m.ctiMessage.agentId === 't1' && m.ctiMessage.name === 'AgentReady' && m.ctiMessage.since === 0 && agentStates(admin.messages).filter((x) => x === 't1:AgentReady').length >= 2);
    await new Promise((r) => setTimeout(r, 100));

    const queuesSeen = (msgs: CtiMessage[]) => new Set(msgs.filter((m) => m.msgType === 'QueueStatistics' || m.msgType === 'QueueMember').map((m) => m.ctiMessage.queueId));
    const agentsSeen = (msgs: CtiMessage[]) => new Set(msgs.filter((m) => ['AgentStateEvent', 'AgentStatistics'].includes(m.msgType)).map((m) => m.ctiMessage.agentId ?? m.ctiMessage.id));

    expect(queuesSeen(salesSup.messages)).toEqual(new Set(['sales']));
    expect(agentsSeen(salesSup.messages)).toEqual(new Set(['s1', 's2']));
    expect(queuesSeen(techSup.messages)).toEqual(new Set(['support']));
    expect(agentsSeen(techSup.messages)).toEqual(new Set(['t1']));
    expect(agentsSeen(agentS1.messages)).toEqual(new Set(['s1']));
    expect(queuesSeen(admin.messages)).toEqual(new Set(['sales', 'support']));
    expect(agentsSeen(admin.messages)).toEqual(new Set(['s1', 's2', 't1']));

    // The sales supervisor saw the whole story of s1's call.
    expect(agentStates(salesSup.messages).filter((x) => x.startsWith('s1:'))).toEqual(['s1:AgentReady', 's1:AgentRinging', 's1:AgentOnCall', 's1:AgentReady']);
    // QueueMember for t1 joining and leaving sales (penalty -1) went to the sales supervisor only.
    expect(salesSup.messages.filter((m) => m.msgType === 'QueueMember').map((m) => m.ctiMessage)).toEqual([
      { agentId: 't1', queueId: 'sales', penalty: 3 },
      { agentId: 't1', queueId: 'sales', penalty: -1 },
    ]);
    expect(techSup.messages.some((m) => m.msgType === 'QueueMember')).toBe(false);
    // Queue statistics after the call: answered 1, in service level.
    const lastSales = salesSup.messages.filter((m) => m.msgType === 'QueueStatistics').at(-1)!.ctiMessage as { counters: { statName: string; value: number }[] };
    expect(Object.fromEntries(lastSales.counters.map((c) => [c.statName, c.value]))).toMatchObject({ WaitingCalls: 0, TotalNumberCallsAnswered: 1, PercentageAnsweredBefore: 100 });
    // The agent's own statistics came initially and on updates.
    const s1Stats = agentS1.messages.filter((m) => m.msgType === 'AgentStatistics');
    expect(s1Stats.length).toBeGreaterThan(2);
    expect((s1Stats[0]!.ctiMessage.statistics as { name: string }[]).map((x) => x.name)).toEqual(['AgentPausedTotalTime', 'AgentWrapupTotalTime', 'AgentReadyTotalTime', 'LoginDateTime', 'LogoutDateTime', 'OnlineStatus']);
  });

  it('lists agents, groups, queues and members, filtered by profile', async () => {
    w = await ctiWorld(configFrom(config()));
    const sup = await w.connect(await w.session('sup', 'supervisor', { queues: ['support'], groups: ['gt'] }));
    for (const objectType of ['agent', 'agentgroup', 'queue', 'queuemember']) sup.send({ command: 'getList', objectType });
    expect((await sup.next((m) => m.msgType === 'AgentList')).ctiMessage).toEqual([{ id: 't1', firstName: '', lastName: '', number: '1003', context: 'default', groupId: 'gt', groups: ['gt'] }]);
    expect((await sup.next((m) => m.msgType === 'AgentGroupList')).ctiMessage).toEqual([{ id: 'gt', name: 'Tech' }]);
    expect(((await sup.next((m) => m.msgType === 'QueueList')).ctiMessage as unknown as { id: string }[]).map((q) => q.id)).toEqual(['support']);
    expect((await sup.next((m) => m.msgType === 'QueueMemberList')).ctiMessage).toEqual([{ agentId: 't1', queueId: 'support', penalty: 0 }]);
    sup.send({ command: 'getAgentDirectory' });
    const dir = (await sup.next((m) => m.msgType === 'AgentDirectory')).ctiMessage as { directory: { agent: { id: string }; agentState: { name: string } }[] };
    expect(dir.directory.map((d) => [d.agent.id, d.agentState.name])).toEqual([['t1', 'AgentLoggedOut']]);
  });

  it('sends AgentListen start and stop to the agent and its supervisor', async () => {
    w = await ctiWorld(configFrom(config()));
    const sup = await w.connect(await w.session('sup', 'supervisor', { queues: ['sales'], groups: ['gs'] }));
    const agent = await w.connect(await w.session('s1', 'agent', { agentId: 's1' }));
    w.service.loginAgent({ profile: 'admin' }, '1001', 's1');
    w.pbx.setPhone('1001', { behavior: 'answer', answerAfterMs: 1000, talkMs: 20_000 });
    w.pbx.setPhone('desk-1', { behavior: 'answer', answerAfterMs: 1000 });
    w.pbx.placeCall({ to: '100', from: '+1' });
    await w.clock.runFor(5 * S);
    sup.send({ command: 'listenAgent', agentId: 's1', phoneNumber: '2001' });
    await sup.next((m) => m.msgType === 'CommandResult');
    await w.clock.runFor(5 * S);
    expect((await agent.next((m) => m.msgType === 'AgentListen')).ctiMessage).toEqual({ started: true, phoneNumber: '2001', agentId: 's1' });
    await w.clock.runFor(60 * S);
    await agent.next((m) => m.msgType === 'AgentListen' && m.ctiMessage.started === false);
    await sup.next((m) => m.msgType === 'AgentListen' && m.ctiMessage.started === false);
  });
});

describe('CTI WebSocket and configuration changes', () => {
  let w: CtiWorld;
  afterEach(async () => w?.close());

  it('reports the logout of an agent removed from the configuration, and keeps routing', async () => {
    w = await ctiWorld(configFrom(config()));
    const admin = await w.connect(w.adminKey);
    w.service.loginAgent({ profile: 'admin' }, '1001', 's1');
    w.service.loginAgent({ profile: 'admin' }, '1002', 's2');
    const cfg = w.engine.currentConfig;
    w.engine.applyConfig({ ...cfg, agents: cfg.agents.filter((a) => a.id !== 's1') });
    const out = await admin.next((m) => m.msgType === 'AgentStateEvent' && m.ctiMessage.agentId === 's1' && m.ctiMessage.name === 'AgentLoggedOut');
    expect(out.ctiMessage).toMatchObject({ cause: 'removed' });
    await admin.next((m) => m.msgType === 'QueueMember' && m.ctiMessage.agentId === 's1' && m.ctiMessage.penalty === -1);
    w.pbx.setPhone('1002', { behavior: 'answer', answerAfterMs: 1000, talkMs: 5000 });
    w.pbx.placeCall({ to: '100', from: '+1' });
    await w.clock.runFor(30 * S);
    expect(w.store.cdrs.all()[0]).toMatchObject({ agentId: 's2', disposition: 'answered' });
  });
});

describe('agent commands over REST', () => {
  let w: CtiWorld;
  afterEach(async () => w?.close());

  it('logs in with the seed 002 cases and their exact error bodies', async () => {
    w = await ctiWorld(configFrom(config()));
    const token = await w.session('s1', 'agent', { agentId: 's1' });
    expect(await w.http('POST', '/agents/me/login', token, { phoneNumber: '9999' })).toEqual({ status: 404, json: { Error: 'PhoneNumberUnknown' } });
    expect((await w.http('POST', '/agents/me/login', token, { phoneNumber: '2001' })).json).toMatchObject({ name: 'AgentReady', phoneNb: '2001' });
    expect(await w.http('POST', '/agents/s1/login', token, { phoneNumber: '1001' })).toEqual({ status: 409, json: { Error: 'LoggedInOnAnotherPhone', phoneNb: '2001', RequestedNb: '1001' } });
    expect((await w.http('POST', '/agents/s2/login', token, { phoneNumber: '1002' })).status).toBe(403);
    // A pause reason must be one of the configured pause_reasons; a refused one leaves the agent as it was.
    const coffee = await w.http('POST', '/agents/me/pause', token, { reason: 'coffee' });
    expect(coffee.status).toBe(400);
    expect(coffee.json).toMatchObject({ error: { code: 'VALIDATION_FAILED', issues: [{ path: 'body.reason', message: expect.stringContaining('lunch') }] } });
    expect(w.engine.agentSnapshot('s1')?.presence).toBe('ready');
    expect((await w.http('POST', '/agents/me/pause', token, { reason: 'lunch' })).json).toMatchObject({ name: 'AgentOnPause', cause: 'lunch' });
    const bad = await w.http('POST', '/agents/me/login', token, { phoneNumber: 12 });
    expect(bad.status).toBe(400);
    expect(bad.json).toMatchObject({ error: { code: 'VALIDATION_FAILED', issues: [{ path: 'body.phoneNumber' }] } });
  });

  it('click2call returns a call id that the CDR query finds once the call ends', async () => {
    w = await ctiWorld(configFrom(config()));
    const token = await w.session('s1', 'agent', { agentId: 's1' });
    await w.http('POST', '/agents/me/login', token, { phoneNumber: '1001' });
    w.pbx.setPhone('1001', { behavior: 'answer', answerAfterMs: 1000 });
    w.pbx.setPhone('0611111111', { behavior: 'answer', answerAfterMs: 2000, talkMs: 30_000 });
    const res = await w.http('POST', '/click2call', token, { destination: '0611111111' });
    expect(res.status).toBe(200);
    const { callId } = res.json as { callId: string };
    await w.clock.runFor(60 * S);
    const cdrs = await w.http('GET', `/cdrs?activecallkey=${callId}`, w.adminKey);
    expect(cdrs.status).toBe(200);
    expect((cdrs.json as { CallList: { callId: string; direction: string; talkMs: number }[] }).CallList).toMatchObject([{ callId, direction: 'outbound', talkMs: 30_000 }]);
    expect((await w.http('POST', '/click2call', token, { destination: '+33999' })).status).toBe(403);
  });
});
