/**
 * Virtual queue REST API (seed 004 Callers) on the simulated PBX: line-up, the caller called back
 * at its place, get/verify/connected/transferred/update/list, and bad input naming the field.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { virtualQueueRoutes } from '../../src/api/routes/virtualq.js';
import type { ConfigInput } from '../../src/domain/config.js';
import type { VirtualQueueService } from '../../src/outbound/virtual-queue.js';
import type { OriginateRequest } from '../../src/pbx/port.js';
import { apiWorld, type ApiWorld } from '../support/api-world.js';
import { configFrom } from '../support/sim-world.js';
import { virtualQueue } from '../support/vq-world.js';

const S = 1000;
const PHONE = '+17343305027';

const config = (): ConfigInput => ({
  numbers: [{ id: 'n', number: '100', queue: 'q' }],
  queues: [
    { id: 'q', groups: [{ group: 'sales', priority: 1 }], virtual_queue: { retries: 0, ring_timeout_s: 20 } },
    { id: 'plain', groups: [{ group: 'sales', priority: 1 }] },
  ],
  groups: [{ id: 'sales' }],
  agents: [{ id: 'a1', phone: { type: 'sip', endpoint: '1001' }, groups: ['sales'] }],
});

describe('virtual queue API (seed 004 Callers)', () => {
  let w: ApiWorld;
  let vq: VirtualQueueService;
  afterEach(async () => w?.close());
  const setup = async () => {
    w = await apiWorld(configFrom(config()), {
      server: {
        protectedRoutes: [
          (deps) => {
            vq = virtualQueue(deps.engine, deps.store);
            return virtualQueueRoutes(vq)(deps);
          },
        ],
      },
    });
  };
  const req = (method: 'GET' | 'POST' | 'PATCH', url: string, body?: unknown) => w.request(method, url, { token: w.adminKey, ...(body === undefined ? {} : { body }) });
  const enc = encodeURIComponent(PHONE);

  it('lines a caller up durably, shows it waiting with an EWT, calls it back when an agent is free, and reports it Finished', async () => {
    await setup();
    const res = await req('POST', '/virtualq/lines/q/callers', { Phone: '+1 734 330 5027', Channel: 'CallBack', Source: 'Widget', Lang: 'en', Skills: ['billing'], Properties: { ticket: 42 } });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ LineId: 'q', Phone: PHONE, Channel: 'CallBack', Source: 'Widget', VirtualQCallerState: 'Waiting', Skills: ['billing'], Properties: { ticket: 42 }, Ewt: expect.any(Number) });
    // Written before the answer.
    expect(w.store.virtualWaiters.latest('q', PHONE)).toMatchObject({ state: 'Waiting', source: 'Widget' });
    expect(w.store.queueLog.list().filter((e) => e.event === 'ENTERQUEUE').map((e) => e.data.callerid)).toEqual([PHONE]);

    const list = await req('GET', '/virtualq/callers?lineId=q');
    expect(list.json()).toEqual([expect.objectContaining({ Phone: PHONE, VirtualQCallerState: 'Waiting' })]);
    expect((await req('POST', '/virtualq/lines/q/callers', { Phone: PHONE, Channel: 'CallBack', Source: 'App' })).json()).toMatchObject({ error: { code: 'CALLER_ALREADY_WAITING' } });

    w.pbx.setPhone(PHONE, { behavior: 'answer', answerAfterMs: 2 * S });
    w.pbx.setPhone('1001', { behavior: 'answer', answerAfterMs: 1 * S, talkMs: 20 * S });
    w.engine.loginAgent('a1');
    await w.clock.runFor(15 * S);
    expect(w.pbx.calls('originate').map((c) => (c.args[0] as OriginateRequest).destination)).toEqual([{ kind: 'external', number: PHONE }, { kind: 'sip', endpoint: '1001' }]);
    expect((await req('GET', `/virtualq/lines/q/callers/${enc}`)).json()).toMatchObject({ VirtualQCallerState: 'Connected', AgentId: 'a1', State: 'Connected' });
    await w.clock.runFor(60 * S);
    expect((await req('GET', `/virtualq/lines/q/callers/${enc}`)).json()).toMatchObject({ VirtualQCallerState: 'Finished', State: 'Finished' });
    expect((await req('GET', '/virtualq/callers')).json()).toEqual([]);
    const cdr = w.store.cdrs.all().find((c) => c.direction === 'callback');
    expect(cdr).toMatchObject({ disposition: 'answered', agentId: 'a1' });
    expect(cdr?.parentCallId ?? null).toBeNull();
  });

  it('verifies, connects, transfers and updates a caller with seed 004 names', async () => {
    await setup();
    await req('POST', '/virtualq/lines/q/callers', { Phone: PHONE, Channel: 'CallBack', Source: 'App' });
    expect((await req('POST', `/virtualq/lines/q/callers/${enc}/verify`)).json()).toBeNull();
    const patched = await req('PATCH', `/virtualq/lines/q/callers/${enc}`, { State: 'Deferred', AgentId: 'a1' });
    expect(patched.json()).toMatchObject({ State: 'Deferred', AgentId: 'a1', VirtualQCallerState: 'Waiting' });
    const connected = await req('POST', `/virtualq/lines/q/callers/${enc}/connected`);
    expect(connected.json()).toMatchObject({ VirtualQCallerState: 'Connected', ConnectedAt: expect.any(String) });
    expect(w.engine.router.state.calls.size).toBe(0);
    const transferred = await req('POST', `/virtualq/lines/q/callers/${enc}/transferred`, { WaitTimeWhenUp: 95, AgentId: 'a1' });
    expect(transferred.json()).toMatchObject({ VirtualQCallerState: 'Finished', WaitTimeWhenUp: 95, AgentId: 'a1' });
  });

  it.each([
    ['an unknown line', 'POST', '/virtualq/lines/nope/callers', { Phone: PHONE, Channel: 'CallBack', Source: 'App' }, 404, 'LINE_NOT_FOUND', 'lineId'],
    ['a line without a virtual queue', 'POST', '/virtualq/lines/plain/callers', { Phone: PHONE, Channel: 'CallBack', Source: 'App' }, 409, 'VIRTUAL_QUEUE_DISABLED', 'lineId'],
    ['an unknown caller', 'GET', `/virtualq/lines/q/callers/${encodeURIComponent('+4915112345678')}`, undefined, 404, 'CALLER_NOT_FOUND', 'phone'],
  ] as const)('answers %s with its code naming the field', async (_name, method, url, body, status, code, field) => {
    await setup();
    const res = await req(method, url, body);
    expect(res.statusCode).toBe(status);
    expect(res.json()).toMatchObject({ error: { code, field } });
  });

  it.each([
    ['a malformed phone', { Phone: '0612', Channel: 'CallBack', Source: 'App' }, 'Phone'],
    ['an unknown channel', { Phone: PHONE, Channel: 'Sms', Source: 'App' }, 'Channel'],
    ['an unknown source', { Phone: PHONE, Channel: 'CallIn', Source: 'Fax' }, 'Source'],
  ])('refuses %s with 400 naming the field and writes nothing', async (_name, body, field) => {
    await setup();
    const res = await req('POST', '/virtualq/lines/q/callers', body);
    expect(res.statusCode).toBe(400);
    expect(JSON.stringify(res.json())).toContain(field);
    expect(w.store.virtualWaiters.list(['Waiting'])).toEqual([]);
  });

  it('refuses an unknown service state with 400 naming State', async () => {
    await setup();
    await req('POST', '/virtualq/lines/q/callers', { Phone: PHONE, Channel: 'CallBack', Source: 'App' });
    const res = await req('PATCH', `/virtualq/lines/q/callers/${enc}`, { State: 'Lost' });
    expect(res.statusCode).toBe(400);
    expect(JSON.stringify(res.json())).toContain('State');
  });
});

describe('virtual queue API with skills', () => {
  let w: ApiWorld;
  afterEach(async () => w?.close());

  it('calls a lined-up caller back only through an agent holding its skills', async () => {
    w = await apiWorld(
      configFrom({
        queues: [{ id: 'q', groups: [{ group: 'sales', priority: 1 }], skills: { relax_after_s: 0 }, virtual_queue: { retries: 0 } }],
        groups: [{ id: 'sales' }],
        agents: [
          { id: 'a1', phone: { type: 'sip', endpoint: '1001' }, groups: ['sales'], skills: { en: 50 } },
          { id: 'a2', phone: { type: 'sip', endpoint: '1002' }, groups: ['sales'], skills: { en: 50, fr: 70 } },
        ],
      }),
      { server: { protectedRoutes: [(deps) => virtualQueueRoutes(virtualQueue(deps.engine, deps.store))(deps)] } },
    );
    w.pbx.setPhone('1001', { behavior: 'answer', answerAfterMs: 1 * S });
    w.pbx.setPhone('1002', { behavior: 'answer', answerAfterMs: 1 * S });
    w.pbx.setPhone(PHONE, { behavior: 'never' });
    w.engine.loginAgent('a1');
    const res = await w.request('POST', '/virtualq/lines/q/callers', { token: w.adminKey, body: { Phone: PHONE, Channel: 'CallBack', Source: 'App', Skills: ['fr'] } });
    expect(res.statusCode).toBe(201);
    await w.clock.runFor(5 * S);
    expect(w.engine.agentSnapshot('a1')?.presence).toBe('ready');
    expect(w.pbx.calls('originate')).toHaveLength(0);
    w.engine.loginAgent('a2');
    await w.clock.runFor(1 * S);
    expect(w.engine.agentSnapshot('a2')?.presence).toBe('ringing');
    expect(w.pbx.calls('originate').map((c) => (c.args[0] as OriginateRequest).destination)).toEqual([{ kind: 'external', number: PHONE }]);
  });
});
