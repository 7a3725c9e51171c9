/**
 * Dialer campaigns over REST: `/dialers` (create, list, read with statistics, replace, delete),
 * start/pause/resume/stop, members (seed 003 JSON body, or CSV), attempts, member results as
 * CSV, do-not-call lists (per campaign and global) and preview accept/skip.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { formatPath } from '../../domain/config.js';
import { campaignSchema, membersBody } from '../../dialer/campaign.js';
import type { DialerAction, DialerService } from '../../dialer/dialer-service.js';
import { campaignStats } from '../../dialer/dialer-stats.js';
import { csvToItems, membersToCsv } from '../../dialer/members-csv.js';
import type { RouteDeps } from '../deps.js';
import { ApiError, validationFailed } from '../errors.js';
import { errorResponses } from '../error-responses.js';

const idParams = z.object({ id: z.string().min(1).max(64) });
const page = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  offset: z.coerce.number().int().min(0).default(0),
});
const phone = z.string().regex(/^\+?[0-9*#]{1,32}$/, 'digits, optionally with a leading +');
const dncBody = z.object({ numbers: z.array(phone).min(1).max(100_000) }).strict();

const notFound = (id: string) => new ApiError('NOT_FOUND', `dialer ${id} not found`);

export function dialerRoutes(service: DialerService) {
  return (_deps: RouteDeps): FastifyPluginAsyncZod =>
    async (app) => {
      const repo = service.repo;
      const now = () => service.engine.clock.now();
      const dialer = (id: string) => {
        const row = repo.get(id);
        if (!row) throw notFound(id);
        return row;
      };
      const view = (id: string) => {
        const row = dialer(id);
        const stats = repo.stats(id);
        const runner = row.state === 'stopped' ? undefined : service.runner(id);
        return { id: row.id, state: row.state, config: row.config, stats: { ...stats, ...campaignStats(service, id), live: runner?.liveCalls ?? 0 } };
      };
      app.addContentTypeParser('text/csv', { parseAs: 'string' }, (_req, body, done) => done(null, body));

      app.post('/dialers', { schema: { tags: ['dialer'], summary: 'Create a campaign (stopped)', body: campaignSchema, response: errorResponses(409) } }, async (request, reply) => {
        const c = request.body;
        if (repo.get(c.id)) throw new ApiError('CONFLICT', `dialer ${c.id} exists`);
        if (!service.engine.queueConfig(c.queue)) throw validationFailed([{ path: 'body.queue', message: `queue ${c.queue} not found` }]);
        service.create(c);
        return reply.code(201).send(view(c.id));
      });
      app.get('/dialers', { schema: { tags: ['dialer'], summary: 'Campaigns with their state and statistics' } }, async () => ({ items: repo.list().map((d) => view(d.id)) }));
      app.get('/dialers/:id', { schema: { tags: ['dialer'], summary: 'A campaign, its state and statistics', params: idParams, response: errorResponses(404) } }, async (request) => view(request.params.id));
      app.put('/dialers/:id', { schema: { tags: ['dialer'], summary: 'Replace a campaign\'s configuration (id unchanged)', params: idParams, body: campaignSchema, response: errorResponses(404) } }, async (request) => {
        dialer(request.params.id);
        if (request.body.id !== request.params.id) throw validationFailed([{ path: 'body.id', message: 'must equal the id in the path' }]);
        repo.update(request.body, now());
        return view(request.params.id);
      });
      app.delete('/dialers/:id', { schema: { tags: ['dialer'], summary: 'Delete a campaign with its members and attempts', params: idParams, response: errorResponses(404) } }, async (request, reply) => {
        if (!service.remove(request.params.id)) throw notFound(request.params.id);
        return reply.code(204).send();
      });

      for (const action of ['start', 'pause', 'resume', 'stop'] as DialerAction[]) {
        app.post(`/dialers/:id/${action}`, { schema: { tags: ['dialer'], summary: `${action} the campaign`, params: idParams, response: errorResponses(404, 409) } }, async (request) => {
          const r = service.act(request.params.id, action);
          if (!r) throw notFound(request.params.id);
          if (!r.ok) throw new ApiError('CONFLICT', `cannot ${action} a ${r.state} dialer`, { state: r.state });
          return { id: request.params.id, state: r.state };
        });
      }

      app.post('/dialers/:id/members', {
        schema: { tags: ['dialer'], summary: 'Load members (seed 003 body: items[] with communications[]); all or none are stored', params: idParams, body: membersBody, response: errorResponses(404) },
      }, async (request, reply) => {
        dialer(request.params.id);
        const ids = repo.addMembers(request.params.id, request.body.items, now());
        return reply.code(201).send({ count: ids.length, ids });
      });
      app.post('/dialers/:id/members/csv', {
        schema: { tags: ['dialer'], summary: 'Load members from CSV (columns name, priority, expire_at, bucket, timezone, destination…, var_<name>)', params: idParams, body: z.string().max(5 * 1024 * 1024), response: errorResponses(404) },
      }, async (request, reply) => {
        dialer(request.params.id);
        const parsed = membersBody.safeParse(csvToItems(request.body));
        if (!parsed.success) throw validationFailed(parsed.error.issues.map((i) => ({ path: `body.${formatPath(i.path)}`, message: i.message })));
        const ids = repo.addMembers(request.params.id, parsed.data.items, now());
        return reply.code(201).send({ count: ids.length, ids });
      });
      app.get('/dialers/:id/members', {
        schema: { tags: ['dialer'], summary: 'Members with state, result and attempts (paged)', params: idParams, querystring: page.extend({ state: z.enum(['waiting', 'dialing', 'done']).optional() }), response: errorResponses(404) },
      }, async (request) => {
        dialer(request.params.id);
        const { limit, offset, state } = request.query;
        return repo.members(request.params.id, { limit, offset, ...(state ? { state } : {}) });
      });
      app.get('/dialers/:id/members.csv', { schema: { tags: ['dialer'], summary: 'Member results as CSV', params: idParams, response: errorResponses(404) } }, async (request, reply) => {
        dialer(request.params.id);
        const all = repo.members(request.params.id, { limit: 1_000_000, offset: 0 }).items;
        return reply.type('text/csv; charset=utf-8').send(membersToCsv(all));
      });
      app.get('/dialers/:id/attempts', {
        schema: { tags: ['dialer'], summary: 'Every attempt: communication, start, answer, end, outcome, cause, agent, AMD (paged)', params: idParams, querystring: page.extend({ member: z.coerce.number().int().min(1).optional() }), response: errorResponses(404) },
      }, async (request) => {
        dialer(request.params.id);
        const { limit, offset, member } = request.query;
        return repo.attempts(request.params.id, { limit, offset, ...(member !== undefined ? { memberId: member } : {}) });
      });

      // Do-not-call: the campaign's list under /dialers/:id/dnc, the global one under /dnc.
      const scopeOf = (id: string | undefined) => (id === undefined ? '*' : (dialer(id), id));
      for (const [path, params] of [['/dialers/:id/dnc', idParams], ['/dnc', z.object({})]] as const) {
        app.get(path, { schema: { tags: ['dialer'], summary: 'Do-not-call numbers', params, response: errorResponses(404) } }, async (request) => ({ numbers: repo.dncList(scopeOf((request.params as { id?: string }).id)) }));
        app.post(path, { schema: { tags: ['dialer'], summary: 'Add numbers to a do-not-call list (checked at dial time)', params, body: dncBody, response: errorResponses(404) } }, async (request) => {
          const scope = scopeOf((request.params as { id?: string }).id);
          repo.dncAdd(scope, request.body.numbers, now());
          return { numbers: repo.dncList(scope).length };
        });
        app.delete(`${path}/:number`, { schema: { tags: ['dialer'], summary: 'Remove a number from a do-not-call list', params: (params as z.ZodObject).extend({ number: phone }), response: errorResponses(404) } }, async (request, reply) => {
          const p = request.params as { id?: string; number: string };
          if (!repo.dncRemove(scopeOf(p.id), p.number)) throw new ApiError('NOT_FOUND', 'number not on the list');
          return reply.code(204).send();
        });
      }

      const agentParams = idParams.extend({ agentId: z.string().min(1).max(64) });
      app.post('/dialers/:id/preview/:agentId/accept', { schema: { tags: ['dialer'], summary: 'Preview: the agent accepts the member on offer; we ring the agent, then dial', params: agentParams, response: errorResponses(404, 409) } }, async (request) => {
        dialer(request.params.id);
        if (!service.runner(request.params.id).acceptPreview(request.params.agentId)) throw new ApiError('CONFLICT', 'no preview on offer to this agent');
        return { accepted: true };
      });
      app.post('/dialers/:id/preview/:agentId/skip', {
        schema: { tags: ['dialer'], summary: 'Preview: the agent skips the member (stored with the reason)', params: agentParams, body: z.object({ reason: z.string().min(1).max(200) }).strict(), response: errorResponses(404, 409) },
      }, async (request) => {
        dialer(request.params.id);
        if (!service.runner(request.params.id).skipPreview(request.params.agentId, request.body.reason)) throw new ApiError('CONFLICT', 'no preview on offer to this agent');
        return { skipped: true };
      });
    };
}
