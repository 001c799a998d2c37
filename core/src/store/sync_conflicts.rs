//! Sync conflicts the owner is told about: two devices edited the same entry without
//! seeing each other's edit, and last-writer-wins kept one value. The other value is in
//! the entry's history already; the note says which won, which lost and when, and stays
//! (a device-local sealed setting) until the owner dismisses it.

use super::{now_ms, Record};
use crate::Result;
use rusqlite::Connection;
use serde::{Deserialize, Serialize};

/// Device-local (the `sync.` prefix): each device notes the conflicts it resolved.
pub const CONFLICTS_SETTING: &str = "sync.conflicts";

/// One resolved conflict on an entry the owner can see.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncConflict {
    pub entry_id: String,
    pub section: String,
    /// Summary of the value the entry now holds.
    pub kept: String,
    /// Summary of the value that lost (now in the entry's history).
    pub replaced: String,
    /// When each of the two edits was made (ms since the epoch, from their clocks).
    pub kept_at_ms: i64,
    pub replaced_at_ms: i64,
    /// When this device resolved it.
    pub resolved_at_ms: i64,
}

/// The summaries are health data: Debug shows only where and when.
impl std::fmt::Debug for SyncConflict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SyncConflict")
            .field("entry_id", &self.entry_id)
            .field("section", &self.section)
            .field("kept_at_ms", &self.kept_at_ms)
            .field("replaced_at_ms", &self.replaced_at_ms)
            .finish_non_exhaustive()
    }
}

impl SyncConflict {
    pub(super) fn new(
        entry: &crate::record::Entry,
        kept: &crate::record::EntryValue,
        kept_at_ms: i64,
        replaced: &crate::record::EntryValue,
        replaced_at_ms: i64,
    ) -> SyncConflict {
        SyncConflict {
            entry_id: entry.id.clone(),
            section: entry.section.clone(),
            kept: kept.summary(),
            replaced: replaced.summary(),
            kept_at_ms,
            replaced_at_ms,
            resolved_at_ms: now_ms(),
        }
    }
}

impl Record {
    /// Keeps the newest note per entry, inside the applying transaction.
    pub(super) fn note_conflicts_in(&self, tx: &Connection, new: &[SyncConflict]) -> Result<()> {
        if new.is_empty() {
            return Ok(());
        }
        let mut all: Vec<SyncConflict> = self.setting_in(tx, CONFLICTS_SETTING)?.unwrap_or_default();
        for c in new {
            all.retain(|x| x.entry_id != c.entry_id);
            all.push(c.clone());
        }
        self.set_setting_in(tx, CONFLICTS_SETTING, &all)
    }

    /// Every conflict note not yet dismissed, oldest first.
    pub fn sync_conflicts(&self) -> Result<Vec<SyncConflict>> {
        Ok(self.setting(CONFLICTS_SETTING)?.unwrap_or_default())
    }

    /// The note on one entry, if any.
    pub fn sync_conflict(&self, entry_id: &str) -> Result<Option<SyncConflict>> {
        Ok(self.sync_conflicts()?.into_iter().find(|c| c.entry_id == entry_id))
    }

    /// The owner has seen it: forget the note (the history keeps both values). True if
    /// there was one.
    pub fn dismiss_sync_conflict(&self, entry_id: &str) -> Result<bool> {
        self.write(|tx| {
            let mut all: Vec<SyncConflict> = self.setting_in(tx, CONFLICTS_SETTING)?.unwrap_or_default();
            let before = all.len();
            all.retain(|c| c.entry_id != entry_id);
            if all.len() == before {
                return Ok(false);
            }
            // A device-local setting: no sync op, other devices keep their own notes.
            self.set_setting_in(tx, CONFLICTS_SETTING, &all)?;
            Ok(true)
        })
    }
}
