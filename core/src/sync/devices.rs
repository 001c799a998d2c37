//! The owner's devices: starting sync on the first one, adding a device by QR code,
//! listing, and removing a lost one (which rotates the epoch key). A removal asked on one
//! device waits for a confirmation on another (or the recovery key, `super::recovery`):
//! ADR 0048.
//!
//! Adding a device (ADR 0012): the existing device shows a QR code holding the relay, the
//! account and a one-time 256-bit secret. The new device makes its keys and posts them to
//! a pairing slot derived from the secret, MAC'd with it; the existing device checks the
//! MAC and shows a six-digit code derived from the exchange, which the new device shows
//! too; only when the owner confirms they match does it add the new key to the account on
//! the relay and post a welcome — the record's data key and the epoch keys, sealed to the
//! new device's X25519 key and MAC'd. The relay relays two blobs it can neither read nor
//! forge.

use super::envelope::{open_with, seal_to};
use super::relay_api::{HttpSyncRelay, PairingMailbox, RemoveAnswer, RetryPolicy, SyncRelay};
use super::state::{device_id_of, SyncState};
use crate::crypto::{random_fill, DataKey, KeyStore, SecretBytes};
use crate::{Error, Record, Result};
use data_encoding::{BASE64URL_NOPAD, HEXLOWER};
use serde::{Deserialize, Serialize};
use std::path::Path;
use std::time::{Duration, Instant};

pub(crate) const EPOCH_CONTEXT: &[u8] = b"phr-sync-epoch-key";
const WELCOME_CONTEXT: &[u8] = b"phr-sync-welcome";
const PAIR_PREFIX: &str = "phr-pair:1:";

/// The relay client for this record's sync identity.
pub fn relay_for(state: &SyncState, retry: RetryPolicy) -> Result<HttpSyncRelay> {
    HttpSyncRelay::new(&state.relay, &state.account, state.signing_key()?, retry)
}

/// Switches sync on for the first device of a new account at `relay_url`: the record as
/// it stands becomes the account's first ops (pushed by the first `sync`).
pub fn start(record: &Record, relay_url: &str, label: &str, retry: RetryPolicy) -> Result<SyncState> {
    if SyncState::load(record)?.is_some() {
        return Err(Error::invalid("sync", "is already set up on this device"));
    }
    let mut account = [0u8; 32];
    random_fill(&mut account)?;
    let mut state = SyncState::generate(relay_url, &BASE64URL_NOPAD.encode(&account), label)?;
    let key = state.epochs.rotate_to(0)?;
    let relay = relay_for(&state, retry)?;
    let me = state.public_key()?;
    let xkey = state.box_key()?.public_b64();
    relay.add_device(&me, &xkey)?;
    relay.put_keys(0, &[(me, seal_to(&xkey, &key, EPOCH_CONTEXT)?)])?;
    super::recovery::register(record, &mut state, &relay)?;
    state.save(record)?;
    record.enable_sync(&state.device, true)?;
    Ok(state)
}

#[derive(Serialize, Deserialize)]
struct QrPayload {
    r: String,
    a: String,
    #[serde(serialize_with = "phr_secret::expose")]
    s: crate::SecretString,
}

/// What the existing device shows (as a QR code) to add a new one.
#[derive(Debug)]
pub struct PairingOffer {
    /// `phr-pair:1:...`: the text in the QR code. It holds the one-time secret: show it only
    /// on screen.
    pub payload: crate::SecretString,
    secret: crate::Secret<[u8; 32]>,
    relay: String,
}

fn mac(secret: &[u8; 32], label: &str, data: &[u8]) -> Vec<u8> {
    let k = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, secret);
    let mut msg = label.as_bytes().to_vec();
    msg.push(0);
    msg.extend_from_slice(data);
    ring::hmac::sign(&k, &msg).as_ref().to_vec()
}

fn slot_of(secret: &[u8; 32]) -> String {
    HEXLOWER.encode(&mac(secret, "slot", b""))
}

/// A MAC'd blob in the pairing mailbox.
#[derive(Serialize, Deserialize)]
struct Signed {
    body: String,
    mac: String,
}

