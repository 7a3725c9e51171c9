import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/store/db.js';
import { createQueueLogRepo } from '../../src/store/repos/queue-log-repo.js';

/** Rows as the engine wrote them before migration 004 (ring times in seconds, fewer fields). */
const OLD_ROWS: [string | null, string, string | null, string, object][] = [
  ['c1', 'q', null, 'ENTERQUEUE', { position: 3 }],
  [null, 'q', 'a', 'ADDMEMBER', { penalty: 0 }],
  ['c1', 'q', 'a', 'RINGNOANSWER', { ringtime: 15, cause: 'timeout' }],
  ['c1', 'q', 'b', 'CONNECT', { holdtime: 20, ringtime: 4 }],
  ['c1', 'q', 'b', 'COMPLETECALLER', { holdtime: 20, calltime: 95 }],
  [null, 'q', 'a', 'UNPAUSE', {}],
  ['c2', 'q', 'b', 'COMPLETEAGENT', { holdtime: 1, calltime: 2 }],
];

describe('migration 004 (queue_log Asterisk fields)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sb-mig-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('brings rows written before it to the Asterisk field set when the database is next opened', () => {
    const path = join(dir, 'sb.db');
    const db = openDatabase(path);
    const insert = db.prepare('INSERT INTO queue_log (at, call_id, queue_id, agent_id, event, data) VALUES (?, ?, ?, ?, ?, ?)');
    OLD_ROWS.forEach(([callId, queueId, agentId, event, data], i) => insert.run(i * 1000, callId, queueId, agentId, event, JSON.stringify(data)));
    db.prepare('DELETE FROM schema_migrations WHERE version = 4').run(); // as if 004 had not run yet
    db.close();

    const reopened = openDatabase(path);
    const rows = createQueueLogRepo(reopened).list().map((e) => [e.event, e.data]);
    reopened.close();

    expect(rows).toEqual([
      ['ENTERQUEUE', { position: 3, url: '', callerid: '' }],
      ['ADDMEMBER', { penalty: 0, paused: '' }],
      ['RINGNOANSWER', { ringtime: 15_000, cause: 'timeout' }],
      ['CONNECT', { holdtime: 20, ringtime: 4, bridgedchannelid: '' }],
      ['COMPLETECALLER', { holdtime: 20, calltime: 95, origposition: 3 }],
      ['UNPAUSE', { reason: '' }],
      ['COMPLETEAGENT', { holdtime: 1, calltime: 2, origposition: 0 }],
    ]);
  });
});
