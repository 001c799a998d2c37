//! One log line per request (method, path, status, time), through `tracing`. Only the
//! request line is logged, never a body, a query string (file tickets travel there) or a
//! header; path segments that are ids or keys are shortened, so the log can say which
//! route answered without handing out a link id, account or pairing slot.

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use std::time::Instant;

/// Segments longer than this are ids, keys or slots: only their start is logged.
const SHOWN: usize = 6;

/// The path with each long segment cut to its first `SHOWN` characters and `…`.
pub fn loggable_path(path: &str) -> String {
    path.split('/')
        .map(|seg| {
            if seg.chars().count() > 2 * SHOWN {
                format!("{}…", seg.chars().take(SHOWN).collect::<String>())
            } else {
                seg.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

pub async fn log_request(req: Request, next: Next) -> Response {
    let method = req.method().clone();
    let path = loggable_path(req.uri().path());
    let start = Instant::now();
    let response = next.run(req).await;
    let status = response.status().as_u16();
    let ms = start.elapsed().as_millis() as u64;
    if status >= 500 {
        tracing::warn!(%method, %path, status, ms, "request");
    } else {
        tracing::info!(%method, %path, status, ms, "request");
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_shortened_routes_kept() {
        assert_eq!(loggable_path("/shl/AbCdEfGhIjKlMnOpQrStUv/file/0"), "/shl/AbCdEf…/file/0");
        assert_eq!(loggable_path("/api/links"), "/api/links");
        assert_eq!(loggable_path("/sync/pair/0123456789abcdef0123/hello"), "/sync/pair/012345…/hello");
    }
}
