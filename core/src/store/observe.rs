//! Change observation: the apps learn that the record changed (an edit, an import, a sync)
//! and refresh the screens that show it, without polling.
//!
//! Why SQLite's update hook and not a call at each write site: every write goes through
//! [`Record::write`](super::Record), and the hook sees every row it changes, so a new
//! write path cannot forget to announce itself. The hook only sets bits (which area of the
//! record a table belongs to); observers are called once per committed transaction, after
//! the writer lock is released, and never for a transaction that rolled back.

use serde::{Deserialize, Serialize};
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// A part of the record a screen shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordArea {
    /// Sections: switched on or off, privacy, custom sections.
    Sections,
    /// Entries, their history and annotations.
    Entries,
    /// Measurements (weight, heart rate, steps ...) and their daily rollups.
    Samples,
    /// Workouts and other activities.
    Activities,
    /// Grants, share links and the access log.
    Sharing,
    /// Settings: insight switches, goals, sync and device settings.
    Settings,
    /// Keys: a recovery key made, a keystore added.
    Keys,
    /// The history of imports (the imports screen).
    Imports,
}

impl RecordArea {
    pub const ALL: [RecordArea; 8] = [
        RecordArea::Sections,
        RecordArea::Entries,
        RecordArea::Samples,
        RecordArea::Activities,
        RecordArea::Sharing,
        RecordArea::Settings,
        RecordArea::Keys,
        RecordArea::Imports,
    ];

    fn bit(self) -> u32 {
        1 << (self as u32)
    }

    /// The area a rowid table's rows belong to; `None` for bookkeeping no screen shows
    /// (the sync op log). WITHOUT ROWID tables are marked by their writers ([`Observers::mark`]).
    fn of_table(table: &str) -> Option<RecordArea> {
        Some(match table {
            "sections" => RecordArea::Sections,
            "entries" | "entry_revisions" | "annotations" => RecordArea::Entries,
            "sample_chunks" | "sample_rollups" => RecordArea::Samples,
            "activities" | "activity_aliases" => RecordArea::Activities,
            "grants" | "audit_log" => RecordArea::Sharing,
            "import_log" => RecordArea::Imports,
            _ => return None,
        })
    }
}

/// The areas one committed write touched.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Changed(u32);

impl Changed {
    pub fn contains(self, area: RecordArea) -> bool {
        self.0 & area.bit() != 0
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The areas of both (changes that arrived together, told as one).
    pub fn with(self, other: Changed) -> Changed {
        Changed(self.0 | other.0)
    }

    /// The areas, in [`RecordArea::ALL`] order.
    pub fn areas(self) -> Vec<RecordArea> {
        RecordArea::ALL.into_iter().filter(|a| self.contains(*a)).collect()
    }
}

/// Told after each committed write. Called on the thread that wrote, so it must return
/// quickly (post to a channel, a `Flow`, an `AsyncStream`) and must not write to the
/// record itself.
pub trait RecordObserver: Send + Sync {
    fn record_changed(&self, changed: Changed);
}

/// A registration; pass it to [`Record::unobserve`](super::Record::unobserve).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ObserverId(u64);

/// Values derived from the record (the insight input, section overviews), kept while the
/// write generation stays the same: a screen drawn again without a change reuses them.
/// Read the generation before building, so a write landing during the build leaves the
/// entry stale and the next call builds again. Entries of older generations are dropped.
pub(super) struct Derived<K, V> {
    entries: Mutex<std::collections::HashMap<K, (u64, V)>>,
}

impl<K: Eq + std::hash::Hash, V: Clone> Derived<K, V> {
    pub(super) fn new() -> Self {
        Derived { entries: Mutex::new(std::collections::HashMap::new()) }
    }

    /// Whether `key` is kept for this generation (a draw now would not build it).
    #[cfg(test)]
    pub(super) fn is_fresh(&self, generation: u64, key: &K) -> bool {
        self.entries.lock().unwrap_or_else(|p| p.into_inner()).get(key).is_some_and(|(g, _)| *g == generation)
    }

