//! One record on every device (ADR 0012): the change log, the relay envelope, device
//! pairing and removal, and the sync loop. The store records each local change as an
//! [`change::Op`] with a hybrid logical clock ([`hlc`]); [`engine`] pushes them sealed to
//! the relay and merges what other devices pushed. The relay sees only ciphertext.
//!
//! This module talks to the network only when the owner syncs or adds a device.

/// The op and clock types are data in the model crate; re-exported so paths stay
/// `phr_core::sync::change::...` and `phr_core::sync::hlc::...`.
pub use phr_model::{change, hlc};
pub mod devices;
pub mod engine;
pub mod envelope;
pub mod recovery;
pub mod relay_api;
pub mod state;

pub use engine::{sync, DamagedOp, SyncOptions, SyncReport, QUARANTINE_SETTING};
pub use relay_api::{HttpSyncRelay, RemoveAnswer, RetryPolicy, SyncRelay};
pub use state::SyncState;
