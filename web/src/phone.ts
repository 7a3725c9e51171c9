/**
 * The in-browser phone (WebRTC): JsSIP registers the agent's browser endpoint (asterisk-conf
 * `web<agent>`, SIP over WebSocket at the PBX's /ws) and answers calls in the page; the far end's
 * audio plays through an <audio> element. ICE uses host candidates only (no STUN by default).
 */
import { UA, WebSocketInterface } from 'jssip';
import type { RTCSession } from 'jssip/lib/RTCSession';

export type PhoneStatus = 'off' | 'registering' | 'registered' | 'failed';
export type CallStatus = 'idle' | 'ringing' | 'connected';

export interface PhoneSettings {
  /** e.g. ws://127.0.0.1:8088/ws */
  wsUrl: string;
  /** SIP user, e.g. web1001 */
  user: string;
  password: string;
  /** SIP domain; default the WebSocket host. */
  domain?: string;
}

export interface Phone {
  answer(): void;
  hangup(): void;
  stop(): void;
}

export interface PhoneEvents {
  status(s: PhoneStatus, detail?: string): void;
  call(s: CallStatus, from?: string): void;
}

export function startPhone(settings: PhoneSettings, audio: HTMLAudioElement, on: PhoneEvents): Phone {
  const domain = settings.domain ?? new URL(settings.wsUrl).hostname;
  const ua = new UA({
    sockets: [new WebSocketInterface(settings.wsUrl)],
    uri: `sip:${settings.user}@${domain}`,
    password: settings.password,
    register: true,
    session_timers: false,
    register_expires: 120,
  });
  let session: RTCSession | undefined;
  ua.on('registered', () => on.status('registered'));
  ua.on('unregistered', () => on.status('off'));
  ua.on('registrationFailed', (e: { cause?: string }) => on.status('failed', e.cause));
  ua.on('newRTCSession', (e: { originator: string; session: RTCSession }) => {
    if (e.originator !== 'remote') return;
    if (session) {
      e.session.terminate({ status_code: 486 });
      return;
    }
    const s = e.session;
    session = s;
    const done = () => {
      if (session === s) session = undefined;
      audio.srcObject = null;
      on.call('idle');
    };
    s.on('peerconnection', (pe: { peerconnection: RTCPeerConnection }) => {
      pe.peerconnection.addEventListener('track', (t) => {
        audio.srcObject = t.streams[0] ?? new MediaStream([t.track]);
        void audio.play().catch(() => undefined);
      });
    });
    s.on('confirmed', () => on.call('connected'));
    s.on('ended', done);
    s.on('failed', done);
    on.call('ringing', s.remote_identity.uri.user);
  });
  on.status('registering');
  ua.start();
  return {
    answer() {
      session?.answer({ mediaConstraints: { audio: true, video: false }, pcConfig: { iceServers: [] } });
    },
    hangup() {
      session?.terminate();
    },
    stop() {
      session?.terminate();
      ua.stop();
    },
  };
}
