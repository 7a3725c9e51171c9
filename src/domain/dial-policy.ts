/**
 * Which outside numbers may be dialled: click-to-call and CreateCall destinations
 * (`click_to_call.allow`), and what an agent dials itself — from its phone, or by transferring,
 * consulting or conferencing — under its `phone_policies` entry when one covers it.
 */
import type { Agent, Config, PhonePolicy } from './config.js';

export type PolicyVerdict = { ok: true; policy: PhonePolicy } | { ok: false; reason: 'no-policy' | 'forbidden-number' };

const DIGITS = /^\+?[0-9]{1,32}$/;

/** Digits (optionally a leading +) matching `click_to_call.allow`. */
export function dialAllowed(cfg: Config['click_to_call'], number: string): boolean {
  return DIGITS.test(number) && new RegExp(cfg.allow).test(number);
}

/** The policy that applies to an agent: one naming it, else the first naming one of its groups. */
export function policyFor(config: Config, agent: Agent): PhonePolicy | undefined {
  return config.phone_policies.find((p) => p.agents.includes(agent.id)) ?? config.phone_policies.find((p) => p.groups.some((g) => agent.groups.includes(g)));
}

/** May this agent dial this number from its phone? Only under a policy that covers it. */
export function checkNumber(config: Config, agent: Agent, number: string): PolicyVerdict {
  const policy = policyFor(config, agent);
  if (!policy) return { ok: false, reason: 'no-policy' };
  if (policy.deny.some((p) => new RegExp(p).test(number))) return { ok: false, reason: 'forbidden-number' };
  if (!policy.allow.some((p) => new RegExp(p).test(number))) return { ok: false, reason: 'forbidden-number' };
  return { ok: true, policy };
}

/**
 * May this agent bring this number into a call (transfer, consult, conference)? Its phone policy
 * when one covers it, else `click_to_call.allow`.
 */
export function agentMayDial(config: Config, agentId: string | undefined, number: string): boolean {
  if (!DIGITS.test(number)) return false;
  const agent = agentId ? config.agents.find((a) => a.id === agentId) : undefined;
  if (agent && policyFor(config, agent)) return checkNumber(config, agent, number).ok;
  return dialAllowed(config.click_to_call, number);
}
