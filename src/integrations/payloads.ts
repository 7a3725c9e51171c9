/**
 * What the notifications carry: the seed 003 offering/bridged body and the seed 001-style hang-up
 * query string. Pure functions, so the wire format is tested without a server.
 */
import type { CallNotice } from '../calls/hooks.js';
import type { Cdr } from '../domain/cdr.js';

export type CallEvent = 'offering' | 'bridged';

/**
 * Seed 003: event, direction, queue, member, attempt, uuid, agent, cid (null when unknown); and
 * `variables` (the call's USR_* variables: dialFromQueue, CreateCall, click-to-call) only when
 * the call has some.
 */
export interface CallEventBody {
  event: CallEvent;
  direction: 'inbound' | 'outbound';
  queue: string | null;
  member: string | null;
  attempt: string | null;
  uuid: string;
  agent: string | null;
  cid: string;
  variables?: Record<string, string>;
}

export function callEventBody(event: CallEvent, n: CallNotice): CallEventBody {
  const usr = usrOnly(n.variables);
  return {
    event,
    direction: n.direction,
    queue: n.queueId,
    member: n.member ?? null,
    attempt: n.attempt ?? null,
    uuid: n.callId,
    agent: n.agentId,
    cid: n.cid,
    ...(Object.keys(usr).length > 0 ? { variables: usr } : {}),
  };
}

/** The call variables set by API callers (USR_*), the only ones sent to CRMs. */
function usrOnly(vars: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(vars).filter(([k]) => k.startsWith('USR_')));
}

const iso = (ms: number | null): string => (ms === null ? '' : new Date(ms).toISOString());
const seconds = (ms: number | null): string => (ms === null ? '' : String(Math.round(ms / 1000)));

/**
 * Seed 001: the hang-up is a GET whose query string describes the call; unknown values are empty.
 * The call's USR_* variables follow as parameters of their own name.
 */
export function hangupParams(cdr: Cdr): URLSearchParams {
  const params = new URLSearchParams({
    callid: cdr.callId,
    activecallkey: cdr.callId,
    direction: cdr.direction,
    caller: cdr.caller,
    dialled: cdr.dialled,
    queue: cdr.queueId ?? '',
    agent: cdr.agentId ?? '',
    disposition: cdr.disposition,
    start: iso(cdr.startedAt),
    /** When the engine answered the caller; `connect` is when an agent answered. */
    answer: iso(cdr.answeredAt),
    connect: iso(cdr.connectedAt),
    end: iso(cdr.endedAt),
    waitsec: seconds(cdr.waitMs),
    talksec: seconds(cdr.talkMs),
    hangupside: cdr.hangupSide ?? '',
    recording: cdr.recording ?? '',
  });
  for (const [k, v] of Object.entries(usrOnly(cdr.variables))) params.set(k, v);
  return params;
}

/** `hangup_url` with the call's parameters added to any query it already has. */
export function hangupUrl(base: string, cdr: Cdr): string {
  const url = new URL(base);
  for (const [k, v] of hangupParams(cdr)) url.searchParams.set(k, v);
  return url.toString();
}
