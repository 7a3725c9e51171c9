/**
 * After an engine restart: match the live-call journal with what the PBX still holds. Pure: the
 * engine carries the plan out (hang-ups, CDRs, sessions taken up again).
 *
 * - caller still there: the call is taken up again (bridged calls first, then queued callers in
 *   their original enqueue order, so each keeps its place; then IVR and earlier steps);
 *   an agent leg that was ringing is hung up (the caller is offered again at its place);
 * - caller gone: the CDR is completed now, `answered` if it had been bridged (talk counted to
 *   now), else `interrupted`, with cause `interrupted`; its agent leg and bridge are cleaned up;
 * - a callback attempt (kind `callback`: the virtual queue's or an auto list's) is taken up like a
 *   call when it was bridged (by its owner, callback-resumers.ts); dialling or ringing, its legs are
 *   hung up and its CDR completed as `interrupted` (its owner is told: the virtual queue's waiter is
 *   still Waiting and takes its place again, an auto list's request is given back);
 * - a caller who had asked for a callback (its CDR disposition `callback-requested`, typing its
 *   callback number perhaps) is not queued again: its waiter holds its place; its CDR is completed
 *   as it was and its leg hung up;
 * - a leg of our application that no journal knows (a listen, a click-to-call, a leg originated
 *   after the last journal write) is hung up, and logged with why.
 */
import type { Cdr } from '../domain/cdr.js';
import type { CallJournal } from '../domain/journal.js';
import type { BridgeId, LegId, LiveLeg } from '../pbx/port.js';

export interface RecoveryPlan {
  resume: { entry: CallJournal; agentLegAlive: boolean }[];
  completed: Cdr[];
  hangup: { leg: LegId; reason: string }[];
  destroyBridges: BridgeId[];
  /** Legs no journal knew (part of `hangup`). */
  strays: number;
}

const STEP_ORDER: Record<CallJournal['step'], number> = { bridged: 0, queued: 1, ivr: 2, arrived: 3 };

export function planRecovery(journal: readonly CallJournal[], legs: readonly LiveLeg[], now: number): RecoveryPlan {
  const byLeg = new Map(legs.map((l) => [l.leg as string, l]));
  const known = new Set<string>();
  const plan: RecoveryPlan = { resume: [], completed: [], hangup: [], destroyBridges: [], strays: 0 };
  const bridges = new Set<BridgeId>();

  for (const entry of journal) {
    known.add(entry.leg);
    if (entry.agentLeg) known.add(entry.agentLeg);
    const caller = byLeg.get(entry.leg);
    const agent = entry.agentLeg ? byLeg.get(entry.agentLeg) : undefined;
    if (entry.cdr.disposition === 'callback-requested') {
      plan.completed.push({ ...completedCdr(entry, now), disposition: 'callback-requested' });
      if (caller) plan.hangup.push({ leg: caller.leg, reason: 'caller had asked for a callback; its waiter keeps its place' });
      continue;
    }
    if (!caller) {
      plan.completed.push(completedCdr(entry, now));
      if (agent) plan.hangup.push({ leg: agent.leg, reason: 'caller gone while the engine was down' });
      const bridge = (entry.bridge as BridgeId | undefined) ?? agent?.bridge;
      if (bridge) bridges.add(bridge);
      continue;
    }
    if (entry.step === 'bridged') {
      plan.resume.push({ entry, agentLegAlive: agent !== undefined });
      continue;
    }
    if (entry.kind === 'callback') {
      plan.completed.push(completedCdr(entry, now));
      plan.hangup.push({ leg: caller.leg, reason: 'callback was dialling when the engine stopped; its waiter or request keeps its place' });
      if (agent) plan.hangup.push({ leg: agent.leg, reason: 'agent was ringing for a callback when the engine stopped' });
      continue;
    }
    if (agent) plan.hangup.push({ leg: agent.leg, reason: 'agent was ringing when the engine stopped; caller offered again' });
    plan.resume.push({ entry, agentLegAlive: false });
  }

  for (const l of legs) {
    if (known.has(l.leg)) continue;
    plan.strays += 1;
    plan.hangup.push({ leg: l.leg, reason: `no journal knows this ${l.role} leg${l.callId ? ` of call ${l.callId}` : ''}` });
  }

  plan.destroyBridges = [...bridges];
  plan.resume.sort((x, y) => {
    const step = STEP_ORDER[x.entry.step] - STEP_ORDER[y.entry.step];
    if (step !== 0) return step;
    const ex = x.entry.cdr.enqueuedAt ?? x.entry.cdr.startedAt;
    const ey = y.entry.cdr.enqueuedAt ?? y.entry.cdr.startedAt;
    return ex !== ey ? ex - ey : x.entry.callId < y.entry.callId ? -1 : 1;
  });
  return plan;
}

/** The CDR of a call whose caller vanished while the engine was down. */
export function completedCdr(entry: CallJournal, now: number): Cdr {
  const d = entry.cdr;
  const connected = d.connectedAt !== null;
  return {
    ...d,
    endedAt: now,
    talkMs: connected ? now - d.connectedAt! : d.talkMs,
    waitMs: connected ? d.waitMs : d.enqueuedAt !== null ? now - d.enqueuedAt : d.waitMs,
    hangupSide: 'system',
    hangupCause: 'interrupted',
    disposition: connected ? 'answered' : 'interrupted',
  };
}
