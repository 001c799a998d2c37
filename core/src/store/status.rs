//! Facts about the record's safety the apps show and remind about: when a recovery key
//! was made, when the last backup was written, when this device last synced.

use super::Record;
use crate::Result;
use chrono::{DateTime, Utc};
use rusqlite::OptionalExtension;

/// Setting holding the UTC ms of the last backup (synced: a backup made on any of the
/// owner's devices counts).
pub const LAST_BACKUP_SETTING: &str = "backup.last";
/// Device-local setting holding the UTC ms of this device's last finished sync round.
pub const LAST_SYNC_SETTING: &str = "sync.last_round";

fn at(ms: i64) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp_millis(ms)
}

impl Record {
    /// When the current recovery key was made, or `None` if there is none.
    pub fn recovery_key_made_at(&self) -> Result<Option<DateTime<Utc>>> {
        let ms: Option<i64> = self.read(|c| {
            Ok(c.query_row("SELECT created_at FROM key_wraps WHERE kind = 'recovery'", [], |r| r.get(0))
                .optional()?)
        })?;
        Ok(ms.and_then(at))
    }

    /// When the last backup was written, or `None` if never.
    pub fn last_backup_at(&self) -> Result<Option<DateTime<Utc>>> {
        Ok(self.setting::<i64>(LAST_BACKUP_SETTING)?.and_then(at))
    }

    /// When this device last finished a sync round, or `None` if never.
    pub fn last_sync_at(&self) -> Result<Option<DateTime<Utc>>> {
        Ok(self.setting::<i64>(LAST_SYNC_SETTING)?.and_then(at))
    }
}
