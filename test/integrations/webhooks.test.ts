import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Webhooks } from '../../src/domain/config.js';
import { silentLogger } from '../../src/infra/logger.js';
import { backoffMs, isRetryable } from '../../src/integrations/notifier.js';
import { callEventBody, hangupParams } from '../../src/integrations/payloads.js';
import { createWebhooks, type WebhooksService } from '../../src/integrations/webhooks.js';
import { aCdr, aNotice, aQueue, aWebhooks, capturingLogger, downUrl, fakeMetrics, json, later, startServer, verifySignature, type Handler, type TestServer } from './support.js';

const SECRET = 'a-shared-secret-of-32-characters';
const BASE = 50;
const SEED_003_FIELDS = ['agent', 'attempt', 'cid', 'direction', 'event', 'member', 'queue', 'uuid'];

describe('backoffMs', () => {
  it.each([
    [1, 250],
    [2, 500],
    [3, 1000],
    [10, 30_000],
  ])('waits %i-th retry %i ms with a 250 ms base capped at 30 s', (retry, ms) => {
    expect(backoffMs(retry, 250, 30_000)).toBe(ms);
  });
});

describe('isRetryable', () => {
  it.each([
    [{ error: 'TIMEOUT', status: 0 }, true],
    [{ error: 'NETWORK', status: 0 }, true],
    [{ error: 'HTTP_STATUS', status: 503 }, true],
    [{ error: 'HTTP_STATUS', status: 429 }, true],
    [{ error: 'HTTP_STATUS', status: 400 }, false],
    [{ error: 'HTTP_STATUS', status: 404 }, false],
    [{ error: 'ABORTED', status: 0 }, false],
  ] as const)('classifies %o as retryable=%s', (res, expected) => {
    expect(isRetryable({ ok: false, ms: 1, ...res })).toBe(expected);
  });
});

describe('payloads', () => {
  it('carries exactly the seed 003 fields in an offering body', () => {
    expect(callEventBody('offering', aNotice({ member: 'm-7', attempt: 'a-3' }))).toStrictEqual({
      event: 'offering',
      direction: 'inbound',
      queue: 'q1',
      member: 'm-7',
      attempt: 'a-3',
      uuid: 'call-1',
      agent: 'agent_1',
      cid: '84986776777',
    });
  });

  it('leaves empty the hang-up values a call did not reach', () => {
    const params = hangupParams(aCdr({ queueId: null, agentId: null, connectedAt: null, waitMs: null, talkMs: null, hangupSide: null, disposition: 'ivr-hangup' }));

    expect(params.get('queue')).toBe('');
    expect(params.get('agent')).toBe('');
    expect(params.get('connect')).toBe('');
    expect(params.get('talksec')).toBe('');
    expect(params.get('disposition')).toBe('ivr-hangup');
  });
});

