-- Outbound dialer campaigns (seed 003): campaigns, members with their communications, every
-- attempt, and do-not-call lists (scope '*' is the global list, else a dialer id).
CREATE TABLE dialers (
  id TEXT PRIMARY KEY,
  config TEXT NOT NULL,
  state TEXT NOT NULL DEFAULT 'stopped',
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);

CREATE TABLE dialer_members (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  dialer_id TEXT NOT NULL REFERENCES dialers(id) ON DELETE CASCADE,
  name TEXT,
  priority INTEGER NOT NULL DEFAULT 0,
  expire_at INTEGER,
  bucket TEXT,
  timezone TEXT,
  variables TEXT NOT NULL DEFAULT '{}',
  communications TEXT NOT NULL,
  state TEXT NOT NULL DEFAULT 'waiting',
  result TEXT,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_comm INTEGER NOT NULL DEFAULT 0,
  next_at INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX dialer_members_due ON dialer_members (dialer_id, state, priority DESC, next_at, id);

CREATE TABLE dialer_attempts (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  dialer_id TEXT NOT NULL,
  member_id INTEGER NOT NULL REFERENCES dialer_members(id) ON DELETE CASCADE,
  comm_index INTEGER NOT NULL,
  destination TEXT NOT NULL,
  call_id TEXT NOT NULL,
  started_at INTEGER NOT NULL,
  answered_at INTEGER,
  ended_at INTEGER,
  outcome TEXT,
  cause TEXT,
  agent_id TEXT,
  amd TEXT
);
CREATE INDEX dialer_attempts_dialer ON dialer_attempts (dialer_id, id);
CREATE INDEX dialer_attempts_member ON dialer_attempts (member_id);

CREATE TABLE dialer_dnc (
  scope TEXT NOT NULL,
  number TEXT NOT NULL,
  added_at INTEGER NOT NULL,
  PRIMARY KEY (scope, number)
);
