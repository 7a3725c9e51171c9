import { afterEach, describe, expect, it } from 'vitest';
import type { Cdr } from '../../src/domain/cdr.js';
import { apiWorld, type ApiWorld } from '../support/api-world.js';

const TODAY = Date.UTC(2026, 10, 2, 0, 0, 0);

function aCdr(callId: string, startedAt: number, over: Partial<Cdr>): Cdr {
  return {
    callId, legId: `leg-${callId}`, direction: 'inbound', numberId: 'B', dialled: '2000', caller: '5550', callerName: null,
    startedAt, answeredAt: startedAt, endedAt: startedAt + 60_000, ivrPath: null, language: 'en', queueId: 'q1',
    enqueuedAt: startedAt, waitMs: 0, agentId: null, agentLegId: null, connectedAt: null, talkMs: null, holdMs: 0,
    hangupSide: 'caller', hangupCause: 'normal', recording: null, disposition: 'answered', variables: {}, segments: [], ...over,
  };
}

describe('live queue and agent endpoints', () => {
  let w: ApiWorld;
  afterEach(async () => w?.close());

  it('reports waiting and longest wait live, and answered, abandoned, SL and ASA counted since the start of the day', async () => {
    // Arrange: in the store at start, three answered (5 s, 10 s, 45 s wait; SL 20 s) and one abandoned
    // call today, one answered yesterday; the live counters are seeded from them.
    w = await apiWorld(undefined, {
      cdrs: [
        aCdr('y1', TODAY - 3600_000, { waitMs: 1000 }),
        aCdr('t1', TODAY + 1000, { waitMs: 5000, agentId: '1001' }),
        aCdr('t2', TODAY + 2000, { waitMs: 10_000, agentId: '1001' }),
        aCdr('t3', TODAY + 3000, { waitMs: 45_000, agentId: '1002' }),
        aCdr('t4', TODAY + 4000, { waitMs: 8000, disposition: 'abandoned' }),
        aCdr('t5', TODAY + 5000, { queueId: 'q2', waitMs: 1000 }),
      ],
    });
    // Nobody available in q1: a caller waits.
    w.engine.pauseAgent('1001', 'lunch');
    w.engine.pauseAgent('1002', 'lunch');
    w.pbx.placeCall({ to: '2000', from: '5557' });
    await w.clock.runFor(30_000);

    // Act
    const res = await w.request('GET', '/queues/q1/stats', { token: w.adminKey });

    // Assert
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({
      queueId: 'q1', waiting: 1, longestWaitMs: expect.any(Number), availableAgents: 0, loggedInAgents: 2, since: TODAY,
      offered: 4, answered: 3, abandoned: 1, serviceLevel: 50, averageSpeedOfAnswerMs: 20_000,
    });
    expect(res.json().longestWaitMs).toBeGreaterThan(20_000);
  });

  it('reports an agent\'s state now', async () => {
    w = await apiWorld();
    w.engine.pauseAgent('1003', 'training');
    const res = await w.request('GET', '/agents/1003/state', { token: w.adminKey });
    expect(res.json()).toMatchObject({ agentId: '1003', presence: 'paused', pauseReason: 'training', callId: null, queues: [{ queueId: 'q2', tier: 1 }] });
  });

  it('answers 404 for unknown queues and agents', async () => {
    w = await apiWorld();
    expect((await w.request('GET', '/queues/zz/stats', { token: w.adminKey })).json().error.code).toBe('QUEUE_NOT_FOUND');
    expect((await w.request('GET', '/agents/zz/state', { token: w.adminKey })).json().error.code).toBe('AGENT_NOT_FOUND');
  });

  it('lets a supervisor see only its queues\' stats and its groups\' agents', async () => {
    w = await apiWorld();
    const token = await w.userSession('sup', 'supervisor', { queues: ['q2'], groups: ['g2'] });
    expect((await w.request('GET', '/queues/q2/stats', { token })).statusCode).toBe(200);
    expect((await w.request('GET', '/queues/q1/stats', { token })).statusCode).toBe(403);
    expect((await w.request('GET', '/agents/1003/state', { token })).statusCode).toBe(200);
    expect((await w.request('GET', '/agents/1001/state', { token })).statusCode).toBe(403);
  });

  it('lets an agent see only itself and the queues it serves', async () => {
    w = await apiWorld();
    const token = await w.userSession('bob', 'agent', { agentId: '1002' });
    expect((await w.request('GET', '/agents/1002/state', { token })).statusCode).toBe(200);
    expect((await w.request('GET', '/agents/1001/state', { token })).statusCode).toBe(403);
    expect((await w.request('GET', '/queues/q1/stats', { token })).statusCode).toBe(200);
    expect((await w.request('GET', '/queues/q2/stats', { token })).statusCode).toBe(403);
  });
});

