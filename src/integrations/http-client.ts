/**
 * One small bounded HTTP helper for outbound webhooks, over the global fetch.
 * Every request has its own time-out (combined with the caller's signal), answers are read with a
 * size cap, bodies are signed with HMAC-SHA256 when a secret is set, and nothing ever rejects:
 * the outcome is a typed result.
 */
import { createHmac } from 'node:crypto';

export type FetchImpl = typeof fetch;

export type HttpErrorCode =
  /** The per-request time-out fired. */
  | 'TIMEOUT'
  /** The caller's signal aborted (hang-up, engine deadline, shutdown). */
  | 'ABORTED'
  /** Connection refused, reset, DNS, TLS, a malformed URL. */
  | 'NETWORK'
  /** The server answered with a status outside 2xx. */
  | 'HTTP_STATUS'
  /** The answer was expected to be JSON and was not. */
  | 'BAD_JSON'
  /** The answer was larger than the cap. */
  | 'TOO_LARGE';

export interface HttpResult {
  ok: boolean;
  /** The HTTP status, 0 when no answer arrived. */
  status: number;
  json?: unknown;
  error?: HttpErrorCode;
  /** A short description of the failure, safe to log (no secrets, no query strings). */
  detail?: string;
  /** Elapsed milliseconds, from the request to the end of the answer. */
  ms: number;
}

export interface HttpRequest {
  method: 'GET' | 'POST';
  /** The full URL, query string included. */
  url: string;
  /** Serialized as JSON for POST. */
  body?: unknown;
  timeoutMs: number;
  signal?: AbortSignal;
  /** HMAC-SHA256 key; when set, X-Switchboard-Signature and X-Switchboard-Timestamp are sent. */
  secret?: string;
  /** Parse the answer as JSON (an empty or non-JSON answer is then `BAD_JSON`). */
  expectJson?: boolean;
  /** Cap on the answer's size in bytes; default 64 KB. */
  maxBytes?: number;
}

export interface HttpClient {
  request(req: HttpRequest): Promise<HttpResult>;
}

export interface HttpClientDeps {
  fetchImpl?: FetchImpl;
  /** Wall-clock milliseconds for the timestamp header; defaults to Date.now. */
  now?: () => number;
}

export const SIGNATURE_HEADER = 'x-switchboard-signature';
export const TIMESTAMP_HEADER = 'x-switchboard-timestamp';
export const DEFAULT_MAX_BYTES = 64 * 1024;

/**
 * `sha256=<hex>` of HMAC-SHA256 over `<timestamp>.` followed by the exact bytes of the POST body
 * (or the path and query of a GET). Signing the timestamp lets a receiver refuse replays.
 */
export function sign(secret: string, timestamp: string, payload: string | Uint8Array): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.`).update(payload).digest('hex')}`;
}

/** The URL as it may be logged: origin and path, without credentials or query (phone numbers). */
export function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname}`;
  } catch {
    return '(invalid url)';
  }
}

export function createHttpClient(deps: HttpClientDeps = {}): HttpClient {
  const fetchImpl = deps.fetchImpl ?? fetch;
  const now = deps.now ?? Date.now;

  async function request(req: HttpRequest): Promise<HttpResult> {
    const started = performance.now();
    const elapsed = () => Math.round((performance.now() - started) * 10) / 10;
    const timeout = AbortSignal.timeout(req.timeoutMs);
    const signal = req.signal ? AbortSignal.any([timeout, req.signal]) : timeout;
    const failure = (error: HttpErrorCode, status: number, detail: string): HttpResult => ({ ok: false, status, error, detail, ms: elapsed() });
    const abortedCode = (): HttpErrorCode | undefined => (req.signal?.aborted ? 'ABORTED' : timeout.aborted ? 'TIMEOUT' : undefined);

    if (req.signal?.aborted) return failure('ABORTED', 0, 'aborted before sending');

    let url: URL;
    try {
      url = new URL(req.url);
    } catch {
      return failure('NETWORK', 0, 'invalid url');
    }
    const headers: Record<string, string> = { accept: 'application/json', 'user-agent': 'switchboard-webhooks/1' };
    let body: Uint8Array | undefined;
    if (req.method === 'POST') {
      body = new TextEncoder().encode(JSON.stringify(req.body ?? {}));
      headers['content-type'] = 'application/json';
    }
    if (req.secret) {
      const timestamp = String(Math.floor(now() / 1000));
      headers[TIMESTAMP_HEADER] = timestamp;
      headers[SIGNATURE_HEADER] = sign(req.secret, timestamp, body ?? `${url.pathname}${url.search}`);
    }

    let res: Response;
    try {
      res = await fetchImpl(url, { method: req.method, headers, body, signal, redirect: 'manual' });
    } catch (err) {
      return failure(abortedCode() ?? 'NETWORK', 0, describe(err));
    }

    const maxBytes = req.maxBytes ?? DEFAULT_MAX_BYTES;
    let text: string;
    try {
      const read = await readCapped(res, maxBytes);
      // A notification's answer is ignored, however large; a JSON answer must fit the cap.
      if (read === undefined && req.expectJson) return failure('TOO_LARGE', res.status, `answer over ${maxBytes} bytes`);
      text = read ?? '';
    } catch (err) {
      return failure(abortedCode() ?? 'NETWORK', res.status, describe(err));
    }

    if (res.status < 200 || res.status > 299) return failure('HTTP_STATUS', res.status, `status ${res.status}`);
    if (!req.expectJson) return { ok: true, status: res.status, ms: elapsed() };
    try {
      return { ok: true, status: res.status, json: JSON.parse(text) as unknown, ms: elapsed() };
    } catch {
      return failure('BAD_JSON', res.status, 'answer is not JSON');
    }
  }

  return {
    request: (req) =>
      // Belt and braces: request() handles its own errors, this turns anything unforeseen into a result.
      request(req).catch((err: unknown): HttpResult => ({ ok: false, status: 0, error: 'NETWORK', detail: describe(err), ms: 0 })),
  };
}

/** Read the body as text, giving up (and cancelling the stream) past `maxBytes`. */
async function readCapped(res: Response, maxBytes: number): Promise<string | undefined> {
  const declared = Number(res.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) {
    await res.body?.cancel().catch(() => undefined);
    return undefined;
  }
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => undefined);
      return undefined;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function describe(err: unknown): string {
  if (!(err instanceof Error)) return 'unknown error';
  const cause = (err as Error & { cause?: unknown }).cause;
  const code = cause && typeof cause === 'object' && 'code' in cause ? String((cause as { code: unknown }).code) : undefined;
  return code ? `${err.name}: ${code}` : `${err.name}: ${err.message}`.slice(0, 200);
}
