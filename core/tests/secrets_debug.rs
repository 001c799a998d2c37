//! Every type that holds a token, key, passcode or pairing secret prints without it in
//! `Debug` (issue 13, item 4), while its stored or wire JSON still carries it unchanged.

use chrono::{TimeZone, Utc};
use phr_core::consent::{Grant, LinkInfo, Recipient, RecipientCategory};
use phr_core::fhir::smart::{AuthRequest, Connection, Pkce, SmartConfig};
use phr_core::import::strava::{HttpRequest, Tokens};
use phr_core::import::strava_account::{AppCredentials, StravaConnection};
use phr_core::share::relay::{NewFile, NewLink};
use phr_core::share::{outcome_for, ShareOptions, ShlPayload};
use phr_core::SecretString;

const KEY: &str = "SENTINELkeyAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"; // 43 characters, like a real link key
const ACCESS: &str = "SENTINEL-ACCESS-TOKEN-1";
const REFRESH: &str = "SENTINEL-REFRESH-TOKEN-2";
const PASSCODE: &str = "SENTINEL-PASSCODE-3";
const CLIENT_SECRET: &str = "SENTINEL-CLIENT-SECRET-4";
const VERIFIER: &str = "SENTINEL-VERIFIER-5-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

/// Debug output must not hold the secret (nor the start of it) and must say it was hidden.
fn assert_hidden(what: &str, dbg: &str) {
    assert!(!dbg.contains("SENTINEL"), "{what} prints a secret: {dbg}");
    assert!(dbg.contains("REDACTED"), "{what} does not say it hid something: {dbg}");
}

fn link_info() -> LinkInfo {
    LinkInfo {
        relay_url: "https://relay.example".into(),
        link_id: "abc".into(),
        key: KEY.into(),
        flag: "P".into(),
        exp: None,
        label: Some("For Dr Okafor".into()),
        log_seen: 0,
        replies_seen: 0,
    }
}

fn grant() -> Grant {
    let t = Utc.with_ymd_and_hms(2026, 1, 2, 3, 4, 5).unwrap();
    Grant {
        id: "g1".into(),
        recipient: Recipient {
            name: "Dr Okafor".into(),
            role: "GP".into(),
            category: RecipientCategory::HealthProfessional,
        },
        sections: vec!["allergies".into()],
        purpose: "care".into(),
        message: None,
        start: t,
        expiry: None,
        revoked_at: None,
        created_at: t,
        link: Some(link_info()),
        replies: vec![],
        answer: None,
        disclosure: Default::default(),
    }
}

#[test]
fn smart_connection_pkce_and_auth_request_hide_tokens() {
    let conn = Connection {
        base: "https://gp.example/fhir".into(),
        token_endpoint: "https://gp.example/token".into(),
        access_token: ACCESS.into(),
        refresh_token: Some(REFRESH.into()),
        expires_at_ms: 1,
        patient: Some("p1".into()),
    };
    assert_hidden("Connection", &format!("{conn:?}"));
    // The sealed setting keeps the tokens as plain JSON strings, as before.
    let json = serde_json::to_value(&conn).unwrap();
    assert_eq!(
        (json["access_token"].as_str(), json["refresh_token"].as_str()),
        (Some(ACCESS), Some(REFRESH))
    );
    let back: Connection = serde_json::from_value(json).unwrap();
    assert_eq!(back.access_token.expose_secret(), ACCESS);

    let pkce = Pkce::from_verifier(VERIFIER);
    assert_hidden("Pkce", &format!("{pkce:?}"));
    let cfg = SmartConfig {
        authorization_endpoint: "https://gp.example/auth".into(),
        token_endpoint: "https://gp.example/token".into(),
        code_challenge_methods_supported: vec!["S256".into()],
        capabilities: vec![],
    };
    let mut req = AuthRequest::new("https://gp.example/fhir", &cfg, "http://127.0.0.1:1/cb").unwrap();
    req.pkce = pkce;
    assert_hidden("AuthRequest", &format!("{req:?}"));
    assert_eq!(serde_json::to_value(&req).unwrap()["pkce"]["verifier"], VERIFIER);
}

#[test]
fn grants_link_info_and_shl_payloads_hide_the_link_key() {
    assert_hidden("LinkInfo", &format!("{:?}", link_info()));
    let g = grant();
    assert_hidden("Grant", &format!("{g:?}"));
    // A stored grant is byte-compatible: the key is a plain string field.
    let json = serde_json::to_string(&g).unwrap();
    assert!(json.contains(&format!("\"key\":\"{KEY}\"")), "{json}");
    assert_eq!(serde_json::from_str::<Grant>(&json).unwrap(), g);

    let out = outcome_for(&g).unwrap();
    assert_hidden("ShlPayload", &format!("{:?}", out.payload));
    assert_hidden("ShareOutcome", &format!("{out:?}"));
    // The shlink still carries the key (that is how the recipient decrypts).
    assert_eq!(ShlPayload::parse(&out.shlink).unwrap().key.expose_secret(), KEY);
}

#[test]
fn passcodes_in_share_options_and_new_links_are_hidden() {
    let opts = ShareOptions { passcode: Some(PASSCODE.into()), ..Default::default() };
    assert_hidden("ShareOptions", &format!("{opts:?}"));
    let link = NewLink {
        files: vec![NewFile { content_type: "application/fhir+json".into(), jwe: "a.b.c.d.e".into() }],
        passcode: Some(SecretString::from(PASSCODE)),
        exp: None,
        flag: "P".into(),
        max_attempts: None,
    };
    assert_hidden("NewLink", &format!("{link:?}"));
    assert_eq!(serde_json::to_value(&link).unwrap()["passcode"], PASSCODE);
}

#[test]
fn strava_tokens_credentials_and_requests_are_hidden() {
    let tokens = Tokens {
        access_token: ACCESS.into(),
        refresh_token: REFRESH.into(),
        expires_at: 0,
        athlete_id: Some(7),
    };
    assert_hidden("Tokens", &format!("{tokens:?}"));
    let conn = StravaConnection {
        client_id: "1".into(),
        client_secret: CLIENT_SECRET.into(),
        tokens,
        after: None,
        last_sync: None,
    };
    assert_hidden("StravaConnection", &format!("{conn:?}"));
    let json = serde_json::to_value(&conn).unwrap();
    assert_eq!(json["client_secret"], CLIENT_SECRET);
    assert_eq!(json["tokens"]["refresh_token"], REFRESH);
    let creds = AppCredentials { client_id: None, client_secret: Some(CLIENT_SECRET.into()) };
    assert_hidden("AppCredentials", &format!("{creds:?}"));
    let req = HttpRequest {
        method: "POST",
        url: "https://www.strava.com/oauth/token".into(),
        headers: vec![("Authorization".into(), format!("Bearer {ACCESS}"))],
        form: vec![("client_secret".into(), CLIENT_SECRET.into())],
    };
    let dbg = format!("{req:?}");
    assert!(!dbg.contains("SENTINEL") && dbg.contains("client_secret"), "{dbg}");
}
