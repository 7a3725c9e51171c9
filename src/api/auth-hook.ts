import type { FastifyRequest } from 'fastify';
import type { AuthService, Principal } from './auth.js';
import { unauthorized } from './errors.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Who is calling; set by the auth hook on protected routes (read it with `principalOf`). */
    principal?: Principal;
  }
}

/** The credential of a request: `Authorization: Bearer <session or key>` or `X-Api-Key: <key>`. */
export function credentialOf(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (header) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    return match?.[1];
  }
  const key = request.headers['x-api-key'];
  return typeof key === 'string' && key.length > 0 ? key : undefined;
}

/** onRequest hook for protected routes: sets `request.principal` or refuses with 401. */
export function authHook(auth: AuthService): (request: FastifyRequest) => Promise<void> {
  return async (request) => {
    const token = credentialOf(request);
    if (!token) throw unauthorized('missing credentials');
    const result = auth.check(token);
    if (!result.ok) throw unauthorized(result.reason);
    request.principal = result.principal;
  };
}
