//! [`PhrRecord`]: an open, unlocked record. Every method converts its arguments, calls
//! `phr_core::Record`, and converts the answer back; nothing else.

use crate::error::guard;
use crate::keystore::ForeignKeyStore;
use crate::progress::{CancelHandle, CancelOnDrop, ForeignProgress, ProgressListener};
use crate::types::*;
use crate::{KeyStore, PhrError};
use phr_core::crypto::{PassphraseKeyStore, RecoveryKey, RecoveryKeyStore};
use phr_core::progress::ProgressListener as _;
use phr_core::store::ListOptions;
use phr_core::Record;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use zeroize::Zeroizing;

type R<T> = Result<T, PhrError>;

#[derive(uniffi::Object)]
pub struct PhrRecord {
    pub(crate) inner: Arc<Record>,
}

impl std::fmt::Debug for PhrRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PhrRecord").finish_non_exhaustive()
    }
}

pub(crate) fn wrap(record: Record) -> Arc<PhrRecord> {
    Arc::new(PhrRecord { inner: Arc::new(record) })
}

fn open_blocking(path: String, keystore: Arc<dyn KeyStore>) -> R<Arc<PhrRecord>> {
    guard(|| {
        let ks = ForeignKeyStore::new(keystore);
        let r = Record::open(Path::new(&path), &ks).map_err(|e| ks.map_err(e))?;
        log::info!("record opened");
        Ok(wrap(r))
    })
}

/// Runs blocking work on tokio's blocking pool and maps a panic in it to `Internal`.
pub(crate) async fn blocking<T: Send + 'static>(f: impl FnOnce() -> R<T> + Send + 'static) -> R<T> {
    match tokio::task::spawn_blocking(move || guard(f)).await {
        Ok(r) => r,
        Err(_) => Err(PhrError::Internal),
    }
}

#[uniffi::export(async_runtime = "tokio")]
impl PhrRecord {
    /// Creates a new, empty record at `path` (the database file), locked by `keystore`.
    #[uniffi::constructor]
    pub fn create(path: String, keystore: Arc<dyn KeyStore>) -> R<Arc<Self>> {
        guard(|| {
            let ks = ForeignKeyStore::new(keystore);
            let r = Record::create(Path::new(&path), &ks).map_err(|e| ks.map_err(e))?;
            log::info!("record created");
            Ok(wrap(r))
        })
    }

    /// Opens and unlocks the record at `path`. Wrong key: `PhrError::WrongKey`.
    #[uniffi::constructor]
    pub fn open(path: String, keystore: Arc<dyn KeyStore>) -> R<Arc<Self>> {
        open_blocking(path, keystore)
    }

    /// [`PhrRecord::open`] off the caller's thread (Kotlin `suspend`, Swift `async`).
    #[uniffi::constructor]
    pub async fn open_async(path: String, keystore: Arc<dyn KeyStore>) -> R<Arc<Self>> {
        blocking(move || open_blocking(path, keystore)).await
    }

    /// Opens the record with the printed recovery key (a new phone, a reset keystore) and
    /// wraps it for `new_keystore`, which opens it from then on.
    #[uniffi::constructor]
    pub fn open_with_recovery_key(
        path: String,
        recovery_key: String,
        new_keystore: Arc<dyn KeyStore>,
    ) -> R<Arc<Self>> {
        guard(|| {
            let rk = RecoveryKeyStore::new(RecoveryKey::parse(&recovery_key)?);
            let r = Record::open(Path::new(&path), &rk)?;
            let ks = ForeignKeyStore::new(new_keystore);
            r.add_keystore(&ks).map_err(|e| ks.map_err(e))?;
            log::info!("record opened with the recovery key and re-wrapped for this keystore");
            Ok(wrap(r))
        })
    }

