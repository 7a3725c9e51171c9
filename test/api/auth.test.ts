import { afterEach, describe, expect, it } from 'vitest';
import { apiWorld, HOUR_MS, type ApiWorld } from '../support/api-world.js';

describe('API authentication', () => {
  let w: ApiWorld;
  afterEach(async () => w?.close());

  it('refuses a protected route without credentials with 401', async () => {
    w = await apiWorld();
    const res = await w.request('GET', '/queues');
    expect(res.statusCode).toBe(401);
    expect(res.json()).toEqual({ error: { code: 'UNAUTHORIZED', message: 'missing credentials' } });
  });

  it('refuses an unknown token with 401 "unknown token"', async () => {
    w = await apiWorld();
    const res = await w.request('GET', '/queues', { token: 'sbs_nope' });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toEqual({ error: { code: 'UNAUTHORIZED', message: 'unknown token' } });
  });

  it('logs in with a session valid for the configured TTL and the user profile', async () => {
    w = await apiWorld(undefined, { sessionTtlMs: 8 * HOUR_MS });
    await w.auth.createUser('ann', { password: 'password-1', profile: 'admin' });
    const res = await w.request('POST', '/auth/login', { body: { username: 'ann', password: 'password-1' } });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toEqual({ session: expect.stringMatching(/^sbs_/), expiresAt: w.clock.now() + 8 * HOUR_MS, profile: 'admin' });
    expect((await w.request('GET', '/queues', { token: body.session })).statusCode).toBe(200);
  });

  it('refuses a wrong password or unknown user with 401 and the same message', async () => {
    w = await apiWorld();
    await w.auth.createUser('ann', { password: 'password-1', profile: 'admin' });
    const wrong = await w.request('POST', '/auth/login', { body: { username: 'ann', password: 'password-2' } });
    const unknown = await w.request('POST', '/auth/login', { body: { username: 'bob', password: 'password-1' } });
    expect([wrong.statusCode, unknown.statusCode]).toEqual([401, 401]);
    expect(wrong.json()).toEqual(unknown.json());
  });

  it('refuses an expired session with 401 "session expired"', async () => {
    w = await apiWorld(undefined, { sessionTtlMs: 8 * HOUR_MS });
    const token = await w.userSession('ann', 'admin');
    await w.clock.runFor(8 * HOUR_MS - 1);
    expect((await w.request('GET', '/queues', { token })).statusCode).toBe(200);
    await w.clock.runFor(1);
    const res = await w.request('GET', '/queues', { token });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toEqual({ error: { code: 'UNAUTHORIZED', message: 'session expired' } });
  });

  it('renews a session: the new token works for a new TTL and the old one is revoked', async () => {
    w = await apiWorld(undefined, { sessionTtlMs: 10 * HOUR_MS });
    const old = await w.userSession('sup', 'supervisor', { queues: ['q1'] });
    await w.clock.runFor(9 * HOUR_MS);
    const res = await w.request('POST', '/auth/renew', { token: old });
    expect(res.statusCode).toBe(200);
    const renewed = res.json();
    expect(renewed).toMatchObject({ profile: 'supervisor', expiresAt: w.clock.now() + 10 * HOUR_MS });
    expect((await w.request('GET', '/queues', { token: old })).json().error.message).toBe('unknown token');
    await w.clock.runFor(5 * HOUR_MS);
    expect((await w.request('GET', '/queues', { token: renewed.session })).statusCode).toBe(200);
  });

  it('cannot renew an expired session', async () => {
    w = await apiWorld(undefined, { sessionTtlMs: 8 * HOUR_MS });
    const token = await w.userSession('ann', 'admin');
    await w.clock.runFor(8 * HOUR_MS);
    const res = await w.request('POST', '/auth/renew', { token });
    expect(res.statusCode).toBe(401);
    expect(res.json().error.message).toBe('session expired');
  });

  it('logs out: the token stops working', async () => {
    w = await apiWorld();
    const token = await w.userSession('ann', 'admin');
    expect((await w.request('POST', '/auth/logout', { token })).statusCode).toBe(204);
    expect((await w.request('GET', '/queues', { token })).json().error.message).toBe('unknown token');
  });

  it('accepts an API key as X-Api-Key or Bearer, with admin rights', async () => {
    w = await apiWorld();
    const viaHeader = await w.request('GET', '/config', { headers: { 'x-api-key': w.adminKey } });
    const viaBearer = await w.request('GET', '/users', { token: w.adminKey });
    expect([viaHeader.statusCode, viaBearer.statusCode]).toEqual([200, 200]);
  });

  it('cannot renew with an API key', async () => {
    w = await apiWorld();
    const res = await w.request('POST', '/auth/renew', { token: w.adminKey });
    expect(res.statusCode).toBe(401);
  });

  it('registers a bootstrap key once (SWITCHBOARD_ADMIN_KEY) and accepts it', async () => {
    w = await apiWorld();
    w.auth.registerApiKey('bootstrap-key-0123456789abcdef', 'bootstrap');
    w.auth.registerApiKey('bootstrap-key-0123456789abcdef', 'bootstrap');
    expect(w.auth.listApiKeys().filter((k) => k.name === 'bootstrap')).toHaveLength(1);
    expect((await w.request('GET', '/config', { headers: { 'x-api-key': 'bootstrap-key-0123456789abcdef' } })).statusCode).toBe(200);
  });

  it('exposes authenticate(token) → Principal for the CTI gateway', async () => {
    w = await apiWorld();
    const token = await w.userSession('a1001', 'agent', { agentId: '1001' });
    expect(w.auth.authenticate(token)).toEqual({ profile: 'agent', username: 'a1001', agentId: '1001' });
    expect(w.auth.authenticate(w.adminKey)).toEqual({ profile: 'admin' });
    expect(w.auth.authenticate('nope')).toBeUndefined();
  });
});

