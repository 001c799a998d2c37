//! The printed recovery key on the sync relay (ADR 0048). From the key the core derives a
//! recovery identity (an Ed25519 signing key and an X25519 key, `RecoveryKey::sync_seed`);
//! the record keeps its public half (`RECOVERY_PUBLIC_SETTING`, synced) and each device
//! registers it with the relay. The relay then lets that identity remove a device alone and
//! add one, and every key rotation seals the new epoch key to it too. So the owner holding
//! only the key can:
//!
//! - remove a device when no second device is at hand to confirm ([`remove_with_key`]);
//! - bring back a removed device, or a record restored from a backup on a new phone
//!   ([`recover`]): a new device key is added, the current epoch keys come from the relay,
//!   and the next sync pulls what the other devices wrote meanwhile.

use super::devices::{other_device, rotate, EPOCH_CONTEXT};
use super::envelope::{open_with, seal_to, BoxKey};
use super::relay_api::{HttpSyncRelay, RemoveAnswer, RetryPolicy, SyncRelay};
use super::state::SyncState;
use crate::crypto::RecoveryKey;
use crate::{Error, Record, Result};
use ring::signature::Ed25519KeyPair;
use serde::{Deserialize, Serialize};

pub use crate::store::RECOVERY_PUBLIC_SETTING;

/// The public half of the recovery identity, as the record keeps it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecoveryPublic {
    pub sign: String,
    pub xkey: String,
}

/// The recovery identity itself: only ever made from the typed key, never stored.
struct Identity {
    sign: Ed25519KeyPair,
    boxed: BoxKey,
}

impl Identity {
    fn of(key: &RecoveryKey) -> Result<Identity> {
        let sign = Ed25519KeyPair::from_seed_unchecked(key.sync_seed(b"sign").expose_secret())
            .map_err(|_| Error::Crypto("key derivation failed"))?;
        Ok(Identity { sign, boxed: BoxKey::from_secret(&key.sync_seed(b"box")) })
    }

    /// A relay client for `state`'s account that signs as the recovery key.
    fn relay(self, state: &SyncState, retry: RetryPolicy) -> Result<(HttpSyncRelay, BoxKey)> {
        Ok((HttpSyncRelay::new(&state.relay, &state.account, self.sign, retry)?, self.boxed))
    }
}

fn not_this_records_key(e: Error) -> Error {
    match e {
        Error::Denied(_) => Error::invalid(
            "recovery key",
            "is not the one for this record's devices (or it was never set up on them)",
        ),
        other => other,
    }
}

/// Registers the record's recovery identity with the relay once per change (called by
/// `start` and each sync round) and seals the current epoch key to it. False when there is
/// no recovery key yet, or the relay keeps another one (only that key can replace itself:
/// a stolen phone cannot swap in its own).
pub(crate) fn register(record: &Record, state: &mut SyncState, relay: &dyn SyncRelay) -> Result<bool> {
    let Some(public) = record.setting::<RecoveryPublic>(RECOVERY_PUBLIC_SETTING)? else { return Ok(false) };
    if state.recovery_registered.as_deref() == Some(public.sign.as_str()) {
        return Ok(true);
    }
    if !relay.set_recovery(&public.sign, &public.xkey)? {
        log::warn!(
            "the relay keeps another recovery key for this account; the record's new one is not used there"
        );
        return Ok(false);
    }
    let key = state.epochs.get(state.epochs.current).ok_or(Error::Undecryptable)?;
    relay.put_keys(
        state.epochs.current,
        &[(public.sign.clone(), seal_to(&public.xkey, &key, EPOCH_CONTEXT)?)],
    )?;
    state.recovery_registered = Some(public.sign);
    Ok(true)
}

