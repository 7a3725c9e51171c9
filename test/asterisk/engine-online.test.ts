/**
 * Phone registration on a real Asterisk: an agent whose phone is not registered is ready but
 * offline (not counted available); REGISTER brings it online, unregistering takes it offline again,
 * and the engine reports each change (what the CTI's AgentOnlineStatus and OnlineStatus carry).
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { createAgentService } from '../../src/api/agent-service.js';
import { silentLogger } from '../../src/infra/logger.js';
import { createLiveStats } from '../../src/stats/live-stats.js';
import { referenceConfig, skipReason, unregisterAll, useEngineWorld, type EngineWorld } from './engine-world.js';

describe.skipIf(skipReason !== undefined)(`engine on a real Asterisk: phone online/offline${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  const world = useEngineWorld();
  let w: EngineWorld;
  beforeEach(() => {
    w = world();
  });

  it('reports an auto-login agent offline until its phone registers, and offline again when it unregisters', async () => {
    // Arrange: 1003 and 1004 (Queue 2, Group 2) log in at start with no phone registered.
    await unregisterAll(w.asterisk, '1003');
    await w.beginTest(referenceConfig());
    const service = createAgentService({ engine: w.engine, store: w.store, log: silentLogger() });
    const stats = createLiveStats(w.engine);
    const changes: string[] = [];
    w.engine.on('agent.reachable', (e) => changes.push(`${e.agentId}:${e.reachable ? 'online' : 'offline'}`));
    const onlineStatus = () => stats.agent('1003').statistics.find((s) => s.name === 'OnlineStatus')?.value;
    // The driver lists the endpoints just after connecting (start() resolves on connection).
    await w.until(() => w.engine.agentSnapshot('1003')?.reachable === false, 'agent 1003 offline at start', 5000);
    expect(service.stateMessage('1003')).toMatchObject({ name: 'AgentReady', online: false });
    expect(onlineStatus()).toBe('offline');

    // Act: the phone registers.
    await w.phone('1003', { kind: 'answer' });

    // Assert
    await w.until(() => w.engine.agentSnapshot('1003')?.reachable, 'agent 1003 online', 10_000);
    expect(changes).toContain('1003:online');
    expect(service.stateMessage('1003')).toMatchObject({ name: 'AgentReady', online: true });
    expect(onlineStatus()).toBe('online');
    expect(w.engine.queueSnapshot('q2')?.availableAgents).toBeGreaterThanOrEqual(1);

    // Act: every contact of 1003 is removed.
    await unregisterAll(w.asterisk, '1003');

    // Assert
    await w.until(() => w.engine.agentSnapshot('1003')?.reachable === false, 'agent 1003 offline', 10_000);
    expect(changes.at(-1)).toBe('1003:offline');
    expect(service.stateMessage('1003')).toMatchObject({ name: 'AgentReady', online: false });
    expect(onlineStatus()).toBe('offline');
  });
});
