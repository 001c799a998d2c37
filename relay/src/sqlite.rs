//! The default store: one SQLite file (WAL, secure_delete so revoked content is
//! overwritten). Calls are short and run under one mutex, which also serialises the
//! passcode counters.

use crate::store::*;
use rusqlite::{params, Connection, OptionalExtension};
use std::path::Path;
use std::sync::Mutex;

pub struct SqliteStore {
    pub(crate) conn: Mutex<Connection>,
}

/// Per-connection settings; the schema is in `migrations/sqlite/` ([`crate::migrate`]).
const PRAGMAS: &str = "
PRAGMA journal_mode = WAL;
PRAGMA secure_delete = ON;
PRAGMA synchronous = NORMAL;
";

impl SqliteStore {
    pub fn open(path: &Path) -> DbResult<Self> {
        let mut conn = Connection::open(path)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        conn.execute_batch(PRAGMAS)?;
        crate::migrate::sqlite(&mut conn)?;
        Ok(Self { conn: Mutex::new(conn) })
    }

    /// Caps the database's size in pages (a full disk, for fault tests).
    pub fn set_max_pages(&self, pages: u64) -> DbResult<()> {
        self.with(|c| c.query_row(&format!("PRAGMA max_page_count = {pages}"), [], |_| Ok(())))
    }

    fn with<T>(&self, f: impl FnOnce(&Connection) -> rusqlite::Result<T>) -> DbResult<T> {
        let c = self.conn.lock().unwrap_or_else(|p| p.into_inner());
        Ok(f(&c)?)
    }

    fn owns(c: &Connection, owner: &str, id: &str) -> rusqlite::Result<bool> {
        c.query_row(
            "SELECT EXISTS(SELECT 1 FROM links WHERE id = ?1 AND owner = ?2)",
            params![id, owner],
            |r| r.get(0),
        )
    }
}

impl Store for SqliteStore {
    async fn first_use(&self, request_id: &str, keep_until_ms: i64, now_ms: i64) -> DbResult<bool> {
        self.with(|c| {
            c.execute("DELETE FROM seen_requests WHERE keep_until < ?1", [now_ms])?;
            Ok(c.execute(
                "INSERT OR IGNORE INTO seen_requests(id, keep_until) VALUES (?1, ?2)",
                params![request_id, keep_until_ms],
            )? == 1)
        })
    }

