//! The sync API (issue 8): an append-only log of encrypted ops per account, devices, key
//! envelopes, an encrypted snapshot for compaction, and the unauthenticated pairing mailbox.
//! The contract with phr-core's client is in `/work/notes/sync-relay-contract.md`; in short:
//!
//! - `POST /sync/{account}/devices` `{device, xkey}`: first device creates the account (it
//!   must sign for itself); later ones are added by an active device. A removed key never
//!   comes back (409 `device_removed`).
//! - `GET /sync/{account}/devices`
//! - `DELETE /sync/{account}/devices/{device}` (ADR 0048): signed by the recovery key, it
//!   removes at once (204). Signed by an active device (never the target), the first one
//!   only asks (202 `{status: "pending"}`, listed as `removalRequestedBy` for
//!   [`REMOVAL_TTL`]); the same request signed by a *different* active device, not the
//!   target, confirms it (204). One unlocked phone alone can ask, never remove. A device
//!   added less than [`NEW_DEVICE_WAIT`] ago can neither ask nor confirm (403
//!   `device_too_new`, with `retryAfter` seconds): a thief who pairs a second phone to the
//!   stolen one must wait a day, while the owner removes both with the recovery key.
//! - `PUT /sync/{account}/recovery` `{device, xkey}`: registers the account's recovery key
//!   (derived from the printed recovery key). An active device may set it while none is
//!   set; after that only the recovery key itself can replace it (409 `recovery_set`).
//! - `POST /sync/{account}/ops` `{epoch, ops: [{id, blob}]}`: idempotent by id; seqs are
//!   assigned per account in commit order.
//! - `GET /sync/{account}/ops?after=N&limit=L`: records the signer's ack = N; pages in seq
//!   order, or `snapshotRequired` when N is behind the compacted part of the log.
//! - `PUT|GET /sync/{account}/snapshot`: newer snapshots replace older ones and prune the
//!   ops every active device has acknowledged.
//! - `POST|GET /sync/{account}/keys`: data-key envelopes per device and epoch; a device reads
//!   only its own.
//! - `PUT /sync/pair/{slot}/hello|welcome`, `GET /sync/pair/{slot}`: write-once mailbox,
//!   expires after [`PAIRING_TTL`].
//!
//! Every `/sync/{account}/...` request is signed by the device (the owner-API headers,
//! checked by `crate::authenticate_once`: each signed request is accepted once); a signer that is not an active device of the account
//! gets 403 `not_a_device` (whether or not the account exists), a removed one 403
//! `device_removed`. The recovery key may list devices, add and remove them and read its own
//! key envelopes; nothing else. Bad input answers 400 with an `error` code, never a panic.

#![allow(clippy::result_large_err)] // Response is the error type of every handler helper here.

use crate::sync_store::{Access, AddDevice, KeysPut, NewOp, Pushed, RemovalStep, SnapshotPut, SyncStore};
use crate::{authenticate, authenticate_once, err, internal, now_ms, AppState};
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection};
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use data_encoding::BASE64URL_NOPAD;
use phr_relay_protocol::sync::{
    KeyEnvelope, NewDevice, PullPage as WirePage, PulledOp, PushAnswer, PushRequest, PutKeys, Snapshot,
    WireOp,
};
use serde::Deserialize;
use serde_json::json;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

/// How long a removal asked on one device waits for a confirmation on another.
pub const REMOVAL_TTL: Duration = Duration::from_secs(10 * 60);
/// How long a device must have been one before it may ask for or confirm a removal
/// (override with `Options::new_device_wait`).
pub const NEW_DEVICE_WAIT: Duration = Duration::from_secs(24 * 60 * 60);
/// How long a pairing slot lives after its hello (override with `Options::pairing_ttl`).
pub const PAIRING_TTL: Duration = Duration::from_secs(10 * 60);
/// Largest pairing blob (decoded bytes).
pub const MAX_PAIR_BLOB: usize = 64 * 1024;
/// Ops per push.
pub const MAX_PUSH_OPS: usize = 1000;
pub const DEFAULT_PULL_LIMIT: i64 = 500;
pub const MAX_PULL_LIMIT: i64 = 1000;
/// Largest op id, in characters.
pub const MAX_OP_ID: usize = 100;
// Request bodies (`crate::limits`): a push (1000 ops) and keys fit the relay's default
// limit; a snapshot may be bigger; a pairing message is small.
use crate::limits::{MAX_PAIR_BODY, MAX_SNAPSHOT_BODY};
const MAX_ENVELOPES: usize = 1000;

