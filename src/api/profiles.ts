/**
 * What each profile may see (seed 002): admin everything; a supervisor the queues in its `queues`
 * list and the agents of its `groups`; an agent itself (and the queues it is a member of).
 * Pure functions, shared by the REST routes and the CTI gateway's event filters.
 */
import type { FastifyRequest } from 'fastify';
import type { Agent, Config } from '../domain/config.js';
import type { Cdr } from '../domain/cdr.js';
import type { Principal, Profile } from './auth.js';
import { forbidden, unauthorized } from './errors.js';

/** The caller of a protected route (set by the auth hook); throws UNAUTHORIZED on a public route. */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw unauthorized('missing credentials');
  return request.principal;
}

/** A route hook refusing any profile not listed: `{ onRequest: requireProfile('admin') }`. */
export function requireProfile(...allowed: Profile[]): (request: FastifyRequest) => Promise<void> {
  return async (request) => {
    const principal = principalOf(request);
    if (!allowed.includes(principal.profile)) throw forbidden(`requires profile ${allowed.join(' or ')}`);
  };
}

/** May `principal` see queue `queueId`? Pass `config` to let agents see the queues they are members of. */
export function canSeeQueue(principal: Principal, queueId: string, config?: Config): boolean {
  switch (principal.profile) {
    case 'admin':
      return true;
    case 'supervisor':
      return principal.queues?.includes(queueId) ?? false;
    case 'agent':
      return config?.memberships.some((m) => m.agent === principal.agentId && m.queue === queueId) ?? false;
  }
}

/**
 * May `principal` see `agent` (an id, looked up in `config`, or the agent itself)?
 * A supervisor sees the agents of its groups; an agent only itself.
 */
export function canSeeAgent(principal: Principal, agent: string | Pick<Agent, 'id' | 'groups'>, config: Config): boolean {
  const found = typeof agent === 'string' ? config.agents.find((a) => a.id === agent) : agent;
  const agentId = typeof agent === 'string' ? agent : agent.id;
  switch (principal.profile) {
    case 'admin':
      return true;
    case 'supervisor':
      return found !== undefined && found.groups.some((g) => principal.groups?.includes(g));
    case 'agent':
      return principal.agentId === agentId;
  }
}

/** CDR visibility: supervisors the CDRs of their queues, agents the calls they took. */
export function canSeeCdr(principal: Principal, cdr: Pick<Cdr, 'queueId' | 'agentId'>): boolean {
  switch (principal.profile) {
    case 'admin':
      return true;
    case 'supervisor':
      return cdr.queueId !== null && (principal.queues?.includes(cdr.queueId) ?? false);
    case 'agent':
      return cdr.agentId !== null && cdr.agentId === principal.agentId;
  }
}
