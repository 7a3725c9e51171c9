/**
 * Seed 002 Callback methods and events on the CTI WebSocket: the commands call the callback-list
 * service for the agent (an agent commands itself; supervisors and admins name the agent), and the
 * service's events go to whoever sees that agent.
 */
import type { CallbackList } from '../../domain/callback-list.js';
import { CallbackError, type CallbackEvent, type CallbackListService } from '../../outbound/callback-lists.js';
import type { Principal } from '../auth.js';
import { callbackApiError } from '../callback-error.js';
import { ApiError, validationFailed } from '../errors.js';
import type { CtiCommand } from './commands.js';
import type { CtiCommandResult, CtiEvent, CtiEventType } from './events.js';

type CallbackCommand = Extract<CtiCommand, { command: 'getCallbackLists' | 'takeCallback' | 'releaseCallback' | 'startCallback' | 'updateCallbackTicket' | 'listenCallbackMessage' }>;

export function ctiCallbackCommand(service: CallbackListService | undefined, p: Principal, cmd: CallbackCommand, sendList: (list: CallbackList) => void): CtiCommandResult {
  if (!service) throw new ApiError('NOT_FOUND', 'callback lists are not served here');
  const agentId = cmd.agentId ?? p.agentId;
  if (!agentId) throw validationFailed([{ path: 'agentId', message: 'name the agent' }], 'agentId: name the agent');
  if (p.profile === 'agent' && agentId !== p.agentId) throw new ApiError('FORBIDDEN', 'an agent works its own callbacks');
  try {
    switch (cmd.command) {
      case 'getCallbackLists': {
        const lists = service.getCallbackLists(agentId);
        for (const l of lists) sendList(l);
        return { lists: lists.length };
      }
      case 'takeCallback':
        return service.take(cmd.uuid, agentId);
      case 'releaseCallback':
        return service.release(cmd.uuid, agentId);
      case 'startCallback':
        return service.start(cmd.uuid, cmd.phoneNumber, agentId);
      case 'updateCallbackTicket':
        return service.updateTicket(cmd.uuid, agentId, { status: cmd.status, description: cmd.description, dueDate: cmd.dueDate, periodUuid: cmd.periodUuid });
      case 'listenCallbackMessage':
        return service.listenMessage(cmd.uuid, agentId);
    }
  } catch (err) {
    if (err instanceof CallbackError) throw callbackApiError(err);
    throw err;
  }
}

type Broadcast<C> = <K extends CtiEventType>(msgType: K, ctiMessage: CtiEvent<K>, admit: (c: C) => boolean) => void;

/** Forward the service's events; returns the unsubscribe. `sees` is undefined when nobody is connected. */
export function ctiCallbackEvents<C>(service: CallbackListService | undefined, sees: (agentId: string) => ((c: C) => boolean) | undefined, broadcast: Broadcast<C>): () => void {
  if (!service) return () => undefined;
  const listener = (e: CallbackEvent) => {
    const admit = sees(e.agentId);
    if (!admit) return;
    switch (e.eventType) {
      case 'CallbackTaken':
      case 'CallbackReleased':
      case 'CallbackClotured':
        return broadcast(e.eventType, { uuid: e.uuid, agentId: e.agentId }, admit);
      case 'CallbackStarted':
        return broadcast('CallbackStarted', { requestUuid: e.requestUuid, ticketUuid: e.ticketUuid, agentId: e.agentId }, admit);
      case 'CallbackRequestUpdated':
        return broadcast('CallbackRequestUpdated', { request: e.request, agentId: e.agentId }, admit);
    }
  };
  service.on('event', listener);
  return () => service.off('event', listener);
}
