//! SMART on FHIR client: standalone patient launch for a public (phone) client.
//!
//! `discover` reads `.well-known/smart-configuration`; [`AuthRequest::new`] builds the
//! authorization URL with PKCE (S256: SHA-256 from ring, base64url from data-encoding);
//! [`exchange_code`] and [`refresh`] talk to the token endpoint; [`fetch_all`] takes
//! `Patient/$everything` when the server's CapabilityStatement offers it, otherwise one
//! search per resource type, following `Bundle.link[next]`. Nothing here runs unless the
//! owner asked for a connection or a pull.

use crate::{Error, Result};
use data_encoding::BASE64URL_NOPAD;
use phr_secret::SecretString;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::time::Duration;
use url::Url;

/// Resource types fetched one by one when `$everything` is not offered.
pub const PULL_TYPES: &[&str] = &[
    "RelatedPerson",
    "Condition",
    "MedicationStatement",
    "MedicationRequest",
    "AllergyIntolerance",
    "Procedure",
    "Immunization",
    "Observation",
    "DiagnosticReport",
    "Encounter",
    "Consent",
];

/// The fixed client id this app registers as (a public client: no secret).
pub const CLIENT_ID: &str = "phr-core";

/// The server answered, but not with what it should have.
fn net(what: &str, e: impl std::fmt::Display) -> Error {
    Error::Invalid { field: SERVICE, reason: format!("{what}: {e}") }
}

/// The service name in errors.
pub const SERVICE: &str = "FHIR server";

/// A request that got no (complete) answer.
fn transport(what: &str, e: reqwest::Error) -> Error {
    crate::net::transport_error(SERVICE, what, &e)
}

/// An HTTP error status, by the one rule in [`crate::net::status_error`].
fn status_error(what: &str, status: reqwest::StatusCode) -> Error {
    crate::net::status_error(SERVICE, what, status.as_u16())
}

/// The HTTP client for the GP's server (see [`crate::net::client`]: no redirects, which
/// [`authorize_without_login`] relies on to read the code from `Location`).
pub fn http_client() -> Result<reqwest::blocking::Client> {
    crate::net::client(SERVICE, Duration::from_secs(60))
}

/// What `.well-known/smart-configuration` says.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SmartConfig {
    pub authorization_endpoint: String,
    pub token_endpoint: String,
    #[serde(default)]
    pub code_challenge_methods_supported: Vec<String>,
    #[serde(default)]
    pub capabilities: Vec<String>,
}

fn trim_base(base: &str) -> String {
    base.trim_end_matches('/').to_string()
}

pub fn discover(http: &reqwest::blocking::Client, base: &str) -> Result<SmartConfig> {
    let url = resource_url(base, &[".well-known", "smart-configuration"], &[])?;
    let resp = http
        .get(&url)
        .header("accept", "application/json")
        .send()
        .map_err(|e| transport("discovery failed", e))?;
    if !resp.status().is_success() {
        return Err(status_error("discovery failed", resp.status()));
    }
    let body = crate::net::read_body(SERVICE, "discovery", resp)?;
    let cfg: SmartConfig = crate::net::json(SERVICE, "the SMART configuration", &body)?;
    if !cfg.code_challenge_methods_supported.is_empty()
        && !cfg.code_challenge_methods_supported.iter().any(|m| m == "S256")
    {
        return Err(net("the server does not offer PKCE S256", "refusing to connect without it"));
    }
    Ok(cfg)
}

/// A PKCE pair (RFC 7636): 32 random bytes as the verifier, SHA-256 of it as challenge.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Pkce {
    #[serde(serialize_with = "phr_secret::expose")]
    pub verifier: SecretString,
    pub challenge: String,
}

impl Pkce {
    pub fn new() -> Result<Pkce> {
        let mut b = [0u8; 32];
        ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut b)
            .map_err(|_| Error::Crypto("no randomness"))?;
        Ok(Pkce::from_verifier(&BASE64URL_NOPAD.encode(&b)))
    }
    pub fn from_verifier(verifier: &str) -> Pkce {
        let d = ring::digest::digest(&ring::digest::SHA256, verifier.as_bytes());
        Pkce { verifier: verifier.into(), challenge: BASE64URL_NOPAD.encode(d.as_ref()) }
    }
}

