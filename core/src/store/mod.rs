//! The encrypted store: one SQLite file per record (WAL, one writer, pooled readers),
//! field-level AES-256-GCM, keyed-hash lookups, numbered migrations.
//!
//! [`Record`] is the handle everything else uses. Modules outside `store` never see SQL.

mod activities;
mod backup;
mod chunk;
mod entries;
mod export;
mod grants;
mod ids;
mod import_log;
pub mod insights_input;
mod keys;
mod observe;
pub mod private_fs;
mod reconcile;
mod samples;
mod schema;
mod sections;
mod settings;
mod side_files;
mod status;
mod sync_conflicts;
mod sync_log;

pub use activities::{same_session, ImportBatch, ImportOutcome, ImportSession};
pub use entries::ListOptions;
pub use export::{RecordExport, SectionExport, SeriesExport};
pub(crate) use grants::AuditLine;
pub use ids::{resolve_prefix, IdKind, MIN_ID_PREFIX};
pub use import_log::{file_name_only, ImportLogEntry, ImportLogFile};
pub use observe::{Changed, ObserverId, RecordArea, RecordObserver};
pub use reconcile::{
    same_person, FieldConflict, ReconcileOutcome, SourceBatch, SourceItem, SourceLink,
    LEGACY_RESULTS_SECTION, RESULTS_SECTION,
};
pub use samples::SeriesSummary;
pub use status::{LAST_BACKUP_SETTING, LAST_SYNC_SETTING};
pub use sync_conflicts::{SyncConflict, CONFLICTS_SETTING};
pub use sync_log::ApplyReport;
pub(crate) use sync_log::{decode_op as decode_op_bytes, op_bytes};

use crate::crypto::{DataKey, FieldCipher, KeyStore, Lookup, RecoveryKey, RecoveryKeyStore};
use crate::{Error, Result};
use rusqlite::{Connection, OpenFlags, OptionalExtension};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The file name of a record inside its home folder.
pub const DB_FILE: &str = "record.phr";
/// Setting (synced): `{sign, xkey}`, the public sync identity of the recovery key.
pub const RECOVERY_PUBLIC_SETTING: &str = "recovery.sync_public";

const KEY_CHECK_AD: &[u8] = b"meta|key_check";

/// An open, unlocked record.
pub struct Record {
    path: PathBuf,
    writer: Mutex<Connection>,
    readers: Mutex<Vec<Connection>>,
    cipher: FieldCipher,
    lookup: Lookup,
    data_key: DataKey,
    record_id: String,
    /// This device's hybrid logical clock for sync ops (see `sync_log`).
    sync_clock: Mutex<sync_log::SyncClock>,
    /// Set while ops from other devices are applied, so they are not recorded again.
    applying_remote: std::sync::atomic::AtomicBool,
    /// Who to tell when a write commits (the apps' screens).
    observers: observe::Observers,
    /// The insight input by day: the insights screen and the notifications plan ask for it
    /// on every draw, and building it decrypts a year of rollups and five sections.
    insight_cache: observe::Derived<chrono::NaiveDate, std::sync::Arc<crate::insights::InsightInput>>,
    /// `section_overview` answers by (section, how many latest): home asks on every draw.
    overview_cache: observe::Derived<(String, usize), (u32, Vec<crate::record::Entry>)>,
}

impl std::fmt::Debug for Record {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Record").field("record_id", &self.record_id).finish_non_exhaustive()
    }
}

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

fn configure(conn: &Connection) -> Result<()> {
    // foreign_keys: annotations/revisions cannot outlive entries. secure_delete: purged
    // rows are overwritten, not left in free pages. temp_store: no temp files on disk.
    conn.execute_batch("PRAGMA foreign_keys = ON; PRAGMA secure_delete = ON; PRAGMA temp_store = MEMORY; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000;")
        .map_err(crate::error::classify_sqlite)?;
    Ok(())
}

impl Record {
    /// Creates a new, empty record at `path` (the database file), locked by `keystore`.
    pub fn create(path: &Path, keystore: &dyn KeyStore) -> Result<Record> {
        Self::create_with_key(path, keystore, DataKey::generate()?, &uuid::Uuid::new_v4().to_string())
    }

