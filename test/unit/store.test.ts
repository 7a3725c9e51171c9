import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Cdr } from '../../src/domain/cdr.js';
import { parseConfig, type Config, type ConfigInput } from '../../src/domain/config.js';
import type { QueueLogEntry } from '../../src/domain/queue-log.js';
import { openDatabase, type Database } from '../../src/store/db.js';
import { createCdrRepo, InvalidCursorError } from '../../src/store/repos/cdr-repo.js';
import { createConfigRepo } from '../../src/store/repos/config-repo.js';
import { createQueueLogRepo } from '../../src/store/repos/queue-log-repo.js';

function aConfig(input: ConfigInput = everyKindOfEntity()): Config {
  const result = parseConfig(input);
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return result.config;
}

function everyKindOfEntity(): ConfigInput {
  return {
    numbers: [
      { id: 'main', number: '+15550100', name: 'Main line', enable_ivr: true, ivr: 'menu', language: 'en_US',
        greeting: { default: ['sound:welcome'], es: ['sound:bienvenido', 'recording:promo'] } },
      { id: 'direct', number: '2000', queue: 'sales' },
    ],
    ivrs: [
      {
        id: 'menu', name: 'Main menu', root: 'lang',
        nodes: [
          { id: 'lang', prompts: { default: ['press-1-english'] }, timeout_s: 3.5, retries: 1,
            invalid_prompts: { default: ['invalid'] }, timeout_prompts: { default: ['timeout'] },
            keys: { '1': { action: 'node', node: 'english', language: 'en' }, '#': { action: 'hangup' } },
            on_failure: { action: 'queue', queue: 'support' } },
          { id: 'english', prompts: { en: ['sales-or-support'] },
            keys: { '1': { action: 'queue', queue: 'sales', priority: 5 }, '2': { action: 'queue', queue: 'support' } } },
        ],
      },
    ],
    queues: [
      { id: 'sales', name: 'Sales', strategy: 'round-robin', weight: 10,
        groups: [{ group: 'g-sales', priority: 1 }, { group: 'g-all', priority: 2 }], overflow_delay_s: 30,
        answer_timeout_s: 20, max_no_answer: 2, retry_s: 2.5, wrapup_s: 10, max_wait_s: 600,
        exit: { action: 'queue', queue: 'support' }, join_empty: 'refuse', service_level_s: 30,
        greeting: { default: ['queue-welcome'] }, moh_class: 'jazz', announce_every_s: 45,
        announce_prompts: { default: ['still-waiting'] }, announce_position: true, announce_wait_time: true,
        record: true, agent_list_url: 'https://crm.example/agents' },
      { id: 'support', groups: [{ group: 'g-all' }] },
    ],
    groups: [{ id: 'g-sales', name: 'Sales team' }, { id: 'g-all' }],
    agents: [
      { id: 'alice', name: 'Alice', phone: { type: 'sip', endpoint: 'alice-phone' }, groups: ['g-sales', 'g-all'],
        auto_login: true },
      { id: 'bob', phone: { type: 'external', number: '+15550199' } },
    ],
    memberships: [
      { agent: 'bob', queue: 'support', penalty: 3 },
      { agent: 'alice', queue: 'sales' },
    ],
    lines: [{ number: '2001', endpoint: 'desk-1' }],
    webhooks: { secret: 'a-long-shared-secret', lookup_url: 'http://127.0.0.1:9/lookup', hangup_url: 'https://crm.example/hangup', project_id: 25 },
    click_to_call: { allow: '^0[0-9]{9}$', caller_id: '+15550100' },
  };
}

function aCdr(overrides: Partial<Cdr> = {}): Cdr {
  return {
    callId: 'call-1', legId: 'leg-1', direction: 'inbound', numberId: 'main', dialled: '+15550100',
    caller: '+15550111', callerName: 'Caller', startedAt: 1_000, answeredAt: 1_100, endedAt: 90_000,
    ivrPath: 'lang:1>english:1', language: 'en', queueId: 'sales', enqueuedAt: 5_000, waitMs: 12_000,
    agentId: 'alice', agentLegId: 'leg-2', connectedAt: 17_000, talkMs: 73_000, holdMs: 0,
    hangupSide: 'caller', hangupCause: 'normal', recording: 'rec/call-1.wav', disposition: 'answered',
    variables: { USR_account: '42' },
    segments: [{ agentId: 'alice', number: null, queueId: 'sales', via: 'queue', startedAt: 17_000, endedAt: 90_000, holdMs: 0 }],
    ...overrides,
  };
}

