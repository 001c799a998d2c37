//! The relay's sync API as the device sees it (contract: relay/src/sync_routes.rs), and
//! its HTTP client: requests signed with the device's Ed25519 key, retried with
//! exponential backoff on dropped connections, 429 and 5xx. Every call is idempotent on
//! the relay (ops by id, devices and keys by key), so a retry after a lost answer is safe.

use super::envelope::WireOp;
use crate::{Error, Result};
use phr_relay_protocol::sync::{
    DeviceKey, NewDevice, PushAnswer, PushOp, PushRequest, PutKeys, RemovalPending,
};
use ring::signature::Ed25519KeyPair;
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// The sync API's bodies, one definition with the relay (phr-relay-protocol).
pub use phr_relay_protocol::sync::{DeviceRow, KeyEnvelope, PullPage, PulledOp, Snapshot};

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PushOutcome {
    Accepted {
        accepted: u64,
        duplicates: u64,
    },
    /// The account moved to a newer epoch (a device was removed): fetch keys, re-seal.
    StaleEpoch(u32),
}

/// The relay's answer to a removal (ADR 0048).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RemoveAnswer {
    /// The device is out (a second device confirmed, or the recovery key signed).
    Removed,
    /// Asked only: another device must confirm before `expires_at` (ms since 1970).
    Pending {
        expires_at: i64,
    },
    /// This device was added too recently to ask for or confirm a removal (ADR 0048): it
    /// may from `ready_at` (ms since 1970); the recovery key may at once.
    TooNew {
        ready_at: i64,
    },
    NotFound,
}

/// What sync needs from a relay.
pub trait SyncRelay {
    fn add_device(&self, device: &str, xkey: &str) -> Result<()>;
    fn devices(&self) -> Result<Vec<DeviceRow>>;
    fn remove_device(&self, device: &str) -> Result<RemoveAnswer>;
    /// Registers the account's recovery identity; false when another one is set (only the
    /// recovery key itself can replace it).
    fn set_recovery(&self, device: &str, xkey: &str) -> Result<bool>;
    fn push(&self, epoch: u32, ops: &[WireOp]) -> Result<PushOutcome>;
    fn pull(&self, after: i64, limit: u32) -> Result<PullPage>;
    /// False when the relay already has a newer snapshot.
    fn put_snapshot(&self, s: &Snapshot) -> Result<bool>;
    fn snapshot(&self) -> Result<Option<Snapshot>>;
    fn put_keys(&self, epoch: u32, envelopes: &[(String, String)]) -> Result<()>;
    fn keys(&self) -> Result<Vec<KeyEnvelope>>;
}

/// The refusal a removed device gets (the engine notes it for the devices screen).
pub(crate) const REMOVED: &str = "this device was removed from the record's devices";

/// The service name in errors.
pub const SERVICE: &str = "sync relay";

/// Errors from the relay say what went wrong, never what was sent (nor where: see
/// [`crate::net`]).
fn net(msg: impl Into<String>) -> Error {
    Error::Network { service: SERVICE, reason: msg.into() }
}

fn transport(e: &reqwest::Error) -> Error {
    crate::net::transport_error(SERVICE, "the relay could not be reached", e)
}

/// How hard to try before giving up on one request.
#[derive(Clone, Copy, Debug)]
pub struct RetryPolicy {
    pub attempts: u32,
    pub first_backoff: Duration,
    pub max_backoff: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self { attempts: 6, first_backoff: Duration::from_millis(200), max_backoff: Duration::from_secs(10) }
    }
}

pub struct HttpSyncRelay {
    base: String,
    account: String,
    key: Ed25519KeyPair,
    http: reqwest::blocking::Client,
    retry: RetryPolicy,
}

impl HttpSyncRelay {
    pub fn new(base_url: &str, account: &str, key: Ed25519KeyPair, retry: RetryPolicy) -> Result<Self> {
        let base = base_url.trim_end_matches('/').to_string();
        let http = crate::net::client(SERVICE, Duration::from_secs(60))?;
        Ok(Self { base, account: account.to_string(), key, http, retry })
    }

    /// This device's public key (its id on the relay).
    pub fn device(&self) -> String {
        phr_relay_protocol::owner_id(&self.key)
    }

    fn once(&self, method: &reqwest::Method, path: &str, body: &[u8]) -> Result<(u16, Vec<u8>, Option<u64>)> {
        // Never the same millisecond twice: the relay accepts each signed request once.
        let signed = phr_relay_protocol::sign(
            &self.key,
            method.as_str(),
            path,
            phr_relay_protocol::request_time_ms(),
            body,
        );
        let mut req = self.http.request(method.clone(), format!("{}{path}", self.base));
        for (name, value) in signed.pairs() {
            req = req.header(name, value);
        }
        let resp = req
            .header("content-type", "application/json")
            .body(body.to_vec())
            .send()
            .map_err(|e| transport(&e))?;
        let status = resp.status().as_u16();
        let retry_after =
            resp.headers().get("retry-after").and_then(|v| v.to_str().ok()).and_then(|v| v.parse().ok());
        let bytes = crate::net::read_body(SERVICE, "the answer", resp)?;
        Ok((status, bytes, retry_after))
    }

