import { afterEach, describe, expect, it } from 'vitest';
import { createAgentService, SeedError, type AgentService } from '../../src/api/agent-service.js';
import type { Principal } from '../../src/api/auth.js';
import { ApiError } from '../../src/api/errors.js';
import type { ConfigInput } from '../../src/domain/config.js';
import { silentLogger } from '../../src/infra/logger.js';
import { configFrom, simWorld, type SimWorld } from '../support/sim-world.js';

const S = 1000;
const admin: Principal = { profile: 'admin' };

const config = (over: Partial<ConfigInput> = {}): ConfigInput => ({
  numbers: [{ id: 'n', number: '100', queue: 'q' }],
  queues: [{ id: 'q', groups: [{ group: 'g', priority: 1 }], record: true }, { id: 'q2' }],
  groups: [{ id: 'g' }, { id: 'other' }],
  agents: [
    { id: 'a1', name: 'Ann Lee', phone: { type: 'sip', endpoint: '1001' }, groups: ['g'] },
    { id: 'a2', phone: { type: 'sip', endpoint: '1002' }, groups: ['g'] },
    { id: 'a3', phone: { type: 'sip', endpoint: '1003' }, groups: ['other'] },
  ],
  lines: [{ number: '2001', endpoint: 'desk-1' }, { number: '2002', endpoint: 'desk-2' }],
  click_to_call: { allow: '^0[0-9]{9}$', caller_id: '0123456789' },
  ...over,
});

const seedError = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    if (err instanceof SeedError) return { status: err.status, body: err.body };
    throw err;
  }
  throw new Error('expected a SeedError');
};

