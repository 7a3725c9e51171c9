import { afterEach, describe, expect, it } from 'vitest';
import { dialerRoutes } from '../../src/api/routes/dialers.js';
import { DialerService } from '../../src/dialer/dialer-service.js';
import { registerDialerMetrics } from '../../src/dialer/dialer-stats.js';
import { silentLogger } from '../../src/infra/logger.js';
import { apiWorld, type ApiWorld } from '../support/api-world.js';
import { configFrom } from '../support/sim-world.js';

const config = () =>
  configFrom({
    numbers: [{ id: 'n', number: '100', queue: 'q' }],
    queues: [{ id: 'q', groups: [{ group: 'g', priority: 1 }] }],
    groups: [{ id: 'g' }],
    agents: [{ id: 'a1', phone: { type: 'sip', endpoint: '1001' }, groups: ['g'] }],
  });

const member = (dest: string, extra: Record<string, unknown> = {}) => ({
  communications: [{ description: 'Description1', destination: dest, priority: 0, type: { id: '1' } }],
  expire_at: '2030-01-01T00:00:00Z',
  name: `M${dest}`,
  priority: 1,
  variables: { additionalProp1: 'string' },
  ...extra,
});

describe('dialer routes', () => {
  let w: ApiWorld;
  let service: DialerService;
  afterEach(async () => w?.close());
  const setup = async () => {
    w = await apiWorld(config(), {
      server: { protectedRoutes: [(deps) => dialerRoutes((service = new DialerService(deps.engine, deps.store.dialers, silentLogger())))(deps)] },
    });
  };
  const req = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, body?: unknown) => w.request(method, url, { token: w.adminKey, ...(body === undefined ? {} : { body }) });

  it('creates a campaign, loads seed 003 members and lists them when the body is valid', async () => {
    await setup();
    expect((await req('POST', '/dialers', { id: 'd1', queue: 'q', mode: 'progressive', caller_id: '0123456789' })).statusCode).toBe(201);
    const res = await req('POST', '/dialers/d1/members', {
      items: [member('0611111111', { bucket: { id: '1' } }), member('0622222222', { communications: [{ destination: '0633333333', priority: 0, type: { id: '1' } }, { destination: '0644444444', priority: 10, type: { id: '2' }, description: 'Description2' }] })],
    });
    expect(res.statusCode).toBe(201);
    const list = (await req('GET', '/dialers/d1/members?limit=10')).json() as { total: number; items: { bucket: string | null; communications: { destination: string }[]; expireAt: number }[] };
    expect(list.total).toBe(2);
    expect(list.items[0]!.bucket).toBe('1');
    expect(list.items[0]!.expireAt).toBe(Date.parse('2030-01-01T00:00:00Z'));
    // Higher priority first.
    expect(list.items[1]!.communications.map((c) => c.destination)).toEqual(['0644444444', '0633333333']);
    expect(service.repo.stats('d1').members.waiting).toBe(2);
  });

  it('answers 400 naming items[3].communications[0].destination and stores nothing when a member has no destination', async () => {
    await setup();
    await req('POST', '/dialers', { id: 'd1', queue: 'q', mode: 'progressive', caller_id: '0123456789' });
    const bad = { communications: [{ priority: 0, type: { id: '1' } }], name: 'M4', priority: 1 };
    const res = await req('POST', '/dialers/d1/members', { items: [member('0611111111'), member('0622222222'), member('0633333333'), bad] });
    expect(res.statusCode).toBe(400);
    const body = res.json() as { error: { code: string; issues: { path: string }[] } };
    expect(body.error.code).toBe('VALIDATION_FAILED');
    expect(body.error.issues.map((i) => i.path)).toContain('body.items[3].communications[0].destination');
    expect(((await req('GET', '/dialers/d1/members')).json() as { total: number }).total).toBe(0);
  });

  it('loads CSV members and exports results as CSV when given a header row', async () => {
    await setup();
    await req('POST', '/dialers', { id: 'd1', queue: 'q', mode: 'progressive', caller_id: '0123456789' });
    const csv = 'name,priority,destination,destination,var_crm\nAlice,5,0611111111,0622222222,42\n"Bob, Jr",1,0633333333,,7\n';
    const res = await w.app.inject({ method: 'POST', url: '/dialers/d1/members/csv', headers: { authorization: `Bearer ${w.adminKey}`, 'content-type': 'text/csv' }, payload: csv });
    expect(res.statusCode).toBe(201);
    const out = await req('GET', '/dialers/d1/members.csv');
    expect(out.headers['content-type']).toMatch(/text\/csv/);
    expect(out.body).toContain('Alice,5,waiting,,0,0611111111 0622222222');
    expect(out.body).toContain('"Bob, Jr"');
  });

  it('moves through start, pause, resume and stop and refuses an action that does not apply', async () => {
    await setup();
    await req('POST', '/dialers', { id: 'd1', queue: 'q', mode: 'preview', caller_id: '0123456789' });
    expect((await req('POST', '/dialers/d1/pause')).statusCode).toBe(409);
    expect((await req('POST', '/dialers/d1/start')).json()).toEqual({ id: 'd1', state: 'running' });
    expect((await req('POST', '/dialers/d1/pause')).json()).toEqual({ id: 'd1', state: 'paused' });
    expect((await req('POST', '/dialers/d1/resume')).json()).toEqual({ id: 'd1', state: 'running' });
    expect((await req('POST', '/dialers/d1/stop')).json()).toEqual({ id: 'd1', state: 'stopped' });
    expect((await req('POST', '/dialers/nope/start')).statusCode).toBe(404);
  });

  it('rejects a campaign with an unknown queue or time zone naming the field', async () => {
    await setup();
    const a = await req('POST', '/dialers', { id: 'd1', queue: 'zz', mode: 'progressive', caller_id: '0123456789' });
    expect((a.json() as { error: { issues: { path: string }[] } }).error.issues[0]!.path).toBe('body.queue');
    const b = await req('POST', '/dialers', { id: 'd1', queue: 'q', mode: 'progressive', caller_id: '0123456789', timezone: 'Mars/Base' });
    expect((b.json() as { error: { issues: { path: string }[] } }).error.issues[0]!.path).toBe('body.timezone');
  });

  it('exposes campaign statistics on /metrics and in GET /dialers/:id', async () => {
    await setup();
    registerDialerMetrics(w.metrics.registry, service);
    w.engine.loginAgent('a1');
    await req('POST', '/dialers', { id: 'd1', queue: 'q', mode: 'progressive', caller_id: '0123456789' });
    await req('POST', '/dialers/d1/dnc', { numbers: ['0611111111'] });
    await req('POST', '/dialers/d1/members', { items: [member('0611111111')] });
    await req('POST', '/dialers/d1/start');
    await w.clock.runFor(3000);
    const text = (await w.request('GET', '/metrics')).body;
    expect(text).toContain('dialer_attempts{dialer="d1"} 1');
    expect(text).toContain('dialer_abandon_ratio{dialer="d1"} 0');
    expect((await req('GET', '/dialers/d1')).json()).toMatchObject({ state: 'running', stats: { dialled: 1, answered: 0, members: { done: 1 } } });
    service.stopAll();
  });

  it('keeps campaign and global do-not-call lists', async () => {
    await setup();
    await req('POST', '/dialers', { id: 'd1', queue: 'q', mode: 'progressive', caller_id: '0123456789' });
    await req('POST', '/dialers/d1/dnc', { numbers: ['0611111111'] });
    await req('POST', '/dnc', { numbers: ['0699999999'] });
    expect(service.repo.dncHas('d1', '0611111111')).toBe(true);
    expect(service.repo.dncHas('d1', '0699999999')).toBe(true);
    expect(service.repo.dncHas('d1', '0600000000')).toBe(false);
    expect((await req('DELETE', '/dialers/d1/dnc/0611111111')).statusCode).toBe(204);
    expect(service.repo.dncHas('d1', '0611111111')).toBe(false);
  });
});
