//! phr-relay: hosts SMART Health Link manifests and encrypted files, and the clinician
//! viewer page. It never sees a key or a plaintext value: the key travels in the link's
//! URL fragment, which browsers never send to a server.
//!
//! Routes
//! - `POST /shl/{id}`              SHL manifest request (`recipient`, `passcode`, `embeddedLengthMax`)
//! - `GET  /shl/{id}/file/{n}`     short-lived file location (when an embedded file is too long)
//! - `POST /shl/{id}/reply`        a recipient's encrypted reply to an advice request
//! - `POST /api/links`             owner: publish a link (signed)
//! - `GET  /api/links`             owner: list own links (signed)
//! - `DELETE /api/links/{id}`      owner: revoke, deleting the content (signed)
//! - `PUT  /api/links/{id}/files`  owner: replace the content of an active link (signed;
//!   a long-term link brought up to date, same key and URL)
//! - `GET  /api/links/{id}/log`    owner: access log (signed)
//! - `GET  /api/links/{id}/replies` owner: encrypted replies (signed)
//! - `GET  /view`, `/view/viewer.js` the clinician viewer
//! - `POST|GET /sync/{account}/devices`, `DELETE /sync/{account}/devices/{device}`,
//!   `POST|GET /sync/{account}/ops`, `PUT|GET /sync/{account}/snapshot`,
//!   `POST|GET /sync/{account}/keys` multi-device sync, signed by a device of the account;
//!   `PUT /sync/pair/{slot}/hello|welcome`, `GET /sync/pair/{slot}` the pairing mailbox
//!   (see [`sync_routes`])
//!
//! - `DELETE /api/links/{id}/lockout` owner: forget every client's wrong passcodes (signed)
//!
//! Status codes follow the SHL spec: an inactive link (unknown, revoked, expired) answers
//! 404, with a JSON `error` saying which so the viewer can tell the clinician; a wrong
//! passcode answers 401 with `remainingAttempts` (for that client address). After
//! `max_attempts` wrong passcodes a client address waits (429 `too_many_attempts`,
//! `retryAfter` seconds: one minute, doubling per further failure, at most a day); the link
//! itself is never locked, so a stranger's guesses cannot keep the recipient out.

pub mod instance;
pub mod jwe;
pub mod limits;
pub mod log_writer;
pub mod manifest_cache;
pub mod migrate;
pub mod postgres;
mod postgres_links;
mod postgres_sync;
pub mod request_log;
pub mod sqlite;
mod sqlite_sync;
pub mod store;
pub mod sync_routes;
pub mod sync_store;

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use data_encoding::{BASE64URL_NOPAD, HEXLOWER};
use phr_relay_protocol::{NewFile, NewFiles, NewLink};
use phr_secret::SecretString;
use serde::Deserialize;
use serde_json::json;
use std::num::NonZeroU32;
use std::path::PathBuf;
use std::sync::Arc;
use store::{LinkRow, Store};

const VIEWER_HTML: &str = include_str!("../static/viewer.html");
const VIEWER_JS: &str = include_str!("../static/viewer.js");
const PBKDF2_ROUNDS: NonZeroU32 = match NonZeroU32::new(100_000) {
    Some(n) => n,
    None => panic!("PBKDF2 needs at least one round"), // evaluated at compile time
};
/// How far an owner's request time may be from the relay's clock.
pub use phr_relay_protocol::MAX_SKEW_MS;

/// Where the relay keeps its data.
#[derive(Clone, Debug)]
pub enum Backend {
    Sqlite(PathBuf),
    /// A PostgreSQL URL, and (for tests) a schema to keep tables in.
    Postgres {
        url: String,
        schema: Option<String>,
    },
}

