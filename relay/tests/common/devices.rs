//! Records on devices that sync through a test relay: the key store, a sample entry, a
//! second device joined by the pairing flow, and one sync round.

use phr_core::crypto::RawKeyStore;
use phr_core::progress::{CancelToken, NoProgress};
use phr_core::record::{ConditionStatus, EntryValue};
use phr_core::sync::{devices, RetryPolicy, SyncOptions, SyncReport, SyncState};
use phr_core::Record;
use std::path::Path;
use std::time::Duration;

pub fn ks() -> RawKeyStore {
    RawKeyStore::new([9u8; 32])
}

pub fn condition(name: &str) -> EntryValue {
    EntryValue::Condition {
        name: name.into(),
        code: None,
        onset: None,
        status: ConditionStatus::Active,
        notes: None,
    }
}

/// The names of the conditions in `r`, sorted: what a test compares across devices.
pub fn condition_names(r: &Record) -> Vec<String> {
    let mut v: Vec<String> = r
        .list_entries("conditions", Default::default())
        .unwrap()
        .into_iter()
        .filter_map(|e| match e.value {
            EntryValue::Condition { name, .. } => Some(name),
            _ => None,
        })
        .collect();
    v.sort();
    v
}

/// A new device at `path` joined to `existing`'s record; the owner's check passes only when
/// both screens show the same code, so keys leave only then.
pub fn join(existing: &Record, path: &Path, retry: RetryPolicy) -> Record {
    let offer = devices::offer(existing).unwrap();
    let pending = devices::join_request(offer.payload.expose_secret(), "tablet").unwrap();
    let code_new = pending.confirmation_code().unwrap();
    devices::approve(existing, &offer, Duration::from_secs(10), retry, |c| c == code_new)
        .unwrap()
        .expect("the new device answered");
    devices::finish_join(pending, path, &ks(), Duration::from_secs(10)).unwrap().expect("welcome arrived")
}

/// One sync round of `r` with its own relay settings.
pub fn sync(r: &Record, retry: RetryPolicy) -> phr_core::Result<SyncReport> {
    let relay = devices::relay_for(&SyncState::require(r)?, retry)?;
    phr_core::sync::sync(r, &relay, &NoProgress, &CancelToken::new(), SyncOptions::default())
}