/// One authorization attempt: the URL to open, and what to check on the way back.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct AuthRequest {
    pub base: String,
    pub url: String,
    pub state: String,
    pub redirect_uri: String,
    pub pkce: Pkce,
    pub token_endpoint: String,
}

/// The query parameters of a redirect: a whole URL, or the path and query the loopback
/// listener saw (`/callback?code=...`).
pub fn query_params(redirect: &str) -> Result<Vec<(String, String)>> {
    let base = Url::parse("http://redirect.invalid/").map_err(|e| net("internal", e))?;
    let url = base.join(redirect.trim()).map_err(|e| net("the redirect is not a URL", e))?;
    Ok(url.query_pairs().map(|(k, v)| (k.into_owned(), v.into_owned())).collect())
}

/// `base` (which may have a path, like `https://gp.example/fhir`) with more path segments
/// (each percent-encoded as one segment) and query parameters.
fn resource_url(base: &str, segments: &[&str], query: &[(&str, &str)]) -> Result<String> {
    let mut url = Url::parse(base).map_err(|e| net("the server address is not a URL", e))?;
    url.path_segments_mut()
        .map_err(|()| net("the server address is not a URL", "it cannot have a path"))?
        .pop_if_empty()
        .extend(segments);
    if !query.is_empty() {
        url.query_pairs_mut().extend_pairs(query);
    }
    Ok(url.into())
}

impl AuthRequest {
    pub fn new(base: &str, cfg: &SmartConfig, redirect_uri: &str) -> Result<AuthRequest> {
        let pkce = Pkce::new()?;
        let mut st = [0u8; 16];
        ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut st)
            .map_err(|_| Error::Crypto("no randomness"))?;
        let state = BASE64URL_NOPAD.encode(&st);
        let scope = "launch/patient openid fhirUser offline_access patient/*.read";
        let base = trim_base(base);
        let mut url = Url::parse(&cfg.authorization_endpoint)
            .map_err(|e| net("the authorization endpoint is not a URL", e))?;
        url.query_pairs_mut().extend_pairs([
            ("response_type", "code"),
            ("client_id", CLIENT_ID),
            ("redirect_uri", redirect_uri),
            ("scope", scope),
            ("state", &state),
            ("aud", &base),
            ("code_challenge", &pkce.challenge),
            ("code_challenge_method", "S256"),
        ]);
        let url = url.into();
        Ok(AuthRequest {
            base,
            url,
            state,
            redirect_uri: redirect_uri.into(),
            pkce,
            token_endpoint: cfg.token_endpoint.clone(),
        })
    }

    /// The code from the redirect URL, after checking `state` (CSRF) and errors.
    pub fn code_from_redirect(&self, redirect: &str) -> Result<String> {
        let p = query_params(redirect)?;
        // A parameter given twice is ambiguous (which one did the server mean?): refused.
        let get = |k: &str| -> Result<Option<String>> {
            let mut vals = p.iter().filter(|(a, _)| a == k).map(|(_, v)| v.clone());
            match (vals.next(), vals.next()) {
                (first, None) => Ok(first),
                (Some(_), Some(_)) | (None, Some(_)) => {
                    Err(net("authorization failed", format!("the redirect has `{k}` more than once")))
                }
            }
        };
        if let Some(e) = get("error")? {
            return Err(net("authorization was refused", e));
        }
        if get("state")?.as_deref() != Some(self.state.as_str()) {
            return Err(net("authorization failed", "the state does not match (possible forgery)"));
        }
        get("code")?
            .filter(|c| !c.is_empty())
            .ok_or_else(|| net("authorization failed", "no code in the redirect"))
    }
}

/// A live connection to a FHIR server, kept sealed in the record's settings.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Connection {
    pub base: String,
    pub token_endpoint: String,
    #[serde(serialize_with = "phr_secret::expose")]
    pub access_token: SecretString,
    #[serde(default, serialize_with = "phr_secret::expose_opt")]
    pub refresh_token: Option<SecretString>,
    pub expires_at_ms: i64,
    #[serde(default)]
    pub patient: Option<String>,
}

