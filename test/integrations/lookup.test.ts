import { afterEach, describe, expect, it } from 'vitest';
import type { LookupRequest } from '../../src/calls/hooks.js';
import { silentLogger } from '../../src/infra/logger.js';
import { createHttpClient } from '../../src/integrations/http-client.js';
import { createLookup, lookupUrl, mapLookupAnswer } from '../../src/integrations/lookup.js';
import { aWebhooks, capturingLogger, downUrl, fakeMetrics, json, later, startServer, verifySignature, type Handler, type TestServer } from './support.js';

const SECRET = 'a-shared-secret-of-32-characters';
const aRequest = (over: Partial<LookupRequest> = {}): LookupRequest => ({ callId: 'call-1', from: '+84986776777', to: '842473082666', numberId: 'main', ...over });
const never = () => new AbortController().signal;

describe('mapLookupAnswer', () => {
  it.each([
    ['a VIP gets priority 10', { found: true, vip: true }, { priority: 10, variables: { vip: 'true' } }],
    ['a given priority wins over VIP', { vip: true, priority: 3 }, { priority: 3, variables: { vip: 'true' } }],
    ['a numeric-string priority is read', { priority: '7' }, { priority: 7 }],
    ['a debt becomes a variable', { found: true, debt: 120.5 }, { variables: { debt: '120.5' } }],
    ['a debt flag becomes a variable', { debt: true }, { variables: { debt: 'true' } }],
    ['queue and agent are kept', { found: true, queue: 'sales', agent: 'agent_1' }, { queueId: 'sales', agentId: 'agent_1' }],
    ['variables are stringified', { variables: { tier: 'gold', visits: 3, ok: false, gone: null } }, { variables: { tier: 'gold', visits: '3', ok: 'false' } }],
    ['a bad field is dropped, the rest kept', { queue: 'not a queue!', agent: 'agent_2', priority: 500 }, { agentId: 'agent_2' }],
    ['skills as a map keep their levels', { skills: { spanish: 50, billing: 1 } }, { skills: { spanish: 50, billing: 1 } }],
    ['skills as a list are each at level 1', { skills: ['spanish', 'billing'] }, { skills: { spanish: 1, billing: 1 } }],
    ['skills with a level out of range are dropped, the rest kept', { skills: { spanish: 101 }, agent: 'agent_2' }, { agentId: 'agent_2' }],
    ['skills with a bad name are dropped', { skills: { 'no spaces!': 5 }, priority: 2 }, { priority: 2 }],
    ['unknown fields are ignored', { found: true, vip: 'yes', crm: { deep: 1 } }, { priority: 10, variables: { vip: 'true' } }],
  ])('maps when %s', (_name, answer, expected) => {
    expect(mapLookupAnswer(answer)).toEqual(expected);
  });

  it.each([
    ['null', null],
    ['an array', [{ vip: true }]],
    ['a string', 'vip'],
    ['a number', 42],
    ['not found', { found: false }],
    ['an empty object', {}],
    ['only invalid fields', { priority: -1, queue: '', variables: 'x' }],
  ])('gives undefined when the answer is %s', (_name, answer) => {
    expect(mapLookupAnswer(answer)).toBeUndefined();
  });
});

describe('lookupUrl', () => {
  it('adds cid, to and uuid to a query the URL already has', () => {
    const url = new URL(lookupUrl('https://crm.example/lookup?key=k', aRequest()));

    expect(Object.fromEntries(url.searchParams)).toEqual({ key: 'k', cid: '+84986776777', to: '842473082666', uuid: 'call-1' });
  });
});