    /// Restores a backup into `home_dir` (a folder without a record), unlocked by `keystore`
    /// (the platform keystore whose wrap the backup holds).
    #[uniffi::constructor]
    pub fn restore(backup_path: String, home_dir: String, keystore: Arc<dyn KeyStore>) -> R<Arc<Self>> {
        guard(|| {
            let ks = ForeignKeyStore::new(keystore);
            let r = Record::restore(Path::new(&backup_path), Path::new(&home_dir), &ks)
                .map_err(|e| ks.map_err(e))?;
            log::info!("record restored from a backup");
            Ok(wrap(r))
        })
    }

    /// Restores a backup with the printed recovery key, then wraps it for `new_keystore`.
    #[uniffi::constructor]
    pub fn restore_with_recovery_key(
        backup_path: String,
        home_dir: String,
        recovery_key: String,
        new_keystore: Arc<dyn KeyStore>,
    ) -> R<Arc<Self>> {
        guard(|| {
            let key = RecoveryKey::parse(&recovery_key)?;
            let ks = ForeignKeyStore::new(new_keystore);
            let r =
                Record::restore_with_recovery_key(Path::new(&backup_path), Path::new(&home_dir), key, &ks)
                    .map_err(|e| ks.map_err(e))?;
            Ok(wrap(r))
        })
    }

    /// Opens a record locked by a passphrase (one made by the `phr` command line, or after
    /// [`PhrRecord::change_passphrase`]). Wrong passphrase: `PhrError::WrongKey`.
    #[uniffi::constructor]
    pub async fn open_with_passphrase(path: String, passphrase: String) -> R<Arc<Self>> {
        let passphrase = Zeroizing::new(passphrase);
        blocking(move || {
            let ks = PassphraseKeyStore::new(&passphrase)?;
            Ok(wrap(Record::open(Path::new(&path), &ks)?))
        })
        .await
    }

    /// Forgot the passphrase: restores a backup with the printed recovery key onto
    /// `new_passphrase`, which opens it from then on; the old passphrase no longer does.
    #[uniffi::constructor]
    pub async fn restore_with_recovery_key_to_passphrase(
        backup_path: String,
        home_dir: String,
        recovery_key: String,
        new_passphrase: String,
    ) -> R<Arc<Self>> {
        let (recovery_key, new_passphrase) = (Zeroizing::new(recovery_key), Zeroizing::new(new_passphrase));
        blocking(move || {
            let key = RecoveryKey::parse(&recovery_key)?;
            let ks = PassphraseKeyStore::new(&new_passphrase)?;
            Ok(wrap(Record::restore_with_recovery_key(
                Path::new(&backup_path),
                Path::new(&home_dir),
                key,
                &ks,
            )?))
        })
        .await
    }

    /// The record's random id (not personal data).
    pub fn id(&self) -> String {
        self.inner.id().to_string()
    }

    /// The path of the database file.
    pub fn path(&self) -> String {
        self.inner.path().to_string_lossy().into_owned()
    }

    // ---- sections ----

    /// Every section: built-ins in their fixed order, then the owner's own by title.
    pub async fn sections(&self) -> R<Vec<Section>> {
        let inner = self.inner.clone();
        blocking(move || Ok(inner.sections()?.into_iter().map(Into::into).collect())).await
    }

    /// One section by slug, id or (case-insensitive) title.
    pub async fn section(&self, name: String) -> R<Section> {
        let inner = self.inner.clone();
        blocking(move || Ok(inner.resolve_section(&name)?.into())).await
    }

    /// Switches an optional or custom section on or off (entries are kept while off).
    pub async fn set_section_enabled(&self, section: String, enabled: bool) -> R<Section> {
        let inner = self.inner.clone();
        blocking(move || Ok(inner.set_section_enabled(&section, enabled)?.into())).await
    }

    pub async fn set_section_privacy(&self, section: String, privacy: PrivacyLevel) -> R<Section> {
        let inner = self.inner.clone();
        blocking(move || Ok(inner.set_section_privacy(&section, privacy.into())?.into())).await
    }