    /// Sends with retries; returns the final status and body (non-retryable statuses are
    /// returned, not raised, so callers can read 403/404/409).
    fn send(&self, method: &str, path: &str, body: &[u8]) -> Result<(u16, Vec<u8>)> {
        let m = reqwest::Method::from_bytes(method.as_bytes())
            .map_err(|_| Error::invalid("method", "bad HTTP method"))?;
        let mut backoff = self.retry.first_backoff;
        let mut last = net("no attempt was made");
        for attempt in 0..self.retry.attempts.max(1) {
            if attempt > 0 {
                std::thread::sleep(backoff);
                backoff = (backoff * 2).min(self.retry.max_backoff);
            }
            match self.once(&m, path, body) {
                Ok((status, _, retry_after)) if status == 429 || status >= 500 => {
                    last = net(format!("the relay answered {status}"));
                    if let Some(s) = retry_after {
                        backoff = Duration::from_secs(s).min(self.retry.max_backoff);
                    }
                }
                Ok((status, bytes, _)) => return Ok((status, bytes)),
                // Only a lost request is worth another try (not an answer too large).
                Err(e @ Error::Network { .. }) => last = e,
                Err(e) => return Err(e),
            }
            log::debug!("sync request failed (attempt {}): {last}", attempt + 1);
        }
        Err(last)
    }

    fn call<T: serde::de::DeserializeOwned>(&self, method: &str, path: &str, body: &[u8]) -> Result<T> {
        let (status, bytes) = self.send(method, path, body)?;
        check(status, &bytes)?;
        serde_json::from_slice(&bytes).map_err(|_| net("the relay's answer is not the expected JSON"))
    }

    fn path(&self, rest: &str) -> String {
        format!("/sync/{}{rest}", self.account)
    }
}

fn error_code(bytes: &[u8]) -> String {
    serde_json::from_slice::<serde_json::Value>(bytes)
        .ok()
        .and_then(|v| v.get("error").and_then(|e| e.as_str()).map(str::to_string))
        .unwrap_or_default()
}

fn check(status: u16, bytes: &[u8]) -> Result<()> {
    match status {
        200..=299 => Ok(()),
        403 if error_code(bytes) == "device_removed" => Err(Error::Denied(REMOVED)),
        403 if error_code(bytes) == "cannot_remove_self" => {
            Err(Error::Denied("a device cannot remove itself; remove it from another of your devices"))
        }
        403 => Err(Error::Denied("this device is not one of the record's devices")),
        s => Err(net(format!("the relay answered {s} ({})", error_code(bytes)))),
    }
}

fn to_json<T: Serialize>(v: &T) -> Result<Vec<u8>> {
    serde_json::to_vec(v).map_err(|_| Error::Crypto("request encoding failed"))
}

