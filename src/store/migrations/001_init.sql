-- Configuration: numbers, IVRs, queues, groups, agents and memberships.
-- `position` keeps each list in the order it was configured.

CREATE TABLE groups (
  id        TEXT PRIMARY KEY,
  position  INTEGER NOT NULL,
  name      TEXT
);

CREATE TABLE queues (
  id                 TEXT PRIMARY KEY,
  position           INTEGER NOT NULL,
  name               TEXT,
  strategy           TEXT NOT NULL CHECK (strategy IN ('longest-idle', 'round-robin', 'fewest-calls', 'random', 'linear')),
  weight             INTEGER NOT NULL,
  overflow_delay_s   REAL NOT NULL,
  answer_timeout_s   REAL NOT NULL,
  max_no_answer      INTEGER NOT NULL,
  retry_s            REAL NOT NULL,
  wrapup_s           REAL NOT NULL,
  max_wait_s         REAL NOT NULL,
  exit               TEXT NOT NULL,            -- JSON: { action: 'hangup' } | { action: 'queue', queue }
  join_empty         TEXT NOT NULL CHECK (join_empty IN ('join', 'refuse')),
  service_level_s    REAL NOT NULL,
  greeting           TEXT,                     -- JSON: prompts per language
  moh_class          TEXT NOT NULL,
  announce_every_s   REAL NOT NULL,
  announce_prompts   TEXT,                     -- JSON: prompts per language
  announce_position  INTEGER NOT NULL CHECK (announce_position IN (0, 1)),
  announce_wait_time INTEGER NOT NULL CHECK (announce_wait_time IN (0, 1)),
  record             INTEGER NOT NULL CHECK (record IN (0, 1))
);

CREATE TABLE queue_groups (
  queue_id  TEXT NOT NULL REFERENCES queues (id) ON DELETE CASCADE,
  position  INTEGER NOT NULL,
  group_id  TEXT NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
  priority  INTEGER NOT NULL,
  PRIMARY KEY (queue_id, position)
);
CREATE INDEX queue_groups_group ON queue_groups (group_id);

CREATE TABLE ivrs (
  id        TEXT PRIMARY KEY,
  position  INTEGER NOT NULL,
  name      TEXT,
  root      TEXT NOT NULL,
  nodes     TEXT NOT NULL                       -- JSON: the IVR's node tree
);

CREATE TABLE numbers (
  id         TEXT PRIMARY KEY,
  position   INTEGER NOT NULL,
  number     TEXT NOT NULL UNIQUE,
  name       TEXT,
  enable_ivr INTEGER NOT NULL CHECK (enable_ivr IN (0, 1)),
  ivr_id     TEXT REFERENCES ivrs (id),
  queue_id   TEXT REFERENCES queues (id),
  language   TEXT NOT NULL,
  greeting   TEXT                               -- JSON: prompts per language
);

CREATE TABLE agents (
  id             TEXT PRIMARY KEY,
  position       INTEGER NOT NULL,
  name           TEXT,
  phone_type     TEXT NOT NULL CHECK (phone_type IN ('sip', 'external')),
  phone_endpoint TEXT,
  phone_number   TEXT,
  auto_login     INTEGER NOT NULL CHECK (auto_login IN (0, 1)),
  CHECK ((phone_type = 'sip' AND phone_endpoint IS NOT NULL AND phone_number IS NULL)
      OR (phone_type = 'external' AND phone_number IS NOT NULL AND phone_endpoint IS NULL))
);

CREATE TABLE agent_groups (
  agent_id  TEXT NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
  position  INTEGER NOT NULL,
  group_id  TEXT NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
  PRIMARY KEY (agent_id, position)
);
CREATE INDEX agent_groups_group ON agent_groups (group_id);

CREATE TABLE memberships (
  agent_id  TEXT NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
  queue_id  TEXT NOT NULL REFERENCES queues (id) ON DELETE CASCADE,
  position  INTEGER NOT NULL,
  penalty   INTEGER NOT NULL,
  PRIMARY KEY (agent_id, queue_id)
);
CREATE INDEX memberships_queue ON memberships (queue_id);

-- Call detail records: one row per call, written once when the call ends. Times are epoch ms.

CREATE TABLE cdrs (
  call_id      TEXT NOT NULL,
  leg_id       TEXT NOT NULL,
  direction    TEXT NOT NULL CHECK (direction IN ('inbound', 'outbound')),
  number_id    TEXT,
  dialled      TEXT NOT NULL,
  caller       TEXT NOT NULL,
  caller_name  TEXT,
  started_at   INTEGER NOT NULL,
  answered_at  INTEGER,
  ended_at     INTEGER NOT NULL,
  ivr_path     TEXT,
  language     TEXT,
  queue_id     TEXT,
  enqueued_at  INTEGER,
  wait_ms      INTEGER,
  agent_id     TEXT,
  agent_leg_id TEXT,
  connected_at INTEGER,
  talk_ms      INTEGER,
  hold_ms      INTEGER NOT NULL,
  hangup_side  TEXT CHECK (hangup_side IN ('caller', 'agent', 'system')),
  hangup_cause TEXT,
  recording    TEXT,
  disposition  TEXT NOT NULL,
  variables    TEXT NOT NULL                    -- JSON: Record<string, string>
);
CREATE UNIQUE INDEX cdrs_call_id ON cdrs (call_id);
CREATE INDEX cdrs_started_at ON cdrs (started_at, call_id);

-- Queue event log, in the spirit of Asterisk's queue_log. No foreign keys: history outlives config.

CREATE TABLE queue_log (
  id        INTEGER PRIMARY KEY,
  at        INTEGER NOT NULL,
  call_id   TEXT,
  queue_id  TEXT NOT NULL,
  agent_id  TEXT,
  event     TEXT NOT NULL,
  data      TEXT NOT NULL                       -- JSON: Record<string, string | number>
);
CREATE INDEX queue_log_queue_at ON queue_log (queue_id, at);
CREATE INDEX queue_log_at ON queue_log (at);
CREATE INDEX queue_log_call ON queue_log (call_id);