function aQueueLogEntry(overrides: Partial<QueueLogEntry> = {}): QueueLogEntry {
  return { at: 1_000, callId: 'call-1', queueId: 'sales', agentId: null, event: 'ENTERQUEUE', data: { position: 1 }, ...overrides };
}

describe('openDatabase', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'switchboard-store-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('applies each migration once and is idempotent when a file database is reopened', () => {
    const path = join(dir, 'sb.db');

    const first = openDatabase(path);
    const applied = first.prepare('SELECT version, name, applied_at FROM schema_migrations ORDER BY version').all();
    createConfigRepo(first).replaceAll(aConfig());
    first.close();
    const second = openDatabase(path);
    const reapplied = second.prepare('SELECT version, name, applied_at FROM schema_migrations ORDER BY version').all();
    const config = createConfigRepo(second).load();
    const journal = second.pragma('journal_mode', { simple: true });
    const foreignKeys = second.pragma('foreign_keys', { simple: true });
    second.close();

    const files = readdirSync(new URL('../../src/store/migrations/', import.meta.url)).filter((f) => f.endsWith('.sql')).sort();
    expect((applied as { version: number; name: string }[]).map((m) => `${String(m.version).padStart(3, '0')}_${m.name}.sql`)).toEqual(files);
    expect(applied[0]).toMatchObject({ version: 1, name: 'init' });
    expect(reapplied).toEqual(applied);
    expect(config).toStrictEqual(aConfig());
    expect(journal).toBe('wal');
    expect(foreignKeys).toBe(1);
  });

  it('opens an in-memory database with the schema when the path is :memory:', () => {
    const db = openDatabase(':memory:');

    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all();
    db.close();

    expect(tables).toEqual(expect.arrayContaining(['numbers', 'ivrs', 'queues', 'groups', 'queue_groups', 'agents',
      'agent_groups', 'memberships', 'cdrs', 'queue_log', 'schema_migrations']));
  });
});

describe('config repo', () => {
  let db: Database;
  beforeEach(() => {
    db = openDatabase(':memory:');
  });
  afterEach(() => {
    db.close();
  });

  it('loads exactly the config it saved when every kind of entity is present', () => {
    const repo = createConfigRepo(db);
    const config = aConfig();

    repo.replaceAll(config);

    expect(repo.load()).toStrictEqual(config);
  });

  it('loads an empty config when nothing was saved', () => {
    expect(createConfigRepo(db).load()).toStrictEqual(aConfig({}));
  });

  it('replaces the previous config entirely when saved twice', () => {
    const repo = createConfigRepo(db);
    const smaller = aConfig({ queues: [{ id: 'only' }], numbers: [{ id: 'n', number: '1', queue: 'only' }] });
    repo.replaceAll(aConfig());

    repo.replaceAll(smaller);

    expect(repo.load()).toStrictEqual(smaller);
    expect(db.prepare('SELECT count(*) FROM memberships').pluck().get()).toBe(0);
  });

  it('keeps the old config when an insert fails part-way through', () => {
    const repo = createConfigRepo(db);
    const old = aConfig();
    repo.replaceAll(old);
    // Bypasses validation: the membership names an agent that does not exist (a foreign key violation).
    const broken = aConfig({ queues: [{ id: 'q' }] });
    broken.memberships.push({ agent: 'ghost', queue: 'q', penalty: 0 });

    expect(() => repo.replaceAll(broken)).toThrow(/FOREIGN KEY/);

    expect(repo.load()).toStrictEqual(old);
  });
});

