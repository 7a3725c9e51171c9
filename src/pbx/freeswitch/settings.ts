/**
 * The engine's FreeSWITCH settings from the environment (read once by app.ts): the event socket
 * (ESL_HOST, ESL_PORT, ESL_PASSWORD) and what the driver must agree on with the rendered
 * configuration (FS_APP, FS_SIP_DOMAIN, FS_TRUNK_HOST, FS_MOH_CLASSES). Errors name the variable.
 */
import type { Logger } from 'pino';
import { FreeswitchDriver } from './driver.js';
import { EslClient } from './esl-client.js';
import { mohClassesOf } from './render-config.js';

export interface FreeswitchSettings {
  host: string;
  port: number;
  password: string;
  app: string;
  domain: string;
  trunkHost: string;
  mohClasses: string[];
}

export function freeswitchSettingsFromEnv(env: NodeJS.ProcessEnv): FreeswitchSettings {
  const password = env.ESL_PASSWORD;
  if (!password) throw new Error('ESL_PASSWORD: required when SWITCHBOARD_PBX=freeswitch (the event socket password of event_socket.conf.xml)');
  const port = Number(env.ESL_PORT ?? 8021);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`ESL_PORT: expected a TCP port, got "${env.ESL_PORT}"`);
  const trunkHost = env.FS_TRUNK_HOST ?? '127.0.0.1:5080';
  if (!/^[A-Za-z0-9.-]+(:\d+)?$/.test(trunkHost)) throw new Error(`FS_TRUNK_HOST: expected host[:port], got "${trunkHost}"`);
  let mohClasses: string[];
  try {
    mohClasses = mohClassesOf(env.FS_MOH_CLASSES ?? 'default');
  } catch (err) {
    throw new Error(`FS_MOH_CLASSES: ${(err as Error).message}`);
  }
  return {
    host: env.ESL_HOST ?? '127.0.0.1',
    port,
    password,
    app: env.FS_APP ?? 'switchboard',
    domain: env.FS_SIP_DOMAIN ?? 'switchboard',
    trunkHost,
    mohClasses,
  };
}

export function freeswitchDriverOf(s: FreeswitchSettings, logger: Logger): FreeswitchDriver {
  return new FreeswitchDriver({ ...s, logger });
}

/**
 * Wait until FreeSWITCH's event socket accepts our password, retrying with back-off (1 s doubling
 * to 30 s) and logging why it does not at each failure (the error names ESL_PASSWORD or
 * ESL_HOST/ESL_PORT). Resolves once it does; the driver then connects for real.
 */
export async function waitForEventSocket(s: FreeswitchSettings, log: Logger, opts: { maxDelayMs?: number } = {}): Promise<void> {
  const probe = new EslClient({ host: s.host, port: s.port, password: s.password, logger: log, events: [], reconnect: { initialDelayMs: 1000, maxDelayMs: opts.maxDelayMs ?? 30_000 } });
  probe.connect();
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        await probe.waitConnected(Math.min(1000 * 2 ** attempt, opts.maxDelayMs ?? 30_000) + 500);
        return;
      } catch (err) {
        log.error({ err: (err as Error).message, attempt }, 'freeswitch event socket not reachable, retrying');
      }
    }
  } finally {
    await probe.close();
  }
}
