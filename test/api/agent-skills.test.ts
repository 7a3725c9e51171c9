import { afterEach, describe, expect, it } from 'vitest';
import { configFrom } from '../support/sim-world.js';
import { apiWorld, type ApiWorld } from '../support/api-world.js';

const S = 1000;

/** `sales` routes on skills; agents a (spanish 30) and b (no skills) in group g, c in group h. */
const skilledConfig = () =>
  configFrom({
    numbers: [{ id: 'direct', number: '200', queue: 'sales' }],
    queues: [{ id: 'sales', groups: [{ group: 'g', priority: 1 }], skills: { required: true } }],
    groups: [{ id: 'g' }, { id: 'h' }],
    agents: [
      { id: 'a', phone: { type: 'sip', endpoint: 'a' }, groups: ['g'], auto_login: true, skills: { spanish: 30 } },
      { id: 'b', phone: { type: 'sip', endpoint: 'b' }, groups: ['g'], auto_login: true },
      { id: 'c', phone: { type: 'sip', endpoint: 'c' }, groups: ['h'] },
    ],
  });

describe('agent skills API', () => {
  let w: ApiWorld;
  afterEach(async () => w?.close());

  it('reads an agent skills', async () => {
    w = await apiWorld(skilledConfig());

    const res = await w.request('GET', '/agents/a/skills', { token: w.adminKey });

    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ agentId: 'a', skills: { spanish: 30 } });
  });

  it('replaces the skills with PUT, saves them and applies them to routing', async () => {
    w = await apiWorld(skilledConfig());

    const res = await w.request('PUT', '/agents/a/skills', { token: w.adminKey, body: { skills: { french: 80, billing: 5 } } });

    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ agentId: 'a', skills: { french: 80, billing: 5 } });
    expect(w.store.config.load().agents.find((a) => a.id === 'a')?.skills).toEqual({ french: 80, billing: 5 });
    expect(w.engine.router.state.agents.get('a')?.skills).toEqual({ french: 80, billing: 5 });
  });

  it('merges with PATCH and removes a skill whose level is null', async () => {
    w = await apiWorld(skilledConfig());

    const res = await w.request('PATCH', '/agents/a/skills', { token: w.adminKey, body: { skills: { spanish: null, french: 40 } } });

    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ agentId: 'a', skills: { french: 40 } });
    expect(w.store.config.load().agents.find((a) => a.id === 'a')?.skills).toEqual({ french: 40 });
  });

  it('removes the skills field when the last skill goes', async () => {
    w = await apiWorld(skilledConfig());

    await w.request('PUT', '/agents/a/skills', { token: w.adminKey, body: { skills: {} } });

    expect(w.store.config.load().agents.find((a) => a.id === 'a')).not.toHaveProperty('skills');
    expect((await w.request('GET', '/agents/a/skills', { token: w.adminKey })).json()).toEqual({ agentId: 'a', skills: {} });
  });

  it('offers a waiting skilled call at once to an agent that gains the skill', async () => {
    w = await apiWorld(skilledConfig());
    for (const id of ['a', 'b']) w.pbx.setPhone(id, { behavior: 'answer', answerAfterMs: 1000, talkMs: 5000 });
    // The caller needs spanish 50 (lookup-less: put there by the router input directly): nobody qualifies.
    w.pbx.placeCall({ to: '200', from: '+34600' });
    await w.clock.runFor(1);
    const callId = [...w.engine.router.state.calls.keys()][0]!;
    w.engine.router.input({ type: 'call.leave', callId });
    w.engine.router.input({ type: 'call.enqueue', callId, queueId: 'sales', skills: { spanish: 50 } });
    await w.clock.runFor(10 * S);
    expect(w.engine.router.state.calls.get(callId)?.state).toBe('waiting');

    const res = await w.request('PATCH', '/agents/b/skills', { token: w.adminKey, body: { skills: { spanish: 50 } } });

    expect(res.statusCode).toBe(200);
    expect(w.engine.router.state.calls.get(callId)).toMatchObject({ state: 'offered', agentId: 'b' });
  });

  it.each([
    ['a level above 100', 'PUT', { skills: { spanish: 101 } }, 'body.skills.spanish'],
    ['a level of 0', 'PATCH', { skills: { spanish: 0 } }, 'body.skills.spanish'],
    ['a fractional level', 'PUT', { skills: { spanish: 1.5 } }, 'body.skills.spanish'],
    ['a bad skill name', 'PUT', { skills: { 'has space': 5 } }, 'body.skills'],
    ['a missing skills field', 'PUT', { spanish: 5 }, 'body'],
    ['a level that is a string', 'PATCH', { skills: { spanish: '5' } }, 'body.skills.spanish'],
  ])('rejects %s with 400 naming the field', async (_name, method, body, path) => {
    w = await apiWorld(skilledConfig());

    const res = await w.request(method as 'PUT' | 'PATCH', '/agents/a/skills', { token: w.adminKey, body });

    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('VALIDATION_FAILED');
    expect(JSON.stringify(res.json().error)).toContain(path);
    expect(w.store.config.load().agents.find((a) => a.id === 'a')?.skills).toEqual({ spanish: 30 });
  });

  it('answers 404 AGENT_NOT_FOUND for an unknown agent', async () => {
    w = await apiWorld(skilledConfig());

    const res = await w.request('PUT', '/agents/zz/skills', { token: w.adminKey, body: { skills: { a: 1 } } });

    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('AGENT_NOT_FOUND');
  });

  it('lets a supervisor change the agents of its groups only, and an agent read only itself', async () => {
    w = await apiWorld(skilledConfig());
    const sup = await w.userSession('sup', 'supervisor', { groups: ['g'] });
    const agent = await w.userSession('agent-c', 'agent', { agentId: 'c' });

    expect((await w.request('PATCH', '/agents/b/skills', { token: sup, body: { skills: { x: 1 } } })).statusCode).toBe(200);
    expect((await w.request('PATCH', '/agents/c/skills', { token: sup, body: { skills: { x: 1 } } })).statusCode).toBe(403);
    expect((await w.request('GET', '/agents/c/skills', { token: agent })).statusCode).toBe(200);
    expect((await w.request('GET', '/agents/a/skills', { token: agent })).statusCode).toBe(403);
    expect((await w.request('PUT', '/agents/c/skills', { token: agent, body: { skills: {} } })).statusCode).toBe(403);
  });

  it('documents the routes and their bodies in the OpenAPI document', async () => {
    w = await apiWorld(skilledConfig());

    const doc = (await w.request('GET', '/openapi.json')).json();
    const path = doc.paths['/agents/{id}/skills'];

    expect(Object.keys(path).sort()).toEqual(['get', 'patch', 'put']);
    const ref = (op: { requestBody: { content: Record<string, { schema: { $ref: string } }> } }) => op.requestBody.content['application/json']!.schema.$ref.split('/').pop()!;
    const schemas = doc.components.schemas;
    expect(schemas[ref(path.put)].properties.skills.additionalProperties).toEqual({ type: 'integer', minimum: 1, maximum: 100 });
    expect(schemas[ref(path.patch)].properties.skills.additionalProperties).toMatchObject({ nullable: true, minimum: 1, maximum: 100 });
  });
});
