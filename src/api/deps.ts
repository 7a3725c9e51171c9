import type { Engine } from '../calls/engine.js';
import type { Clock } from '../infra/clock.js';
import type { Logger } from '../infra/logger.js';
import type { LiveStats } from '../stats/live-stats.js';
import type { Metrics } from '../stats/metrics.js';
import type { Store } from '../store/store.js';
import type { AuthService } from './auth.js';
import type { ConfigService } from './config-service.js';

/** What `buildServer` receives from the composition root. */
export interface ApiDeps {
  engine: Engine;
  store: Store;
  log: Logger;
  clock: Clock;
  auth: AuthService;
  metrics: Metrics;
  /** Live queue and agent statistics (seeded from today's CDRs at start). */
  stats: LiveStats;
  /** Lifetime of a login session (8–12 h). */
  sessionTtlMs: number;
}

/** What route plugins receive. */
export interface RouteDeps extends ApiDeps {
  config: ConfigService;
}