#[derive(Deserialize)]
struct TokenResponse {
    access_token: SecretString,
    #[serde(default)]
    refresh_token: Option<SecretString>,
    #[serde(default)]
    expires_in: Option<i64>,
    #[serde(default)]
    patient: Option<String>,
}

fn token_call(
    http: &reqwest::blocking::Client,
    endpoint: &str,
    form: &[(&str, &str)],
) -> Result<TokenResponse> {
    let body = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(form).finish();
    let resp = http
        .post(endpoint)
        .header("content-type", "application/x-www-form-urlencoded")
        .header("accept", "application/json")
        .body(body)
        .send()
        .map_err(|e| transport("the token request failed", e))?;
    let status = resp.status();
    let text = crate::net::read_body(SERVICE, "the token response", resp)?;
    if crate::net::is_transient(status.as_u16()) {
        return Err(status_error("the token request failed", status));
    }
    if !status.is_success() {
        let err: Value = serde_json::from_slice(&text).unwrap_or_default();
        let code = err.get("error").and_then(Value::as_str).unwrap_or("error");
        return Err(net("the token request was refused", format!("HTTP {} {code}", status.as_u16())));
    }
    crate::net::json(SERVICE, "the token response", &text)
}

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// Swaps the authorization code (with the PKCE verifier) for tokens.
pub fn exchange_code(http: &reqwest::blocking::Client, req: &AuthRequest, code: &str) -> Result<Connection> {
    let t = token_call(
        http,
        &req.token_endpoint,
        &[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", &req.redirect_uri),
            ("client_id", CLIENT_ID),
            ("code_verifier", req.pkce.verifier.expose_secret()),
        ],
    )?;
    Ok(Connection {
        base: req.base.clone(),
        token_endpoint: req.token_endpoint.clone(),
        access_token: t.access_token,
        refresh_token: t.refresh_token,
        expires_at_ms: now_ms() + t.expires_in.unwrap_or(3600) * 1000,
        patient: t.patient,
    })
}

/// Gets a new access token with the refresh token.
pub fn refresh(http: &reqwest::blocking::Client, conn: &mut Connection) -> Result<()> {
    let Some(rt) = conn.refresh_token.clone() else {
        return Err(net("the connection has expired", "connect again (`phr fhir connect`)"));
    };
    let t = token_call(
        http,
        &conn.token_endpoint,
        &[("grant_type", "refresh_token"), ("refresh_token", rt.expose_secret()), ("client_id", CLIENT_ID)],
    )?;
    conn.access_token = t.access_token;
    conn.refresh_token = t.refresh_token.or(Some(rt));
    conn.expires_at_ms = now_ms() + t.expires_in.unwrap_or(3600) * 1000;
    if t.patient.is_some() {
        conn.patient = t.patient;
    }
    Ok(())
}

/// For servers (test ones) whose authorize endpoint approves without a login page:
/// requests the authorization URL and reads the code from the redirect.
pub fn authorize_without_login(http: &reqwest::blocking::Client, req: &AuthRequest) -> Result<String> {
    let resp = http.get(&req.url).send().map_err(|e| transport("authorization failed", e))?;
    let loc = resp.headers().get("location").and_then(|l| l.to_str().ok()).ok_or_else(|| {
        net("authorization failed", "the server wants a login page; open the URL in a browser")
    })?;
    req.code_from_redirect(loc)
}

/// Waits for the browser's redirect to a loopback listener (RFC 8252) and returns the
/// redirect's path and query.
pub fn wait_for_redirect(listener: &std::net::TcpListener, timeout: Duration) -> Result<String> {
    use std::io::{BufRead, Write};
    listener.set_nonblocking(false).map_err(|e| net("loopback listener", e))?;
    let deadline = std::time::Instant::now() + timeout;
    listener.set_nonblocking(true).map_err(|e| net("loopback listener", e))?;
    loop {
        match listener.accept() {
            Ok((mut s, _)) => {
                s.set_nonblocking(false).map_err(|e| net("loopback listener", e))?;
                let mut line = String::new();
                std::io::BufReader::new(&s).read_line(&mut line).map_err(|e| net("loopback listener", e))?;
                let _ = s.write_all(b"HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\nconnection: close\r\n\r\nConnected. You can close this window and go back to phr.\n");
                return Ok(line.split_whitespace().nth(1).unwrap_or_default().to_string());
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                if std::time::Instant::now() > deadline {
                    return Err(net("no answer from the browser", "timed out"));
                }
                std::thread::sleep(Duration::from_millis(100));
            }
            Err(e) => return Err(net("loopback listener", e)),
        }
    }
}

