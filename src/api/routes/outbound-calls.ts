/**
 * Calls started on behalf of queues and agents: seed 002 dialFromQueue and seed 003 CreateCall.
 * Both answer at once with the call id; the call goes on in the engine (GET /cdrs?activecallkey=).
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { RouteDeps } from '../deps.js';
import { errorResponses } from '../error-responses.js';
import type { OutboundService } from '../outbound-service.js';
import { principalOf } from '../profiles.js';

const phone = z.string().regex(/^\+?[0-9*#]{1,32}$/, 'digits, optionally with a leading +');
const variables = z
  .record(z.string().regex(/^[A-Za-z0-9_]{1,40}$/, 'letters, digits and _ (at most 40)'), z.string().max(200))
  .refine((v) => Object.keys(v).length <= 20, 'at most 20 variables')
  .describe('Each becomes the call variable USR_<name>: on the legs, in CTI PhoneEvents, webhooks and the CDR');

export const dialFromQueueBody = z
  .object({
    destination: phone.describe('The customer, dialled through the trunk'),
    queueId: z.string().min(1).max(64).describe('Once the customer answers, the call waits in this queue for a free agent'),
    callerIdName: z.string().max(80).optional(),
    callerIdNumber: phone.optional().describe('Caller id shown to the customer; default click_to_call.caller_id'),
    variables: variables.optional(),
  })
  .strict();

export const createCallBody = z
  .object({
    destination: phone,
    from: z.object({ extension: z.string().min(1).max(64).describe("The agent's extension: a line it is logged in on, its phone's endpoint, or its id") }).strict(),
    params: z
      .object({
        audio: z.boolean().optional().describe('Audio call (the default); false is refused: only audio is supported'),
        auto_answer: z.boolean().optional().describe("The agent's phone is asked to answer by itself (Call-Info answer-after=0, Alert-Info auto-answer)"),
        record: z.boolean().optional().describe('Record the call once the destination answers'),
        variables: variables.optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

export function outboundCallRoutes(service: OutboundService) {
  return (_deps: RouteDeps): FastifyPluginAsyncZod =>
    async (app) => {
      app.post('/dialfromqueue', {
        schema: {
          tags: ['calls'],
          summary: 'dialFromQueue (seed 002): dial the destination through the trunk; once answered, a free agent of the queue is offered the call (the customer waits with the queue music)',
          body: dialFromQueueBody,
          response: { 200: z.object({ callId: z.string() }), ...errorResponses(404, 409) },
        },
      }, async (request) => service.dialFromQueue(principalOf(request), request.body));

      app.post('/calls', {
        schema: {
          tags: ['calls'],
          summary: "CreateCall (seed 003): ring the agent's extension (auto-answer when asked), then dial the destination and bridge; recorded when asked",
          body: createCallBody,
          response: { 200: z.object({ id: z.string().describe('The call id, for GET /cdrs?activecallkey=') }), ...errorResponses(404, 409) },
        },
      }, async (request) => service.createCall(principalOf(request), request.body));
    };
}