#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Public base URL for file locations (default: from the Host header, http).
    pub public_url: Option<String>,
    /// How long a sync pairing slot lives (default [`sync_routes::PAIRING_TTL`], 10 minutes).
    pub pairing_ttl: Option<std::time::Duration>,
    /// How long a newly added device must have been one before it may ask for, or confirm,
    /// another device's removal (default [`sync_routes::NEW_DEVICE_WAIT`], a day; ADR 0048).
    pub new_device_wait: Option<std::time::Duration>,
    /// Signed requests per key and minute, sustained (default [`limits::DEFAULT_RATE_PER_MINUTE`]).
    pub rate_per_minute: Option<u32>,
    /// Signed requests per key at once (default [`limits::DEFAULT_RATE_BURST`]).
    pub rate_burst: Option<u32>,
    /// Bytes of ciphertext an owner key may keep in active links (default [`limits::DEFAULT_LINK_QUOTA`]).
    pub link_quota: Option<u64>,
    /// Bytes of ops and snapshot a sync account may keep (default [`limits::DEFAULT_SYNC_QUOTA`]).
    pub sync_quota: Option<u64>,
    /// How often expired links' content is deleted (default [`SWEEP_INTERVAL`]; also at start).
    pub sweep_interval: Option<std::time::Duration>,
    /// SQLite only: the most pages the database may grow to (`PRAGMA max_page_count`), a
    /// full disk on demand for tests; None leaves SQLite's own limit.
    pub sqlite_max_pages: Option<u64>,
    /// PostgreSQL only: connections this instance keeps (default [`postgres::DEFAULT_POOL`]).
    pub pg_pool: Option<usize>,
    /// Secret text keying the SHL file tickets; every instance behind one load balancer must
    /// have the same (default: random per process, so only that process accepts its tickets).
    pub ticket_key: Option<phr_secret::Secret<String>>,
    /// Proxies whose `X-Forwarded-For` names the client (default none: the TCP peer is the client).
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// This instance's name, sent as `x-phr-instance` on every response (default none).
    pub instance: Option<String>,
}

/// How often the sweeper deletes expired links' content.
pub const SWEEP_INTERVAL: std::time::Duration = std::time::Duration::from_secs(10 * 60);

/// Deletes expired links' content at start and every `every` while the relay's state lives
/// (it holds only a weak reference, so the relay's storage closes when serving stops).
async fn sweeper<S: Store>(state: std::sync::Weak<AppState<S>>, every: std::time::Duration) {
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await; // the first tick is immediate: a sweep at start
        let Some(st) = state.upgrade() else { return };
        match st.store.sweep_expired(now_ms()).await {
            Ok(0) => {}
            Ok(n) => tracing::info!("sweeper: deleted the content of {n} expired links"),
            Err(e) => tracing::error!("sweeper: {e}"),
        }
    }
}

impl Options {
    pub(crate) fn link_quota(&self) -> u64 {
        self.link_quota.unwrap_or(limits::DEFAULT_LINK_QUOTA)
    }
    pub(crate) fn sync_quota(&self) -> u64 {
        self.sync_quota.unwrap_or(limits::DEFAULT_SYNC_QUOTA)
    }
}

