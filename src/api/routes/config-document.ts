import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { LineCounter, parseDocument, stringify } from 'yaml';
import { clickToCallSchema, configSchema, webhooksSchema, type Config } from '../../domain/config.js';
import type { RouteDeps } from '../deps.js';
import { validationFailed } from '../errors.js';
import { requireProfile } from '../profiles.js';

const YAML_TYPES = ['application/yaml', 'application/x-yaml', 'text/yaml'];

/** Parse a YAML request body; syntax errors name line and column. */
export function parseYamlBody(text: string): unknown {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  if (doc.errors.length > 0) {
    throw validationFailed(
      doc.errors.map((err) => {
        const { line, col } = lineCounter.linePos(err.pos[0]);
        return { path: 'body', message: `YAML syntax error at line ${line}, column ${col}: ${err.message}` };
      }),
      'malformed YAML body',
    );
  }
  try {
    return doc.toJS();
  } catch (err) {
    throw validationFailed([{ path: 'body', message: `YAML error: ${(err as Error).message}` }], 'malformed YAML body');
  }
}

/** The YAML the config file uses: `loadConfigFile` reads it back to the same configuration. */
export function configToYaml(config: Config): string {
  return `# Switchboard configuration, exported by GET /config.yaml\n${stringify(config, { lineWidth: 0 })}`;
}

/** The whole configuration (JSON and YAML), and the webhooks and click_to_call sections. */
export function configDocumentRoutes(deps: RouteDeps): FastifyPluginAsyncZod {
  const admin = requireProfile('admin');
  const tags = ['config'];
  return async (app) => {
    app.addContentTypeParser(YAML_TYPES, { parseAs: 'string' }, (_request, body, done) => {
      try {
        done(null, parseYamlBody(body as string));
      } catch (err) {
        done(err as Error, undefined);
      }
    });

    app.get('/config', { onRequest: admin, schema: { tags, summary: 'The whole configuration as JSON' } }, async () => deps.config.current());

    app.get('/config.yaml', { onRequest: admin, schema: { tags, summary: 'The whole configuration as the YAML config file' } }, async (_request, reply) =>
      reply.type('application/yaml; charset=utf-8').send(configToYaml(deps.config.current())),
    );

    app.put('/config', { onRequest: admin, schema: { tags, summary: 'Replace the whole configuration (JSON or YAML body)', body: configSchema } }, async (request) =>
      deps.config.replace(request.body),
    );

    app.get('/config/webhooks', { onRequest: admin, schema: { tags, summary: 'The webhooks section' } }, async () => deps.config.current().webhooks);
    app.put('/config/webhooks', { onRequest: admin, schema: { tags, summary: 'Replace the webhooks section', body: webhooksSchema } }, async (request) =>
      deps.config.replace({ ...deps.config.current(), webhooks: request.body }).webhooks,
    );

    app.get('/config/click_to_call', { onRequest: admin, schema: { tags, summary: 'The click_to_call section' } }, async () => deps.config.current().click_to_call);
    app.put('/config/click_to_call', { onRequest: admin, schema: { tags, summary: 'Replace the click_to_call section', body: clickToCallSchema } }, async (request) =>
      deps.config.replace({ ...deps.config.current(), click_to_call: request.body }).click_to_call,
    );
  };
}