    async fn sweep_expired(&self, now_ms: i64) -> DbResult<u64> {
        let mut c = self.conn.lock().unwrap_or_else(|p| p.into_inner());
        let tx = c.transaction()?;
        let ids: Vec<String> = {
            let mut s = tx.prepare(
                "UPDATE links SET status = 'expired' WHERE status = 'active' AND exp IS NOT NULL AND exp * 1000 <= ?1 RETURNING id",
            )?;
            let rows = s.query_map([now_ms], |r| r.get(0))?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        for id in &ids {
            tx.execute("DELETE FROM files WHERE link_id = ?1", [id])?;
            tx.execute("DELETE FROM passcode_failures WHERE link_id = ?1", [id])?;
        }
        // Device removals nobody confirmed in time.
        tx.execute("DELETE FROM sync_removals WHERE expires_at <= ?1", [now_ms])?;
        tx.commit()?;
        if !ids.is_empty() {
            // As on revoke: secure_delete zeroes the freed pages; checkpointing drops the WAL's copies.
            c.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        }
        Ok(ids.len() as u64)
    }

    async fn owner_bytes(&self, owner: &str, except: Option<&str>) -> DbResult<u64> {
        let n: i64 = self.with(|c| {
            c.query_row(
                "SELECT COALESCE(SUM(length(CAST(f.content_type AS BLOB)) + length(CAST(f.jwe AS BLOB))), 0) \
                 FROM files f JOIN links l ON l.id = f.link_id \
                 WHERE l.owner = ?1 AND l.status = 'active' AND l.id IS NOT ?2",
                params![owner, except],
                |r| r.get(0),
            )
        })?;
        Ok(n.max(0) as u64)
    }

    async fn create_link(&self, row: &LinkRow, files: &[(String, String)]) -> DbResult<()> {
        let mut c = self.conn.lock().unwrap_or_else(|p| p.into_inner());
        let tx = c.transaction()?;
        tx.execute(
            "INSERT INTO links(id, owner, created_at, exp, flag, status, pass_salt, pass_hash, max_attempts, attempts_used) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,0)",
            params![row.id, row.owner, row.created_at, row.exp, row.flag, row.status, row.pass_salt, row.pass_hash, row.max_attempts],
        )?;
        for (n, (ct, jwe)) in files.iter().enumerate() {
            tx.execute(
                "INSERT INTO files(link_id, n, content_type, jwe) VALUES (?1, ?2, ?3, ?4)",
                params![row.id, n as i64, ct, jwe],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    async fn link(&self, id: &str) -> DbResult<Option<LinkRow>> {
        self.with(|c| {
            // Cached: every manifest fetch runs it (parsing it again showed in the profile).
            c.prepare_cached(
                "SELECT id, owner, created_at, exp, flag, status, pass_salt, pass_hash, max_attempts, attempts_used, files_version FROM links WHERE id = ?1",
            )?
            .query_row(
                [id],
                |r| {
                    Ok(LinkRow {
                        id: r.get(0)?,
                        owner: r.get(1)?,
                        created_at: r.get(2)?,
                        exp: r.get(3)?,
                        flag: r.get(4)?,
                        status: r.get(5)?,
                        pass_salt: r.get(6)?,
                        pass_hash: r.get(7)?,
                        max_attempts: r.get(8)?,
                        attempts_used: r.get(9)?,
                        files_version: r.get(10)?,
                    })
                },
            )
            .optional()
        })
    }

    async fn files(&self, id: &str) -> DbResult<Vec<(String, String)>> {
        self.with(|c| {
            let mut s =
                c.prepare_cached("SELECT content_type, jwe FROM files WHERE link_id = ?1 ORDER BY n")?;
            let rows = s.query_map([id], |r| Ok((r.get(0)?, r.get(1)?)))?;
            rows.collect()
        })
    }

    async fn list_links(&self, owner: &str) -> DbResult<Vec<LinkSummary>> {
        self.with(|c| {
            let mut s = c.prepare(
                "SELECT id, status, flag, exp, created_at, (SELECT COUNT(*) FROM access_log a WHERE a.link_id = l.id AND a.outcome = 'served') \
                 FROM links l WHERE owner = ?1 ORDER BY created_at, id",
            )?;
            let rows = s.query_map([owner], |r| {
                Ok(LinkSummary { id: r.get(0)?, status: r.get(1)?, flag: r.get(2)?, exp: r.get(3)?, created_at: r.get(4)?, fetches: r.get(5)? })
            })?;
            rows.collect()
        })
    }

    async fn replace_files(&self, owner: &str, id: &str, files: &[(String, String)]) -> DbResult<bool> {
        let mut c = self.conn.lock().unwrap_or_else(|p| p.into_inner());
        let tx = c.transaction()?;
        let mine: bool = tx.query_row(
            "SELECT EXISTS(SELECT 1 FROM links WHERE id = ?1 AND owner = ?2 AND status = 'active')",
            params![id, owner],
            |r| r.get(0),
        )?;
        if mine {
            tx.execute("UPDATE links SET files_version = files_version + 1 WHERE id = ?1", [id])?;
            tx.execute("DELETE FROM files WHERE link_id = ?1", [id])?;
            for (n, (ct, jwe)) in files.iter().enumerate() {
                tx.execute(
                    "INSERT INTO files(link_id, n, content_type, jwe) VALUES (?1, ?2, ?3, ?4)",
                    params![id, n as i64, ct, jwe],
                )?;
            }
        }
        tx.commit()?;
        if mine {
            // As on revoke: the old ciphertext's pages are zeroed and the WAL's copies dropped.
            c.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        }
        Ok(mine)
    }

    async fn revoke(&self, owner: &str, id: &str) -> DbResult<bool> {
        let mut c = self.conn.lock().unwrap_or_else(|p| p.into_inner());
        let tx = c.transaction()?;
        let n = tx.execute(
            "UPDATE links SET status = 'revoked' WHERE id = ?1 AND owner = ?2",
            params![id, owner],
        )?;
        if n > 0 {
            tx.execute("DELETE FROM files WHERE link_id = ?1", [id])?;
        }
        tx.commit()?;
        if n > 0 {
            // secure_delete zeroes the freed pages; checkpointing drops the WAL's older copies.
            c.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        }
        Ok(n > 0)
    }

    async fn reserve_attempt(
        &self,
        id: &str,
        client: &str,
        max: i64,
        now: i64,
    ) -> DbResult<Result<i64, i64>> {
        let mut c = self.conn.lock().unwrap_or_else(|p| p.into_inner());
        let tx = c.transaction()?;
        let (failures, until): (i64, i64) = tx
            .query_row(
                "SELECT failures, blocked_until FROM passcode_failures WHERE link_id = ?1 AND client = ?2",
                params![id, client],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?
            .unwrap_or((0, 0));
        if until > now {
            return Ok(Err(until));
        }
        let failures = failures + 1;
        let until = if failures >= max { now + backoff_ms(failures - max) } else { 0 };
        tx.execute(
            "INSERT INTO passcode_failures(link_id, client, failures, blocked_until) VALUES (?1, ?2, ?3, ?4) \
             ON CONFLICT (link_id, client) DO UPDATE SET failures = excluded.failures, blocked_until = excluded.blocked_until",
            params![id, client, failures, until],
        )?;
        tx.commit()?;
        Ok(Ok(failures))
    }

    async fn release_attempt(&self, id: &str, client: &str) -> DbResult<()> {
        self.with(|c| {
            c.execute("DELETE FROM passcode_failures WHERE link_id = ?1 AND client = ?2", params![id, client])
                .map(|_| ())
        })
    }

    async fn client_attempts(&self, id: &str, client: &str) -> DbResult<(i64, i64)> {
        self.with(|c| {
            c.query_row(
                "SELECT failures, blocked_until FROM passcode_failures WHERE link_id = ?1 AND client = ?2",
                params![id, client],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map(|r| r.unwrap_or((0, 0)))
        })
    }

    async fn reset_attempts(&self, owner: &str, id: &str) -> DbResult<bool> {
        self.with(|c| {
            if !Self::owns(c, owner, id)? {
                return Ok(false);
            }
            c.execute("DELETE FROM passcode_failures WHERE link_id = ?1", [id])?;
            Ok(true)
        })
    }

    async fn log(&self, id: &str, at: i64, recipient: &str, outcome: &str) -> DbResult<()> {
        self.with(|c| {
            c.execute(
                "INSERT INTO access_log(link_id, at, recipient, outcome) VALUES (?1, ?2, ?3, ?4)",
                params![id, at, recipient, outcome],
            )
            .map(|_| ())
        })
    }

    async fn log_many(&self, entries: &[LogEntry]) -> DbResult<()> {
        let mut c = self.conn.lock().unwrap_or_else(|p| p.into_inner());
        let tx = c.transaction()?;
        {
            let mut s = tx.prepare_cached(
                "INSERT INTO access_log(link_id, at, recipient, outcome) VALUES (?1, ?2, ?3, ?4)",
            )?;
            for e in entries {
                s.execute(params![e.link_id, e.at, e.recipient, e.outcome])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    async fn access_log(&self, owner: &str, id: &str, after: i64) -> DbResult<Option<Vec<AccessEvent>>> {
        self.with(|c| {
            if !Self::owns(c, owner, id)? {
                return Ok(None);
            }
            let mut s = c.prepare_cached("SELECT seq, at, recipient, outcome FROM access_log WHERE link_id = ?1 AND seq > ?2 ORDER BY seq")?;
            let rows = s.query_map(params![id, after], |r| Ok(AccessEvent { seq: r.get(0)?, at: r.get(1)?, recipient: r.get(2)?, outcome: r.get(3)? }))?;
            rows.collect::<rusqlite::Result<Vec<_>>>().map(Some)
        })
    }

    async fn add_reply(&self, id: &str, at: i64, jwe: &str) -> DbResult<()> {
        self.with(|c| {
            c.execute("INSERT INTO replies(link_id, at, jwe) VALUES (?1, ?2, ?3)", params![id, at, jwe])
                .map(|_| ())
        })
    }

    async fn replies(&self, owner: &str, id: &str, after: i64) -> DbResult<Option<Vec<ReplyRow>>> {
        self.with(|c| {
            if !Self::owns(c, owner, id)? {
                return Ok(None);
            }
            let mut s = c.prepare_cached(
                "SELECT seq, at, jwe FROM replies WHERE link_id = ?1 AND seq > ?2 ORDER BY seq",
            )?;
            let rows = s.query_map(params![id, after], |r| {
                Ok(ReplyRow { seq: r.get(0)?, at: r.get(1)?, jwe: r.get(2)? })
            })?;
            rows.collect::<rusqlite::Result<Vec<_>>>().map(Some)
        })
    }
}
