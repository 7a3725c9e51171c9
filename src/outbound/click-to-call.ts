/**
 * Click-to-call (seed 000 method 2, seed 001 click2call) and CreateCall (seed 003): ring the agent
 * first (with an auto-answer header when asked); when the agent answers, dial the customer with the
 * configured caller id and bridge the two, recorded when asked. The agent is reserved in routing
 * (AgentDialing, then AgentOnCall) so no queue call is offered meanwhile.
 */
import { dialAllowed } from '../domain/dial-policy.js';
import type { Engine } from '../calls/engine.js';
import type { Logger } from '../infra/logger.js';
import { AgentCall, usrVariables } from './agent-call.js';

export interface ClickToCallRequest {
  agentId: string;
  /** The customer's number. */
  destination: string;
  /** Caller id shown to the customer; defaults to the config's click_to_call.caller_id. */
  callerId?: string;
  /** Shown on the agent's phone while it rings; defaults to the destination. */
  agentCallerId?: string;
  variables?: Record<string, string>;
  /** Ask the agent's phone to answer by itself (seed 003 params.auto_answer). */
  autoAnswer?: boolean;
  /** Record the call once bridged (seed 003 params.record). */
  record?: boolean;
  /** A callback-list request's call: CDR direction `callback`, with the call the request came from. */
  callback?: { parentCallId: string | null };
}

export type ClickToCallError =
  | { code: 'DESTINATION_NOT_ALLOWED'; message: string }
  | { code: 'AGENT_NOT_FOUND'; message: string }
  | { code: 'AGENT_NOT_AVAILABLE'; message: string };

export type ClickToCallResult = { ok: true; callId: string } | { ok: false; error: ClickToCallError };

export function startClickToCall(engine: Engine, req: ClickToCallRequest, log: Logger, kind = 'click-to-call'): ClickToCallResult {
  const cfg = engine.currentConfig.click_to_call;
  if (!dialAllowed(cfg, req.destination)) {
    return { ok: false, error: { code: 'DESTINATION_NOT_ALLOWED', message: `destination does not match the allowed pattern ${cfg.allow}` } };
  }
  const agent = engine.agentConfig(req.agentId);
  const agentDestination = engine.agentDestination(req.agentId);
  if (!agent || !agentDestination) return { ok: false, error: { code: 'AGENT_NOT_FOUND', message: `agent ${req.agentId} not found` } };
  const callId = engine.newCallIdFor();
  engine.router.input({ type: 'agent.outbound', agentId: req.agentId, callId });
  if (engine.router.state.agents.get(req.agentId)?.callId !== callId) {
    return { ok: false, error: { code: 'AGENT_NOT_AVAILABLE', message: `agent ${req.agentId} is not logged in or is busy` } };
  }
  const callerId = req.callerId ?? cfg.caller_id;
  const call = new AgentCall(
    engine,
    {
      callId,
      agentId: req.agentId,
      destination: req.destination,
      agentLeg: {
        kind: 'ring',
        destination: agentDestination,
        callerId: { number: req.agentCallerId ?? cfg.agent_caller_id ?? req.destination, name: `Call ${req.destination}` },
        ...(req.autoAnswer ? { autoAnswer: true } : {}),
      },
      customerCallerId: { number: callerId ?? req.destination },
      timeoutMs: cfg.answer_timeout_s * 1000,
      record: req.record === true,
      variables: usrVariables(req.variables),
      reserved: true,
      caller: engine.agentLineOf(req.agentId) ?? req.agentId,
      kind,
      ...(req.callback ? { direction: 'callback' as const, parentCallId: req.callback.parentCallId } : {}),
    },
    log.child({ callId }),
  );
  void call.run();
  return { ok: true, callId };
}
