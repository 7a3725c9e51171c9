import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadConfigFile } from '../../src/infra/config-file.js';
import { apiWorld, type ApiWorld } from '../support/api-world.js';

const aQueue = (id: string, group: string) => ({ id, name: `Queue ${id}`, groups: [{ group, priority: 1 }], answer_timeout_s: 10 });

describe('config CRUD', () => {
  let w: ApiWorld;
  afterEach(async () => w?.close());

  it('adds a group, queue, agent, membership and number via the API and a new call routes to them live', async () => {
    // Arrange
    w = await apiWorld();
    const admin = { token: w.adminKey };
    const steps = [
      ['/groups', { id: 'g9', name: 'Billing' }],
      ['/queues', aQueue('q9', 'g9')],
      ['/agents', { id: 'a9', phone: { type: 'sip', endpoint: 'ep9' }, groups: ['g9'] }],
      ['/memberships', { agent: 'a9', queue: 'q9', penalty: 0 }],
      ['/numbers', { id: 'N9', number: '9000', queue: 'q9' }],
    ] as const;
    for (const [url, body] of steps) {
      const res = await w.request('POST', url, { ...admin, body });
      expect(res.statusCode, `${url}: ${res.body}`).toBe(201);
    }
    w.pbx.setPhone('ep9', { behavior: 'answer', answerAfterMs: 1000, talkMs: 20_000 });
    w.engine.loginAgent('a9');

    // Act
    w.pbx.placeCall({ to: '9000', from: '5551234' });
    await w.clock.runFor(60_000);

    // Assert: served by the new agent in the new queue, and the stored config has it all.
    expect(w.store.cdrs.all()[0]).toMatchObject({ numberId: 'N9', queueId: 'q9', agentId: 'a9', disposition: 'answered' });
    const stored = w.store.config.load();
    expect(stored.queues.map((q) => q.id)).toContain('q9');
    expect(stored.memberships).toContainEqual({ agent: 'a9', queue: 'q9', penalty: 0 });
  });

  it.each([
    ['numbers', 'A', { id: 'A', number: '1000', name: 'renamed', enable_ivr: true, ivr: 'main' }, 'name'],
    ['queues', 'q1', { ...aQueue('q1', 'g1'), name: 'renamed' }, 'name'],
    ['groups', 'g1', { id: 'g1', name: 'renamed' }, 'name'],
    ['agents', '1001', { id: '1001', name: 'renamed', phone: { type: 'sip', endpoint: '1001' }, groups: ['g1'] }, 'name'],
    ['memberships', '1002/q1', { agent: '1002', queue: 'q1', penalty: 7 }, 'penalty'],
  ])('reads, lists and replaces %s items', async (section, key, body, field) => {
    w = await apiWorld();
    const admin = { token: w.adminKey };
    const list = await w.request('GET', `/${section}`, admin);
    expect(list.statusCode).toBe(200);
    expect(list.json().length).toBeGreaterThan(0);
    expect((await w.request('GET', `/${section}/${key}`, admin)).statusCode).toBe(200);
    const put = await w.request('PUT', `/${section}/${key}`, { ...admin, body });
    expect(put.statusCode, put.body).toBe(200);
    const read = (await w.request('GET', `/${section}/${key}`, admin)).json();
    expect(read[field]).toEqual((body as Record<string, unknown>)[field]);
    expect((w.engine.currentConfig as unknown as Record<string, Record<string, unknown>[]>)[section]).toContainEqual(read);
  });

  it('creates, replaces and deletes IVRs and lines', async () => {
    w = await apiWorld();
    const admin = { token: w.adminKey };
    const ivr = { id: 'ivr2', root: 'n', nodes: [{ id: 'n', prompts: { default: ['sound:hello'] }, keys: { '1': { action: 'queue', queue: 'q1' } } }] };
    expect((await w.request('POST', '/ivrs', { ...admin, body: ivr })).statusCode).toBe(201);
    expect((await w.request('PUT', '/ivrs/ivr2', { ...admin, body: { ...ivr, name: 'two' } })).json().name).toBe('two');
    expect((await w.request('DELETE', '/ivrs/ivr2', admin)).statusCode).toBe(204);
    expect((await w.request('POST', '/lines', { ...admin, body: { number: '3001', endpoint: 'desk1' } })).statusCode).toBe(201);
    expect((await w.request('GET', '/lines/3001', admin)).json()).toEqual({ number: '3001', endpoint: 'desk1' });
    expect((await w.request('PUT', '/lines/3001', { ...admin, body: { number: '3001', endpoint: 'desk2' } })).json().endpoint).toBe('desk2');
    expect((await w.request('DELETE', '/lines/3001', admin)).statusCode).toBe(204);
    expect((await w.request('GET', '/lines/3001', admin)).statusCode).toBe(404);
    expect(w.engine.currentConfig.lines).toEqual(w.store.config.load().lines);
  });

  it('refuses deleting a queue still referenced with 409 naming the referencing fields', async () => {
    w = await apiWorld();
    const res = await w.request('DELETE', '/queues/q1', { token: w.adminKey });
    expect(res.statusCode).toBe(409);
    const { error } = res.json();
    expect(error.code).toBe('CONFLICT');
    expect(error.message).toContain('numbers[1].queue');
    expect(error.references).toContainEqual({ path: 'config.numbers[1].queue', message: 'unknown queue "q1"' });
    expect(w.engine.currentConfig.queues.map((q) => q.id)).toContain('q1');
  });

  it('deletes an unreferenced queue together with its memberships', async () => {
    w = await apiWorld();
    const admin = { token: w.adminKey };
    await w.request('POST', '/queues', { ...admin, body: aQueue('q9', 'g1') });
    await w.request('POST', '/memberships', { ...admin, body: { agent: '1001', queue: 'q9' } });
    expect((await w.request('DELETE', '/queues/q9', admin)).statusCode).toBe(204);
    expect(w.engine.currentConfig.memberships.some((m) => m.queue === 'q9')).toBe(false);
    expect((await w.request('GET', '/queues/q9', admin)).json().error.code).toBe('QUEUE_NOT_FOUND');
  });

  it('refuses a change that breaks a cross-reference with 400 naming the config path, and changes nothing', async () => {
    w = await apiWorld();
    const before = w.store.config.load();
    const res = await w.request('POST', '/queues', { token: w.adminKey, body: aQueue('q9', 'nope') });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'VALIDATION_FAILED', issues: [{ path: 'config.queues[3].groups[0].group', message: 'unknown group "nope"' }] });
    expect(w.store.config.load()).toEqual(before);
  });

  it('refuses a body of the wrong shape with 400 naming the field', async () => {
    w = await apiWorld();
    const res = await w.request('POST', '/queues', { token: w.adminKey, body: { id: 'q9', weight: 'heavy', groups: [{ group: 'g1', priority: 0 }] } });
    expect(res.statusCode).toBe(400);
    const paths = res.json().error.issues.map((i: { path: string }) => i.path);
    expect(paths).toEqual(expect.arrayContaining(['body.weight', 'body.groups[0].priority']));
  });

  it('refuses a PUT whose id differs from the URL, a duplicate POST, and an unknown item', async () => {
    w = await apiWorld();
    const admin = { token: w.adminKey };
    const mismatch = await w.request('PUT', '/groups/g1', { ...admin, body: { id: 'g2' } });
    expect(mismatch.json().error.issues).toEqual([{ path: 'body.id', message: 'must equal the URL\'s id "g1"' }]);
    expect((await w.request('POST', '/groups', { ...admin, body: { id: 'g1' } })).statusCode).toBe(409);
    expect((await w.request('PUT', '/agents/zz', { ...admin, body: { id: 'zz', phone: { type: 'sip', endpoint: 'zz' } } })).json().error.code).toBe('AGENT_NOT_FOUND');
  });

  it('lets a supervisor read only the queues and agents it may see, and write nothing', async () => {
    w = await apiWorld();
    const token = await w.userSession('sup', 'supervisor', { queues: ['q2'], groups: ['g2'] });
    expect((await w.request('GET', '/queues', { token })).json().map((q: { id: string }) => q.id)).toEqual(['q2']);
    expect((await w.request('GET', '/queues/q1', { token })).statusCode).toBe(403);
    const agents = (await w.request('GET', '/agents', { token })).json().map((a: { id: string }) => a.id);
    expect(agents.length).toBeGreaterThan(0);
    for (const id of agents) expect(w.engine.currentConfig.agents.find((a) => a.id === id)!.groups).toContain('g2');
    expect((await w.request('PUT', '/queues/q2', { token, body: aQueue('q2', 'g2') })).statusCode).toBe(403);
    expect((await w.request('GET', '/numbers', { token })).statusCode).toBe(403);
  });

  it('lets an agent read itself only', async () => {
    w = await apiWorld();
    const token = await w.userSession('a', 'agent', { agentId: '1001' });
    expect((await w.request('GET', '/agents', { token })).json().map((a: { id: string }) => a.id)).toEqual(['1001']);
    expect((await w.request('GET', '/agents/1002', { token })).statusCode).toBe(403);
  });
});

