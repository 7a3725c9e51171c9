import { afterEach, describe, expect, it } from 'vitest';
import { operationsOf, requestFor, KINDS, type JsonSchema, type Operation } from '../../bench/fuzz/inputs.js';
import { createAgentService } from '../../src/api/agent-service.js';
import { agentCommandRoutes } from '../../src/api/routes/agent-commands.js';
import { seededRandom } from '../../src/domain/random.js';
import { silentLogger } from '../../src/infra/logger.js';
import { createLiveStats } from '../../src/stats/live-stats.js';
import { apiWorld, type ApiWorld } from '../support/api-world.js';

/** The API with the agent command routes, as the app serves it. */
async function fullApi(): Promise<ApiWorld> {
  let service: ReturnType<typeof createAgentService> | undefined;
  let stats: ReturnType<typeof createLiveStats> | undefined;
  const w = await apiWorld(undefined, {
    server: {
      protectedRoutes: [
        (deps) => {
          service ??= createAgentService({ engine: deps.engine, store: deps.store, log: silentLogger() });
          stats ??= createLiveStats(deps.engine);
          return agentCommandRoutes(service, stats)(deps);
        },
      ],
    },
  });
  return w;
}

type Doc = Parameters<typeof operationsOf>[0] & { paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: JsonSchema }> }> }>> };

/** Does `value` satisfy `schema`? The JSON Schema subset zod's OpenAPI output uses for error bodies. */
function satisfies(schema: JsonSchema | undefined, value: unknown): boolean {
  if (!schema) return true;
  if (schema.anyOf) return schema.anyOf.some((s) => satisfies(s, value));
  if (schema.oneOf) return schema.oneOf.some((s) => satisfies(s, value));
  if (schema.enum && !schema.enum.includes(value)) return false;
  switch ([schema.type].flat()[0]) {
    case 'string':
      return typeof value === 'string';
    case 'object': {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
      const obj = value as Record<string, unknown>;
      if (!(schema.required ?? []).every((k) => k in obj)) return false;
      const props = schema.properties ?? {};
      return Object.entries(obj).every(([k, v]) => (k in props ? satisfies(props[k], v) : schema.additionalProperties !== false));
    }
    default:
      return true;
  }
}

const declaredSchema = (doc: Doc, op: Operation, status: number): JsonSchema | undefined =>
  doc.paths[op.path]?.[op.method.toLowerCase()]?.responses[String(status)]?.content?.['application/json']?.schema;

describe('declared error responses', () => {
  let w: ApiWorld;
  afterEach(async () => w?.close());

  it('declares 400 for input, 401 and 403 when authenticated, 404 for ids, on every operation of /openapi.json', async () => {
    w = await fullApi();
    const doc = (await w.request('GET', '/openapi.json')).json() as Doc;
    const ops = operationsOf(doc);
    expect(ops.length).toBeGreaterThan(60);
    for (const op of ops) {
      const name = `${op.method} ${op.path}`;
      const expected = [500];
      if (op.body || op.query.length > 0 || op.params.length > 0) expected.push(400);
      if (op.secured) expected.push(401, 403);
      if (op.params.length > 0) expected.push(404);
      expect(op.responses, name).toEqual(expect.arrayContaining(expected.map(String)));
      expect(op.responses.some((r) => r.startsWith('2')), `${name} declares a success`).toBe(true);
    }
  });

  it('answers malformed, mistyped and unauthenticated requests to every operation with a declared status and body shape', async () => {
    w = await fullApi();
    const doc = (await w.request('GET', '/openapi.json')).json() as Doc;
    const rng = seededRandom(14);
    const session = await w.userSession('walker', 'admin');
    const mismatches: string[] = [];
    let errors = 0;
    for (const op of operationsOf(doc)) {
      for (const kind of KINDS.filter((k) => k !== 'oversized')) {
        const req = requestFor(rng, op, { session }, kind);
        if (req.url.startsWith('/auth/logout') || req.url.startsWith('/auth/renew')) delete req.headers.authorization;
        const res = await w.app.inject({ method: req.method as 'GET', url: req.url, headers: req.headers, ...(req.payload !== undefined ? { payload: req.payload } : {}) });
        const where = `${kind} ${req.method} ${req.url.slice(0, 80)} → ${res.statusCode}`;
        if (res.statusCode >= 500) mismatches.push(`${where}: 5xx ${res.body.slice(0, 200)}`);
        if (res.statusCode < 400) continue;
        errors++;
        const schema = declaredSchema(doc, op, res.statusCode);
        if (!schema) mismatches.push(`${where}: status not declared`);
        else if (!satisfies(schema, res.json())) mismatches.push(`${where}: body ${res.body.slice(0, 200)} does not match the declared schema`);
      }
    }
    expect(errors).toBeGreaterThan(300);
    expect(mismatches).toEqual([]);
  });

  it('declares the seed error shape and the catalogue error together where a route answers both', async () => {
    w = await fullApi();
    const doc = (await w.request('GET', '/openapi.json')).json() as Doc;
    const listen404 = doc.paths['/agents/{id}/listen']!.post!.responses['404']!.content!['application/json']!.schema;
    expect(satisfies(listen404, { Error: 'PhoneNumberUnknown' })).toBe(true);
    expect(satisfies(listen404, { error: { code: 'AGENT_NOT_FOUND', message: 'agent 1006 not found' } })).toBe(true);
    expect(satisfies(listen404, { error: { code: 'CONFLICT', message: 'x' } })).toBe(false);
  });
});

describe('agent command errors (regressions found by fuzz:api)', () => {
  let w: ApiWorld;
  afterEach(async () => w?.close());

  it('answers listen to a deleted agent with 404 AGENT_NOT_FOUND when the agent was removed', async () => {
    w = await fullApi();
    const admin = { token: w.adminKey };
    expect((await w.request('DELETE', '/agents/1006', admin)).statusCode).toBe(204);
    const res = await w.request('POST', '/agents/1006/listen', { ...admin, body: {} });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ error: { code: 'AGENT_NOT_FOUND', message: 'agent 1006 not found' } });
  });

  it('answers login of an unknown agent with 404 AGENT_NOT_FOUND when the id names no agent', async () => {
    w = await fullApi();
    const res = await w.request('POST', '/agents/q2/login', { token: w.adminKey, body: { phoneNumber: '1005' } });
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('AGENT_NOT_FOUND');
  });

  it('answers `me` with 400 naming params.id when the caller has no agent of its own', async () => {
    w = await fullApi();
    const res = await w.request('POST', '/agents/me/pause', { token: w.adminKey, body: {} });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.issues).toEqual([{ path: 'params.id', message: '"me" needs a caller with an agent of its own' }]);
  });

  it('answers a too long or badly encoded URL parameter with 400 VALIDATION_FAILED when the router refuses it', async () => {
    w = await fullApi();
    const long = await w.request('GET', `/users/${'x'.repeat(1000)}`, { token: w.adminKey });
    expect(long.statusCode).toBe(400);
    expect(long.json().error).toMatchObject({ code: 'VALIDATION_FAILED', issues: [{ path: 'params' }] });
    const bad = await w.request('GET', '/users/%E0%A4%A', { token: w.adminKey });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toMatchObject({ code: 'VALIDATION_FAILED', issues: [{ path: 'params' }] });
  });
});
