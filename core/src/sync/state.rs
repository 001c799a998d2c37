//! This device's sync identity and position, kept sealed in the record as a device-local
//! setting (never synced): the relay and account, the device's signing and X25519 keys,
//! the epoch keys it holds, and how far it has pulled.

use super::envelope::{BoxKey, EpochKeys};
use crate::{Error, Record, Result};
use data_encoding::{BASE64URL_NOPAD, HEXLOWER};
use ring::signature::{Ed25519KeyPair, KeyPair};
use serde::{Deserialize, Serialize};

pub(crate) const STATE_SETTING: &str = "sync.state";

#[derive(Clone, Serialize, Deserialize)]
pub struct SyncState {
    pub relay: String,
    pub account: String,
    /// Short id used in op ids and clock ties (derived from the signing key).
    pub device: String,
    #[serde(serialize_with = "phr_secret::expose")]
    pub(crate) sign_pkcs8: crate::SecretString,
    #[serde(serialize_with = "phr_secret::expose")]
    pub(crate) box_secret: crate::SecretString,
    pub(crate) epochs: EpochKeys,
    /// The highest relay sequence number this device has applied.
    pub cursor: i64,
    /// A name the owner gave this device ("Pixel 8"); kept on the device only.
    #[serde(default)]
    pub label: String,
    /// The recovery identity (its Ed25519 key) this device registered with the relay, so a
    /// sync round asks the relay only when the record's recovery key changed (ADR 0048).
    #[serde(default)]
    pub recovery_registered: Option<String>,
}

impl std::fmt::Debug for SyncState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SyncState")
            .field("relay", &self.relay)
            .field("device", &self.device)
            .field("cursor", &self.cursor)
            .finish_non_exhaustive()
    }
}

/// The short device id for a signing public key: 16 hex digits of its SHA-256.
pub fn device_id_of(sign_public_b64: &str) -> String {
    let d = ring::digest::digest(&ring::digest::SHA256, sign_public_b64.as_bytes());
    HEXLOWER.encode(&d.as_ref()[..8])
}

impl SyncState {
    /// New keys for a device of `account` at `relay`.
    pub(crate) fn generate(relay: &str, account: &str, label: &str) -> Result<SyncState> {
        let pkcs8 = Ed25519KeyPair::generate_pkcs8(&ring::rand::SystemRandom::new())
            .map_err(|_| Error::Crypto("key generation failed"))?;
        let pair =
            Ed25519KeyPair::from_pkcs8(pkcs8.as_ref()).map_err(|_| Error::Crypto("key generation failed"))?;
        let public = BASE64URL_NOPAD.encode(pair.public_key().as_ref());
        Ok(SyncState {
            relay: relay.trim_end_matches('/').to_string(),
            account: account.to_string(),
            device: device_id_of(&public),
            sign_pkcs8: BASE64URL_NOPAD.encode(pkcs8.as_ref()).into(),
            box_secret: BoxKey::generate()?.to_b64().into(),
            epochs: EpochKeys::default(),
            cursor: 0,
            label: label.to_string(),
            recovery_registered: None,
        })
    }

    pub fn signing_key(&self) -> Result<Ed25519KeyPair> {
        let raw = BASE64URL_NOPAD
            .decode(self.sign_pkcs8.expose_secret().as_bytes())
            .map_err(|_| Error::Corrupt("the sync device key could not be read"))?;
        Ed25519KeyPair::from_pkcs8(&raw).map_err(|_| Error::Corrupt("the sync device key could not be read"))
    }

    /// The device's Ed25519 public key (base64url): its identity on the relay.
    pub fn public_key(&self) -> Result<String> {
        Ok(BASE64URL_NOPAD.encode(self.signing_key()?.public_key().as_ref()))
    }

    pub(crate) fn box_key(&self) -> Result<BoxKey> {
        BoxKey::from_b64(self.box_secret.expose_secret())
    }

    pub fn load(record: &Record) -> Result<Option<SyncState>> {
        record.setting(STATE_SETTING)
    }

    pub fn require(record: &Record) -> Result<SyncState> {
        Self::load(record)?.ok_or(Error::NotFound {
            what: "sync set-up (run `phr device start` or `phr device join` first)",
        })
    }

    pub fn save(&self, record: &Record) -> Result<()> {
        record.set_setting(STATE_SETTING, self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn device_keys_never_print_and_are_stored_as_before() {
        let s = SyncState::generate("https://relay.example", "acct", "phone").unwrap();
        let dbg = format!("{s:?}");
        assert!(!dbg.contains(s.sign_pkcs8.expose_secret().as_str()), "{dbg}");
        assert!(!dbg.contains(s.box_secret.expose_secret().as_str()), "{dbg}");
        let json = serde_json::to_value(&s).unwrap();
        assert_eq!(json["box_secret"].as_str(), Some(s.box_secret.expose_secret().as_str()));
        let back: SyncState = serde_json::from_value(json).unwrap();
        assert_eq!(back.sign_pkcs8, s.sign_pkcs8);
    }
}
