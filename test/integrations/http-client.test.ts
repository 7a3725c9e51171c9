import { afterEach, describe, expect, it } from 'vitest';
import { createHttpClient } from '../../src/integrations/http-client.js';
import { downUrl, json, later, startServer, verifySignature, type Handler, type TestServer } from './support.js';

const SECRET = 'a-shared-secret-of-32-characters';
const TIMEOUT = 200;

describe('createHttpClient', () => {
  let server: TestServer | undefined;
  const serve = async (handler: Handler) => (server = await startServer(handler));
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('returns the parsed JSON when the server answers 200 with JSON', async () => {
    const s = await serve((_req, res) => json(res, 200, { found: true }));

    const res = await createHttpClient().request({ method: 'GET', url: `${s.url}/x`, timeoutMs: TIMEOUT, expectJson: true });

    expect(res).toMatchObject({ ok: true, status: 200, json: { found: true } });
    expect(res.ms).toBeGreaterThanOrEqual(0);
  });

  it('fails with TIMEOUT within the time-out when the server answers late', async () => {
    const s = await serve((_req, res) => later(2000, () => json(res, 200, {})));

    const started = performance.now();
    const res = await createHttpClient().request({ method: 'GET', url: s.url, timeoutMs: TIMEOUT, expectJson: true });

    expect(res).toMatchObject({ ok: false, status: 0, error: 'TIMEOUT' });
    expect(performance.now() - started).toBeLessThan(TIMEOUT + 500);
    expect(res.ms).toBeLessThan(TIMEOUT + 500);
  });

  it('fails with TIMEOUT when the headers come at once but the body trickles past the time-out', async () => {
    const s = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"found":');
      later(2000, () => res.end('true}'));
    });

    const res = await createHttpClient().request({ method: 'GET', url: s.url, timeoutMs: TIMEOUT, expectJson: true });

    expect(res).toMatchObject({ ok: false, status: 200, error: 'TIMEOUT' });
    expect(res.ms).toBeLessThan(TIMEOUT + 500);
  });

  it('fails with NETWORK when nobody listens on the port', async () => {
    const url = await downUrl();

    const res = await createHttpClient().request({ method: 'POST', url, body: {}, timeoutMs: TIMEOUT });

    expect(res).toMatchObject({ ok: false, status: 0, error: 'NETWORK' });
    expect(res.ms).toBeLessThan(TIMEOUT + 500);
  });

  it('fails with ABORTED when the caller aborts, before the time-out', async () => {
    const s = await serve((_req, res) => later(2000, () => json(res, 200, {})));
    const ctl = new AbortController();
    setTimeout(() => ctl.abort(new Error('hung up')), 50);

    const res = await createHttpClient().request({ method: 'GET', url: s.url, timeoutMs: 5000, signal: ctl.signal });

    expect(res).toMatchObject({ ok: false, error: 'ABORTED' });
    expect(res.ms).toBeLessThan(1000);
  });

  it.each([
    ['not JSON', 'hello <html>'],
    ['empty', ''],
  ])('fails with BAD_JSON when the answer is %s', async (_name, body) => {
    const s = await serve((_req, res) => json(res, 200, body));

    const res = await createHttpClient().request({ method: 'GET', url: s.url, timeoutMs: TIMEOUT, expectJson: true });

    expect(res).toMatchObject({ ok: false, status: 200, error: 'BAD_JSON' });
  });

  it.each([
    ['with a content-length', true],
    ['chunked', false],
  ])('fails with TOO_LARGE when the answer is over the cap (%s)', async (_name, withLength) => {
    const big = JSON.stringify({ pad: 'x'.repeat(5000) });
    const s = await serve((_req, res) => {
      res.writeHead(200, withLength ? { 'content-length': Buffer.byteLength(big) } : {});
      res.end(big);
    });

    const res = await createHttpClient().request({ method: 'GET', url: s.url, timeoutMs: TIMEOUT, expectJson: true, maxBytes: 1024 });

    expect(res).toMatchObject({ ok: false, error: 'TOO_LARGE' });
  });

  it('fails with HTTP_STATUS when the server answers 500', async () => {
    const s = await serve((_req, res) => json(res, 500, { error: 'boom' }));

    const res = await createHttpClient().request({ method: 'POST', url: s.url, body: { a: 1 }, timeoutMs: TIMEOUT });

    expect(res).toMatchObject({ ok: false, status: 500, error: 'HTTP_STATUS' });
  });

  it('does not follow a redirect', async () => {
    const s = await serve((req, res) => {
      if (req.url === '/moved') return json(res, 200, {});
      res.writeHead(302, { location: '/moved' });
      res.end();
    });

    const res = await createHttpClient().request({ method: 'GET', url: s.url, timeoutMs: TIMEOUT });

    expect(res).toMatchObject({ ok: false, status: 302, error: 'HTTP_STATUS' });
    expect(s.seen).toHaveLength(1);
  });

  it('signs the exact POST body so the server can verify it with the shared secret', async () => {
    const s = await serve((_req, res) => json(res, 200, {}));
    const now = () => Date.UTC(2024, 0, 2, 10, 0, 0);

    await createHttpClient({ now }).request({ method: 'POST', url: `${s.url}/hook`, body: { b: 'ü', a: [1, 2] }, timeoutMs: TIMEOUT, secret: SECRET });

    const seen = s.seen[0]!;
    expect(seen.headers['content-type']).toBe('application/json');
    expect(seen.headers['x-switchboard-timestamp']).toBe(String(Date.UTC(2024, 0, 2, 10, 0, 0) / 1000));
    expect(verifySignature(SECRET, seen)).toBe(true);
    expect(verifySignature('another-secret-of-enough-length', seen)).toBe(false);
    // The timestamp is signed too: a replay with a fresh timestamp does not verify.
    expect(verifySignature(SECRET, { ...seen, headers: { ...seen.headers, 'x-switchboard-timestamp': '1999999999' } })).toBe(false);
  });

  it('signs the path and query of a GET', async () => {
    const s = await serve((_req, res) => json(res, 200, {}));

    await createHttpClient().request({ method: 'GET', url: `${s.url}/lookup?cid=%2B84986776777&to=1`, timeoutMs: TIMEOUT, secret: SECRET });

    expect(s.seen[0]!.url).toBe('/lookup?cid=%2B84986776777&to=1');
    expect(verifySignature(SECRET, s.seen[0]!)).toBe(true);
  });

  it('sends no signature headers when no secret is set', async () => {
    const s = await serve((_req, res) => json(res, 200, {}));

    await createHttpClient().request({ method: 'POST', url: s.url, body: {}, timeoutMs: TIMEOUT });

    expect(s.seen[0]!.headers['x-switchboard-signature']).toBeUndefined();
    expect(s.seen[0]!.headers['x-switchboard-timestamp']).toBeUndefined();
  });

  it('resolves with NETWORK instead of rejecting when fetch itself throws', async () => {
    const fetchImpl = (() => {
      throw new TypeError('boom');
    }) as unknown as typeof fetch;

    const res = await createHttpClient({ fetchImpl }).request({ method: 'GET', url: 'http://127.0.0.1:9/', timeoutMs: TIMEOUT });

    expect(res).toMatchObject({ ok: false, error: 'NETWORK' });
  });
});
