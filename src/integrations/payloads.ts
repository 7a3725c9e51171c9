/**
 * What the notifications carry: the seed 003 offering/bridged body and the seed 001-style hang-up
 * query string. Pure functions, so the wire format is tested without a server.
 */
import type { CallNotice } from '../calls/hooks.js';
import type { Cdr } from '../domain/cdr.js';

export type CallEvent = 'offering' | 'bridged';

/** Seed 003: exactly event, direction, queue, member, attempt, uuid, agent, cid (null when unknown). */
export interface CallEventBody {
  event: CallEvent;
  direction: 'inbound' | 'outbound';
  queue: string | null;
  member: string | null;
  attempt: string | null;
  uuid: string;
  agent: string | null;
  cid: string;
}

export function callEventBody(event: CallEvent, n: CallNotice): CallEventBody {
  return {
    event,
    direction: n.direction,
    queue: n.queueId,
    member: n.member ?? null,
    attempt: n.attempt ?? null,
    uuid: n.callId,
    agent: n.agentId,
    cid: n.cid,
  };
}

const iso = (ms: number | null): string => (ms === null ? '' : new Date(ms).toISOString());
const seconds = (ms: number | null): string => (ms === null ? '' : String(Math.round(ms / 1000)));

/** Seed 001: the hang-up is a GET whose query string describes the call; unknown values are empty. */
export function hangupParams(cdr: Cdr): URLSearchParams {
  return new URLSearchParams({
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
}

/** `hangup_url` with the call's parameters added to any query it already has. */
export function hangupUrl(base: string, cdr: Cdr): string {
  const url = new URL(base);
  for (const [k, v] of hangupParams(cdr)) url.searchParams.set(k, v);
  return url.toString();
}
