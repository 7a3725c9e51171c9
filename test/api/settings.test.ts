import { describe, expect, it } from 'vitest';
import { apiSettingsFromEnv } from '../../src/api/api-settings.js';

describe('apiSettingsFromEnv', () => {
  it('defaults to 127.0.0.1:8080 and 10 h sessions', () => {
    expect(apiSettingsFromEnv({})).toEqual({ port: 8080, host: '127.0.0.1', sessionTtlMs: 10 * 3600_000, adminKey: undefined, ctiQueueStatsDelayMs: 0 });
  });

  it.each(['7', '12.5', 'x'])('refuses SWITCHBOARD_SESSION_TTL_H=%s outside 8–12 h', (h) => {
    expect(() => apiSettingsFromEnv({ SWITCHBOARD_SESSION_TTL_H: h })).toThrow(/SWITCHBOARD_SESSION_TTL_H/);
  });

  it('reads the CTI QueueStatistics window when SWITCHBOARD_CTI_STATS_DELAY_MS is set', () => {
    expect(apiSettingsFromEnv({ SWITCHBOARD_CTI_STATS_DELAY_MS: '250' }).ctiQueueStatsDelayMs).toBe(250);
  });

  it.each(['-1', '1.5', '6000', 'soon'])('refuses SWITCHBOARD_CTI_STATS_DELAY_MS=%s', (v) => {
    expect(() => apiSettingsFromEnv({ SWITCHBOARD_CTI_STATS_DELAY_MS: v })).toThrow(/SWITCHBOARD_CTI_STATS_DELAY_MS/);
  });

  it('refuses a short bootstrap admin key', () => {
    expect(() => apiSettingsFromEnv({ SWITCHBOARD_ADMIN_KEY: 'short' })).toThrow(/SWITCHBOARD_ADMIN_KEY/);
  });
});