    /// Creates a user-defined section (enabled, private). Empty `fields`: free-form notes.
    pub async fn create_section(&self, title: String, fields: Vec<FieldDef>) -> R<Section> {
        let inner = self.inner.clone();
        blocking(move || {
            Ok(inner.create_section(&title, fields.into_iter().map(Into::into).collect())?.into())
        })
        .await
    }

    // ---- entries ----

    /// Adds an entry typed in by the owner.
    pub async fn add_entry(&self, section: String, value: EntryValue) -> R<Entry> {
        self.add_entry_from(section, value, Provenance::User).await
    }

    /// Adds an entry with an explicit provenance (imports, the medical record).
    pub async fn add_entry_from(
        &self,
        section: String,
        value: EntryValue,
        provenance: Provenance,
    ) -> R<Entry> {
        let inner = self.inner.clone();
        blocking(move || {
            let e = inner.add_entry(&section, value.try_into()?, provenance.into())?;
            crate::share::card_follows(&inner, &e.section);
            Ok(e.into())
        })
        .await
    }

    pub async fn entry(&self, id: String) -> R<Entry> {
        let inner = self.inner.clone();
        blocking(move || Ok(inner.entry(&id)?.into())).await
    }

    /// Entries of one section, oldest first.
    pub async fn list_entries(
        &self,
        section: String,
        include_hidden: bool,
        include_deleted: bool,
    ) -> R<Vec<Entry>> {
        let inner = self.inner.clone();
        blocking(move || {
            let opts = ListOptions { include_deleted, include_hidden };
            Ok(inner.list_entries(&section, opts)?.into_iter().map(Into::into).collect())
        })
        .await
    }

    /// Replaces an entry's value (the old one goes to its history). Medical-record
    /// entries: `PhrError::ReadOnly`.
    pub async fn edit_entry(&self, id: String, value: EntryValue) -> R<Entry> {
        let inner = self.inner.clone();
        blocking(move || {
            let e = inner.edit_entry(&id, value.try_into()?)?;
            crate::share::card_follows(&inner, &e.section);
            Ok(e.into())
        })
        .await
    }

    pub async fn annotate(&self, id: String, kind: AnnotationKind, text: Option<String>) -> R<Entry> {
        let inner = self.inner.clone();
        blocking(move || Ok(inner.annotate(&id, kind.into(), text)?.into())).await
    }

    pub async fn set_hidden(&self, id: String, hidden: bool) -> R<Entry> {
        let inner = self.inner.clone();
        blocking(move || {
            let e = inner.set_hidden(&id, hidden)?;
            crate::share::card_follows(&inner, &e.section);
            Ok(e.into())
        })
        .await
    }

    /// Tombstones an entry; [`PhrRecord::undo_delete`] restores it until it is purged.
    pub async fn delete_entry(&self, id: String) -> R<Entry> {
        let inner = self.inner.clone();
        blocking(move || {
            let e = inner.delete_entry(&id)?;
            crate::share::card_follows(&inner, &e.section);
            Ok(e.into())
        })
        .await
    }

    pub async fn undo_delete(&self, id: String) -> R<Entry> {
        let inner = self.inner.clone();
        blocking(move || {
            let e = inner.undo_delete(&id)?;
            crate::share::card_follows(&inner, &e.section);
            Ok(e.into())
        })
        .await
    }

    /// Erases a deleted entry for good.
    pub async fn purge(&self, id: String) -> R<()> {
        let inner = self.inner.clone();
        blocking(move || Ok(inner.purge(&id)?)).await
    }

    /// Erases every deleted entry; returns how many.
    pub async fn purge_deleted(&self) -> R<u64> {
        let inner = self.inner.clone();
        blocking(move || Ok(inner.purge_deleted()? as u64)).await
    }

    // ---- samples ----