fn get_json(http: &reqwest::blocking::Client, conn: &mut Connection, url: &str) -> Result<Value> {
    if conn.expires_at_ms <= now_ms() + 5_000 {
        refresh(http, conn)?;
    }
    let mut retried = false;
    loop {
        let send = || {
            http.get(url)
                .bearer_auth(conn.access_token.expose_secret())
                .header("accept", "application/fhir+json")
                .send()
        };
        // GET is idempotent: one retry covers a keep-alive connection the server closed.
        let resp = send().or_else(|_| send()).map_err(|e| transport("request failed", e))?;
        let status = resp.status();
        if status.as_u16() == 401 && !retried && conn.refresh_token.is_some() {
            refresh(http, conn)?;
            retried = true;
            continue;
        }
        if !status.is_success() {
            return Err(status_error("the server refused a request", status));
        }
        let bytes = crate::net::read_body(SERVICE, "the answer", resp)?;
        return serde_json::from_slice(&bytes).map_err(|e| super::json_error(&e));
    }
}

/// Whether the server's CapabilityStatement offers `Patient/$everything`.
pub fn supports_everything(http: &reqwest::blocking::Client, conn: &mut Connection) -> Result<bool> {
    let cap = get_json(http, conn, &resource_url(&conn.base, &["metadata"], &[])?)?;
    let ops = |v: &Value| {
        v.get("operation")
            .and_then(Value::as_array)
            .map(|a| a.iter().any(|o| o.get("name").and_then(Value::as_str) == Some("everything")))
            .unwrap_or(false)
    };
    Ok(cap.get("rest").and_then(Value::as_array).into_iter().flatten().any(|rest| {
        ops(rest)
            || rest
                .get("resource")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .any(|r| r.get("type").and_then(Value::as_str) == Some("Patient") && ops(r))
    }))
}

/// Follows a searchset through its `next` links, collecting entries (bounded by `max_pages`).
fn collect_pages(
    http: &reqwest::blocking::Client,
    conn: &mut Connection,
    first: &str,
    out: &mut Vec<Value>,
    pages: &mut u32,
) -> Result<()> {
    let mut url = Some(first.to_string());
    while let Some(u) = url.take() {
        *pages += 1;
        if *pages > 10_000 {
            return Err(net("too many pages", "stopped after 10,000"));
        }
        let mut b = get_json(http, conn, &u)?;
        if b.get("resourceType").and_then(Value::as_str) != Some("Bundle") {
            return Err(net("a search did not return a Bundle", "unexpected answer"));
        }
        url = b
            .get("link")
            .and_then(Value::as_array)
            .and_then(|l| l.iter().find(|x| x.get("relation").and_then(Value::as_str) == Some("next")))
            .and_then(|x| x.get("url"))
            .and_then(Value::as_str)
            .map(str::to_string);
        if let Some(Value::Array(es)) = b.get_mut("entry").map(Value::take) {
            // Search results only: servers may add OperationOutcome entries (mode outcome).
            out.extend(
                es.into_iter()
                    .filter(|e| e.pointer("/search/mode").and_then(Value::as_str) != Some("outcome")),
            );
        }
    }
    Ok(())
}

/// What a pull fetched.
#[derive(Clone, Debug, Default, Serialize)]
pub struct PullStats {
    pub used_everything: bool,
    pub pages: u32,
    pub resources: usize,
}

