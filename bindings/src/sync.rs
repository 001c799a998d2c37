//! Sync and devices for the apps (issue #8): switch sync on, sync now (async, with
//! progress and cancel), add a device by QR code, join from a new device, list and remove
//! devices (asked here, confirmed on another device, or with the recovery key), bring a
//! removed device back with the recovery key. Glue only: everything happens in
//! `phr_core::sync`.

use crate::error::guard;
use crate::keystore::ForeignKeyStore;
use crate::progress::{CancelHandle, CancelOnDrop, ForeignProgress, ProgressListener};
use crate::record::{blocking, wrap, PhrRecord};
use crate::{KeyStore, PhrError};
use phr_core::crypto::RecoveryKey;
use phr_core::store::SyncConflict;
use phr_core::sync::{devices, recovery, RetryPolicy, SyncOptions, SyncState};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

type R<T> = Result<T, PhrError>;

/// What one sync round did.
#[derive(Debug, Clone, uniffi::Record)]
pub struct SyncSummary {
    pub pushed: u64,
    pub pulled: u64,
    pub applied: u64,
    pub duplicates: u64,
    /// Changes waiting for an entry another device has not sent yet.
    pub waiting: u64,
    pub from_snapshot: bool,
    pub cursor: i64,
    /// Entries two devices changed without seeing each other's change (the entry screen
    /// shows the same note until `dismiss_sync_conflict`).
    pub conflicts: Vec<SyncConflict>,
}

/// A conflict a sync resolved: which entry, the value kept, the one replaced (it is in the
/// entry's history), when each change was made and when this device resolved it. The
/// core's type restated (its Debug shows only where and when: the values are health data).
#[uniffi::remote(Record)]
pub struct SyncConflict {
    pub entry_id: String,
    pub section: String,
    pub kept: String,
    pub replaced: String,
    pub kept_at_ms: i64,
    pub replaced_at_ms: i64,
    pub resolved_at_ms: i64,
}

/// One of the owner's devices.
#[derive(Debug, Clone, uniffi::Record)]
pub struct SyncDevice {
    pub id: String,
    pub active: bool,
    pub this_device: bool,
    pub added_at_ms: i64,
    pub removed_at_ms: Option<i64>,
    /// Another device (this id) asked to remove this one; confirming on a third device removes it.
    pub removal_requested_by: Option<String>,
}

/// What `remove_device` did (ADR 0048).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum DeviceRemoval {
    /// The device is out; the other devices use a new key (`epoch`).
    Removed { epoch: u32 },
    /// Asked only: confirm on another of the owner's devices (not the one being removed)
    /// before `expires_at_ms`, or use the recovery key.
    Pending { expires_at_ms: i64 },
    /// Refused for now: this device was added less than a day ago (so a thief who pairs a
    /// phone of their own to a stolen one cannot remove the owner's others). It may ask from
    /// `ready_at_ms`; the recovery key may at once.
    TooNew { ready_at_ms: i64 },
}

/// A device that answered the QR code: its id and the six digits both screens should show.
/// Nothing has been sent to it until `device_confirm`.
#[derive(Debug, Clone, uniffi::Record)]
pub struct AddedDevice {
    pub id: String,
    pub confirmation_code: String,
}

/// The QR code an existing device shows to add a new one (works once).
#[derive(uniffi::Object)]
pub struct DeviceOffer {
    inner: devices::PairingOffer,
    /// The device that answered, waiting for the owner to compare codes.
    answered: Mutex<Option<devices::JoinRequest>>,
}

impl std::fmt::Debug for DeviceOffer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DeviceOffer([REDACTED])")
    }
}

#[uniffi::export]
impl DeviceOffer {
    /// The text inside the QR code (holds a one-time secret: show it, never log it).
    pub fn payload(&self) -> String {
        self.inner.payload.expose_secret().clone()
    }
    /// The QR code as SVG.
    pub fn qr_svg(&self) -> R<String> {
        guard(|| Ok(phr_core::share::qr::svg(self.inner.payload.expose_secret())?))
    }
}

