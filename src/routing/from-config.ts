import type { Config, Queue } from '../domain/config.js';
import type { RoutingConfig, RoutingMember, RoutingQueueConfig } from './types.js';

const s2ms = (s: number) => Math.round(s * 1000);

export function routingQueue(q: Queue): RoutingQueueConfig {
  return {
    id: q.id,
    strategy: q.strategy,
    weight: q.weight,
    overflowDelayMs: s2ms(q.overflow_delay_s),
    answerTimeoutMs: s2ms(q.answer_timeout_s),
    maxNoAnswer: q.max_no_answer,
    retryMs: s2ms(q.retry_s),
    wrapupMs: s2ms(q.wrapup_s),
    maxWaitMs: s2ms(q.max_wait_s),
    joinEmpty: q.join_empty,
    exit: q.exit,
    ...(q.skills ? { skillsRequired: q.skills.required, skillsRelaxAfterMs: s2ms(q.skills.relax_after_s) } : {}),
  };
}

/**
 * Merge group tiers and direct memberships into one member list.
 * An agent reaches a queue through its groups (tier = the best group priority) or directly
 * (tier = the queue's first tier); a direct membership also sets the penalty (default 0).
 */
export function routingConfig(cfg: Config): RoutingConfig {
  const members = new Map<string, RoutingMember>();
  const agentsByGroup = new Map<string, string[]>();
  for (const a of cfg.agents) {
    for (const g of a.groups) {
      const list = agentsByGroup.get(g) ?? [];
      list.push(a.id);
      agentsByGroup.set(g, list);
    }
  }
  for (const q of cfg.queues) {
    const firstTier = q.groups.reduce((min, g) => Math.min(min, g.priority), Number.POSITIVE_INFINITY);
    for (const g of q.groups) {
      for (const agentId of agentsByGroup.get(g.group) ?? []) {
        const key = `${agentId}\u0000${q.id}`;
        const prev = members.get(key);
        if (!prev || g.priority < prev.tier) members.set(key, { agentId, queueId: q.id, tier: g.priority, penalty: 0 });
      }
    }
    for (const m of cfg.memberships) {
      if (m.queue !== q.id) continue;
      const key = `${m.agent}\u0000${q.id}`;
      const prev = members.get(key);
      const tier = prev?.tier ?? (Number.isFinite(firstTier) ? firstTier : 1);
      members.set(key, { agentId: m.agent, queueId: q.id, tier, penalty: m.penalty });
    }
  }
  return {
    queues: cfg.queues.map(routingQueue),
    agents: cfg.agents.map((a) => (a.skills ? { id: a.id, skills: a.skills } : { id: a.id })),
    members: [...members.values()],
  };
}
