-- Call control: each party the customer talked to (agents across transfers, outside numbers,
-- conference parties), as a JSON array of CdrSegment (src/domain/cdr.ts).
ALTER TABLE cdrs ADD COLUMN segments TEXT NOT NULL DEFAULT '[]';
