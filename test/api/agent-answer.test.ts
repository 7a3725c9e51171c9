import { afterEach, describe, expect, it } from 'vitest';
import { agentAnswerRoutes, type RingingAnswerer } from '../../src/api/routes/agent-answer.js';
import { apiWorld, type ApiWorld } from '../support/api-world.js';
import { exampleConfig } from '../support/sim-world.js';

describe('POST /agents/:id/answer', () => {
  let w: ApiWorld;
  afterEach(async () => w?.close());

  /** The API over the simulated PBX, with Answer wired to it (as the app does when SWITCHBOARD_PBX=sim). */
  async function simulated(): Promise<ApiWorld> {
    let world: ApiWorld | undefined;
    const answerer: RingingAnswerer = { answerRinging: (address) => world?.pbx.answerRinging(address) };
    world = await apiWorld(exampleConfig(), { server: { protectedRoutes: [agentAnswerRoutes(answerer)] } });
    return world;
  }

  async function ringing(world: ApiWorld, agentId: string): Promise<void> {
    for (let t = 0; t < 30_000 && world.engine.agentSnapshot(agentId)?.presence !== 'ringing'; t += 250) await world.clock.runFor(250);
    expect(world.engine.agentSnapshot(agentId)?.presence).toBe('ringing');
  }

  it('answers the agent\'s ringing phone, and the agent goes on the call, when the agent asks for itself', async () => {
    // Arrange: a caller on number B (queue 1) rings Alice, whose phone does not answer by itself.
    w = await simulated();
    w.pbx.setPhone('1001', { behavior: 'never' });
    w.pbx.placeCall({ to: '2000', from: '+15550100' });
    await ringing(w, '1001');
    const token = await w.userSession('alice', 'agent', { agentId: '1001' });

    // Act
    const res = await w.request('POST', '/agents/me/answer', { token });
    await w.clock.runFor(500);

    // Assert
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ agentId: '1001', callId: expect.any(String), legId: expect.any(String) });
    expect(w.engine.agentSnapshot('1001')?.presence).toBe('oncall');
  });

  it('answers 409 NOT_RINGING when the agent\'s phone does not ring', async () => {
    w = await simulated();
    const token = await w.userSession('alice', 'agent', { agentId: '1001' });
    const res = await w.request('POST', '/agents/me/answer', { token });
    expect(res.statusCode).toBe(409);
    expect(res.json().error.code).toBe('NOT_RINGING');
  });

  it('answers 403 when an agent answers another agent\'s phone', async () => {
    w = await simulated();
    const token = await w.userSession('alice', 'agent', { agentId: '1001' });
    const res = await w.request('POST', '/agents/1002/answer', { token });
    expect(res.statusCode).toBe(403);
  });

  it('answers 409 ANSWER_NEEDS_SIMULATED_PBX on a real PBX', async () => {
    w = await apiWorld(exampleConfig(), { server: { protectedRoutes: [agentAnswerRoutes(undefined)] } });
    w.pbx.setPhone('1001', { behavior: 'never' });
    w.pbx.placeCall({ to: '2000', from: '+15550100' });
    await ringing(w, '1001');
    const res = await w.request('POST', '/agents/1001/answer', { token: w.adminKey });
    expect(res.statusCode).toBe(409);
    expect(res.json().error).toMatchObject({ code: 'ANSWER_NEEDS_SIMULATED_PBX', message: expect.stringContaining('simulated PBX') });
    expect(w.engine.agentSnapshot('1001')?.presence).toBe('ringing');
  });
});
