/**
 * The one pure mapping from raw ARI events to the port's PbxEvent union, plus hang-up cause
 * normalisation. What a raw event cannot tell (is this channel a leg we originated? which cause
 * did we ask for?) comes from the driver through `LegView`; the function reads it, never
 * changes it, and does no I/O.
 */
import type { HangupCause, LegId, PbxEvent, RecordingId } from '../port.js';
import type {
  AriEvent,
  ChannelDestroyedEvent,
  ChannelDtmfReceivedEvent,
  ChannelStateChangeEvent,
  EndpointStateChangeEvent,
  RecordingEvent,
  StasisEndEvent,
  StasisStartEvent,
} from './ari-types.js';
import { decodeStasisArgs } from './stasis-args.js';

export type LegKind = 'inbound' | 'agent' | 'snoop';

export interface LegFacts {
  kind: LegKind;
  /** Last Dial event status for an originated leg (BUSY, NOANSWER, …). */
  dialStatus?: string;
  /** The cause the engine asked for when it hung this leg up itself. */
  requestedCause?: HangupCause;
  /** Q.850 cause of the last ChannelHangupRequest seen for the leg. */
  hangupRequestCause?: number;
}

/** What the driver knows about a channel id, or undefined for a channel it does not know. */
export type LegView = (channelId: string) => LegFacts | undefined;

const noLegs: LegView = () => undefined;

export function mapAriEvent(event: AriEvent, legs: LegView = noLegs): PbxEvent | undefined {
  switch (event.type) {
    case 'StasisStart': {
      const e = event as StasisStartEvent;
      if (e.replace_channel) return undefined;
      const args = decodeStasisArgs(e.args);
      const leg = e.channel.id as LegId;
      const known = legs(e.channel.id);
      // Back from the dialplan's AMD(): the driver settles its detectMachine() with it.
      if (args?.kind === 'amd') return undefined;
      // Back from the prompt hop (prompt-hop.ts settles its play and reports the key).
      if (args?.kind === 'prompt') return undefined;
      if (args?.kind === 'agent' || known?.kind === 'agent') return { type: 'leg.answered', leg };
      if (args?.kind === 'snoop' || known?.kind === 'snoop') return undefined;
      // Ours (inbound,<number>) or a bare Stasis(app) from the dialplan: a call arriving.
      const to = (args?.kind === 'inbound' || args?.kind === 'phone' ? args.to : undefined) ?? e.channel.dialplan?.exten ?? '';
      const out: PbxEvent = { type: 'call.arrived', leg, to, from: e.channel.caller?.number ?? '' };
      if (args?.kind === 'phone') {
        out.origin = 'phone';
        // PJSIP/<endpoint>-<sequence>: the endpoint that placed the call.
        out.endpoint = /^PJSIP\/(.+)-[0-9a-f]+$/.exec(e.channel.name)?.[1] ?? e.channel.caller?.number ?? '';
      }
      const name = e.channel.caller?.name;
      if (name) out.fromName = name;
      const callId = e.channel.channelvars?.SWITCHBOARD_CALL_ID;
      if (callId) out.callId = callId;
      return out;
    }
    case 'StasisEnd': {
      // A snoop channel's ChannelDestroyed never reaches the app (its subscription ends with
      // Stasis, and no endpoint subscription covers Snoop/); leaving Stasis is its end.
      const e = event as StasisEndEvent;
      const facts = legs(e.channel.id);
      if (facts?.kind !== 'snoop') return undefined;
      return { type: 'leg.hangup', leg: e.channel.id as LegId, cause: facts.requestedCause ?? 'normal' };
    }
    case 'ChannelStateChange': {
      const e = event as ChannelStateChangeEvent;
      if (e.channel.state === 'Ringing' && legs(e.channel.id)?.kind === 'agent') return { type: 'leg.ringing', leg: e.channel.id as LegId };
      return undefined;
    }
    case 'ChannelDtmfReceived': {
      const e = event as ChannelDtmfReceivedEvent;
      return { type: 'dtmf', leg: e.channel.id as LegId, digit: e.digit };
    }
    case 'ChannelDestroyed': {
      const e = event as ChannelDestroyedEvent;
      const facts = legs(e.channel.id);
      const cause = facts?.requestedCause ?? hangupCauseOf(e.cause, facts?.dialStatus);
      return { type: 'leg.hangup', leg: e.channel.id as LegId, cause };
    }
    case 'RecordingFinished':
    case 'RecordingFailed': {
      const e = event as RecordingEvent;
      const out: PbxEvent = { type: 'recording.finished', recording: e.recording.name as RecordingId };
      if (event.type === 'RecordingFinished' && typeof e.recording.duration === 'number') out.durationMs = Math.round(e.recording.duration * 1000);
      return out;
    }
    case 'EndpointStateChange': {
      const e = event as EndpointStateChangeEvent;
      return endpointStateEvent(e.endpoint);
    }
    default:
      return undefined;
  }
}