fn signed(secret: &[u8; 32], label: &str, body: &str) -> Result<String> {
    let s =
        Signed { body: body.to_string(), mac: BASE64URL_NOPAD.encode(&mac(secret, label, body.as_bytes())) };
    Ok(BASE64URL_NOPAD.encode(&serde_json::to_vec(&s).map_err(|_| Error::Crypto("pairing encoding failed"))?))
}

fn verified(secret: &[u8; 32], label: &str, blob: &str) -> Result<String> {
    let raw = BASE64URL_NOPAD
        .decode(blob.as_bytes())
        .map_err(|_| Error::invalid("pairing", "the other device's message is damaged"))?;
    let s: Signed = serde_json::from_slice(&raw)
        .map_err(|_| Error::invalid("pairing", "the other device's message is damaged"))?;
    let tag = BASE64URL_NOPAD
        .decode(s.mac.as_bytes())
        .map_err(|_| Error::invalid("pairing", "the other device's message is damaged"))?;
    ring::hmac::verify(
        &ring::hmac::Key::new(ring::hmac::HMAC_SHA256, secret),
        &[label.as_bytes(), &[0], s.body.as_bytes()].concat(),
        &tag,
    )
    .map_err(|_| Error::invalid("pairing", "the message was not made by the device that scanned the code"))?;
    Ok(s.body)
}

#[derive(Serialize, Deserialize)]
struct Hello {
    sign: String,
    xkey: String,
}

#[derive(Serialize, Deserialize)]
struct Welcome {
    #[serde(serialize_with = "phr_secret::expose")]
    data_key: crate::SecretString,
    record_id: String,
    epochs: super::envelope::EpochKeys,
}

/// Makes a one-time pairing code on an existing device.
pub fn offer(record: &Record) -> Result<PairingOffer> {
    let state = SyncState::require(record)?;
    let mut secret = crate::Secret::new([0u8; 32]);
    random_fill(secret.expose_secret_mut())?;
    let qr = QrPayload {
        r: state.relay.clone(),
        a: state.account.clone(),
        s: BASE64URL_NOPAD.encode(secret.expose_secret()).into(),
    };
    let payload = format!(
        "{PAIR_PREFIX}{}",
        BASE64URL_NOPAD
            .encode(&serde_json::to_vec(&qr).map_err(|_| Error::Crypto("pairing encoding failed"))?)
    );
    Ok(PairingOffer { payload: payload.into(), secret, relay: state.relay })
}

/// The short authentication string: six digits both screens show, derived from the whole
/// key exchange (the account, and the new device's signing and box keys) under the
/// one-time secret. The owner compares them before the offering device sends any key, so
/// a device that joined with a copied code (and not the one in the owner's hand) is caught.
pub fn confirmation_code(secret: &[u8; 32], account: &str, sign_public: &str, box_public: &str) -> String {
    let transcript = [account, sign_public, box_public].join("\n");
    let m = mac(secret, "sas", transcript.as_bytes());
    format!("{:06}", u32::from_be_bytes([m[0], m[1], m[2], m[3]]) % 1_000_000)
}

fn poll<T>(timeout: Duration, mut f: impl FnMut() -> Result<Option<T>>) -> Result<Option<T>> {
    let until = Instant::now() + timeout;
    loop {
        if let Some(v) = f()? {
            return Ok(Some(v));
        }
        if Instant::now() >= until {
            return Ok(None);
        }
        std::thread::sleep(Duration::from_millis(250));
    }
}

/// A new device that answered the code: nothing has been sent to it yet. Show [`Self::code`]
/// and call [`confirm_join`] only when the owner says the new device shows the same.
pub struct JoinRequest {
    hello: Hello,
    /// The new device's id.
    pub device: String,
    /// The six digits the new device should show too.
    pub code: String,
}

impl std::fmt::Debug for JoinRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JoinRequest").field("device", &self.device).finish_non_exhaustive()
    }
}

