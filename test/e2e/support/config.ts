/** The reference configuration with every agent logged out at start: the browser logs them in. */
import type { Config } from '../../../src/domain/config.js';
import { exampleConfig } from '../../support/sim-world.js';

export function e2eConfig(): Config {
  const base = exampleConfig();
  return { ...base, agents: base.agents.map((a) => ({ ...a, auto_login: false })) };
}
