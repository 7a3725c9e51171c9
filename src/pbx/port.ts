/**
 * The PBX port: the only way the engine touches media. Small and PBX-neutral.
 * Every command returns a Promise, takes an optional AbortSignal and rejects only with PbxError.
 * Events come out of one stream (`onEvent`), a union keyed on `type`; raw PBX payloads never cross.
 */

export type LegId = string & { readonly __brand: 'LegId' };
export type BridgeId = string & { readonly __brand: 'BridgeId' };
export type RecordingId = string & { readonly __brand: 'RecordingId' };

export type PbxErrorCode = 'LEG_GONE' | 'TIMEOUT' | 'REJECTED' | 'DISCONNECTED' | 'PROTOCOL' | 'ABORTED';

export class PbxError extends Error {
  override readonly name = 'PbxError';
  constructor(
    readonly code: PbxErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export const isPbxError = (err: unknown, code?: PbxErrorCode): err is PbxError =>
  err instanceof PbxError && (code === undefined || err.code === code);

/** Where an outbound leg goes: a phone registered on the PBX, or a number dialled out through the trunk. */
export type Destination =
  | { kind: 'sip'; endpoint: string }
  | { kind: 'external'; number: string };

export interface OriginateRequest {
  destination: Destination;
  /** Caller id shown to the called party. */
  callerId: { number: string; name?: string };
  /** Ring time-out; the PBX gives up and reports `no-answer`. */
  timeoutMs: number;
  /** Channel variables; our call id travels as SWITCHBOARD_CALL_ID. */
  variables?: Record<string, string>;
  /** The engine's call id this leg belongs to. */
  callId: string;
  /**
   * Ask the phone to answer by itself (SIP `Call-Info: answer-after=0` and
   * `Alert-Info: auto-answer`), for calls an agent starts from a desktop or a CRM.
   */
  autoAnswer?: boolean;
}

/**
 * Why a leg ended, normalised from SIP/Q.850 causes. `not-found`: the dialled number does not
 * exist (Q.850 1, unallocated number; SIP 404). `lost`: the leg ended while the event stream was
 * down; how is unknown (the driver found it gone when the stream came back).
 */
export type HangupCause = 'normal' | 'busy' | 'no-answer' | 'rejected' | 'failed' | 'unreachable' | 'not-found' | 'cancelled' | 'lost';

export interface PlayOptions {
  /** Language for `sound:` prompts (e.g. en, es). */
  language?: string;
  signal?: AbortSignal;
  /**
   * A key stops the prompt (an IVR menu): the PBX may stop it by itself, without a stop command
   * (Asterisk: Background() in the dialplan). The key is still reported as a `dtmf` event; the
   * play is settled `stopped` before that event is emitted.
   */
  stopOnKey?: boolean;
}

export type PlayOutcome = 'finished' | 'stopped';

export interface RecordOptions {
  /** File name without extension, unique per recording. */
  name: string;
  format?: 'wav' | 'gsm' | 'ulaw';
  /** Stop automatically after this many ms (0 = no limit). */
  maxDurationMs?: number;
}

/** Recording what one leg says (a caller's voice message). */
export interface LegRecordOptions extends RecordOptions {
  /** End after this much silence (0 or absent: no limit). FreeSWITCH bounds by length only. */
  maxSilenceMs?: number;
  /** End when the leg presses `#` (the key is not in the recording). */
  endOnHash?: boolean;
  /** A beep before the recording starts. */
  beep?: boolean;
}

export type SnoopMode = 'listen' | 'whisper' | 'barge';

/**
 * Answering-machine detection on an answered outbound leg: HUMAN, MACHINE or NOTSURE (no
 * decision within the analysis time), with the PBX's cause (Asterisk: AMDCAUSE, e.g.
 * `MAXWORDS-4-3`, `LONGGREETING-1500-1500`, `HUMAN-800-800`).
 */
export interface MachineDetection {
  status: 'HUMAN' | 'MACHINE' | 'NOTSURE';
  cause: string;
}

/**
 * A leg alive in the PBX, as `recover()` lists it after an engine restart or a lost event stream.
 * - inbound: a caller that reached our application (answered or not);
 * - agent: a leg we originated for a call (agent, customer, supervisor);
 * - snoop: a snoop leg we created;
 * - other: in our application, but not one we can place.
 */
export interface LiveLeg {
  leg: LegId;
  role: 'inbound' | 'agent' | 'snoop' | 'other';
  /** Our call id, from the channel (SWITCHBOARD_CALL_ID), when it carries one. */
  callId?: string;
  /** The far end answered (an inbound leg: we answered it). */
  answered: boolean;
  /** The bridge the leg is in, if any. */
  bridge?: BridgeId;
  from?: string;
  to?: string;
}

export interface PbxPort {
  /** A short name for logs and metrics: `sim`, `asterisk`. */
  readonly name: string;
  /** Connect to the PBX and start delivering events. */
  start(): Promise<void>;
  stop(): Promise<void>;
  onEvent(listener: (event: PbxEvent) => void): () => void;

  answer(leg: LegId, opts?: { signal?: AbortSignal }): Promise<void>;
  /**
   * Play prompts one after the other; resolves when they end or when `signal` aborts ('stopped').
   * A prompt is `sound:name`, `recording:name`, `tone:name`, or a bare name (treated as `sound:`).
   */
  play(leg: LegId, prompts: readonly string[], opts?: PlayOptions): Promise<PlayOutcome>;
  startMoh(leg: LegId, mohClass: string, opts?: { signal?: AbortSignal }): Promise<void>;
  stopMoh(leg: LegId, opts?: { signal?: AbortSignal }): Promise<void>;
  /**
   * Start an outbound leg; it rings, then `leg.answered` or `leg.hangup` with a cause arrives.
   * A destination that cannot be reached at all still yields a leg id, followed by
   * `leg.hangup` with cause `unreachable`, so callers handle one path.
   */
  originate(req: OriginateRequest, opts?: { signal?: AbortSignal }): Promise<LegId>;
  /** A mixing bridge holding the given legs. */
  bridge(legs: readonly LegId[], opts?: { signal?: AbortSignal }): Promise<BridgeId>;
  addToBridge(bridge: BridgeId, leg: LegId, opts?: { signal?: AbortSignal }): Promise<void>;
  /** Take a leg out of a bridge; it stays up (hearing silence) until bridged again or hung up. */
  removeFromBridge(bridge: BridgeId, leg: LegId, opts?: { signal?: AbortSignal }): Promise<void>;
  destroyBridge(bridge: BridgeId, opts?: { signal?: AbortSignal }): Promise<void>;
  /** Music on hold to everyone in the bridge (a customer on hold, alone in its bridge). */
  startBridgeMoh(bridge: BridgeId, mohClass: string, opts?: { signal?: AbortSignal }): Promise<void>;
  stopBridgeMoh(bridge: BridgeId, opts?: { signal?: AbortSignal }): Promise<void>;
  recordBridge(bridge: BridgeId, rec: RecordOptions, opts?: { signal?: AbortSignal }): Promise<RecordingId>;
  /**
   * Record what a leg says (nothing is played to it meanwhile). Resolves once recording started;
   * it ends by itself (`#` when `endOnHash`, silence, `maxDurationMs`), by `stopRecording`, or when
   * the leg hangs up (what was said is kept); `recording.finished` reports the end.
   */
  recordLeg(leg: LegId, rec: LegRecordOptions, opts?: { signal?: AbortSignal }): Promise<RecordingId>;
  pauseRecording(rec: RecordingId, opts?: { signal?: AbortSignal }): Promise<void>;
  resumeRecording(rec: RecordingId, opts?: { signal?: AbortSignal }): Promise<void>;
  stopRecording(rec: RecordingId, opts?: { signal?: AbortSignal }): Promise<void>;
  /** A snoop leg on `leg` (listen: hears both parties; whisper: speaks to the agent; barge: to both); bridge it with a supervisor's leg. It ends with `leg`. */
  snoop(leg: LegId, mode: SnoopMode, opts?: { signal?: AbortSignal }): Promise<LegId>;
  hangup(leg: LegId, cause?: HangupCause, opts?: { signal?: AbortSignal }): Promise<void>;
  /**
   * List what is alive in the PBX for our application (legs, with their bridges), and adopt it:
   * from now on the driver reports those legs' events as if it had created them. Used at start
   * (after an engine restart) and after the event stream was lost and came back.
   */
  recover(opts?: { signal?: AbortSignal }): Promise<LiveLeg[]>;
  setVariable(leg: LegId, name: string, value: string, opts?: { signal?: AbortSignal }): Promise<void>;
  /**
   * Listen to the greeting of an answered outbound leg and tell a person from an answering
   * machine (Asterisk: app_amd through the dialplan hop [switchboard-amd]). A PBX without it
   * leaves this out and the dialer connects every answer. Rejects LEG_GONE if the leg hangs up.
   */
  detectMachine?(leg: LegId, opts?: { signal?: AbortSignal }): Promise<MachineDetection>;
}

export type PbxEvent =
  /**
   * A call reached the engine (already in our application, not yet answered). `origin`: `trunk`
   * (default) for a customer calling in; `phone` for a registered agent phone dialling out, with
   * the phone's `endpoint`, so the engine applies the agent's dialling policy.
   */
  | { type: 'call.arrived'; leg: LegId; to: string; from: string; fromName?: string; callId?: string; origin?: 'trunk' | 'phone'; endpoint?: string }
  | { type: 'dtmf'; leg: LegId; digit: string }
  | { type: 'leg.ringing'; leg: LegId }
  | { type: 'leg.answered'; leg: LegId }
  | { type: 'leg.hangup'; leg: LegId; cause: HangupCause }
  /** A recording ended; `failed` when the PBX could not write it. */
  | { type: 'recording.finished'; recording: RecordingId; durationMs?: number; failed?: boolean }
  | { type: 'endpoint.state'; endpoint: string; online: boolean }
  /**
   * The event stream is up (again). `restarted`: the PBX itself restarted since the stream was
   * last up, so no leg of before is alive.
   */
  | { type: 'pbx.connected'; restarted?: boolean }
  /** The event stream is lost; the PBX may still be up (the driver reconnects). */
  | { type: 'pbx.disconnected' }
  /**
   * The PBX itself is unreachable (down or restarting): the legs it held are gone. The driver
   * forgets them (no leg.hangup follows); commands on them fail (DISCONNECTED while the PBX is
   * unreachable, LEG_GONE after). If `pbx.connected` then comes without `restarted` (the PBX was
   * only unreachable), legs of before may still be alive there: `recover()` lists them.
   */
  | { type: 'pbx.lost' };

export type PbxEventType = PbxEvent['type'];