    /// Stores `samples` in one transaction: all land or none do.
    pub async fn ingest_samples(&self, samples: Vec<Sample>) -> R<IngestReport> {
        let inner = self.inner.clone();
        blocking(move || {
            let core: Vec<_> = samples.into_iter().map(Into::into).collect();
            let r = inner.ingest_samples(&core)?;
            Ok(IngestReport { added: r.added, duplicates: r.duplicates, batches: 1, cancelled: false })
        })
        .await
    }

    /// Stores readings given as columns ([`SampleColumns`]) in one transaction: all land or
    /// none do. The cheap way across the FFI for a long series of one kind and source.
    pub async fn ingest_sample_columns(&self, columns: SampleColumns) -> R<IngestReport> {
        let inner = self.inner.clone();
        blocking(move || {
            let core = columns.into_samples()?;
            let r = inner.ingest_samples(&core)?;
            Ok(IngestReport { added: r.added, duplicates: r.duplicates, batches: 1, cancelled: false })
        })
        .await
    }

    /// [`Self::ingest_sample_columns`] on the caller's own thread, for a caller that is
    /// already off the main thread (Kotlin `Dispatchers.IO`, a Swift background task, a
    /// worker). A plain call: no future polled across the boundary and no callback from a
    /// Rust thread into the foreign runtime to resume it, which is most of what the async
    /// call costs beyond the work itself (docs/benchmarks.md, issue 19). Never call it on
    /// the main thread: it blocks for as long as the transaction takes.
    pub fn ingest_sample_columns_blocking(&self, columns: SampleColumns) -> R<IngestReport> {
        guard(|| {
            let core = columns.into_samples()?;
            let r = self.inner.ingest_samples(&core)?;
            Ok(IngestReport { added: r.added, duplicates: r.duplicates, batches: 1, cancelled: false })
        })
    }

    /// Stores `samples` in transactions of `batch_size`, off the caller's thread, telling
    /// `listener` after each batch and stopping between batches when `cancel` is set (or
    /// the calling coroutine/task is cancelled). Every sample is validated before the
    /// first batch, so an invalid one lands nothing. Cancelled: the report says so and
    /// counts only the batches that landed.
    pub async fn ingest_samples_batched(
        &self,
        samples: Vec<Sample>,
        batch_size: u32,
        listener: Option<Arc<dyn ProgressListener>>,
        cancel: Option<Arc<CancelHandle>>,
    ) -> R<IngestReport> {
        let inner = self.inner.clone();
        let cancel = cancel.unwrap_or_default();
        let on_drop = CancelOnDrop::new(cancel.clone());
        let listener = listener.map(ForeignProgress);
        let out = blocking(move || {
            let core: Vec<phr_core::record::Sample> = samples.into_iter().map(Into::into).collect();
            for s in &core {
                s.validate()?;
            }
            let total = core.len() as u64;
            let mut report = IngestReport { added: 0, duplicates: 0, batches: 0, cancelled: false };
            let mut done = 0u64;
            for batch in core.chunks(batch_size.max(1) as usize) {
                if cancel.is_cancelled() {
                    report.cancelled = true;
                    break;
                }
                let r = inner.ingest_samples(batch)?;
                report.added += r.added;
                report.duplicates += r.duplicates;
                report.batches += 1;
                done += batch.len() as u64;
                if let Some(l) = &listener {
                    l.on_progress("samples", done, total);
                }
            }
            log::info!("batched ingest: {} batches, cancelled: {}", report.batches, report.cancelled);
            Ok(report)
        })
        .await;
        on_drop.disarm();
        out
    }

    /// Samples of `kind` starting in `[from_ms, to_ms)`, from every source, by time.
    pub async fn samples(&self, kind: SampleKind, from_ms: i64, to_ms: i64) -> R<Vec<Sample>> {
        let inner = self.inner.clone();
        blocking(move || {
            Ok(inner.samples(kind.into(), from_ms, to_ms)?.into_iter().map(Into::into).collect())
        })
        .await
    }

