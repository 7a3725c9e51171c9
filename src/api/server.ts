import { randomUUID } from 'node:crypto';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { jsonSchemaTransform, jsonSchemaTransformObject, serializerCompiler, type FastifyPluginAsyncZod, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { authHook } from './auth-hook.js';
import { renderCtiAsyncApi } from './cti/asyncapi.js';
import { createConfigService } from './config-service.js';
import type { ApiDeps, RouteDeps } from './deps.js';
import { frameworkErrorHandler, MAX_PARAM_LENGTH, registerErrorMapper } from './error-mapper.js';
import { declareErrorResponses } from './error-responses.js';
import { apiKeyRoutes } from './routes/api-keys.js';
import { loginRoutes, sessionRoutes } from './routes/auth.js';
import { cdrRoutes } from './routes/cdrs.js';
import { configCollectionRoutes } from './routes/config-collections.js';
import { configDocumentRoutes } from './routes/config-document.js';
import { dashboardRoutes } from './routes/dashboards.js';
import { metricsRoutes } from './routes/metrics.js';
import { pauseReasonRoutes } from './routes/pause-reasons.js';
import { userRoutes } from './routes/users.js';
import { validatorCompiler } from './validation.js';

export type { ApiDeps } from './deps.js';

export interface ServerOptions {
  /** More route plugins behind the auth hook (e.g. agent commands), each receiving the route deps. */
  protectedRoutes?: ((deps: RouteDeps) => FastifyPluginAsyncZod)[];
}

/** Query parameters whose values never reach the logs. */
const SECRET_PARAMS = /([?&](?:token|session|key|api_key)=)[^&]*/gi;
export const redactUrl = (url: string): string => url.replace(SECRET_PARAMS, '$1[redacted]');

/**
 * The HTTP API: zod-validated routes, OpenAPI at /openapi.json and /docs, the CTI WebSocket's AsyncAPI
 * at /asyncapi.yaml, one error mapper, pino request logs with `reqId` (credentials never logged). Call `listen` or `inject` on the result.
 */
export async function buildServer(deps: ApiDeps, opts: ServerOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.log.child({ mod: 'api' }) as FastifyBaseLogger,
    // Requests are logged once, on completion, by the onResponse hook below.
    logController: new LogController({ disableRequestLogging: true }),
    genReqId: () => randomUUID(),
    bodyLimit: 5 * 1024 * 1024,
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    frameworkErrors: frameworkErrorHandler,
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  registerErrorMapper(app);
  app.addHook('onRoute', declareErrorResponses({ secured: false }));

  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  app.addHook('onResponse', async (request, reply) => {
    const entry = { method: request.method, url: redactUrl(request.url), status: reply.statusCode, ms: Math.round(reply.elapsedTime) };
    // A 5xx is never routine: the error mapper logged its cause; this line carries the level too.
    if (reply.statusCode >= 500) request.log.error(entry, 'request completed');
    else request.log.info(entry, 'request completed');
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'Switchboard API', version: '0.1.0', description: 'Configuration, CDRs, live statistics, users and API keys. Errors are `{ error: { code, message, ... } }`.' },
      components: {
        securitySchemes: {
          session: { type: 'http', scheme: 'bearer', description: 'A session token from POST /auth/login (or an API key)' },
          apiKey: { type: 'apiKey', in: 'header', name: 'X-Api-Key' },
        },
      },
      security: [{ session: [] }, { apiKey: [] }],
    },
    transform: jsonSchemaTransform,
    // Schemas given an id (`.meta({ id })`) become components/schemas, referenced by $ref.
    transformObject: jsonSchemaTransformObject,
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  const routeDeps: RouteDeps = { ...deps, config: createConfigService({ engine: deps.engine, repo: deps.store.config, log: deps.log }) };

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  let asyncApi: string | undefined;
  app.get('/asyncapi.yaml', { schema: { hide: true } }, async (_request, reply) => reply.type('application/yaml').send((asyncApi ??= renderCtiAsyncApi())));
  // Liveness, and whether the PBX link is up: `degraded` while the event stream is down or the PBX is lost.
  app.get('/health', { schema: { tags: ['ops'], summary: 'Liveness and PBX link state', security: [] } }, async () => {
    const pbx = deps.engine.pbxLink;
    return { status: pbx.state === 'up' ? 'ok' : 'degraded', pbx: { driver: deps.engine.pbxName, state: pbx.state, since: pbx.since }, liveCalls: deps.engine.liveCalls };
  });
  await app.register(loginRoutes(routeDeps));
  await app.register(metricsRoutes(routeDeps));

  await app.register(async (secured) => {
    secured.addHook('onRequest', authHook(deps.auth));
    secured.addHook('onRoute', declareErrorResponses({ secured: true }));
    for (const routes of [sessionRoutes, apiKeyRoutes, userRoutes, configCollectionRoutes, configDocumentRoutes, cdrRoutes, dashboardRoutes, pauseReasonRoutes, ...(opts.protectedRoutes ?? [])]) {
      await secured.register(routes(routeDeps));
    }
  });
  return app;
}
