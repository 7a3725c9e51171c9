/**
 * The error responses every route declares, so that what the error mapper sends is always in the
 * route's OpenAPI responses and never fails the route's response schema (which fastify would turn
 * into an undeclared 500). Added by an onRoute hook from the route's shape:
 * 500 and 503 always; 400 for input (a schema, or a method with a body); 413 and 415 for a body;
 * 404 for URL parameters; 401 and 403 behind the auth hook. A route adds its own (409, a 404 without
 * parameters) with `errorResponses(...)`; a seed error shape it declares is widened to accept ours.
 * A route without a declared success gets a `2XX` one.
 */
import type { RouteOptions } from 'fastify';
import { z } from 'zod';
import { ERROR_STATUS, type ErrorCode } from './errors.js';

const CODES = Object.keys(ERROR_STATUS) as ErrorCode[];
const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const ours = new WeakSet<object>();
const bodies = new Map<number, z.ZodType>();
const SUCCESS = z.unknown().describe('Success (shape not described)');

/** `{ error: { code, message, ...details } }` with the catalogue codes of `status`. */
export function errorBodyFor(status: number): z.ZodType {
  let schema = bodies.get(status);
  if (!schema) {
    const codes = CODES.filter((c) => ERROR_STATUS[c] === status);
    if (codes.length === 0) throw new Error(`no error code of the catalogue has status ${status}`);
    schema = z
      .object({ error: z.object({ code: z.enum(codes as [ErrorCode, ...ErrorCode[]]), message: z.string() }).catchall(z.unknown()) })
      .describe(`Error: ${codes.join(', ')}`);
    ours.add(schema);
    bodies.set(status, schema);
  }
  return schema;
}

/** Declared error responses for a route's `response`, e.g. `{ 200: item, ...errorResponses(409) }`. */
export function errorResponses(...statuses: number[]): Record<number, z.ZodType> {
  return Object.fromEntries(statuses.map((s) => [s, errorBodyFor(s)]));
}

/** The statuses a route can get from the error mapper whatever its handler does. */
export function genericErrorStatuses(route: Pick<RouteOptions, 'method' | 'schema'>, secured: boolean): number[] {
  const schema = route.schema ?? {};
  const hasBody = [route.method].flat().some((m) => BODY_METHODS.has(m));
  const statuses = [500, 503];
  if (hasBody || schema.body || schema.querystring || schema.params || schema.headers) statuses.push(400);
  if (hasBody) statuses.push(413, 415);
  if (schema.params) statuses.push(404);
  if (secured) statuses.push(401, 403);
  return statuses.sort((a, b) => a - b);
}

/** onRoute hook: declare the generic error responses; register it again inside the auth scope with `secured`. */
export function declareErrorResponses(opts: { secured: boolean }): (route: RouteOptions) => void {
  return (route) => {
    const schema = route.schema as (RouteOptions['schema'] & { hide?: boolean; response?: Record<string, unknown> }) | undefined;
    if (!schema || schema.hide) return;
    const response: Record<string, unknown> = { ...(schema.response ?? {}) };
    for (const [key, declared] of Object.entries(response)) {
      const status = Number(key);
      if (status >= 400 && CODES.some((c) => ERROR_STATUS[c] === status) && !ours.has(declared as object)) {
        const widened = z.union([errorBodyFor(status), declared as z.ZodType]);
        ours.add(widened);
        response[key] = widened;
      }
    }
    for (const status of genericErrorStatuses(route, opts.secured)) response[status] ??= errorBodyFor(status);
    // A route that does not describe its success still declares one, so the document lists it.
    if (!Object.keys(response).some((k) => k.startsWith('2'))) response['2xx'] = SUCCESS;
    // A new schema object: a schema shared by several routes must not collect another route's statuses.
    route.schema = { ...schema, response };
  };
}
