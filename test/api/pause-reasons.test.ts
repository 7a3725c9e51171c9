import { afterEach, describe, expect, it } from 'vitest';
import { apiWorld, type ApiWorld } from '../support/api-world.js';
import { exampleConfig } from '../support/sim-world.js';

describe('GET /pause-reasons', () => {
  let w: ApiWorld;
  afterEach(async () => w?.close());

  it('lists the configured reasons to a logged-in agent', async () => {
    w = await apiWorld({ ...exampleConfig(), pause_reasons: ['coaching', 'lunch'] });
    const token = await w.userSession('a1001', 'agent', { agentId: '1001' });
    const res = await w.request('GET', '/pause-reasons', { token });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ reasons: ['coaching', 'lunch'] });
  });

  it('follows a configuration replaced through PUT /config', async () => {
    w = await apiWorld();
    const admin = { token: w.adminKey };
    const config = (await w.request('GET', '/config', admin)).json();
    const put = await w.request('PUT', '/config', { ...admin, body: { ...config, pause_reasons: ['toilet', 'coffee'] } });
    expect(put.statusCode, put.body).toBe(200);
    expect((await w.request('GET', '/pause-reasons', admin)).json()).toEqual({ reasons: ['toilet', 'coffee'] });
  });

  it('answers 401 without a session', async () => {
    w = await apiWorld();
    expect((await w.request('GET', '/pause-reasons')).statusCode).toBe(401);
  });
});