describe('Prometheus /metrics', () => {
  let w: ApiWorld;
  afterEach(async () => w?.close());

  it('counts ended calls, wait times, waiting calls and agents by state', async () => {
    w = await apiWorld();
    w.pbx.setPhone('1001', { behavior: 'answer', answerAfterMs: 2000, talkMs: 30_000 });
    w.pbx.placeCall({ to: '2000', from: '5550' });
    await w.clock.runFor(60_000);
    w.engine.pauseAgent('1003');
    const res = await w.request('GET', '/metrics');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    expect(res.body).toContain('calls_total{queue="q1",disposition="answered"} 1');
    expect(res.body).toContain('wait_seconds_bucket{le="5",queue="q1"} 1');
    expect(res.body).toContain('calls_waiting{queue="q2"} 0');
    expect(res.body).toMatch(/agents\{state="paused"\} 1/);
    expect(res.body).toMatch(/agents\{state="ready"\} 5/);
    expect(res.body).toMatch(/agents\{state="wrapup"\} 0/);
  });

  it('reports the longest wait per queue and counts answers within the service level only when inside it', async () => {
    w = await apiWorld();
    const value = (body: string, series: string) => Number(body.split('\n').find((l) => l.startsWith(`${series} `))?.split(' ')[1]);
    const first = await w.metrics.render();
    // Every configured queue's series start at 0, so rate() sees a queue's first call.
    expect(first).toContain('calls_total{queue="q3",disposition="abandoned"} 0');
    expect(first).toContain('calls_answered_in_service_level_total{queue="q3"} 0');

    w.engine.pauseAgent('1001');
    w.engine.pauseAgent('1002');
    w.pbx.setPhone('1001', { behavior: 'answer', answerAfterMs: 2000, talkMs: 30_000 });
    w.pbx.placeCall({ to: '2000', from: '5550' });
    await w.clock.runFor(40_000);
    const waiting = await w.metrics.render();
    expect(value(waiting, 'queue_longest_wait_seconds{queue="q1"}')).toBeGreaterThan(30);
    expect(value(waiting, 'queue_longest_wait_seconds{queue="q1"}')).toBeLessThanOrEqual(40);
    expect(value(waiting, 'queue_longest_wait_seconds{queue="q2"}')).toBe(0);

    // Answered after more than q1's 20 s service level: counted as answered, not within it.
    w.engine.unpauseAgent('1001');
    await w.clock.runFor(60_000);
    w.pbx.placeCall({ to: '2000', from: '5551' });
    await w.clock.runFor(60_000);
    const after = await w.metrics.render();
    expect(value(after, 'calls_total{queue="q1",disposition="answered"}')).toBe(2);
    expect(value(after, 'calls_answered_in_service_level_total{queue="q1"}')).toBe(1);
    expect(value(after, 'queue_longest_wait_seconds{queue="q1"}')).toBe(0);
  });

  it('records webhook and PBX timings reported by other modules', async () => {
    w = await apiWorld();
    w.metrics.observeWebhook('hangup', 0.2, true);
    w.metrics.observeWebhook('hangup', 2, false);
    w.metrics.observePbx('originate', 0.03, true);
    const body = await w.metrics.render();
    expect(body).toContain('webhook_duration_seconds_count{kind="hangup",outcome="ok"} 1');
    expect(body).toContain('webhook_failures_total{kind="hangup"} 1');
    expect(body).toContain('pbx_request_duration_seconds_count{op="originate",outcome="ok"} 1');
  });
});