describe('whole configuration', () => {
  let w: ApiWorld;
  let dir: string | undefined;
  afterEach(async () => {
    await w?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('exports YAML that loadConfigFile reads back to the same configuration', async () => {
    w = await apiWorld();
    const res = await w.request('GET', '/config.yaml', { token: w.adminKey });
    expect(res.headers['content-type']).toMatch(/^application\/yaml/);
    dir = mkdtempSync(join(tmpdir(), 'sb-api-'));
    const file = join(dir, 'exported.yaml');
    writeFileSync(file, res.body);
    expect(loadConfigFile(file)).toEqual(w.engine.currentConfig);
    expect((await w.request('GET', '/config', { token: w.adminKey })).json()).toEqual(w.engine.currentConfig);
  });

  it('replaces everything from a YAML body and applies it live', async () => {
    w = await apiWorld();
    const yaml = (await w.request('GET', '/config.yaml', { token: w.adminKey })).body.replace('name: Queue 1 - English sales', 'name: Ventas');
    const res = await w.request('PUT', '/config', { token: w.adminKey, body: yaml, headers: { 'content-type': 'application/yaml' } });
    expect(res.statusCode, res.body).toBe(200);
    expect(w.engine.currentConfig.queues[0]!.name).toBe('Ventas');
    expect(w.store.config.load().queues[0]!.name).toBe('Ventas');
  });

  it('replaces everything from a JSON body and refuses an invalid one with field paths', async () => {
    w = await apiWorld();
    const config = parse((await w.request('GET', '/config.yaml', { token: w.adminKey })).body);
    config.memberships.push({ agent: 'ghost', queue: 'q1' });
    const res = await w.request('PUT', '/config', { token: w.adminKey, body: config });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.issues).toContainEqual({ path: `body.memberships[${config.memberships.length - 1}].agent`, message: 'unknown agent "ghost"' });
    config.memberships.pop();
    expect((await w.request('PUT', '/config', { token: w.adminKey, body: config })).statusCode).toBe(200);
  });

  it('refuses malformed YAML with 400 and the line', async () => {
    w = await apiWorld();
    const res = await w.request('PUT', '/config', { token: w.adminKey, body: 'queues:\n  - id: [q1\n', headers: { 'content-type': 'application/yaml' } });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.issues[0].message).toMatch(/YAML syntax error at line \d+/);
  });

  it('reads and replaces the webhooks and click_to_call sections', async () => {
    w = await apiWorld();
    const admin = { token: w.adminKey };
    const hooks = { secret: 'a-secret-of-16-chars', timeout_ms: 1500, retries: 2, hangup_url: 'https://crm.example/hangup', project_id: 4 };
    expect((await w.request('PUT', '/config/webhooks', { ...admin, body: hooks })).json()).toEqual(hooks);
    expect((await w.request('GET', '/config/webhooks', admin)).json()).toEqual(hooks);
    expect(w.engine.currentConfig.webhooks).toEqual(hooks);
    const bad = await w.request('PUT', '/config/webhooks', { ...admin, body: { ...hooks, hangup_url: 'ftp://x' } });
    expect(bad.json().error.issues).toEqual([{ path: 'body.hangup_url', message: 'an http(s) URL' }]);
    const c2c = await w.request('PUT', '/config/click_to_call', { ...admin, body: { allow: '^0[0-9]{9}$' } });
    expect(c2c.json()).toEqual({ allow: '^0[0-9]{9}$', answer_timeout_s: 30 });
    expect((await w.request('GET', '/config/click_to_call', admin)).json().allow).toBe('^0[0-9]{9}$');
  });
});
