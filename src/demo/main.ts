/**
 * `npm run demo [-- --json] [--seed N] [--config path] [--queue-log FILE] [--db FILE]`: a simulated day of
 * the reference flow; `--queue-log` writes the day's queue events there (replacing the file) in
 * Asterisk's queue_log format, `--db` keeps the day's SQLite store (CDRs and queue_log table).
 */
import { mkdirSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfigFile } from '../infra/config-file.js';
import { simulateDay, type DayReport } from './simulate-day.js';

const { values } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    seed: { type: 'string', default: '42' },
    hours: { type: 'string', default: '8' },
    rate: { type: 'string', default: '70' },
    config: { type: 'string', default: new URL('../../config/example.yaml', import.meta.url).pathname },
    'queue-log': { type: 'string' },
    db: { type: 'string' },
  },
});

/** An output file of this run: its folder is created, an earlier run's file (and SQLite side files) removed. */
const output = (path: string | undefined, sideFiles: string[] = []) => {
  if (!path) return undefined;
  mkdirSync(dirname(path), { recursive: true });
  for (const p of [path, ...sideFiles.map((s) => path + s)]) rmSync(p, { force: true });
  return path;
};
const queueLogPath = output(values['queue-log']);
const dbPath = output(values.db, ['-wal', '-shm']);
const report = await simulateDay(loadConfigFile(values.config), {
  seed: Number(values.seed),
  hours: Number(values.hours),
  callsPerHour: Number(values.rate),
  ...(queueLogPath ? { queueLogPath } : {}),
  ...(dbPath ? { dbPath } : {}),
});
if (queueLogPath) process.stderr.write(`queue_log written to ${queueLogPath}\n`);
if (values.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
else process.stdout.write(render(report));

function render(r: DayReport): string {
  const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  const lines = [`Simulated day: ${r.hours} h, ${r.calls} calls, seed ${r.seed}`, '', 'Queues'];
  lines.push(table(['queue', 'offered', 'answered', 'abandoned', 'timed out', 'avg wait', 'longest wait', 'service level'], r.queues.map((q) => [`${q.queueId} ${q.name ?? ''}`.trim(), q.offered, q.answered, q.abandoned, q.timedOut, s(q.avgWaitMs), s(q.longestWaitMs), `${q.serviceLevel.toFixed(1)} %`])));
  lines.push('', 'Agents');
  lines.push(table(['agent', 'calls', 'talk time', 'occupancy'], r.agents.map((a) => [`${a.agentId} ${a.name ?? ''}`.trim(), a.calls, `${Math.round(a.talkMs / 60_000)} min`, `${a.occupancy.toFixed(1)} %`])));
  return `${lines.join('\n')}\n`;
}

function table(head: string[], rows: (string | number)[][]): string {
  const cells = [head, ...rows.map((r) => r.map(String))];
  const widths = head.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const fmt = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [fmt(head), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(fmt)].join('\n');
}
