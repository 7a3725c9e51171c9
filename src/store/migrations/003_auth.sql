-- API authentication: integrator API keys, users with profiles (seed 002), login sessions (seed 001).
-- Secrets are never stored: keys and session tokens as sha256 hex, passwords as scrypt hashes.

CREATE TABLE api_keys (
  id          TEXT PRIMARY KEY,
  name        TEXT NOT NULL,
  key_hash    TEXT NOT NULL UNIQUE,
  created_at  INTEGER NOT NULL
) STRICT;

CREATE TABLE users (
  username      TEXT PRIMARY KEY,
  password_hash TEXT NOT NULL,
  profile       TEXT NOT NULL CHECK (profile IN ('admin', 'supervisor', 'agent')),
  agent_id      TEXT,
  queues        TEXT NOT NULL CHECK (json_valid(queues)),   -- JSON: string[] (supervisor)
  groups        TEXT NOT NULL CHECK (json_valid(groups)),   -- JSON: string[] (supervisor)
  created_at    INTEGER NOT NULL,
  updated_at    INTEGER NOT NULL,
  CHECK (profile <> 'agent' OR agent_id IS NOT NULL)
) STRICT;

-- Expired rows are kept a while so an expired token is told apart from an unknown one.
CREATE TABLE sessions (
  token_hash  TEXT PRIMARY KEY,
  username    TEXT NOT NULL REFERENCES users (username) ON DELETE CASCADE,
  created_at  INTEGER NOT NULL,
  expires_at  INTEGER NOT NULL
) STRICT;
CREATE INDEX sessions_expires_at ON sessions (expires_at);
CREATE INDEX sessions_username ON sessions (username);