/// On the existing device: waits up to `timeout` for a new device to answer the QR code.
/// Sends nothing: the answer is only checked (made with the code's secret) and its
/// confirmation code worked out. `None` on timeout.
pub fn await_join(record: &Record, offer: &PairingOffer, timeout: Duration) -> Result<Option<JoinRequest>> {
    let state = SyncState::require(record)?;
    let mailbox = PairingMailbox::new(&offer.relay)?;
    let slot = slot_of(offer.secret.expose_secret());
    let Some(hello_blob) = poll(timeout, || Ok(mailbox.get(&slot)?.and_then(|c| c.hello)))? else {
        return Ok(None);
    };
    let hello: Hello = serde_json::from_str(&verified(offer.secret.expose_secret(), "hello", &hello_blob)?)
        .map_err(|_| Error::invalid("pairing", "the other device's message is damaged"))?;
    let code = confirmation_code(offer.secret.expose_secret(), &state.account, &hello.sign, &hello.xkey);
    Ok(Some(JoinRequest { device: device_id_of(&hello.sign), code, hello }))
}

/// On the existing device, after the owner saw the same code on both screens: adds the
/// new device on the relay and sends it the record's data key and the epoch keys (sealed to
/// it). Returns the new device's id.
pub fn confirm_join(
    record: &Record,
    offer: &PairingOffer,
    request: &JoinRequest,
    retry: RetryPolicy,
) -> Result<String> {
    let state = SyncState::require(record)?;
    let mailbox = PairingMailbox::new(&offer.relay)?;
    let slot = slot_of(offer.secret.expose_secret());
    let hello = &request.hello;
    let relay = relay_for(&state, retry)?;
    let mut state = state;
    super::engine::refresh_keys(&mut state, &relay)?;
    relay.add_device(&hello.sign, &hello.xkey)?;
    // Give the new device every epoch key it needs to read the log, current one included.
    relay.put_keys(
        state.epochs.current,
        &[(
            hello.sign.clone(),
            seal_to(
                &hello.xkey,
                &state.epochs.get(state.epochs.current).ok_or(Error::Undecryptable)?,
                EPOCH_CONTEXT,
            )?,
        )],
    )?;
    let welcome = Welcome {
        data_key: BASE64URL_NOPAD.encode(record.data_key_bytes()).into(),
        record_id: record.id().to_string(),
        epochs: state.epochs.clone(),
    };
    let sealed = seal_to(
        &hello.xkey,
        &serde_json::to_vec(&welcome).map_err(|_| Error::Crypto("pairing encoding failed"))?,
        WELCOME_CONTEXT,
    )?;
    if !mailbox.put_welcome(&slot, &signed(offer.secret.expose_secret(), "welcome", &sealed)?)? {
        return Err(Error::invalid("pairing", "this code was already used"));
    }
    Ok(request.device.clone())
}

/// [`await_join`], then [`confirm_join`] if `codes_match` (the owner's answer, shown the
/// code) says yes. Returns the new device's id and the code, `None` on timeout; if the
/// codes do not match, nothing is sent and the answer is an error.
pub fn approve(
    record: &Record,
    offer: &PairingOffer,
    timeout: Duration,
    retry: RetryPolicy,
    codes_match: impl FnOnce(&str) -> bool,
) -> Result<Option<(String, String)>> {
    let Some(request) = await_join(record, offer, timeout)? else { return Ok(None) };
    if !codes_match(&request.code) {
        return Err(Error::invalid("pairing", "the codes did not match: nothing was sent to that device"));
    }
    let device = confirm_join(record, offer, &request, retry)?;
    Ok(Some((device, request.code)))
}

/// A new device that has scanned a code and is waiting for the welcome.
#[derive(Debug)]
pub struct PendingJoin {
    secret: crate::Secret<[u8; 32]>,
    state: SyncState,
    slot: String,
}

impl PendingJoin {
    pub fn confirmation_code(&self) -> Result<String> {
        Ok(confirmation_code(
            self.secret.expose_secret(),
            &self.state.account,
            &self.state.public_key()?,
            &self.state.box_key()?.public_b64(),
        ))
    }
    pub fn device(&self) -> &str {
        &self.state.device
    }
}

