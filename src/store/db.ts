import { readdirSync, readFileSync } from 'node:fs';
import BetterSqlite3 from 'better-sqlite3';

/** The SQLite handle the repositories receive. Only src/store/ imports better-sqlite3. */
export type Database = BetterSqlite3.Database;

const MIGRATIONS_DIR = new URL('./migrations/', import.meta.url);
const MIGRATION_FILE = /^(\d{3})_([A-Za-z0-9_-]+)\.sql$/;

interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** Open (or create) the database, set pragmas and apply any migrations not yet applied. */
export function openDatabase(path: string): Database {
  const db = new BetterSqlite3(path);
  try {
    if (path !== ':memory:') db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    migrate(db, readMigrations());
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

function readMigrations(): Migration[] {
  return readdirSync(MIGRATIONS_DIR)
    .flatMap((file) => {
      const match = MIGRATION_FILE.exec(file);
      if (!match) return [];
      const sql = readFileSync(new URL(file, MIGRATIONS_DIR), 'utf8');
      return [{ version: Number(match[1]), name: match[2] ?? file, sql }];
    })
    .sort((a, b) => a.version - b.version);
}

/** Apply each pending migration in its own transaction, recording it in schema_migrations. */
function migrate(db: Database, migrations: Migration[]): void {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at INTEGER NOT NULL
  )`);
  const applied = new Set(
    db.prepare<[], { version: number }>('SELECT version FROM schema_migrations').all().map((r) => r.version),
  );
  const record = db.prepare<[number, string, number]>(
    'INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)',
  );
  for (const m of migrations) {
    if (applied.has(m.version)) continue;
    db.transaction(() => {
      db.exec(m.sql);
      record.run(m.version, m.name, Date.now());
    })();
  }
}
