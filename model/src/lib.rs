//! phr-model: the data of a personal health record and the rules that need nothing but
//! the data. Sections, entries, samples and activities ([`record`]), the sync op and its
//! clock ([`change`], [`hlc`]), consent grants and audit events ([`grant`]), which source
//! wins when two measured the same thing ([`priority`]) and what sport an activity is
//! ([`sport`]).
//!
//! No I/O: no files, sockets, database or clock reads beyond what callers pass in. The
//! core's store, sync, consent and import modules all build on these types, which is what
//! keeps them from depending on one another.
#![forbid(unsafe_code)]

pub mod change;
pub mod error;
pub mod grant;
pub mod hlc;
pub mod label;
pub mod priority;
pub mod record;
pub mod sport;

pub use error::{ModelError, Result};
pub use label::{Label, LabelArg};
