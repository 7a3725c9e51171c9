/**
 * queue_log file benchmark: what appending costs the event loop, and how fast lines reach the file,
 * for each fsync policy. Run: npm run bench:queue-log [-- --json]
 *
 * Events arrive in bursts (500 events, then a turn of the event loop), like a busy engine; the
 * figures are time spent inside append() per event, the event loop's delay while the writer works
 * (p99, max), and lines per second until everything is on disk (flush resolved).
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { formatQueueLogLine } from '../src/domain/queue-log-line.js';
import type { QueueLogEntry } from '../src/domain/queue-log.js';
import { silentLogger } from '../src/infra/logger.js';
import { openQueueLogFile } from '../src/store/queue-log-file.js';
import { FSYNC_POLICIES, type FsyncPolicy } from '../src/store/queue-log-file-options.js';

const EVENTS = 200_000;
const BURST = 500;
const json = process.argv.includes('--json');

interface Row {
  /** `baseline`: the same bursts with lines formatted and thrown away, no file. */
  fsync: FsyncPolicy | 'baseline';
  events: number;
  appendUsPerEvent: number;
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
  linesPerSec: number;
  bytes: number;
}

function entry(i: number, t0: number): QueueLogEntry {
  const call = `call-${Math.floor(i / 4)}`;
  switch (i % 4) {
    case 0: return { at: t0 + i * 50, callId: call, queueId: 'support', agentId: null, event: 'ENTERQUEUE', data: { url: '', callerid: '+15550001234', position: 3 } };
    case 1: return { at: t0 + i * 50, callId: call, queueId: 'support', agentId: '1003', event: 'RINGNOANSWER', data: { ringtime: 15000, cause: 'timeout' } };
    case 2: return { at: t0 + i * 50, callId: call, queueId: 'support', agentId: '1004', event: 'CONNECT', data: { holdtime: 22, bridgedchannelid: '1764547200.1234', ringtime: 4 } };
    default: return { at: t0 + i * 50, callId: call, queueId: 'support', agentId: '1004', event: 'COMPLETECALLER', data: { holdtime: 22, calltime: 180, origposition: 3 } };
  }
}

async function run(fsync: FsyncPolicy | 'baseline'): Promise<Row> {
  const dir = mkdtempSync(join(tmpdir(), 'sb-bench-qlog-'));
  const path = join(dir, 'queue_log');
  try {
    let formatted = 0;
    const file = fsync === 'baseline'
      ? { append: (e: QueueLogEntry) => void (formatted += formatQueueLogLine(e).length + 1), flush: async () => {}, close: async () => {} }
      : await openQueueLogFile({ path, fsync, fsyncIntervalMs: 1000, maxBytes: 0, daily: false }, silentLogger());
    const t0 = Date.UTC(2026, 10, 30, 8, 0, 0);
    const loop = monitorEventLoopDelay({ resolution: 1 });
    loop.enable();
    let inAppend = 0;
    const start = performance.now();
    for (let i = 0; i < EVENTS; i += BURST) {
      const a = performance.now();
      for (let j = i; j < Math.min(EVENTS, i + BURST); j++) file.append(entry(j, t0));
      inAppend += performance.now() - a;
      await new Promise((r) => setImmediate(r));
    }
    await file.flush();
    const elapsed = performance.now() - start;
    loop.disable();
    await file.close();
    return {
      fsync,
      events: EVENTS,
      appendUsPerEvent: (inAppend * 1000) / EVENTS,
      loopDelayP99Ms: loop.percentile(99) / 1e6,
      loopDelayMaxMs: loop.max / 1e6,
      linesPerSec: EVENTS / (elapsed / 1000),
      bytes: fsync === 'baseline' ? formatted : statSync(path).size,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const rows: Row[] = [];
for (const p of ['baseline', ...FSYNC_POLICIES] as const) rows.push(await run(p));
if (json) process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
else {
  process.stdout.write(`queue_log file, ${EVENTS.toLocaleString('en')} events in bursts of ${BURST} (Node ${process.version})\n`);
  for (const r of rows) {
    process.stdout.write(
      `fsync ${r.fsync.padEnd(8)} append ${r.appendUsPerEvent.toFixed(2)} µs/event  loop delay p99 ${r.loopDelayP99Ms.toFixed(1)} ms, max ${r.loopDelayMaxMs.toFixed(1)} ms  ` +
        (r.fsync === 'baseline' ? 'formatting only, no file\n' : `${Math.round(r.linesPerSec).toLocaleString('en')} lines/s to disk  (${(r.bytes / 1e6).toFixed(1)} MB)\n`),
    );
  }
}
