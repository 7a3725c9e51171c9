import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { serveWeb } from '../../src/api/static-web.js';
import { apiWorld, type ApiWorld } from '../support/api-world.js';

describe('serveWeb', () => {
  let w: ApiWorld;
  let dir: string | undefined;
  afterEach(async () => {
    await w?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** A built web folder with a page and one hashed asset. */
  function builtWeb(): string {
    dir = mkdtempSync(join(tmpdir(), 'sb-web-'));
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>Switchboard</title>');
    writeFileSync(join(dir, 'assets', 'index-abc.js'), 'console.log(1)');
    return dir;
  }

  async function world(root: string): Promise<{ built: boolean }> {
    w = await apiWorld();
    const result = await serveWeb(w.app, root);
    await w.app.ready();
    return result;
  }

  it('serves the page at / without credentials and assets as immutable when the web app is built', async () => {
    expect(await world(builtWeb())).toEqual({ built: true });
    const page = await w.request('GET', '/');
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.headers['cache-control']).toBe('no-cache');
    expect(page.body).toContain('<title>Switchboard</title>');
    const asset = await w.request('GET', '/assets/index-abc.js');
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['cache-control']).toContain('immutable');
  });

  it('keeps API errors for unknown paths and API routes behind authentication when the web app is served', async () => {
    await world(builtWeb());
    const unknown = await w.request('GET', '/no-such-page');
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });
    expect((await w.request('GET', '/users')).statusCode).toBe(401);
  });

  it('answers / with how to build the page when web/dist is missing', async () => {
    expect(await world(join(tmpdir(), 'sb-web-missing-folder'))).toEqual({ built: false });
    const res = await w.request('GET', '/');
    expect(res.statusCode).toBe(503);
    expect(res.body).toContain('npm run build:web');
  });
});
