-- Schema 1. Plaintext columns hold only random ids, keyed hashes (lookup), times needed
-- for range queries, and the wrapped (encrypted) data key. Every value that describes
-- health is in a *_body / samples / rollup column sealed with AES-256-GCM.
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value BLOB NOT NULL
) WITHOUT ROWID;

CREATE TABLE key_wraps (
    kind       TEXT PRIMARY KEY,   -- platform | passphrase | recovery
    wrapped    BLOB NOT NULL,
    created_at INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE sections (
    id     TEXT PRIMARY KEY,       -- random uuid
    lookup BLOB NOT NULL UNIQUE,   -- HMAC(slug)
    body   BLOB NOT NULL           -- sealed Section
);

CREATE TABLE entries (
    id            TEXT PRIMARY KEY,                      -- random uuid
    section_id    TEXT NOT NULL REFERENCES sections(id),
    created_at    INTEGER NOT NULL,                      -- ms since epoch
    updated_at    INTEGER NOT NULL,
    deleted_at    INTEGER,                               -- tombstone
    source_lookup BLOB,                                  -- HMAC(provenance source id)
    body          BLOB NOT NULL                          -- sealed value + provenance
);
CREATE INDEX entries_by_section ON entries(section_id, created_at);

CREATE TABLE entry_revisions (
    entry_id TEXT NOT NULL REFERENCES entries(id) ON DELETE CASCADE,
    seq      INTEGER NOT NULL,
    body     BLOB NOT NULL,                              -- sealed earlier value
    PRIMARY KEY (entry_id, seq)
) WITHOUT ROWID;

CREATE TABLE annotations (
    id       TEXT PRIMARY KEY,
    entry_id TEXT NOT NULL REFERENCES entries(id) ON DELETE CASCADE,
    at       INTEGER NOT NULL,
    body     BLOB NOT NULL
);
CREATE INDEX annotations_by_entry ON annotations(entry_id, at);

-- One row per (kind, source, UTC day): the day's samples encoded, deflated and sealed.
-- Leaks day-level timing only.
CREATE TABLE sample_chunks (
    kind_lookup   BLOB NOT NULL,                         -- HMAC(kind)
    day           INTEGER NOT NULL,                      -- days since the Unix epoch (UTC)
    source_lookup BLOB NOT NULL,                         -- HMAC(kind, source)
    samples       BLOB NOT NULL,
    PRIMARY KEY (kind_lookup, day, source_lookup)
) WITHOUT ROWID;

-- The same day's rollup (count, min, max, sum, last), sealed, in its own narrow table so
-- a year of rollups is a few pages, whatever the size of the chunks.
CREATE TABLE sample_rollups (
    kind_lookup   BLOB NOT NULL,
    day           INTEGER NOT NULL,
    source_lookup BLOB NOT NULL,
    rollup        BLOB NOT NULL,
    PRIMARY KEY (kind_lookup, day, source_lookup)
) WITHOUT ROWID;
