/**
 * The one pure mapping from raw FreeSWITCH events (ESL JSON headers) to the port's PbxEvent
 * union, plus hang-up cause normalisation both ways. What an event cannot tell (is this a leg
 * we know? which cause did we ask for? which recording writes this file?) comes through
 * `FsView`; the function reads it, never changes it, and does no I/O.
 */
import type { HangupCause, LegId, PbxEvent, RecordingId } from '../port.js';
import type { EslEvent } from './esl-client.js';

export type FsLegKind = 'inbound' | 'agent' | 'snoop';

export interface FsLegFacts {
  kind: FsLegKind;
  /** The cause the engine asked for when it hung this leg up itself. */
  requestedCause?: HangupCause;
}

export interface FsView {
  leg(uuid: string): FsLegFacts | undefined;
  /** The recording writing this file path, if it is one of ours. */
  recordingOfPath(path: string): string | undefined;
}

/** Channel variables our dialplan and originate strings set (FreeSWITCH lower-cases nothing). */
export const VAR = {
  app: 'sb_app',
  kind: 'sb_kind',
  callId: 'SWITCHBOARD_CALL_ID',
  bridge: 'sb_bridge',
  endpoint: 'sb_endpoint',
} as const;

const v = (e: EslEvent, name: string): string | undefined => e[`variable_${name}`];

export function mapFsEvent(e: EslEvent, view: FsView): PbxEvent | undefined {
  const uuid = e['Unique-ID'] ?? '';
  const name = e['Event-Name'];
  switch (name) {
    case 'CHANNEL_PARK': {
      const kind = v(e, VAR.kind);
      if ((kind !== 'inbound' && kind !== 'phone') || view.leg(uuid)) return undefined;
      const out: PbxEvent = {
        type: 'call.arrived',
        leg: uuid as LegId,
        to: e['Caller-Destination-Number'] ?? '',
        from: e['Caller-Caller-ID-Number'] ?? '',
      };
      const fromName = e['Caller-Caller-ID-Name'];
      if (fromName && fromName !== out.from) out.fromName = fromName;
      const callId = v(e, VAR.callId);
      if (callId) out.callId = callId;
      if (kind === 'phone') {
        out.origin = 'phone';
        out.endpoint = v(e, VAR.endpoint) ?? v(e, 'user_name') ?? out.from;
      }
      return out;
    }
    case 'CHANNEL_PROGRESS':
    case 'CHANNEL_PROGRESS_MEDIA':
      return view.leg(uuid)?.kind === 'agent' ? { type: 'leg.ringing', leg: uuid as LegId } : undefined;
    case 'CHANNEL_ANSWER':
      return view.leg(uuid)?.kind === 'agent' ? { type: 'leg.answered', leg: uuid as LegId } : undefined;
    case 'RECORD_STOP': {
      // A leg's recording (uuid_record); a conference's ends with conference::maintenance.
      const rec = view.recordingOfPath(e['Record-File-Path'] ?? '');
      return rec ? { type: 'recording.finished', recording: rec as RecordingId } : undefined;
    }
    case 'DTMF': {
      const digit = e['DTMF-Digit'];
      return digit && view.leg(uuid) ? { type: 'dtmf', leg: uuid as LegId, digit } : undefined;
    }
    case 'CHANNEL_HANGUP': {
      const facts = view.leg(uuid);
      if (!facts) return undefined;
      return { type: 'leg.hangup', leg: uuid as LegId, cause: facts.requestedCause ?? hangupCauseOf(e['Hangup-Cause']) };
    }
    case 'CUSTOM':
      return mapCustom(e, view);
    default:
      return undefined;
  }
}

function mapCustom(e: EslEvent, view: FsView): PbxEvent | undefined {
  switch (e['Event-Subclass']) {
    case 'sofia::register': {
      const user = e['from-user'] ?? e.username;
      return user ? { type: 'endpoint.state', endpoint: user, online: true } : undefined;
    }
    case 'sofia::unregister':
    case 'sofia::expire': {
      const user = e['from-user'] ?? e.username ?? e.user;
      return user ? { type: 'endpoint.state', endpoint: user, online: false } : undefined;
    }
    case 'conference::maintenance': {
      if (e.Action !== 'stop-recording') return undefined;
      const rec = view.recordingOfPath(e.Path ?? '');
      if (!rec) return undefined;
      const out: PbxEvent = { type: 'recording.finished', recording: rec as RecordingId };
      const ms = Number(e['Milliseconds-Elapsed']);
      if (Number.isFinite(ms) && ms >= 0) out.durationMs = ms;
      if (e.Error) out.failed = true;
      return out;
    }
    default:
      return undefined;
  }
}

/** FreeSWITCH hang-up cause name (Hangup-Cause, originate -ERR) → HangupCause. */
export function hangupCauseOf(cause: string | undefined): HangupCause {
  switch (cause) {
    case undefined:
    case '':
    case 'NORMAL_CLEARING':
    case 'NORMAL_UNSPECIFIED':
    case 'MANAGER_REQUEST':
    case 'SUCCESS':
      return 'normal';
    case 'USER_BUSY':
      return 'busy';
    case 'NO_ANSWER':
    case 'NO_USER_RESPONSE':
    case 'ALLOTTED_TIMEOUT':
    case 'RECOVERY_ON_TIMER_EXPIRE':
    case 'PROGRESS_TIMEOUT':
      return 'no-answer';
    case 'CALL_REJECTED':
      return 'rejected';
    case 'UNALLOCATED_NUMBER':
      return 'not-found';
    case 'USER_NOT_REGISTERED':
    case 'SUBSCRIBER_ABSENT':
    case 'NO_ROUTE_DESTINATION':
    case 'NO_ROUTE_TRANSIT_NET':
    case 'DESTINATION_OUT_OF_ORDER':
    case 'INVALID_NUMBER_FORMAT':
    case 'NUMBER_CHANGED':
    case 'INVALID_GATEWAY':
    case 'GATEWAY_DOWN':
      return 'unreachable';
    case 'ORIGINATOR_CANCEL':
    case 'LOSE_RACE':
    case 'PICKED_OFF':
      return 'cancelled';
    default:
      return 'failed';
  }
}

/** HangupCause → the cause name we give uuid_kill. `lost` only ever comes from the driver. */
export function fsCauseOf(cause: HangupCause): string {
  switch (cause) {
    case 'normal':
    case 'lost':
      return 'NORMAL_CLEARING';
    case 'cancelled':
      return 'ORIGINATOR_CANCEL';
    case 'busy':
      return 'USER_BUSY';
    case 'no-answer':
      return 'NO_ANSWER';
    case 'rejected':
      return 'CALL_REJECTED';
    case 'unreachable':
      return 'NO_ROUTE_DESTINATION';
    case 'not-found':
      return 'UNALLOCATED_NUMBER';
    case 'failed':
      return 'NORMAL_TEMPORARY_FAILURE';
  }
}
