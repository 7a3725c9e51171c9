-- Do-not-disturb per agent, kept with the agent's login state so it survives a restart.
ALTER TABLE agent_sessions ADD COLUMN dnd INTEGER NOT NULL DEFAULT 0 CHECK (dnd IN (0, 1));