struct AppState<S> {
    store: Arc<S>,
    /// Access-log entries, written in batches off the request path.
    log: log_writer::LogWriter,
    opts: Options,
    ticket_key: ring::hmac::Key,
    rates: limits::RateLimiter,
    /// Finished manifests by link, checked against the row's `files_version` per fetch.
    manifests: manifest_cache::ManifestCache,
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// What the owner signs (one copy, shared with the core's clients).
pub use phr_relay_protocol::signing_input;

fn err(status: StatusCode, code: &str) -> Response {
    (status, Json(json!({ "error": code }))).into_response()
}

fn cors(mut r: Response) -> Response {
    r.headers_mut().insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
    r
}

/// Checks the owner's signature ([`phr_relay_protocol::verify`]); returns the owner id
/// (base64url public key).
#[allow(clippy::result_large_err)] // the error is the axum Response the handler returns as is
fn authenticate(headers: &HeaderMap, method: &Method, uri: &Uri, body: &[u8]) -> Result<String, Response> {
    let h = |n: &str| headers.get(n).and_then(|v| v.to_str().ok());
    let pq = uri.path_and_query().map(|p| p.as_str()).unwrap_or(uri.path());
    phr_relay_protocol::verify(
        h(phr_relay_protocol::HEADER_OWNER),
        h(phr_relay_protocol::HEADER_TIME),
        h(phr_relay_protocol::HEADER_SIG),
        method.as_str(),
        pq,
        body,
        now_ms(),
    )
    .map(|v| v.owner)
    .map_err(|e| err(StatusCode::UNAUTHORIZED, e.code()))
}

/// [`authenticate`], then refuses a request whose signature was seen before (a replay
/// inside the time window). Ed25519 signatures are deterministic, so the signature
/// names the exact request: same method, path, time (ms) and body. Every signed owner
/// endpoint goes through this.
pub(crate) async fn authenticate_once<S: Store>(
    st: &AppState<S>,
    headers: &HeaderMap,
    method: &Method,
    uri: &Uri,
    body: &[u8],
) -> Result<String, Response> {
    let owner = authenticate(headers, method, uri, body)?;
    // Counted only once the signature holds, so nobody can spend another key's requests.
    if let Err(wait) = st.rates.take(&owner) {
        let mut r = err(StatusCode::TOO_MANY_REQUESTS, "rate_limited");
        if let Ok(v) = HeaderValue::from_str(&wait.to_string()) {
            r.headers_mut().insert(header::RETRY_AFTER, v);
        }
        return Err(r);
    }
    let sig = headers.get("x-phr-sig").map(|v| v.as_bytes()).unwrap_or_default();
    let id = HEXLOWER.encode(ring::digest::digest(&ring::digest::SHA256, sig).as_ref());
    let time: i64 = headers
        .get("x-phr-time")
        .and_then(|v| v.to_str().ok())
        .and_then(|t| t.parse().ok())
        .unwrap_or_default();
    // Kept until the request's time leaves the window; after that the time check refuses it.
    match st.store.first_use(&id, time + MAX_SKEW_MS + 1_000, now_ms()).await {
        Ok(true) => Ok(owner),
        Ok(false) => Err(err(StatusCode::UNAUTHORIZED, "replayed_request")),
        Err(e) => Err(internal(e)),
    }
}

#[expect(clippy::expect_used, reason = "the system CSPRNG failing is not recoverable for a server")]
fn random_id() -> String {
    let mut b = [0u8; 32];
    // The system CSPRNG failing is not recoverable for a server.
    ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut b)
        .expect("system random generator");
    BASE64URL_NOPAD.encode(&b)
}

fn internal(e: impl std::fmt::Display) -> Response {
    tracing::error!("store error: {e}");
    err(StatusCode::INTERNAL_SERVER_ERROR, "storage")
}

/// `(content type, JWE)` as stored, or None unless there is at least one file and every
/// one is shaped like an SHL compact JWE ([`jwe::is_compact_jwe`]): the relay checks the
/// shape, never the content.
fn stored_files(files: Vec<NewFile>) -> Option<Vec<(String, String)>> {
    let ok = !files.is_empty() && files.iter().all(|f| jwe::is_compact_jwe(&f.jwe));
    ok.then(|| files.into_iter().map(|f| (f.content_type, f.jwe)).collect())
}

/// Refuses files that would take the owner's stored ciphertext over the quota (the files of
/// `replacing`, when given, are about to go).
async fn check_link_quota<S: Store>(
    st: &AppState<S>,
    owner: &str,
    replacing: Option<&str>,
    files: &[(String, String)],
) -> Result<(), Response> {
    let adding: u64 = files.iter().map(|(ct, j)| (ct.len() + j.len()) as u64).sum();
    let used = st.store.owner_bytes(owner, replacing).await.map_err(internal)?;
    let quota = st.opts.link_quota();
    if used.saturating_add(adding) > quota {
        return Err(limits::over_quota(used, adding, quota));
    }
    Ok(())
}

