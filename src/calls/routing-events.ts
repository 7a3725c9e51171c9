/**
 * The routing core's events, carried out by the engine: queue-log lines written (and hold times
 * learnt from CONNECT), agent states logged and persisted, and each passed on to listeners.
 */
import type { EventEmitter } from 'node:events';
import type { QueueLogEntry } from '../domain/queue-log.js';
import type { Logger } from '../infra/logger.js';
import type { RoutingEvent } from '../routing/types.js';
import type { EngineEvents } from './engine-types.js';
import type { HoldTimes } from './engine-snapshots.js';

export interface RoutingEventHost {
  log: Logger;
  queueLog: { append(entries: QueueLogEntry[]): void };
  holdTimes: HoldTimes;
  /** Persist the agent's login state if it changed. */
  saveAgentSession(agentId: string): void;
  emit: EventEmitter<EngineEvents>['emit'];
}

export function onRoutingEvent(h: RoutingEventHost, e: RoutingEvent): void {
  switch (e.type) {
    case 'queue.log': {
      const entry: QueueLogEntry = { at: e.at, callId: e.callId ?? null, queueId: e.queueId, agentId: e.agentId ?? null, event: e.event, data: e.data };
      h.queueLog.append([entry]);
      if (e.event === 'CONNECT') h.holdTimes.add(e.queueId, Number(e.data.holdtime ?? 0) * 1000);
      h.emit('queue.log', entry);
      return;
    }
    case 'agent.state':
      h.log.info({ agentId: e.agentId, from: e.previous, to: e.presence, reason: e.reason }, 'agent state');
      h.saveAgentSession(e.agentId);
      h.emit('agent.state', e);
      return;
    case 'member.changed':
      h.emit('member.changed', e);
      return;
    case 'agent.reachable':
      h.log.info({ agentId: e.agentId, reachable: e.reachable }, 'agent reachability');
      h.emit('agent.reachable', e);
      return;
    case 'agent.dnd':
      h.log.info({ agentId: e.agentId, dnd: e.dnd }, 'agent do-not-disturb');
      h.saveAgentSession(e.agentId);
      h.emit('agent.dnd', e);
      return;
    case 'ignored':
      h.log.debug({ input: e.input, reason: e.reason }, 'routing input ignored');
      return;
  }
}