/// On the new device: reads the scanned code and announces this device.
pub fn join_request(payload: &str, label: &str) -> Result<PendingJoin> {
    let body = payload
        .trim()
        .strip_prefix(PAIR_PREFIX)
        .ok_or(Error::invalid("pairing code", "is not a PHR device code"))?;
    let raw =
        BASE64URL_NOPAD.decode(body.as_bytes()).map_err(|_| Error::invalid("pairing code", "is damaged"))?;
    let qr: QrPayload =
        serde_json::from_slice(&raw).map_err(|_| Error::invalid("pairing code", "is damaged"))?;
    let secret: crate::Secret<[u8; 32]> = BASE64URL_NOPAD
        .decode(qr.s.expose_secret().as_bytes())
        .ok()
        .and_then(|v| <[u8; 32]>::try_from(v).ok())
        .ok_or(Error::invalid("pairing code", "is damaged"))?
        .into();
    let state = SyncState::generate(&qr.r, &qr.a, label)?;
    let hello = Hello { sign: state.public_key()?, xkey: state.box_key()?.public_b64() };
    let slot = slot_of(secret.expose_secret());
    let blob = signed(
        secret.expose_secret(),
        "hello",
        &serde_json::to_string(&hello).map_err(|_| Error::Crypto("pairing encoding failed"))?,
    )?;
    if !PairingMailbox::new(&state.relay)?.put_hello(&slot, &blob)? {
        return Err(Error::invalid("pairing code", "was already used by another device"));
    }
    Ok(PendingJoin { secret, state, slot })
}

/// On the new device: waits for the welcome and creates the record at `path` with the
/// owner's data key, locked by this device's `keystore`. Sync it next to fill it.
pub fn finish_join(
    pending: PendingJoin,
    path: &Path,
    keystore: &dyn KeyStore,
    timeout: Duration,
) -> Result<Option<Record>> {
    let mailbox = PairingMailbox::new(&pending.state.relay)?;
    let Some(blob) = poll(timeout, || Ok(mailbox.get(&pending.slot)?.and_then(|c| c.welcome)))? else {
        return Ok(None);
    };
    let sealed = verified(pending.secret.expose_secret(), "welcome", &blob)?;
    let plain = open_with(&pending.state.box_key()?, &sealed, WELCOME_CONTEXT)?;
    let welcome: Welcome =
        serde_json::from_slice(&plain).map_err(|_| Error::invalid("pairing", "the welcome is damaged"))?;
    let key_bytes = BASE64URL_NOPAD
        .decode(welcome.data_key.expose_secret().as_bytes())
        .map_err(|_| Error::invalid("pairing", "the welcome is damaged"))?;
    let data_key = DataKey::from_secret(&SecretBytes::new(key_bytes))?;
    let record = Record::create_with_key(path, keystore, data_key, &welcome.record_id)?;
    let mut state = pending.state;
    state.epochs = welcome.epochs;
    state.save(&record)?;
    record.enable_sync(&state.device, false)?;
    Ok(Some(record))
}

/// One of the owner's devices as `phr device list` shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceInfo {
    pub id: String,
    pub public_key: String,
    pub active: bool,
    pub this_device: bool,
    pub added_at: i64,
    pub removed_at: Option<i64>,
    /// Another device (this id) asked to remove this one: confirm on a third device, or not.
    #[serde(default)]
    pub removal_requested_by: Option<String>,
}

/// Device-local setting: the device list as last fetched, so the devices screen can draw
/// it without the network.
pub const DEVICES_SEEN_SETTING: &str = "sync.devices_seen";

/// The account's devices (the recovery key, which the relay lists too, is not one).
pub fn list(record: &Record, relay: &dyn SyncRelay) -> Result<Vec<DeviceInfo>> {
    let state = SyncState::require(record)?;
    let me = state.public_key()?;
    let devices: Vec<DeviceInfo> = relay
        .devices()?
        .into_iter()
        .filter(|d| d.status != "recovery")
        .map(|d| DeviceInfo {
            id: device_id_of(&d.device),
            this_device: d.device == me,
            active: d.status == "active",
            public_key: d.device,
            added_at: d.added_at,
            removed_at: d.removed_at,
            removal_requested_by: d.removal_requested_by.as_deref().map(device_id_of),
        })
        .collect();
    record.set_setting(DEVICES_SEEN_SETTING, &devices)?;
    Ok(devices)
}