/// A new device that scanned a code and waits for the existing device's welcome.
#[derive(uniffi::Object)]
pub struct PendingDevice {
    inner: Mutex<Option<devices::PendingJoin>>,
    code: String,
}

impl std::fmt::Debug for PendingDevice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PendingDevice([REDACTED])")
    }
}

/// On a new device: reads a scanned code and announces this device to the relay.
#[uniffi::export]
pub fn device_join_request(payload: String, label: String) -> R<Arc<PendingDevice>> {
    guard(|| {
        let p = devices::join_request(&payload, &label)?;
        let code = p.confirmation_code()?;
        Ok(Arc::new(PendingDevice { inner: Mutex::new(Some(p)), code }))
    })
}

#[uniffi::export(async_runtime = "tokio")]
impl PendingDevice {
    /// Six digits that the existing device shows too.
    pub fn confirmation_code(&self) -> String {
        self.code.clone()
    }

    /// Waits up to `timeout_s` for the welcome, then creates the record at `path` locked
    /// by this device's `keystore`. Sync it next to fill it. Works once.
    pub async fn finish(
        &self,
        path: String,
        keystore: Arc<dyn KeyStore>,
        timeout_s: u32,
    ) -> R<Arc<PhrRecord>> {
        let pending = self
            .inner
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take()
            .ok_or(PhrError::InvalidInput { field: "pairing".into() })?;
        blocking(move || {
            let ks = ForeignKeyStore::new(keystore);
            let r =
                devices::finish_join(pending, Path::new(&path), &ks, Duration::from_secs(timeout_s as u64))
                    .map_err(|e| ks.map_err(e))?;
            r.map(wrap).ok_or(PhrError::NotFound { what: "welcome".into() })
        })
        .await
    }
}

fn relay(record: &phr_core::Record) -> R<phr_core::sync::HttpSyncRelay> {
    Ok(devices::relay_for(&SyncState::require(record)?, RetryPolicy::default())?)
}

#[uniffi::export(async_runtime = "tokio")]
impl PhrRecord {
    /// Switches sync on for this record, as the first device of the owner's account.
    pub async fn sync_start(&self, relay_url: String, label: String) -> R<String> {
        let inner = self.inner.clone();
        blocking(move || Ok(devices::start(&inner, &relay_url, &label, RetryPolicy::default())?.device)).await
    }

    /// Whether sync is set up on this device.
    pub async fn sync_enabled(&self) -> R<bool> {
        let inner = self.inner.clone();
        blocking(move || Ok(SyncState::load(&inner)?.is_some())).await
    }

    /// One sync round off the caller's thread: push, pull and merge, with progress and
    /// cancel (between pages; what landed is kept whole). Afterwards, on a thread of its own,
    /// the emergency card is sent any update it missed while this device was offline.
    pub async fn sync_now(
        &self,
        listener: Option<Arc<dyn ProgressListener>>,
        cancel: Option<Arc<CancelHandle>>,
    ) -> R<SyncSummary> {
        let inner = self.inner.clone();
        let cancel = cancel.unwrap_or_default();
        let on_drop = CancelOnDrop::new(cancel.clone());
        let token = cancel.token();
        let out = blocking(move || {
            let listener: Box<dyn phr_core::progress::ProgressListener> = match listener {
                Some(l) => Box::new(ForeignProgress(l)),
                None => Box::new(phr_core::progress::NoProgress),
            };
            let r = phr_core::sync::sync(
                &inner,
                &relay(&inner)?,
                listener.as_ref(),
                &token,
                SyncOptions::default(),
            )?;
            crate::share::card_catches_up(&inner);
            Ok(SyncSummary {
                pushed: r.pushed,
                pulled: r.pulled,
                applied: r.applied,
                duplicates: r.duplicates,
                waiting: r.parked,
                from_snapshot: r.from_snapshot,
                cursor: r.cursor,
                conflicts: r.conflicts,
            })
        })
        .await;
        on_drop.disarm();
        out
    }

