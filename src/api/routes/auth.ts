import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { credentialOf } from '../auth-hook.js';
import type { RouteDeps } from '../deps.js';
import { errorResponses } from '../error-responses.js';
import { unauthorized } from '../errors.js';

const grant = z.object({
  session: z.string().describe('Bearer token for the Authorization header'),
  expiresAt: z.number().describe('Epoch ms'),
  profile: z.enum(['admin', 'supervisor', 'agent']),
});

/** Public login. */
export function loginRoutes(deps: RouteDeps): FastifyPluginAsyncZod {
  return async (app) => {
    app.post(
      '/auth/login',
      {
        schema: {
          tags: ['auth'],
          summary: 'Log in: a session token valid for the configured hours (8–12 h)',
          security: [],
          body: z.object({ username: z.string().min(1).max(64), password: z.string().min(1).max(256) }).strict(),
          response: { 200: grant, ...errorResponses(401) },
        },
      },
      async (request) => {
        const result = await deps.auth.login(request.body.username, request.body.password, deps.sessionTtlMs);
        if (!result) throw unauthorized('invalid username or password');
        request.log.info({ username: request.body.username, profile: result.profile }, 'logged in');
        return result;
      },
    );
  };
}

/** Session renewal and logout (behind the auth hook). */
export function sessionRoutes(deps: RouteDeps): FastifyPluginAsyncZod {
  return async (app) => {
    app.post('/auth/renew', { schema: { tags: ['auth'], summary: 'A new session token; the old one is revoked', response: { 200: grant } } }, async (request) => {
      const result = deps.auth.renew(credentialOf(request) ?? '', deps.sessionTtlMs);
      if ('ok' in result) throw unauthorized(result.reason === 'unknown token' ? 'not a session token' : result.reason);
      return result;
    });
    app.post('/auth/logout', { schema: { tags: ['auth'], summary: 'Revoke the session token' } }, async (request, reply) => {
      deps.auth.logout(credentialOf(request) ?? '');
      return reply.code(204).send();
    });
  };
}