/// The device list as last fetched by [`list`] (empty if never).
pub fn seen(record: &Record) -> Result<Vec<DeviceInfo>> {
    Ok(record.setting(DEVICES_SEEN_SETTING)?.unwrap_or_default())
}

/// What [`remove`] did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Removal {
    /// The device is out; the key was rotated to `epoch` for the devices that remain.
    Removed { epoch: u32 },
    /// Asked only: the owner confirms on another of their devices (not the one being
    /// removed) before `expires_at` (ms since 1970), or uses the recovery key.
    Pending { expires_at: i64 },
    /// Refused for now: this device was added less than a day ago, so a thief who pairs a
    /// phone of their own to a stolen one cannot use it to remove the owner's other devices
    /// (ADR 0048). It may ask from `ready_at` (ms since 1970); the recovery key may at once.
    TooNew { ready_at: i64 },
}

/// The device `device` names (its id, a unique prefix of it, or its public key); never this one.
pub(crate) fn other_device(record: &Record, relay: &dyn SyncRelay, device: &str) -> Result<DeviceInfo> {
    let devices = list(record, relay)?;
    let target = match devices.iter().find(|d| d.public_key == device) {
        Some(d) => d,
        None => {
            let id = crate::store::resolve_prefix("device", device, devices.iter().map(|d| d.id.as_str()))?;
            devices.iter().find(|d| d.id == id).ok_or(Error::NotFound { what: "device" })?
        }
    };
    if target.this_device {
        return Err(Error::invalid("device", "is this device; remove it from another of your devices"));
    }
    Ok(target.clone())
}

/// Removes a lost device (by its id, a unique prefix of it, or its public key). The first
/// device to ask only asks ([`Removal::Pending`]); the same call on a second device, not
/// the one being removed, confirms it: the relay refuses that device from then on, and a
/// new epoch key goes to the remaining devices (and the recovery key) only.
pub fn remove(record: &Record, relay: &dyn SyncRelay, device: &str) -> Result<Removal> {
    let target = other_device(record, relay, device)?;
    match relay.remove_device(&target.public_key)? {
        RemoveAnswer::Pending { expires_at } => {
            list(record, relay)?;
            Ok(Removal::Pending { expires_at })
        }
        RemoveAnswer::TooNew { ready_at } => Ok(Removal::TooNew { ready_at }),
        RemoveAnswer::NotFound => Err(Error::NotFound { what: "device" }),
        RemoveAnswer::Removed => Ok(Removal::Removed { epoch: rotate(record, relay)? }),
    }
}

/// After a removal: a new epoch key, sealed to each active device and the recovery key.
/// Returns the new epoch.
pub(crate) fn rotate(record: &Record, relay: &dyn SyncRelay) -> Result<u32> {
    let mut state = SyncState::require(record)?;
    super::engine::refresh_keys(&mut state, relay)?;
    let epoch = state.epochs.current + 1;
    let key = state.epochs.rotate_to(epoch)?;
    let mut envelopes = Vec::new();
    for d in relay.devices()?.into_iter().filter(|d| d.status == "active" || d.status == "recovery") {
        envelopes.push((d.device.clone(), seal_to(&d.xkey, &key, EPOCH_CONTEXT)?));
    }
    relay.put_keys(epoch, &envelopes)?;
    state.save(record)?;
    list(record, relay)?;
    Ok(epoch)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairing_secrets_never_print() {
        let state = SyncState::generate("https://relay.example", "acct", "phone").unwrap();
        let offer = PairingOffer {
            payload: "phr-pair:1:SENTINEL-PAYLOAD".into(),
            secret: crate::Secret::new([0x5a; 32]),
            relay: "https://relay.example".into(),
        };
        let pending = PendingJoin { secret: crate::Secret::new([0x5a; 32]), state, slot: "s".into() };
        let dbg = format!("{offer:?} {pending:?}");
        assert!(!dbg.contains("SENTINEL") && !dbg.contains("90, 90"), "{dbg}");
        assert!(dbg.contains("REDACTED"), "{dbg}");
    }
}
