import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { UserInput } from '../auth.js';
import type { RouteDeps } from '../deps.js';
import { errorResponses } from '../error-responses.js';
import { notFound, validationFailed } from '../errors.js';
import { requireProfile } from '../profiles.js';

const username = z.string().min(1).max(64).regex(/^[A-Za-z0-9_.@-]+$/, 'letters, digits, and _ . @ - only');
const ids = z.array(z.string().min(1).max(64)).max(1000);
const userBody = z
  .object({
    password: z.string().min(8, 'at least 8 characters').max(256),
    profile: z.enum(['admin', 'supervisor', 'agent']),
    agentId: z.string().min(1).max(64).optional().describe('Required for the agent profile'),
    queues: ids.optional().describe('Supervisor: the queues it sees'),
    groups: ids.optional().describe('Supervisor: the agent groups it sees'),
  })
  .strict();
const userView = z.object({
  username: z.string(),
  profile: z.enum(['admin', 'supervisor', 'agent']),
  agentId: z.string().nullable(),
  queues: z.array(z.string()),
  groups: z.array(z.string()),
  createdAt: z.number(),
  updatedAt: z.number(),
});

/** Users and their profiles (seed 002): admin, supervisor (queues and groups), agent (its agent id). */
export function userRoutes(deps: RouteDeps): FastifyPluginAsyncZod {
  const tags = ['users'];
  const params = z.object({ username });

  function checked(input: UserInput): UserInput {
    if (input.profile !== 'agent') return input;
    if (!input.agentId) throw validationFailed([{ path: 'body.agentId', message: 'required for the agent profile' }]);
    if (!deps.engine.currentConfig.agents.some((a) => a.id === input.agentId)) {
      throw validationFailed([{ path: 'body.agentId', message: `unknown agent "${input.agentId}"` }]);
    }
    return input;
  }

  return async (app) => {
    app.addHook('onRequest', requireProfile('admin'));
    app.post('/users', { schema: { tags, summary: 'Create a user', body: userBody.extend({ username }), response: { 201: userView, ...errorResponses(409) } } }, async (request, reply) => {
      const { username: name, ...input } = request.body;
      return reply.code(201).send(await deps.auth.createUser(name, checked(input)));
    });
    app.get('/users', { schema: { tags, summary: 'List users', response: { 200: z.array(userView) } } }, async () => deps.auth.listUsers());
    app.get('/users/:username', { schema: { tags, summary: 'Read a user', params, response: { 200: userView } } }, async (request) => {
      const user = deps.auth.user(request.params.username);
      if (!user) throw notFound('USER_NOT_FOUND', `user "${request.params.username}"`);
      return user;
    });
    app.put('/users/:username', { schema: { tags, summary: 'Replace a user (password included)', params, body: userBody, response: { 200: userView } } }, async (request) => {
      const user = await deps.auth.updateUser(request.params.username, checked(request.body));
      if (!user) throw notFound('USER_NOT_FOUND', `user "${request.params.username}"`);
      return user;
    });
    app.delete('/users/:username', { schema: { tags, summary: 'Delete a user and its sessions', params } }, async (request, reply) => {
      if (!deps.auth.deleteUser(request.params.username)) throw notFound('USER_NOT_FOUND', `user "${request.params.username}"`);
      return reply.code(204).send();
    });
  };
}
