import type { FastifySchemaCompiler } from 'fastify';
import type { ZodType } from 'zod';
import { formatPath, type FieldIssue } from '../domain/config.js';

/** A request part that failed its schema; `issues` name field paths the way config errors do. */
export class RequestValidationError extends Error {
  override readonly name = 'RequestValidationError';
  constructor(readonly issues: FieldIssue[]) {
    super('request validation failed');
  }
}

/**
 * Validates every route part with its zod schema. Paths keep array indexes as numbers
 * (`queues[1].groups[0].group`), like `parseConfig`; fastify tags the error with the part
 * (`validationContext`) and the error mapper turns it into VALIDATION_FAILED.
 */
export const validatorCompiler: FastifySchemaCompiler<ZodType> =
  ({ schema }) =>
  (data) => {
    const result = schema.safeParse(data);
    if (result.success) return { value: result.data };
    return { error: new RequestValidationError(result.error.issues.map((i) => ({ path: formatPath(i.path), message: i.message }))) };
  };
