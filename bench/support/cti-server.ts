/**
 * The engine on the simulated PBX (real clock) with the HTTP API and the CTI WebSocket on a free
 * loopback port, for the CTI benchmarks. `close()` stops everything.
 */
import type { AddressInfo } from 'node:net';
import { createAgentService } from '../../src/api/agent-service.js';
import { createAuthService, type AuthService } from '../../src/api/auth.js';
import { attachCti, type CtiGateway } from '../../src/api/cti/gateway.js';
import { buildServer } from '../../src/api/server.js';
import { Engine } from '../../src/calls/engine.js';
import { parseConfig, type ConfigInput } from '../../src/domain/config.js';
import { createSystemClock } from '../../src/infra/clock.js';
import { silentLogger } from '../../src/infra/logger.js';
import { SimPbx } from '../../src/pbx/sim/sim-pbx.js';
import { createLiveStats } from '../../src/stats/live-stats.js';
import { createMetrics } from '../../src/stats/metrics.js';
import { createAuthRepo } from '../../src/store/repos/auth-repo.js';
import { openStore } from '../../src/store/store.js';

export interface CtiBenchServer {
  engine: Engine;
  auth: AuthService;
  cti: CtiGateway;
  port: number;
  close(): Promise<void>;
}

export async function startCtiBenchServer(input: ConfigInput): Promise<CtiBenchServer> {
  const parsed = parseConfig(input);
  if (!parsed.ok) throw new Error('bad bench config');
  const log = silentLogger();
  const clock = createSystemClock();
  const store = openStore(':memory:');
  store.config.replaceAll(parsed.config);
  const engine = new Engine({ pbx: new SimPbx(clock), clock, log, store, config: parsed.config });
  await engine.start();
  const auth = createAuthService({ repo: createAuthRepo(store.db), clock, scryptCost: 1024 });
  const service = createAgentService({ engine, store, log });
  const stats = createLiveStats(engine);
  const app = await buildServer({ engine, store, log, clock, auth, metrics: createMetrics(), stats, sessionTtlMs: 3600_000 });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const cti = attachCti(app.server, { engine, auth, service, stats, log });
  const { port } = app.server.address() as AddressInfo;
  return {
    engine,
    auth,
    cti,
    port,
    async close() {
      await cti.close();
      await app.close();
      await engine.stop();
      store.close();
    },
  };
}
