//! phr-ffi: the UniFFI facade of phr-core, the only crate that knows UniFFI.
//!
//! Glue only: it converts records and enums and forwards to `phr_core`. Generated bindings:
//! Kotlin (`org.phr.ffi`), Swift (`PhrFFI`), Python (`phr_ffi`); see bindings/README.md and
//! docs/adr/0005-uniffi-bindings.md.
//!
//! What crosses the boundary: [`PhrRecord`] (open/create/restore, sections, entries,
//! samples, backup, recovery key), the foreign traits [`KeyStore`], [`Logger`] and
//! [`ProgressListener`], a [`CancelHandle`], and [`PhrError`].

mod error;
mod keystore;
mod logging;
mod progress;
mod record;
mod types;

pub use error::{KeyStoreError, PhrError};
pub use keystore::KeyStore;
pub use logging::{set_logger, LogLevel, Logger};
pub use progress::{CancelHandle, ProgressListener};
pub use record::PhrRecord;
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
