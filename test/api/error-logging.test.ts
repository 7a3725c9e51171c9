import { Writable } from 'node:stream';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createLogger } from '../../src/infra/logger.js';
import { apiWorld, type ApiWorld } from '../support/api-world.js';

interface LogLine {
  level: number;
  msg: string;
  reqId?: string;
  status?: number;
  code?: string;
  err?: { type: string; message: string; stack: string; code?: string };
}

/** Routes that fail on purpose: a thrown error, and a success that does not match its schema. */
const failingRoutes = (): FastifyPluginAsyncZod => async (app) => {
  app.get('/test/boom', { schema: { summary: 'throws' } }, async () => {
    throw new Error('boom: the disk is on fire');
  });
  app.get('/test/bad-shape', { schema: { summary: 'answers the wrong shape', response: { 200: z.object({ n: z.number() }) } } }, async () => ({ n: 'not a number' }) as unknown as { n: number });
};

async function loggedWorld(): Promise<{ w: ApiWorld; lines: LogLine[] }> {
  const lines: LogLine[] = [];
  const sink = new Writable({ write: (chunk, _enc, done) => (lines.push(JSON.parse(String(chunk)) as LogLine), done()) });
  const w = await apiWorld(undefined, { log: createLogger({ level: 'info', destination: sink }), server: { protectedRoutes: [failingRoutes] } });
  return { w, lines };
}

const ofRequest = (lines: LogLine[], reqId: unknown) => lines.filter((l) => l.reqId === reqId);

describe('error logging', () => {
  let w: ApiWorld;
  afterEach(async () => w?.close());

  it('logs a 5xx at error level with the serialized cause when a handler throws', async () => {
    const world = await loggedWorld();
    w = world.w;
    const res = await w.request('GET', '/test/boom', { token: w.adminKey });
    expect(res.statusCode).toBe(500);
    expect(res.json()).toEqual({ error: { code: 'INTERNAL', message: 'internal error' } });
    const lines = ofRequest(world.lines, res.headers['x-request-id']);
    const failed = lines.find((l) => l.msg === 'request failed');
    expect(failed).toMatchObject({ level: 50, code: 'INTERNAL', status: 500, err: { type: 'Error', message: 'boom: the disk is on fire' } });
    expect(failed?.err?.stack).toMatch(/boom: the disk is on fire\n\s+at /);
    expect(lines.find((l) => l.msg === 'request completed')).toMatchObject({ level: 50, status: 500 });
  });

  it('keeps a 4xx at info level without an error object when the client is refused', async () => {
    const world = await loggedWorld();
    w = world.w;
    const res = await w.request('GET', '/queues/nope', { token: w.adminKey });
    expect(res.statusCode).toBe(404);
    const lines = ofRequest(world.lines, res.headers['x-request-id']);
    expect(lines.map((l) => l.level)).toEqual([30, 30]);
    expect(lines[0]).toMatchObject({ msg: 'request refused', code: 'QUEUE_NOT_FOUND', status: 404 });
    expect(lines.some((l) => l.err !== undefined)).toBe(false);
  });

  it('answers 500 INTERNAL and logs at error level when a success does not match its response schema', async () => {
    const world = await loggedWorld();
    w = world.w;
    const res = await w.request('GET', '/test/bad-shape', { token: w.adminKey });
    expect(res.statusCode).toBe(500);
    expect(res.json()).toEqual({ error: { code: 'INTERNAL', message: 'internal error' } });
    expect(res.body).not.toContain('not a number');
    const failed = ofRequest(world.lines, res.headers['x-request-id']).find((l) => l.msg === 'request failed');
    expect(failed).toMatchObject({ level: 50, err: { code: 'FST_ERR_RESPONSE_SERIALIZATION' } });
    expect(JSON.stringify(failed)).toContain('expected number');
  });

});
