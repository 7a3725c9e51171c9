-- The configured pause reasons (config `pause_reasons`): a new config section.
-- (SQLite cannot widen a CHECK constraint: the table is rebuilt with the same rows.)
CREATE TABLE config_sections_new (
  key   TEXT PRIMARY KEY CHECK (key IN ('lines', 'webhooks', 'click_to_call', 'phone_policies', 'pause_reasons')),
  value TEXT NOT NULL CHECK (json_valid(value))
) STRICT;
INSERT INTO config_sections_new (key, value) SELECT key, value FROM config_sections;
DROP TABLE config_sections;
ALTER TABLE config_sections_new RENAME TO config_sections;