    /// A one-time QR code for adding a new device.
    pub async fn device_offer(&self) -> R<Arc<DeviceOffer>> {
        let inner = self.inner.clone();
        blocking(move || {
            Ok(Arc::new(DeviceOffer { inner: devices::offer(&inner)?, answered: Mutex::new(None) }))
        })
        .await
    }

    /// Waits up to `timeout_s` for a new device to answer `offer` and returns the code to
    /// compare; sends nothing. `None` when no device answered in time. Show the code, and
    /// call `device_confirm` only if the owner says the new device shows the same.
    pub async fn device_approve(&self, offer: Arc<DeviceOffer>, timeout_s: u32) -> R<Option<AddedDevice>> {
        let inner = self.inner.clone();
        blocking(move || {
            let answered = devices::await_join(&inner, &offer.inner, Duration::from_secs(timeout_s as u64))?;
            let added = answered
                .as_ref()
                .map(|a| AddedDevice { id: a.device.clone(), confirmation_code: a.code.clone() });
            *offer.answered.lock().unwrap_or_else(|p| p.into_inner()) = answered;
            Ok(added)
        })
        .await
    }

    /// The owner saw the same code on both screens: adds the device that answered `offer`
    /// and sends it the record's keys. Returns its id. Works once.
    pub async fn device_confirm(&self, offer: Arc<DeviceOffer>) -> R<String> {
        let inner = self.inner.clone();
        blocking(move || {
            let answered = offer
                .answered
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .take()
                .ok_or(PhrError::InvalidInput { field: "pairing".into() })?;
            Ok(devices::confirm_join(&inner, &offer.inner, &answered, RetryPolicy::default())?)
        })
        .await
    }

    /// The owner's devices as the relay knows them.
    pub async fn devices(&self) -> R<Vec<SyncDevice>> {
        let inner = self.inner.clone();
        blocking(move || {
            let list = devices::list(&inner, &relay(&inner)?)?;
            Ok(list
                .into_iter()
                .map(|d| SyncDevice {
                    id: d.id,
                    active: d.active,
                    this_device: d.this_device,
                    added_at_ms: d.added_at,
                    removed_at_ms: d.removed_at,
                    removal_requested_by: d.removal_requested_by,
                })
                .collect())
        })
        .await
    }

    /// Removes a lost device. On the first device this only asks; the same call on another
    /// device (not the one being removed) confirms and removes.
    pub async fn remove_device(&self, id: String) -> R<DeviceRemoval> {
        let inner = self.inner.clone();
        blocking(move || {
            Ok(match devices::remove(&inner, &relay(&inner)?, &id)? {
                devices::Removal::Removed { epoch } => DeviceRemoval::Removed { epoch },
                devices::Removal::TooNew { ready_at } => DeviceRemoval::TooNew { ready_at_ms: ready_at },
                devices::Removal::Pending { expires_at } => {
                    DeviceRemoval::Pending { expires_at_ms: expires_at }
                }
            })
        })
        .await
    }

    /// Removes a lost device with the printed recovery key, no second device needed; returns
    /// the new key epoch.
    pub async fn remove_device_with_recovery_key(&self, id: String, recovery_key: String) -> R<u32> {
        let inner = self.inner.clone();
        blocking(move || {
            let key = RecoveryKey::parse(&recovery_key)?;
            Ok(recovery::remove_with_key(&inner, &relay(&inner)?, &id, &key, RetryPolicy::default())?)
        })
        .await
    }

    /// Brings this record back to the owner's devices with the printed recovery key (after
    /// this device was removed, or the record was restored from a backup): returns its new
    /// device id. Sync next to fetch what changed.
    pub async fn recover_device(&self, recovery_key: String) -> R<String> {
        let inner = self.inner.clone();
        blocking(move || {
            let key = RecoveryKey::parse(&recovery_key)?;
            Ok(recovery::recover(&inner, &key, "", RetryPolicy::default())?)
        })
        .await
    }
}
