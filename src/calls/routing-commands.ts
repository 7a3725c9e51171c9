/** The routing core's commands to calls (offer, cancel, connect, exit), carried out on their sessions. */
import type { RoutingCommand, RoutingInput } from '../routing/types.js';
import type { CallSession } from './session.js';
import type { VirtualQueuePort } from './virtual-queue-port.js';

export type CallCommand = Exclude<RoutingCommand, { type: 'timer.set' | 'timer.clear' }>;

/**
 * `session` is the command's call, if live; a call the virtual queue holds gets the command there.
 * A command for a call gone meanwhile answers the router (offer failed, call ended).
 */
export function runCallCommand(cmd: CallCommand, session: CallSession | undefined, virtualQueue: VirtualQueuePort | undefined, route: (input: RoutingInput) => void): void {
  if (!session && virtualQueue?.owns(cmd.callId)) return virtualQueue.command(cmd);
  switch (cmd.type) {
    case 'offer':
      if (session) session.offer(cmd.agentId, cmd.queueId, cmd.timeoutMs);
      else route({ type: 'offer.failed', callId: cmd.callId, agentId: cmd.agentId, cause: 'failed' });
      return;
    case 'offer.cancel':
      session?.cancelOffer(cmd.agentId);
      return;
    case 'consult.cancel':
      session?.control.cancelAgent(cmd.agentId);
      return;
    case 'connect':
      if (session) session.connect(cmd.agentId);
      else route({ type: 'call.end', callId: cmd.callId, side: 'caller' });
      return;
    case 'call.exit':
      session?.exitQueue(cmd.reason, cmd.destination);
      return;
  }
}
