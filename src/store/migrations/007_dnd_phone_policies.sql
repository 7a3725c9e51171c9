-- Do-not-disturb per agent, kept with the agent's login state so it survives a restart.
ALTER TABLE agent_sessions ADD COLUMN dnd INTEGER NOT NULL DEFAULT 0 CHECK (dnd IN (0, 1));

-- Per-agent / per-group dialling policies for calls from agents' phones: a new config section.
-- (SQLite cannot widen a CHECK constraint: the table is rebuilt with the same rows.)
CREATE TABLE config_sections_new (
  key   TEXT PRIMARY KEY CHECK (key IN ('lines', 'webhooks', 'click_to_call', 'phone_policies')),
  value TEXT NOT NULL CHECK (json_valid(value))
) STRICT;
INSERT INTO config_sections_new (key, value) SELECT key, value FROM config_sections;
DROP TABLE config_sections;
ALTER TABLE config_sections_new RENAME TO config_sections;
