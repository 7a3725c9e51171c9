/** REST calls to the engine with the session token; failures become ApiFailure with the API's code. */
import type { FieldIssue } from './types.js';

export class ApiFailure extends Error {
  override readonly name = 'ApiFailure';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly issues: FieldIssue[] = [],
    readonly body: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export interface ApiClient {
  request<T>(method: string, path: string, body?: unknown, contentType?: string): Promise<T>;
  text(path: string): Promise<string>;
  /** A download (CSV, a recording) as a Blob: the token travels in the header, never in a URL. */
  blob(path: string): Promise<Blob>;
}

/** Parse an error body: `{ error: { code, message, issues } }` or a seed error `{ Error: 'PhoneNumberUnknown', ... }`. */
export async function failureOf(res: Response): Promise<ApiFailure> {
  const text = await res.text();
  let body: Record<string, unknown> = {};
  try {
    body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch {
    body = { message: text };
  }
  const error = body.error as { code?: string; message?: string; issues?: FieldIssue[] } | undefined;
  if (error) return new ApiFailure(res.status, error.code ?? 'ERROR', error.message ?? res.statusText, error.issues ?? [], body);
  if (typeof body.Error === 'string') return new ApiFailure(res.status, body.Error, body.Error, [], body);
  return new ApiFailure(res.status, `HTTP_${res.status}`, res.statusText || 'request failed', [], body);
}

export function createApi(token: () => string | undefined, onUnauthorized: (failure: ApiFailure) => void): ApiClient {
  const headers = (contentType?: string): Record<string, string> => {
    const h: Record<string, string> = {};
    const t = token();
    if (t) h.authorization = `Bearer ${t}`;
    if (contentType) h['content-type'] = contentType;
    return h;
  };
  async function send(method: string, path: string, body?: unknown, contentType?: string): Promise<Response> {
    const type = body === undefined ? undefined : (contentType ?? 'application/json');
    const res = await fetch(path, {
      method,
      headers: headers(type),
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    if (!res.ok) {
      const failure = await failureOf(res);
      if (res.status === 401) onUnauthorized(failure);
      throw failure;
    }
    return res;
  }
  return {
    async request<T>(method: string, path: string, body?: unknown, contentType?: string): Promise<T> {
      const res = await send(method, path, body, contentType);
      const text = await res.text();
      return (text ? JSON.parse(text) : undefined) as T;
    },
    async text(path) {
      return (await send('GET', path)).text();
    },
    async blob(path) {
      return (await send('GET', path)).blob();
    },
  };
}
