-- Seed 000 get_list_agents_url per queue, and whole-config sections stored as JSON documents.
ALTER TABLE queues ADD COLUMN agent_list_url TEXT;

CREATE TABLE config_sections (
  key   TEXT PRIMARY KEY CHECK (key IN ('lines', 'webhooks', 'click_to_call')),
  value TEXT NOT NULL CHECK (json_valid(value))
) STRICT;