describe('createLookup', () => {
  let server: TestServer | undefined;
  const serve = async (handler: Handler) => (server = await startServer(handler));
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });
  const aLookup = (url: string | undefined, over = {}) => {
    const metrics = fakeMetrics();
    const cfg = aWebhooks({ lookup_url: url, secret: SECRET, ...over });
    const lookup = createLookup({ getConfig: () => cfg, http: createHttpClient(), log: silentLogger(), metrics });
    return { lookup, metrics, cfg };
  };

  it('sends a signed GET with cid, to and uuid and maps the answer', async () => {
    const s = await serve((_req, res) => json(res, 200, { found: true, vip: true, debt: 50, queue: 'vip', agent: 'agent_1' }));
    const { lookup, metrics } = aLookup(`${s.url}/crm/lookup`);

    const result = await lookup(aRequest(), never());

    expect(result).toEqual({ priority: 10, queueId: 'vip', agentId: 'agent_1', variables: { debt: '50', vip: 'true' } });
    const seen = s.seen[0]!;
    expect(seen.method).toBe('GET');
    const url = new URL(seen.url, s.url);
    expect(url.pathname).toBe('/crm/lookup');
    expect(Object.fromEntries(url.searchParams)).toEqual({ cid: '+84986776777', to: '842473082666', uuid: 'call-1' });
    expect(verifySignature(SECRET, seen)).toBe(true);
    expect(metrics.observed).toEqual([{ kind: 'lookup', seconds: expect.any(Number), ok: true }]);
  });

  it('gives undefined within the time-out when the CRM is slow', async () => {
    const s = await serve((_req, res) => later(2000, () => json(res, 200, { vip: true })));
    const { lookup, metrics, cfg } = aLookup(s.url);

    const started = performance.now();
    const result = await lookup(aRequest(), never());

    expect(result).toBeUndefined();
    expect(performance.now() - started).toBeLessThan(cfg.timeout_ms + 500);
    expect(metrics.observed).toEqual([{ kind: 'lookup', seconds: expect.any(Number), ok: false }]);
  });

  it('gives undefined when the CRM is down', async () => {
    const { lookup, cfg } = aLookup(await downUrl());

    const started = performance.now();
    expect(await lookup(aRequest(), never())).toBeUndefined();
    expect(performance.now() - started).toBeLessThan(cfg.timeout_ms + 500);
  });

  it.each([
    ['not JSON', 200, 'oops'],
    ['a wrong shape', 200, ['vip']],
    ['a server error', 500, { vip: true }],
  ])('gives undefined, without retrying, when the CRM answers %s', async (_name, status, body) => {
    const s = await serve((_req, res) => json(res, status, body));
    const { lookup } = aLookup(s.url);

    expect(await lookup(aRequest(), never())).toBeUndefined();
    expect(s.seen).toHaveLength(1);
  });

  it('stops at once when the engine aborts the signal', async () => {
    const s = await serve((_req, res) => later(2000, () => json(res, 200, { vip: true })));
    const { lookup } = aLookup(s.url, { timeout_ms: 5000 });
    const ctl = new AbortController();
    setTimeout(() => ctl.abort(new Error('hook deadline')), 50);

    const started = performance.now();
    expect(await lookup(aRequest(), ctl.signal)).toBeUndefined();
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('sends nothing when no lookup_url is set', async () => {
    const { lookup, metrics } = aLookup(undefined);

    expect(await lookup(aRequest(), never())).toBeUndefined();
    expect(metrics.observed).toEqual([]);
  });

  it('logs a failure at warn without the secret or the caller number', async () => {
    const s = await serve((_req, res) => json(res, 503, {}));
    const { log, lines } = capturingLogger();
    const cfg = aWebhooks({ lookup_url: `${s.url}/lookup?token=abc`, secret: SECRET });
    const lookup = createLookup({ getConfig: () => cfg, http: createHttpClient(), log });

    await lookup(aRequest(), never());

    const warn = lines.filter((l) => l.level >= 40);
    expect(warn).toHaveLength(1);
    expect(warn[0]!.text).toContain('"status":503');
    for (const l of lines) expect(l.text).not.toContain(SECRET);
    for (const l of warn) {
      expect(l.text).not.toContain('84986776777');
      expect(l.text).not.toContain('token=abc');
    }
  });
});
