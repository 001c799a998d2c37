//! Numbered migrations, applied in order inside one transaction each.
//!
//! `PRAGMA user_version` holds the schema number. A database newer than this code is
//! refused (never silently downgraded). Add a migration by appending a file and a line.

use rusqlite::Connection;

/// Numbers that are skipped for good. 5 was jumped over when the sync migration was added
/// as 6; records made since then carry `user_version` 6, so renumbering it would make them
/// look newer than the code. A skipped number is never reused: a record at that version
/// would be taken for another schema. (tools/check_migrations.py allows only these gaps.)
#[cfg_attr(not(test), allow(dead_code))] // read by the tests and tools/check_migrations.py
pub(crate) const RETIRED: &[i64] = &[5];

pub(crate) const MIGRATIONS: &[(i64, &str)] = &[
    (1, include_str!("migrations/0001_init.sql")),
    (2, include_str!("migrations/0002_settings_and_source_index.sql")),
    (3, include_str!("migrations/0003_activities.sql")),
    (4, include_str!("migrations/0004_consent.sql")),
    (6, include_str!("migrations/0006_sync.sql")),
    (7, include_str!("migrations/0007_import_log.sql")),
];

pub(crate) const LATEST: i64 = MIGRATIONS[MIGRATIONS.len() - 1].0;

pub(crate) fn version(conn: &Connection) -> crate::Result<i64> {
    conn.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(crate::error::classify_sqlite)
}

/// Brings the database up to `target` (normally [`LATEST`]).
pub(crate) fn migrate_to(conn: &mut Connection, target: i64) -> crate::Result<()> {
    let current = version(conn)?;
    if current > LATEST {
        return Err(crate::Error::TooNew { found: current, known: LATEST });
    }
    for (num, sql) in MIGRATIONS.iter().filter(|(n, _)| *n > current && *n <= target) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        // PRAGMA takes no parameters; `num` is a compile-time constant from MIGRATIONS.
        tx.execute_batch(&format!("PRAGMA user_version = {num}"))?;
        tx.commit()?;
        log::info!("migrated record schema to {num}");
    }
    Ok(())
}

/// The schema as SQLite reports it, for comparing databases.
#[cfg(test)]
pub(crate) fn dump(conn: &Connection) -> Vec<(String, String, String)> {
    let mut stmt = conn.prepare("SELECT type, name, COALESCE(sql, '') FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name").unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).unwrap().map(|r| r.unwrap()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn step_by_step_equals_fresh() {
        let mut fresh = Connection::open_in_memory().unwrap();
        migrate_to(&mut fresh, LATEST).unwrap();

        let mut stepped = Connection::open_in_memory().unwrap();
        for (n, _) in MIGRATIONS {
            migrate_to(&mut stepped, *n).unwrap();
            assert_eq!(version(&stepped).unwrap(), *n);
            // Data written at each step survives the next.
            stepped.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('probe', ?1)", [n]).unwrap();
        }
        assert_eq!(dump(&fresh), dump(&stepped));
        let probe: i64 =
            stepped.query_row("SELECT value FROM meta WHERE key = 'probe'", [], |r| r.get(0)).unwrap();
        assert_eq!(probe, LATEST);
        // Running again is a no-op.
        migrate_to(&mut stepped, LATEST).unwrap();
        assert_eq!(dump(&fresh), dump(&stepped));
    }

    #[test]
    fn numbers_strictly_increase_and_skip_only_retired_ones() {
        for pair in MIGRATIONS.windows(2) {
            let (a, b) = (pair[0].0, pair[1].0);
            assert!(b > a, "migration {b} comes after {a}");
            for gap in a + 1..b {
                assert!(RETIRED.contains(&gap), "migration number {gap} is skipped but not RETIRED");
            }
        }
        assert_eq!(MIGRATIONS[0].0, 1);
        assert!(MIGRATIONS.iter().all(|(n, _)| !RETIRED.contains(n)));
    }

    #[test]
    fn newer_schema_is_refused() {
        let mut c = Connection::open_in_memory().unwrap();
        c.execute_batch("PRAGMA user_version = 999").unwrap();
        assert!(matches!(migrate_to(&mut c, LATEST), Err(crate::Error::TooNew { found: 999, .. })));
    }
}
