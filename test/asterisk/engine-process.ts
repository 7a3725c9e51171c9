/**
 * The engine as a child process (`node --import tsx src/main.ts`), as it runs in production, for
 * the Asterisk lane and the chaos bench: its JSON log lines are parsed as they come (and appended
 * to a file when asked), so a caller can wait for a given line ('engine started' with its recovery
 * report) and time it from the spawn. Every process started here is killed on exit.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { repoRoot, type RunningAsterisk } from './harness.js';

export interface LogLine {
  msg?: string;
  level?: number;
  time?: number;
  [k: string]: unknown;
}

export interface EngineProcess {
  child: ChildProcess;
  /** performance.now() at spawn. */
  spawnedAt: number;
  /** Every log line so far, with the performance.now() it was read at. */
  lines: { at: number; line: LogLine }[];
  /** The first line (from index `from`) matching, with when it was read; rejects on exit or time-out. */
  waitFor(match: (l: LogLine) => boolean, timeoutMs: number, from?: number): Promise<{ at: number; line: LogLine }>;
  /** Resolves with the exit code or signal once the process is gone. */
  exited: Promise<string>;
  kill(signal: NodeJS.Signals): Promise<string>;
}

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of live) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

/** The environment src/main.ts reads (see settingsFromEnv) for an engine on this Asterisk. */
export function engineEnv(asterisk: RunningAsterisk, o: { dbPath: string; configPath: string; httpPort: number; ariUrl?: string; drainMs?: number }): NodeJS.ProcessEnv {
  return {
    ...process.env,
    SWITCHBOARD_PBX: 'asterisk',
    ARI_URL: o.ariUrl ?? asterisk.ariUrl,
    ARI_USERNAME: asterisk.ariUser,
    ARI_PASSWORD: asterisk.ariPassword,
    ARI_APP: asterisk.app,
    SWITCHBOARD_DB: o.dbPath,
    SWITCHBOARD_CONFIG: o.configPath,
    SWITCHBOARD_HTTP_PORT: String(o.httpPort),
    SWITCHBOARD_HTTP_HOST: '127.0.0.1',
    SWITCHBOARD_DRAIN_MS: String(o.drainMs ?? 3000),
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
  };
}

export function startEngineProcess(env: NodeJS.ProcessEnv, logFile?: string): EngineProcess {
  const spawnedAt = performance.now();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(child);
  const lines: EngineProcess['lines'] = [];
  const waiters = new Set<() => void>();
  const onLine = (text: string) => {
    if (logFile) appendFileSync(logFile, text + '\n');
    let line: LogLine;
    try {
      line = JSON.parse(text) as LogLine;
    } catch {
      line = { msg: text };
    }
    lines.push({ at: performance.now(), line });
    for (const w of waiters) w();
  };
  createInterface({ input: child.stdout! }).on('line', onLine);
  createInterface({ input: child.stderr! }).on('line', (t) => onLine(JSON.stringify({ msg: 'stderr', text: t })));
  const exited = new Promise<string>((res) =>
    child.once('exit', (code, sig) => {
      live.delete(child);
      for (const w of waiters) w();
      res(sig ?? String(code));
    }),
  );
  const gone = () => child.exitCode !== null || child.signalCode !== null;
  return {
    child,
    spawnedAt,
    lines,
    exited,
    waitFor(match, timeoutMs, from = 0) {
      return new Promise((resolve, reject) => {
        const check = () => {
          for (let i = from; i < lines.length; i++) {
            if (match(lines[i]!.line)) {
              done();
              resolve(lines[i]!);
              return;
            }
          }
          if (gone()) {
            done();
            reject(new Error(`engine exited (${child.exitCode ?? child.signalCode}) before the expected log line; last lines:\n${lines.slice(-8).map((l) => JSON.stringify(l.line)).join('\n')}`));
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`expected engine log line not seen within ${timeoutMs} ms`));
        }, timeoutMs);
        const done = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
    kill(signal) {
      if (!gone()) child.kill(signal);
      return exited;
    },
  };
}

/** GET a JSON (or text) resource of the engine's HTTP API; undefined when it does not answer. */
export async function engineGet(port: number, path: string): Promise<string | undefined> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(2000) });
    return res.ok ? await res.text() : undefined;
  } catch {
    return undefined;
  }
}

/** Agents per presence from the engine's /metrics (`agents{state="..."}`). */
export async function agentStates(port: number): Promise<Record<string, number> | undefined> {
  const text = await engineGet(port, '/metrics');
  if (!text) return undefined;
  const out: Record<string, number> = {};
  for (const m of text.matchAll(/^agents\{state="([a-z]+)"\} (\d+)/gm)) out[m[1]!] = Number(m[2]);
  return out;
}
