/**
 * Virtual queue API (seed 004 Callers): a line is a queue (`lineId` = queue id), a caller is a
 * phone number on it. LineUpCaller, GetCaller, VerifyCaller, NotifyCallerConnected,
 * NotifyCallerTransferred, UpdateCallerInformation, ListCallersWaiting. A lined-up caller is
 * written before the answer and keeps its place across restarts.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { callerResult, e164, SOURCES, type VirtualWaiter } from '../../domain/virtual-queue.js';
import type { VirtualQueueService, VqResult } from '../../outbound/virtual-queue.js';
import type { RouteDeps } from '../deps.js';
import { ApiError } from '../errors.js';
import { errorResponses } from '../error-responses.js';

const lineId = z.string().min(1).max(64).describe('The line: a queue id');
const params = z.object({ lineId, phone: e164.describe('The caller, E.164 (URL-encode the +)') }).strict();

const caller = z
  .object({
    Id: z.string(),
    LineId: z.string(),
    Phone: z.string(),
    Channel: z.enum(['CallBack', 'CallIn']),
    Source: z.string(),
    Lang: z.string().nullable(),
    Ewt: z.number().nullable().describe('Estimated wait, seconds (live: position, staffed agents, handle times)'),
    ConnectedAt: z.string().nullable(),
    CreatedAt: z.string(),
    EstimatedUpTimeAt: z.string().nullable(),
    NotifiedAt: z.string().nullable(),
    UpdatedAt: z.string(),
    Properties: z.record(z.string(), z.unknown()),
    Skills: z.array(z.string()),
    VirtualQCallerState: z.enum(['Waiting', 'Notified', 'Connected', 'Finished', 'TimeOut']),
    State: z.enum(['Connected', 'Deferred', 'Canceled', 'Finished']).nullable(),
    WaitTime: z.number().nullable().describe('Seconds waited since the original enter time'),
    WaitTimeWhenUp: z.number().nullable(),
    AgentId: z.string().nullable(),
    Attempts: z.number().int(),
  })
  .describe('Seed 004 CallerResult');

export const lineUpBody = z
  .object({
    Phone: e164,
    Channel: z.enum(['CallBack', 'CallIn']),
    Source: z.enum(SOURCES),
    Lang: z.string().regex(/^[a-z]{2}$/, 'a two-letter language code').optional(),
    Skills: z.array(z.string().min(1).max(64)).max(20).optional(),
    Properties: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();

const transferredBody = z
  .object({
    WaitTimeWhenUp: z.number().int().min(0).max(86_400 * 7).optional(),
    AgentId: z.string().min(1).max(64).optional(),
  })
  .strict();

const updateBody = transferredBody.extend({ State: z.enum(['Connected', 'Deferred', 'Canceled', 'Finished']).optional() }).strict();

function unwrap<T>(r: VqResult<T>): T {
  if (r.ok) return r.value;
  const field = r.error.code === 'LINE_NOT_FOUND' ? 'lineId' : r.error.code === 'VIRTUAL_QUEUE_DISABLED' ? 'lineId' : 'phone';
  throw new ApiError(r.error.code, r.error.message, { field });
}

export function virtualQueueRoutes(service: VirtualQueueService) {
  return (deps: RouteDeps): FastifyPluginAsyncZod =>
    async (app) => {
      const view = (w: VirtualWaiter) => callerResult(w, deps.clock.now());
      const tags = ['virtual queue'];

      app.post('/virtualq/lines/:lineId/callers', {
        schema: {
          tags,
          summary: 'LineUpCaller (seed 004): the caller keeps a place in the line without a call (web widget, app); CallBack: called when up; CallIn: notified when up',
          params: z.object({ lineId }).strict(),
          body: lineUpBody,
          response: { 201: caller, ...errorResponses(404, 409) },
        },
      }, async (request, reply) => {
        const b = request.body;
        const w = unwrap(service.lineUp(request.params.lineId, { phone: b.Phone, channel: b.Channel, source: b.Source, lang: b.Lang, skills: b.Skills, properties: b.Properties }));
        return reply.code(201).send(view(w));
      });

      app.get('/virtualq/callers', {
        schema: {
          tags,
          summary: 'ListCallersWaiting (seed 004): callers Waiting or Notified, oldest place first',
          querystring: z.object({ lineId: lineId.optional() }).strict(),
          response: { 200: z.array(caller), ...errorResponses(404) },
        },
      }, async (request) => unwrap(service.listWaiting(request.query.lineId)).map(view));

      app.get('/virtualq/lines/:lineId/callers/:phone', {
        schema: { tags, summary: 'GetCaller (seed 004)', params, response: { 200: caller, ...errorResponses(404) } },
      }, async (request) => view(unwrap(service.get(request.params.lineId, request.params.phone))));

      app.post('/virtualq/lines/:lineId/callers/:phone/verify', {
        schema: {
          tags,
          summary: 'VerifyCaller (seed 004): the caller if it is up now (notified, within its call-in window), else null',
          params,
          response: { 200: caller.nullable(), ...errorResponses(404) },
        },
      }, async (request) => {
        const w = unwrap(service.verify(request.params.lineId, request.params.phone));
        return w ? view(w) : null;
      });

      app.post('/virtualq/lines/:lineId/callers/:phone/connected', {
        schema: { tags, summary: 'NotifyCallerConnected (seed 004): the caller called in and is connected', params, response: { 200: caller, ...errorResponses(404) } },
      }, async (request) => view(unwrap(service.connected(request.params.lineId, request.params.phone))));

      app.post('/virtualq/lines/:lineId/callers/:phone/transferred', {
        schema: {
          tags,
          summary: 'NotifyCallerTransferred (seed 004): waiting is over; the agent and the wait when up',
          params,
          body: transferredBody,
          response: { 200: caller, ...errorResponses(404) },
        },
      }, async (request) => view(unwrap(service.transferred(request.params.lineId, request.params.phone, { waitTimeWhenUp: request.body.WaitTimeWhenUp, agentId: request.body.AgentId }))));

      app.patch('/virtualq/lines/:lineId/callers/:phone', {
        schema: {
          tags,
          summary: 'UpdateCallerInformation (seed 004): State Connected | Deferred | Canceled | Finished, WaitTimeWhenUp, AgentId',
          params,
          body: updateBody,
          response: { 200: caller, ...errorResponses(404) },
        },
      }, async (request) => view(unwrap(service.update(request.params.lineId, request.params.phone, { state: request.body.State, waitTimeWhenUp: request.body.WaitTimeWhenUp, agentId: request.body.AgentId }))));
    };
}
