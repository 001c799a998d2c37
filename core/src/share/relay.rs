//! Talking to a phr-relay: the owner's signed requests. Each request carries the device's
//! Ed25519 public key (`x-phr-owner`), the time (`x-phr-time`, ms) and a signature
//! (`x-phr-sig`) over [`signing_input`]. The relay keys every link by that public key, so
//! one owner can never list, read or revoke another's links. The device key is generated
//! once per record and kept sealed in the record's settings.
//!
//! This is one of the few places the core touches the network, and only when the owner
//! calls a share function.

use crate::{Error, Record, Result};
use data_encoding::BASE64URL_NOPAD;
use ring::signature::Ed25519KeyPair;

const DEVICE_KEY_SETTING: &str = "share.device_key";

/// What is signed, and the time it is signed at: one copy, in the relay protocol crate.
pub use phr_relay_protocol::{request_time_ms, signing_input};

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
pub use phr_relay_protocol::owner_id;
/// The link API's JSON bodies (one copy, shared with the relay).
pub use phr_relay_protocol::{AccessEvent, LinkSummary, NewFile, NewLink, Reply as RelayReply};

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
    /// Forgets every client's wrong passcodes for the link, so whoever the relay was holding
    /// back may try again; `Ok(false)` when the relay does not know the link (for this owner).
    fn reset_passcode_tries(&self, id: &str) -> Result<bool>;
}

/// A relay over HTTP(S), requests signed with the device key.
pub struct HttpRelay {
    base: String,
    key: Ed25519KeyPair,
    http: reqwest::blocking::Client,
}

/// The service name in errors.
pub const SERVICE: &str = "relay";

/// The relay answered with a status it should not have for `what`. The relay's `error`
/// field is a fixed code (`not_found`, `files_must_be_compact_jwe`), safe to show.
fn refused(what: &str, status: u16, body: &[u8]) -> Error {
    let code = serde_json::from_slice::<serde_json::Value>(body)
        .ok()
        .and_then(|v| v.get("error").and_then(|e| e.as_str()).map(str::to_string))
        .filter(|c| c.len() <= 40 && c.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'));
    match code {
        Some(c) => crate::net::status_error(SERVICE, &format!("{what} ({c})"), status),
        None => crate::net::status_error(SERVICE, what, status),
    }
}

impl HttpRelay {
    pub fn new(base_url: &str, key: Ed25519KeyPair) -> Result<Self> {
        let base = base_url.trim_end_matches('/').to_string();
        let http = crate::net::client(SERVICE, std::time::Duration::from_secs(30))?;
        Ok(Self { base, key, http })
    }

    pub fn for_record(record: &Record, base_url: &str) -> Result<Self> {
        Self::new(base_url, device_key(record)?)
    }

    fn send(&self, method: &str, path: &str, body: Option<Vec<u8>>) -> Result<(u16, Vec<u8>)> {
        let body = body.unwrap_or_default();
        let signed = phr_relay_protocol::sign(&self.key, method, path, request_time_ms(), &body);
        let m = reqwest::Method::from_bytes(method.as_bytes())
            .map_err(|_| Error::invalid("method", "bad HTTP method"))?;
        let mut req = self.http.request(m, format!("{}{path}", self.base));
        for (name, value) in signed.pairs() {
            req = req.header(name, value);
        }
        let resp = req
            .header("content-type", "application/json")
            .body(body)
            .send()
            .map_err(|e| crate::net::transport_error(SERVICE, "the request failed", &e))?;
        let status = resp.status().as_u16();
        let bytes = crate::net::read_body(SERVICE, "the answer", resp)?;
        Ok((status, bytes))
    }

    /// A call on one of the owner's links: `Ok(false)` when the relay does not know it.
    fn on_link(&self, method: &str, path: &str, body: Option<Vec<u8>>, what: &str) -> Result<bool> {
        let (status, answer) = self.send(method, path, body)?;
        match status {
            200..=299 => Ok(true),
            404 => Ok(false),
            s => Err(refused(what, s, &answer)),
        }
    }

    fn json<T: serde::de::DeserializeOwned>(
        &self,
        method: &str,
        path: &str,
        body: Option<Vec<u8>>,
    ) -> Result<T> {
        let (status, bytes) = self.send(method, path, body)?;
        if !(200..300).contains(&status) {
            return Err(refused(&format!("{method} {}", path_kind(path)), status, &bytes));
        }
        crate::net::json(SERVICE, "the answer", &bytes)
    }
}

/// The kind of call, for errors: the path without link ids or cursors.
fn path_kind(path: &str) -> &'static str {
    match path.rsplit('/').next().map(|last| last.split('?').next().unwrap_or_default()) {
        Some("links") => "/api/links",
        Some("log") => "the access log",
        Some("replies") => "the replies",
        _ => "a link",
    }
}

impl RelayApi for HttpRelay {
    fn base_url(&self) -> &str {
        &self.base
    }
    fn create_link(&self, link: &NewLink) -> Result<String> {
        let body = serde_json::to_vec(link).map_err(|_| Error::invalid("link", "cannot be encoded"))?;
        Ok(self.json::<phr_relay_protocol::LinkCreated>("POST", "/api/links", Some(body))?.id)
    }
    fn revoke_link(&self, id: &str) -> Result<bool> {
        self.on_link("DELETE", &format!("/api/links/{id}"), None, "the revocation")
    }
    fn replace_files(&self, id: &str, files: &[NewFile]) -> Result<bool> {
        let body = serde_json::to_vec(&phr_relay_protocol::NewFiles { files: files.to_vec() })
            .map_err(|_| Error::invalid("link", "cannot be encoded"))?;
        self.on_link("PUT", &format!("/api/links/{id}/files"), Some(body), "the update")
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
    fn reset_passcode_tries(&self, id: &str) -> Result<bool> {
        self.on_link("DELETE", &format!("/api/links/{id}/lockout"), None, "the passcode reset")
    }
}
