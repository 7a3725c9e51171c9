/**
 * ARI REST over node:http: one exchange on a keep-alive socket (a third of fetch's CPU per
 * request), the query string encoding, and the mapping of transport failures to PbxError.
 */
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { PbxError } from '../port.js';
import type { CancelReason } from './request-guard.js';

export type Query = Record<string, string | number | boolean | readonly string[] | undefined>;

/** Keep-alive sockets to Asterisk's HTTP server; no socket limit (the caller bounds requests in flight). */
export function keepAliveAgent(base: string): HttpAgent {
  const agentOptions = { keepAlive: true, scheduling: 'lifo' as const };
  return base.startsWith('https:') ? new HttpsAgent(agentOptions) : new HttpAgent(agentOptions);
}

/** One HTTP exchange: status and body text; rejects on a socket error or when `signal` aborts. */
export function httpExchange(agent: HttpAgent, method: string, url: string, headers: Record<string, string>, body: string | undefined, signal: AbortSignal): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body));
    const send = url.startsWith('https:') ? httpsRequest : httpRequest;
    const req = send(url, { method, headers, agent, signal }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
      res.on('aborted', () => reject(new Error('response aborted')));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Why a request failed, as a PbxError: the cut's own reason, an abort, a time-out, or no connection. */
export function transportError(err: unknown, ctx: { method: string; path: string; timeoutMs: number; cancelled: CancelReason | undefined }): PbxError {
  const details = { method: ctx.method, path: ctx.path };
  const why = ctx.cancelled;
  if (why instanceof PbxError) return new PbxError(why.code, why.message, { ...why.details, ...details });
  if (why === 'aborted') return new PbxError('ABORTED', 'request aborted', details);
  if (why === 'timeout') return new PbxError('TIMEOUT', `ARI did not answer within ${ctx.timeoutMs} ms`, details);
  const code = errorCode(err);
  return new PbxError('DISCONNECTED', 'cannot reach ARI', { ...details, cause: code ?? String(err) });
}

export function queryString(query: Query | undefined): string {
  if (!query) return '';
  const parts: string[] = [];
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined) continue;
    // ARI takes several values of one parameter comma-separated.
    const value = Array.isArray(v) ? v.join(',') : String(v);
    parts.push(`${encodeURIComponent(k)}=${encodeURIComponent(value)}`);
  }
  return parts.length ? `?${parts.join('&')}` : '';
}

/** The message of an ARI error body (JSON `message` or `error`), or the start of the text. */
export function errorMessage(text: string): string | undefined {
  if (!text) return undefined;
  try {
    const j = JSON.parse(text) as { message?: unknown; error?: unknown };
    const m = j.message ?? j.error;
    return typeof m === 'string' ? m : undefined;
  } catch {
    return text.slice(0, 200);
  }
}

export function errorCode(err: unknown): string | undefined {
  let e: unknown = err;
  for (let i = 0; i < 4 && e; i++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}
