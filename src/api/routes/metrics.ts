import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { RouteDeps } from '../deps.js';

/** Prometheus scrape endpoint (public: bind the API to a private address or filter it at the proxy). */
export function metricsRoutes(deps: RouteDeps): FastifyPluginAsyncZod {
  return async (app) => {
    app.get('/metrics', { schema: { tags: ['ops'], summary: 'Prometheus metrics (text format)', security: [] } }, async (_request, reply) =>
      reply.type(deps.metrics.contentType).send(await deps.metrics.render()),
    );
  };
}
