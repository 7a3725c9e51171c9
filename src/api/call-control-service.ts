/**
 * Agents' call control over the API (REST and CTI): hold, transfers, consult, conference on the
 * call an agent owns. An agent acts on its own call; supervisors and admins on the agents their
 * profile covers. The call goes on untouched when a command is refused.
 */
import type { CallControl } from '../calls/control/call-control.js';
import { ControlError, type ControlErrorCode, type ControlTarget } from '../calls/control/types.js';
import type { Engine } from '../calls/engine.js';
import type { Principal } from './auth.js';
import { ApiError, forbidden, notFound, validationFailed } from './errors.js';
import { canSeeAgent } from './profiles.js';

export type CallAction =
  | { verb: 'hold' | 'unhold' | 'complete' | 'cancel' | 'swap' | 'drop' }
  | { verb: 'transfer' | 'consult' | 'conference'; to: ControlTarget };

/** The call after the command: what a desktop shows. */
export interface CallControlState {
  agentId: string;
  callId: string;
  onHold: boolean;
  party: { kind: 'consult' | 'conference'; target: string; answered: boolean } | null;
}

const STATUS: Record<ControlErrorCode, ConstructorParameters<typeof ApiError>[0]> = {
  NO_ACTIVE_CALL: 'NO_ACTIVE_CALL',
  AGENT_NOT_FOUND: 'AGENT_NOT_FOUND',
  QUEUE_NOT_FOUND: 'QUEUE_NOT_FOUND',
  AGENT_NOT_AVAILABLE: 'AGENT_NOT_AVAILABLE',
  DESTINATION_NOT_ALLOWED: 'DESTINATION_NOT_ALLOWED',
  INVALID_CALL_STATE: 'INVALID_CALL_STATE',
};

export function createCallControlService(engine: Engine) {
  function control(p: Principal, agentId: string | undefined): { id: string; ctl: CallControl } {
    const id = agentId ?? p.agentId;
    if (!id) throw validationFailed([{ path: 'params.id', message: 'required: the caller has no agent of its own' }]);
    if (!engine.agentConfig(id)) throw notFound('AGENT_NOT_FOUND', `agent ${id}`);
    if (!canSeeAgent(p, id, engine.currentConfig)) throw forbidden(`agent ${id} is outside your profile`);
    return { id, ctl: apiErrors(() => engine.callControl(id)) };
  }

  return {
    async act(p: Principal, agentId: string | undefined, action: CallAction): Promise<CallControlState> {
      const { id, ctl } = control(p, agentId);
      await apiErrorsAsync(async () => {
        switch (action.verb) {
          case 'hold':
            return ctl.hold();
          case 'unhold':
            return ctl.unhold();
          case 'transfer':
            return ctl.transfer(action.to);
          case 'consult':
            return ctl.consult(action.to);
          case 'conference':
            return ctl.conference(action.to);
          case 'complete':
            return ctl.complete();
          case 'cancel':
            return ctl.cancelConsult();
          case 'swap':
            return ctl.swap();
          case 'drop':
            return ctl.dropConference();
        }
      });
      const party = ctl.party;
      return {
        agentId: id,
        callId: ctl.callId,
        onHold: ctl.onHold,
        party: party ? { kind: party.kind, target: party.target, answered: party.answered } : null,
      };
    },
  };
}

export type CallControlService = ReturnType<typeof createCallControlService>;

function toApi(err: unknown): unknown {
  return err instanceof ControlError ? new ApiError(STATUS[err.code], err.message) : err;
}

function apiErrors<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    throw toApi(err);
  }
}

async function apiErrorsAsync<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw toApi(err);
  }
}
