import { openDatabase, type Database } from './db.js';
import { createCdrRepo, type CdrRepo } from './repos/cdr-repo.js';
import { createConfigRepo, type ConfigRepo } from './repos/config-repo.js';
import { createDialerRepo, type DialerRepo } from './repos/dialer-repo.js';
import { createAgentSessionRepo, createJournalRepo, type AgentSessionRepo, type JournalRepo } from './repos/journal-repo.js';
import { createQueueLogRepo, type QueueLogRepo } from './repos/queue-log-repo.js';
import { createVirtualWaiterRepo, type VirtualWaiterRepo } from './repos/virtual-waiter-repo.js';
import { createCallbackListRepo, type CallbackListRepo } from './repos/callback-list-repo.js';
import type { Cdr } from '../domain/cdr.js';

export interface Store {
  db: Database;
  config: ConfigRepo;
  cdrs: CdrRepo;
  queueLog: QueueLogRepo;
  journal: JournalRepo;
  agentSessions: AgentSessionRepo;
  dialers: DialerRepo;
  /** Virtual-queue waiters (seed 004). */
  virtualWaiters: VirtualWaiterRepo;
  /** Callback lists, requests and tickets (seed 002). */
  callbackLists: CallbackListRepo;
  /** Write a call's CDR and drop its journal in one transaction: never both, never neither. */
  completeCall(cdr: Cdr): void;
  close(): void;
}

/** Open the SQLite store (a file path, or ':memory:') with its repositories. */
export function openStore(path: string): Store {
  const db = openDatabase(path);
  const cdrs = createCdrRepo(db);
  const journal = createJournalRepo(db);
  const completeCall = db.transaction((cdr: Cdr) => {
    cdrs.insert(cdr);
    journal.remove(cdr.callId);
  });
  return {
    db,
    config: createConfigRepo(db),
    cdrs,
    queueLog: createQueueLogRepo(db),
    journal,
    agentSessions: createAgentSessionRepo(db),
    dialers: createDialerRepo(db, cdrs),
    virtualWaiters: createVirtualWaiterRepo(db),
    callbackLists: createCallbackListRepo(db),
    completeCall: (cdr) => completeCall(cdr),
    close: () => db.close(),
  };
}
