/**
 * Engine start-up after a restart: agents' persisted login state, then the calls of the live-call
 * journal matched with what the PBX still holds (the plan is recovery.ts's; this carries it out).
 */
import type { Cdr } from '../domain/cdr.js';
import type { Agent } from '../domain/config.js';
import type { AgentSessionRecord, CallJournal } from '../domain/journal.js';
import type { Clock } from '../infra/clock.js';
import type { Logger } from '../infra/logger.js';
import type { LiveLeg, PbxPort } from '../pbx/port.js';
import type { RoutingInput } from '../routing/types.js';
import type { EngineStore } from './engine.js';
import { planRecovery } from './recovery.js';

export interface RestartHost {
  log: Logger;
  clock: Clock;
  pbx: PbxPort;
  store: EngineStore;
  agents: readonly Agent[];
  hasLine(line: string): boolean;
  setAgentLine(agentId: string, line: string): void;
  loginAgent(agentId: string): void;
  route(input: RoutingInput): void;
  /** Persist the CDR (dropping the journal) and report the end. */
  callEnded(cdr: Cdr): void;
  /** A callback attempt (journal kind `callback`) the restart ended, its CDR written: its owner is told. */
  callbackEnded(entry: CallJournal, cdr: Cdr): void;
  /** Make a session for the journal's call and take it up where it was. */
  adopt(entry: CallJournal, agentLegAlive: boolean): void;
}

export interface CallsRecovered {
  /** Calls of the journal taken up again (IVR, queue, bridge). */
  resumed: number;
  /** Calls of the journal whose caller was gone: CDR completed. */
  completed: number;
  /** Legs alive in the PBX that no journal knew, hung up. */
  strays: number;
}

/** Agents' persisted login state (ready, paused with its reason, wrap-up, hot-desk line); auto-login for agents with none. */
export function restoreAgents(host: RestartHost, records: readonly AgentSessionRecord[]): number {
  const saved = new Map(records.map((r) => [r.agentId, r]));
  let restored = 0;
  for (const a of host.agents) {
    const rec = saved.get(a.id);
    if (rec?.dnd) host.route({ type: 'agent.dnd', agentId: a.id, dnd: true });
    if (!rec) {
      if (a.auto_login) host.loginAgent(a.id);
      continue;
    }
    if (rec.status !== 'loggedOut') {
      restored += 1;
      host.route({
        type: 'agent.restore',
        agentId: a.id,
        status: rec.status,
        ...(rec.pauseReason !== null ? { pauseReason: rec.pauseReason } : {}),
        ...(rec.wrapupUntil !== null ? { wrapupUntil: rec.wrapupUntil } : {}),
      });
    }
    // The line after the state, so that the saved record is already what the engine holds.
    if (rec.line && host.hasLine(rec.line)) host.setAgentLine(a.id, rec.line);
  }
  return restored;
}

/**
 * Match the journal of the calls that were live when the engine stopped with what is alive in the
 * PBX: take up the calls whose caller is still there (bridged first, then queued callers in their
 * original order, then IVR), complete the CDRs of the others, hang up what nobody knows.
 */
export async function recoverCalls(host: RestartHost): Promise<CallsRecovered> {
  const { pbx, store, clock, log } = host;
  const journal = store.journal.all();
  let legs: LiveLeg[] = [];
  try {
    legs = await pbx.recover();
  } catch (err) {
    log.error({ err, calls: journal.length }, 'pbx recover failed, live calls taken as gone');
  }
  const plan = planRecovery(journal, legs, clock.now());
  for (const leg of plan.hangup) {
    log.warn({ legId: leg.leg, reason: leg.reason }, 'hanging up a leg after restart');
    await pbx.hangup(leg.leg, 'normal').catch((err: unknown) => log.debug({ err, legId: leg.leg }, 'hang-up after restart failed'));
  }
  for (const bridge of plan.destroyBridges) await pbx.destroyBridge(bridge).catch((err: unknown) => log.debug({ err, bridge }, 'bridge clean-up after restart failed'));
  const byCallId = new Map(journal.map((e) => [e.callId, e]));
  for (const cdr of plan.completed) {
    log.info({ callId: cdr.callId, disposition: cdr.disposition }, 'call ended while the engine was down');
    host.callEnded(cdr);
    const entry = byCallId.get(cdr.callId);
    if (entry?.kind === 'callback') host.callbackEnded(entry, cdr);
  }
  for (const { entry, agentLegAlive } of plan.resume) host.adopt(entry, agentLegAlive);
  return { resumed: plan.resume.length, completed: plan.completed.length, strays: plan.strays };
}
