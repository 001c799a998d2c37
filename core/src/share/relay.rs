//! Talking to a phr-relay: the owner's signed requests. Each request carries the device's
//! Ed25519 public key (`x-phr-owner`), the time (`x-phr-time`, ms) and a signature
//! (`x-phr-sig`) over [`signing_input`]. The relay keys every link by that public key, so
//! one owner can never list, read or revoke another's links. The device key is generated
//! once per record and kept sealed in the record's settings.
//!
//! This is one of the few places the core touches the network, and only when the owner
//! calls a share function.

use crate::{Error, Record, Result};
use data_encoding::{BASE64URL_NOPAD, HEXLOWER};
use ring::signature::{Ed25519KeyPair, KeyPair};
use serde::{Deserialize, Serialize};

const DEVICE_KEY_SETTING: &str = "share.device_key";

/// What is signed: a fixed prefix, method, path with query, time, SHA-256 of the body.
pub fn signing_input(method: &str, path_and_query: &str, time_ms: i64, body: &[u8]) -> Vec<u8> {
    let digest = ring::digest::digest(&ring::digest::SHA256, body);
    format!("phr-relay-v1\n{method}\n{path_and_query}\n{time_ms}\n{}", HEXLOWER.encode(digest.as_ref()))
        .into_bytes()
}

/// The time a request is signed with: the clock, but never the same millisecond twice in
/// this process. The relay refuses a signature it has seen (replay protection), and
/// Ed25519 signs the same request at the same time identically. Public for the relay's
/// tests, which sign requests by hand.
pub fn request_time_ms() -> i64 {
    use std::sync::atomic::{AtomicI64, Ordering};
    static LAST: AtomicI64 = AtomicI64::new(0);
    let now = chrono::Utc::now().timestamp_millis();
    let prev = LAST.fetch_max(now, Ordering::SeqCst);
    if prev < now {
        return now;
    }
    LAST.fetch_add(1, Ordering::SeqCst) + 1
}

/// The record's device key for relay requests (made on first use).
pub fn device_key(record: &Record) -> Result<Ed25519KeyPair> {
    let stored: Option<String> = record.setting(DEVICE_KEY_SETTING)?;
    let pkcs8 = match stored {
        Some(s) => BASE64URL_NOPAD
            .decode(s.as_bytes())
            .map_err(|_| Error::Corrupt("the device key could not be read"))?,
        None => {
            let doc = Ed25519KeyPair::generate_pkcs8(&ring::rand::SystemRandom::new())
                .map_err(|_| Error::Crypto("key generation failed"))?;
            record.set_setting(DEVICE_KEY_SETTING, &BASE64URL_NOPAD.encode(doc.as_ref()))?;
            doc.as_ref().to_vec()
        }
    };
    Ed25519KeyPair::from_pkcs8(&pkcs8).map_err(|_| Error::Corrupt("the device key could not be read"))
}

