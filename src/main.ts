/** Process entry: read settings, start, and drain on signals. */
import { createApp, settingsFromEnv, type App } from './app.js';
import { createLogger } from './infra/logger.js';

const log = createLogger();
const GRACE_MS = Number(process.env.SWITCHBOARD_DRAIN_MS ?? 30_000);
let app: App | undefined;
let stopping = false;

async function shutdown(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    log.info({ liveCalls: app?.engine.liveCalls ?? 0, graceMs: GRACE_MS }, 'stopping: no new calls, draining live calls');
    try {
      await app?.stop(GRACE_MS);
    } catch (err) {
      log.error({ err }, 'stop failed');
      code = code || 1;
    }
  }
  process.exit(code);
}

process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));
process.on('uncaughtException', (err) => {
  log.fatal({ err }, 'uncaught exception');
  void shutdown(1);
});
process.on('unhandledRejection', (err) => {
  log.fatal({ err }, 'unhandled rejection');
  void shutdown(1);
});

try {
  const settings = settingsFromEnv();
  app = await createApp(settings, log);
  log.info({ pbx: settings.pbx, db: settings.dbPath }, 'switchboard running');
} catch (err) {
  log.fatal({ err: err instanceof Error ? { message: err.message, name: err.name } : err }, 'start failed');
  process.exit(1);
}
