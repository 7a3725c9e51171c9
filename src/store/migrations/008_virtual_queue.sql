-- Virtual queue (seed 004): callers who keep their place without holding the line.

-- Skills: an agent's skills (JSON skill → level) and a queue's skill routing (JSON
-- {required, relax_after_s}), NULL when none.
ALTER TABLE agents ADD COLUMN skills TEXT CHECK (skills IS NULL OR json_valid(skills));
ALTER TABLE queues ADD COLUMN skills TEXT CHECK (skills IS NULL OR json_valid(skills));

-- A queue's virtual_queue settings (JSON, see src/domain/virtual-queue.ts), NULL when disabled.
ALTER TABLE queues ADD COLUMN virtual_queue TEXT CHECK (virtual_queue IS NULL OR json_valid(virtual_queue));

-- CDRs of callbacks: direction `callback` and the original call. SQLite cannot widen a CHECK
-- constraint: the table is rebuilt with the same rows and indexes.
CREATE TABLE cdrs_new (
  call_id        TEXT NOT NULL,
  leg_id         TEXT NOT NULL,
  direction      TEXT NOT NULL CHECK (direction IN ('inbound', 'outbound', 'callback')),
  number_id      TEXT,
  dialled        TEXT NOT NULL,
  caller         TEXT NOT NULL,
  caller_name    TEXT,
  started_at     INTEGER NOT NULL,
  answered_at    INTEGER,
  ended_at       INTEGER NOT NULL,
  ivr_path       TEXT,
  language       TEXT,
  queue_id       TEXT,
  enqueued_at    INTEGER,
  wait_ms        INTEGER,
  agent_id       TEXT,
  agent_leg_id   TEXT,
  connected_at   INTEGER,
  talk_ms        INTEGER,
  hold_ms        INTEGER NOT NULL,
  hangup_side    TEXT CHECK (hangup_side IN ('caller', 'agent', 'system')),
  hangup_cause   TEXT,
  recording      TEXT,
  disposition    TEXT NOT NULL,
  variables      TEXT NOT NULL,
  segments       TEXT NOT NULL DEFAULT '[]',
  parent_call_id TEXT
);
INSERT INTO cdrs_new (call_id, leg_id, direction, number_id, dialled, caller, caller_name, started_at, answered_at,
  ended_at, ivr_path, language, queue_id, enqueued_at, wait_ms, agent_id, agent_leg_id, connected_at, talk_ms, hold_ms,
  hangup_side, hangup_cause, recording, disposition, variables, segments)
SELECT call_id, leg_id, direction, number_id, dialled, caller, caller_name, started_at, answered_at,
  ended_at, ivr_path, language, queue_id, enqueued_at, wait_ms, agent_id, agent_leg_id, connected_at, talk_ms, hold_ms,
  hangup_side, hangup_cause, recording, disposition, variables, segments FROM cdrs;
DROP TABLE cdrs;
ALTER TABLE cdrs_new RENAME TO cdrs;
CREATE UNIQUE INDEX cdrs_call_id ON cdrs (call_id);
CREATE INDEX cdrs_started_at ON cdrs (started_at, call_id);
CREATE INDEX cdrs_parent ON cdrs (parent_call_id) WHERE parent_call_id IS NOT NULL;

-- Virtual waiters: one row per caller lined up (by a key in the queue or over the API). Written
-- before the API answers; waiters in state Waiting or Notified are taken up again after a restart.
CREATE TABLE virtual_waiters (
  id                 TEXT PRIMARY KEY,               -- the routing entry id (vq-…)
  line_id            TEXT NOT NULL,                  -- the queue
  phone              TEXT NOT NULL,                  -- E.164
  channel            TEXT NOT NULL CHECK (channel IN ('CallBack', 'CallIn')),
  source             TEXT NOT NULL,
  lang               TEXT,
  skills             TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(skills)),
  properties         TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(properties)),
  state              TEXT NOT NULL CHECK (state IN ('Waiting', 'Notified', 'Connected', 'Finished', 'TimeOut')),
  service_state      TEXT CHECK (service_state IN ('Connected', 'Deferred', 'Canceled', 'Finished')),
  priority           INTEGER NOT NULL DEFAULT 0,
  enqueued_at        INTEGER NOT NULL,               -- the original enter time: the waiter's place
  parent_call_id     TEXT,                           -- the call that pressed the key, if any
  attempts           INTEGER NOT NULL DEFAULT 0,
  next_attempt_at    INTEGER,
  ewt_s              INTEGER,
  estimated_up_at    INTEGER,
  notified_at        INTEGER,
  connected_at       INTEGER,
  agent_id           TEXT,
  wait_time_when_up  INTEGER,
  created_at         INTEGER NOT NULL,
  updated_at         INTEGER NOT NULL
);
CREATE INDEX virtual_waiters_line_phone ON virtual_waiters (line_id, phone);
CREATE INDEX virtual_waiters_live ON virtual_waiters (state) WHERE state IN ('Waiting', 'Notified');

-- Callback lists (seed 002): lists per queue, their preferred periods, requests (held by at most
-- one agent: agent_id), and tickets (one per attempt an agent starts).
CREATE TABLE callback_lists (
  uuid       TEXT PRIMARY KEY,
  name       TEXT NOT NULL,
  queue_id   TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE TABLE callback_periods (
  uuid         TEXT PRIMARY KEY,
  list_uuid    TEXT NOT NULL REFERENCES callback_lists (uuid) ON DELETE CASCADE,
  name         TEXT NOT NULL,
  period_start TEXT NOT NULL,                  -- HH:MM:SS
  period_end   TEXT NOT NULL,
  is_default   INTEGER NOT NULL DEFAULT 0 CHECK (is_default IN (0, 1))
);
CREATE TABLE callback_requests (
  uuid                TEXT PRIMARY KEY,
  list_uuid           TEXT NOT NULL REFERENCES callback_lists (uuid) ON DELETE CASCADE,
  phone_number        TEXT,
  mobile_phone_number TEXT,
  first_name          TEXT,
  last_name           TEXT,
  company             TEXT,
  description         TEXT,
  due_date            TEXT,                    -- YYYY-MM-DD
  period_uuid         TEXT,
  agent_id            TEXT,                    -- the agent holding it, if any
  closed              INTEGER NOT NULL DEFAULT 0 CHECK (closed IN (0, 1)),
  created_at          INTEGER NOT NULL,
  updated_at          INTEGER NOT NULL
);
CREATE INDEX callback_requests_list ON callback_requests (list_uuid) WHERE closed = 0;
CREATE TABLE callback_tickets (
  uuid         TEXT PRIMARY KEY,
  request_uuid TEXT NOT NULL REFERENCES callback_requests (uuid) ON DELETE CASCADE,
  agent_id     TEXT NOT NULL,
  phone_number TEXT NOT NULL,
  call_id      TEXT,
  status       TEXT CHECK (status IS NULL OR status IN ('NoAnswer', 'Answered', 'Fax', 'Callback')),
  description  TEXT,
  started_at   INTEGER NOT NULL,
  updated_at   INTEGER NOT NULL
);
