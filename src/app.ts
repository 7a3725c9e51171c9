/**
 * The composition root: the only place that reads configuration and wires long-lived objects.
 * config file → store → PBX driver → engine.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Engine } from './calls/engine.js';
import { loadConfigFile } from './infra/config-file.js';
import { createSystemClock, type Clock } from './infra/clock.js';
import type { Logger } from './infra/logger.js';
import type { PbxPort } from './pbx/port.js';
import { SimPbx } from './pbx/sim/sim-pbx.js';
import { openStore, type Store } from './store/store.js';

export interface AppSettings {
  /** YAML configuration loaded into the store at start; omit to run on what the store holds. */
  configPath: string | undefined;
  /** SQLite file (or ':memory:'). */
  dbPath: string;
  pbx: 'sim' | 'asterisk';
  asterisk?: { url: string; username: string; password: string; app: string; trunk: string };
}

export interface App {
  engine: Engine;
  store: Store;
  pbx: PbxPort;
  clock: Clock;
  stop(graceMs?: number): Promise<void>;
}

/** Settings from the environment; every variable is documented in README.md. */
export function settingsFromEnv(env: NodeJS.ProcessEnv = process.env): AppSettings {
  const pbx = (env.SWITCHBOARD_PBX ?? (env.ARI_URL ? 'asterisk' : 'sim')) as AppSettings['pbx'];
  if (pbx !== 'sim' && pbx !== 'asterisk') throw new Error(`SWITCHBOARD_PBX: expected "sim" or "asterisk", got "${String(pbx)}"`);
  const settings: AppSettings = {
    configPath: env.SWITCHBOARD_CONFIG === '' ? undefined : (env.SWITCHBOARD_CONFIG ?? 'config/example.yaml'),
    dbPath: env.SWITCHBOARD_DB ?? 'data/switchboard.db',
    pbx,
  };
  if (pbx === 'asterisk') {
    const password = env.ARI_PASSWORD;
    if (!password) throw new Error('ARI_PASSWORD: required when SWITCHBOARD_PBX=asterisk');
    settings.asterisk = {
      url: env.ARI_URL ?? 'http://127.0.0.1:8088',
      username: env.ARI_USERNAME ?? 'switchboard',
      password,
      app: env.ARI_APP ?? 'switchboard',
      trunk: env.SWITCHBOARD_TRUNK ?? 'trunk',
    };
  }
  return settings;
}

export async function createApp(settings: AppSettings, log: Logger, makeDriver?: (clock: Clock) => Promise<PbxPort>): Promise<App> {
  if (settings.dbPath !== ':memory:') mkdirSync(dirname(settings.dbPath), { recursive: true });
  const store = openStore(settings.dbPath);
  try {
    if (settings.configPath) {
      const config = loadConfigFile(settings.configPath);
      store.config.replaceAll(config);
      log.info({ file: settings.configPath, queues: config.queues.length, agents: config.agents.length }, 'configuration loaded');
    }
    const clock = createSystemClock();
    const pbx = makeDriver ? await makeDriver(clock) : new SimPbx(clock);
    const engine = new Engine({ pbx, clock, log, store, config: store.config.load() });
    await engine.start();
    return {
      engine,
      store,
      pbx,
      clock,
      async stop(graceMs = 0) {
        await engine.stop(graceMs);
        store.close();
      },
    };
  } catch (err) {
    store.close();
    throw err;
  }
}
