import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Config } from '../../domain/config.js';
import type { Principal } from '../auth.js';
import type { RouteDeps } from '../deps.js';
import { errorResponses } from '../error-responses.js';
import { ApiError, forbidden, validationFailed, type ErrorCode } from '../errors.js';
import { principalOf, requireProfile } from '../profiles.js';

export type Section = 'numbers' | 'ivrs' | 'queues' | 'groups' | 'agents' | 'memberships' | 'lines';
type Item<S extends Section> = Config[S][number];

export interface CollectionSpec<S extends Section, P extends Record<string, string>> {
  section: S;
  /** What one item is called in messages, e.g. `queue`. */
  noun: string;
  /** The schema of one item (the config file's). */
  item: z.ZodType;
  /** The URL parameters naming one item, e.g. `{ id }`. */
  params: z.ZodType<P>;
  /** `/queues/:id`. */
  itemPath: string;
  /** Whether an item matches the URL parameters. */
  matches(item: Item<S>, params: P): boolean;
  /** The body fields that must equal the URL parameters on PUT. */
  keyFields: (keyof P & string)[];
  notFound: Extract<ErrorCode, 'NOT_FOUND' | 'QUEUE_NOT_FOUND' | 'AGENT_NOT_FOUND'>;
  /** Non-admins may read the items this accepts; absent = admin only. */
  visible?(principal: Principal, item: Item<S>, config: Config): boolean;
  /** What else goes with a deleted item (e.g. its memberships). */
  cascade?(config: Config, removed: Item<S>): Config;
}

const tag = (section: string) => [`config: ${section}`];

/** list, read, create, update (PUT) and delete over one list of the configuration; every write applies live. */
export function collectionRoutes<S extends Section, P extends Record<string, string>>(deps: RouteDeps, spec: CollectionSpec<S, P>): FastifyPluginAsyncZod {
  const { section, noun } = spec;
  const name = (p: P) => `${noun} "${Object.values(p).join('/')}"`;
  const readers = requireProfile('admin', ...(spec.visible ? (['supervisor', 'agent'] as const) : []));
  const admin = requireProfile('admin');
  const list = (config: Config) => config[section] as Item<S>[];
  const canRead = (principal: Principal, item: Item<S>, config: Config) => principal.profile === 'admin' || (spec.visible?.(principal, item, config) ?? false);

  function find(config: Config, params: P): Item<S> {
    const found = list(config).find((i) => spec.matches(i, params));
    if (!found) throw new ApiError(spec.notFound, `${name(params)} not found`);
    return found;
  }
  const withList = (config: Config, items: Item<S>[]): Config => ({ ...config, [section]: items });

  return async (app) => {
    app.get(`/${section}`, { onRequest: readers, schema: { tags: tag(section), summary: `List ${section}` } }, async (request) => {
      const principal = principalOf(request);
      const config = deps.config.current();
      return list(config).filter((i) => canRead(principal, i, config));
    });

    app.get(spec.itemPath, { onRequest: readers, schema: { tags: tag(section), summary: `Read one ${noun}`, params: spec.params } }, async (request) => {
      const config = deps.config.current();
      const item = find(config, request.params as P);
      if (!canRead(principalOf(request), item, config)) throw forbidden(`${name(request.params as P)} is not visible to this profile`);
      return item;
    });

    app.post(`/${section}`, { onRequest: admin, schema: { tags: tag(section), summary: `Create a ${noun}`, body: spec.item, response: errorResponses(409) } }, async (request, reply) => {
      const item = request.body as Item<S>;
      const config = deps.config.current();
      const key = Object.fromEntries(spec.keyFields.map((k) => [k, String((item as Record<string, unknown>)[k])])) as P;
      if (list(config).some((i) => spec.matches(i, key))) throw new ApiError('CONFLICT', `${name(key)} already exists`, { field: spec.keyFields.join(',') });
      deps.config.replace(withList(config, [...list(config), item]));
      return reply.code(201).send(item);
    });

    app.put(spec.itemPath, { onRequest: admin, schema: { tags: tag(section), summary: `Replace a ${noun}`, params: spec.params, body: spec.item } }, async (request) => {
      const params = request.params as P;
      const item = request.body as Item<S>;
      const mismatched = spec.keyFields.filter((k) => String((item as Record<string, unknown>)[k]) !== params[k]);
      if (mismatched.length > 0) throw validationFailed(mismatched.map((k) => ({ path: `body.${k}`, message: `must equal the URL's ${k} "${params[k]}"` })));
      const config = deps.config.current();
      find(config, params);
      deps.config.replace(withList(config, list(config).map((i) => (spec.matches(i, params) ? item : i))));
      return item;
    });

    app.delete(spec.itemPath, { onRequest: admin, schema: { tags: tag(section), summary: `Delete a ${noun}`, params: spec.params, response: errorResponses(409) } }, async (request, reply) => {
      const params = request.params as P;
      const config = deps.config.current();
      const removed = find(config, params);
      const next = withList(config, list(config).filter((i) => i !== removed));
      deps.config.remove(spec.cascade ? spec.cascade(next, removed) : next, name(params));
      return reply.code(204).send();
    });
  };
}
