-- Crash safety. live_calls: what each live call has done so far (the call journal), written as
-- it happens and removed in the same transaction as the call's CDR, so a CDR can always be
-- completed after a crash. agent_sessions: each agent's login state, pause and wrap-up, restored
-- at start.

CREATE TABLE live_calls (
  call_id     TEXT PRIMARY KEY,
  data        TEXT NOT NULL CHECK (json_valid(data)),   -- JSON: CallJournal
  updated_at  INTEGER NOT NULL
) STRICT;

CREATE TABLE agent_sessions (
  agent_id      TEXT PRIMARY KEY,
  status        TEXT NOT NULL CHECK (status IN ('loggedOut', 'ready', 'paused')),
  pause_reason  TEXT,
  line          TEXT,
  wrapup_until  INTEGER,
  updated_at    INTEGER NOT NULL
) STRICT;
