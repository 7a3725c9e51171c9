import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isPbxError } from '../pbx/port.js';
import { InvalidCursorError } from '../store/repos/cdr-repo.js';
import { ApiError, notFound, validationFailed } from './errors.js';
import { RequestValidationError } from './validation.js';

/** The router refuses longer URL parameters before any route sees them (see `frameworkErrorHandler`). */
export const MAX_PARAM_LENGTH = 200;

/** Every issue path names the request part it is in: `body.id`, `query.startdate`, `params.id`, `headers.x`. */
const PART: Record<string, string> = { body: 'body', querystring: 'query', params: 'params', headers: 'headers' };

/** A field path inside a request part: `body` for the whole body, `body.queues[0].id` for a field in it. */
export const partPath = (part: 'body' | 'query' | 'params' | 'headers', path: string): string =>
  path === '(root)' || path === '' ? part : `${part}${path.startsWith('[') ? '' : '.'}${path}`;

/**
 * The one place errors become HTTP: every failure leaves as `{ error: { code, message, ... } }`
 * with a status from the catalogue. Client mistakes (bad JSON, schema failures) are 4xx, never 500.
 */
export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  if (err instanceof RequestValidationError) {
    const part = (PART[(err as { validationContext?: string }).validationContext ?? 'body'] ?? 'body') as 'body';
    return validationFailed(err.issues.map((i) => ({ path: partPath(part, i.path), message: i.message })));
  }
  if (err instanceof InvalidCursorError) return validationFailed([{ path: 'query.cursor', message: 'invalid cursor' }]);
  if (isPbxError(err, 'DISCONNECTED') || isPbxError(err, 'TIMEOUT')) return new ApiError('PBX_UNAVAILABLE', 'the PBX is not reachable');
  const fe = err as Partial<FastifyError>;
  switch (fe.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new ApiError('UNSUPPORTED_MEDIA_TYPE', fe.message ?? 'unsupported media type');
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new ApiError('PAYLOAD_TOO_LARGE', 'request body is too large');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return validationFailed([{ path: 'body', message: 'the body is empty but Content-Type is application/json' }]);
    case 'FST_ERR_BAD_URL':
      return validationFailed([{ path: 'params', message: 'a URL parameter is not valid percent-encoding' }]);
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return validationFailed([{ path: 'params', message: `a URL parameter is longer than ${MAX_PARAM_LENGTH} characters` }]);
    case 'FST_ERR_RESPONSE_SERIALIZATION':
      return new ApiError('INTERNAL', 'internal error');
  }
  const status = fe.statusCode ?? 500;
  if (status === 400 || err instanceof SyntaxError) {
    return validationFailed([{ path: 'body', message: `malformed body: ${fe.message ?? 'cannot be parsed'}` }], 'malformed request body');
  }
  if (status === 404) return notFound('NOT_FOUND', 'resource');
  if (status === 413) return new ApiError('PAYLOAD_TOO_LARGE', 'request body is too large');
  if (status === 415) return new ApiError('UNSUPPORTED_MEDIA_TYPE', fe.message ?? 'unsupported media type');
  return new ApiError('INTERNAL', 'internal error');
}

/**
 * Errors are sent with plain JSON, not through the route's response schema: an error body can never
 * fail serialization and turn into fastify's own 500. A 5xx is logged at error level with its cause,
 * a refusal (4xx) at info.
 */
function sendError(err: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const apiError = toApiError(err);
  if (apiError.status >= 500) {
    const cause = (err as { cause?: unknown }).cause;
    request.log.error({ err, ...(cause !== undefined ? { cause } : {}), code: apiError.code, status: apiError.status }, 'request failed');
  } else request.log.info({ code: apiError.code, status: apiError.status }, 'request refused');
  return reply
    .code(apiError.status)
    .type('application/json; charset=utf-8')
    .serializer((payload: unknown) => JSON.stringify(payload))
    .send(apiError.toBody());
}

/**
 * Fastify's `frameworkErrors` option: what the router refuses before a route is found (a URL
 * parameter that is not valid percent-encoding, or too long) leaves through the same mapper.
 */
export function frameworkErrorHandler(err: Error, request: FastifyRequest, reply: FastifyReply): void {
  void sendError(err, request, reply);
}

/** The error and not-found handlers of the server. */
export function registerErrorMapper(app: FastifyInstance): void {
  app.setErrorHandler(sendError);
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send(new ApiError('NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0]}`).toBody()),
  );
}
