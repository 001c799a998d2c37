-- The relay's schema as first shipped (before numbered migrations, it was created with
-- CREATE TABLE IF NOT EXISTS on every open; a database made that way counts as version 1).
-- Share links: links, their files, access log, replies, seen signed requests.
CREATE TABLE IF NOT EXISTS links (
    id TEXT PRIMARY KEY, owner TEXT NOT NULL, created_at INTEGER NOT NULL, exp INTEGER,
    flag TEXT NOT NULL, status TEXT NOT NULL, pass_salt BLOB, pass_hash BLOB,
    max_attempts INTEGER NOT NULL, attempts_used INTEGER NOT NULL DEFAULT 0);
CREATE INDEX IF NOT EXISTS links_by_owner ON links(owner);
CREATE TABLE IF NOT EXISTS files (
    link_id TEXT NOT NULL, n INTEGER NOT NULL, content_type TEXT NOT NULL, jwe TEXT NOT NULL,
    PRIMARY KEY (link_id, n));
CREATE TABLE IF NOT EXISTS access_log (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, link_id TEXT NOT NULL, at INTEGER NOT NULL,
    recipient TEXT NOT NULL, outcome TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS access_by_link ON access_log(link_id, seq);
CREATE TABLE IF NOT EXISTS replies (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, link_id TEXT NOT NULL, at INTEGER NOT NULL, jwe TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS seen_requests (id TEXT PRIMARY KEY, keep_until INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS seen_requests_by_time ON seen_requests(keep_until);
-- Multi-device sync.
CREATE TABLE IF NOT EXISTS sync_accounts (
    account TEXT PRIMARY KEY, epoch INTEGER NOT NULL DEFAULT 0, next_seq INTEGER NOT NULL DEFAULT 1,
    compacted_upto INTEGER NOT NULL DEFAULT 0, snapshot_upto INTEGER NOT NULL DEFAULT 0,
    snapshot_epoch INTEGER, snapshot BLOB, created_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS sync_devices (
    account TEXT NOT NULL, device TEXT NOT NULL, xkey TEXT NOT NULL, status TEXT NOT NULL,
    added_at INTEGER NOT NULL, removed_at INTEGER, ack INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (account, device));
CREATE TABLE IF NOT EXISTS sync_ops (
    account TEXT NOT NULL, seq INTEGER NOT NULL, id TEXT NOT NULL, epoch INTEGER NOT NULL, blob BLOB NOT NULL,
    PRIMARY KEY (account, seq), UNIQUE (account, id));
CREATE TABLE IF NOT EXISTS sync_keys (
    account TEXT NOT NULL, device TEXT NOT NULL, epoch INTEGER NOT NULL, blob BLOB NOT NULL,
    PRIMARY KEY (account, device, epoch));
CREATE TABLE IF NOT EXISTS sync_pairing (
    slot TEXT PRIMARY KEY, hello BLOB, welcome BLOB, created_at INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS sync_pairing_by_time ON sync_pairing(created_at);
