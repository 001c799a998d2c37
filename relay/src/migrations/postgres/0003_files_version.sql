-- A counter bumped whenever a link's files are replaced (issue 19): an instance keeps each
-- link's finished manifest in memory under the version it was built from, and the one row
-- lookup every fetch already makes tells it whether that copy is still the current one.
ALTER TABLE links ADD COLUMN IF NOT EXISTS files_version BIGINT NOT NULL DEFAULT 0;
