/** The simulated PBX's scripts and state shapes: callers, agent phones, legs, recordings, the port-call log. */
import type { BridgeId, HangupCause, LegId, RecordingId } from '../port.js';
import type { TimerHandle } from '../../infra/clock.js';

export interface CallerScript {
  to: string;
  from: string;
  fromName?: string;
  /** Absolute arrival time (virtual ms); default now. */
  at?: number;
  /** DTMF keys, each at a time in ms after arrival. Keys sent before the call is answered are lost. */
  keys?: { afterMs: number; digit: string }[];
  /** Hang up this long after arrival unless bridged with an agent by then. */
  patienceMs?: number;
  /** Once bridged, hang up after talking this long (the agent's talkMs may end it first). */
  talkMs?: number;
  /** A call placed by a registered agent phone (this endpoint) rather than from the trunk. */
  fromPhone?: string;
}

export interface AgentPhoneScript {
  /** What the phone does when it rings. */
  behavior: 'answer' | 'reject' | 'busy' | 'never';
  /** Ring time before answering or rejecting. */
  answerAfterMs?: number;
  /** Once bridged, the agent hangs up after this long. */
  talkMs?: number;
  online?: boolean;
  /** What answering-machine detection finds on this phone once answered (default a person), and after how long (default 1800 ms). */
  amd?: { status: 'HUMAN' | 'MACHINE' | 'NOTSURE'; cause?: string; afterMs?: number };
}

export interface SimLeg {
  id: LegId;
  kind: 'caller' | 'agent' | 'snoop';
  state: 'ringing' | 'up' | 'down';
  from: string;
  to: string;
  callId?: string;
  bridge?: BridgeId;
  moh?: string;
  playing?: { prompts: readonly string[]; language?: string; startedAt: number };
  variables: Record<string, string>;
  hangupCause?: HangupCause;
  script?: CallerScript;
  phone?: AgentPhoneScript;
  timers: TimerHandle[];
  createdAt: number;
  answeredAt?: number;
  endedAt?: number;
  /** For a snoop leg: the leg it spies on (it ends with it). */
  snoopOf?: LegId;
  /** The talk timer started at the leg's first bridge (hold and transfers re-bridge it). */
  talkStarted?: boolean;
  /** Asked to answer by itself (auto-answer). */
  autoAnswer?: boolean;
}

export interface SimRecording {
  id: RecordingId;
  /** A bridge's recording (recordBridge), or one leg's (recordLeg). */
  bridge?: BridgeId;
  leg?: LegId;
  /** recordLeg: ends on `#` from the leg. */
  endOnHash?: boolean;
  maxTimer?: TimerHandle;
  name: string;
  startedAt: number;
  pausedAt?: number;
  pausedMs: number;
  stoppedAt?: number;
  durationMs?: number;
}

export interface SimOptions {
  /** Duration of one prompt; default 2 s, or the `promptMs` table entry. */
  promptMs?: Record<string, number>;
  defaultPromptMs?: number;
}

export interface PortCall {
  at: number;
  op: string;
  args: unknown[];
}
