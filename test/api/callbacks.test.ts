/**
 * Callback lists over REST (seed 002) on the simulated PBX: a list with periods, requests, two
 * agents taking one request (ALREADY_TAKEN), logout releasing, startCallback ringing the agent then
 * the number, updateCallbackTicket closing or rescheduling; bad input naming the field.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { callbackRoutes } from '../../src/api/routes/callbacks.js';
import type { ConfigInput } from '../../src/domain/config.js';
import { silentLogger } from '../../src/infra/logger.js';
import { CallbackListService, type CallbackEvent } from '../../src/outbound/callback-lists.js';
import type { OriginateRequest } from '../../src/pbx/port.js';
import { apiWorld, type ApiWorld } from '../support/api-world.js';
import { configFrom } from '../support/sim-world.js';

const S = 1000;
const config = (): ConfigInput => ({
  queues: [{ id: 'q', groups: [{ group: 'sales', priority: 1 }] }],
  groups: [{ id: 'sales' }],
  agents: [
    { id: 'a1', phone: { type: 'sip', endpoint: '1001' }, groups: ['sales'] },
    { id: 'a2', phone: { type: 'sip', endpoint: '1002' }, groups: ['sales'] },
  ],
  click_to_call: { allow: '^0[0-9]{9}$', caller_id: '0100000000' },
});

describe('callback lists over REST (seed 002)', () => {
  let w: ApiWorld;
  let events: CallbackEvent[];
  let service: CallbackListService;
  afterEach(async () => w?.close());
  const setup = async () => {
    events = [];
    let n = 0;
    w = await apiWorld(configFrom(config()), {
      server: {
        protectedRoutes: [
          (deps) => {
            service = new CallbackListService({ engine: deps.engine, repo: deps.store.callbackLists, log: silentLogger(), newId: () => `u${++n}` });
            service.on('event', (e) => events.push(e));
            return callbackRoutes(service)(deps);
          },
        ],
      },
    });
    for (const ep of ['1001', '1002']) w.pbx.setPhone(ep, { behavior: 'answer', answerAfterMs: 1 * S, talkMs: 10 * S });
    w.engine.loginAgent('a1');
    w.engine.loginAgent('a2');
  };
  const req = (method: 'GET' | 'POST' | 'PATCH', url: string, body?: unknown) => w.request(method, url, { token: w.adminKey, ...(body === undefined ? {} : { body }) });
  const aList = async () => {
    const list = (await req('POST', '/callbacks/lists', { name: 'Liste de test', queueId: 'q', periods: [{ name: 'Afternoon', periodStart: '14:00:00', periodEnd: '17:00:00' }, { name: 'Morning', periodStart: '09:00', periodEnd: '12:00', default: true }] })).json() as { uuid: string; periods: { uuid: string; name: string }[] };
    const [r] = (await req('POST', `/callbacks/lists/${list.uuid}/requests`, [{ phoneNumber: '0230210082', mobilePhoneNumber: '0789654123', firstName: 'Alice', lastName: "O'Neill", company: 'YourSociety', dueDate: '2026-12-01' }])).json() as { uuid: string }[];
    return { list, request: r! };
  };

  it('lists the requests of the agent\'s queues with their default period, in seed 002 shape', async () => {
    await setup();
    const { list } = await aList();
    const res = await req('GET', '/agents/a1/callbacks');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual([
      expect.objectContaining({
        uuid: list.uuid, name: 'Liste de test', queueId: 'q',
        callbacks: [expect.objectContaining({ listUuid: list.uuid, phoneNumber: '0230210082', firstName: 'Alice', agentId: null, dueDate: '2026-12-01', preferredPeriod: expect.objectContaining({ name: 'Morning', default: true }) })],
      }),
    ]);
  });

  it('lets one agent take a request: the second gets 409 ALREADY_TAKEN; logout releases it', async () => {
    await setup();
    const { request } = await aList();
    const first = await req('POST', `/agents/a1/callbacks/${request.uuid}/take`);
    expect(first.json()).toEqual({ eventType: 'CallbackTaken', uuid: request.uuid, agentId: 'a1' });
    const second = await req('POST', `/agents/a2/callbacks/${request.uuid}/take`);
    expect(second.statusCode).toBe(409);
    expect(second.json()).toMatchObject({ error: { code: 'ALREADY_TAKEN' } });
    expect(w.store.callbackLists.request(request.uuid)?.agentId).toBe('a1');

    w.engine.logoutAgent('a1');
    expect(w.store.callbackLists.request(request.uuid)?.agentId).toBeNull();
    expect(events.map((e) => e.eventType)).toEqual(['CallbackTaken', 'CallbackReleased']);
    expect((await req('POST', `/agents/a2/callbacks/${request.uuid}/take`)).statusCode).toBe(200);
  });

  it("starts a held request: the agent's phone rings, then the number; the ticket closes it (CallbackClotured) or reschedules it (CallbackRequestUpdated)", async () => {
    await setup();
    const { list, request } = await aList();
    await req('POST', `/agents/a1/callbacks/${request.uuid}/take`);
    w.pbx.setPhone('0230210082', { behavior: 'answer', answerAfterMs: 2 * S });
    const started = await req('POST', `/agents/a1/callbacks/${request.uuid}/start`, { phoneNumber: '0230210082' });
    expect(started.json()).toMatchObject({ eventType: 'CallbackStarted', requestUuid: request.uuid, ticketUuid: expect.any(String) });
    await w.clock.runFor(5 * S);
    expect(w.pbx.calls('originate').map((c) => (c.args[0] as OriginateRequest).destination)).toEqual([{ kind: 'sip', endpoint: '1001' }, { kind: 'external', number: '0230210082' }]);
    const { ticketUuid } = started.json() as { ticketUuid: string };

    const afternoon = list.periods.find((p) => p.name === 'Afternoon')!.uuid;
    const again = await req('PATCH', `/agents/a1/callback-tickets/${ticketUuid}`, { status: 'Callback', dueDate: '2026-12-03', periodUuid: afternoon });
    expect(again.json()).toMatchObject({ eventType: 'CallbackRequestUpdated', request: { uuid: request.uuid, dueDate: '2026-12-03', agentId: null, preferredPeriod: { name: 'Afternoon' } } });

    await req('POST', `/agents/a2/callbacks/${request.uuid}/take`);
    const t2 = (await req('POST', `/agents/a2/callbacks/${request.uuid}/start`, { phoneNumber: '0230210082' })).json() as { ticketUuid: string };
    await w.clock.runFor(30 * S);
    const closed = await req('PATCH', `/agents/a2/callback-tickets/${t2.ticketUuid}`, { status: 'Answered', description: 'done' });
    expect(closed.json()).toEqual({ eventType: 'CallbackClotured', agentId: 'a2', uuid: request.uuid });
    expect((await req('GET', '/agents/a1/callbacks')).json()).toEqual([expect.objectContaining({ callbacks: [] })]);
  });

  it.each([
    ['a past dueDate', (l: string) => [`/callbacks/lists/${l}/requests`, [{ phoneNumber: '0230210082', dueDate: '2026-11-01' }]], 400, 'dueDate'],
    ['a malformed phone', (l: string) => [`/callbacks/lists/${l}/requests`, [{ phoneNumber: 'abc' }]], 400, 'phoneNumber'],
    ['an unknown list', () => ['/callbacks/lists/nope/requests', [{ phoneNumber: '0230210082' }]], 404, 'listUuid'],
    ['an unknown queue', () => ['/callbacks/lists', { name: 'x', queueId: 'nope' }], 404, 'queueId'],
  ] as const)('refuses %s naming the field, writing nothing', async (_name, make, status, field) => {
    await setup();
    const { list } = await aList();
    const [url, body] = make(list.uuid) as unknown as readonly [string, unknown];
    const res = await req('POST', url, body);
    expect(res.statusCode).toBe(status);
    expect(JSON.stringify(res.json())).toContain(field);
    expect(w.store.callbackLists.lists().flatMap((l) => l.callbacks)).toHaveLength(1);
  });

  it('imports requests from CSV, all or none, naming the line of a bad value', async () => {
    await setup();
    const { list } = await aList();
    const csv = (body: string) => w.request('POST', `/callbacks/lists/${list.uuid}/import`, { token: w.adminKey, body, headers: { 'content-type': 'text/csv' } });
    const ok = await csv('phoneNumber,firstName,company\n0612345678,Bob,"Acme, Inc"\n0699999999,Eve,\n');
    expect(ok.statusCode).toBe(201);
    expect(ok.json()).toEqual([expect.objectContaining({ phoneNumber: '0612345678', firstName: 'Bob', company: 'Acme, Inc' }), expect.objectContaining({ phoneNumber: '0699999999', firstName: 'Eve', company: null })]);
    const bad = await csv('phoneNumber,dueDate\n0612345678,2027-01-01\n0612345679,tomorrow\n');
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ error: { code: 'VALIDATION_FAILED', issues: [{ path: 'line 3.dueDate', message: expect.any(String) }] } });
    expect(bad.json().error).not.toHaveProperty('field');
    expect(w.store.callbackLists.lists().flatMap((l) => l.callbacks)).toHaveLength(3);
  });

  it.each([
    ['a past dueDate', [{ phoneNumber: '0230210082', dueDate: '2026-11-01' }], 'body[0].dueDate'],
    ['a request with no number', [{ firstName: 'Bob' }], 'body[0].phoneNumber'],
    ['a malformed phone', [{ phoneNumber: 'abc' }], 'body[0].phoneNumber'],
  ] as const)('answers %s with VALIDATION_FAILED and issues[].path (no field detail)', async (_name, body, path) => {
    await setup();
    const { list } = await aList();
    const res = await req('POST', `/callbacks/lists/${list.uuid}/requests`, body);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: { code: 'VALIDATION_FAILED', issues: [expect.objectContaining({ path })] } });
    expect(res.json().error).not.toHaveProperty('field');
  });

  it('names the CSV line and column when the service refuses an imported value', async () => {
    await setup();
    const { list } = await aList();
    const res = await w.request('POST', `/callbacks/lists/${list.uuid}/import`, { token: w.adminKey, body: 'phoneNumber,dueDate\n0612345678,2027-01-01\n\n0612345679,2020-01-01\n', headers: { 'content-type': 'text/csv' } });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: { code: 'VALIDATION_FAILED', issues: [{ path: 'line 4.dueDate' }] } });
  });

  it('refuses an unknown ticket status with 400 naming status', async () => {
    await setup();
    const res = await req('PATCH', '/agents/a1/callback-tickets/u1', { status: 'Maybe' });
    expect(res.statusCode).toBe(400);
    expect(JSON.stringify(res.json())).toContain('status');
  });

  it('lets an agent act only for itself, keeps lists to admins and the supervisors of their queue', async () => {
    await setup();
    const { list, request } = await aList();
    const ann = await w.userSession('ann', 'agent', { agentId: 'a1' });
    const sup = await w.userSession('sue', 'supervisor', { queues: ['other'], groups: ['sales'] });
    const as = (token: string, method: 'GET' | 'POST', url: string, body?: unknown) => w.request(method, url, { token, ...(body === undefined ? {} : { body }) });

    expect((await as(ann, 'GET', '/agents/a1/callbacks')).statusCode).toBe(200);
    expect((await as(ann, 'POST', `/agents/a2/callbacks/${request.uuid}/take`)).statusCode).toBe(403);
    expect((await as(ann, 'POST', '/callbacks/lists', { name: 'x', queueId: 'q' })).statusCode).toBe(403);
    expect((await as(sup, 'POST', `/callbacks/lists/${list.uuid}/requests`, [{ phoneNumber: '0230210083' }])).statusCode).toBe(403);
    expect((await as(sup, 'POST', `/agents/a2/callbacks/${request.uuid}/take`)).statusCode).toBe(200);
  });

  it('creates an auto list over REST', async () => {
    await setup();
    const res = await req('POST', '/callbacks/lists', { name: 'Auto', queueId: 'q', auto: true });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ auto: true });
    expect(w.store.callbackLists.lists().find((l) => l.name === 'Auto')?.auto).toBe(true);
  });

  it("listenCallbackMessage over REST rings the agent's phone; 404 CALLBACK_NO_MESSAGE without a message, 409 AGENT_NOT_LOGGED_IN, 404 AGENT_NOT_FOUND", async () => {
    await setup();
    const { list, request } = await aList();
    const left = service.addFromCaller(list.uuid, { phoneNumber: '0230210082', parentCallId: 'call-9', parentEnqueuedAt: 0, message: 'cbmsg-call-9', messageMs: 4000 });

    const ok = await req('POST', `/agents/a1/callbacks/${left.uuid}/listen`);
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toEqual({ requestUuid: left.uuid, callId: expect.any(String) });
    await w.clock.runFor(3 * S);
    expect(w.pbx.calls('originate').at(-1)?.args[0]).toMatchObject({ destination: { kind: 'sip', endpoint: '1001' }, autoAnswer: true });
    expect(w.pbx.calls('play').some((c) => JSON.stringify(c.args[1]) === JSON.stringify(['recording:cbmsg-call-9']))).toBe(true);

    const none = await req('POST', `/agents/a2/callbacks/${request.uuid}/listen`);
    expect(none.statusCode).toBe(404);
    expect(none.json()).toMatchObject({ error: { code: 'CALLBACK_NO_MESSAGE' } });
    w.engine.logoutAgent('a2');
    const out = await req('POST', `/agents/a2/callbacks/${left.uuid}/listen`);
    expect(out.statusCode).toBe(409);
    expect(out.json()).toMatchObject({ error: { code: 'AGENT_NOT_LOGGED_IN' } });
    const unknown = await req('POST', `/agents/zz/callbacks/${left.uuid}/listen`);
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toMatchObject({ error: { code: 'AGENT_NOT_FOUND' } });
  });
});
