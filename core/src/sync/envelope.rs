//! What leaves the device for sync, and how it is sealed.
//!
//! - Ops and snapshots are sealed with AES-256-GCM under the account's current **epoch
//!   key**; the associated data names the account, the op id and the epoch, so the relay
//!   cannot move ciphertext between accounts or ops. Epoch 0 is made by the first device;
//!   removing a device makes a new epoch key that only the remaining devices receive, so a
//!   removed device cannot read anything written after its removal (ADR 0012).
//! - Epoch keys and the record's data key travel to a device sealed to its X25519 public
//!   key (ephemeral-static ECDH, HKDF-SHA256, AES-256-GCM): only that device can open them.

use super::change::Op;
use crate::crypto::{random_fill, FieldCipher};
use crate::{Error, Result};
use data_encoding::BASE64URL_NOPAD;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use x25519_dalek::{PublicKey, StaticSecret};
use zeroize::Zeroize;

/// The account's epoch keys this device holds (epoch -> 32-byte key, base64url).
#[derive(Clone, Default, Serialize, Deserialize)]
pub struct EpochKeys {
    pub current: u32,
    keys: BTreeMap<u32, String>,
}

impl std::fmt::Debug for EpochKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EpochKeys")
            .field("current", &self.current)
            .field("epochs", &self.keys.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl EpochKeys {
    /// A fresh key for `epoch`, which becomes current.
    pub fn rotate_to(&mut self, epoch: u32) -> Result<[u8; 32]> {
        let mut k = [0u8; 32];
        random_fill(&mut k)?;
        self.insert(epoch, &k);
        Ok(k)
    }
    pub fn insert(&mut self, epoch: u32, key: &[u8; 32]) {
        self.keys.insert(epoch, BASE64URL_NOPAD.encode(key));
        self.current = self.current.max(epoch);
    }
    pub fn get(&self, epoch: u32) -> Option<[u8; 32]> {
        let raw = BASE64URL_NOPAD.decode(self.keys.get(&epoch)?.as_bytes()).ok()?;
        raw.try_into().ok()
    }
    pub fn has(&self, epoch: u32) -> bool {
        self.keys.contains_key(&epoch)
    }
    fn cipher(&self, epoch: u32) -> Result<FieldCipher> {
        let mut k = self.get(epoch).ok_or(Error::Undecryptable)?;
        let c = FieldCipher::with_raw_key(&k);
        k.zeroize();
        Ok(c)
    }
}

/// An op as the relay stores it (its definition is shared with the relay).
pub use phr_relay_protocol::sync::WireOp;

fn op_ad(account: &str, id: &str, epoch: u32) -> Vec<u8> {
    format!("phr-sync-op|{account}|{id}|{epoch}").into_bytes()
}

pub fn seal_op(keys: &EpochKeys, account: &str, op: &Op) -> Result<WireOp> {
    let id = op.id();
    let sealed =
        keys.cipher(keys.current)?.seal(&crate::store::op_bytes(op)?, &op_ad(account, &id, keys.current))?;
    Ok(WireOp { id, epoch: keys.current, blob: BASE64URL_NOPAD.encode(&sealed) })
}

/// Opens an op from the relay. Its id must match its content (an op cannot be replayed
/// under another id).
pub fn open_op(keys: &EpochKeys, account: &str, w: &WireOp) -> Result<Op> {
    let sealed = BASE64URL_NOPAD.decode(w.blob.as_bytes()).map_err(|_| Error::Undecryptable)?;
    let plain = keys.cipher(w.epoch)?.open(&sealed, &op_ad(account, &w.id, w.epoch))?;
    let op = crate::store::decode_op_bytes(&plain)?;
    if op.id() != w.id {
        return Err(Error::Corrupt("a synced op does not match its id"));
    }
    Ok(op)
}

fn snapshot_ad(account: &str, upto: i64, epoch: u32) -> Vec<u8> {
    format!("phr-sync-snapshot|{account}|{upto}|{epoch}").into_bytes()
}

pub fn seal_snapshot(keys: &EpochKeys, account: &str, upto: i64, ops: &[Op]) -> Result<String> {
    let json = serde_json::to_vec(ops).map_err(|_| Error::Crypto("snapshot encoding failed"))?;
    let packed = miniz_oxide::deflate::compress_to_vec(&json, 6);
    let sealed = keys.cipher(keys.current)?.seal(&packed, &snapshot_ad(account, upto, keys.current))?;
    Ok(BASE64URL_NOPAD.encode(&sealed))
}

pub fn open_snapshot(keys: &EpochKeys, account: &str, upto: i64, epoch: u32, blob: &str) -> Result<Vec<Op>> {
    let sealed = BASE64URL_NOPAD.decode(blob.as_bytes()).map_err(|_| Error::Undecryptable)?;
    let packed = keys.cipher(epoch)?.open(&sealed, &snapshot_ad(account, upto, epoch))?;
    let json = miniz_oxide::inflate::decompress_to_vec_with_limit(&packed, 1 << 30)
        .map_err(|_| Error::Corrupt("a sync snapshot does not inflate"))?;
    serde_json::from_slice(&json).map_err(|_| Error::Corrupt("a sync snapshot could not be read"))
}

/// A device's X25519 key pair for receiving keys.
pub struct BoxKey(StaticSecret);

impl BoxKey {
    pub fn generate() -> Result<BoxKey> {
        let mut b = [0u8; 32];
        random_fill(&mut b)?;
        let k = BoxKey(StaticSecret::from(b));
        b.zeroize();
        Ok(k)
    }
    pub fn from_b64(s: &str) -> Result<BoxKey> {
        let mut raw: [u8; 32] = BASE64URL_NOPAD
            .decode(s.as_bytes())
            .ok()
            .and_then(|v| v.try_into().ok())
            .ok_or(Error::Corrupt("a device key could not be read"))?;
        let k = BoxKey(StaticSecret::from(raw));
        raw.zeroize();
        Ok(k)
    }
    /// The key for a derived secret (the recovery key's, ADR 0048).
    pub(crate) fn from_secret(secret: &crate::Secret<[u8; 32]>) -> BoxKey {
        BoxKey(StaticSecret::from(*secret.expose_secret()))
    }
    pub fn to_b64(&self) -> String {
        BASE64URL_NOPAD.encode(self.0.as_bytes())
    }
    pub fn public_b64(&self) -> String {
        BASE64URL_NOPAD.encode(PublicKey::from(&self.0).as_bytes())
    }
}

fn wrap_key(shared: &[u8; 32], eph: &[u8; 32], to: &[u8; 32], context: &'static [u8]) -> FieldCipher {
    let mut salt = Vec::with_capacity(64);
    salt.extend_from_slice(eph);
    salt.extend_from_slice(to);
    let mut k = crate::crypto::hkdf32(shared, &salt, context);
    let c = FieldCipher::with_raw_key(&k);
    k.zeroize();
    c
}

/// Seals `payload` so only the holder of `to_public` (base64url X25519) can open it.
pub fn seal_to(to_public: &str, payload: &[u8], context: &'static [u8]) -> Result<String> {
    let to: [u8; 32] = BASE64URL_NOPAD
        .decode(to_public.as_bytes())
        .ok()
        .and_then(|v| v.try_into().ok())
        .ok_or(Error::invalid("device key", "is not an X25519 public key"))?;
    let eph = BoxKey::generate()?;
    let eph_pub = PublicKey::from(&eph.0);
    let shared = eph.0.diffie_hellman(&PublicKey::from(to));
    let sealed = wrap_key(shared.as_bytes(), eph_pub.as_bytes(), &to, context).seal(payload, context)?;
    let mut out = eph_pub.as_bytes().to_vec();
    out.extend_from_slice(&sealed);
    Ok(BASE64URL_NOPAD.encode(&out))
}

pub fn open_with(key: &BoxKey, blob: &str, context: &'static [u8]) -> Result<Vec<u8>> {
    let raw = BASE64URL_NOPAD.decode(blob.as_bytes()).map_err(|_| Error::Undecryptable)?;
    if raw.len() < 32 {
        return Err(Error::Undecryptable);
    }
    let eph: [u8; 32] = raw[..32].try_into().map_err(|_| Error::Undecryptable)?;
    let shared = key.0.diffie_hellman(&PublicKey::from(eph));
    let me = PublicKey::from(&key.0);
    wrap_key(shared.as_bytes(), &eph, me.as_bytes(), context).open(&raw[32..], context)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sync::change::Change;
    use crate::sync::hlc::Hlc;

    fn op() -> Op {
        Op {
            hlc: Hlc::new(1_700_000_000_000, 1),
            device: "dev1".into(),
            change: Change::EntryHidden { id: "e1".into(), hidden: true },
        }
    }

    #[test]
    fn ops_open_only_with_their_epoch_account_and_id() {
        let mut keys = EpochKeys::default();
        keys.rotate_to(0).unwrap();
        let w = seal_op(&keys, "acct", &op()).unwrap();
        assert_eq!(open_op(&keys, "acct", &w).unwrap(), op());
        assert!(open_op(&keys, "other", &w).is_err(), "moved to another account");
        let renamed = WireOp { id: "dev1-0000000000000002".into(), ..w.clone() };
        assert!(open_op(&keys, "acct", &renamed).is_err(), "replayed under another id");
        let mut newer = keys.clone();
        newer.rotate_to(1).unwrap();
        let w1 = seal_op(&newer, "acct", &op()).unwrap();
        assert_eq!(w1.epoch, 1);
        assert!(open_op(&keys, "acct", &w1).is_err(), "a device without epoch 1 cannot read it");
        assert_eq!(open_op(&newer, "acct", &w).unwrap(), op(), "old epochs stay readable");
    }

    #[test]
    fn sealed_to_a_device_opens_only_there() {
        let a = BoxKey::generate().unwrap();
        let b = BoxKey::generate().unwrap();
        let blob = seal_to(&a.public_b64(), b"the data key", b"phr-sync-test").unwrap();
        assert_eq!(open_with(&a, &blob, b"phr-sync-test").unwrap(), b"the data key");
        assert!(open_with(&b, &blob, b"phr-sync-test").is_err());
        assert!(open_with(&a, &blob, b"phr-sync-other").is_err());
        let restored = BoxKey::from_b64(&a.to_b64()).unwrap();
        assert_eq!(restored.public_b64(), a.public_b64());
        assert!(format!("{keys:?}", keys = EpochKeys::default()).contains("current"));
    }
}