/// Removes `device` with the recovery key alone (no second device needed), then rotates the
/// epoch key from this device. Returns the new epoch.
pub fn remove_with_key(
    record: &Record,
    relay: &dyn SyncRelay,
    device: &str,
    key: &RecoveryKey,
    retry: RetryPolicy,
) -> Result<u32> {
    let mut state = SyncState::require(record)?;
    if record.adopt_recovery_key(key)? == Some(false) {
        return Err(not_this_records_key(Error::Denied("another key")));
    }
    // A key made before the relay knew recovery keys is registered now, from this device.
    if state.recovery_registered.is_none() {
        super::engine::refresh_keys(&mut state, relay)?;
        if register(record, &mut state, relay)? {
            state.save(record)?;
        }
    }
    let target = other_device(record, relay, device)?;
    let (as_recovery, _) = Identity::of(key)?.relay(&state, retry)?;
    match as_recovery.remove_device(&target.public_key).map_err(not_this_records_key)? {
        RemoveAnswer::Removed => rotate(record, relay),
        RemoveAnswer::NotFound => Err(Error::NotFound { what: "device" }),
        // The relay only makes devices ask; the recovery key never does.
        RemoveAnswer::Pending { .. } | RemoveAnswer::TooNew { .. } => {
            Err(not_this_records_key(Error::Denied("asked")))
        }
    }
}

/// Brings this record back into its account with the recovery key: a device that was
/// removed, or a record restored from a backup on a new phone. A new device key is added by
/// the recovery key (a removed key never comes back), the epoch keys sealed to the recovery
/// key are taken, and sync resumes where this record left off: its unsent changes go up,
/// and the next sync pulls the others'. Returns the new device id.
pub fn recover(record: &Record, key: &RecoveryKey, label: &str, retry: RetryPolicy) -> Result<String> {
    let old = SyncState::require(record)?;
    let label = if label.trim().is_empty() { old.label.as_str() } else { label };
    let mut fresh = SyncState::generate(&old.relay, &old.account, label)?;
    fresh.cursor = old.cursor;
    fresh.epochs = old.epochs.clone();
    let (relay, boxed) = Identity::of(key)?.relay(&old, retry)?;
    let (me, xkey) = (fresh.public_key()?, fresh.box_key()?.public_b64());
    relay.add_device(&me, &xkey).map_err(not_this_records_key)?;
    for env in relay.keys()? {
        let raw = open_with(&boxed, &env.blob, EPOCH_CONTEXT)?;
        let k: [u8; 32] =
            raw.as_slice().try_into().map_err(|_| Error::Corrupt("an epoch key has the wrong length"))?;
        fresh.epochs.insert(env.epoch, &k);
    }
    // The new device (now active) seals the current key to itself: from now on it reads keys
    // as any device. The recovery key itself never writes keys.
    let current = fresh.epochs.get(fresh.epochs.current).ok_or(Error::Undecryptable)?;
    let as_new = super::devices::relay_for(&fresh, retry)?;
    as_new.put_keys(fresh.epochs.current, &[(me, seal_to(&xkey, &current, EPOCH_CONTEXT)?)])?;
    fresh.recovery_registered = Some(relay.device());
    fresh.save(record)?;
    record.set_setting(super::engine::REMOVED_SETTING, &false)?;
    record.enable_sync(&fresh.device, false)?;
    // The list as the screen draws it: this device's new key, active again.
    super::devices::list(record, &as_new)?;
    Ok(fresh.device)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_identity_is_the_keys_and_only_its_public_half_is_kept() {
        let key = RecoveryKey::generate().unwrap();
        let (sign, xkey) = key.sync_public().unwrap();
        let again = RecoveryKey::parse(&key.to_printable()).unwrap();
        assert_eq!(
            again.sync_public().unwrap(),
            (sign.clone(), xkey.clone()),
            "the printed key brings it back"
        );
        let id = Identity::of(&again).unwrap();
        use ring::signature::KeyPair;
        assert_eq!(data_encoding::BASE64URL_NOPAD.encode(id.sign.public_key().as_ref()), sign);
        assert_eq!(id.boxed.public_b64(), xkey);
        assert_ne!(RecoveryKey::generate().unwrap().sync_public().unwrap().0, sign);
        assert_ne!(sign, xkey, "two keys, not one");
    }
}