/// Fetches the patient's whole record as one `collection` Bundle (JSON).
pub fn fetch_all(
    http: &reqwest::blocking::Client,
    conn: &mut Connection,
    page_size: u32,
) -> Result<(Value, PullStats)> {
    let patient = conn.patient.clone().ok_or_else(|| {
        net("the server did not say which patient this is", "no patient in the token response")
    })?;
    let base = conn.base.clone();
    let mut stats = PullStats { used_everything: supports_everything(http, conn)?, ..Default::default() };
    let mut entries = Vec::new();
    if stats.used_everything {
        let url = resource_url(&base, &["Patient", &patient, "$everything"], &[])?;
        collect_pages(http, conn, &url, &mut entries, &mut stats.pages)?;
    } else {
        let p = get_json(http, conn, &resource_url(&base, &["Patient", &patient], &[])?)?;
        entries.push(serde_json::json!({ "fullUrl": format!("{base}/Patient/{patient}"), "resource": p }));
        let subject = format!("Patient/{patient}");
        let count = page_size.to_string();
        for t in PULL_TYPES {
            let url = resource_url(&base, &[t], &[("patient", &subject), ("_count", &count)])?;
            collect_pages(http, conn, &url, &mut entries, &mut stats.pages)?;
        }
        // Medications the statements refer to.
        let mut wanted = std::collections::BTreeSet::new();
        for e in &entries {
            if let Some(r) = e.pointer("/resource/medicationReference/reference").and_then(Value::as_str) {
                if let Some(id) = r.strip_prefix("Medication/") {
                    wanted.insert(id.to_string());
                }
            }
        }
        for id in wanted {
            if let Ok(m) = get_json(http, conn, &resource_url(&base, &["Medication", &id], &[])?) {
                entries
                    .push(serde_json::json!({ "fullUrl": format!("{base}/Medication/{id}"), "resource": m }));
            }
        }
    }
    stats.resources = entries.len();
    Ok((
        serde_json::json!({ "resourceType": "Bundle", "type": "collection", "meta": { "source": base }, "entry": entries }),
        stats,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A one-shot HTTP server on 127.0.0.1 that answers `reply` to the first request.
    fn serve_once(reply: &'static str) -> String {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = l.local_addr().unwrap();
        std::thread::spawn(move || {
            if let Ok((mut s, _)) = l.accept() {
                use std::io::{Read, Write};
                let mut buf = [0u8; 4096];
                let _ = s.read(&mut buf);
                let _ = s.write_all(reply.as_bytes());
            }
        });
        format!("http://{addr}")
    }

    #[test]
    fn transport_failures_are_network_errors_and_bad_answers_are_not() {
        let http = http_client().unwrap();
        // Nothing listens: a port that was bound and released.
        let closed = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            format!("http://{}", l.local_addr().unwrap())
        };
        let e = discover(&http, &closed).unwrap_err();
        assert!(matches!(&e, Error::Network { service: "FHIR server", .. }), "{e:?}");
        assert!(matches!(crate::PublicError::from(&e), crate::PublicError::Network { .. }));
        // The connection drops before an answer.
        let e = discover(&http, &serve_once("")).unwrap_err();
        assert!(matches!(&e, Error::Network { .. }), "{e:?}");
        // A gateway that cannot reach the server.
        let e = discover(&http, &serve_once("HTTP/1.1 503 Service Unavailable\r\ncontent-length: 0\r\n\r\n"))
            .unwrap_err();
        assert!(matches!(&e, Error::Network { .. }), "{e:?}");
        // The server answers, wrongly: bad data, not the network.
        let e = discover(
            &http,
            &serve_once(
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 5\r\n\r\n{oops",
            ),
        )
        .unwrap_err();
        assert!(matches!(&e, Error::Invalid { field: "FHIR server", .. }), "{e:?}");
        let e =
            discover(&http, &serve_once("HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n")).unwrap_err();
        assert!(matches!(&e, Error::Invalid { .. }), "{e:?}");
    }

    #[test]
    fn pkce_challenge_is_sha256_base64url() {
        // Cross-checked with python hashlib + base64.urlsafe_b64encode.
        let p = Pkce::from_verifier("dBjftJeZ4CVP-mB92K27uhbUJU1p1r7wW1gFWFOEjXk");
        assert_eq!(p.challenge, "bwWFMyPfdG9qreDhH2lmftFx_dFeLDalzcT1gb_j68g");
        let q = Pkce::new().unwrap();
        assert!(q.verifier.expose_secret().len() >= 43);
    }

    #[test]
    fn redirect_state_is_checked() {
        let cfg = SmartConfig {
            authorization_endpoint: "http://a/auth".into(),
            token_endpoint: "http://a/token".into(),
            code_challenge_methods_supported: vec!["S256".into()],
            capabilities: vec![],
        };
        let r = AuthRequest::new("http://a/fhir/", &cfg, "http://127.0.0.1:1/cb").unwrap();
        assert!(r.url.contains("code_challenge_method=S256"));
        assert_eq!(
            r.code_from_redirect(&format!("http://127.0.0.1:1/cb?code=abc&state={}", r.state)).unwrap(),
            "abc"
        );
        assert!(r.code_from_redirect("http://127.0.0.1:1/cb?code=abc&state=evil").is_err());
        assert!(r.code_from_redirect("/cb?error=access_denied").is_err());
    }

    #[test]
    fn redirects_with_encoded_repeated_and_missing_parameters() {
        let cfg = SmartConfig {
            authorization_endpoint: "https://a.example/auth?tenant=x%20y".into(),
            token_endpoint: "https://a.example/token".into(),
            code_challenge_methods_supported: vec![],
            capabilities: vec![],
        };
        let r = AuthRequest::new("https://a.example/fhir", &cfg, "http://127.0.0.1:1/cb?a=1&b=2").unwrap();
        // The authorization URL keeps the endpoint's own parameter and encodes ours.
        let sent: Vec<(String, String)> = query_params(&r.url).unwrap();
        let get = |k: &str| sent.iter().find(|(a, _)| a == k).map(|(_, v)| v.as_str());
        assert_eq!(get("tenant"), Some("x y"));
        assert_eq!(get("redirect_uri"), Some("http://127.0.0.1:1/cb?a=1&b=2"));
        assert_eq!(get("scope"), Some("launch/patient openid fhirUser offline_access patient/*.read"));
        assert!(r.url.contains("redirect_uri=http%3A%2F%2F127.0.0.1%3A1%2Fcb%3Fa%3D1%26b%3D2"), "{}", r.url);
        let st = &r.state;
        // Encoded characters come back decoded (`%2F`, `+` as space, `%26` not a separator).
        assert_eq!(
            r.code_from_redirect(&format!("/cb?state={st}&code=a%2Fb%2Bc+d%26e")).unwrap(),
            "a/b+c d&e"
        );
        assert_eq!(
            r.code_from_redirect(&format!("http://127.0.0.1:1/cb?code=xyz&state={st}#frag")).unwrap(),
            "xyz"
        );
        // Missing: no code, an empty code, no state.
        assert!(r.code_from_redirect(&format!("/cb?state={st}")).is_err());
        assert!(r.code_from_redirect(&format!("/cb?state={st}&code=")).is_err());
        assert!(r.code_from_redirect("/cb?code=xyz").is_err());
        // Repeated: refused, even when one of the values is right.
        assert!(r.code_from_redirect(&format!("/cb?state={st}&code=a&code=b")).is_err());
        assert!(r.code_from_redirect(&format!("/cb?state=evil&state={st}&code=a")).is_err());
        // The error parameter wins, decoded.
        let e = r.code_from_redirect(&format!("/cb?state={st}&error=access%20denied")).unwrap_err();
        assert!(e.to_string().contains("access denied"), "{e}");
    }

    #[test]
    fn resource_urls_keep_the_base_path_and_encode_segments() {
        assert_eq!(
            resource_url("https://gp.example/fhir/", &["Patient", "a b/c", "$everything"], &[]).unwrap(),
            "https://gp.example/fhir/Patient/a%20b%2Fc/$everything"
        );
        assert_eq!(
            resource_url("http://h:8080", &["Condition"], &[("patient", "Patient/1"), ("_count", "50")])
                .unwrap(),
            "http://h:8080/Condition?patient=Patient%2F1&_count=50"
        );
        assert!(resource_url("not a url", &["x"], &[]).is_err());
    }
}
