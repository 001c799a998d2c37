//! The relay's schema as numbered migrations, one line per dialect (`migrations/sqlite/`,
//! `migrations/postgres/`, `NNNN_name.sql`, the same numbers in both), and the one
//! initializer per backend that brings a database up to [`VERSION`]:
//!
//! - SQLite keeps its version in `PRAGMA user_version`;
//! - PostgreSQL in a one-row `schema_version` table (in the store's schema), changed under a
//!   transaction-scoped advisory lock, so relay instances starting together on one database
//!   migrate it once.
//!
//! A database newer than this relay is refused. Databases made before numbered migrations
//! (tables created with `CREATE TABLE IF NOT EXISTS` on every open, no version) are version
//! 0 here: migration 0001 is that schema with the same `IF NOT EXISTS` statements, so it
//! completes whatever such a database lacks and marks it version 1. Later migrations are
//! plain steps. `tools/check_migrations.py` checks that every file is listed below.

use crate::store::DbResult;

/// Migrations by number: SQLite.
pub(crate) const SQLITE: &[(u32, &str)] = &[
    (1, include_str!("migrations/sqlite/0001_init.sql")),
    (2, include_str!("migrations/sqlite/0002_passcode_backoff.sql")),
    (3, include_str!("migrations/sqlite/0003_files_version.sql")),
    (4, include_str!("migrations/sqlite/0004_device_removals.sql")),
];

/// Migrations by number: PostgreSQL (the same numbers as [`SQLITE`]).
pub(crate) const POSTGRES: &[(u32, &str)] = &[
    (1, include_str!("migrations/postgres/0001_init.sql")),
    (2, include_str!("migrations/postgres/0002_passcode_backoff.sql")),
    (3, include_str!("migrations/postgres/0003_files_version.sql")),
    (4, include_str!("migrations/postgres/0004_device_removals.sql")),
];

/// Numbers once shipped and withdrawn: never reused.
pub const RETIRED: &[u32] = &[];

/// The schema version this relay writes.
pub const VERSION: u32 = 4;

/// Any relay's advisory lock key for migrating (an arbitrary constant).
const PG_LOCK: i64 = 0x7068_725f_7265_6c61; // "phr_rela"

fn newer(found: i64) -> Box<dyn std::error::Error + Send + Sync> {
    format!("the relay database is at schema version {found}, newer than this relay ({VERSION}); use a newer phr-relay").into()
}

/// Brings a SQLite database up to [`VERSION`]. Returns the version it was at.
pub(crate) fn sqlite(conn: &mut rusqlite::Connection) -> DbResult<u32> {
    sqlite_to(conn, VERSION)
}

/// Brings a SQLite database up to `target` (tests step through the versions), in one
/// immediate transaction.
pub(crate) fn sqlite_to(conn: &mut rusqlite::Connection, target: u32) -> DbResult<u32> {
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let found: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if found > i64::from(VERSION) {
        return Err(newer(found));
    }
    for (n, sql) in SQLITE.iter().filter(|(n, _)| i64::from(*n) > found && *n <= target) {
        tx.execute_batch(sql)?;
        tx.execute_batch(&format!("PRAGMA user_version = {n}"))?;
    }
    tx.commit()?;
    Ok(u32::try_from(found).unwrap_or(0))
}

/// Brings a PostgreSQL database (the client's `search_path` schema) up to [`VERSION`].
/// Returns the version it was at.
pub(crate) async fn postgres(client: &mut tokio_postgres::Client) -> DbResult<u32> {
    postgres_to(client, VERSION).await
}

