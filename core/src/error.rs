//! Two error layers, as in mozilla/application-services.
//!
//! [`Error`] is the rich internal error. Its messages are written for the record's owner
//! and never quote health values or file contents: a bad NHS number says the check digit
//! is wrong, not what the number was. [`PublicError`] is the small, stable enum the
//! bindings expose; converting to it drops everything but a category and a fixed reason.

use std::path::PathBuf;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("the passphrase or key does not unlock this record")]
    WrongKey,
    #[error("no record here: run `phr init` first")]
    NoRecord,
    #[error("a record already exists here")]
    RecordExists,
    #[error("{field} is not valid: {reason}")]
    Invalid { field: &'static str, reason: String },
    #[error("{what} not found")]
    NotFound { what: &'static str },
    #[error("this entry came from the medical record and cannot be edited; annotate or hide it instead")]
    ReadOnlyEntry,
    #[error("the record is damaged: {0}")]
    Corrupt(&'static str),
    /// A SQLite side file (`-wal`, `-journal`) beside the record that is not its own:
    /// opening would merge it in and damage the record, so nothing was opened or changed.
    #[error("{} does not belong to this record (SQLite would merge it in and damage the record); nothing was changed: move it out of the folder, with any `-shm` file, and try again", path.display())]
    ForeignSideFile { path: PathBuf },
    #[error("a stored value could not be decrypted (damaged, or moved between rows)")]
    Undecryptable,
    #[error("the backup file is damaged or truncated at byte {offset}: {reason}")]
    BackupDamaged { offset: u64, reason: &'static str },
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("storage error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("cryptography error: {0}")]
    Crypto(&'static str),
    #[error("cancelled")]
    Cancelled,
    /// The relay refused this device: removed from the owner's devices, or not one of them.
    #[error("the relay refused this device: {0}")]
    Denied(&'static str),
    #[error("the record was written by a newer version of this app (schema {found}, this app knows up to {known})")]
    TooNew { found: i64, known: i64 },
    /// A server could not be reached or stopped answering (connection refused, DNS,
    /// timeout, a dropped connection, a gateway error): worth retrying later, unlike
    /// `Invalid`, which says the server answered with something wrong.
    #[error("{service} could not be reached: {reason}")]
    Network { service: &'static str, reason: String },
    /// No stored connection to an account service (Strava) yet.
    #[error("not connected to {service}")]
    NotConnected { service: &'static str },
    /// The service refused the stored sign-in (revoked or expired): connect again.
    #[error("{service} refused the credentials (connect again)")]
    Unauthorized { service: &'static str },
    /// The service's rate limit is spent; counts only, never what was asked for.
    #[error("{service} rate limit reached (usage {usage} of {limit}); try again in {retry_after_s} s")]
    RateLimited { service: &'static str, usage: String, limit: String, retry_after_s: u64 },
}

/// The model crate fails only at validation; its errors keep their field and reason.
impl From<phr_model::ModelError> for Error {
    fn from(e: phr_model::ModelError) -> Self {
        match e {
            phr_model::ModelError::Invalid { field, reason } => Error::Invalid { field, reason },
            phr_model::ModelError::NotFound { what } => Error::NotFound { what },
        }
    }
}

impl Error {
    pub fn invalid(field: &'static str, reason: impl Into<String>) -> Self {
        Error::Invalid { field, reason: reason.into() }
    }
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io { path: path.into(), source }
    }
    /// Names the position of the bad item in a batch ("sample 3 of the batch").
    pub fn in_batch(self, item: &str, index: usize) -> Self {
        match self {
            Error::Invalid { field, reason } => {
                Error::Invalid { field, reason: format!("{reason} ({item} {index} of the batch)") }
            }
            other => other,
        }
    }
}

/// The error the bindings expose. Messages are fixed strings plus field names: no value,
/// path or file content can leak through an FFI error or a crash report.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PublicError {
    #[error("wrong key")]
    WrongKey,
    #[error("no record")]
    NoRecord,
    #[error("record exists")]
    RecordExists,
    #[error("invalid input: {field}")]
    InvalidInput { field: String },
    #[error("not found: {what}")]
    NotFound { what: String },
    #[error("read-only entry")]
    ReadOnly,
    #[error("record damaged")]
    Corrupt,
    #[error("storage failure")]
    Storage,
    #[error("incompatible version")]
    Incompatible,
    #[error("cancelled")]
    Cancelled,
    #[error("denied")]
    Denied,
    #[error("network unavailable: {service}")]
    Network { service: String },
}

impl From<&Error> for PublicError {
    fn from(e: &Error) -> Self {
        match e {
            Error::WrongKey => PublicError::WrongKey,
            Error::NoRecord => PublicError::NoRecord,
            Error::RecordExists => PublicError::RecordExists,
            Error::Invalid { field, .. } => PublicError::InvalidInput { field: (*field).to_string() },
            Error::NotFound { what } => PublicError::NotFound { what: (*what).to_string() },
            Error::ReadOnlyEntry => PublicError::ReadOnly,
            Error::Corrupt(_)
            | Error::Undecryptable
            | Error::BackupDamaged { .. }
            | Error::ForeignSideFile { .. } => PublicError::Corrupt,
            Error::TooNew { .. } => PublicError::Incompatible,
            Error::Cancelled => PublicError::Cancelled,
            Error::Denied(_) => PublicError::Denied,
            Error::Network { service, .. } | Error::RateLimited { service, .. } => {
                PublicError::Network { service: (*service).to_string() }
            }
            Error::NotConnected { service } => {
                PublicError::NotFound { what: format!("{service} connection") }
            }
            Error::Unauthorized { .. } => PublicError::Denied,
            Error::Io { .. } | Error::Sqlite(_) | Error::Crypto(_) => PublicError::Storage,
        }
    }
}

impl From<Error> for PublicError {
    fn from(e: Error) -> Self {
        PublicError::from(&e)
    }
}

/// Maps SQLite's "this is not a database" family to a clear `Corrupt` error.
pub(crate) fn classify_sqlite(e: rusqlite::Error) -> Error {
    use rusqlite::ffi::ErrorCode;
    match e.sqlite_error_code() {
        Some(ErrorCode::NotADatabase) => {
            Error::Corrupt("the database file is not a PHR database or its header is damaged")
        }
        Some(ErrorCode::DatabaseCorrupt) => Error::Corrupt("the database file is damaged"),
        _ => Error::Sqlite(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_errors_carry_no_values() {
        let e = Error::invalid("NHS number", "check digit does not match");
        let p = PublicError::from(&e);
        assert_eq!(p.to_string(), "invalid input: NHS number");
        let io = Error::io("/home/alice/hiv-clinic-letters.pdf", std::io::Error::other("x"));
        assert!(!PublicError::from(&io).to_string().contains("hiv"));
        let n = Error::Network {
            service: "FHIR server",
            reason: "connection refused (https://gp.example/Patient/123)".into(),
        };
        assert_eq!(PublicError::from(&n), PublicError::Network { service: "FHIR server".into() });
        assert!(!PublicError::from(&n).to_string().contains("123"));
        // The account-service kinds (Strava) keep only the service name.
        let r = Error::RateLimited {
            service: "Strava",
            usage: "100,900".into(),
            limit: "100,1000".into(),
            retry_after_s: 60,
        };
        assert_eq!(PublicError::from(&r), PublicError::Network { service: "Strava".into() });
        assert_eq!(PublicError::from(&Error::Unauthorized { service: "Strava" }), PublicError::Denied);
        assert_eq!(
            PublicError::from(&Error::NotConnected { service: "Strava" }),
            PublicError::NotFound { what: "Strava connection".into() }
        );
    }
}