describe('createWebhooks', () => {
  const servers: TestServer[] = [];
  const services: WebhooksService[] = [];
  const serve = async (handler: Handler) => {
    const s = await startServer(handler);
    servers.push(s);
    return s;
  };
  afterEach(async () => {
    await Promise.all(services.splice(0).map((w) => w.stop(1000)));
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });
  const aService = (cfg: Webhooks, opts: { concurrency?: number; maxBacklog?: number } = {}, log = silentLogger()) => {
    const metrics = fakeMetrics();
    const w = createWebhooks({ getConfig: () => cfg, log, metrics, notifier: { backoffBaseMs: BASE, ...opts } });
    services.push(w);
    return { w, metrics };
  };
  const body = (s: TestServer, i: number) => JSON.parse(s.seen[i]!.body.toString('utf8')) as Record<string, unknown>;

  it('posts offering and bridged with exactly the seed 003 fields, signed', async () => {
    const s = await serve((_req, res) => json(res, 200, {}));
    const { w, metrics } = aService(aWebhooks({ secret: SECRET, offering_url: `${s.url}/offering`, bridged_url: `${s.url}/bridged` }));

    w.notify.offering(aNotice());
    w.notify.bridged(aNotice({ direction: 'outbound', member: 'm-1', attempt: 'a-1' }));
    await vi.waitFor(() => expect(w.stats().delivered).toBe(2));

    const byPath = Object.fromEntries(s.seen.map((seen, i) => [seen.url, body(s, i)]));
    expect(Object.keys(byPath['/offering']!).sort()).toEqual(SEED_003_FIELDS);
    expect(byPath['/offering']).toStrictEqual({ event: 'offering', direction: 'inbound', queue: 'q1', member: null, attempt: null, uuid: 'call-1', agent: 'agent_1', cid: '84986776777' });
    expect(byPath['/bridged']).toStrictEqual({ event: 'bridged', direction: 'outbound', queue: 'q1', member: 'm-1', attempt: 'a-1', uuid: 'call-1', agent: 'agent_1', cid: '84986776777' });
    for (const seen of s.seen) expect(verifySignature(SECRET, seen)).toBe(true);
    expect(metrics.observed.map((o) => [o.kind, o.ok]).sort()).toEqual([
      ['bridged', true],
      ['offering', true],
    ]);
  });

  it('sends the hang-up as a signed GET with the call in the query string', async () => {
    const s = await serve((_req, res) => json(res, 200, {}));
    const { w } = aService(aWebhooks({ secret: SECRET, hangup_url: `${s.url}/ended?src=switchboard` }));

    w.notify.hangup(aCdr({ recording: 'rec-1.wav' }));
    await vi.waitFor(() => expect(w.stats().delivered).toBe(1));

    const seen = s.seen[0]!;
    expect(seen.method).toBe('GET');
    expect(seen.body).toHaveLength(0);
    const url = new URL(seen.url, s.url);
    expect(url.pathname).toBe('/ended');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      src: 'switchboard',
      callid: 'call-1',
      activecallkey: 'call-1',
      direction: 'inbound',
      caller: '84986776777',
      dialled: '842473082666',
      queue: 'q1',
      agent: 'agent_1',
      disposition: 'answered',
      start: '2024-01-02T10:00:00.000Z',
      answer: '2024-01-02T10:00:01.000Z',
      connect: '2024-01-02T10:00:30.000Z',
      end: '2024-01-02T10:02:00.000Z',
      waitsec: '25',
      talksec: '90',
      hangupside: 'caller',
      recording: 'rec-1.wav',
    });
    expect(verifySignature(SECRET, seen)).toBe(true);
  });

  it('sends nothing for notifications whose URL is not set', async () => {
    const { w, metrics } = aService(aWebhooks());

    w.notify.offering(aNotice());
    w.notify.bridged(aNotice());
    w.notify.hangup(aCdr());
    await w.stop(1000);

    expect(w.stats()).toMatchObject({ delivered: 0, failed: 0, dropped: 0 });
    expect(metrics.observed).toEqual([]);
  });

  it('retries after a 500 with back-off and delivers on the 200', async () => {
    const s = await serve((_req, res, n) => json(res, n === 1 ? 500 : 200, {}));
    const { w, metrics } = aService(aWebhooks({ offering_url: s.url, retries: 3 }));

    w.notify.offering(aNotice());
    await vi.waitFor(() => expect(w.stats().delivered).toBe(1));

    expect(s.seen).toHaveLength(2);
    expect(s.seen[1]!.at - s.seen[0]!.at).toBeGreaterThanOrEqual(BASE - 5);
    expect(metrics.observed.map((o) => o.ok)).toEqual([false, true]);
    expect(w.stats()).toMatchObject({ failed: 0, backlog: 0 });
  });

  it('stops retrying after the configured count, backing off exponentially', async () => {
    const s = await serve((_req, res) => json(res, 503, {}));
    const { w, metrics } = aService(aWebhooks({ offering_url: s.url, retries: 3 }));

    w.notify.offering(aNotice());
    await vi.waitFor(() => expect(w.stats().failed).toBe(1), { timeout: 5000 });

    expect(s.seen).toHaveLength(4);
    const gaps = s.seen.slice(1).map((seen, i) => seen.at - s.seen[i]!.at);
    expect(gaps[0]).toBeGreaterThanOrEqual(BASE - 5);
    expect(gaps[1]).toBeGreaterThanOrEqual(2 * BASE - 5);
    expect(gaps[2]).toBeGreaterThanOrEqual(4 * BASE - 5);
    expect(metrics.observed.map((o) => o.ok)).toEqual([false, false, false, false]);
    expect(w.stats()).toMatchObject({ delivered: 0, backlog: 0, inFlight: 0 });
  });

  it('does not retry when the server refuses the request (400)', async () => {
    const s = await serve((_req, res) => json(res, 400, {}));
    const { w } = aService(aWebhooks({ offering_url: s.url, retries: 3 }));

    w.notify.offering(aNotice());
    await vi.waitFor(() => expect(w.stats().failed).toBe(1));

    expect(s.seen).toHaveLength(1);
  });

  it('retries a server that is down, each attempt bounded, then gives up', async () => {
    const { w } = aService(aWebhooks({ hangup_url: await downUrl(), retries: 2 }));

    w.notify.hangup(aCdr());
    await vi.waitFor(() => expect(w.stats().failed).toBe(1), { timeout: 5000 });

    expect(w.stats()).toMatchObject({ delivered: 0, backlog: 0 });
  });

  it('retries a slow server after each time-out, never blocking the caller', async () => {
    const s = await serve((_req, res) => later(2000, () => json(res, 200, {})));
    const cfg = aWebhooks({ offering_url: s.url, retries: 1, timeout_ms: 100 });
    const { w } = aService(cfg);

    const started = performance.now();
    w.notify.offering(aNotice());
    expect(performance.now() - started).toBeLessThan(50);
    await vi.waitFor(() => expect(w.stats().failed).toBe(1), { timeout: 5000 });

    expect(s.seen).toHaveLength(2);
  });

  it('drops the oldest waiting notification with a warning when the backlog is full', async () => {
    const s = await serve((_req, res) => later(100, () => json(res, 200, {})));
    const { log, lines } = capturingLogger();
    const { w, metrics } = aService(aWebhooks({ offering_url: s.url }), { concurrency: 1, maxBacklog: 2 }, log);

    for (const id of ['c1', 'c2', 'c3', 'c4', 'c5']) w.notify.offering(aNotice({ callId: id }));
    await vi.waitFor(() => expect(w.stats().delivered).toBe(3));

    expect(s.seen.map((_seen, i) => body(s, i).uuid)).toEqual(['c1', 'c4', 'c5']);
    expect(w.stats().dropped).toBe(2);
    expect(lines.filter((l) => l.level === 40 && l.text.includes('backlog full'))).toHaveLength(2);
    expect(metrics.observed.filter((o) => !o.ok)).toHaveLength(2);
  });

  it('stop() waits for queued notifications to be delivered', async () => {
    const s = await serve((_req, res) => later(30, () => json(res, 200, {})));
    const { w } = aService(aWebhooks({ offering_url: s.url }), { concurrency: 2 });

    for (const id of ['c1', 'c2', 'c3', 'c4', 'c5']) w.notify.offering(aNotice({ callId: id }));
    await w.stop(5000);

    expect(s.seen).toHaveLength(5);
    expect(w.stats()).toMatchObject({ delivered: 5, inFlight: 0, backlog: 0 });
  });

  it('stop() gives a notification waiting for its retry one last attempt', async () => {
    const s = await serve((_req, res, n) => json(res, n === 1 ? 500 : 200, {}));
    const cfg = aWebhooks({ offering_url: s.url, retries: 5 });
    const w = createWebhooks({ getConfig: () => cfg, log: silentLogger(), notifier: { backoffBaseMs: 60_000 } });
    services.push(w);

    w.notify.offering(aNotice());
    await vi.waitFor(() => expect(w.stats()).toMatchObject({ backlog: 1, inFlight: 0 }));
    await w.stop(2000);

    expect(s.seen).toHaveLength(2);
    expect(w.stats()).toMatchObject({ delivered: 1, backlog: 0 });
  });

  it('stop() is bounded when the server never answers, and later notifications are dropped', async () => {
    const s = await serve(() => undefined);
    const { w } = aService(aWebhooks({ offering_url: s.url, timeout_ms: 10_000 }));
    w.notify.offering(aNotice());
    await vi.waitFor(() => expect(s.seen).toHaveLength(1));

    const started = performance.now();
    await w.stop(200);
    w.notify.offering(aNotice({ callId: 'late' }));

    expect(performance.now() - started).toBeLessThan(200 + 500);
    expect(w.stats()).toMatchObject({ inFlight: 0, failed: 1, dropped: 1 });
  });

  it('exposes lookup and agentList hooks that read the config live', async () => {
    const s = await serve((req, res) =>
      req.method === 'GET'
        ? json(res, 200, { vip: true })
        : json(res, 200, { version: 2, calls: [{ callId: 'call-1', agents: [{ stringee_user_id: 'agent_9', routing_type: 1, answer_timeout: 20 }] }] }),
    );
    let cfg = aWebhooks();
    const w = createWebhooks({ getConfig: () => cfg, log: silentLogger() });
    services.push(w);
    const signal = new AbortController().signal;
    const req = { callId: 'call-1', from: '84986776777', to: '842473082666', numberId: null };

    expect(await w.hooks.lookup!(req, signal)).toBeUndefined();
    cfg = aWebhooks({ lookup_url: s.url });
    expect(await w.hooks.lookup!(req, signal)).toEqual({ priority: 10, variables: { vip: 'true' } });
    const lists = await w.hooks.agentList!(aQueue({ agent_list_url: s.url }), [{ callId: 'call-1', from: '84986776777', to: '842473082666' }], signal);
    expect(lists?.get('call-1')).toEqual([{ agentId: 'agent_9', routingType: 1, answerTimeoutMs: 20_000 }]);
  });

  it('never logs the secret, and full phone numbers only at debug', async () => {
    const s = await serve((_req, res) => json(res, 500, {}));
    const { log, lines } = capturingLogger();
    const { w } = aService(aWebhooks({ secret: SECRET, offering_url: s.url, hangup_url: s.url, retries: 1 }), {}, log);

    w.notify.offering(aNotice());
    w.notify.hangup(aCdr());
    await vi.waitFor(() => expect(w.stats().failed).toBe(2));

    expect(lines.filter((l) => l.level >= 40)).toHaveLength(2);
    for (const l of lines) expect(l.text).not.toContain(SECRET);
    for (const l of lines.filter((x) => x.level > 20)) expect(l.text).not.toMatch(/84986776777|842473082666/);
  });
});
