/**
 * Calls dialled from agents' own phones. The dialplan hands them to us (Stasis phone,<number>);
 * we find the agent rung on that endpoint, apply its dialling policy (config `phone_policies`),
 * and either refuse the call (hung up, CDR disposition `refused` with the reason as cause) or
 * dial the number through the trunk, bridge and record as the policy says (outbound CDR; the
 * agent shows AgentDialing, then AgentOnCall).
 */
import type { Engine, PhoneArrival } from '../calls/engine.js';
import { cdrStart } from '../domain/cdr.js';
import { checkNumber } from '../domain/dial-policy.js';
import type { Logger } from '../infra/logger.js';
import { AgentCall } from './agent-call.js';

/** Why a call from an agent's phone is refused (the CDR's hangupCause). */
export type PhoneCallRefusal = 'unknown-phone' | 'no-policy' | 'forbidden-number' | 'agent-busy';

export { checkNumber, policyFor, type PolicyVerdict } from '../domain/dial-policy.js';

/** Engine hook for call.arrived with origin `phone`. */
export function startPhoneCall(engine: Engine, e: PhoneArrival, rootLog: Logger): void {
  const log = rootLog.child({ mod: 'phone-call', callId: e.callId, legId: e.leg });
  const endpoint = e.endpoint ?? e.from;
  const agentId = engine.agentOnEndpoint(endpoint);
  const agent = agentId ? engine.agentConfig(agentId) : undefined;
  if (!agent) return refuse(engine, e, 'unknown-phone', undefined, log);
  const verdict = checkNumber(engine.currentConfig, agent, e.to);
  if (!verdict.ok) return refuse(engine, e, verdict.reason, agent.id, log);
  // A logged-in agent is reserved (AgentDialing) so no queue call is offered meanwhile; one that is
  // ringing, on a call or in wrap-up is busy. A logged-out agent's phone may still dial out.
  const loggedIn = engine.agentSnapshot(agent.id)?.presence !== 'loggedout';
  if (loggedIn) {
    engine.router.input({ type: 'agent.outbound', agentId: agent.id, callId: e.callId });
    if (engine.router.state.agents.get(agent.id)?.callId !== e.callId) return refuse(engine, e, 'agent-busy', agent.id, log);
  }
  const policy = verdict.policy;
  log.info({ agentId: agent.id, policy: policy.id }, 'agent phone dials out');
  log.debug({ to: e.to }, 'agent phone dials out: number');
  const line = engine.agentLineOf(agent.id) ?? endpoint;
  const call = new AgentCall(
    engine,
    {
      callId: e.callId,
      agentId: agent.id,
      destination: e.to,
      agentLeg: { kind: 'arrived', leg: e.leg },
      customerCallerId: { number: policy.caller_id ?? line, ...(policy.caller_name ? { name: policy.caller_name } : {}) },
      timeoutMs: policy.answer_timeout_s * 1000,
      record: policy.record,
      variables: {},
      reserved: loggedIn,
      caller: line,
      kind: 'phone-call',
    },
    log,
  );
  void call.run();
}

function refuse(engine: Engine, e: PhoneArrival, reason: PhoneCallRefusal, agentId: string | undefined, log: Logger): void {
  log.info({ agentId, reason }, 'agent phone call refused');
  void engine.pbx.hangup(e.leg, 'rejected').catch((err: unknown) => log.debug({ err }, 'hang-up of a refused phone call failed'));
  const now = engine.clock.now();
  engine.recordCdr({
    ...cdrStart({ callId: e.callId, legId: e.leg, direction: 'outbound', numberId: null, dialled: e.to, caller: agentId ? (engine.agentLineOf(agentId) ?? e.from) : e.from, callerName: e.fromName ?? null, startedAt: now }),
    agentId: agentId ?? null,
    agentLegId: e.leg,
    endedAt: now,
    hangupSide: 'system',
    hangupCause: reason,
    disposition: 'refused',
  });
}
