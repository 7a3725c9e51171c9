import { afterEach, describe, expect, it } from 'vitest';
import type { ConfigInput } from '../../src/domain/config.js';
import { ctiWorld, type CtiClient, type CtiMessage, type CtiWorld } from '../support/cti-world.js';
import { configFrom } from '../support/sim-world.js';

const S = 1000;
const admin = { profile: 'admin' } as const;

const config = (): ConfigInput => ({
  numbers: [
    { id: 'n1', number: '100', queue: 'sales' },
    { id: 'n2', number: '200', queue: 'support' },
  ],
  queues: [
    { id: 'sales', groups: [{ group: 'gs', priority: 1 }], service_level_s: 20, wrapup_s: 10 },
    { id: 'support', groups: [{ group: 'gt', priority: 1 }] },
  ],
  groups: [{ id: 'gs', name: 'Sales' }, { id: 'gt', name: 'Tech' }],
  agents: [
    { id: 's1', phone: { type: 'sip', endpoint: '1001' }, groups: ['gs'] },
    { id: 's2', phone: { type: 'sip', endpoint: '1002' }, groups: ['gs'] },
    { id: 't1', phone: { type: 'sip', endpoint: '1003' }, groups: ['gt'] },
  ],
});

type Counters = Record<string, number>;
const countersOf = (m: CtiMessage): Counters =>
  Object.fromEntries((m.ctiMessage.counters as { statName: string; value: number }[]).map((c) => [c.statName, c.value]));
const queueStats = (c: CtiClient, queueId: string, from = 0) =>
  c.messages.slice(from).filter((m) => m.msgType === 'QueueStatistics' && m.ctiMessage.queueId === queueId);

/** Real time for the gateway's coalescing flush to run; virtual time does not move. */
const drain = () => new Promise((r) => setTimeout(r, 50));

