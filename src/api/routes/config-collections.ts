import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { agentSchema, groupSchema, ivrSchema, lineSchema, membershipSchema, numberSchema, queueSchema, type Config } from '../../domain/config.js';
import type { RouteDeps } from '../deps.js';
import { canSeeAgent, canSeeQueue } from '../profiles.js';
import { agentSkillRoutes } from './agent-skills.js';
import { collectionRoutes } from './config-collection.js';

const byId = z.object({ id: z.string().min(1).max(64) });
const withoutMembershipsOf = (key: 'agent' | 'queue', id: string) => (config: Config): Config => ({
  ...config,
  memberships: config.memberships.filter((m) => m[key] !== id),
});

/** CRUD for numbers, ivrs, queues, groups, agents, memberships and lines; agents' skills. */
export function configCollectionRoutes(deps: RouteDeps): FastifyPluginAsyncZod {
  const plugins = [
    collectionRoutes(deps, { section: 'numbers', noun: 'number', item: numberSchema, params: byId, itemPath: '/numbers/:id', keyFields: ['id'], matches: (n, p) => n.id === p.id, notFound: 'NOT_FOUND' }),
    collectionRoutes(deps, { section: 'ivrs', noun: 'ivr', item: ivrSchema, params: byId, itemPath: '/ivrs/:id', keyFields: ['id'], matches: (n, p) => n.id === p.id, notFound: 'NOT_FOUND' }),
    collectionRoutes(deps, {
      section: 'queues', noun: 'queue', item: queueSchema, params: byId, itemPath: '/queues/:id', keyFields: ['id'],
      matches: (q, p) => q.id === p.id, notFound: 'QUEUE_NOT_FOUND',
      visible: (principal, q, config) => canSeeQueue(principal, q.id, config),
      // A queue's memberships go with it; numbers, IVR keys and exits that name it must change first (409).
      cascade: (config, q) => withoutMembershipsOf('queue', q.id)(config),
    }),
    collectionRoutes(deps, { section: 'groups', noun: 'group', item: groupSchema, params: byId, itemPath: '/groups/:id', keyFields: ['id'], matches: (g, p) => g.id === p.id, notFound: 'NOT_FOUND' }),
    collectionRoutes(deps, {
      section: 'agents', noun: 'agent', item: agentSchema, params: byId, itemPath: '/agents/:id', keyFields: ['id'],
      matches: (a, p) => a.id === p.id, notFound: 'AGENT_NOT_FOUND',
      visible: (principal, a, config) => canSeeAgent(principal, a, config),
      cascade: (config, a) => withoutMembershipsOf('agent', a.id)(config),
    }),
    collectionRoutes(deps, {
      section: 'memberships', noun: 'membership', item: membershipSchema,
      params: z.object({ agent: z.string().min(1).max(64), queue: z.string().min(1).max(64) }),
      itemPath: '/memberships/:agent/:queue', keyFields: ['agent', 'queue'],
      matches: (m, p) => m.agent === p.agent && m.queue === p.queue, notFound: 'NOT_FOUND',
    }),
    collectionRoutes(deps, {
      section: 'lines', noun: 'line', item: lineSchema, params: z.object({ number: z.string().min(1).max(33) }),
      itemPath: '/lines/:number', keyFields: ['number'], matches: (l, p) => l.number === p.number, notFound: 'NOT_FOUND',
    }),
    agentSkillRoutes(deps),
  ];
  return async (app) => {
    for (const plugin of plugins) await app.register(plugin);
  };
}
