//! The phr relay's wire protocol, one copy for both ends: the relay (`phr-relay`) and the
//! core's clients (`phr_core::share::relay`, `phr_core::sync::relay_api`).
//!
//! **Signed requests.** An owner's (or a sync device's) request carries three headers:
//! [`HEADER_OWNER`] (the Ed25519 public key, base64url), [`HEADER_TIME`] (ms since the
//! epoch) and [`HEADER_SIG`] (base64url Ed25519 signature over [`signing_input`]: a fixed
//! prefix, the method, the path with query, the time and the SHA-256 of the body). The
//! relay refuses a time more than [`MAX_SKEW_MS`] from its clock and a signature it has seen
//! before, so a client never signs two requests in the same millisecond
//! ([`request_time_ms`]).
//!
//! **Link API types.** The JSON bodies of `/api/links`. **Sync API types** in [`sync`].
//!
//! Pure: serde types and `ring`; no I/O, no async runtime.

pub mod sync;

use data_encoding::{BASE64URL_NOPAD, HEXLOWER};
use phr_secret::SecretString;
use ring::signature::{Ed25519KeyPair, KeyPair, UnparsedPublicKey, ED25519};
use serde::{Deserialize, Serialize};

/// The signer's public key (base64url, no padding).
pub const HEADER_OWNER: &str = "x-phr-owner";
/// The request's time, ms since the epoch.
pub const HEADER_TIME: &str = "x-phr-time";
/// The signature (base64url, no padding) over [`signing_input`].
pub const HEADER_SIG: &str = "x-phr-sig";
/// How far a signed request's time may be from the relay's clock.
pub const MAX_SKEW_MS: i64 = 5 * 60 * 1000;
/// The first line of every signing input (the protocol version).
pub const SIGNING_PREFIX: &str = "phr-relay-v1";

/// What is signed: a fixed prefix, method, path with query, time, SHA-256 of the body, one
/// per line.
pub fn signing_input(method: &str, path_and_query: &str, time_ms: i64, body: &[u8]) -> Vec<u8> {
    let digest = ring::digest::digest(&ring::digest::SHA256, body);
    format!("{SIGNING_PREFIX}\n{method}\n{path_and_query}\n{time_ms}\n{}", HEXLOWER.encode(digest.as_ref()))
        .into_bytes()
}

/// The time a request is signed with: the clock, but never the same millisecond twice in
/// this process. The relay refuses a signature it has seen (replay protection), and
/// Ed25519 signs the same request at the same time identically.
pub fn request_time_ms() -> i64 {
    use std::sync::atomic::{AtomicI64, Ordering};
    static LAST: AtomicI64 = AtomicI64::new(0);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0);
    let prev = LAST.fetch_max(now, Ordering::SeqCst);
    if prev < now {
        return now;
    }
    LAST.fetch_add(1, Ordering::SeqCst) + 1
}

/// base64url of a key pair's public key: the owner (or device) id on the relay.
pub fn owner_id(key: &Ed25519KeyPair) -> String {
    BASE64URL_NOPAD.encode(key.public_key().as_ref())
}

/// The three header values of a signed request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedHeaders {
    /// [`HEADER_OWNER`]
    pub owner: String,
    /// [`HEADER_TIME`]
    pub time: String,
    /// [`HEADER_SIG`]
    pub sig: String,
}

impl SignedHeaders {
    /// `(name, value)` pairs, ready for an HTTP client.
    pub fn pairs(&self) -> [(&'static str, &str); 3] {
        [(HEADER_OWNER, &self.owner), (HEADER_TIME, &self.time), (HEADER_SIG, &self.sig)]
    }
}

/// Signs a request at `time_ms` (use [`request_time_ms`]).
pub fn sign(
    key: &Ed25519KeyPair,
    method: &str,
    path_and_query: &str,
    time_ms: i64,
    body: &[u8],
) -> SignedHeaders {
    let sig = key.sign(&signing_input(method, path_and_query, time_ms, body));
    SignedHeaders {
        owner: owner_id(key),
        time: time_ms.to_string(),
        sig: BASE64URL_NOPAD.encode(sig.as_ref()),
    }
}

/// Why a signed request was refused; [`VerifyError::code`] is the relay's JSON `error`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VerifyError {
    /// A header is missing.
    SignatureRequired,
    BadTime,
    /// The time is more than [`MAX_SKEW_MS`] from `now_ms`.
    Stale,
    BadOwner,
    BadSignature,
}