/// base64url of a key pair's public key: the owner id on the relay.
pub fn owner_id(key: &Ed25519KeyPair) -> String {
    BASE64URL_NOPAD.encode(key.public_key().as_ref())
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NewFile {
    pub content_type: String,
    pub jwe: String,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NewLink {
    pub files: Vec<NewFile>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub passcode: Option<String>,
    /// Epoch seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exp: Option<i64>,
    pub flag: String,
    pub max_attempts: u32,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LinkSummary {
    pub id: String,
    pub status: String,
    pub flag: String,
    #[serde(default)]
    pub exp: Option<i64>,
    pub created_at: i64,
    pub fetches: i64,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccessEvent {
    pub seq: i64,
    /// ms since the epoch, relay clock.
    pub at: i64,
    pub recipient: String,
    /// served | wrong_passcode | locked | expired | revoked | reply
    pub outcome: String,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct RelayReply {
    pub seq: i64,
    pub at: i64,
    pub jwe: String,
}

/// What the share module needs from a relay (an HTTP one, or a fake in tests).
pub trait RelayApi {
    fn base_url(&self) -> &str;
    fn create_link(&self, link: &NewLink) -> Result<String>;
    /// Deletes the content; `Ok(false)` when the relay does not know the link (for this owner).
    fn revoke_link(&self, id: &str) -> Result<bool>;
    /// Replaces the content of an active link; `Ok(false)` when the relay has no active
    /// link of that id for this owner (revoked, expired away, or another owner's).
    fn replace_files(&self, id: &str, files: &[NewFile]) -> Result<bool>;
    fn list_links(&self) -> Result<Vec<LinkSummary>>;
    fn access_log(&self, id: &str, after: i64) -> Result<Vec<AccessEvent>>;
    fn replies(&self, id: &str, after: i64) -> Result<Vec<RelayReply>>;
}

/// A relay over HTTP(S), requests signed with the device key.
pub struct HttpRelay {
    base: String,
    key: Ed25519KeyPair,
    http: reqwest::blocking::Client,
}

fn net(base: &str, msg: String) -> Error {
    Error::io(base, std::io::Error::other(msg))
}

impl HttpRelay {
    pub fn new(base_url: &str, key: Ed25519KeyPair) -> Result<Self> {
        let base = base_url.trim_end_matches('/').to_string();
        let http = reqwest::blocking::Client::builder()
            .timeout(std::time::Duration::from_secs(30))
            .build()
            .map_err(|e| net(&base, e.to_string()))?;
        Ok(Self { base, key, http })
    }

    pub fn for_record(record: &Record, base_url: &str) -> Result<Self> {
        Self::new(base_url, device_key(record)?)
    }

    fn send(&self, method: &str, path: &str, body: Option<Vec<u8>>) -> Result<(u16, Vec<u8>)> {
        let body = body.unwrap_or_default();
        let now = request_time_ms();
        let sig = self.key.sign(&signing_input(method, path, now, &body));
        let m = reqwest::Method::from_bytes(method.as_bytes())
            .map_err(|_| Error::invalid("method", "bad HTTP method"))?;
        let resp = self
            .http
            .request(m, format!("{}{path}", self.base))
            .header("x-phr-owner", owner_id(&self.key))
            .header("x-phr-time", now.to_string())
            .header("x-phr-sig", BASE64URL_NOPAD.encode(sig.as_ref()))
            .header("content-type", "application/json")
            .body(body)
            .send()
            .map_err(|e| Error::Network {
                service: "relay",
                reason: format!(
                    "{} ({})",
                    self.base,
                    if e.is_timeout() { "timed out" } else { "could not connect" }
                ),
            })?;
        let status = resp.status().as_u16();
        let bytes = resp
            .bytes()
            .map_err(|_| Error::Network {
                service: "relay",
                reason: format!("{} (the answer was cut off)", self.base),
            })?
            .to_vec();
        Ok((status, bytes))
    }

    fn json<T: serde::de::DeserializeOwned>(
        &self,
        method: &str,
        path: &str,
        body: Option<Vec<u8>>,
    ) -> Result<T> {
        let (status, bytes) = self.send(method, path, body)?;
        if !(200..300).contains(&status) {
            return Err(net(
                &self.base,
                format!(
                    "the relay answered {status}: {}",
                    String::from_utf8_lossy(&bytes).chars().take(200).collect::<String>()
                ),
            ));
        }
        serde_json::from_slice(&bytes)
            .map_err(|_| net(&self.base, "the relay's answer is not the expected JSON".into()))
    }
}

impl RelayApi for HttpRelay {
    fn base_url(&self) -> &str {
        &self.base
    }
    fn create_link(&self, link: &NewLink) -> Result<String> {
        #[derive(Deserialize)]
        struct Created {
            id: String,
        }
        let body = serde_json::to_vec(link).map_err(|_| Error::invalid("link", "cannot be encoded"))?;
        Ok(self.json::<Created>("POST", "/api/links", Some(body))?.id)
    }
    fn revoke_link(&self, id: &str) -> Result<bool> {
        let (status, _) = self.send("DELETE", &format!("/api/links/{id}"), None)?;
        match status {
            200..=299 => Ok(true),
            404 => Ok(false),
            s => Err(net(&self.base, format!("the relay answered {s} to the revocation"))),
        }
    }
    fn replace_files(&self, id: &str, files: &[NewFile]) -> Result<bool> {
        let body = serde_json::to_vec(&serde_json::json!({ "files": files }))
            .map_err(|_| Error::invalid("link", "cannot be encoded"))?;
        let (status, _) = self.send("PUT", &format!("/api/links/{id}/files"), Some(body))?;
        match status {
            200..=299 => Ok(true),
            404 => Ok(false),
            s => Err(net(&self.base, format!("the relay answered {s} to the update"))),
        }
    }
    fn list_links(&self) -> Result<Vec<LinkSummary>> {
        self.json("GET", "/api/links", None)
    }
    fn access_log(&self, id: &str, after: i64) -> Result<Vec<AccessEvent>> {
        self.json("GET", &format!("/api/links/{id}/log?after={after}"), None)
    }
    fn replies(&self, id: &str, after: i64) -> Result<Vec<RelayReply>> {
        self.json("GET", &format!("/api/links/{id}/replies?after={after}"), None)
    }
}
