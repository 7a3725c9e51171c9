/**
 * The slice of ARI's JSON model the driver reads (Asterisk 22, ari/api-docs). Only fields we use;
 * everything is optional where Asterisk may omit it. These types never leave src/pbx/asterisk/.
 */

export interface AriCallerId {
  name: string;
  number: string;
}

export interface AriChannel {
  id: string;
  name: string;
  /** Down, Rsrvd, OffHook, Dialing, Ring, Ringing, Up, Busy, Dialing Offhook, Pre-ring, Unknown */
  state: string;
  caller?: AriCallerId;
  connected?: AriCallerId;
  dialplan?: { context: string; exten: string; priority: number; app_name?: string; app_data?: string };
  creationtime?: string;
  language?: string;
  channelvars?: Record<string, string>;
}

export interface AriPlayback {
  id: string;
  media_uri: string;
  media_uris?: string[];
  target_uri: string;
  language?: string;
  /** queued, playing, continuing, done, failed, cancelled */
  state: string;
}

export interface AriLiveRecording {
  name: string;
  format: string;
  target_uri: string;
  /** queued, recording, paused, done, failed, canceled */
  state: string;
  /** Seconds. */
  duration?: number;
  talking_duration?: number;
  silence_duration?: number;
  cause?: string;
}

export interface AriEndpoint {
  technology: string;
  resource: string;
  /** unknown, offline, online */
  state?: string;
  channel_ids: string[];
}

export interface AriBridge {
  id: string;
  technology: string;
  bridge_type: string;
  channels: string[];
}

interface AriEventBase {
  type: string;
  timestamp?: string;
  application?: string;
  asterisk_id?: string;
}

export interface StasisStartEvent extends AriEventBase {
  type: 'StasisStart';
  args: string[];
  channel: AriChannel;
  replace_channel?: AriChannel;
}
export interface StasisEndEvent extends AriEventBase {
  type: 'StasisEnd';
  channel: AriChannel;
}
export interface ChannelStateChangeEvent extends AriEventBase {
  type: 'ChannelStateChange';
  channel: AriChannel;
}
export interface ChannelDtmfReceivedEvent extends AriEventBase {
  type: 'ChannelDtmfReceived';
  digit: string;
  duration_ms: number;
  channel: AriChannel;
}
export interface ChannelHangupRequestEvent extends AriEventBase {
  type: 'ChannelHangupRequest';
  cause?: number;
  soft?: boolean;
  channel: AriChannel;
}
export interface ChannelDestroyedEvent extends AriEventBase {
  type: 'ChannelDestroyed';
  cause: number;
  cause_txt: string;
  tech_cause?: number;
  channel: AriChannel;
}
export interface DialEvent extends AriEventBase {
  type: 'Dial';
  /** "", RINGING, PROGRESS, ANSWER, BUSY, NOANSWER, CANCEL, CHANUNAVAIL, CONGESTION … */
  dialstatus: string;
  dialstring?: string;
  caller?: AriChannel;
  peer: AriChannel;
}
export interface PlaybackEvent extends AriEventBase {
  type: 'PlaybackStarted' | 'PlaybackContinuing' | 'PlaybackFinished';
  playback: AriPlayback;
}
export interface RecordingEvent extends AriEventBase {
  type: 'RecordingStarted' | 'RecordingFinished' | 'RecordingFailed';
  recording: AriLiveRecording;
}
export interface EndpointStateChangeEvent extends AriEventBase {
  type: 'EndpointStateChange';
  endpoint: AriEndpoint;
}

export type KnownAriEvent =
  | StasisStartEvent
  | StasisEndEvent
  | ChannelStateChangeEvent
  | ChannelDtmfReceivedEvent
  | ChannelHangupRequestEvent
  | ChannelDestroyedEvent
  | DialEvent
  | PlaybackEvent
  | RecordingEvent
  | EndpointStateChangeEvent;

/** Any event off the WebSocket: one we know, or another type we ignore. */
export type AriEvent = AriEventBase;