impl VerifyError {
    pub fn code(self) -> &'static str {
        match self {
            Self::SignatureRequired => "signature_required",
            Self::BadTime => "bad_time",
            Self::Stale => "stale_request",
            Self::BadOwner => "bad_owner",
            Self::BadSignature => "bad_signature",
        }
    }
}

impl std::fmt::Display for VerifyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

impl std::error::Error for VerifyError {}

/// A verified request: who signed it, and when.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verified {
    pub owner: String,
    pub time_ms: i64,
}

/// Signature headers that are well formed and in time; the signature is not checked yet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Prechecked<'a> {
    pub owner: &'a str,
    pub time_ms: i64,
    pub key: Vec<u8>,
    pub sig: Vec<u8>,
}

/// Everything [`verify`] checks that needs only the headers (presence, time window, the
/// encodings), so a server can refuse an unsigned request before reading its body; same
/// errors, in the same order.
pub fn precheck<'a>(
    owner: Option<&'a str>,
    time: Option<&str>,
    sig: Option<&str>,
    now_ms: i64,
) -> Result<Prechecked<'a>, VerifyError> {
    let (Some(owner), Some(time), Some(sig)) = (owner, time, sig) else {
        return Err(VerifyError::SignatureRequired);
    };
    let time_ms: i64 = time.parse().map_err(|_| VerifyError::BadTime)?;
    if now_ms.saturating_sub(time_ms).saturating_abs() > MAX_SKEW_MS {
        return Err(VerifyError::Stale);
    }
    let key = BASE64URL_NOPAD.decode(owner.as_bytes()).map_err(|_| VerifyError::BadOwner)?;
    let sig = BASE64URL_NOPAD.decode(sig.as_bytes()).map_err(|_| VerifyError::BadSignature)?;
    // Ed25519: 32-byte keys, 64-byte signatures; ring would refuse other lengths as a bad signature.
    if key.len() != 32 || sig.len() != 64 {
        return Err(VerifyError::BadSignature);
    }
    Ok(Prechecked { owner, time_ms, key, sig })
}

/// Checks a signed request's headers (as received; `None` when absent) against the
/// request and the verifier's clock `now_ms`.
pub fn verify(
    owner: Option<&str>,
    time: Option<&str>,
    sig: Option<&str>,
    method: &str,
    path_and_query: &str,
    body: &[u8],
    now_ms: i64,
) -> Result<Verified, VerifyError> {
    let Prechecked { owner, time_ms, key, sig } = precheck(owner, time, sig, now_ms)?;
    UnparsedPublicKey::new(&ED25519, &key)
        .verify(&signing_input(method, path_and_query, time_ms, body), &sig)
        .map_err(|_| VerifyError::BadSignature)?;
    Ok(Verified { owner: owner.to_string(), time_ms })
}

/// One encrypted file of a link: a compact JWE.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NewFile {
    pub content_type: String,
    pub jwe: String,
}

/// `POST /api/links`. Debug leaves the passcode out.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NewLink {
    pub files: Vec<NewFile>,
    #[serde(default, serialize_with = "phr_secret::expose_opt", skip_serializing_if = "Option::is_none")]
    pub passcode: Option<SecretString>,
    /// Epoch seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exp: Option<i64>,
    /// SHL flags: `L` (long-term), `P` (passcode).
    #[serde(default)]
    pub flag: String,
    /// Wrong passcodes before the link locks (the relay clamps it to 1..=100; default 5).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_attempts: Option<i64>,
}

/// The answer to `POST /api/links`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkCreated {
    pub id: String,
}

/// `PUT /api/links/{id}/files`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewFiles {
    pub files: Vec<NewFile>,
}

/// One of `GET /api/links`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LinkSummary {
    pub id: String,
    /// "active" | "revoked"
    pub status: String,
    pub flag: String,
    #[serde(default)]
    pub exp: Option<i64>,
    pub created_at: i64,
    pub fetches: i64,
}

/// One of `GET /api/links/{id}/log`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessEvent {
    pub seq: i64,
    /// ms since the epoch, relay clock.
    pub at: i64,
    pub recipient: String,
    /// served | wrong_passcode | locked | expired | revoked | reply
    pub outcome: String,
}

