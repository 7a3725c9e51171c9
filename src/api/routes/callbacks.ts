/**
 * Callback lists over REST (seed 002 Callback methods): lists and requests for supervisors and
 * CRMs; getCallbackLists, takeCallback, releaseCallback, startCallback and updateCallbackTicket
 * for an agent. Answers carry seed 002's event shapes (CallbackTaken, CallbackStarted, …).
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { TICKET_STATUSES } from '../../domain/callback-list.js';
import { CallbackError, type CallbackListService } from '../../outbound/callback-lists.js';
import { parseCallbackCsv } from '../../outbound/callback-csv.js';
import type { RouteDeps } from '../deps.js';
import { callbackApiError } from '../callback-error.js';
import { partPath } from '../error-mapper.js';
import { forbidden, validationFailed } from '../errors.js';
import { canSeeAgent, canSeeQueue, principalOf } from '../profiles.js';
import { errorResponses } from '../error-responses.js';

const time = z.string().regex(/^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$/, 'a time HH:MM[:SS]');
const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date YYYY-MM-DD');
const phone = z.string().regex(/^\+?[0-9]{2,20}$/, 'a phone number');
const uuid = z.string().min(1).max(64);
const agentId = z.string().min(1).max(64);

const period = z.object({ uuid: z.string(), name: z.string(), periodStart: z.string(), periodEnd: z.string(), default: z.boolean() });
const request = z.object({
  uuid: z.string(), listUuid: z.string(), phoneNumber: z.string().nullable(), mobilePhoneNumber: z.string().nullable(),
  firstName: z.string().nullable(), lastName: z.string().nullable(), company: z.string().nullable(), description: z.string().nullable(),
  agentId: z.string().nullable(), dueDate: z.string().nullable(), preferredPeriod: period.nullable(),
  parentCallId: z.string().nullable().describe('The call the request was left from (the queue\'s callback_message key)'),
  message: z.string().nullable().describe("The caller's voice message (a recording name); listenCallbackMessage plays it"),
  messageMs: z.number().int().nullable(),
});
const list = z.object({ uuid: z.string(), name: z.string(), queueId: z.string(), auto: z.boolean(), periods: z.array(period), callbacks: z.array(request) });

export const listBody = z
  .object({
    name: z.string().min(1).max(200),
    queueId: z.string().min(1).max(64),
    auto: z.boolean().default(false).describe("Offer due requests (due date reached, inside their preferred period) to the queue's agents like calls: the agent's phone rings, then the number"),
    periods: z.array(z.object({ name: z.string().min(1).max(80), periodStart: time, periodEnd: time, default: z.boolean().default(false) }).strict()).max(20).optional(),
  })
  .strict();

export const requestBody = z
  .object({
    phoneNumber: phone.optional(),
    mobilePhoneNumber: phone.optional(),
    firstName: z.string().max(100).optional(),
    lastName: z.string().max(100).optional(),
    company: z.string().max(200).optional(),
    description: z.string().max(2000).optional(),
    dueDate: date.optional(),
    periodUuid: uuid.optional(),
  })
  .strict();

const ticketBody = z
  .object({ status: z.enum(TICKET_STATUSES), description: z.string().max(2000).optional(), dueDate: date.optional(), periodUuid: uuid.optional() })
  .strict();

/**
 * The service's refusals as API errors: a validation failure is the catalogue's VALIDATION_FAILED
 * with `issues[].path` in the request (`body[0].dueDate`, or what `pathOf` makes of the field);
 * a missing or held resource keeps its code, naming the parameter.
 */
function run<T>(fn: () => T, pathOf: (field: string) => string = (f) => partPath('body', f)): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof CallbackError) throw callbackApiError(err, pathOf);
    throw err;
  }
}

