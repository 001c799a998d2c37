//! phr-core: the personal health record core.
//!
//! A resident's whole record lives in one encrypted SQLite file on their phone. This crate
//! holds every piece of logic; the CLI and the phone bindings are thin shells over it.
//! Start at [`store::Record`] (open a record, add entries, ingest samples) and
//! [`record`] (what a record contains). ARCHITECTURE.md has the map.
#![forbid(unsafe_code)]
#![warn(clippy::unwrap_used)]

pub mod app;
pub mod consent;
pub mod crypto;
pub mod demo;
pub mod error;
pub mod fhir;
pub mod import;
/// Insights are a pure crate of their own (`insights/`); re-exported so paths stay
/// `phr_core::insights::...`.
pub use phr_insights as insights;
pub mod net;
pub mod progress;
/// The record model is the crate `phr-model` (`model/`), which store, sync, consent and
/// import all build on; re-exported so paths stay `phr_core::record::...`.
pub use phr_model::record;
/// The one type for tokens, keys, passcodes and pairing secrets (crate `phr-secret`).
pub use phr_secret as secret;
pub use phr_secret::{Secret, SecretString};
pub mod share;
pub mod store;
pub mod strings;
pub mod sync;

pub use error::{Error, PublicError, Result};
/// What the model's validation returns; `?` turns it into an [`Error`].
pub use phr_model::ModelError;
pub use store::Record;
