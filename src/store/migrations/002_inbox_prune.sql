-- openclaw store, schema 2. When an inbox row was processed (done_at), so processed rows can be
-- pruned once they are past the de-duplication window; rows processed before this schema count
-- from their arrival.
ALTER TABLE inbox ADD COLUMN done_at INTEGER;
UPDATE inbox SET done_at = created_at WHERE done = 1;
CREATE INDEX inbox_done ON inbox (channel, done_at) WHERE done = 1;
