/**
 * Calls started through the API on behalf of agents and queues: dialFromQueue (seed 002) and
 * CreateCall (seed 003). Shared by the REST routes and the CTI WebSocket; errors come from the
 * catalogue (QUEUE_NOT_FOUND / AGENT_NOT_FOUND 404, DESTINATION_NOT_ALLOWED 403,
 * AGENT_NOT_AVAILABLE 409, PBX_UNAVAILABLE 503).
 */
import type { Engine } from '../calls/engine.js';
import type { Logger } from '../infra/logger.js';
import { startClickToCall } from '../outbound/click-to-call.js';
import { startDialFromQueue } from '../outbound/dial-from-queue.js';
import type { Principal } from './auth.js';
import { ApiError, forbidden, notFound, validationFailed } from './errors.js';
import { canSeeAgent, canSeeQueue } from './profiles.js';

export interface DialFromQueueBody {
  destination: string;
  queueId: string;
  callerIdName?: string | undefined;
  callerIdNumber?: string | undefined;
  variables?: Record<string, string> | undefined;
}

export interface CreateCallBody {
  destination: string;
  from: { extension: string };
  params?: { audio?: boolean | undefined; auto_answer?: boolean | undefined; record?: boolean | undefined; variables?: Record<string, string> | undefined } | undefined;
}

export type OutboundService = ReturnType<typeof createOutboundService>;

export function createOutboundService({ engine, log }: { engine: Engine; log: Logger }) {
  /** The agent an extension belongs to: a hot-desk line it is logged in on, its phone, or its id. */
  function agentOfExtension(extension: string): string | undefined {
    return engine.agentOnLine(extension) ?? engine.agentOnEndpoint(extension) ?? (engine.agentConfig(extension) ? extension : undefined);
  }

  return {
    dialFromQueue(p: Principal, body: DialFromQueueBody): { callId: string } {
      const queue = engine.queueConfig(body.queueId);
      if (!queue) throw notFound('QUEUE_NOT_FOUND', `queue ${body.queueId}`);
      const cfg = engine.currentConfig;
      const member = p.agentId !== undefined && (engine.agentSnapshot(p.agentId)?.queues.some((q) => q.queueId === queue.id) ?? false);
      if (p.profile === 'agent' ? !member : !canSeeQueue(p, queue.id, cfg)) throw forbidden(`queue ${queue.id} is outside your profile`);
      const result = startDialFromQueue(
        engine,
        {
          destination: body.destination,
          queueId: queue.id,
          ...(body.callerIdName ? { callerIdName: body.callerIdName } : {}),
          ...(body.callerIdNumber ? { callerIdNumber: body.callerIdNumber } : {}),
          ...(body.variables ? { variables: body.variables } : {}),
        },
        log,
      );
      if (result.ok) return { callId: result.callId };
      switch (result.error.code) {
        case 'QUEUE_NOT_FOUND':
          throw notFound('QUEUE_NOT_FOUND', `queue ${body.queueId}`);
        case 'DESTINATION_NOT_ALLOWED':
          throw new ApiError('DESTINATION_NOT_ALLOWED', result.error.message, { field: 'destination' });
        case 'NO_AGENT_LOGGED_IN':
          throw new ApiError('AGENT_NOT_AVAILABLE', result.error.message, { queueId: queue.id });
        case 'PBX_UNAVAILABLE':
          throw new ApiError('PBX_UNAVAILABLE', result.error.message);
      }
    },

    /** Seed 003 CreateCall: ring the agent's extension (auto-answer when asked), then the destination. */
    createCall(p: Principal, body: CreateCallBody): { id: string } {
      if (body.params?.audio === false) throw validationFailed([{ path: 'body.params.audio', message: 'only audio calls are supported' }]);
      const agentId = agentOfExtension(body.from.extension);
      if (!agentId) throw notFound('AGENT_NOT_FOUND', `no agent on extension ${body.from.extension}`);
      if (!canSeeAgent(p, agentId, engine.currentConfig) || (p.profile === 'agent' && p.agentId !== agentId)) throw forbidden(`agent ${agentId} is outside your profile`);
      const params = body.params ?? {};
      const result = startClickToCall(
        engine,
        {
          agentId,
          destination: body.destination,
          ...(params.variables ? { variables: params.variables } : {}),
          ...(params.auto_answer ? { autoAnswer: true } : {}),
          ...(params.record ? { record: true } : {}),
        },
        log,
        'create-call',
      );
      if (result.ok) return { id: result.callId };
      if (result.error.code === 'DESTINATION_NOT_ALLOWED') throw new ApiError('DESTINATION_NOT_ALLOWED', result.error.message, { field: 'destination' });
      if (result.error.code === 'AGENT_NOT_FOUND') throw notFound('AGENT_NOT_FOUND', `agent ${agentId}`);
      throw new ApiError('AGENT_NOT_AVAILABLE', result.error.message, { agentId });
    },
  };
}
