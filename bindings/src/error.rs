//! The errors that cross the boundary.
//!
//! [`PhrError`] mirrors `phr_core::PublicError` plus the three things only the boundary
//! knows about (cancellation, the platform keystore failing, an internal failure such as a
//! panic). Every message is a fixed category plus, at most, a field name: no value from
//! the record, no path, no file content. Kotlin sees a sealed `PhrException` hierarchy,
//! Swift an `Error` enum, Python exception subclasses.

use phr_core::PublicError;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, uniffi::Error)]
pub enum PhrError {
    /// The key (platform keystore, recovery key) does not unlock this record.
    #[error("wrong key")]
    WrongKey,
    /// There is no record at the given location.
    #[error("no record")]
    NoRecord,
    /// A record already exists at the given location.
    #[error("record exists")]
    RecordExists,
    /// An input was not valid; `field` names which one (never its value).
    #[error("invalid input: {field}")]
    InvalidInput { field: String },
    /// Something asked for does not exist; `what` names the kind of thing.
    #[error("not found: {what}")]
    NotFound { what: String },
    /// The entry came from the medical record: annotate or hide it instead.
    #[error("read-only entry")]
    ReadOnly,
    /// The record or backup is damaged.
    #[error("record damaged")]
    Corrupt,
    /// Storage (disk, SQLite, cryptography) failed.
    #[error("storage failure")]
    Storage,
    /// The record was written by a newer version of the app.
    #[error("incompatible version")]
    Incompatible,
    /// The platform keystore could not wrap or unwrap (locked, unavailable, failed).
    #[error("keystore unavailable")]
    KeyStoreUnavailable,
    /// The work was cancelled through its [`crate::CancelHandle`] (or the caller's
    /// coroutine/task was cancelled).
    #[error("cancelled")]
    Cancelled,
    /// A server (the GP's FHIR server, the relay) could not be reached or answered with a
    /// transport failure; the data is fine, try again later. `service` names which.
    #[error("network: {service}")]
    Network { service: String },
    /// The relay refused this device (removed from the owner's devices, or never added).
    #[error("denied")]
    Denied,
    /// A bug inside the library (a Rust panic is caught and reported as this).
    #[error("internal error")]
    Internal,
}

impl From<PublicError> for PhrError {
    fn from(e: PublicError) -> Self {
        match e {
            PublicError::WrongKey => PhrError::WrongKey,
            PublicError::NoRecord => PhrError::NoRecord,
            PublicError::RecordExists => PhrError::RecordExists,
            PublicError::InvalidInput { field } => PhrError::InvalidInput { field },
            PublicError::NotFound { what } => PhrError::NotFound { what },
            PublicError::ReadOnly => PhrError::ReadOnly,
            PublicError::Corrupt => PhrError::Corrupt,
            PublicError::Storage => PhrError::Storage,
            PublicError::Incompatible => PhrError::Incompatible,
            PublicError::Cancelled => PhrError::Cancelled,
            PublicError::Denied => PhrError::Denied,
            PublicError::Network { service } => PhrError::Network { service },
        }
    }
}

/// The model's validation errors (a bad NHS number, unit or sample) reach here through
/// the core's error, so they lose their values the same way.
impl From<phr_core::ModelError> for PhrError {
    fn from(e: phr_core::ModelError) -> Self {
        phr_core::Error::from(e).into()
    }
}

impl From<phr_core::Error> for PhrError {
    fn from(e: phr_core::Error) -> Self {
        // Log the category only: the internal message may name a path.
        let public = PublicError::from(&e);
        log::debug!("phr-core call failed: {public}");
        public.into()
    }
}

/// What a foreign [`crate::KeyStore`] throws.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, uniffi::Error)]
pub enum KeyStoreError {
    /// The wrapped bytes do not open with this keystore's key (authentication failed).
    #[error("wrong key")]
    WrongKey,
    /// The key is not usable now (device locked, user not authenticated, key invalidated).
    #[error("keystore unavailable")]
    Unavailable,
    /// Anything else went wrong in the platform keystore.
    #[error("keystore failed")]
    Failed,
}

impl From<uniffi::UnexpectedUniFFICallbackError> for KeyStoreError {
    fn from(_: uniffi::UnexpectedUniFFICallbackError) -> Self {
        // The foreign exception's text is dropped on purpose: it could carry anything.
        KeyStoreError::Failed
    }
}

/// Runs `f`, turning a panic into [`PhrError::Internal`] so that a bug surfaces as a typed
/// error in Kotlin/Swift/Python rather than a crash or an untyped runtime exception.
pub(crate) fn guard<T>(f: impl FnOnce() -> Result<T, PhrError>) -> Result<T, PhrError> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
        Ok(r) => r,
        Err(_) => {
            log::error!("internal error: a panic was caught at the FFI boundary");
            Err(PhrError::Internal)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_errors_map_one_to_one_and_carry_no_values() {
        let e = phr_core::Error::invalid("NHS number", "check digit for 9434765919 is wrong");
        let p = PhrError::from(e);
        assert_eq!(p, PhrError::InvalidInput { field: "NHS number".into() });
        assert!(!p.to_string().contains("9434765919"));
        let io = phr_core::Error::io("/data/alice/hiv-letters", std::io::Error::other("denied"));
        let p = PhrError::from(io);
        assert_eq!(p, PhrError::Storage);
        assert!(!format!("{p:?}").contains("hiv"));
    }

    #[test]
    fn panics_become_internal_errors() {
        let r: Result<(), PhrError> = guard(|| panic!("boom with secret 999 000 0018"));
        assert_eq!(r, Err(PhrError::Internal));
    }
}
