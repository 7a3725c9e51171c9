import { pino, type Logger, type LoggerOptions } from 'pino';

export type { Logger };

/** The root logger, built once; secrets and authorization headers are redacted. */
export function createLogger(opts: { level?: string; destination?: NodeJS.WritableStream } = {}): Logger {
  const options: LoggerOptions = {
    level: opts.level ?? process.env.LOG_LEVEL ?? 'info',
    base: { app: 'switchboard' },
    redact: {
      paths: ['password', '*.password', 'secret', '*.secret', 'apiKey', '*.apiKey', 'token', '*.token', 'headers.authorization', '*.headers.authorization', 'req.headers.authorization'],
      censor: '[redacted]',
    },
  };
  return opts.destination ? pino(options, opts.destination as never) : pino(options);
}

/** A logger that writes nothing (tests, benchmarks, the demo). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
