//! The history of imports on this device (schema 7), for the apps' imports screen: file
//! names and counts only, sealed like everything else, the newest [`KEEP`] runs kept.

use super::{ad, Record};
use crate::{Error, Result};
use serde::{Deserialize, Serialize};

/// Import runs kept; older ones are dropped when a new one is logged.
pub const KEEP: i64 = 100;
/// Files listed per run; a Garmin export has thousands, the rest are only counted.
pub const MAX_FILES: usize = 200;

/// One file of an import run: its name (no folders) and what happened, as counts.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportLogFile {
    pub name: String,
    /// The format's short name (`fit`, `apple_health`, `health_connect`...).
    pub format: String,
    /// `ok`, `partial`, `failed`, `skipped` or `cancelled`.
    pub status: String,
    pub samples_added: u64,
    pub samples_duplicate: u64,
    pub activities_added: u64,
    pub activities_merged: u64,
    pub entries_added: u64,
    /// How many problems were reported (their text is not kept: it can quote the file).
    pub problems: u64,
}

/// One import run (a shared file, a folder, a platform read).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportLogEntry {
    /// Set by the store when the run is logged.
    #[serde(default)]
    pub id: String,
    /// UTC ms when the run finished.
    pub at_ms: i64,
    /// Where the data came from: `files`, `health_connect`, `healthkit`.
    pub origin: String,
    pub files: Vec<ImportLogFile>,
    /// Files beyond `MAX_FILES`, counted in the totals but not listed.
    #[serde(default)]
    pub files_not_listed: u64,
    pub cancelled: bool,
}

impl ImportLogEntry {
    /// Adds a file, keeping at most `MAX_FILES` listed.
    pub fn push_file(&mut self, f: ImportLogFile) {
        if self.files.len() < MAX_FILES {
            self.files.push(f);
        } else {
            self.files_not_listed += 1;
        }
    }
}

/// Just the file name of a path or zip member (`/sdcard/Download/export.zip` -> `export.zip`).
pub fn file_name_only(path: &str) -> String {
    path.rsplit(['/', '\\']).next().unwrap_or(path).to_string()
}

impl Record {
    /// Logs a finished import run and drops runs beyond the newest `KEEP`.
    pub fn log_import(&self, entry: &ImportLogEntry) -> Result<String> {
        let id = uuid::Uuid::new_v4().to_string();
        let mut e = entry.clone();
        e.id = id.clone();
        let plain = serde_json::to_vec(&e).map_err(|_| Error::Crypto("import log encoding failed"))?;
        let body = self.cipher.seal(&plain, &ad("import_log", "body", &id))?;
        self.write(|tx| {
            tx.execute(
                "INSERT INTO import_log(id, at, body) VALUES (?1, ?2, ?3)",
                rusqlite::params![id, e.at_ms, body],
            )?;
            tx.execute(
                "DELETE FROM import_log WHERE id NOT IN (SELECT id FROM import_log ORDER BY at DESC, rowid DESC LIMIT ?1)",
                [KEEP],
            )?;
            Ok(())
        })?;
        Ok(id)
    }

    /// The newest `limit` import runs, newest first.
    pub fn import_log(&self, limit: usize) -> Result<Vec<ImportLogEntry>> {
        self.read(|c| {
            let mut stmt =
                c.prepare_cached("SELECT id, body FROM import_log ORDER BY at DESC, rowid DESC LIMIT ?1")?;
            let rows = stmt.query_map([i64::try_from(limit).unwrap_or(i64::MAX)], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, Vec<u8>>(1)?))
            })?;
            let mut out = Vec::new();
            for row in rows {
                let (id, body) = row?;
                let plain = self.cipher.open(&body, &ad("import_log", "body", &id))?;
                let mut e: ImportLogEntry = serde_json::from_slice(&plain)
                    .map_err(|_| Error::Corrupt("an import log entry could not be read"))?;
                e.id = id;
                out.push(e);
            }
            Ok(out)
        })
    }
}
