/** The live-call journal entry of a session: where the call is and what it has done so far. */
import type { CallJournal, CdrDraft, JournalStep } from '../domain/journal.js';
import type { LegId } from '../pbx/port.js';
import type { QueuePhase, SessionState } from './session-types.js';

export interface SessionView {
  callId: string;
  leg: LegId;
  state: SessionState;
  phase: QueuePhase | undefined;
  cdr: CdrDraft;
  ivrPath: readonly string[];
  language: string;
  ivrId: string | undefined;
  ivrNode: string | undefined;
  priority: number;
  skills: Record<string, number> | undefined;
}

export function journalEntry(v: SessionView): CallJournal {
  const phase = v.phase;
  const b = phase?.bridged;
  const step: JournalStep = b ? 'bridged' : phase && !phase.done.settled ? 'queued' : v.state === 'ivr' ? 'ivr' : 'arrived';
  const entry: CallJournal = {
    callId: v.callId,
    leg: v.leg,
    step,
    cdr: { ...v.cdr, variables: { ...v.cdr.variables }, ivrPath: v.ivrPath.length > 0 ? v.ivrPath.join('>') : null, language: v.language },
  };
  if (step === 'ivr' && v.ivrId && v.ivrNode) {
    entry.ivrId = v.ivrId;
    entry.ivrNode = v.ivrNode;
  }
  if (step === 'queued' || step === 'bridged') entry.priority = v.priority;
  if (v.skills) entry.skills = { ...v.skills };
  if (b) {
    entry.agentId = b.agentId;
    entry.agentLeg = b.agentLeg;
    if (b.bridge) entry.bridge = b.bridge;
    if (b.recording) entry.recording = b.recording;
    entry.recordingPaused = b.recordingPaused;
  } else if (phase?.offer?.leg) {
    entry.agentId = phase.offer.agentId;
    entry.agentLeg = phase.offer.leg;
  }
  return entry;
}
