/** HTTP API settings, read from the environment by the composition root. */
export interface ApiSettings {
  port: number;
  host: string;
  /** Login session lifetime: 8–12 h (seed 001), default 10 h. */
  sessionTtlMs: number;
  /** Registered (hashed) as an admin API key at start, when set. */
  adminKey: string | undefined;
  /** CTI QueueStatistics coalescing window; 0 = once per event-loop turn. */
  ctiQueueStatsDelayMs: number;
}

const HOUR_MS = 3600_000;

export function apiSettingsFromEnv(env: NodeJS.ProcessEnv): ApiSettings {
  const port = Number(env.SWITCHBOARD_HTTP_PORT ?? 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new Error(`SWITCHBOARD_HTTP_PORT: expected a port number, got "${env.SWITCHBOARD_HTTP_PORT}"`);
  const ttlH = Number(env.SWITCHBOARD_SESSION_TTL_H ?? 10);
  if (!(ttlH >= 8 && ttlH <= 12)) throw new Error(`SWITCHBOARD_SESSION_TTL_H: expected hours between 8 and 12, got "${env.SWITCHBOARD_SESSION_TTL_H}"`);
  const adminKey = env.SWITCHBOARD_ADMIN_KEY || undefined;
  if (adminKey !== undefined && adminKey.length < 24) throw new Error('SWITCHBOARD_ADMIN_KEY: use at least 24 random characters');
  const statsDelay = Number(env.SWITCHBOARD_CTI_STATS_DELAY_MS ?? 0);
  if (!Number.isInteger(statsDelay) || statsDelay < 0 || statsDelay > 5000) throw new Error(`SWITCHBOARD_CTI_STATS_DELAY_MS: expected whole milliseconds between 0 and 5000, got "${env.SWITCHBOARD_CTI_STATS_DELAY_MS}"`);
  return { port, host: env.SWITCHBOARD_HTTP_HOST ?? '127.0.0.1', sessionTtlMs: ttlH * HOUR_MS, adminKey, ctiQueueStatsDelayMs: statsDelay };
}
