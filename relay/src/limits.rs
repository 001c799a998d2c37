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
        Some(n) if n > limit as u64 => return refuse(StatusCode::PAYLOAD_TOO_LARGE, "too_large"),
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
