import { openDatabase, type Database } from './db.js';
import { createCdrRepo, type CdrRepo } from './repos/cdr-repo.js';
import { createConfigRepo, type ConfigRepo } from './repos/config-repo.js';
import { createQueueLogRepo, type QueueLogRepo } from './repos/queue-log-repo.js';

export interface Store {
  db: Database;
  config: ConfigRepo;
  cdrs: CdrRepo;
  queueLog: QueueLogRepo;
  close(): void;
}

/** Open the SQLite store (a file path, or ':memory:') with its repositories. */
export function openStore(path: string): Store {
  const db = openDatabase(path);
  return {
    db,
    config: createConfigRepo(db),
    cdrs: createCdrRepo(db),
    queueLog: createQueueLogRepo(db),
    close: () => db.close(),
  };
}
