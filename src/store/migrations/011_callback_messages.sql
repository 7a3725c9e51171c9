-- Callback lists (seed 002), continued.
-- `auto` lists: their due requests are offered to the queue's agents like calls.
ALTER TABLE callback_lists ADD COLUMN auto INTEGER NOT NULL DEFAULT 0 CHECK (auto IN (0, 1));
-- A request left by a caller ("leave a message and we call you back"): the call it came from,
-- and its voice message (a PBX recording name, played with `recording:<name>`) with its length.
ALTER TABLE callback_requests ADD COLUMN parent_call_id TEXT;
ALTER TABLE callback_requests ADD COLUMN parent_enqueued_at INTEGER;  -- when that call entered its queue
ALTER TABLE callback_requests ADD COLUMN message TEXT;
ALTER TABLE callback_requests ADD COLUMN message_ms INTEGER;
-- An attempt's outcome as the engine saw it (auto lists: `no-agent-answer`, `customer-failed`,
-- `completed`, …); the agent's status stays in `status`.
ALTER TABLE callback_tickets ADD COLUMN outcome TEXT;
-- A queue's callback_message settings (JSON, see src/domain/callback-message.ts), NULL when none.
ALTER TABLE queues ADD COLUMN callback_message TEXT CHECK (callback_message IS NULL OR json_valid(callback_message));
