/**
 * What the engine lanes need from a real PBX, PBX-neutral: a driver for the engine, SIPp far
 * ends on the right ports (agent phones, callers over the trunk, the trunk's far end), and a
 * look inside the PBX (channels by kind, bridges, a channel variable, a recording's file) so
 * one test body runs on Asterisk and on FreeSWITCH. Implementations: asterisk-lab.ts,
 * ../freeswitch/freeswitch-lab.ts.
 */
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { PbxPort } from '../../src/pbx/port.js';
import { scenariosDir, type CallerOptions, type PhoneBehavior, type SippProcess } from './harness.js';
import { talkScenario } from './talk-scenario.js';

export type PbxName = 'asterisk' | 'freeswitch';

export type AgentBehavior =
  /** rings `ringMs`, answers, waits for the engine's BYE */
  | { kind: 'answer'; ringMs?: number }
  /** rings `ringMs`, answers, talks `talkMs`, hangs up itself */
  | { kind: 'talk'; ringMs?: number; talkMs: number }
  /** rings until cancelled */
  | { kind: 'never' };

/** A channel as the tests see it: an agent phone's (with its endpoint), the trunk's, a snoop. */
export interface LabChannel {
  id: string;
  kind: 'phone' | 'trunk' | 'snoop' | 'other';
  endpoint?: string;
  callerNumber?: string;
}

export interface LabBridge {
  id: string;
  channels: LabChannel[];
}

export interface PbxLab {
  readonly name: PbxName;
  driver(logger: Logger): PbxPort;
  /** An agent phone registered on `endpoint` that handles calls per `behavior`. */
  phone(endpoint: string, behavior: AgentBehavior, timeoutMs?: number): Promise<SippProcess>;
  unregisterAll(endpoint: string): Promise<void>;
  caller(c: CallerOptions): Promise<SippProcess>;
  /** The trunk's far end (external numbers). */
  trunkPeer(behavior: PhoneBehavior, opts?: { answerAfterMs?: number; calls?: number; timeoutMs?: number }): Promise<SippProcess>;
  channels(): Promise<LabChannel[]>;
  bridges(): Promise<LabBridge[]>;
  channelVar(id: string, name: string): Promise<string | undefined>;
  recordingFile(name: string): string;
  /** Hang up every channel and wait until none is left. */
  hangupAll(): Promise<void>;
  close(): Promise<void>;
}

/** Absolute path of the out-of-call scenario an agent phone plays for `behavior` (-oocsf). */
export function oocScenario(behavior: AgentBehavior): string {
  if (behavior.kind === 'talk') return talkScenario(behavior.talkMs);
  return join(scenariosDir, behavior.kind === 'answer' ? 'uas-agent-answer-after-pause-expect-bye.xml' : 'uas-agent-ring-expect-cancel.xml');
}