describe('agent commands (seed 002 semantics)', () => {
  let w: SimWorld;
  let svc: AgentService;
  afterEach(async () => w?.close());

  const setup = async (over: Partial<ConfigInput> = {}) => {
    w = await simWorld(configFrom(config(over)));
    svc = createAgentService({ engine: w.engine, store: w.store, log: silentLogger() });
  };

  it('logs in an agent that is not logged in on a known line', async () => {
    await setup();
    const state = svc.loginAgent(admin, '2001', 'a1');
    expect(state).toMatchObject({ name: 'AgentReady', agentId: 'a1', phoneNb: '2001', cause: 'available', queues: ['q'] });
    expect(w.engine.agentDestination('a1')).toEqual({ kind: 'sip', endpoint: 'desk-1' });
  });

  it('refuses an unknown line with {"Error":"PhoneNumberUnknown"}', async () => {
    await setup();
    expect(seedError(() => svc.loginAgent(admin, '9999', 'a1'))).toEqual({ status: 404, body: { Error: 'PhoneNumberUnknown' } });
    expect(w.engine.agentSnapshot('a1')?.presence).toBe('loggedout');
  });

  it('keeps an agent logged in when it asks again for the same line', async () => {
    await setup();
    svc.loginAgent(admin, '2001', 'a1');
    expect(svc.loginAgent(admin, '2001', 'a1')).toMatchObject({ name: 'AgentReady', phoneNb: '2001' });
  });

  it('refuses another line with LoggedInOnAnotherPhone and leaves the agent where it was', async () => {
    await setup();
    svc.loginAgent(admin, '2002', 'a1');
    expect(seedError(() => svc.loginAgent(admin, '2001', 'a1'))).toEqual({ status: 409, body: { Error: 'LoggedInOnAnotherPhone', phoneNb: '2002', RequestedNb: '2001' } });
    expect(w.engine.agentLineOf('a1')).toBe('2002');
  });

  it('takes over a line used by another agent and logs that agent out', async () => {
    await setup();
    const events: string[] = [];
    w.engine.on('agent.state', (e) => events.push(`${e.agentId}:${e.presence}${e.reason ? `:${e.reason}` : ''}`));
    svc.loginAgent(admin, '2001', 'a1');
    svc.loginAgent(admin, '2001', 'a2');
    expect(w.engine.agentSnapshot('a1')?.presence).toBe('loggedout');
    expect(svc.stateMessage('a1')).toMatchObject({ name: 'AgentLoggedOut', cause: 'takeover' });
    expect(w.engine.agentLineOf('a2')).toBe('2001');
    expect(events).toEqual(['a1:ready', 'a1:loggedout:takeover', 'a2:ready']);
  });

  it('lets an agent log in on its own phone and be rung there', async () => {
    await setup();
    svc.loginAgent({ profile: 'agent', agentId: 'a2' }, '1002');
    w.pbx.setPhone('1002', { behavior: 'answer', answerAfterMs: 1000, talkMs: 5000 });
    w.pbx.placeCall({ to: '100', from: '+1' });
    await w.clock.runFor(30 * S);
    expect(w.store.cdrs.all()[0]).toMatchObject({ agentId: 'a2', disposition: 'answered' });
  });

  it('pauses with a reason and unpauses', async () => {
    await setup();
    svc.loginAgent(admin, '1001', 'a1');
    expect(svc.pauseAgent(admin, 'a1', 'lunch')).toMatchObject({ name: 'AgentOnPause', cause: 'lunch' });
    expect(svc.unpauseAgent(admin, 'a1')).toMatchObject({ name: 'AgentReady' });
    expect(svc.logoutAgent(admin, 'a1')).toMatchObject({ name: 'AgentLoggedOut' });
  });

  it('limits an agent to itself and a supervisor to its groups', async () => {
    await setup();
    expect(() => svc.pauseAgent({ profile: 'agent', agentId: 'a1' }, 'a2')).toThrow(ApiError);
    expect(() => svc.loginAgent({ profile: 'supervisor', groups: ['other'], queues: [] }, '2001', 'a1')).toThrow(/outside your profile/);
    expect(svc.loginAgent({ profile: 'supervisor', groups: ['other'], queues: [] }, '1003', 'a3')).toMatchObject({ name: 'AgentReady' });
    expect(svc.agentList({ profile: 'supervisor', groups: ['other'], queues: [] }).map((a) => a.id)).toEqual(['a3']);
  });

  it('sets and removes queue memberships, persisted and live, with QueueMember penalties', async () => {
    await setup();
    const members: string[] = [];
    w.engine.on('member.changed', (e) => members.push(`${e.agentId}@${e.queueId}:${e.penalty}`));
    expect(svc.setAgentQueue(admin, 'a3', 'q2', 4)).toEqual({ agentId: 'a3', queueId: 'q2', penalty: 4 });
    expect(svc.setAgentQueue(admin, 'a3', 'q2', 1)).toEqual({ agentId: 'a3', queueId: 'q2', penalty: 1 });
    expect(w.store.config.load().memberships).toEqual([{ agent: 'a3', queue: 'q2', penalty: 1 }]);
    expect(svc.removeAgentFromQueue(admin, 'a3', 'q2')).toEqual({ agentId: 'a3', queueId: 'q2', penalty: -1 });
    expect(members).toEqual(['a3@q2:4', 'a3@q2:1', 'a3@q2:-1']);
    expect(() => svc.removeAgentFromQueue(admin, 'a1', 'q')).toThrow(/through group g/);
    expect(() => svc.setAgentQueue(admin, 'a1', 'nope', 1)).toThrow(/queue nope not found/);
  });

  it('pauses and resumes the recording of the agent’s queue call, and says clearly when there is none', async () => {
    await setup();
    await expect(svc.monitorPause(admin, 'a1')).rejects.toThrow(/no queue call/);
    svc.loginAgent(admin, '1001', 'a1');
    w.pbx.setPhone('1001', { behavior: 'answer', answerAfterMs: 1000, talkMs: 60_000 });
    w.pbx.placeCall({ to: '100', from: '+1' });
    await w.clock.runFor(5 * S);
    expect(svc.stateMessage('a1')).toMatchObject({ name: 'AgentOnCall', acd: true, direction: 'Incoming', monitorState: 'ACTIVE' });
    await svc.monitorPause(admin, 'a1');
    expect(svc.stateMessage('a1').monitorState).toBe('PAUSED');
    await w.clock.runFor(10 * S);
    await svc.monitorUnpause(admin, 'a1');
    await w.clock.runFor(60 * S);
    const cdr = w.store.cdrs.all()[0]!;
    expect(w.pbx.recordings.get(cdr.recording as never)?.durationMs).toBe(50_000);
  });

  it('lets a supervisor listen to an agent’s call on its line until the call ends', async () => {
    await setup();
    const listen: string[] = [];
    w.engine.on('agent.listen', (e) => listen.push(`${e.agentId}:${e.phoneNumber}:${e.started}`));
    svc.loginAgent(admin, '1001', 'a1');
    w.pbx.setPhone('1001', { behavior: 'answer', answerAfterMs: 1000, talkMs: 30_000 });
    w.pbx.setPhone('desk-2', { behavior: 'answer', answerAfterMs: 2000 });
    w.pbx.placeCall({ to: '100', from: '+1' });
    await w.clock.runFor(5 * S);
    expect(svc.listenAgent({ profile: 'supervisor', groups: ['g'], queues: ['q'] }, 'a1', '2002')).toEqual({ agentId: 'a1', phoneNumber: '2002' });
    await w.clock.runFor(5 * S);
    const snoop = w.pbx.calls('snoop')[0]!;
    expect(snoop.args[1]).toBe('listen');
    const supLeg = [...w.pbx.legs.values()].find((l) => l.to === 'desk-2')!;
    expect(supLeg.bridge).toBeDefined();
    expect([...w.pbx.bridges.get(supLeg.bridge!)!].map((id) => w.pbx.legs.get(id)!.kind).sort()).toEqual(['agent', 'snoop']);
    await w.clock.runFor(60 * S);
    expect(listen).toEqual(['a1:2002:true', 'a1:2002:false']);
    expect(supLeg.state).toBe('down');
    expect(() => svc.listenAgent(admin, 'a1', '2002')).toThrow(/not on a call/);
  });

  it('click-to-call rings the agent, then the customer with the configured caller id, bridges, and writes a CDR', async () => {
    await setup();
    svc.loginAgent(admin, '1001', 'a1');
    const states: string[] = [];
    w.engine.on('agent.state', (e) => e.agentId === 'a1' && states.push(e.presence));
    w.pbx.setPhone('1001', { behavior: 'answer', answerAfterMs: 2000 });
    w.pbx.setPhone('0612345678', { behavior: 'answer', answerAfterMs: 3000, talkMs: 40_000 });
    const { callId } = svc.clickToCall({ profile: 'agent', agentId: 'a1' }, { destination: '0612345678', variables: { crm: '42' } });
    await w.clock.runFor(2 * S + 1);
    expect(w.pbx.calls('originate').map((c) => (c.args[0] as { destination: unknown }).destination)).toEqual([
      { kind: 'sip', endpoint: '1001' },
      { kind: 'external', number: '0612345678' },
    ]);
    expect((w.pbx.calls('originate')[1]!.args[0] as { callerId: unknown }).callerId).toEqual({ number: '0123456789' });
    await w.clock.runFor(60 * S);
    expect(states).toEqual(['dialing', 'oncall', 'ready']);
    const cdr = w.store.cdrs.get(callId)!;
    expect(cdr).toMatchObject({ direction: 'outbound', agentId: 'a1', dialled: '0612345678', disposition: 'answered', talkMs: 40_000, hangupSide: 'caller', variables: { USR_crm: '42' } });
  });

  it('click-to-call refuses destinations outside the allowed pattern and busy agents', async () => {
    await setup();
    svc.loginAgent(admin, '1001', 'a1');
    expect(() => svc.clickToCall(admin, { agentId: 'a1', destination: '+44123456789' })).toThrow(/allowed pattern/);
    expect(() => svc.clickToCall(admin, { agentId: 'a2', destination: '0612345678' })).toThrow(/not logged in or is busy/);
    expect(w.pbx.calls('originate')).toEqual([]);
  });
});