    /// Creates an empty record with a given data key and id: a new device of an existing
    /// record (the key arrives sealed to the device during pairing, see `sync::devices`).
    pub fn create_with_key(
        path: &Path,
        keystore: &dyn KeyStore,
        data_key: DataKey,
        record_id: &str,
    ) -> Result<Record> {
        if path.exists() {
            return Err(Error::RecordExists);
        }
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            private_fs::create_private_dir(dir).map_err(|e| Error::io(dir, e))?;
        }
        let wrapped = keystore.wrap(&data_key)?;
        // Build in a side file and rename, so a crash mid-create leaves no half record.
        let tmp = path.with_extension("creating");
        let _ = std::fs::remove_file(&tmp);
        let result = (|| -> Result<()> {
            // Owner-only before SQLite writes a byte (its -wal and -shm copy this mode).
            private_fs::create_private_file(&tmp).map_err(|e| Error::io(&tmp, e))?;
            let mut conn = Connection::open(&tmp).map_err(crate::error::classify_sqlite)?;
            conn.query_row("PRAGMA journal_mode = WAL", [], |_| Ok(()))?;
            configure(&conn)?;
            schema::migrate_to(&mut conn, schema::LATEST)?;
            let cipher = FieldCipher::new(&data_key);
            let tx = conn.transaction()?;
            tx.execute("INSERT INTO meta(key, value) VALUES ('record_id', ?1)", [record_id])?;
            tx.execute(
                "INSERT INTO meta(key, value) VALUES ('key_check', ?1)",
                [cipher.seal(record_id.as_bytes(), KEY_CHECK_AD)?],
            )?;
            tx.execute(
                "INSERT INTO key_wraps(kind, wrapped, created_at) VALUES (?1, ?2, ?3)",
                rusqlite::params![keystore.kind().as_str(), wrapped, now_ms()],
            )?;
            sections::seed_builtin(&tx, &cipher, &Lookup::new(&data_key))?;
            tx.commit()?;
            conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)")?;
            Ok(())
        })();
        if let Err(e) = result {
            let _ = std::fs::remove_file(&tmp);
            let _ = std::fs::remove_file(tmp.with_extension("creating-wal"));
            let _ = std::fs::remove_file(tmp.with_extension("creating-shm"));
            return Err(e);
        }
        std::fs::rename(&tmp, path).map_err(|e| Error::io(path, e))?;
        for sfx in ["-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{sfx}", tmp.display()));
        }
        Record::open(path, keystore)
    }

    /// Opens and unlocks an existing record. A wrong key, a damaged file or a newer schema
    /// fail before anything is written.
    pub fn open(path: &Path, keystore: &dyn KeyStore) -> Result<Record> {
        if !path.is_file() {
            return Err(Error::NoRecord);
        }
        side_files::check(path)?;
        let mut conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(crate::error::classify_sqlite)?;
        // Until the key is proven, closing must not checkpoint a WAL into the file (it may
        // be another record's): a failed open leaves both as they were.
        conn.set_db_config(rusqlite::config::DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, true)?;
        configure(&conn)?;
        let found = schema::version(&conn)?;
        if found > schema::LATEST {
            return Err(Error::TooNew { found, known: schema::LATEST });
        }
        if found < 1 {
            return Err(Error::Corrupt("the file has no PHR schema"));
        }
        let wrapped: Option<Vec<u8>> = conn
            .query_row("SELECT wrapped FROM key_wraps WHERE kind = ?1", [keystore.kind().as_str()], |r| {
                r.get(0)
            })
            .optional()
            .map_err(crate::error::classify_sqlite)?;
        let wrapped = wrapped.ok_or(Error::WrongKey)?;
        let data_key = keystore.unwrap(&wrapped)?;
        let cipher = FieldCipher::new(&data_key);
        let record_id: String = conn
            .query_row("SELECT value FROM meta WHERE key = 'record_id'", [], |r| r.get(0))
            .optional()
            .map_err(crate::error::classify_sqlite)?
            .ok_or(Error::Corrupt("the record id is missing"))?;
        let check: Vec<u8> = conn
            .query_row("SELECT value FROM meta WHERE key = 'key_check'", [], |r| r.get(0))
            .map_err(crate::error::classify_sqlite)?;
        match cipher.open(&check, KEY_CHECK_AD) {
            Ok(v) if v == record_id.as_bytes() => {}
            _ => return Err(Error::WrongKey),
        }
        // Only now, with the key proven, may the file change.
        conn.set_db_config(rusqlite::config::DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, false)?;
        schema::migrate_to(&mut conn, schema::LATEST)?;
        let observers = observe::Observers::default();
        observers.watch(&conn);
        let record = Record {
            path: path.to_path_buf(),
            writer: Mutex::new(conn),
            readers: Mutex::new(Vec::new()),
            lookup: Lookup::new(&data_key),
            cipher,
            data_key,
            record_id,
            sync_clock: Mutex::new(sync_log::SyncClock::default()),
            applying_remote: std::sync::atomic::AtomicBool::new(false),
            observers,
            insight_cache: observe::Derived::new(),
            overview_cache: observe::Derived::new(),
        };
        record.upgrade_builtin_sections()?;
        Ok(record)
    }

    pub fn id(&self) -> &str {
        &self.record_id
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The raw data key, for sealing it to a new device of the owner during pairing only.
    pub(crate) fn data_key_bytes(&self) -> &[u8; 32] {
        self.data_key.expose()
    }

    /// Adds (or replaces) the wrap for another keystore: a new phone keystore, a changed
    /// passphrase. Other wraps stay valid.
    pub fn add_keystore(&self, keystore: &dyn KeyStore) -> Result<()> {
        let wrapped = keystore.wrap(&self.data_key)?;
        self.write(|tx| {
            self.observers.mark(observe::RecordArea::Keys);
            tx.execute(
                "INSERT OR REPLACE INTO key_wraps(kind, wrapped, created_at) VALUES (?1, ?2, ?3)",
                rusqlite::params![keystore.kind().as_str(), wrapped, now_ms()],
            )?;
            Ok(())
        })
    }

    /// Makes a new printable recovery key that also unlocks this record (replacing any
    /// earlier one). Show it once; it is not stored anywhere in clear. The record keeps (and
    /// syncs) the public half of the sync identity derived from it, which the devices
    /// register with the relay: the key then also removes devices and brings one back (ADR 0048).
    pub fn create_recovery_key(&self) -> Result<RecoveryKey> {
        let key = RecoveryKey::generate()?;
        self.add_keystore(&RecoveryKeyStore::new(key.clone()))?;
        let (sign, xkey) = key.sync_public()?;
        self.set_setting(RECOVERY_PUBLIC_SETTING, &serde_json::json!({ "sign": sign, "xkey": xkey }))?;
        Ok(key)
    }

    /// Runs `f` in one write transaction: it lands whole or not at all.
    /// Observers hear of it once it has committed.
    pub(crate) fn write<T>(&self, f: impl FnOnce(&rusqlite::Transaction<'_>) -> Result<T>) -> Result<T> {
        let (out, changed) = {
            let mut conn = self.writer.lock().unwrap_or_else(|p| p.into_inner());
            self.observers.reset();
            let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            let out = f(&tx)?;
            tx.commit()?;
            (out, self.observers.take())
        };
        self.observers.notify(changed);
        Ok(out)
    }

    /// Registers `observer` to hear, after each committed write, which areas of the
    /// record changed (an edit, an import, a sync from another device).
    pub fn observe(&self, observer: std::sync::Arc<dyn RecordObserver>) -> ObserverId {
        self.observers.add(observer)
    }

    /// Stops telling the observer; false if it was not registered.
    pub fn unobserve(&self, id: ObserverId) -> bool {
        self.observers.remove(id)
    }

    /// Runs `f` on a pooled read-only connection (WAL lets readers run beside the writer),
    /// inside one read transaction: `f` sees one snapshot, and its statements share one
    /// lock instead of taking and dropping it each (a screen reading 5,000 entries made
    /// 15,000 lock round trips before).
    pub(crate) fn read<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        self.read_on(true, f)
    }

    /// As [`Record::read`] without the transaction, for statements that cannot run inside
    /// one (`VACUUM INTO`).
    pub(crate) fn read_outside_txn<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        self.read_on(false, f)
    }

    fn read_on<T>(&self, snapshot: bool, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        let pooled = self.readers.lock().unwrap_or_else(|p| p.into_inner()).pop();
        let conn = match pooled {
            Some(c) => c,
            None => {
                let c = Connection::open_with_flags(
                    &self.path,
                    OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
                )
                .map_err(crate::error::classify_sqlite)?;
                configure(&c)?;
                c
            }
        };
        if snapshot {
            conn.execute_batch("BEGIN")?;
        }
        let out = f(&conn);
        if snapshot && conn.execute_batch("COMMIT").is_err() {
            let _ = conn.execute_batch("ROLLBACK");
        }
        // A connection still inside a transaction would hand its old snapshot to the next
        // reader: it is dropped, not pooled.
        if conn.is_autocommit() {
            let mut pool = self.readers.lock().unwrap_or_else(|p| p.into_inner());
            if pool.len() < 4 {
                pool.push(conn);
            }
        }
        out
    }

    /// Runs SQLite's full integrity check (used by tests and `phr doctor`-style tools).
    pub fn integrity_check(&self) -> Result<bool> {
        self.read(|c| Ok(c.query_row("PRAGMA integrity_check", [], |r| r.get::<_, String>(0))? == "ok"))
    }
}

impl Drop for Record {
    /// Closes readers first, then folds the WAL into the database file, so a record at
    /// rest is one file and a later failed open has nothing to checkpoint.
    fn drop(&mut self) {
        self.readers.get_mut().unwrap_or_else(|p| p.into_inner()).clear();
        let conn = self.writer.get_mut().unwrap_or_else(|p| p.into_inner());
        if let Err(e) = conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)") {
            log::warn!("checkpoint on close failed: {e}");
        }
    }
}

/// Associated data for one cell. It names the table, column and row so a
/// sealed value cannot be moved to another row or column and still open.
pub(crate) fn ad(table: &str, column: &str, row: &str) -> Vec<u8> {
    format!("{table}|{column}|{row}").into_bytes()
}
