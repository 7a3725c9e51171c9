import type { FieldIssue } from '../domain/config.js';

/**
 * The API's error catalogue: stable codes, each with its HTTP status. Clients branch on `code`,
 * never on `message`. Every error body is `{ error: { code, message, ...details } }`.
 */
export const ERROR_STATUS = {
  VALIDATION_FAILED: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  /** A number outside the dialling policy (click_to_call.allow, phone_policies). */
  DESTINATION_NOT_ALLOWED: 403,
  NOT_FOUND: 404,
  QUEUE_NOT_FOUND: 404,
  AGENT_NOT_FOUND: 404,
  USER_NOT_FOUND: 404,
  API_KEY_NOT_FOUND: 404,
  CONFLICT: 409,
  AGENT_NOT_AVAILABLE: 409,
  /** Call control: the agent has no call bridged. */
  NO_ACTIVE_CALL: 409,
  /** Call control: not in a state for this (already on hold, no consult to complete, …). */
  INVALID_CALL_STATE: 409,
  /** Virtual queue (seed 004): the line (a queue id) does not exist. */
  LINE_NOT_FOUND: 404,
  /** Virtual queue: no caller with that phone on the line. */
  CALLER_NOT_FOUND: 404,
  /** Virtual queue: the line has no `virtual_queue` settings. */
  VIRTUAL_QUEUE_DISABLED: 409,
  /** Virtual queue: the number is already waiting (or notified) on the line. */
  CALLER_ALREADY_WAITING: 409,
  /** Callback lists (seed 002). */
  CALLBACK_LIST_NOT_FOUND: 404,
  CALLBACK_NOT_FOUND: 404,
  TICKET_NOT_FOUND: 404,
  /** Another agent holds the callback request (or it is closed). */
  ALREADY_TAKEN: 409,
  /** The agent does not hold the callback request. */
  CALLBACK_NOT_HELD: 409,
  /** listenCallbackMessage: the request has no voice message. */
  CALLBACK_NO_MESSAGE: 404,
  /** The agent must be logged in for this (listenCallbackMessage). */
  AGENT_NOT_LOGGED_IN: 409,
  /** Answer from the desktop: the agent's phone is not ringing. */
  NOT_RINGING: 409,
  /** Answer from the desktop: only on the simulated PBX (on Asterisk or FreeSWITCH the phone answers itself). */
  ANSWER_NEEDS_SIMULATED_PBX: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  INTERNAL: 500,
  PBX_UNAVAILABLE: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export interface ErrorBody {
  error: { code: ErrorCode; message: string; [detail: string]: unknown };
}

/** An error the API reports as is: its code decides the status, its details join the body. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }

  get status(): number {
    return ERROR_STATUS[this.code];
  }

  toBody(): ErrorBody {
    return { error: { code: this.code, message: this.message, ...this.details } };
  }
}

export const validationFailed = (issues: FieldIssue[], message = 'request validation failed'): ApiError =>
  new ApiError('VALIDATION_FAILED', message, { issues });

/**
 * Issues found in the configuration a write would produce (cross-references): their paths are in
 * that configuration, under `config.` (`config.queues[3].groups[0].group`), not in the request.
 */
export const inConfig = (issues: FieldIssue[]): FieldIssue[] =>
  issues.map((i) => ({ path: i.path === '(root)' ? 'config' : `config${i.path.startsWith('[') ? '' : '.'}${i.path}`, message: i.message }));

export const notFound = (code: 'NOT_FOUND' | 'QUEUE_NOT_FOUND' | 'AGENT_NOT_FOUND' | 'USER_NOT_FOUND' | 'API_KEY_NOT_FOUND', what: string): ApiError =>
  new ApiError(code, `${what} not found`);

export const unauthorized = (message: string): ApiError => new ApiError('UNAUTHORIZED', message);

export const forbidden = (message = 'not allowed for this profile'): ApiError => new ApiError('FORBIDDEN', message);