    pub(super) fn get_or_build(
        &self,
        generation: u64,
        key: K,
        build: impl FnOnce() -> crate::Result<V>,
    ) -> crate::Result<V> {
        if let Some((g, v)) = self.entries.lock().unwrap_or_else(|p| p.into_inner()).get(&key) {
            if *g == generation {
                return Ok(v.clone());
            }
        }
        let v = build()?;
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        entries.retain(|_, (g, _)| *g == generation);
        entries.insert(key, (generation, v.clone()));
        Ok(v)
    }
}

/// The record's observers and the areas the open transaction has touched so far.
#[derive(Default)]
pub(super) struct Observers {
    dirty: Arc<AtomicU32>,
    /// Counts committed writes that changed something a screen shows: caches of derived
    /// views (the insight input) are valid while it stays the same.
    generation: AtomicU64,
    next_id: AtomicU64,
    list: Mutex<Vec<(ObserverId, Arc<dyn RecordObserver>)>>,
}

impl Observers {
    /// Installs the update hook that marks areas dirty on the writer connection.
    pub(super) fn watch(&self, conn: &rusqlite::Connection) {
        let dirty = Arc::clone(&self.dirty);
        conn.update_hook(Some(move |_action, _db: &str, table: &str, _rowid| {
            if let Some(area) = RecordArea::of_table(table) {
                dirty.fetch_or(area.bit(), Ordering::Relaxed);
            }
        }));
    }

    /// Marks an area changed by hand: the update hook does not fire for WITHOUT ROWID
    /// tables (settings, sample chunks and rollups, key wraps), so their writers call this.
    pub(super) fn mark(&self, area: RecordArea) {
        self.dirty.fetch_or(area.bit(), Ordering::Relaxed);
    }

    /// Forgets marks of a transaction that did not commit. Call under the writer lock
    /// before a transaction starts.
    pub(super) fn reset(&self) {
        self.dirty.store(0, Ordering::Relaxed);
    }

    /// Takes the marks of the transaction that just committed. Call under the writer lock,
    /// so the next writer's marks are not taken with them.
    pub(super) fn take(&self) -> Changed {
        let changed = Changed(self.dirty.swap(0, Ordering::Relaxed));
        if !changed.is_empty() {
            self.generation.fetch_add(1, Ordering::Release);
        }
        changed
    }

    /// The write generation: it moves on with every committed change.
    pub(super) fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// Tells every observer; call after the writer lock is released.
    pub(super) fn notify(&self, changed: Changed) {
        if changed.is_empty() {
            return;
        }
        let observers: Vec<Arc<dyn RecordObserver>> =
            self.list.lock().unwrap_or_else(|p| p.into_inner()).iter().map(|(_, o)| Arc::clone(o)).collect();
        for o in observers {
            o.record_changed(changed);
        }
    }

    pub(super) fn add(&self, observer: Arc<dyn RecordObserver>) -> ObserverId {
        let id = ObserverId(self.next_id.fetch_add(1, Ordering::Relaxed));
        self.list.lock().unwrap_or_else(|p| p.into_inner()).push((id, observer));
        id
    }

    pub(super) fn remove(&self, id: ObserverId) -> bool {
        let mut list = self.list.lock().unwrap_or_else(|p| p.into_inner());
        let before = list.len();
        list.retain(|(i, _)| *i != id);
        list.len() != before
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::RawKeyStore;
    use crate::store::{Record, DB_FILE};

    #[derive(Default)]
    struct Seen(Mutex<Vec<Changed>>);
    impl RecordObserver for Seen {
        fn record_changed(&self, changed: Changed) {
            self.0.lock().unwrap().push(changed);
        }
    }

    #[test]
    fn a_rolled_back_write_is_not_announced_and_its_marks_do_not_leak_into_the_next() {
        let dir = tempfile::tempdir().unwrap();
        let r = Record::create(&dir.path().join(DB_FILE), &RawKeyStore::new([3; 32])).unwrap();
        let seen = Arc::new(Seen::default());
        r.observe(seen.clone());
        let failed: crate::Result<()> = r.write(|tx| {
            r.set_setting_in(tx, "probe", &1)?;
            Err(crate::Error::invalid("probe", "rolled back on purpose"))
        });
        assert!(failed.is_err());
        assert!(seen.0.lock().unwrap().is_empty(), "a rollback must not reach observers");
        r.set_section_enabled("weight", true).unwrap();
        let got = seen.0.lock().unwrap().clone();
        assert_eq!(got.len(), 1);
        assert!(got[0].contains(RecordArea::Sections));
        assert!(!got[0].contains(RecordArea::Settings), "the rolled-back settings row leaked: {got:?}");
    }
}
