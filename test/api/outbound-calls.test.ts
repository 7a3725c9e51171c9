import { afterEach, describe, expect, it } from 'vitest';
import { createAgentService } from '../../src/api/agent-service.js';
import { createOutboundService } from '../../src/api/outbound-service.js';
import { agentDndRoutes } from '../../src/api/routes/agent-dnd.js';
import { outboundCallRoutes } from '../../src/api/routes/outbound-calls.js';
import type { ConfigInput } from '../../src/domain/config.js';
import { silentLogger } from '../../src/infra/logger.js';
import type { OriginateRequest } from '../../src/pbx/port.js';
import { apiWorld, type ApiWorld } from '../support/api-world.js';
import { configFrom } from '../support/sim-world.js';

const S = 1000;
const CUSTOMER = '0612345678';

const config = (): ConfigInput => ({
  numbers: [{ id: 'n', number: '100', queue: 'q' }],
  queues: [{ id: 'q', groups: [{ group: 'g', priority: 1 }] }, { id: 'closed', groups: [{ group: 'g', priority: 1 }], join_empty: 'refuse' }],
  groups: [{ id: 'g' }],
  agents: [
    { id: 'a1', phone: { type: 'sip', endpoint: '1001' }, groups: ['g'] },
    { id: 'a2', phone: { type: 'sip', endpoint: '1002' }, groups: ['g'] },
  ],
  click_to_call: { allow: '^0[0-9]{9}$', caller_id: '0123456789' },
});

const originates = (w: ApiWorld) => w.pbx.calls('originate').map((c) => c.args[0] as OriginateRequest);