describe('API keys', () => {
  let w: ApiWorld;
  afterEach(async () => w?.close());

  it('creates a key shown once, lists keys without secrets and revokes a key', async () => {
    w = await apiWorld();
    const created = await w.request('POST', '/api-keys', { token: w.adminKey, body: { name: 'crm' } });
    expect(created.statusCode).toBe(201);
    const { id, key } = created.json();
    expect(key).toMatch(/^sbk_/);
    const list = await w.request('GET', '/api-keys', { token: w.adminKey });
    expect(list.json().map((k: { name: string }) => k.name)).toEqual(['tests', 'crm']);
    expect(list.body).not.toContain(key);
    expect((await w.request('GET', '/queues', { headers: { 'x-api-key': key } })).statusCode).toBe(200);
    expect((await w.request('DELETE', `/api-keys/${id}`, { token: w.adminKey })).statusCode).toBe(204);
    expect((await w.request('GET', '/queues', { headers: { 'x-api-key': key } })).statusCode).toBe(401);
    expect((await w.request('DELETE', `/api-keys/${id}`, { token: w.adminKey })).json().error.code).toBe('API_KEY_NOT_FOUND');
  });

  it('stores only hashes of keys and session tokens', async () => {
    w = await apiWorld();
    const token = await w.userSession('ann', 'admin');
    const dump = JSON.stringify([w.store.db.prepare('SELECT * FROM api_keys').all(), w.store.db.prepare('SELECT * FROM sessions').all(), w.store.db.prepare('SELECT * FROM users').all()]);
    expect(dump).not.toContain(w.adminKey);
    expect(dump).not.toContain(token);
    expect(dump).not.toContain('password-1');
  });
});

describe('users', () => {
  let w: ApiWorld;
  afterEach(async () => w?.close());

  it('creates, reads, lists, replaces and deletes users (admin only)', async () => {
    w = await apiWorld();
    const admin = { token: w.adminKey };
    const created = await w.request('POST', '/users', { ...admin, body: { username: 'sup', password: 'password-1', profile: 'supervisor', queues: ['q1'], groups: ['g1'] } });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ username: 'sup', profile: 'supervisor', queues: ['q1'], groups: ['g1'], agentId: null });
    expect(created.body).not.toContain('password');
    expect((await w.request('POST', '/users', { ...admin, body: { username: 'sup', password: 'password-1', profile: 'admin' } })).statusCode).toBe(409);
    expect((await w.request('GET', '/users/sup', admin)).json().queues).toEqual(['q1']);
    const replaced = await w.request('PUT', '/users/sup', { ...admin, body: { password: 'password-2', profile: 'agent', agentId: '1001' } });
    expect(replaced.json()).toMatchObject({ profile: 'agent', agentId: '1001', queues: [] });
    const login = await w.request('POST', '/auth/login', { body: { username: 'sup', password: 'password-2' } });
    expect(login.json().profile).toBe('agent');
    expect((await w.request('GET', '/users', admin)).json()).toHaveLength(1);
    expect((await w.request('DELETE', '/users/sup', admin)).statusCode).toBe(204);
    expect((await w.request('GET', '/users/sup', admin)).json().error.code).toBe('USER_NOT_FOUND');
    expect((await w.request('GET', '/queues', { token: login.json().session })).statusCode).toBe(401);
  });

  it('requires a known agentId for the agent profile', async () => {
    w = await apiWorld();
    const missing = await w.request('POST', '/users', { token: w.adminKey, body: { username: 'a', password: 'password-1', profile: 'agent' } });
    const unknown = await w.request('POST', '/users', { token: w.adminKey, body: { username: 'a', password: 'password-1', profile: 'agent', agentId: 'zz' } });
    expect(missing.json().error.issues).toEqual([{ path: 'body.agentId', message: 'required for the agent profile' }]);
    expect(unknown.json().error.issues).toEqual([{ path: 'body.agentId', message: 'unknown agent "zz"' }]);
  });

  it('forbids admin routes to supervisors and agents with 403', async () => {
    w = await apiWorld();
    const sup = await w.userSession('sup', 'supervisor', { queues: ['q1'] });
    const agent = await w.userSession('a', 'agent', { agentId: '1001' });
    for (const token of [sup, agent]) {
      for (const [method, url] of [['GET', '/users'], ['GET', '/api-keys'], ['GET', '/config'], ['POST', '/groups']] as const) {
        const res = await w.request(method, url, { token, body: method === 'POST' ? { id: 'gx' } : undefined });
        expect(res.statusCode, `${method} ${url}`).toBe(403);
        expect(res.json().error.code).toBe('FORBIDDEN');
      }
    }
  });
});
