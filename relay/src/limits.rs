//! Request bodies are bounded before a byte of them is read (issue 18): a request without
//! well-formed signature headers on a signed route is refused from its headers alone, a
//! declared length over the route's limit answers 413 at once, and every body that is read
//! first takes its size from one shared budget ([`BODY_BUDGET`]), so however many requests
//! arrive at once the relay never holds more than the budget in request bodies. The
//! signature itself covers the body's hash, so it can only be checked once the body is in.

use axum::extract::{Request, State};
use axum::http::{header, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Semaphore;

/// Largest owner-API or sync body (a link's files, a push of 1000 ops, key envelopes).
pub const MAX_BODY: usize = 16 * 1024 * 1024;
/// Largest snapshot upload.
pub const MAX_SNAPSHOT_BODY: usize = 64 * 1024 * 1024;
/// Largest pairing message body.
pub const MAX_PAIR_BODY: usize = 128 * 1024;
/// Request bodies held at once, all requests together. A handler holds at most about twice
/// its body (the bytes and their parsed form), so bodies stay under 128 MiB of the relay's
/// 256 MiB bound.
pub const BODY_BUDGET: usize = 64 * 1024 * 1024;
// The largest body must fit the budget, or it could never be read.
const _: () = assert!(MAX_SNAPSHOT_BODY <= BODY_BUDGET && MAX_BODY <= BODY_BUDGET);
/// The budget is counted in units of this many bytes.
const UNIT: usize = 64 * 1024;
/// How long a request waits for room in the budget before it is told to come back.
const WAIT: Duration = Duration::from_secs(30);

/// The shared budget of body bytes in flight.
pub struct BodyBudget {
    units: Arc<Semaphore>,
}

impl Default for BodyBudget {
    fn default() -> Self {
        Self { units: Arc::new(Semaphore::new(BODY_BUDGET / UNIT)) }
    }
}

/// The largest body `method path` may send.
pub fn body_limit(method: &Method, path: &str) -> usize {
    if path.starts_with("/sync/pair/") {
        MAX_PAIR_BODY
    } else if method == Method::PUT && path.starts_with("/sync/") && path.ends_with("/snapshot") {
        MAX_SNAPSHOT_BODY
    } else {
        MAX_BODY
    }
}

/// Routes whose every request carries the owner's or device's signature headers.
fn signed_route(path: &str) -> bool {
    path.starts_with("/api/") || (path.starts_with("/sync/") && !path.starts_with("/sync/pair/"))
}

fn refuse(status: StatusCode, code: &str) -> Response {
    crate::err(status, code)
}

/// How long a refused body is read and thrown away before the answer.
const DRAIN_TIME: Duration = Duration::from_secs(5);

async fn drain(mut body: axum::body::Body) {
    use axum::body::HttpBody;
    let deadline = tokio::time::Instant::now() + DRAIN_TIME;
    loop {
        let next = std::future::poll_fn(|cx| std::pin::Pin::new(&mut body).poll_frame(cx));
        match tokio::time::timeout_at(deadline, next).await {
            Ok(Some(Ok(_))) => {}
            _ => break,
        }
    }
}

/// The middleware: header checks, the declared length, then room in the budget held until
/// the handler has answered.
pub async fn bound_body(State(budget): State<Arc<BodyBudget>>, req: Request, next: Next) -> Response {
    let path = req.uri().path();
    if signed_route(path) {
        let h = |n: &str| req.headers().get(n).and_then(|v| v.to_str().ok());
        if let Err(e) = phr_relay_protocol::precheck(
            h(phr_relay_protocol::HEADER_OWNER),
            h(phr_relay_protocol::HEADER_TIME),
            h(phr_relay_protocol::HEADER_SIG),
            crate::now_ms(),
        ) {
            return refuse(StatusCode::UNAUTHORIZED, e.code());
        }
    }
    let limit = body_limit(req.method(), path);
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let bytes = match declared {
        Some(n) if n > limit as u64 => {
            // A client a little over the limit gets a readable 413: the body is read and
            // thrown away (never held) for a short while, so closing the connection does not
            // reset it before the client has read the answer. Far over, it is cut at once.
            if n <= 2 * limit as u64 {
                drain(req.into_body()).await;
            }
            return refuse(StatusCode::PAYLOAD_TOO_LARGE, "too_large");
        }
        Some(n) => n as usize,
        // No declared length: a chunked body may be as long as the route allows.
        None if req.method() == Method::POST || req.method() == Method::PUT => limit,
        None => 0,
    };
    if bytes == 0 {
        return next.run(req).await;
    }
    let units = u32::try_from(bytes.div_ceil(UNIT)).unwrap_or(u32::MAX);
    let permit = match tokio::time::timeout(WAIT, budget.units.clone().acquire_many_owned(units)).await {
        Ok(Ok(p)) => p,
        _ => {
            let mut r = refuse(StatusCode::SERVICE_UNAVAILABLE, "busy");
            r.headers_mut().insert(header::RETRY_AFTER, header::HeaderValue::from_static("5"));
            return r;
        }
    };
    let response = next.run(req).await;
    drop(permit);
    response.into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_by_route() {
        assert_eq!(body_limit(&Method::PUT, "/sync/abcdefghijklmnop/snapshot"), MAX_SNAPSHOT_BODY);
        assert_eq!(body_limit(&Method::PUT, "/sync/pair/ab/hello"), MAX_PAIR_BODY);
        assert_eq!(body_limit(&Method::POST, "/api/links"), MAX_BODY);
        assert!(signed_route("/sync/x/ops") && signed_route("/api/links") && !signed_route("/sync/pair/x"));
        assert!(!signed_route("/shl/x"));
    }
}

/// Signed requests per key: a bucket of `burst` requests refilled at `per_minute`, in this
/// relay process (instances sharing a PostgreSQL database each keep their own).
pub struct RateLimiter {
    per_minute: u32,
    burst: u32,
    buckets: std::sync::Mutex<std::collections::HashMap<String, (f64, std::time::Instant)>>,
}

/// Defaults (ARCHITECTURE.md, *Relay limits*): 20 a second sustained, 300 at once.
pub const DEFAULT_RATE_PER_MINUTE: u32 = 1200;
pub const DEFAULT_RATE_BURST: u32 = 300;
/// Keys remembered before full buckets are forgotten.
const MAX_TRACKED_KEYS: usize = 100_000;

impl RateLimiter {
    pub fn new(per_minute: u32, burst: u32) -> Self {
        Self { per_minute: per_minute.max(1), burst: burst.max(1), buckets: Default::default() }
    }

    /// Takes one request from `key`'s bucket; `Err(seconds to wait)` when it is empty.
    pub fn take(&self, key: &str) -> Result<(), u64> {
        let now = std::time::Instant::now();
        let rate = f64::from(self.per_minute) / 60.0;
        let burst = f64::from(self.burst);
        let mut b = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        if b.len() >= MAX_TRACKED_KEYS && !b.contains_key(key) {
            b.retain(|_, (tokens, at)| *tokens + now.duration_since(*at).as_secs_f64() * rate < burst);
        }
        let (tokens, at) = b.entry(key.to_string()).or_insert((burst, now));
        *tokens = (*tokens + now.duration_since(*at).as_secs_f64() * rate).min(burst);
        *at = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            Ok(())
        } else {
            Err(((1.0 - *tokens) / rate).ceil().max(1.0) as u64)
        }
    }
}

/// Stored bytes per key (the owner's active links; a sync account's ops and snapshot).
pub const DEFAULT_LINK_QUOTA: u64 = 64 * 1024 * 1024;
pub const DEFAULT_SYNC_QUOTA: u64 = 1024 * 1024 * 1024;

/// 413 `quota_exceeded`, saying how much is used and allowed.
pub fn over_quota(used: u64, adding: u64, quota: u64) -> Response {
    (
        StatusCode::PAYLOAD_TOO_LARGE,
        axum::Json(
            serde_json::json!({"error": "quota_exceeded", "used": used, "adding": adding, "quota": quota}),
        ),
    )
        .into_response()
}

#[cfg(test)]
mod rate_tests {
    use super::*;

    #[test]
    fn a_key_gets_its_burst_then_waits_and_others_are_not_affected() {
        let r = RateLimiter::new(60, 3);
        assert!((0..3).all(|_| r.take("a").is_ok()));
        assert_eq!(r.take("a"), Err(1));
        assert!(r.take("b").is_ok());
    }
}