async fn create_link<S: Store>(
    State(st): State<Arc<AppState<S>>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let owner = match authenticate_once(&st, &headers, &method, &uri, &body).await {
        Ok(o) => o,
        Err(r) => return r,
    };
    let Ok(req) = serde_json::from_slice::<NewLink>(&body) else {
        return err(StatusCode::BAD_REQUEST, "bad_json");
    };
    let Some(files) = stored_files(req.files) else {
        return err(StatusCode::BAD_REQUEST, "files_must_be_compact_jwe");
    };
    if req.exp.is_some_and(|e| e * 1000 <= now_ms()) {
        return err(StatusCode::BAD_REQUEST, "already_expired");
    }
    if let Err(r) = check_link_quota(&st, &owner, None, &files).await {
        return r;
    }
    if req.flag.contains('U')
        || req.flag.contains('P') != req.passcode.is_some()
        || !req.flag.chars().all(|c| c == 'L' || c == 'P')
    {
        return err(StatusCode::BAD_REQUEST, "bad_flag");
    }
    let (pass_salt, pass_hash) = match req.passcode {
        None => (None, None),
        Some(p) => {
            let salt = random_id().into_bytes();
            let hash = tokio::task::spawn_blocking(move || {
                let mut out = [0u8; 32];
                let it = PBKDF2_ROUNDS;
                ring::pbkdf2::derive(
                    ring::pbkdf2::PBKDF2_HMAC_SHA256,
                    it,
                    &salt,
                    p.expose_secret().as_bytes(),
                    &mut out,
                );
                (salt, out.to_vec())
            })
            .await;
            match hash {
                Ok((s, h)) => (Some(s), Some(h)),
                Err(e) => return internal(e),
            }
        }
    };
    let row = LinkRow {
        id: random_id(),
        owner,
        created_at: now_ms(),
        exp: req.exp,
        flag: req.flag,
        status: "active".into(),
        pass_salt,
        pass_hash,
        max_attempts: req.max_attempts.unwrap_or(5).clamp(1, 100),
        attempts_used: 0,
        files_version: 0,
    };
    match st.store.create_link(&row, &files).await {
        Ok(()) => (StatusCode::CREATED, Json(json!({ "id": row.id }))).into_response(),
        Err(e) => internal(e),
    }
}

async fn list_links<S: Store>(
    State(st): State<Arc<AppState<S>>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let owner = match authenticate_once(&st, &headers, &method, &uri, b"").await {
        Ok(o) => o,
        Err(r) => return r,
    };
    st.log.flush().await; // the fetch counts come from the access log
    match st.store.list_links(&owner).await {
        Ok(v) => Json(v).into_response(),
        Err(e) => internal(e),
    }
}

async fn replace_link_files<S: Store>(
    State(st): State<Arc<AppState<S>>>,
    Path(id): Path<String>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let owner = match authenticate_once(&st, &headers, &method, &uri, &body).await {
        Ok(o) => o,
        Err(r) => return r,
    };
    let Ok(req) = serde_json::from_slice::<NewFiles>(&body) else {
        return err(StatusCode::BAD_REQUEST, "bad_json");
    };
    let Some(files) = stored_files(req.files) else {
        return err(StatusCode::BAD_REQUEST, "files_must_be_compact_jwe");
    };
    if let Err(r) = check_link_quota(&st, &owner, Some(&id), &files).await {
        return r;
    }
    match st.store.replace_files(&owner, &id, &files).await {
        Ok(true) => {
            // The new version already misses; this only drops the old ciphertext sooner.
            st.manifests.forget(&id);
            StatusCode::NO_CONTENT.into_response()
        }
        // Another owner's link, a revoked or an unknown one all look the same.
        Ok(false) => err(StatusCode::NOT_FOUND, "not_found"),
        Err(e) => internal(e),
    }
}

async fn revoke_link<S: Store>(
    State(st): State<Arc<AppState<S>>>,
    Path(id): Path<String>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let owner = match authenticate_once(&st, &headers, &method, &uri, b"").await {
        Ok(o) => o,
        Err(r) => return r,
    };
    match st.store.revoke(&owner, &id).await {
        Ok(true) => {
            st.manifests.forget(&id);
            StatusCode::NO_CONTENT.into_response()
        }
        // Another owner's link looks exactly like no link.
        Ok(false) => err(StatusCode::NOT_FOUND, "not_found"),
        Err(e) => internal(e),
    }
}

