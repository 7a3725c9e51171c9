import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { simulateDay } from '../../src/demo/simulate-day.js';
import type { QueueLogEntry } from '../../src/domain/queue-log.js';
import { silentLogger } from '../../src/infra/logger.js';
import { openQueueLogFile } from '../../src/store/queue-log-file.js';
import { openStore } from '../../src/store/store.js';
import { configFrom, exampleConfig, simWorld } from '../support/sim-world.js';

/** Asterisk 22 app_queue.c: the data fields of each event, in the order it writes them. */
const ASTERISK_FIELDS: Record<string, string[]> = {
  ENTERQUEUE: ['url', 'callerid', 'position'],
  CONNECT: ['holdtime', 'bridgedchannelid', 'ringtime'],
  COMPLETECALLER: ['holdtime', 'calltime', 'origposition'],
  COMPLETEAGENT: ['holdtime', 'calltime', 'origposition'],
  ABANDON: ['position', 'origposition', 'waittime'],
  EXITWITHTIMEOUT: ['position', 'origposition', 'waittime'],
  RINGNOANSWER: ['ringtime'],
  RINGCANCELED: ['ringtime'],
  PAUSE: ['reason'],
  UNPAUSE: ['reason'],
  ADDMEMBER: ['paused'],
  REMOVEMEMBER: [],
  JOINEMPTY: [],
  AGENTLOGIN: ['channel'],
  AGENTLOGOFF: ['channel', 'logintime'],
};

interface Line { epoch: number; callid: string; queue: string; agent: string; event: string; data: string[] }

function parse(text: string): Line[] {
  expect(text.endsWith('\n')).toBe(true);
  return text.slice(0, -1).split('\n').map((l) => {
    const [epoch, callid, queue, agent, event, ...data] = l.split('|');
    return { epoch: Number(epoch), callid: callid!, queue: queue!, agent: agent!, event: event!, data };
  });
}

/** Each line against its table row: header fields, then every data field Asterisk writes, by name. */
function expectFileMatchesTable(lines: Line[], table: QueueLogEntry[]): void {
  expect(lines).toHaveLength(table.length);
  lines.forEach((line, i) => {
    const row = table[i]!;
    const fields = ASTERISK_FIELDS[row.event];
    if (!fields) throw new Error(`no Asterisk field reference for ${row.event}`);
    expect(line).toEqual({
      epoch: Math.floor(row.at / 1000),
      callid: row.callId ?? 'NONE',
      queue: row.queueId,
      agent: row.agentId ?? 'NONE',
      event: row.event,
      data: fields.length === 0 ? [''] : fields.map((f) => String(row.data[f])),
    });
    for (const f of fields) expect(row.data, `${row.event} row carries ${f}`).toHaveProperty(f);
  });
}

describe('queue_log file of a simulated day (npm run demo -- --queue-log)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sb-qlog-demo-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes every event of the table, with Asterisk fields equal to the row, when the day ends', async () => {
    const queueLogPath = join(dir, 'queue_log');
    const dbPath = join(dir, 'day.db');

    await simulateDay(exampleConfig(), { seed: 7, hours: 2, callsPerHour: 80, queueLogPath, dbPath });

    const store = openStore(dbPath);
    const table = store.queueLog.list();
    store.close();
    const lines = parse(readFileSync(queueLogPath, 'utf8'));
    expectFileMatchesTable(lines, table);
    const events = new Set(lines.map((l) => l.event));
    for (const e of ['AGENTLOGIN', 'ADDMEMBER', 'ENTERQUEUE', 'CONNECT', 'COMPLETEAGENT', 'ABANDON']) expect(events).toContain(e);
    // Meaning, not just shape: completions repeat the position the caller entered at, ring times are ms.
    const entered = new Map(lines.filter((l) => l.event === 'ENTERQUEUE').map((l) => [l.callid, l.data[2]]));
    for (const l of lines.filter((x) => x.event.startsWith('COMPLETE'))) expect(l.data[2]).toBe(entered.get(l.callid));
    for (const l of lines.filter((x) => x.event === 'CONNECT')) {
      expect(Number(l.data[0])).toBeGreaterThanOrEqual(Number(l.data[2]));
      expect(l.data[1]).not.toBe('');
    }
    for (const l of lines.filter((x) => x.event === 'ENTERQUEUE')) expect(l.data[1]).toMatch(/^\+1555\d+$/);
    for (const l of lines.filter((x) => x.event === 'RINGNOANSWER')) expect(Number(l.data[0])).toBeGreaterThanOrEqual(1000);
  });

  it('writes agent, timeout and empty-queue events the day does not produce, field for field with the table', async () => {
    const config = configFrom({
      queues: [
        { id: 'q1', groups: [{ group: 'g1' }], answer_timeout_s: 5, max_no_answer: 1, max_wait_s: 30 },
        { id: 'q2', groups: [{ group: 'g2' }], join_empty: 'refuse' },
      ],
      groups: [{ id: 'g1' }, { id: 'g2' }],
      agents: [
        { id: 'a', phone: { type: 'sip', endpoint: 'a' }, groups: ['g1'], auto_login: true },
        { id: 'b', phone: { type: 'sip', endpoint: 'b' }, groups: ['g2'] },
      ],
      numbers: [{ id: 'n1', number: '100', queue: 'q1' }, { id: 'n2', number: '200', queue: 'q2' }],
    });
    const w = await simWorld(config);
    const path = join(dir, 'queue_log');
    const file = await openQueueLogFile({ path, fsync: 'every', fsyncIntervalMs: 1000, maxBytes: 0, daily: false }, silentLogger());
    w.engine.on('queue.log', file.append);
    const before = w.store.queueLog.list().length; // start-up logins happened before the file was attached

    w.engine.pauseAgent('a', 'lunch');
    w.engine.unpauseAgent('a');
    w.pbx.setPhone('a', { behavior: 'never' });
    w.pbx.placeCall({ to: '100', from: '+15550100', at: w.clock.now() + 1000, patienceMs: 600_000 });
    w.pbx.placeCall({ to: '200', from: '+15550200', at: w.clock.now() + 2000, patienceMs: 600_000 });
    await w.clock.runFor(60_000);
    w.engine.unpauseAgent('a');
    w.engine.logoutAgent('a');
    await w.clock.runFor(1000);
    const table = w.store.queueLog.list().slice(before);
    await w.close();
    await file.close();

    const lines = parse(readFileSync(path, 'utf8'));
    expectFileMatchesTable(lines, table);
    const events = lines.map((l) => l.event);
    for (const e of ['PAUSE', 'UNPAUSE', 'RINGNOANSWER', 'EXITWITHTIMEOUT', 'JOINEMPTY', 'REMOVEMEMBER', 'AGENTLOGOFF']) expect(events).toContain(e);
    expect(lines.find((l) => l.event === 'PAUSE')?.data).toEqual(['lunch']);
    expect(lines.find((l) => l.event === 'RINGNOANSWER')?.data).toEqual(['5000']);
    expect(lines.find((l) => l.event === 'AGENTLOGOFF')?.data).toEqual(['a', '60']);
  });
});
