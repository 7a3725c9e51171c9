/** Options of the queue_log text file, and reading them from the environment (documented in README.md). */

/** When appended lines are forced to disk: never (the OS decides), every `fsyncIntervalMs`, or after every write. */
export type FsyncPolicy = 'none' | 'interval' | 'every';

export const FSYNC_POLICIES: readonly FsyncPolicy[] = ['none', 'interval', 'every'];

export interface QueueLogFileOptions {
  path: string;
  fsync: FsyncPolicy;
  /** With fsync `interval`: how often written lines are synced, ms. */
  fsyncIntervalMs: number;
  /** Start a new file before one would grow past this many bytes; 0 = no size rotation. */
  maxBytes: number;
  /** Start a new file when the local day changes. */
  daily: boolean;
}

/** A queue log option that is not valid; `field` names the option or environment variable. */
export class QueueLogOptionError extends Error {
  readonly code = 'QUEUE_LOG_OPTION_INVALID';

  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
    this.name = 'QueueLogOptionError';
  }
}

export const DEFAULT_FSYNC_INTERVAL_MS = 1000;

/** Check options given in code; throws QueueLogOptionError naming the first bad field. */
export function validateQueueLogFileOptions(o: QueueLogFileOptions): QueueLogFileOptions {
  if (typeof o.path !== 'string' || o.path === '') throw new QueueLogOptionError('path', 'expected a file path');
  if (!FSYNC_POLICIES.includes(o.fsync)) throw new QueueLogOptionError('fsync', `expected one of ${FSYNC_POLICIES.join(', ')}, got "${String(o.fsync)}"`);
  if (!Number.isInteger(o.fsyncIntervalMs) || o.fsyncIntervalMs < 10) throw new QueueLogOptionError('fsyncIntervalMs', `expected whole milliseconds ≥ 10, got "${String(o.fsyncIntervalMs)}"`);
  if (!Number.isInteger(o.maxBytes) || o.maxBytes < 0) throw new QueueLogOptionError('maxBytes', `expected whole bytes ≥ 0, got "${String(o.maxBytes)}"`);
  if (typeof o.daily !== 'boolean') throw new QueueLogOptionError('daily', `expected true or false, got "${String(o.daily)}"`);
  return o;
}

/**
 * The queue_log file options from the environment, or undefined when SWITCHBOARD_QUEUE_LOG is not set.
 * Throws QueueLogOptionError naming the variable that is not valid.
 */
export function queueLogFileOptionsFromEnv(env: NodeJS.ProcessEnv): QueueLogFileOptions | undefined {
  const path = env.SWITCHBOARD_QUEUE_LOG;
  if (!path) return undefined;
  const fsync = env.SWITCHBOARD_QUEUE_LOG_FSYNC ?? 'interval';
  if (!(FSYNC_POLICIES as readonly string[]).includes(fsync)) {
    throw new QueueLogOptionError('SWITCHBOARD_QUEUE_LOG_FSYNC', `expected one of ${FSYNC_POLICIES.join(', ')}, got "${fsync}"`);
  }
  const intervalText = env.SWITCHBOARD_QUEUE_LOG_FSYNC_MS ?? String(DEFAULT_FSYNC_INTERVAL_MS);
  const fsyncIntervalMs = Number(intervalText);
  if (!/^\d+$/.test(intervalText) || fsyncIntervalMs < 10) {
    throw new QueueLogOptionError('SWITCHBOARD_QUEUE_LOG_FSYNC_MS', `expected whole milliseconds ≥ 10, got "${intervalText}"`);
  }
  const maxBytes = parseSize(env.SWITCHBOARD_QUEUE_LOG_MAX_SIZE ?? '0');
  if (maxBytes === undefined) {
    throw new QueueLogOptionError('SWITCHBOARD_QUEUE_LOG_MAX_SIZE', `expected bytes, optionally with K, M or G (e.g. 50M), got "${env.SWITCHBOARD_QUEUE_LOG_MAX_SIZE}"`);
  }
  const dailyText = (env.SWITCHBOARD_QUEUE_LOG_DAILY ?? 'false').toLowerCase();
  if (!['true', 'false', '1', '0', 'yes', 'no'].includes(dailyText)) {
    throw new QueueLogOptionError('SWITCHBOARD_QUEUE_LOG_DAILY', `expected true or false, got "${env.SWITCHBOARD_QUEUE_LOG_DAILY}"`);
  }
  return { path, fsync: fsync as FsyncPolicy, fsyncIntervalMs, maxBytes, daily: ['true', '1', 'yes'].includes(dailyText) };
}

const UNITS: Record<string, number> = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 };

function parseSize(text: string): number | undefined {
  const m = /^(\d+)\s*([KMG]?)B?$/i.exec(text.trim());
  if (!m) return undefined;
  return Number(m[1]) * (UNITS[(m[2] ?? '').toUpperCase()] ?? 1);
}
