/**
 * The callback-list service's refusals as API errors (REST and CTI alike): a validation failure is
 * the catalogue's VALIDATION_FAILED with `issues: [{ path, message }]`, the path placed by the
 * caller (`body[0].dueDate` over REST, `dueDate` on the CTI); other codes (not found, held) keep
 * their code and name the parameter in `field`.
 */
import type { CallbackError } from '../outbound/callback-lists.js';
import { ApiError, validationFailed } from './errors.js';

export function callbackApiError(err: CallbackError, pathOf: (field: string) => string = (f) => f): ApiError {
  if (err.code === 'VALIDATION_FAILED') return validationFailed([{ path: err.field ? pathOf(err.field) : 'body', message: err.message }], err.message);
  return new ApiError(err.code, err.message, err.field ? { field: err.field } : {});
}