describe('cdr repo', () => {
  let db: Database;
  beforeEach(() => {
    db = openDatabase(':memory:');
  });
  afterEach(() => {
    db.close();
  });

  it('returns the CDR it stored when looked up by call id', () => {
    const repo = createCdrRepo(db);
    const answered = aCdr();
    const abandoned = aCdr({
      callId: 'call-2', numberId: null, callerName: null, answeredAt: null, ivrPath: null, language: null,
      queueId: null, enqueuedAt: null, waitMs: null, agentId: null, agentLegId: null, connectedAt: null,
      talkMs: null, hangupSide: null, hangupCause: null, recording: null, disposition: 'abandoned', variables: {}, segments: [],
    });

    repo.insert(answered);
    repo.insert(abandoned);

    expect(repo.get('call-1')).toStrictEqual(answered);
    expect(repo.get('call-2')).toStrictEqual(abandoned);
    expect(repo.get('missing')).toBeUndefined();
  });

  it('rejects a second CDR with the same call id', () => {
    const repo = createCdrRepo(db);
    repo.insert(aCdr());

    expect(() => repo.insert(aCdr())).toThrow(/UNIQUE/);
  });

  it('walks every page with no duplicates or gaps when 250 CDRs share start times', () => {
    const repo = createCdrRepo(db);
    // Ten calls start in each millisecond, inserted out of order, so ties break on call id.
    const cdrs = Array.from({ length: 250 }, (_, i) =>
      aCdr({ callId: `call-${String(249 - i).padStart(3, '0')}`, startedAt: 10_000 + Math.floor((249 - i) / 10) }),
    );
    for (const cdr of cdrs) repo.insert(cdr);
    repo.insert(aCdr({ callId: 'before', startedAt: 9_999 }));
    repo.insert(aCdr({ callId: 'after', startedAt: 10_025 }));

    const pages: Cdr[][] = [];
    let cursor: string | undefined;
    do {
      const page = repo.listRange({ from: 10_000, to: 10_025, limit: 40, ...(cursor ? { cursor } : {}) });
      pages.push(page.items);
      cursor = page.cursor ?? undefined;
    } while (cursor);

    expect(pages.map((p) => p.length)).toEqual([40, 40, 40, 40, 40, 40, 10]);
    const ids = pages.flat().map((c) => c.callId);
    expect(ids).toEqual(Array.from({ length: 250 }, (_, i) => `call-${String(i).padStart(3, '0')}`));
  });

  it('caps the page size at 100 when a larger limit is asked for', () => {
    const repo = createCdrRepo(db);
    for (let i = 0; i < 150; i++) repo.insert(aCdr({ callId: `c${String(i).padStart(3, '0')}`, startedAt: i }));

    const defaulted = repo.listRange({ from: 0, to: 1_000 });
    const capped = repo.listRange({ from: 0, to: 1_000, limit: 500 });
    const rest = repo.listRange({ from: 0, to: 1_000, cursor: capped.cursor ?? '' });

    expect(defaulted.items).toHaveLength(100);
    expect(capped.items).toHaveLength(100);
    expect(rest.items).toHaveLength(50);
    expect(rest.cursor).toBeNull();
  });

  it('returns an empty last page with a null cursor when nothing is in range', () => {
    const page = createCdrRepo(db).listRange({ from: 0, to: 10 });

    expect(page).toEqual({ items: [], cursor: null });
  });

  it('throws InvalidCursorError when the cursor is not one it produced', () => {
    const repo = createCdrRepo(db);

    expect(() => repo.listRange({ from: 0, to: 10, cursor: 'not-a-cursor' })).toThrow(InvalidCursorError);
    expect(() => repo.listRange({ from: 0, to: 10, cursor: Buffer.from('{"a":1}').toString('base64url') }))
      .toThrow(InvalidCursorError);
  });

  it('lists all CDRs ordered by start time', () => {
    const repo = createCdrRepo(db);
    repo.insert(aCdr({ callId: 'late', startedAt: 2 }));
    repo.insert(aCdr({ callId: 'early', startedAt: 1 }));

    expect(repo.all().map((c) => c.callId)).toEqual(['early', 'late']);
  });
});

describe('queue log repo', () => {
  let db: Database;
  beforeEach(() => {
    db = openDatabase(':memory:');
  });
  afterEach(() => {
    db.close();
  });

  it('lists appended entries in append order, filtered by queue, call and time', () => {
    const repo = createQueueLogRepo(db);
    const entries = [
      aQueueLogEntry({ at: 3_000 }),
      aQueueLogEntry({ at: 1_000, callId: 'call-2', queueId: 'support' }),
      aQueueLogEntry({ at: 4_000, agentId: 'alice', event: 'CONNECT', data: { holdtime: 3, bridge: 'b1' } }),
      aQueueLogEntry({ at: 9_000, callId: null, agentId: 'alice', event: 'PAUSE', data: { reason: 'lunch' } }),
    ];

    repo.append(entries.slice(0, 2));
    repo.append(entries.slice(2));

    expect(repo.list()).toStrictEqual(entries);
    expect(repo.list({ queueId: 'sales' })).toStrictEqual([entries[0], entries[2], entries[3]]);
    expect(repo.list({ callId: 'call-1' })).toStrictEqual([entries[0], entries[2]]);
    expect(repo.list({ from: 3_000, to: 9_000 })).toStrictEqual([entries[0], entries[2]]);
    expect(repo.list({ queueId: 'sales', callId: 'call-1', from: 3_500 })).toStrictEqual([entries[2]]);
  });

  it('appends nothing when one entry of a batch fails', () => {
    const repo = createQueueLogRepo(db);
    const bad = aQueueLogEntry({ queueId: null as unknown as string });

    expect(() => repo.append([aQueueLogEntry(), bad])).toThrow(/NOT NULL/);

    expect(repo.list()).toEqual([]);
  });
});