/// Brings a PostgreSQL database up to `target` in one transaction.
pub(crate) async fn postgres_to(client: &mut tokio_postgres::Client, target: u32) -> DbResult<u32> {
    let tx = client.transaction().await?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&PG_LOCK]).await?;
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS schema_version (
            one BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (one), version BIGINT NOT NULL);
         INSERT INTO schema_version(version) VALUES (0) ON CONFLICT (one) DO NOTHING;",
    )
    .await?;
    let found: i64 = tx.query_one("SELECT version FROM schema_version", &[]).await?.get(0);
    if found > i64::from(VERSION) {
        return Err(newer(found));
    }
    for (n, sql) in POSTGRES.iter().filter(|(n, _)| i64::from(*n) > found && *n <= target) {
        tx.batch_execute(sql).await?;
        tx.execute("UPDATE schema_version SET version = $1", &[&i64::from(*n)]).await?;
    }
    tx.commit().await?;
    Ok(u32::try_from(found).unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rusqlite::Connection;

    #[test]
    fn both_dialects_have_the_same_numbers_up_to_version() {
        let s: Vec<u32> = SQLITE.iter().map(|m| m.0).collect();
        let p: Vec<u32> = POSTGRES.iter().map(|m| m.0).collect();
        assert_eq!(s, p);
        assert_eq!(s.last().copied(), Some(VERSION));
    }

    /// Tables, columns and indexes as SQLite describes them (whitespace normalised).
    fn sqlite_schema(c: &Connection) -> Vec<(String, String, String)> {
        let mut st = c
            .prepare("SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY type, name")
            .unwrap();
        let rows = st
            .query_map([], |r| {
                let sql: String = r.get(2)?;
                Ok((r.get(0)?, r.get(1)?, sql.split_whitespace().collect::<Vec<_>>().join(" ")))
            })
            .unwrap();
        rows.map(Result::unwrap).collect()
    }

    fn version(c: &Connection) -> i64 {
        c.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap()
    }

    /// The schema the relay created before numbered migrations (copied from the code of
    /// `sqlite.rs` and `sqlite_sync.rs` at that time), run the way it was: on every open.
    const LEGACY_SQLITE: &str = "
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
";

    #[test]
    fn sqlite_step_by_step_equals_fresh_and_old_databases_open() {
        let dir = tempfile::tempdir().unwrap();
        let mut fresh = Connection::open(dir.path().join("fresh.sqlite")).unwrap();
        assert_eq!(sqlite(&mut fresh).unwrap(), 0);
        assert_eq!(version(&fresh), i64::from(VERSION));
        let want = sqlite_schema(&fresh);
        assert!(want.iter().any(|t| t.1 == "links") && want.iter().any(|t| t.1 == "sync_ops"), "{want:?}");

        // One version per open, reopening the file between steps.
        let path = dir.path().join("steps.sqlite");
        for target in 1..=VERSION {
            let mut c = Connection::open(&path).unwrap();
            assert_eq!(sqlite_to(&mut c, target).unwrap(), target - 1);
            assert_eq!(version(&c), i64::from(target));
        }
        let mut c = Connection::open(&path).unwrap();
        assert_eq!(sqlite(&mut c).unwrap(), VERSION, "nothing left to do");
        assert_eq!(sqlite_schema(&c), want);

        // A database made by the old code, with a row in it: opens as version 1, row kept.
        let old = dir.path().join("old.sqlite");
        let c = Connection::open(&old).unwrap();
        c.execute_batch(LEGACY_SQLITE).unwrap();
        c.execute_batch(LEGACY_SQLITE).unwrap();
        c.execute("INSERT INTO seen_requests(id, keep_until) VALUES ('r1', 5)", []).unwrap();
        drop(c);
        let mut c = Connection::open(&old).unwrap();
        assert_eq!(version(&c), 0);
        assert_eq!(sqlite(&mut c).unwrap(), 0);
        assert_eq!(version(&c), i64::from(VERSION));
        assert_eq!(sqlite_schema(&c), want);
        let n: i64 = c.query_row("SELECT count(*) FROM seen_requests", [], |r| r.get(0)).unwrap();
        assert_eq!(n, 1);

        // An old database from before sync (links only) is completed by 0001.
        let partial = dir.path().join("partial.sqlite");
        let c = Connection::open(&partial).unwrap();
        c.execute_batch(LEGACY_SQLITE.split("CREATE TABLE IF NOT EXISTS sync_accounts").next().unwrap())
            .unwrap();
        drop(c);
        let mut c = Connection::open(&partial).unwrap();
        sqlite(&mut c).unwrap();
        assert_eq!(sqlite_schema(&c), want);
    }

    #[test]
    fn sqlite_newer_database_is_refused_and_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let mut c = Connection::open(dir.path().join("new.sqlite")).unwrap();
        c.execute_batch(&format!("PRAGMA user_version = {}", VERSION + 1)).unwrap();
        let e = sqlite(&mut c).unwrap_err().to_string();
        assert!(e.contains("newer than this relay"), "{e}");
        assert!(sqlite_schema(&c).is_empty());
        assert_eq!(version(&c), i64::from(VERSION + 1));
    }

    async fn pg(schema: &str) -> Option<tokio_postgres::Client> {
        let url = match std::env::var("PHR_TEST_PG") {
            Ok(u) if !u.trim().is_empty() => u,
            _ => {
                phr_testkit::missing(
                    "PHR_TEST_PG is not set: the PostgreSQL migration test (scripts/test-all.sh sets it)",
                );
                return None;
            }
        };
        let (client, conn) = tokio_postgres::connect(url.trim(), tokio_postgres::NoTls).await.unwrap();
        tokio::spawn(conn);
        client
            .batch_execute(&format!(
                "DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}; SET search_path TO {schema};"
            ))
            .await
            .unwrap();
        Some(client)
    }

    /// Columns, constraints and indexes of a schema, with the schema's name taken out.
    async fn pg_schema(c: &tokio_postgres::Client, schema: &str) -> Vec<String> {
        let mut out = Vec::new();
        for r in c
            .query(
                "SELECT table_name, column_name, data_type, is_nullable, coalesce(column_default, '') \
                 FROM information_schema.columns WHERE table_schema = $1 ORDER BY 1, 2",
                &[&schema],
            )
            .await
            .unwrap()
        {
            let cols: Vec<String> = (0..5).map(|i| r.get::<_, String>(i)).collect();
            out.push(format!("column {}", cols.join(" ")));
        }
        for r in c
            .query(
                "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint \
                 WHERE connamespace = $1::text::regnamespace ORDER BY 1, 2",
                &[&schema],
            )
            .await
            .unwrap()
        {
            let cols: Vec<String> = (0..3).map(|i| r.get::<_, String>(i)).collect();
            out.push(format!("constraint {}", cols.join(" ")));
        }
        for r in c
            .query("SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = $1 ORDER BY 1", &[&schema])
            .await
            .unwrap()
        {
            out.push(format!("index {} {}", r.get::<_, String>(0), r.get::<_, String>(1)));
        }
        out.into_iter().map(|s| s.replace(&format!("{schema}."), "")).collect()
    }

    async fn pg_version(c: &tokio_postgres::Client) -> i64 {
        c.query_one("SELECT version FROM schema_version", &[]).await.unwrap().get(0)
    }

    #[tokio::test]
    async fn postgres_step_by_step_equals_fresh_and_old_databases_open() {
        let Some(mut fresh) = pg("mig_fresh").await else { return };
        assert_eq!(postgres(&mut fresh).await.unwrap(), 0);
        assert_eq!(pg_version(&fresh).await, i64::from(VERSION));
        let want = pg_schema(&fresh, "mig_fresh").await;
        assert!(want.iter().any(|s| s.starts_with("column sync_ops blob bytea")), "{want:?}");
        assert!(want.iter().any(|s| s.contains("links_by_owner")), "{want:?}");

        let Some(mut c) = pg("mig_steps").await else { return };
        for target in 1..=VERSION {
            assert_eq!(postgres_to(&mut c, target).await.unwrap(), target - 1);
            assert_eq!(pg_version(&c).await, i64::from(target));
        }
        assert_eq!(postgres(&mut c).await.unwrap(), VERSION);
        assert_eq!(pg_schema(&c, "mig_steps").await, want);

        // The old code's schema (0001 is its text), no version table, a row: version 1, row kept.
        let Some(mut c) = pg("mig_old").await else { return };
        c.batch_execute(POSTGRES[0].1).await.unwrap();
        c.batch_execute("INSERT INTO seen_requests(id, keep_until) VALUES ('r1', 5)").await.unwrap();
        assert_eq!(postgres(&mut c).await.unwrap(), 0);
        assert_eq!(pg_version(&c).await, i64::from(VERSION));
        assert_eq!(pg_schema(&c, "mig_old").await, want);
        let n: i64 = c.query_one("SELECT count(*) FROM seen_requests", &[]).await.unwrap().get(0);
        assert_eq!(n, 1);

        // Newer than this relay: refused, nothing changed.
        let Some(mut c) = pg("mig_new").await else { return };
        postgres(&mut c).await.unwrap();
        c.execute("UPDATE schema_version SET version = $1", &[&i64::from(VERSION + 1)]).await.unwrap();
        let e = postgres(&mut c).await.unwrap_err().to_string();
        assert!(e.contains("newer than this relay"), "{e}");
        assert_eq!(pg_version(&c).await, i64::from(VERSION + 1));

        // Instances starting together: each migrates or waits, none fails.
        let Some(_) = pg("mig_race").await else { return };
        let url = std::env::var("PHR_TEST_PG").unwrap();
        let mut tasks = Vec::new();
        for _ in 0..4 {
            let url = url.trim().to_string();
            tasks.push(tokio::spawn(async move {
                let (mut c, conn) = tokio_postgres::connect(&url, tokio_postgres::NoTls).await.unwrap();
                tokio::spawn(conn);
                c.batch_execute("SET search_path TO mig_race").await.unwrap();
                postgres(&mut c).await.unwrap()
            }));
        }
        let mut from = Vec::new();
        for t in tasks {
            from.push(t.await.unwrap());
        }
        from.sort();
        assert_eq!(from, vec![0, VERSION, VERSION, VERSION]);
        let Some(c) = pg("mig_done").await else { return };
        assert_eq!(pg_schema(&c, "mig_race").await, want);
    }
}