#[derive(Deserialize)]
struct After {
    after: Option<i64>,
}

/// The owner lets every client try its passcode again.
async fn reset_lockout<S: Store>(
    State(st): State<Arc<AppState<S>>>,
    Path(id): Path<String>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let owner = match authenticate_once(&st, &headers, &method, &uri, b"").await {
        Ok(o) => o,
        Err(r) => return r,
    };
    match st.store.reset_attempts(&owner, &id).await {
        Ok(true) => StatusCode::NO_CONTENT.into_response(),
        Ok(false) => err(StatusCode::NOT_FOUND, "not_found"),
        Err(e) => internal(e),
    }
}

async fn link_log<S: Store>(
    State(st): State<Arc<AppState<S>>>,
    Path(id): Path<String>,
    Query(q): Query<After>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let owner = match authenticate_once(&st, &headers, &method, &uri, b"").await {
        Ok(o) => o,
        Err(r) => return r,
    };
    st.log.flush().await;
    match st.store.access_log(&owner, &id, q.after.unwrap_or(0)).await {
        Ok(Some(v)) => Json(v).into_response(),
        Ok(None) => err(StatusCode::NOT_FOUND, "not_found"),
        Err(e) => internal(e),
    }
}

async fn link_replies<S: Store>(
    State(st): State<Arc<AppState<S>>>,
    Path(id): Path<String>,
    Query(q): Query<After>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let owner = match authenticate_once(&st, &headers, &method, &uri, b"").await {
        Ok(o) => o,
        Err(r) => return r,
    };
    match st.store.replies(&owner, &id, q.after.unwrap_or(0)).await {
        Ok(Some(v)) => Json(v).into_response(),
        Ok(None) => err(StatusCode::NOT_FOUND, "not_found"),
        Err(e) => internal(e),
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ManifestRequest {
    recipient: String,
    passcode: Option<SecretString>,
    embedded_length_max: Option<usize>,
}

/// Who is guessing, for the passcode back-off: the client's IP address (an IPv6 client by
/// its /64, which one host can fill; behind a trusted proxy, from `X-Forwarded-For`:
/// [`instance::client_ip`]), or one shared name when the server does not know it.
fn client_of(
    peer: Option<&axum::extract::ConnectInfo<std::net::SocketAddr>>,
    headers: &HeaderMap,
    trusted: &[std::net::IpAddr],
) -> String {
    match instance::client_ip(peer.map(|p| p.0.ip()), headers, trusted) {
        Some(std::net::IpAddr::V4(a)) => a.to_string(),
        Some(std::net::IpAddr::V6(a)) => {
            let s = a.segments();
            format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
        None => "unknown".into(),
    }
}

type Peer = Option<axum::Extension<axum::extract::ConnectInfo<std::net::SocketAddr>>>;

fn too_many_attempts(blocked_until: i64) -> Response {
    let secs = ((blocked_until - now_ms()).max(0) + 999) / 1000;
    let mut r =
        (StatusCode::TOO_MANY_REQUESTS, Json(json!({"error": "too_many_attempts", "retryAfter": secs})))
            .into_response();
    if let Ok(v) = HeaderValue::from_str(&secs.to_string()) {
        r.headers_mut().insert(header::RETRY_AFTER, v);
    }
    r
}

/// The SHL access rules shared by the manifest request and replies. Logs refusals.
async fn gate<S: Store>(
    st: &AppState<S>,
    id: &str,
    recipient: &str,
    passcode: Option<SecretString>,
    client: &str,
) -> Result<LinkRow, Response> {
    let link = match st.store.link(id).await {
        Ok(Some(l)) => l,
        Ok(None) => {
            st.manifests.forget(id);
            return Err(err(StatusCode::NOT_FOUND, "not_found"));
        }
        Err(e) => return Err(internal(e)),
    };
    let now = now_ms();
    let refuse = |outcome: &'static str| async move {
        st.manifests.forget(id);
        st.log.record(id, now, recipient, outcome).await;
        err(StatusCode::NOT_FOUND, outcome)
    };
    if link.status == "revoked" {
        return Err(refuse("revoked").await);
    }
    if link.exp.is_some_and(|e| e * 1000 <= now) {
        return Err(refuse("expired").await);
    }
    if let (Some(salt), Some(hash)) = (link.pass_salt.clone(), link.pass_hash.clone()) {
        let Some(p) = passcode else {
            let (failures, until) = st.store.client_attempts(id, client).await.map_err(internal)?;
            if until > now {
                return Err(too_many_attempts(until));
            }
            let left = (link.max_attempts - failures).max(1);
            return Err((
                StatusCode::UNAUTHORIZED,
                Json(json!({"error": "passcode_required", "remainingAttempts": left})),
            )
                .into_response());
        };
        // Take the attempt before checking, so parallel guesses can never exceed the limit.
        let used = match st.store.reserve_attempt(id, client, link.max_attempts, now).await {
            Ok(Ok(u)) => u,
            Ok(Err(until)) => return Err(too_many_attempts(until)),
            Err(e) => return Err(internal(e)),
        };
        let ok = tokio::task::spawn_blocking(move || {
            let it = PBKDF2_ROUNDS;
            ring::pbkdf2::verify(
                ring::pbkdf2::PBKDF2_HMAC_SHA256,
                it,
                &salt,
                p.expose_secret().as_bytes(),
                &hash,
            )
            .is_ok()
        })
        .await
        .unwrap_or(false);
        if ok {
            if let Err(e) = st.store.release_attempt(id, client).await {
                return Err(internal(e));
            }
        } else {
            st.log.record(id, now, recipient, "wrong_passcode").await;
            let remaining = (link.max_attempts - used).max(0);
            return Err((
                StatusCode::UNAUTHORIZED,
                Json(json!({"error": "wrong_passcode", "remainingAttempts": remaining})),
            )
                .into_response());
        }
    }
    Ok(link)
}

fn clean_recipient(r: &str) -> String {
    r.chars().filter(|c| !c.is_control()).take(100).collect()
}

fn ticket(st: &AppState<impl Store>, id: &str, n: usize, exp: i64) -> String {
    let tag = ring::hmac::sign(&st.ticket_key, format!("{id}|{n}|{exp}").as_bytes());
    BASE64URL_NOPAD.encode(&tag.as_ref()[..16])
}

async fn manifest<S: Store>(
    State(st): State<Arc<AppState<S>>>,
    Path(id): Path<String>,
    peer: Peer,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Ok(req) = serde_json::from_slice::<ManifestRequest>(&body) else {
        return cors(err(StatusCode::BAD_REQUEST, "recipient_required"));
    };
    let recipient = clean_recipient(&req.recipient);
    let client = client_of(peer.as_ref().map(|p| &p.0), &headers, &st.opts.trusted_proxies);
    let link = match gate(&st, &id, &recipient, req.passcode, &client).await {
        Ok(l) => l,
        Err(r) => return cors(r),
    };
    // Off the request path: the entry is queued here and written with others (log_writer).
    if let Some(body) = st.manifests.get(&id, link.files_version, req.embedded_length_max) {
        st.log.record(&id, now_ms(), &recipient, "served").await;
        return cors(json_bytes(body));
    }
    let files = match st.store.files(&id).await {
        Ok(f) => f,
        Err(e) => return cors(internal(e)),
    };
    let base = st.opts.public_url.clone().unwrap_or_else(|| {
        format!("http://{}", headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("127.0.0.1"))
    });
    let exp = now_ms() / 1000 + 3600;
    let status = if link.flag.contains('L') { "can-change" } else { "finalized" };
    let mut by_location = false;
    let list: Vec<serde_json::Value> = files
        .iter()
        .enumerate()
        .map(|(n, (ct, jwe))| {
            if req.embedded_length_max.is_some_and(|m| jwe.len() > m) {
                by_location = true;
                json!({"contentType": ct, "status": status, "fhirVersion": "4.0.1",
                       "location": format!("{base}/shl/{id}/file/{n}?exp={exp}&t={}", ticket(&st, &id, n, exp))})
            } else {
                json!({"contentType": ct, "status": status, "fhirVersion": "4.0.1", "embedded": jwe})
            }
        })
        .collect();
    let body = Bytes::from(serde_json::to_vec(&json!({ "files": list })).unwrap_or_default());
    // Locations carry a ticket that expires: only an all-embedded manifest is kept.
    if !by_location {
        let longest = files.iter().map(|(_, jwe)| jwe.len()).max().unwrap_or(0);
        st.manifests.put(&id, link.files_version, longest, body.clone());
    }
    st.log.record(&id, now_ms(), &recipient, "served").await;
    cors(json_bytes(body))
}

/// A JSON body already serialized.
fn json_bytes(body: Bytes) -> Response {
    ([(header::CONTENT_TYPE, HeaderValue::from_static("application/json"))], body).into_response()
}

#[derive(Deserialize)]
struct TicketQuery {
    exp: i64,
    t: String,
}

async fn file<S: Store>(
    State(st): State<Arc<AppState<S>>>,
    Path((id, n)): Path<(String, usize)>,
    Query(q): Query<TicketQuery>,
) -> Response {
    if q.exp * 1000 < now_ms() || ticket(&st, &id, n, q.exp) != q.t {
        return cors(err(StatusCode::NOT_FOUND, "not_found"));
    }
    match (st.store.link(&id).await, st.store.files(&id).await) {
        (Ok(Some(l)), Ok(files)) if l.status == "active" && l.exp.is_none_or(|e| e * 1000 > now_ms()) => {
            match files.get(n) {
                Some((_, jwe)) => {
                    cors(([(header::CONTENT_TYPE, "application/jose")], jwe.clone()).into_response())
                }
                None => cors(err(StatusCode::NOT_FOUND, "not_found")),
            }
        }
        _ => cors(err(StatusCode::NOT_FOUND, "not_found")),
    }
}

#[derive(Deserialize)]
struct ReplyRequest {
    recipient: String,
    passcode: Option<SecretString>,
    jwe: String,
}

async fn reply<S: Store>(
    State(st): State<Arc<AppState<S>>>,
    Path(id): Path<String>,
    peer: Peer,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Ok(req) = serde_json::from_slice::<ReplyRequest>(&body) else {
        return cors(err(StatusCode::BAD_REQUEST, "bad_json"));
    };
    if !jwe::is_compact_jwe(&req.jwe) || req.jwe.len() > 256 * 1024 {
        return cors(err(StatusCode::BAD_REQUEST, "reply_must_be_compact_jwe"));
    }
    let recipient = clean_recipient(&req.recipient);
    let client = client_of(peer.as_ref().map(|p| &p.0), &headers, &st.opts.trusted_proxies);
    if let Err(r) = gate(&st, &id, &recipient, req.passcode, &client).await {
        return cors(r);
    }
    let now = now_ms();
    if let Err(e) = st.store.add_reply(&id, now, &req.jwe).await {
        return cors(internal(e));
    }
    st.log.record(&id, now, &recipient, "reply").await;
    cors(StatusCode::CREATED.into_response())
}

async fn preflight() -> Response {
    let mut r = StatusCode::NO_CONTENT.into_response();
    let h = r.headers_mut();
    h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
    h.insert(header::ACCESS_CONTROL_ALLOW_METHODS, HeaderValue::from_static("GET, POST"));
    h.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, HeaderValue::from_static("content-type"));
    r
}

fn page(content_type: &'static str, body: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type),
            // Decrypted data must never leave the page: it may talk only to this relay.
            (header::CONTENT_SECURITY_POLICY, "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"),
            (header::REFERRER_POLICY, "no-referrer"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        body,
    )
        .into_response()
}

fn router<S: Store + sync_store::SyncStore>(store: S, opts: Options) -> store::DbResult<Router> {
    let ticket_key = instance::ticket_key(opts.ticket_key.as_ref())?;
    if opts.ticket_key.is_some() {
        tracing::info!(
            "ticket key fingerprint {} (the same on every instance)",
            instance::fingerprint(&ticket_key)
        );
    }
    let instance_name = match &opts.instance {
        Some(n) => Some(HeaderValue::from_str(n).map_err(|_| "the instance name must be printable ASCII")?),
        None => None,
    };
    let rates = limits::RateLimiter::new(
        opts.rate_per_minute.unwrap_or(limits::DEFAULT_RATE_PER_MINUTE),
        opts.rate_burst.unwrap_or(limits::DEFAULT_RATE_BURST),
    );
    let every = opts.sweep_interval.unwrap_or(SWEEP_INTERVAL);
    let store = Arc::new(store);
    let state = Arc::new(AppState {
        log: log_writer::LogWriter::start(store.clone()),
        store,
        opts,
        ticket_key,
        rates,
        manifests: manifest_cache::ManifestCache::default(),
    });
    tokio::spawn(sweeper(Arc::downgrade(&state), every));
    let app = Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/view", get(|| async { page("text/html; charset=utf-8", VIEWER_HTML) }))
        .route("/view/viewer.js", get(|| async { page("text/javascript; charset=utf-8", VIEWER_JS) }))
        .route("/shl/{id}", post(manifest::<S>).options(preflight))
        .route("/shl/{id}/file/{n}", get(file::<S>))
        .route("/shl/{id}/reply", post(reply::<S>).options(preflight))
        .route("/api/links", post(create_link::<S>).get(list_links::<S>))
        .route("/api/links/{id}", axum::routing::delete(revoke_link::<S>))
        .route("/api/links/{id}/files", axum::routing::put(replace_link_files::<S>))
        .route("/api/links/{id}/log", get(link_log::<S>))
        .route("/api/links/{id}/lockout", axum::routing::delete(reset_lockout::<S>))
        .route("/api/links/{id}/replies", get(link_replies::<S>))
        .merge(sync_routes::routes::<S>())
        .layer(DefaultBodyLimit::max(limits::MAX_BODY))
        .layer(axum::middleware::from_fn_with_state(
            Arc::new(limits::BodyBudget::default()),
            limits::bound_body,
        ))
        .layer(axum::middleware::from_fn(request_log::log_request))
        .layer(axum::middleware::map_response(move |mut r: Response| {
            let name = instance_name.clone();
            async move {
                if let Some(n) = name {
                    r.headers_mut().insert("x-phr-instance", n);
                }
                r
            }
        }))
        .with_state(state);
    Ok(app)
}

/// The relay's routes over the chosen backend.
pub async fn app(backend: Backend, opts: Options) -> store::DbResult<Router> {
    Ok(match backend {
        Backend::Sqlite(path) => {
            let store = sqlite::SqliteStore::open(&path)?;
            if let Some(pages) = opts.sqlite_max_pages {
                store.set_max_pages(pages)?;
            }
            router(store, opts)?
        }
        Backend::Postgres { url, schema } => {
            let pool = opts.pg_pool.unwrap_or(postgres::DEFAULT_POOL);
            if opts.ticket_key.is_none() {
                tracing::warn!("no ticket key configured: file locations made by this instance are refused by any other (--ticket-key-file)");
            }
            // Named per instance in pg_stat_activity, so an operator can count each one's pool.
            let app_name = match &opts.instance {
                Some(n) => format!("phr-relay {n}"),
                None => "phr-relay".to_string(),
            };
            router(postgres::PgStore::connect(&url, schema.as_deref(), pool, &app_name).await?, opts)?
        }
    })
}

/// Serves until the future `shutdown` completes.
pub async fn serve(
    listener: tokio::net::TcpListener,
    backend: Backend,
    opts: Options,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> store::DbResult<()> {
    let app = app(backend, opts).await?;
    // The peer address feeds the passcode back-off (per client, not per link).
    axum::serve(listener, app.into_make_service_with_connect_info::<std::net::SocketAddr>())
        .with_graceful_shutdown(shutdown)
        .await?;
    Ok(())
}