export function endpointStateEvent(endpoint: { technology: string; resource: string; state?: string }): PbxEvent | undefined {
  if (endpoint.technology !== 'PJSIP') return undefined;
  return { type: 'endpoint.state', endpoint: endpoint.resource, online: endpoint.state === 'online' };
}

/**
 * Q.850 cause (ChannelDestroyed.cause) → HangupCause. The cause wins over the Dial status:
 * Asterisk reports a 603 Decline as cause 21 but dialstatus NOANSWER. The Dial status is used
 * only when the cause says nothing (0).
 */
export function hangupCauseOf(q850: number | undefined, dialStatus?: string): HangupCause {
  switch (q850) {
    case 16: // normal clearing
    case 31: // normal, unspecified
      return 'normal';
    case 17: // user busy
      return 'busy';
    case 18: // no user responding
    case 19: // no answer from user (user alerted)
    case 102: // recovery on timer expiry (SIP 408)
      return 'no-answer';
    case 21: // call rejected
      return 'rejected';
    case 1: // unallocated number (SIP 404)
      return 'not-found';
    case 2: // no route to transit network
    case 3: // no route to destination
    case 20: // subscriber absent (no registered contact)
    case 22: // number changed
    case 27: // destination out of order
    case 28: // invalid number format
      return 'unreachable';
    case 26: // non-selected user clearing (answered elsewhere)
      return 'cancelled';
    case 0:
    case undefined:
      return dialStatus ? dialStatusCause(dialStatus) : 'normal';
    default:
      // 34 no circuit, 38 network out of order, 41 temporary failure, 42 congestion,
      // 58 bearer unavailable, 88 incompatible destination, 127 interworking, …
      return q850 >= 32 ? 'failed' : 'normal';
  }
}

/** Dial status (app_dial / ARI Dial event) → HangupCause. */
export function dialStatusCause(status: string): HangupCause {
  switch (status) {
    case 'BUSY':
      return 'busy';
    case 'NOANSWER':
      return 'no-answer';
    case 'CANCEL':
      return 'cancelled';
    case 'CHANUNAVAIL':
      return 'unreachable';
    case 'CONGESTION':
      return 'failed';
    default:
      return 'normal';
  }
}

/**
 * HangupCause → the Q.850 reason_code we send with DELETE /channels/{id}. `lost` only ever comes
 * from the driver (a leg found gone after a reconnection); asked for, it is a normal clearing.
 */
export function q850Of(cause: HangupCause): number {
  switch (cause) {
    case 'normal':
    case 'cancelled':
    case 'lost':
      return 16;
    case 'busy':
      return 17;
    case 'no-answer':
      return 19;
    case 'rejected':
      return 21;
    case 'unreachable':
      return 3;
    case 'not-found':
      return 1;
    case 'failed':
      return 41;
  }
}
