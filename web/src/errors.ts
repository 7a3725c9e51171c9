/** Errors in plain words: what a person reads when the server refuses, by stable code (never by message text). */
import { ApiFailure } from './api.js';
import { CommandRefused } from './cti.js';

const BY_CODE: Record<string, (body: Record<string, unknown>, message: string) => string> = {
  PhoneNumberUnknown: () => 'This line is not known. Check the number and try again.',
  LoggedInOnAnotherPhone: (b) => `You are already logged in on line ${String(b.phoneNb ?? '?')}. Log out first to use line ${String(b.RequestedNb ?? '?')}.`,
  FORBIDDEN: (_b, m) => `Not allowed for your profile (${m}).`,
  DESTINATION_NOT_ALLOWED: (_b, m) => `This number may not be dialled (${m}).`,
  NO_ACTIVE_CALL: () => 'There is no call to do this on.',
  INVALID_CALL_STATE: (_b, m) => `Not possible on this call right now: ${m}.`,
  CONFLICT: (_b, m) => `Refused: ${m}.`,
  AGENT_NOT_AVAILABLE: (_b, m) => `Refused, the agent is not in a state that allows it: ${m}.`,
  UNAUTHORIZED: (_b, m) => (m === 'session expired' ? 'Your session has expired. Please log in again.' : m === 'invalid username or password' ? 'Wrong username or password.' : `Not logged in (${m}).`),
  VALIDATION_FAILED: (_b, m) => `Some values are not valid: ${m}.`,
  BadRequest: (_b, m) => `The request was not understood: ${m}.`,
  PBX_UNAVAILABLE: () => 'The phone system is not reachable right now. Try again in a moment.',
  AGENT_NOT_FOUND: (_b, m) => `Unknown agent (${m}).`,
  QUEUE_NOT_FOUND: (_b, m) => `Unknown queue (${m}).`,
  NOT_RINGING: () => 'Your phone is not ringing any more: the caller may have hung up or been offered to someone else.',
  ANSWER_NEEDS_SIMULATED_PBX: () => 'Answer on your phone: answering from this page works only on the simulated phone system.',
  ALREADY_TAKEN: () => 'Another agent has already taken this callback request (or it is closed).',
  CALLBACK_NOT_HELD: () => 'You do not hold this callback request: take it first.',
  CALLBACK_NOT_FOUND: () => 'This callback request no longer exists.',
  CALLBACK_LIST_NOT_FOUND: () => 'This callback list no longer exists.',
  INTERNAL: () => 'The server failed to do this. It has been logged; try again.',
};

/** One sentence for a person. */
export function describeError(err: unknown): string {
  if (err instanceof ApiFailure || err instanceof CommandRefused) {
    const code = err.code;
    const body = err instanceof ApiFailure ? err.body : (err.body as Record<string, unknown>);
    const say = BY_CODE[code];
    if (say) return say(body, err.message);
    if (err instanceof ApiFailure && err.status === 404) return `Not found: ${err.message}.`;
    return `${err.message} (${code}).`;
  }
  if (err instanceof TypeError) return 'The server could not be reached. Check your connection.';
  return err instanceof Error ? err.message : String(err);
}
