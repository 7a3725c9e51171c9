import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { RouteDeps } from '../deps.js';
import { notFound } from '../errors.js';
import { requireProfile } from '../profiles.js';

const keyView = z.object({ id: z.string(), name: z.string(), createdAt: z.number() });

/** Integrator API keys (admin scope). The key itself is returned once, on creation. */
export function apiKeyRoutes(deps: RouteDeps): FastifyPluginAsyncZod {
  const tags = ['api keys'];
  return async (app) => {
    app.addHook('onRequest', requireProfile('admin'));
    app.post(
      '/api-keys',
      {
        schema: {
          tags, summary: 'Create an API key (shown once)',
          body: z.object({ name: z.string().min(1).max(200) }).strict(),
          response: { 201: keyView.extend({ key: z.string().describe('Send as X-Api-Key; not retrievable later') }) },
        },
      },
      async (request, reply) => {
        const created = deps.auth.createApiKey(request.body.name);
        request.log.info({ keyId: created.id, name: created.name }, 'api key created');
        return reply.code(201).send(created);
      },
    );
    app.get('/api-keys', { schema: { tags, summary: 'List API keys (never the keys themselves)', response: { 200: z.array(keyView) } } }, async () => deps.auth.listApiKeys());
    app.delete('/api-keys/:id', { schema: { tags, summary: 'Revoke an API key', params: z.object({ id: z.string().min(1).max(64) }) } }, async (request, reply) => {
      if (!deps.auth.deleteApiKey(request.params.id)) throw notFound('API_KEY_NOT_FOUND', `api key "${request.params.id}"`);
      return reply.code(204).send();
    });
  };
}