export function callbackRoutes(service: CallbackListService) {
  return (deps: RouteDeps): FastifyPluginAsyncZod =>
    async (app) => {
      const tags = ['callbacks'];
      const agentParams = z.object({ agentId, uuid }).strict();
      // Who may act: an agent for itself, a supervisor for the agents of its groups and on the
      // lists of its queues, an admin on everything.
      app.addHook('preHandler', async (req) => {
        const p = principalOf(req);
        const config = deps.engine.currentConfig;
        const params = (req.params ?? {}) as { agentId?: string; listUuid?: string };
        if (params.agentId !== undefined) {
          if (!canSeeAgent(p, params.agentId, config)) throw forbidden(`agent ${params.agentId} is outside your profile`);
          return;
        }
        if (p.profile === 'agent') throw forbidden('requires profile admin or supervisor');
        const queueId = params.listUuid !== undefined ? service.listQueue(params.listUuid) : (req.body as { queueId?: string } | undefined)?.queueId;
        if (queueId !== undefined && !canSeeQueue(p, queueId, config)) throw forbidden(`queue ${queueId} is outside your profile`);
      });

      app.post('/callbacks/lists', {
        schema: { tags, summary: 'Create a callback list for a queue, with its preferred periods', body: listBody, response: { 201: list, ...errorResponses(404) } },
      }, async (req, reply) => reply.code(201).send(run(() => service.createList(req.body))));

      app.post('/callbacks/lists/:listUuid/requests', {
        schema: {
          tags,
          summary: 'Add callback requests to a list (all or none; dueDate not in the past)',
          params: z.object({ listUuid: uuid }).strict(),
          body: z.array(requestBody).min(1).max(1000),
          response: { 201: z.array(request), ...errorResponses(404) },
        },
      }, async (req, reply) => reply.code(201).send(run(() => service.addRequests(req.params.listUuid, req.body))));

      // CSV import: text/csv bodies are read as text in this plugin only.
      app.addContentTypeParser('text/csv', { parseAs: 'string', bodyLimit: 1024 * 1024 }, (_req, body, done) => done(null, body));
      app.post('/callbacks/lists/:listUuid/import', {
        schema: {
          tags,
          summary: 'Import callback requests from CSV (Content-Type: text/csv): a header row naming the columns (phoneNumber, mobilePhoneNumber, firstName, lastName, company, description, dueDate, periodUuid), one request per line; all or none',
          params: z.object({ listUuid: uuid }).strict(),
          body: z.string().max(1024 * 1024),
          response: { 201: z.array(request), ...errorResponses(404) },
        },
      }, async (req, reply) => {
        const parsed = parseCallbackCsv(req.body);
        if (!parsed.ok) throw validationFailed([{ path: `line ${parsed.line}`, message: parsed.message }], `line ${parsed.line}: ${parsed.message}`);
        // Issues name the CSV line (the header is line 1) and the column: `line 3.dueDate`.
        const lineOf = (i: number) => parsed.lines[i] ?? i + 2;
        const rows = parsed.rows.map((row, i) => {
          const r = requestBody.safeParse(row);
          if (!r.success) {
            const issues = r.error.issues.map((x) => ({ path: `line ${lineOf(i)}.${x.path.join('.')}`, message: x.message }));
            throw validationFailed(issues, `${issues[0]!.path}: ${issues[0]!.message}`);
          }
          return r.data;
        });
        if (rows.length === 0) throw validationFailed([{ path: 'body', message: 'no request in the CSV' }], 'no request in the CSV');
        const csvPath = (field: string) => field.replace(/^\[(\d+)\]\.?/, (_m, i: string) => `line ${lineOf(Number(i))}.`);
        return reply.code(201).send(run(() => service.addRequests(req.params.listUuid, rows), csvPath));
      });

      app.get('/agents/:agentId/callbacks', {
        schema: { tags, summary: 'getCallbackLists (seed 002 CallbackLists): the lists of the queues the agent serves', params: z.object({ agentId }).strict(), response: { 200: z.array(list), ...errorResponses(404) } },
      }, async (req) => run(() => service.getCallbackLists(req.params.agentId)));

      app.post('/agents/:agentId/callbacks/:uuid/take', {
        schema: { tags, summary: 'takeCallback (CallbackTaken); ALREADY_TAKEN when another agent holds it', params: agentParams, response: { 200: z.object({ eventType: z.literal('CallbackTaken'), uuid: z.string(), agentId: z.string() }), ...errorResponses(404, 409) } },
      }, async (req) => run(() => service.take(req.params.uuid, req.params.agentId)));

      app.post('/agents/:agentId/callbacks/:uuid/release', {
        schema: { tags, summary: 'releaseCallback (CallbackReleased)', params: agentParams, response: { 200: z.object({ eventType: z.literal('CallbackReleased'), uuid: z.string(), agentId: z.string() }), ...errorResponses(404, 409) } },
      }, async (req) => run(() => service.release(req.params.uuid, req.params.agentId)));

      app.post('/agents/:agentId/callbacks/:uuid/start', {
        schema: {
          tags,
          summary: "startCallback (CallbackStarted): the agent's phone rings, then the number is dialled",
          params: agentParams,
          body: z.object({ phoneNumber: phone }).strict(),
          response: { 200: z.object({ eventType: z.literal('CallbackStarted'), requestUuid: z.string(), ticketUuid: z.string(), agentId: z.string() }), ...errorResponses(403, 404, 409) },
        },
      }, async (req) => run(() => service.start(req.params.uuid, req.body.phoneNumber, req.params.agentId)));

      app.post('/agents/:agentId/callbacks/:uuid/listen', {
        schema: {
          tags,
          summary: "listenCallbackMessage: the agent's phone rings (answering by itself where it can) and plays the request's voice message; CALLBACK_NO_MESSAGE when it has none, AGENT_NOT_LOGGED_IN, AGENT_NOT_AVAILABLE when busy",
          params: agentParams,
          response: { 200: z.object({ requestUuid: z.string(), callId: z.string() }), ...errorResponses(404, 409) },
        },
      }, async (req) => run(() => service.listenMessage(req.params.uuid, req.params.agentId)));

      app.patch('/agents/:agentId/callback-tickets/:uuid', {
        schema: {
          tags,
          summary: 'updateCallbackTicket: NoAnswer | Answered | Fax close the request (CallbackClotured); Callback keeps it for later (CallbackRequestUpdated on a new dueDate or period)',
          params: agentParams,
          body: ticketBody,
          response: { 200: z.record(z.string(), z.unknown()), ...errorResponses(404) },
        },
      }, async (req) => run(() => service.updateTicket(req.params.uuid, req.params.agentId, req.body)));
    };
}