describe('outbound call routes (dialFromQueue, CreateCall, DND)', () => {
  let w: ApiWorld;
  afterEach(async () => w?.close());

  // The routes as the app mounts them, their services built on the world's engine.
  const setup = async () => {
    w = await apiWorld(configFrom(config()), {
      server: {
        protectedRoutes: [
          (deps) => agentDndRoutes(createAgentService({ engine: deps.engine, store: deps.store, log: silentLogger() }))(deps),
          (deps) => outboundCallRoutes(createOutboundService({ engine: deps.engine, log: silentLogger() }))(deps),
        ],
      },
    });
  };
  const post = (url: string, body: unknown) => w.request('POST', url, { token: w.adminKey, body });

  it('dialFromQueue dials the customer with the caller id, queues them once answered, offers a free agent, and writes an outbound CDR with USR_ variables', async () => {
    await setup();
    w.engine.loginAgent('a1');
    w.pbx.setPhone(CUSTOMER, { behavior: 'answer', answerAfterMs: 3000, talkMs: 30_000 });
    w.pbx.setPhone('1001', { behavior: 'answer', answerAfterMs: 2000 });
    const states: string[] = [];
    w.engine.on('agent.state', (e) => states.push(`${e.agentId}:${e.presence}`));
    const bridged: unknown[] = [];
    w.engine.on('call.bridged', (n) => bridged.push(n));

    const res = await post('/dialfromqueue', { destination: CUSTOMER, queueId: 'q', callerIdName: 'ACME', callerIdNumber: '0555000111', variables: { crm: '42' } });
    expect(res.statusCode).toBe(200);
    const { callId } = res.json() as { callId: string };
    await w.clock.runFor(3 * S + 1);
    expect(originates(w)[0]).toMatchObject({ destination: { kind: 'external', number: CUSTOMER }, callerId: { number: '0555000111', name: 'ACME' }, variables: { USR_crm: '42' }, callId });
    expect(originates(w)[1]).toMatchObject({ destination: { kind: 'sip', endpoint: '1001' }, callerId: { number: CUSTOMER } });
    await w.clock.runFor(60 * S);

    expect(states).toEqual(['a1:ringing', 'a1:oncall', 'a1:ready']);
    expect(bridged).toEqual([expect.objectContaining({ callId, direction: 'outbound', agentId: 'a1', queueId: 'q', cid: CUSTOMER, variables: { USR_crm: '42' } })]);
    expect(w.store.cdrs.get(callId)).toMatchObject({ direction: 'outbound', queueId: 'q', agentId: 'a1', dialled: CUSTOMER, caller: '0555000111', disposition: 'answered', waitMs: 2000, talkMs: 30_000, hangupSide: 'caller', variables: { USR_crm: '42' } });
  });

  it('dialFromQueue keeps an answered customer waiting with the queue music while no agent is free', async () => {
    await setup();
    w.pbx.setPhone(CUSTOMER, { behavior: 'answer', answerAfterMs: 1000, talkMs: 10_000 });
    w.pbx.setPhone('1002', { behavior: 'answer', answerAfterMs: 1000 });
    const { callId } = (await post('/dialfromqueue', { destination: CUSTOMER, queueId: 'q' })).json() as { callId: string };
    await w.clock.runFor(20 * S);
    const leg = originates(w).length === 1 ? [...w.pbx.legs.values()].find((l) => l.to === CUSTOMER) : undefined;
    expect(leg?.state).toBe('up');
    expect(leg?.moh).toBe('default');

    w.engine.loginAgent('a2');
    await w.clock.runFor(30 * S);

    expect(w.store.cdrs.get(callId)).toMatchObject({ direction: 'outbound', agentId: 'a2', disposition: 'answered', caller: '0123456789', waitMs: 20_000 });
  });

  it('dialFromQueue writes a failed outbound CDR and offers nobody when the customer is busy', async () => {
    await setup();
    w.engine.loginAgent('a1');
    w.pbx.setPhone(CUSTOMER, { behavior: 'busy', answerAfterMs: 2000 });
    const { callId } = (await post('/dialfromqueue', { destination: CUSTOMER, queueId: 'q', variables: { crm: '9' } })).json() as { callId: string };
    await w.clock.runFor(10 * S);

    expect(originates(w)).toHaveLength(1);
    expect(w.store.cdrs.get(callId)).toMatchObject({ direction: 'outbound', queueId: 'q', agentId: null, disposition: 'failed', hangupCause: 'busy', variables: { USR_crm: '9' } });
    expect(w.engine.agentSnapshot('a1')?.presence).toBe('ready');
  });

  it('dialFromQueue answers 404, 403, 409 and 400 with clear codes and dials nothing when the input is wrong', async () => {
    await setup();
    const unknown = await post('/dialfromqueue', { destination: CUSTOMER, queueId: 'nope' });
    const forbidden = await post('/dialfromqueue', { destination: '+4420123456', queueId: 'q' });
    const empty = await post('/dialfromqueue', { destination: CUSTOMER, queueId: 'closed' });
    const badVar = await post('/dialfromqueue', { destination: CUSTOMER, queueId: 'q', variables: { 'bad name': 'x' } });

    expect([unknown.statusCode, unknown.json().error.code]).toEqual([404, 'QUEUE_NOT_FOUND']);
    expect([forbidden.statusCode, forbidden.json().error.code]).toEqual([403, 'DESTINATION_NOT_ALLOWED']);
    expect([empty.statusCode, empty.json().error.code]).toEqual([409, 'AGENT_NOT_AVAILABLE']);
    expect(badVar.statusCode).toBe(400);
    expect(JSON.stringify(badVar.json())).toContain('body.variables');
    expect(originates(w)).toEqual([]);
  });

  it('CreateCall rings the extension with auto-answer, dials the destination, bridges, records, and writes an outbound CDR', async () => {
    await setup();
    w.engine.loginAgent('a1');
    w.pbx.setPhone('1001', { behavior: 'never' });
    w.pbx.setPhone(CUSTOMER, { behavior: 'answer', answerAfterMs: 4000, talkMs: 25_000 });
    const states: string[] = [];
    w.engine.on('agent.state', (e) => states.push(e.presence));

    const res = await post('/calls', { destination: CUSTOMER, from: { extension: '1001' }, params: { audio: true, auto_answer: true, record: true, variables: { ticket: '7' } } });
    expect(res.statusCode).toBe(200);
    const { id } = res.json() as { id: string };
    await w.clock.runFor(60 * S);

    expect(originates(w).map((o) => [o.destination, o.autoAnswer ?? false])).toEqual([
      [{ kind: 'sip', endpoint: '1001' }, true],
      [{ kind: 'external', number: CUSTOMER }, false],
    ]);
    expect(w.pbx.calls('recordBridge')).toHaveLength(1);
    expect(states).toEqual(['dialing', 'oncall', 'ready']);
    expect(w.store.cdrs.get(id)).toMatchObject({ direction: 'outbound', agentId: 'a1', dialled: CUSTOMER, disposition: 'answered', talkMs: 25_000, recording: `switchboard-${id}`, variables: { USR_ticket: '7' } });
  });

  it('CreateCall answers 404 for an unknown extension, 409 for a busy agent, 403 for a forbidden number, 400 for video', async () => {
    await setup();
    w.engine.loginAgent('a1');
    w.pbx.setPhone('1001', { behavior: 'answer', answerAfterMs: 1000 });
    w.pbx.setPhone(CUSTOMER, { behavior: 'answer', answerAfterMs: 1000, talkMs: 60_000 });
    expect((await post('/calls', { destination: CUSTOMER, from: { extension: '1001' } })).statusCode).toBe(200);
    await w.clock.runFor(5 * S);
    const calls = originates(w).length;

    const unknown = await post('/calls', { destination: CUSTOMER, from: { extension: '9999' } });
    const busy = await post('/calls', { destination: CUSTOMER, from: { extension: '1001' } });
    const forbidden = await post('/calls', { destination: '+4420123456', from: { extension: '1002' } });
    const video = await post('/calls', { destination: CUSTOMER, from: { extension: '1002' }, params: { audio: false } });

    expect([unknown.statusCode, unknown.json().error.code]).toEqual([404, 'AGENT_NOT_FOUND']);
    expect([busy.statusCode, busy.json().error.code]).toEqual([409, 'AGENT_NOT_AVAILABLE']);
    expect([forbidden.statusCode, forbidden.json().error.code]).toEqual([403, 'DESTINATION_NOT_ALLOWED']);
    expect([video.statusCode, video.json().error.issues[0].path]).toEqual([400, 'body.params.audio']);
    expect(originates(w)).toHaveLength(calls);
    expect(w.engine.agentSnapshot('a1')?.presence).toBe('oncall');
  });

  it('DND over REST keeps a logged-in agent out of routing, shows in its state, is persisted, and ends on request', async () => {
    await setup();
    w.engine.loginAgent('a1');
    w.engine.loginAgent('a2');
    w.pbx.setPhone('1001', { behavior: 'answer', answerAfterMs: 1000, talkMs: 5000 });
    w.pbx.setPhone('1002', { behavior: 'answer', answerAfterMs: 1000, talkMs: 5000 });

    const on = await w.request('PUT', '/agents/a1/dnd', { token: w.adminKey, body: { dnd: true } });
    expect(on.statusCode).toBe(200);
    expect(on.json()).toMatchObject({ name: 'AgentReady', agentId: 'a1', dnd: true });
    w.pbx.placeCall({ to: '100', from: '+331', talkMs: 5000 });
    await w.clock.runFor(20 * S);
    expect(w.pbx.calls('originate').map((c) => (c.args[0] as OriginateRequest).destination)).toEqual([{ kind: 'sip', endpoint: '1002' }]);
    expect(w.store.agentSessions.all().find((r) => r.agentId === 'a1')).toMatchObject({ status: 'ready', dnd: true });

    const off = await w.request('PUT', '/agents/a1/dnd', { token: w.adminKey, body: { dnd: false } });
    const missing = await w.request('PUT', '/agents/ghost/dnd', { token: w.adminKey, body: { dnd: true } });
    expect(off.json()).not.toHaveProperty('dnd');
    expect([missing.statusCode, missing.json().error.code]).toEqual([404, 'AGENT_NOT_FOUND']);
    expect(w.store.agentSessions.all().find((r) => r.agentId === 'a1')).not.toHaveProperty('dnd');
  });
});