/// One of `GET /api/links/{id}/replies`: a recipient's encrypted reply.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reply {
    pub seq: i64,
    pub at: i64,
    pub jwe: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use ring::rand::SystemRandom;

    fn key() -> Ed25519KeyPair {
        let doc = Ed25519KeyPair::generate_pkcs8(&SystemRandom::new()).unwrap();
        Ed25519KeyPair::from_pkcs8(doc.as_ref()).unwrap()
    }

    #[test]
    fn signing_input_is_the_documented_text() {
        let s = signing_input("POST", "/api/links?x=1", 1_700_000_000_123, b"");
        assert_eq!(
            String::from_utf8(s).unwrap(),
            "phr-relay-v1\nPOST\n/api/links?x=1\n1700000000123\n\
             e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn a_signed_request_verifies_and_every_change_is_refused() {
        let k = key();
        let t = 1_700_000_000_000;
        let h = sign(&k, "PUT", "/api/links/a/files", t, b"{}");
        let v = |o: &str, tm: &str, s: &str, m: &str, p: &str, b: &[u8], now: i64| {
            verify(Some(o), Some(tm), Some(s), m, p, b, now)
        };
        let ok = v(&h.owner, &h.time, &h.sig, "PUT", "/api/links/a/files", b"{}", t + 1000).unwrap();
        assert_eq!(ok, Verified { owner: owner_id(&k), time_ms: t });
        let bad = Err(VerifyError::BadSignature);
        assert_eq!(v(&h.owner, &h.time, &h.sig, "POST", "/api/links/a/files", b"{}", t), bad);
        assert_eq!(v(&h.owner, &h.time, &h.sig, "PUT", "/api/links/b/files", b"{}", t), bad);
        assert_eq!(v(&h.owner, &h.time, &h.sig, "PUT", "/api/links/a/files", b"{ }", t), bad);
        assert_eq!(v(&h.owner, &(t + 1).to_string(), &h.sig, "PUT", "/api/links/a/files", b"{}", t), bad);
        assert_eq!(v(&owner_id(&key()), &h.time, &h.sig, "PUT", "/api/links/a/files", b"{}", t), bad);
        assert_eq!(
            v(&h.owner, &h.time, &h.sig, "PUT", "/api/links/a/files", b"{}", t + MAX_SKEW_MS + 1),
            Err(VerifyError::Stale)
        );
        assert_eq!(v(&h.owner, "soon", &h.sig, "PUT", "/", b"", t), Err(VerifyError::BadTime));
        assert_eq!(v("!!", &h.time, &h.sig, "PUT", "/", b"", t), Err(VerifyError::BadOwner));
        assert_eq!(v(&h.owner, &h.time, "??", "PUT", "/", b"", t), Err(VerifyError::BadSignature));
        assert_eq!(
            verify(None, Some(&h.time), Some(&h.sig), "PUT", "/", b"", t),
            Err(VerifyError::SignatureRequired)
        );
        // Extreme times never overflow.
        assert_eq!(
            v(&h.owner, &i64::MIN.to_string(), &h.sig, "PUT", "/", b"", i64::MAX),
            Err(VerifyError::Stale)
        );
    }

    #[test]
    fn request_times_never_repeat() {
        let mut ts: Vec<i64> = (0..2000).map(|_| request_time_ms()).collect();
        let n = ts.len();
        ts.dedup();
        assert_eq!(ts.len(), n);
        assert!(ts.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn new_link_debug_hides_the_passcode_and_json_keeps_the_wire_names() {
        let l = NewLink {
            files: vec![NewFile { content_type: "application/fhir+json".into(), jwe: "a.b.c.d.e".into() }],
            passcode: Some("SENTINEL-PASSCODE-7731".into()),
            exp: Some(5),
            flag: "P".into(),
            max_attempts: Some(3),
        };
        let d = format!("{l:?}");
        assert!(!d.contains("SENTINEL"), "{d}");
        assert!(d.contains("[REDACTED]"), "{d}");
        let j = serde_json::to_value(&l).unwrap();
        assert_eq!(j["maxAttempts"], 3);
        assert_eq!(j["files"][0]["contentType"], "application/fhir+json");
        assert_eq!(j["passcode"], "SENTINEL-PASSCODE-7731");
        let back: NewLink = serde_json::from_value(j).unwrap();
        assert_eq!(back, l);
        let min: NewLink = serde_json::from_str(r#"{"files":[]}"#).unwrap();
        assert_eq!((min.flag.as_str(), min.max_attempts, min.passcode), ("", None, None));
    }
}
