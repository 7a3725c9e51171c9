import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/infra/logger.js';
import { apiWorld, type ApiWorld } from '../support/api-world.js';

describe('API errors', () => {
  let w: ApiWorld;
  afterEach(async () => w?.close());

  it('answers malformed JSON with 400 VALIDATION_FAILED, never 500', async () => {
    w = await apiWorld();
    const res = await w.request('POST', '/queues', { token: w.adminKey, body: '{"id": "q9",', headers: { 'content-type': 'application/json' } });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'VALIDATION_FAILED', issues: [{ path: 'body', message: expect.stringMatching(/^malformed body/) }] });
  });

  it('answers an empty JSON body with 400', async () => {
    w = await apiWorld();
    const res = await w.request('POST', '/auth/login', { body: '', headers: { 'content-type': 'application/json' } });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('VALIDATION_FAILED');
  });

  it('answers wrong types with 400 naming each field path', async () => {
    w = await apiWorld();
    const res = await w.request('POST', '/auth/login', { body: { username: 42, password: ['x'], extra: true } });
    expect(res.statusCode).toBe(400);
    const paths = res.json().error.issues.map((i: { path: string }) => i.path);
    expect(paths).toEqual(expect.arrayContaining(['body.username', 'body.password', 'body']));
  });

  it('answers a JSON array where an object is expected with 400', async () => {
    w = await apiWorld();
    const res = await w.request('PUT', '/config', { token: w.adminKey, body: '[1,2]', headers: { 'content-type': 'application/json' } });
    expect(res.statusCode).toBe(400);
  });

  it('answers an unsupported content type with 415 and an unknown route with 404', async () => {
    w = await apiWorld();
    const media = await w.request('POST', '/auth/login', { body: '<x/>', headers: { 'content-type': 'application/xml' } });
    expect(media.statusCode).toBe(415);
    expect(media.json().error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    const missing = await w.request('GET', '/nowhere');
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error).toEqual({ code: 'NOT_FOUND', message: 'no route GET /nowhere' });
  });

  it('logs each request with its reqId and never the credentials', async () => {
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) });
    w = await apiWorld(undefined, { log: createLogger({ level: 'info', destination: sink }) });
    const res = await w.request('GET', `/queues?token=${w.adminKey}`, { token: w.adminKey, headers: { 'x-api-key': w.adminKey } });
    const reqId = res.headers['x-request-id'];
    expect(reqId).toBeTruthy();
    const entry = lines.map((l) => JSON.parse(l)).find((l) => l.msg === 'request completed');
    expect(entry).toMatchObject({ reqId, mod: 'api', method: 'GET', status: 200, url: '/queues?token=[redacted]' });
    expect(lines.join('')).not.toContain(w.adminKey);
  });
});

describe('OpenAPI', () => {
  let w: ApiWorld;
  afterEach(async () => w?.close());

  it('serves the generated document at /openapi.json and a browsable page at /docs', async () => {
    w = await apiWorld();
    const doc = (await w.request('GET', '/openapi.json')).json();
    expect(doc.openapi).toBe('3.0.3');
    for (const path of ['/auth/login', '/auth/renew', '/api-keys', '/users/{username}', '/queues/{id}', '/memberships/{agent}/{queue}', '/config', '/config.yaml', '/cdrs', '/cdrs.csv', '/queues/{id}/stats', '/agents/{id}/state', '/metrics']) {
      expect(doc.paths, path).toHaveProperty([path]);
    }
    expect(doc.paths['/queues'].post.requestBody.content['application/json'].schema.properties).toHaveProperty('answer_timeout_s');
    const page = await w.request('GET', '/docs/');
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect((await w.request('GET', '/health')).json()).toEqual({ status: 'ok', pbx: { driver: 'sim', state: 'up', since: expect.any(Number) }, liveCalls: 0 });
  });
});
