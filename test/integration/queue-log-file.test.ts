import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import type { QueueLogEntry } from '../../src/domain/queue-log.js';
import { createLogger, silentLogger } from '../../src/infra/logger.js';
import { open } from 'node:fs/promises';
import { localDay, openQueueLogFile, type AppendHandle } from '../../src/store/queue-log-file.js';
import { queueLogFileOptionsFromEnv, QueueLogOptionError, type QueueLogFileOptions } from '../../src/store/queue-log-file-options.js';

const DAY1 = Date.UTC(2026, 2, 1, 12, 0, 0);
const DAY_MS = 86_400_000;

function anEntry(at: number, n: number): QueueLogEntry {
  return { at, callId: `call-${n}`, queueId: 'sales', agentId: null, event: 'ENTERQUEUE', data: { url: '', callerid: `+1555000${n}`, position: n } };
}

const lineOf = (e: QueueLogEntry) => `${Math.floor(e.at / 1000)}|${e.callId}|sales|NONE|ENTERQUEUE||${e.data.callerid}|${e.data.position}\n`;

describe('queue_log file', () => {
  let dir: string;
  let path: string;
  const opts = (over: Partial<QueueLogFileOptions> = {}): QueueLogFileOptions => ({ path, fsync: 'none', fsyncIntervalMs: 1000, maxBytes: 0, daily: false, ...over });
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sb-qlog-'));
    path = join(dir, 'logs', 'queue_log');
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it.each(['none', 'interval', 'every'] as const)('appends one whole line per event, in order, when fsync is %s', async (fsync) => {
    const file = await openQueueLogFile(opts({ fsync, fsyncIntervalMs: 10 }), silentLogger());
    const entries = Array.from({ length: 500 }, (_, i) => anEntry(DAY1 + i * 1000, i));

    for (const e of entries) file.append(e);
    await file.close();

    expect(readFileSync(path, 'utf8')).toBe(entries.map(lineOf).join(''));
  });

  it('appends to what the file already holds when it is reopened', async () => {
    const first = await openQueueLogFile(opts(), silentLogger());
    first.append(anEntry(DAY1, 1));
    await first.close();
    const second = await openQueueLogFile(opts(), silentLogger());
    second.append(anEntry(DAY1 + 1000, 2));
    await second.close();

    expect(readFileSync(path, 'utf8')).toBe(lineOf(anEntry(DAY1, 1)) + lineOf(anEntry(DAY1 + 1000, 2)));
  });

  it('starts a new file before one would pass maxBytes, numbering the old ones in order', async () => {
    const lineBytes = lineOf(anEntry(DAY1, 1)).length;
    const file = await openQueueLogFile(opts({ maxBytes: lineBytes * 2 + 1 }), silentLogger());
    const entries = Array.from({ length: 7 }, (_, i) => anEntry(DAY1 + i * 1000, i + 1));

    for (const e of entries.slice(0, 3)) file.append(e);
    await file.flush(); // rotation also happens across separate writes
    for (const e of entries.slice(3)) file.append(e);
    await file.close();

    const names = readdirSync(join(dir, 'logs')).sort();
    expect(names).toEqual(['queue_log', 'queue_log.1', 'queue_log.2', 'queue_log.3']);
    const read = (n: string) => readFileSync(join(dir, 'logs', n), 'utf8');
    expect(read('queue_log.1')).toBe(entries.slice(0, 2).map(lineOf).join(''));
    expect(read('queue_log.2')).toBe(entries.slice(2, 4).map(lineOf).join(''));
    expect(read('queue_log.3')).toBe(entries.slice(4, 6).map(lineOf).join(''));
    expect(read('queue_log')).toBe(lineOf(entries[6]!));
    for (const n of names) expect(Buffer.byteLength(read(n))).toBeLessThanOrEqual(lineBytes * 2 + 1);
  });

  it('moves the day to <path>.<day> when the first event of the next local day arrives', async () => {
    const file = await openQueueLogFile(opts({ daily: true }), silentLogger());
    const day1 = [anEntry(DAY1, 1), anEntry(DAY1 + 3600_000, 2)];
    const day2 = [anEntry(DAY1 + DAY_MS, 3)];
    const day3 = [anEntry(DAY1 + 2 * DAY_MS, 4)];

    for (const e of [...day1, ...day2, ...day3]) file.append(e);
    await file.close();

    const read = (n: string) => readFileSync(join(dir, 'logs', n), 'utf8');
    expect(readdirSync(join(dir, 'logs')).sort()).toEqual(['queue_log', `queue_log.${localDay(DAY1)}`, `queue_log.${localDay(DAY1 + DAY_MS)}`]);
    expect(read(`queue_log.${localDay(DAY1)}`)).toBe(day1.map(lineOf).join(''));
    expect(read(`queue_log.${localDay(DAY1 + DAY_MS)}`)).toBe(day2.map(lineOf).join(''));
    expect(read('queue_log')).toBe(day3.map(lineOf).join(''));
  });

  it('rotates a file left from an earlier day when the first event of today is appended', async () => {
    mkdirSync(join(dir, 'logs'));
    writeFileSync(path, lineOf(anEntry(DAY1, 1)));
    utimesSync(path, new Date(DAY1), new Date(DAY1));
    const file = await openQueueLogFile(opts({ daily: true }), silentLogger());

    file.append(anEntry(DAY1 + DAY_MS, 2));
    await file.close();

    expect(readFileSync(`${path}.${localDay(DAY1)}`, 'utf8')).toBe(lineOf(anEntry(DAY1, 1)));
    expect(readFileSync(path, 'utf8')).toBe(lineOf(anEntry(DAY1 + DAY_MS, 2)));
  });

  it('logs a failed write and drops its lines without throwing when the disk is full', async () => {
    const logged: string[] = [];
    const sink = new Writable({ write: (chunk: Buffer, _enc, done) => { logged.push(chunk.toString()); done(); } });
    const file = await openQueueLogFile(opts({ path: '/dev/full', fsync: 'every' }), createLogger({ level: 'error', destination: sink }));

    expect(() => file.append(anEntry(DAY1, 1))).not.toThrow();
    await file.flush();
    file.append(anEntry(DAY1 + 1000, 2));
    await file.close();

    const errors = logged.map((l) => JSON.parse(l) as { msg: string; lines?: number; err?: { code?: string } });
    expect(errors.filter((e) => e.msg === 'queue log write failed; lines dropped')).toHaveLength(2);
    expect(errors[0]).toMatchObject({ lines: 1, err: { code: 'ENOSPC' } });
  });

  it.each(['a short write then a failing one', 'a write that fails after part of it reached the file'])(
    'cuts a chunk back to its last whole line when the disk fails mid-chunk with %s',
    async (how) => {
      let failing = false;
      let calls = 0;
      const flaky = async (p: string): Promise<AppendHandle> => {
        const real = await open(p, 'a');
        return {
          stat: () => real.stat(),
          truncate: (len) => real.truncate(len),
          datasync: () => real.datasync(),
          close: () => real.close(),
          async write(buf, offset, length) {
            if (!failing) return real.write(buf, offset, length);
            calls += 1;
            if (how.startsWith('a short write') && calls === 1) return real.write(buf, offset, 10);
            if (how.startsWith('a write that fails')) await real.write(buf, offset, 10);
            failing = false;
            throw Object.assign(new Error('EIO: i/o error, write'), { code: 'EIO' });
          },
        };
      };
      const file = await openQueueLogFile(opts(), silentLogger(), flaky);
      file.append(anEntry(DAY1, 1));
      await file.flush();

      failing = true;
      file.append(anEntry(DAY1 + 1000, 2));
      await file.flush();
      file.append(anEntry(DAY1 + 2000, 3));
      await file.close();

      expect(readFileSync(path, 'utf8')).toBe(lineOf(anEntry(DAY1, 1)) + lineOf(anEntry(DAY1 + 2000, 3)));
    },
  );

  it('drops an event appended after close with a warning', async () => {
    const file = await openQueueLogFile(opts(), silentLogger());
    file.append(anEntry(DAY1, 1));
    await file.close();

    file.append(anEntry(DAY1 + 1000, 2));
    await file.flush();

    expect(readFileSync(path, 'utf8')).toBe(lineOf(anEntry(DAY1, 1)));
  });

  it('is written by the app for every queue event when settings name a file', async () => {
    const app = await createApp({ configPath: new URL('../../config/example.yaml', import.meta.url).pathname, dbPath: ':memory:', pbx: 'sim', queueLog: opts() }, silentLogger());
    app.engine.pauseAgent('1001', 'lunch');
    app.engine.logoutAgent('1001');
    const table = app.store.queueLog.list();

    await app.stop();

    const lines = readFileSync(path, 'utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(table.length);
    expect(lines.map((l) => l.split('|')[4])).toEqual(table.map((e) => e.event));
    expect(lines.filter((l) => l.split('|')[3] === '1001').map((l) => l.split('|').slice(2).join('|'))).toEqual([
      'NONE|1001|AGENTLOGIN|1001',
      'q1|1001|ADDMEMBER|',
      'q1|1001|PAUSE|lunch',
      'q1|1001|REMOVEMEMBER|',
      'NONE|1001|AGENTLOGOFF|1001|0',
    ]);
  });
});

describe('queue_log file options', () => {
  it('rejects an fsync policy it does not know, naming the field, when given in code', async () => {
    const bad = { path: join(tmpdir(), 'never-written'), fsync: 'always', fsyncIntervalMs: 1000, maxBytes: 0, daily: false } as unknown as QueueLogFileOptions;

    await expect(openQueueLogFile(bad, silentLogger())).rejects.toThrow(QueueLogOptionError);
    await expect(openQueueLogFile(bad, silentLogger())).rejects.toMatchObject({ field: 'fsync', message: 'fsync: expected one of none, interval, every, got "always"' });
  });

  it('reads defaults when only SWITCHBOARD_QUEUE_LOG is set and nothing when it is not', () => {
    expect(queueLogFileOptionsFromEnv({})).toBeUndefined();
    expect(queueLogFileOptionsFromEnv({ SWITCHBOARD_QUEUE_LOG: '/var/log/switchboard/queue_log' })).toEqual({
      path: '/var/log/switchboard/queue_log', fsync: 'interval', fsyncIntervalMs: 1000, maxBytes: 0, daily: false,
    });
  });

  it('reads the fsync policy, interval, size with a unit and daily rotation when they are set', () => {
    const o = queueLogFileOptionsFromEnv({
      SWITCHBOARD_QUEUE_LOG: 'q.log', SWITCHBOARD_QUEUE_LOG_FSYNC: 'every', SWITCHBOARD_QUEUE_LOG_FSYNC_MS: '250',
      SWITCHBOARD_QUEUE_LOG_MAX_SIZE: '50M', SWITCHBOARD_QUEUE_LOG_DAILY: 'yes',
    });

    expect(o).toEqual({ path: 'q.log', fsync: 'every', fsyncIntervalMs: 250, maxBytes: 50 * 1024 * 1024, daily: true });
  });

  it.each([
    ['SWITCHBOARD_QUEUE_LOG_FSYNC', 'always', 'expected one of none, interval, every'],
    ['SWITCHBOARD_QUEUE_LOG_FSYNC_MS', '5', 'expected whole milliseconds ≥ 10'],
    ['SWITCHBOARD_QUEUE_LOG_FSYNC_MS', '1.5s', 'expected whole milliseconds ≥ 10'],
    ['SWITCHBOARD_QUEUE_LOG_MAX_SIZE', '-1', 'expected bytes'],
    ['SWITCHBOARD_QUEUE_LOG_MAX_SIZE', '10T', 'expected bytes'],
    ['SWITCHBOARD_QUEUE_LOG_DAILY', 'sometimes', 'expected true or false'],
  ])('rejects %s=%s with an error naming the variable', (name, value, message) => {
    const read = () => queueLogFileOptionsFromEnv({ SWITCHBOARD_QUEUE_LOG: 'q.log', [name]: value });

    expect(read).toThrow(QueueLogOptionError);
    expect(read).toThrow(`${name}: ${message}`);
  });
});
