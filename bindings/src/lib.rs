//! phr-ffi: the UniFFI facade of phr-core, the only crate that knows UniFFI.
//!
//! Glue only: it converts records and enums and forwards to `phr_core`. Generated bindings:
//! Kotlin (`org.phr.ffi`), Swift (`PhrFFI`), Python (`phr_ffi`); see bindings/README.md and
//! docs/adr/0005-uniffi-bindings.md.
//!
//! What crosses the boundary: [`PhrRecord`] (open/create/restore, sections, entries,
//! samples, backup, recovery key in `record.rs`; insights, imports, FHIR and consent in
//! `insights.rs`, `import.rs`, `fhir.rs`, `consent.rs`), the foreign traits [`KeyStore`],
//! [`Logger`] and [`ProgressListener`], a [`CancelHandle`], and [`PhrError`].

mod app;
mod app_screens;
mod connect;
mod consent;
mod error;
mod fhir;
mod files;
mod import;
mod insights;
mod keystore;
mod logging;
mod progress;
mod record;
mod share;
mod sync;
mod types;

pub use app::*;
pub use app_screens::*;
pub use connect::*;
pub use consent::*;
pub use error::{KeyStoreError, PhrError};
pub use fhir::*;
pub use files::*;
pub use import::*;
pub use insights::*;
pub use keystore::KeyStore;
pub use logging::{set_logger, LogLevel, Logger};
pub use progress::{CancelHandle, ProgressListener};
pub use record::PhrRecord;
pub use sync::*;
pub use types::*;

uniffi::setup_scaffolding!();

/// The version of phr-core inside this library.
#[uniffi::export]
pub fn core_version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}

/// The canonical unit samples of `kind` are stored in ("kg", "mmHg").
#[uniffi::export]
pub fn sample_kind_unit(kind: SampleKind) -> String {
    phr_core::record::SampleKind::from(kind).unit().to_string()
}

/// Converts `value` in `unit` ("st", "lb", "mg/dL"...) to `kind`'s canonical unit.
#[uniffi::export]
pub fn to_canonical_unit(kind: SampleKind, value: f64, unit: String) -> Result<f64, PhrError> {
    error::guard(|| Ok(phr_core::record::SampleKind::from(kind).to_canonical(value, &unit)?))
}

/// Checks an NHS number as typed (spaces, dashes) and returns its 10 digits. For forms:
/// the error names the field only.
#[uniffi::export]
pub fn validate_nhs_number(text: String) -> Result<String, PhrError> {
    error::guard(|| Ok(phr_core::record::NhsNumber::parse(&text)?.digits().to_string()))
}

/// Parses a blood group as people write it (`O+`, `AB neg`, `A RhD positive`).
#[uniffi::export]
pub fn parse_blood_group(text: String) -> Result<BloodGroup, PhrError> {
    error::guard(|| {
        let g = phr_core::record::BloodGroup::parse(&text)?;
        Ok(BloodGroup { abo: g.abo.into(), rh: g.rh.into() })
    })
}

/// Diagnostics for the bindings' own tests: panics inside the library on purpose, to prove
/// a Rust panic reaches the app as `PhrError::Internal` and never as a crash.
#[uniffi::export]
pub fn diagnostics_trigger_panic() -> Result<(), PhrError> {
    error::guard(|| panic!("deliberate panic for the boundary test"))
}

/// Benchmark support: the columnar ingest through this library's own entry point, called
/// from Rust, on a throwaway record in `dir`. With it the Kotlin benchmark can put beside its
/// own time the same call made without crossing the language boundary, so the ratio is what
/// the boundary costs (lowering the columns, JNA, resuming the coroutine).
/// - `blocking`: `ingest_sample_columns_blocking`, a plain call on this thread; otherwise
///   the async call (the hop to a blocking thread and back included) awaited on a warm
///   runtime.
///
/// Returns milliseconds for the call alone.
#[uniffi::export]
pub fn diagnostics_rust_ingest_columns_ms(dir: String, count: u32, blocking: bool) -> Result<f64, PhrError> {
    use phr_core::crypto::{RecoveryKey, RecoveryKeyStore};
    error::guard(|| {
        let path = std::path::Path::new(&dir).join(bench_file_name());
        let ks = RecoveryKeyStore::new(RecoveryKey::generate()?);
        let record = record::wrap(phr_core::Record::create(&path, &ks)?);
        let start = 1_735_689_600_000i64;
        let columns = types::SampleColumns {
            kind: types::SampleKind::HeartRate,
            source: "test-watch".into(),
            start_ms: (0..i64::from(count)).map(|i| start + i * 60_000).collect(),
            end_ms: Vec::new(),
            values: (0..i64::from(count)).map(|i| 60.0 + (i % 40) as f64).collect(),
        };
        // One runtime kept across calls, as the foreign side's calls meet a warm runtime too
        // (a new one per call would add starting its blocking thread to the Rust figure).
        static RUNTIME: std::sync::OnceLock<Option<tokio::runtime::Runtime>> = std::sync::OnceLock::new();
        let rt = RUNTIME
            .get_or_init(|| {
                tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().ok()
            })
            .as_ref()
            .ok_or(PhrError::Internal)?;
        let t0 = std::time::Instant::now();
        let r = if blocking {
            record.ingest_sample_columns_blocking(columns)?
        } else {
            rt.block_on(record.ingest_sample_columns(columns))?
        };
        let ms = t0.elapsed().as_secs_f64() * 1000.0;
        if r.added != u64::from(count) {
            return Err(PhrError::Internal);
        }
        Ok(ms)
    })
}

/// A fresh file name for a benchmark's throwaway record.
fn bench_file_name() -> String {
    let nanos =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
    format!("bench-{nanos}.phr")
}

/// Benchmark support: creates a throwaway record in `dir` (locked by a random recovery-style
/// key that is then forgotten), builds `count` heart-rate samples in Rust of the same shape
/// the Kotlin benchmark passes across the boundary, and returns how long phr-core's
/// `ingest_samples` took in milliseconds. The Kotlin benchmark interleaves this with its own
/// rounds so machine load affects both sides alike.
#[uniffi::export]
pub fn diagnostics_rust_ingest_ms(dir: String, count: u32) -> Result<f64, PhrError> {
    use phr_core::crypto::{RecoveryKey, RecoveryKeyStore};
    use phr_core::record::{Sample as CoreSample, SampleKind as CoreKind};
    error::guard(|| {
        let path = std::path::Path::new(&dir).join(bench_file_name());
        let ks = RecoveryKeyStore::new(RecoveryKey::generate()?);
        let record = phr_core::Record::create(&path, &ks)?;
        let start = 1_735_689_600_000i64;
        let samples: Vec<CoreSample> = (0..count as i64)
            .map(|i| {
                CoreSample::instant(
                    CoreKind::HeartRate,
                    start + i * 60_000,
                    60.0 + (i % 40) as f64,
                    "test-watch",
                )
            })
            .collect();
        let t0 = std::time::Instant::now();
        let r = record.ingest_samples(&samples)?;
        let ms = t0.elapsed().as_secs_f64() * 1000.0;
        if r.added != u64::from(count) {
            return Err(PhrError::Internal);
        }
        Ok(ms)
    })
}
