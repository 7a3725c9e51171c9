import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isPbxError } from '../pbx/port.js';
import { InvalidCursorError } from '../store/repos/cdr-repo.js';
import { ApiError, notFound, validationFailed } from './errors.js';
import { RequestValidationError } from './validation.js';

const PART_PREFIX: Record<string, string> = { body: '', querystring: 'query.', params: 'params.', headers: 'headers.' };

/**
 * The one place errors become HTTP: every failure leaves as `{ error: { code, message, ... } }`
 * with a status from the catalogue. Client mistakes (bad JSON, schema failures) are 4xx, never 500.
 */
export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  if (err instanceof RequestValidationError) {
    const prefix = PART_PREFIX[(err as { validationContext?: string }).validationContext ?? 'body'] ?? '';
    return validationFailed(err.issues.map((i) => ({ path: i.path === '(root)' ? prefix.slice(0, -1) || '(root)' : prefix + i.path, message: i.message })));
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
      return validationFailed([{ path: '(root)', message: 'the body is empty but Content-Type is application/json' }]);
  }
  const status = fe.statusCode ?? 500;
  if (status === 400 || err instanceof SyntaxError) {
    return validationFailed([{ path: '(root)', message: `malformed body: ${fe.message ?? 'cannot be parsed'}` }], 'malformed request body');
  }
  if (status === 404) return notFound('NOT_FOUND', 'resource');
  if (status === 413) return new ApiError('PAYLOAD_TOO_LARGE', 'request body is too large');
  if (status === 415) return new ApiError('UNSUPPORTED_MEDIA_TYPE', fe.message ?? 'unsupported media type');
  return new ApiError('INTERNAL', 'internal error');
}

export function registerErrorMapper(app: FastifyInstance): void {
  app.setErrorHandler((err: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const apiError = toApiError(err);
    if (apiError.status >= 500) request.log.error({ err }, 'request failed');
    else request.log.info({ code: apiError.code, status: apiError.status }, 'request refused');
    return reply.code(apiError.status).type('application/json; charset=utf-8').send(apiError.toBody());
  });
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send(new ApiError('NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0]}`).toBody()),
  );
}
