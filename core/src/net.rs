//! The one way the core talks HTTP (Strava, the SMART/FHIR client, the share relay, sync).
//!
//! Every client is built by [`client`]: blocking reqwest over rustls, a total timeout, no
//! redirects (none of our calls needs one, and following one could send a bearer token or
//! a signed request to another host), and a user agent naming only the app and its
//! version. Answers are read with [`read_body`] (bounded, so a broken or hostile server
//! cannot fill memory) and failures become the core's [`Error`] by one rule:
//! no answer (connect, DNS, timeout, cut off) or a gateway error is [`Error::Network`]
//! (worth retrying later); any other refusal is [`Error::Invalid`] naming the service.
//! Messages never carry URLs, bodies or tokens (`reqwest` errors are reduced to a kind).
//!
//! Nothing here starts a request on its own: each caller runs only when the user asked.

use crate::{Error, Result};
use std::io::Read;
use std::time::Duration;

/// What the core says it is: the app and its version, nothing about the person.
pub const USER_AGENT: &str = concat!("phr/", env!("CARGO_PKG_VERSION"));

/// The largest answer read into memory (a whole GP record as one `$everything` page is
/// far below this; a relay or Strava answer is kilobytes).
pub const MAX_BODY_BYTES: u64 = 256 * 1024 * 1024;

/// A blocking HTTP client with the rules above.
pub fn client(service: &'static str, timeout: Duration) -> Result<reqwest::blocking::Client> {
    reqwest::blocking::Client::builder()
        .use_rustls_tls()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(timeout)
        .connect_timeout(timeout.min(Duration::from_secs(15)))
        .user_agent(USER_AGENT)
        .build()
        .map_err(|_| Error::Network { service, reason: "the HTTP client could not start".into() })
}

/// A request that got no (complete) answer.
pub fn transport_error(service: &'static str, what: &str, e: &reqwest::Error) -> Error {
    let kind = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "could not connect"
    } else if e.is_body() || e.is_decode() {
        "the answer was cut off"
    } else {
        "the connection failed"
    };
    Error::Network { service, reason: format!("{what}: {kind}") }
}

/// Whether an HTTP status means "try again later" rather than "the server said no".
pub fn is_transient(status: u16) -> bool {
    matches!(status, 408 | 429 | 502..=504)
}

/// A non-success status: a gateway or overload is the network; anything else is the
/// service refusing `what`.
pub fn status_error(service: &'static str, what: &str, status: u16) -> Error {
    if is_transient(status) {
        Error::Network { service, reason: format!("{what}: HTTP {status}") }
    } else {
        Error::Invalid { field: service, reason: format!("{what}: HTTP {status}") }
    }
}

/// The whole body, at most [`MAX_BODY_BYTES`].
pub fn read_body(service: &'static str, what: &str, resp: reqwest::blocking::Response) -> Result<Vec<u8>> {
    read_limited(service, what, resp, MAX_BODY_BYTES)
}

fn read_limited(service: &'static str, what: &str, body: impl Read, limit: u64) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    body.take(limit + 1)
        .read_to_end(&mut out)
        .map_err(|_| Error::Network { service, reason: format!("{what}: the answer was cut off") })?;
    if out.len() as u64 > limit {
        return Err(Error::Invalid { field: service, reason: format!("{what}: the answer is too large") });
    }
    Ok(out)
}

/// A JSON body of the expected shape (the parser's message says where, never what).
pub fn json<T: serde::de::DeserializeOwned>(service: &'static str, what: &str, bytes: &[u8]) -> Result<T> {
    serde_json::from_slice(bytes).map_err(|e| Error::Invalid {
        field: service,
        reason: format!("{what}: not the expected JSON (line {}, column {})", e.line(), e.column()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_map_to_network_or_refusal() {
        assert!(matches!(status_error("relay", "x", 503), Error::Network { service: "relay", .. }));
        assert!(matches!(status_error("relay", "x", 429), Error::Network { .. }));
        assert!(matches!(status_error("relay", "x", 404), Error::Invalid { field: "relay", .. }));
        assert!(matches!(status_error("relay", "x", 400), Error::Invalid { .. }));
    }

    #[test]
    fn bodies_are_bounded_and_json_errors_do_not_quote() {
        assert_eq!(read_limited("s", "w", &b"12345"[..], 5).unwrap(), b"12345");
        let e = read_limited("s", "w", &b"123456"[..], 5).unwrap_err();
        assert!(e.to_string().contains("too large"), "{e}");
        let e = json::<serde_json::Value>("s", "w", b"{\"name\": SENTINEL}").unwrap_err();
        assert!(!e.to_string().contains("SENTINEL"), "{e}");
    }

    #[test]
    fn the_user_agent_names_only_the_app() {
        assert!(USER_AGENT.starts_with("phr/") && !USER_AGENT.contains(' '));
        assert!(client("test", Duration::from_secs(1)).is_ok());
    }
}
