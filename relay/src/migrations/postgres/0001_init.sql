-- The relay's schema as first shipped (before numbered migrations, it was created with
-- CREATE TABLE IF NOT EXISTS on every open; a database made that way counts as version 1).
-- Share links: links, their files, access log, replies, seen signed requests.
CREATE TABLE IF NOT EXISTS links (
    id TEXT PRIMARY KEY, owner TEXT NOT NULL, created_at BIGINT NOT NULL, exp BIGINT,
    flag TEXT NOT NULL, status TEXT NOT NULL, pass_salt BYTEA, pass_hash BYTEA,
    max_attempts BIGINT NOT NULL, attempts_used BIGINT NOT NULL DEFAULT 0);
CREATE INDEX IF NOT EXISTS links_by_owner ON links(owner);
CREATE TABLE IF NOT EXISTS files (
    link_id TEXT NOT NULL, n BIGINT NOT NULL, content_type TEXT NOT NULL, jwe TEXT NOT NULL,
    PRIMARY KEY (link_id, n));
CREATE TABLE IF NOT EXISTS access_log (
    seq BIGSERIAL PRIMARY KEY, link_id TEXT NOT NULL, at BIGINT NOT NULL,
    recipient TEXT NOT NULL, outcome TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS access_by_link ON access_log(link_id, seq);
CREATE TABLE IF NOT EXISTS replies (
    seq BIGSERIAL PRIMARY KEY, link_id TEXT NOT NULL, at BIGINT NOT NULL, jwe TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS seen_requests (id TEXT PRIMARY KEY, keep_until BIGINT NOT NULL);
CREATE INDEX IF NOT EXISTS seen_requests_by_time ON seen_requests(keep_until);
-- Multi-device sync.
CREATE TABLE IF NOT EXISTS sync_accounts (
    account TEXT PRIMARY KEY, epoch BIGINT NOT NULL DEFAULT 0, next_seq BIGINT NOT NULL DEFAULT 1,
    compacted_upto BIGINT NOT NULL DEFAULT 0, snapshot_upto BIGINT NOT NULL DEFAULT 0,
    snapshot_epoch BIGINT, snapshot BYTEA, created_at BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS sync_devices (
    account TEXT NOT NULL, device TEXT NOT NULL, xkey TEXT NOT NULL, status TEXT NOT NULL,
    added_at BIGINT NOT NULL, removed_at BIGINT, ack BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (account, device));
CREATE TABLE IF NOT EXISTS sync_ops (
    account TEXT NOT NULL, seq BIGINT NOT NULL, id TEXT NOT NULL, epoch BIGINT NOT NULL, blob BYTEA NOT NULL,
    PRIMARY KEY (account, seq), UNIQUE (account, id));
CREATE TABLE IF NOT EXISTS sync_keys (
    account TEXT NOT NULL, device TEXT NOT NULL, epoch BIGINT NOT NULL, blob BYTEA NOT NULL,
    PRIMARY KEY (account, device, epoch));
CREATE TABLE IF NOT EXISTS sync_pairing (
    slot TEXT PRIMARY KEY, hello BYTEA, welcome BYTEA, created_at BIGINT NOT NULL);
CREATE INDEX IF NOT EXISTS sync_pairing_by_time ON sync_pairing(created_at);
