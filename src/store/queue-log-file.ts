/**
 * The queue event log as a text file in Asterisk's queue_log format, for reporting tools that read
 * Asterisk's file. Lines are queued in memory and appended by one writer through an O_APPEND file
 * handle (libuv thread pool), so `append` never waits on the disk. A failed write is logged and its
 * lines dropped: the engine never sees the error, and a partly written chunk is cut back so the file
 * never holds half a line.
 */
import { mkdir, open, rename, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { formatQueueLogLine } from '../domain/queue-log-line.js';
import type { QueueLogEntry } from '../domain/queue-log.js';
import type { Logger } from '../infra/logger.js';
import { validateQueueLogFileOptions, type QueueLogFileOptions } from './queue-log-file-options.js';

export interface QueueLogFile {
  readonly path: string;
  /** Queue one event's line; returns at once. */
  append(entry: QueueLogEntry): void;
  /** Resolves once every line appended so far is written (and synced, unless the policy is `none`). */
  flush(): Promise<void>;
  /** Flush, sync and close; later appends are dropped with a warning. */
  close(): Promise<void>;
}

/** What the writer needs of an open file (a node:fs/promises FileHandle), so tests can make writes fail. */
export interface AppendHandle {
  write(buffer: Buffer, offset: number, length: number): Promise<{ bytesWritten: number }>;
  stat(): Promise<{ size: number; mtimeMs: number }>;
  truncate(len: number): Promise<void>;
  datasync(): Promise<void>;
  close(): Promise<void>;
}

/** Opens `path` for appending (O_APPEND, created if missing). */
export type OpenForAppend = (path: string) => Promise<AppendHandle>;

const openForAppend: OpenForAppend = (path) => open(path, 'a');

/** Lines held while the disk is slower than the events; past this, new lines are dropped and counted. */
const MAX_PENDING_LINES = 100_000;

interface Pending {
  text: string;
  bytes: number;
  day: string;
}

/** Open (creating it and its folder if needed) the queue_log file for appending. */
export async function openQueueLogFile(options: QueueLogFileOptions, log: Logger, openFile: OpenForAppend = openForAppend): Promise<QueueLogFile> {
  const o = validateQueueLogFileOptions(options);
  const flog = log.child({ mod: 'queue-log-file' });
  await mkdir(dirname(o.path), { recursive: true });
  let handle: AppendHandle | undefined = await openFile(o.path);
  const st = await handle.stat();
  let size = st.size;
  /** The local day of the file's first line; unknown for a file we found with content: its last change. */
  let fileDay: string | undefined = size > 0 ? localDay(st.mtimeMs) : undefined;
  let queue: Pending[] = [];
  let running: Promise<void> | undefined;
  let dirty = false;
  let syncWanted = false;
  let closed = false;
  let dropped = 0;

  const timer = o.fsync === 'interval' ? setInterval(() => {
    syncWanted = true;
    if (dirty) kick();
  }, o.fsyncIntervalMs) : undefined;
  timer?.unref();

  function kick(): void {
    if (running) return;
    running = pump()
      .catch((err: unknown) => flog.error({ err, path: o.path }, 'queue log writer failed'))
      .finally(() => {
        running = undefined;
        if (queue.length > 0) kick();
      });
  }

  async function pump(): Promise<void> {
    while (queue.length > 0 || (syncWanted && dirty)) {
      if (queue.length > 0) {
        const batch = queue;
        queue = [];
        if (dropped > 0) {
          flog.error({ path: o.path, dropped }, 'queue log lines dropped: writer fell behind');
          dropped = 0;
        }
        await writeBatch(batch);
        if (o.fsync === 'every') await sync();
      }
      if (syncWanted) {
        syncWanted = false;
        await sync();
      }
    }
  }

  /** Write a batch in as few writes as possible, rotating before any line that would start a new file. */
  async function writeBatch(batch: Pending[]): Promise<void> {
    let chunk: Pending[] = [];
    let chunkBytes = 0;
    for (const p of batch) {
      const used = size + chunkBytes;
      const newDay = o.daily && used > 0 && fileDay !== undefined && p.day !== fileDay;
      const full = o.maxBytes > 0 && used > 0 && used + p.bytes > o.maxBytes;
      if (newDay || full) {
        await writeChunk(chunk, chunkBytes);
        chunk = [];
        chunkBytes = 0;
        await rotate();
      }
      if (size + chunkBytes === 0) fileDay = p.day;
      chunk.push(p);
      chunkBytes += p.bytes;
    }
    await writeChunk(chunk, chunkBytes);
  }

  async function writeChunk(chunk: Pending[], bytes: number): Promise<void> {
    if (chunk.length === 0) return;
    const buf = Buffer.from(chunk.map((p) => p.text).join(''), 'utf8');
    let h: AppendHandle | undefined;
    let written = 0;
    try {
      h = handle ??= await reopen();
      while (written < buf.length) {
        const { bytesWritten } = await h.write(buf, written, buf.length - written);
        written += bytesWritten;
      }
      size += bytes;
      dirty = true;
    } catch (err) {
      flog.error({ err, path: o.path, lines: chunk.length }, 'queue log write failed; lines dropped');
      // Whatever part of the chunk reached the file (a short write, then a failure) is cut back.
      if (h) await cutBack(h);
    }
  }

  /** After a partial write, cut the file back to its last whole line; if that fails, start afresh on the next write. */
  async function cutBack(h: AppendHandle): Promise<void> {
    try {
      await h.truncate(size);
    } catch (err) {
      flog.error({ err, path: o.path }, 'queue log could not be cut back after a failed write');
      await closeHandle();
    }
  }

  async function reopen(): Promise<AppendHandle> {
    const h = await openFile(o.path);
    size = (await h.stat()).size;
    if (size === 0) fileDay = undefined;
    return h;
  }

  async function sync(): Promise<void> {
    if (!dirty || !handle) return;
    try {
      await handle.datasync();
      dirty = false;
    } catch (err) {
      flog.error({ err, path: o.path }, 'queue log sync failed');
    }
  }

  /** Move the current file aside (`<path>.<day>` when rotating daily, then `.1`, `.2`, …) and start a new one. */
  async function rotate(): Promise<void> {
    await sync();
    await closeHandle();
    try {
      const target = await freeName(o.daily && fileDay ? `${o.path}.${fileDay}` : o.path, o.daily);
      await rename(o.path, target);
      flog.info({ path: o.path, rotatedTo: target, bytes: size }, 'queue log rotated');
    } catch (err) {
      flog.error({ err, path: o.path }, 'queue log rotation failed; appending to the current file');
    }
    try {
      handle = await reopen();
    } catch (err) {
      flog.error({ err, path: o.path }, 'queue log could not be reopened');
    }
  }

  async function closeHandle(): Promise<void> {
    const h = handle;
    handle = undefined;
    if (!h) return;
    try {
      await h.close();
    } catch (err) {
      flog.error({ err, path: o.path }, 'queue log close failed');
    }
  }

  async function flush(): Promise<void> {
    if (o.fsync !== 'none') syncWanted = true;
    kick();
    while (running) await running;
  }

  return {
    path: o.path,
    append(entry) {
      if (closed) {
        flog.warn({ event: entry.event, queueId: entry.queueId }, 'queue log event after close dropped');
        return;
      }
      if (queue.length >= MAX_PENDING_LINES) {
        dropped += 1;
        return;
      }
      const text = `${formatQueueLogLine(entry)}\n`;
      queue.push({ text, bytes: Buffer.byteLength(text), day: localDay(entry.at) });
      kick();
    },
    flush,
    async close() {
      if (closed) return;
      closed = true;
      if (timer) clearInterval(timer);
      await flush();
      await closeHandle();
    },
  };
}

/** `base` itself when `bare` and free, else the first free `base.1`, `base.2`, … */
async function freeName(base: string, bare: boolean): Promise<string> {
  if (bare && !(await exists(base))) return base;
  for (let n = 1; ; n++) if (!(await exists(`${base}.${n}`))) return `${base}.${n}`;
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}

/** YYYY-MM-DD in the process's time zone (TZ). */
export function localDay(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}
