import { afterEach, describe, expect, it } from 'vitest';
import { createQueueStatsFeed, type QueueStatsFeed } from '../../src/api/cti/queue-stats-feed.js';
import { silentLogger } from '../../src/infra/logger.js';
import { createLiveStats, type QueueStatistics } from '../../src/stats/live-stats.js';
import { configFrom, simWorld, type SimWorld } from '../support/sim-world.js';

const config = () =>
  configFrom({
    numbers: [{ id: 'n1', number: '100', queue: 'sales' }],
    queues: [{ id: 'sales', groups: [{ group: 'gs', priority: 1 }] }, { id: 'support', groups: [{ group: 'gt', priority: 1 }] }],
    groups: [{ id: 'gs' }, { id: 'gt' }],
    agents: [
      { id: 's1', phone: { type: 'sip', endpoint: '1001' }, groups: ['gs'], auto_login: true },
      { id: 's2', phone: { type: 'sip', endpoint: '1002' }, groups: ['gs'], auto_login: true },
    ],
  });

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
const available = (q: QueueStatistics) => q.counters.find((c) => c.statName === 'AvailableAgents')?.value;

describe('createQueueStatsFeed', () => {
  let w: SimWorld;
  let feed: QueueStatsFeed | undefined;
  afterEach(async () => {
    feed?.close();
    await w?.close();
  });

  it('publishes each changed queue once per window with the figures at the end of the window when a delay is set', async () => {
    // Arrange
    w = await simWorld(config());
    const published: QueueStatistics[] = [];
    feed = createQueueStatsFeed({ engine: w.engine, stats: createLiveStats(w.engine), log: silentLogger(), delayMs: 60, wanted: () => true, publish: (q) => published.push(q) });

    // Act: two changes in two event-loop turns, inside one window.
    w.engine.pauseAgent('s1');
    await wait(10);
    w.engine.pauseAgent('s2');
    expect(published).toEqual([]);
    await wait(120);

    // Assert: one message for sales, none for support (nothing changed there).
    expect(published.map((q) => [q.queueId, available(q)])).toEqual([['sales', 0]]);

    // A later change opens a new window.
    w.engine.unpauseAgent('s1');
    await wait(120);
    expect(published.map((q) => [q.queueId, available(q)])).toEqual([['sales', 0], ['sales', 1]]);
  });

  it('does no work while nobody wants queue statistics', async () => {
    w = await simWorld(config());
    const published: QueueStatistics[] = [];
    feed = createQueueStatsFeed({ engine: w.engine, stats: createLiveStats(w.engine), log: silentLogger(), wanted: () => false, publish: (q) => published.push(q) });

    w.engine.pauseAgent('s1');
    expect(feed.pending).toBe(0);
    await wait(20);

    expect(published).toEqual([]);
  });

  it('stops publishing once closed', async () => {
    w = await simWorld(config());
    const published: QueueStatistics[] = [];
    feed = createQueueStatsFeed({ engine: w.engine, stats: createLiveStats(w.engine), log: silentLogger(), wanted: () => true, publish: (q) => published.push(q) });

    w.engine.pauseAgent('s1');
    feed.close();
    w.engine.pauseAgent('s2');
    await wait(20);

    expect(published).toEqual([]);
  });
});