    /// One rollup per UTC day in `[from, to]` that has samples, merged across sources.
    pub async fn daily_rollups(
        &self,
        kind: SampleKind,
        from: CalendarDate,
        to: CalendarDate,
    ) -> R<Vec<DailyRollup>> {
        let inner = self.inner.clone();
        blocking(move || {
            Ok(inner
                .daily_rollups(kind.into(), from.try_into()?, to.try_into()?)?
                .into_iter()
                .map(Into::into)
                .collect())
        })
        .await
    }

    pub async fn sample_summary(&self) -> R<Vec<SeriesSummary>> {
        let inner = self.inner.clone();
        blocking(move || Ok(inner.sample_summary()?.into_iter().map(Into::into).collect())).await
    }

    // ---- keys, backup ----

    /// Makes a new printable recovery key that also unlocks this record (replacing any
    /// earlier one). Show it once; it is not stored in clear anywhere.
    pub async fn create_recovery_key(&self) -> R<String> {
        let inner = self.inner.clone();
        blocking(move || Ok(inner.create_recovery_key()?.to_printable())).await
    }

    /// Changes the passphrase: `old_passphrase` must unlock the current one (it may be
    /// `None` only when the record has no passphrase yet, e.g. one locked by the platform
    /// keystore alone). Afterwards only `new_passphrase` opens the record by passphrase.
    pub async fn change_passphrase(&self, old_passphrase: Option<String>, new_passphrase: String) -> R<()> {
        let inner = self.inner.clone();
        let (old, new) = (old_passphrase.map(Zeroizing::new), Zeroizing::new(new_passphrase));
        blocking(move || {
            let old = old.map(|p| PassphraseKeyStore::new(&p)).transpose()?;
            inner.change_passphrase(old.as_ref(), &PassphraseKeyStore::new(&new)?)?;
            Ok(())
        })
        .await
    }

    /// Re-wraps the data key for another platform keystore (a new hardware key).
    pub async fn replace_keystore(&self, keystore: Arc<dyn KeyStore>) -> R<()> {
        let inner = self.inner.clone();
        blocking(move || {
            let ks = ForeignKeyStore::new(keystore);
            inner.add_keystore(&ks).map_err(|e| ks.map_err(e))
        })
        .await
    }

    /// Writes an encrypted backup of the whole record to `dest_path`; returns its size.
    pub async fn backup(&self, dest_path: String) -> R<u64> {
        let inner = self.inner.clone();
        blocking(move || Ok(inner.backup(&PathBuf::from(dest_path))?)).await
    }

    /// SQLite's full integrity check.
    pub async fn integrity_check(&self) -> R<bool> {
        let inner = self.inner.clone();
        blocking(move || Ok(inner.integrity_check()?)).await
    }

    /// Fills an empty record with the invented demo resident (a year of samples ending at
    /// `today`, default: today in UTC). Cancelled before it starts: `PhrError::Cancelled`.
    pub async fn fill_demo(
        &self,
        today: Option<CalendarDate>,
        listener: Option<Arc<dyn ProgressListener>>,
        cancel: Option<Arc<CancelHandle>>,
    ) -> R<DemoReport> {
        let inner = self.inner.clone();
        let cancel = cancel.unwrap_or_default();
        let on_drop = CancelOnDrop::new(cancel.clone());
        let listener = listener.map(ForeignProgress);
        let out = blocking(move || {
            let today = match today {
                Some(d) => d.try_into()?,
                None => chrono::Utc::now().date_naive(),
            };
            if cancel.is_cancelled() {
                return Err(PhrError::Cancelled);
            }
            if let Some(l) = &listener {
                l.on_progress("demo", 0, 1);
            }
            // phr-core's demo fill is one step; progress is reported around it.
            let r = phr_core::demo::fill(&inner, today)?;
            if let Some(l) = &listener {
                l.on_progress("demo", 1, 1);
            }
            Ok(DemoReport {
                entries: r.entries as u64,
                samples: r.samples,
                sections_enabled: r.sections_enabled,
            })
        })
        .await;
        on_drop.disarm();
        out
    }
}
