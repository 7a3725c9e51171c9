/**
 * What a call session may see and do of the engine (SessionEnv), wired from the engine's public
 * face and the few private parts the host passes in.
 */
import type { Ivr, NumberEntry } from '../domain/config.js';
import type { CallJournal } from '../domain/journal.js';
import { agentMayDial } from '../domain/dial-policy.js';
import { free } from '../routing/call-control.js';
import { positionOf } from '../routing/decide.js';
import type { Engine } from './engine.js';
import { callNotice } from './engine-hooks.js';
import type { CallSession, SessionEnv } from './session.js';
import type { VirtualQueuePort } from './virtual-queue-port.js';

export interface SessionEnvHost {
  halted(): boolean;
  number(dialled: string): NumberEntry | undefined;
  ivr(id: string): Ivr | undefined;
  finished: SessionEnv['finished'];
  lookup: SessionEnv['lookup'];
  agentList: SessionEnv['agentList'];
  /** Persist a live call's journal entry (nothing once halted). */
  journal(entry: CallJournal): void;
  virtualQueue(): VirtualQueuePort | undefined;
  /** Other takers of keys pressed while queued (the callback-message key). */
  queueKeys(): readonly ((session: CallSession, digit: string) => boolean)[];
}

export function sessionEnv(engine: Engine, log: SessionEnv['log'], host: SessionEnvHost): SessionEnv {
  const state = () => engine.router.state;
  return {
    pbx: engine.pbx,
    clock: engine.clock,
    log,
    route: (input) => {
      if (!host.halted()) engine.router.input(input);
    },
    number: (dialled) => host.number(dialled),
    ivr: (id) => host.ivr(id),
    queue: (id) => engine.queueConfig(id),
    agent: (id) => engine.agentConfig(id),
    positionOf: (callId) => {
      const call = state().calls.get(callId);
      const q = call && state().queues.get(call.queueId);
      return call && q && call.state !== 'connected' ? positionOf(q, call) : undefined;
    },
    estimatedWaitMs: (queueId) => engine.estimatedWaitMs(queueId),
    claimLeg: (leg, session) => engine.claimLeg(leg, session),
    releaseLeg: (leg) => engine.releaseLeg(leg),
    finished: host.finished,
    recordingName: (callId) => `switchboard-${callId}`,
    agentDestination: (agentId) => engine.agentDestination(agentId),
    lookup: host.lookup,
    agentList: host.agentList,
    offering: (session, agentId, queueId) => engine.emit('call.offering', callNotice(session, agentId, queueId)),
    bridged: (session, agentId, queueId) => engine.emit('call.bridged', callNotice(session, agentId, queueId)),
    journal: (entry) => host.journal(entry),
    agentFree: (agentId) => {
      const a = state().agents.get(agentId);
      return a !== undefined && free(a);
    },
    agentReservedFor: (agentId) => {
      const a = state().agents.get(agentId);
      return a?.assisting ? a.callId : undefined;
    },
    dialAllowed: (number, agentId) => agentMayDial(engine.currentConfig, agentId, number),
    control: (notice) => engine.emit('call.control', notice),
    queueKey: (session, digit) => (host.virtualQueue()?.queueKey(session, digit) ?? false) || host.queueKeys().some((k) => k(session, digit)),
    callbackOffer: (session, queueId, language) => host.virtualQueue()?.callbackOffer(session, queueId, language),
    queuePriority: (session, queueId, priority) => host.virtualQueue()?.queuePriority(session, queueId, priority) ?? priority,
  };
}