type St<S> = State<Arc<AppState<S>>>;

pub(crate) fn routes<S: SyncStore>() -> Router<Arc<AppState<S>>> {
    Router::new()
        .route("/sync/pair/{slot}", get(pair_get::<S>))
        .route("/sync/pair/{slot}/hello", put(pair_hello::<S>).layer(DefaultBodyLimit::max(MAX_PAIR_BODY)))
        .route(
            "/sync/pair/{slot}/welcome",
            put(pair_welcome::<S>).layer(DefaultBodyLimit::max(MAX_PAIR_BODY)),
        )
        .route("/sync/{account}/devices", post(add_device::<S>).get(list_devices::<S>))
        .route("/sync/{account}/devices/{device}", axum::routing::delete(remove_device::<S>))
        .route("/sync/{account}/recovery", put(set_recovery::<S>))
        .route("/sync/{account}/ops", post(push::<S>).get(pull::<S>))
        .route(
            "/sync/{account}/snapshot",
            put(put_snapshot::<S>).get(get_snapshot::<S>).layer(DefaultBodyLimit::max(MAX_SNAPSHOT_BODY)),
        )
        .route("/sync/{account}/keys", post(put_keys::<S>).get(get_keys::<S>))
}

fn bad(code: &str) -> Response {
    err(StatusCode::BAD_REQUEST, code)
}