impl SyncRelay for HttpSyncRelay {
    fn add_device(&self, device: &str, xkey: &str) -> Result<()> {
        let (status, bytes) = self.send(
            "POST",
            &self.path("/devices"),
            &to_json(&NewDevice { device: device.to_string(), xkey: xkey.to_string() })?,
        )?;
        check(status, &bytes)
    }
    fn devices(&self) -> Result<Vec<DeviceRow>> {
        self.call("GET", &self.path("/devices"), b"")
    }
    fn remove_device(&self, device: &str) -> Result<RemoveAnswer> {
        let (status, bytes) = self.send("DELETE", &self.path(&format!("/devices/{device}")), b"")?;
        match status {
            404 => Ok(RemoveAnswer::NotFound),
            202 => {
                let p: RemovalPending = serde_json::from_slice(&bytes)
                    .map_err(|_| net("the relay's answer is not the expected JSON"))?;
                Ok(RemoveAnswer::Pending { expires_at: p.expires_at })
            }
            403 if error_code(&bytes) == "device_too_new" => {
                let secs = serde_json::from_slice::<serde_json::Value>(&bytes)
                    .ok()
                    .and_then(|v| v.get("retryAfter").and_then(|s| s.as_i64()))
                    .unwrap_or(86_400)
                    .clamp(0, 30 * 86_400);
                Ok(RemoveAnswer::TooNew {
                    ready_at: phr_relay_protocol::request_time_ms().saturating_add(secs * 1000),
                })
            }
            _ => check(status, &bytes).map(|()| RemoveAnswer::Removed),
        }
    }
    fn set_recovery(&self, device: &str, xkey: &str) -> Result<bool> {
        let (status, bytes) = self.send(
            "PUT",
            &self.path("/recovery"),
            &to_json(&NewDevice { device: device.to_string(), xkey: xkey.to_string() })?,
        )?;
        if status == 409 {
            return Ok(false);
        }
        check(status, &bytes)?;
        Ok(true)
    }
    fn push(&self, epoch: u32, ops: &[WireOp]) -> Result<PushOutcome> {
        let (status, bytes) = self.send(
            "POST",
            &self.path("/ops"),
            &to_json(&PushRequest {
                epoch,
                ops: ops.iter().map(|o| PushOp { id: o.id.clone(), blob: o.blob.clone() }).collect(),
            })?,
        )?;
        if status == 409 && error_code(&bytes) == "stale_epoch" {
            let current = serde_json::from_slice::<serde_json::Value>(&bytes)
                .ok()
                .and_then(|v| v.get("epoch")?.as_u64())
                .unwrap_or(0) as u32;
            return Ok(PushOutcome::StaleEpoch(current));
        }
        check(status, &bytes)?;
        let p: PushAnswer =
            serde_json::from_slice(&bytes).map_err(|_| net("the relay's answer is not the expected JSON"))?;
        Ok(PushOutcome::Accepted { accepted: p.accepted, duplicates: p.duplicates })
    }
    fn pull(&self, after: i64, limit: u32) -> Result<PullPage> {
        self.call("GET", &self.path(&format!("/ops?after={after}&limit={limit}")), b"")
    }
    fn put_snapshot(&self, s: &Snapshot) -> Result<bool> {
        let (status, bytes) = self.send("PUT", &self.path("/snapshot"), &to_json(s)?)?;
        if status == 409 {
            return Ok(false);
        }
        check(status, &bytes)?;
        Ok(true)
    }
    fn snapshot(&self) -> Result<Option<Snapshot>> {
        let (status, bytes) = self.send("GET", &self.path("/snapshot"), b"")?;
        if status == 404 {
            return Ok(None);
        }
        check(status, &bytes)?;
        serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|_| net("the relay's answer is not the expected JSON"))
    }
    fn put_keys(&self, epoch: u32, envelopes: &[(String, String)]) -> Result<()> {
        let envelopes =
            envelopes.iter().map(|(d, b)| DeviceKey { device: d.clone(), blob: b.clone() }).collect();
        let (status, bytes) =
            self.send("POST", &self.path("/keys"), &to_json(&PutKeys { epoch, envelopes })?)?;
        check(status, &bytes)
    }
    fn keys(&self) -> Result<Vec<KeyEnvelope>> {
        self.call("GET", &self.path("/keys"), b"")
    }
}

/// The unauthenticated pairing mailbox (the slot is derived from a secret in the QR code;
/// the contents are MAC'd by the two devices, so the relay only stores).
pub struct PairingMailbox {
    base: String,
    http: reqwest::blocking::Client,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct SlotContents {
    pub hello: Option<String>,
    pub welcome: Option<String>,
}

impl PairingMailbox {
    pub fn new(base_url: &str) -> Result<Self> {
        let base = base_url.trim_end_matches('/').to_string();
        let http = crate::net::client(SERVICE, Duration::from_secs(30))?;
        Ok(Self { base, http })
    }
    fn put(&self, slot: &str, what: &str, blob: &str) -> Result<bool> {
        let resp = self
            .http
            .put(format!("{}/sync/pair/{slot}/{what}", self.base))
            .json(&serde_json::json!({ "blob": blob }))
            .send()
            .map_err(|e| transport(&e))?;
        match resp.status().as_u16() {
            200..=299 => Ok(true),
            409 => Ok(false),
            s => Err(crate::net::status_error(SERVICE, "the pairing mailbox", s)),
        }
    }
    pub fn put_hello(&self, slot: &str, blob: &str) -> Result<bool> {
        self.put(slot, "hello", blob)
    }
    pub fn put_welcome(&self, slot: &str, blob: &str) -> Result<bool> {
        self.put(slot, "welcome", blob)
    }
    pub fn get(&self, slot: &str) -> Result<Option<SlotContents>> {
        let resp =
            self.http.get(format!("{}/sync/pair/{slot}", self.base)).send().map_err(|e| transport(&e))?;
        match resp.status().as_u16() {
            404 => Ok(None),
            200..=299 => {
                crate::net::json(SERVICE, "the answer", &crate::net::read_body(SERVICE, "the answer", resp)?)
            }
            s => Err(crate::net::status_error(SERVICE, "the pairing mailbox", s)),
        }
    }
}
