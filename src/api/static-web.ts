/**
 * The web application (agent desktop, wallboard, admin) served at `/` from its built folder
 * (web/dist, built by `npm run build:web`). Public files only: the page logs in through the API.
 * Routes are registered per file found at start (no catch-all), so unknown paths stay API 404s.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

/** The built web application beside the sources: <project>/web/dist. */
export const WEB_DIST = fileURLToPath(new URL('../../web/dist/', import.meta.url));

export async function serveWeb(app: FastifyInstance, root: string = WEB_DIST): Promise<{ built: boolean }> {
  if (!existsSync(`${root}/index.html`)) {
    app.get('/', { schema: { hide: true } }, async (_request, reply) =>
      reply.code(503).type('text/plain; charset=utf-8').send('The web application is not built: run `npm run build:web` (or `npm ci`), then restart.\n'),
    );
    return { built: false };
  }
  await app.register(fastifyStatic, {
    root,
    prefix: '/',
    wildcard: false,
    index: 'index.html',
    cacheControl: false,
    // Hashed assets never change; the page itself is always revalidated.
    setHeaders: (res, path) => res.setHeader('cache-control', path.includes('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache'),
  });
  return { built: true };
}