/** The first QueueStatistics of `queueId` received at or after index `from` that matches. */
async function statsAfter(c: CtiClient, from: number, queueId: string, pred: (x: Counters) => boolean, timeoutMs = 2000): Promise<Counters> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const hit = queueStats(c, queueId, from).find((m) => pred(countersOf(m)));
    if (hit) return countersOf(hit);
    if (Date.now() > end) throw new Error(`no matching QueueStatistics for ${queueId}; got ${JSON.stringify(queueStats(c, queueId, from).map(countersOf))}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function subscribed(w: CtiWorld): Promise<CtiClient> {
  const client = await w.connect(w.adminKey);
  client.send({ command: 'subscribeToQueueStats' });
  await client.next((m) => m.msgType === 'QueueStatistics' && m.ctiMessage.queueId === 'support');
  return client;
}

describe('CTI QueueStatistics push', () => {
  let w: CtiWorld;
  afterEach(async () => w?.close());

  it('pushes the new AvailableAgents when an agent’s wrap-up ends', async () => {
    // Arrange: s1 alone in sales takes a 5 s call, then has 10 s of wrap-up.
    w = await ctiWorld(configFrom(config()));
    w.service.loginAgent(admin, '1001', 's1');
    w.pbx.setPhone('1001', { behavior: 'answer', answerAfterMs: 1 * S, talkMs: 5 * S });
    const client = await subscribed(w);
    w.pbx.placeCall({ to: '100', from: '+1' });
    await w.clock.runFor(8 * S);
    await drain();
    expect(w.engine.agentSnapshot('s1')?.presence).toBe('wrapup');
    expect(countersOf(queueStats(client, 'sales').at(-1)!)).toMatchObject({ AvailableAgents: 0, TotalNumberCallsAnswered: 1 });
    const mark = client.messages.length;

    // Act: the wrap-up ends.
    await w.clock.runFor(10 * S);

    // Assert
    expect(await statsAfter(client, mark, 'sales', (x) => x.AvailableAgents === 1)).toMatchObject({ AvailableAgents: 1, LoggedAgents: 1 });
  });

  it('pushes the new AvailableAgents on pause, unpause, logout and login', async () => {
    w = await ctiWorld(configFrom(config()));
    w.service.loginAgent(admin, '1001', 's1');
    w.service.loginAgent(admin, '1002', 's2');
    const client = await subscribed(w);

    let mark = client.messages.length;
    w.service.pauseAgent(admin, 's1', 'break');
    expect(await statsAfter(client, mark, 'sales', (x) => x.AvailableAgents === 1)).toMatchObject({ LoggedAgents: 2 });

    mark = client.messages.length;
    w.service.unpauseAgent(admin, 's1');
    expect(await statsAfter(client, mark, 'sales', (x) => x.AvailableAgents === 2)).toMatchObject({ LoggedAgents: 2 });

    mark = client.messages.length;
    w.service.logoutAgent(admin, 's2');
    expect(await statsAfter(client, mark, 'sales', (x) => x.LoggedAgents === 1)).toMatchObject({ AvailableAgents: 1 });

    mark = client.messages.length;
    w.service.loginAgent(admin, '1003', 't1');
    expect(await statsAfter(client, mark, 'support', (x) => x.LoggedAgents === 1)).toMatchObject({ AvailableAgents: 1 });
  });

  it('pushes the new AvailableAgents when an agent’s phone unregisters and registers again', async () => {
    w = await ctiWorld(configFrom(config()));
    w.service.loginAgent(admin, '1001', 's1');
    w.service.loginAgent(admin, '1002', 's2');
    const client = await subscribed(w);

    let mark = client.messages.length;
    w.pbx.setOnline('1002', false);
    expect(await statsAfter(client, mark, 'sales', (x) => x.AvailableAgents === 1)).toMatchObject({ LoggedAgents: 2 });

    mark = client.messages.length;
    w.pbx.setOnline('1002', true);
    expect(await statsAfter(client, mark, 'sales', (x) => x.AvailableAgents === 2)).toMatchObject({ LoggedAgents: 2 });
  });

  it('pushes when an agent joins or leaves a queue', async () => {
    w = await ctiWorld(configFrom(config()));
    w.service.loginAgent(admin, '1003', 't1');
    const client = await subscribed(w);

    let mark = client.messages.length;
    w.service.setAgentQueue(admin, 't1', 'sales', 2);
    expect(await statsAfter(client, mark, 'sales', (x) => x.LoggedAgents === 1)).toMatchObject({ AvailableAgents: 1 });

    mark = client.messages.length;
    w.service.removeAgentFromQueue(admin, 't1', 'sales');
    expect(await statsAfter(client, mark, 'sales', (x) => x.LoggedAgents === 0)).toMatchObject({ AvailableAgents: 0 });
  });

  it('sends one message per queue for a burst of changes in one tick, with the final figures', async () => {
    w = await ctiWorld(configFrom(config()));
    for (const [agent, line] of [['s1', '1001'], ['s2', '1002'], ['t1', '1003']] as const) w.service.loginAgent(admin, line, agent);
    const client = await subscribed(w);
    const mark = client.messages.length;

    // Act: 41 state changes in one tick; they end with s1 paused, s2 ready, t1 logged out.
    for (let i = 0; i < 10; i++) {
      w.engine.pauseAgent('s1', `r${i}`);
      w.engine.unpauseAgent('s1');
      w.engine.pauseAgent('s2');
      w.engine.unpauseAgent('s2');
    }
    w.engine.pauseAgent('s1', 'final');
    w.engine.logoutAgent('t1');
    await drain();
    await drain();

    // Assert
    expect(queueStats(client, 'sales', mark).map(countersOf)).toEqual([expect.objectContaining({ AvailableAgents: 1, LoggedAgents: 2 })]);
    expect(queueStats(client, 'support', mark).map(countersOf)).toEqual([expect.objectContaining({ AvailableAgents: 0, LoggedAgents: 0 })]);
  });

  it('sends nothing when a burst leaves the figures as they were', async () => {
    w = await ctiWorld(configFrom(config()));
    w.service.loginAgent(admin, '1001', 's1');
    const client = await subscribed(w);
    const mark = client.messages.length;

    w.engine.pauseAgent('s1', 'oops');
    w.engine.unpauseAgent('s1');
    await drain();
    await drain();

    expect(queueStats(client, 'sales', mark)).toEqual([]);
    expect(queueStats(client, 'support', mark)).toEqual([]);
  });

  it('sends the statistics of the queues a supervisor may see only', async () => {
    w = await ctiWorld(configFrom(config()));
    w.service.loginAgent(admin, '1001', 's1');
    w.service.loginAgent(admin, '1003', 't1');
    const sup = await w.connect(await w.session('sup', 'supervisor', { queues: ['sales'], groups: ['gs'] }));
    sup.send({ command: 'subscribeToQueueStats' });
    await sup.next((m) => m.msgType === 'QueueStatistics');
    const mark = sup.messages.length;

    w.engine.pauseAgent('t1');
    w.engine.pauseAgent('s1');
    await statsAfter(sup, mark, 'sales', (x) => x.AvailableAgents === 0);
    await drain();

    expect(sup.messages.filter((m) => m.msgType === 'QueueStatistics').every((m) => m.ctiMessage.queueId === 'sales')).toBe(true);
  });
});

describe('GET /queues/:id/stats and the CTI QueueStatistics', () => {
  let w: CtiWorld;
  afterEach(async () => w?.close());

  it('agree on live and daily figures after calls and a wrap-up end', async () => {
    // Arrange: one answered call (2 s wait), one abandoned call, then s1's wrap-up ends and a caller waits.
    w = await ctiWorld(configFrom(config()));
    w.service.loginAgent(admin, '1001', 's1');
    w.pbx.setPhone('1001', { behavior: 'answer', answerAfterMs: 2 * S, talkMs: 5 * S });
    const client = await subscribed(w);
    w.pbx.placeCall({ to: '100', from: '+1' });
    await w.clock.runFor(1 * S);
    w.pbx.placeCall({ to: '100', from: '+2', patienceMs: 3 * S });
    await w.clock.runFor(30 * S);
    await drain();
    const mark = client.messages.length;
    w.service.loginAgent(admin, '1002', 's2');
    w.service.pauseAgent(admin, 's2', 'meeting');

    // Act
    const cti = await statsAfter(client, mark, 'sales', (x) => x.LoggedAgents === 2);
    const rest = await w.http('GET', '/queues/sales/stats', w.adminKey);

    // Assert
    expect(rest.status).toBe(200);
    const r = rest.json as Record<string, number>;
    expect(cti).toMatchObject({ AvailableAgents: 1, LoggedAgents: 2, WaitingCalls: 0, TotalNumberCallsAnswered: 1, TotalNumberCallsAbandonned: 1 });
    expect({
      waiting: r.waiting,
      availableAgents: r.availableAgents,
      loggedInAgents: r.loggedInAgents,
      answered: r.answered,
      abandoned: r.abandoned,
      serviceLevel: r.serviceLevel,
      averageSpeedOfAnswer: Math.round(r.averageSpeedOfAnswerMs! / 1000),
    }).toEqual({
      waiting: cti.WaitingCalls,
      availableAgents: cti.AvailableAgents,
      loggedInAgents: cti.LoggedAgents,
      answered: cti.TotalNumberCallsAnswered,
      abandoned: cti.TotalNumberCallsAbandonned,
      serviceLevel: cti.PercentageAnsweredBefore,
      averageSpeedOfAnswer: cti.AverageSpeedOfAnswer,
    });
    expect(r.offered).toBe(2);
  });
});