fn valid_account(a: &str) -> bool {
    (16..=64).contains(&a.len()) && a.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

fn valid_slot(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// A 32-byte public key in base64url without padding.
fn valid_key(k: &str) -> bool {
    k.len() == 43 && BASE64URL_NOPAD.decode(k.as_bytes()).is_ok_and(|v| v.len() == 32)
}

fn b64(s: &str) -> Result<Vec<u8>, Response> {
    BASE64URL_NOPAD.decode(s.as_bytes()).map_err(|_| bad("bad_base64"))
}

fn body_of(b: Result<Bytes, BytesRejection>) -> Result<Bytes, Response> {
    b.map_err(|e| {
        err(e.status(), if e.status() == StatusCode::PAYLOAD_TOO_LARGE { "too_large" } else { "bad_body" })
    })
}

fn json_of<T: serde::de::DeserializeOwned>(b: &[u8]) -> Result<T, Response> {
    serde_json::from_slice(b).map_err(|_| bad("bad_json"))
}

/// Checks the account id, the signature and that the signer is an active device.
async fn device<S: SyncStore>(
    st: &AppState<S>,
    account: &Result<Path<String>, PathRejection>,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<(String, String), Response> {
    match device_or_recovery(st, account, method, uri, headers, body).await? {
        (account, signer, Access::Active) => Ok((account, signer)),
        _ => Err(err(StatusCode::FORBIDDEN, "not_a_device")),
    }
}

/// [`device`], also letting the account's recovery key through (it says which signed).
async fn device_or_recovery<S: SyncStore>(
    st: &AppState<S>,
    account: &Result<Path<String>, PathRejection>,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<(String, String, Access), Response> {
    let signer = authenticate_once(st, headers, method, uri, body).await?;
    let account = match account {
        Ok(Path(a)) if valid_account(a) => a.clone(),
        _ => return Err(bad("bad_account")),
    };
    match st.store.access(&account, &signer).await {
        Ok(a @ (Access::Active | Access::Recovery)) => Ok((account, signer, a)),
        Ok(Access::Removed) => Err(err(StatusCode::FORBIDDEN, "device_removed")),
        Ok(Access::None) => Err(err(StatusCode::FORBIDDEN, "not_a_device")),
        Err(e) => Err(internal(e)),
    }
}

macro_rules! tryr {
    ($e:expr) => {
        match $e {
            Ok(v) => v,
            Err(r) => return r,
        }
    };
}

async fn add_device<S: SyncStore>(
    State(st): St<S>,
    account: Result<Path<String>, PathRejection>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let body = tryr!(body_of(body));
    let signer = tryr!(authenticate_once(&st, &headers, &method, &uri, &body).await);
    let account = match account {
        Ok(Path(a)) if valid_account(&a) => a,
        _ => return bad("bad_account"),
    };
    let req: NewDevice = tryr!(json_of(&body));
    if !valid_key(&req.device) {
        return bad("bad_device");
    }
    if !valid_key(&req.xkey) {
        return bad("bad_xkey");
    }
    match st.store.add_device(&account, &signer, &req.device, &req.xkey, now_ms()).await {
        Ok(AddDevice::CreatedAccount) => {
            (StatusCode::CREATED, Json(json!({"created": true}))).into_response()
        }
        Ok(AddDevice::Added) => (StatusCode::CREATED, Json(json!({"created": false}))).into_response(),
        Ok(AddDevice::AlreadyActive) => (StatusCode::OK, Json(json!({"created": false}))).into_response(),
        Ok(AddDevice::TargetRemoved) => err(StatusCode::CONFLICT, "device_removed"),
        Ok(AddDevice::Refused(Access::Removed)) => err(StatusCode::FORBIDDEN, "device_removed"),
        Ok(AddDevice::Refused(_)) => err(StatusCode::FORBIDDEN, "not_a_device"),
        Err(e) => internal(e),
    }
}

async fn list_devices<S: SyncStore>(
    State(st): St<S>,
    account: Result<Path<String>, PathRejection>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let (account, _, _) = tryr!(device_or_recovery(&st, &account, &method, &uri, &headers, b"").await);
    match st.store.devices(&account).await {
        Ok(mut v) => {
            let asked = match st.store.removal_requests(&account, now_ms()).await {
                Ok(a) => a,
                Err(e) => return internal(e),
            };
            for d in &mut v {
                d.removal_requested_by = asked.iter().find(|(t, _)| *t == d.device).map(|(_, by)| by.clone());
            }
            Json(v).into_response()
        }
        Err(e) => internal(e),
    }
}

async fn remove_device<S: SyncStore>(
    State(st): St<S>,
    path: Result<Path<(String, String)>, PathRejection>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let Ok(Path((account, target))) = path else {
        tryr!(authenticate(&headers, &method, &uri, b""));
        return bad("bad_device");
    };
    let (account, signer, access) =
        tryr!(device_or_recovery(&st, &Ok(Path(account)), &method, &uri, &headers, b"").await);
    if signer == target {
        // A device never removes itself: a thief's phone cannot take itself and the others out
        // in one go, and the owner always removes from a device they hold.
        return err(StatusCode::FORBIDDEN, "cannot_remove_self");
    }
    match st.store.access(&account, &target).await {
        Ok(Access::Active) => {}
        Ok(Access::Removed) => return StatusCode::NO_CONTENT.into_response(),
        Ok(_) => return err(StatusCode::NOT_FOUND, "not_found"),
        Err(e) => return internal(e),
    }
    let now = now_ms();
    if access == Access::Active {
        // Checked for the signer only: a request can only have been made by a device that
        // had already waited, so its asker is never the new one.
        let wait =
            st.opts.new_device_wait.unwrap_or(NEW_DEVICE_WAIT).as_millis().min(i64::MAX as u128) as i64;
        let added_at = match st.store.devices(&account).await {
            Ok(v) => v.into_iter().find(|d| d.device == signer).map(|d| d.added_at).unwrap_or(i64::MIN),
            Err(e) => return internal(e),
        };
        let ready_at = added_at.saturating_add(wait);
        if ready_at > now {
            let secs = (ready_at - now + 999) / 1000;
            return (StatusCode::FORBIDDEN, Json(json!({"error": "device_too_new", "retryAfter": secs})))
                .into_response();
        }
        let ttl = REMOVAL_TTL.as_millis().min(i64::MAX as u128) as i64;
        match st.store.ask_or_confirm_removal(&account, &target, &signer, now, ttl).await {
            Err(e) => return internal(e),
            Ok(RemovalStep::Asked { expires_at }) => {
                return (
                    StatusCode::ACCEPTED,
                    Json(phr_relay_protocol::sync::RemovalPending { status: "pending".into(), expires_at }),
                )
                    .into_response();
            }
            Ok(RemovalStep::Confirmed { requester }) => {
                // The asking device must still be one of the account's (not itself removed since).
                if !matches!(st.store.access(&account, &requester).await, Ok(Access::Active)) {
                    return err(StatusCode::CONFLICT, "request_gone");
                }
            }
        }
    }
    match st.store.remove_device(&account, &target, now).await {
        Ok(true) => StatusCode::NO_CONTENT.into_response(),
        Ok(false) => err(StatusCode::NOT_FOUND, "not_found"),
        Err(e) => internal(e),
    }
}

/// `PUT /recovery`: see the module docs.
async fn set_recovery<S: SyncStore>(
    State(st): St<S>,
    account: Result<Path<String>, PathRejection>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let body = tryr!(body_of(body));
    let (account, _, access) = tryr!(device_or_recovery(&st, &account, &method, &uri, &headers, &body).await);
    let req: NewDevice = tryr!(json_of(&body));
    if !valid_key(&req.device) {
        return bad("bad_device");
    }
    if !valid_key(&req.xkey) {
        return bad("bad_xkey");
    }
    let rows = tryr!(st.store.devices(&account).await.map_err(internal));
    if let Some(current) = rows.iter().find(|d| d.status == "recovery") {
        if current.device == req.device && current.xkey == req.xkey {
            return StatusCode::NO_CONTENT.into_response();
        }
        // Only the recovery key replaces itself: a stolen phone cannot swap in its own.
        if access != Access::Recovery {
            return err(StatusCode::CONFLICT, "recovery_set");
        }
    }
    if rows.iter().any(|d| d.device == req.device && d.status != "recovery") {
        return bad("bad_device");
    }
    match st.store.set_recovery(&account, &req.device, &req.xkey, now_ms()).await {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => internal(e),
    }
}

async fn push<S: SyncStore>(
    State(st): St<S>,
    account: Result<Path<String>, PathRejection>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let body = tryr!(body_of(body));
    let (account, _) = tryr!(device(&st, &account, &method, &uri, &headers, &body).await);
    let req: PushRequest = tryr!(json_of(&body));
    drop(body); // see put_snapshot
    if req.ops.is_empty() || req.ops.len() > MAX_PUSH_OPS {
        return bad("bad_ops");
    }
    let sent = req.ops.len() as i64;
    let mut seen = std::collections::HashSet::new();
    let mut ops: Vec<NewOp> = Vec::with_capacity(req.ops.len());
    for o in req.ops {
        if o.id.is_empty() || o.id.chars().count() > MAX_OP_ID || o.id.chars().any(char::is_control) {
            return bad("bad_id");
        }
        let blob = tryr!(b64(&o.blob));
        // The same id twice in one push counts as a duplicate, like a retried push.
        if seen.insert(o.id.clone()) {
            ops.push((o.id, blob));
        }
    }
    let adding: u64 = ops.iter().map(|(id, b)| (id.len() + b.len()) as u64).sum();
    let (used_ops, used_snapshot) = tryr!(st.store.account_bytes(&account).await.map_err(internal));
    let used = used_ops + used_snapshot;
    if used.saturating_add(adding) > st.opts.sync_quota() {
        return crate::limits::over_quota(used, adding, st.opts.sync_quota());
    }
    match st.store.push(&account, req.epoch as i64, &ops).await {
        Ok(Pushed::Ok { accepted, last_seq, .. }) => {
            let duplicates = (sent - accepted).max(0) as u64;
            Json(PushAnswer { accepted: accepted.max(0) as u64, duplicates, last_seq }).into_response()
        }
        Ok(Pushed::StaleEpoch(current)) => {
            (StatusCode::CONFLICT, Json(json!({"error": "stale_epoch", "epoch": current}))).into_response()
        }
        Err(e) => internal(e),
    }
}

/// `after` (default 0, >= 0) and `limit` (default 500, 1..=1000) from the query string.
fn page_query(uri: &Uri) -> Result<(i64, i64), Response> {
    let mut after = 0i64;
    let mut limit = DEFAULT_PULL_LIMIT;
    for (k, v) in url::form_urlencoded::parse(uri.query().unwrap_or("").as_bytes()) {
        match k.as_ref() {
            "after" => after = v.parse().ok().filter(|n: &i64| *n >= 0).ok_or_else(|| bad("bad_after"))?,
            "limit" => {
                limit = v
                    .parse()
                    .ok()
                    .filter(|n: &i64| (1..=MAX_PULL_LIMIT).contains(n))
                    .ok_or_else(|| bad("bad_limit"))?
            }
            _ => {}
        }
    }
    Ok((after, limit))
}

async fn pull<S: SyncStore>(
    State(st): St<S>,
    account: Result<Path<String>, PathRejection>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let (account, signer) = tryr!(device(&st, &account, &method, &uri, &headers, b"").await);
    let (after, limit) = tryr!(page_query(&uri));
    let page = match st.store.pull(&account, &signer, after, limit).await {
        Ok(p) => p,
        Err(e) => return internal(e),
    };
    if after < page.compacted_upto {
        return Json(WirePage {
            snapshot_required: true,
            snapshot_upto: page.snapshot_upto,
            last_seq: page.last_seq,
            ops: Vec::new(),
            more: false,
        })
        .into_response();
    }
    let ops = page
        .ops
        .iter()
        .map(|o| PulledOp {
            seq: o.seq,
            op: WireOp {
                id: o.id.clone(),
                epoch: wire_epoch(o.epoch),
                blob: BASE64URL_NOPAD.encode(&o.blob),
            },
        })
        .collect();
    Json(WirePage {
        snapshot_required: false,
        ops,
        more: page.more,
        snapshot_upto: page.snapshot_upto,
        last_seq: page.last_seq,
    })
    .into_response()
}

async fn put_snapshot<S: SyncStore>(
    State(st): St<S>,
    account: Result<Path<String>, PathRejection>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let body = tryr!(body_of(body));
    let (account, _) = tryr!(device(&st, &account, &method, &uri, &headers, &body).await);
    let req: Snapshot = tryr!(json_of(&body));
    // Each form of the blob is let go as soon as the next exists: a large snapshot is held
    // at most about twice (the request body budget in `crate::limits` counts on it).
    drop(body);
    let Snapshot { upto, epoch, blob } = req;
    let blob = {
        let text = blob;
        tryr!(b64(&text))
    };
    // A snapshot replaces the old one and lets the log be pruned, so it is measured on its
    // own: an account over its quota can always compact.
    if blob.len() as u64 > st.opts.sync_quota() {
        return crate::limits::over_quota(0, blob.len() as u64, st.opts.sync_quota());
    }
    match st.store.put_snapshot(&account, upto, epoch as i64, &blob).await {
        Ok(SnapshotPut::Ok { pruned, compacted_upto }) => {
            Json(json!({"pruned": pruned, "compactedUpto": compacted_upto})).into_response()
        }
        Ok(SnapshotPut::Stale) => err(StatusCode::CONFLICT, "stale_snapshot"),
        Err(e) => internal(e),
    }
}

async fn get_snapshot<S: SyncStore>(
    State(st): St<S>,
    account: Result<Path<String>, PathRejection>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let (account, _) = tryr!(device(&st, &account, &method, &uri, &headers, b"").await);
    match st.store.snapshot(&account).await {
        Ok(Some(s)) => {
            Json(Snapshot { upto: s.upto, epoch: wire_epoch(s.epoch), blob: BASE64URL_NOPAD.encode(&s.blob) })
                .into_response()
        }
        Ok(None) => err(StatusCode::NOT_FOUND, "no_snapshot"),
        Err(e) => internal(e),
    }
}

async fn put_keys<S: SyncStore>(
    State(st): St<S>,
    account: Result<Path<String>, PathRejection>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let body = tryr!(body_of(body));
    let (account, _) = tryr!(device(&st, &account, &method, &uri, &headers, &body).await);
    let req: PutKeys = tryr!(json_of(&body));
    if req.envelopes.len() > MAX_ENVELOPES {
        return bad("bad_envelopes");
    }
    // One envelope per device (the last one given wins), in a stable order.
    let mut by_device: HashMap<String, Vec<u8>> = HashMap::new();
    for e in req.envelopes {
        if !valid_key(&e.device) {
            return bad("not_a_device");
        }
        let blob = tryr!(b64(&e.blob));
        by_device.insert(e.device, blob);
    }
    let mut envelopes: Vec<(String, Vec<u8>)> = by_device.into_iter().collect();
    envelopes.sort();
    match st.store.put_keys(&account, req.epoch as i64, &envelopes).await {
        Ok(KeysPut::Ok) => StatusCode::NO_CONTENT.into_response(),
        Ok(KeysPut::StaleEpoch(current)) => {
            (StatusCode::CONFLICT, Json(json!({"error": "stale_epoch", "epoch": current}))).into_response()
        }
        Ok(KeysPut::NotADevice) => bad("not_a_device"),
        Err(e) => internal(e),
    }
}

async fn get_keys<S: SyncStore>(
    State(st): St<S>,
    account: Result<Path<String>, PathRejection>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let (account, signer, _) = tryr!(device_or_recovery(&st, &account, &method, &uri, &headers, b"").await);
    match st.store.keys(&account, &signer).await {
        Ok(v) => Json(
            v.iter()
                .map(|(e, b)| KeyEnvelope { epoch: wire_epoch(*e), blob: BASE64URL_NOPAD.encode(b) })
                .collect::<Vec<_>>(),
        )
        .into_response(),
        Err(e) => internal(e),
    }
}

/// Epochs are stored as SQL integers and travel as u32 (they count device removals).
fn wire_epoch(e: i64) -> u32 {
    u32::try_from(e).unwrap_or(u32::MAX)
}

#[derive(Deserialize)]
struct PairBlob {
    blob: String,
}

fn ttl_ms<S>(st: &AppState<S>) -> i64 {
    st.opts.pairing_ttl.unwrap_or(PAIRING_TTL).as_millis().min(i64::MAX as u128) as i64
}

fn pair_input(
    slot: Result<Path<String>, PathRejection>,
    body: Result<Bytes, BytesRejection>,
) -> Result<(String, Vec<u8>), Response> {
    let slot = match slot {
        Ok(Path(s)) if valid_slot(&s) => s,
        _ => return Err(bad("bad_slot")),
    };
    let body = body_of(body)?;
    let req: PairBlob = json_of(&body)?;
    let blob = b64(&req.blob)?;
    if blob.len() > MAX_PAIR_BLOB {
        return Err(bad("blob_too_large"));
    }
    Ok((slot, blob))
}

async fn pair_hello<S: SyncStore>(
    State(st): St<S>,
    slot: Result<Path<String>, PathRejection>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let (slot, blob) = tryr!(pair_input(slot, body));
    let now = now_ms();
    match st.store.pair_hello(&slot, &blob, now, now - ttl_ms(&st)).await {
        Ok(true) => StatusCode::CREATED.into_response(),
        Ok(false) => err(StatusCode::CONFLICT, "slot_taken"),
        Err(e) => internal(e),
    }
}

async fn pair_welcome<S: SyncStore>(
    State(st): St<S>,
    slot: Result<Path<String>, PathRejection>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let (slot, blob) = tryr!(pair_input(slot, body));
    match st.store.pair_welcome(&slot, &blob, now_ms() - ttl_ms(&st)).await {
        Ok(true) => StatusCode::CREATED.into_response(),
        Ok(false) => err(StatusCode::CONFLICT, "slot_not_open"),
        Err(e) => internal(e),
    }
}

async fn pair_get<S: SyncStore>(State(st): St<S>, slot: Result<Path<String>, PathRejection>) -> Response {
    let slot = match slot {
        Ok(Path(s)) if valid_slot(&s) => s,
        _ => return bad("bad_slot"),
    };
    match st.store.pair_get(&slot, now_ms() - ttl_ms(&st)).await {
        Ok(Some((h, w))) => Json(json!({"hello": h.map(|b| BASE64URL_NOPAD.encode(&b)), "welcome": w.map(|b| BASE64URL_NOPAD.encode(&b))})).into_response(),
        Ok(None) => err(StatusCode::NOT_FOUND, "not_found"),
        Err(e) => internal(e),
    }
}
