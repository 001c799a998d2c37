//! Issue 18, lockout by a stranger: wrong passcodes back off the client that sent them (by
//! address), never the link, so the recipient's right passcode still works from elsewhere;
//! the owner can reset the back-off. On SQLite and (with PHR_TEST_PG) PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout, clippy::print_stderr)] // test code: a failed unwrap is a failed test, and it prints what it measured

mod common;

use common::{start_opts, Signer, Which};
use serde_json::json;
use std::net::{IpAddr, Ipv4Addr};

/// A manifest request from the given loopback address.
fn fetch(from: Ipv4Addr, url: &str, passcode: &str) -> (u16, serde_json::Value) {
    let c = reqwest::blocking::Client::builder().local_address(IpAddr::V4(from)).build().unwrap();
    let r = c.post(url).json(&json!({"recipient": "Dr Who", "passcode": passcode})).send().unwrap();
    let s = r.status().as_u16();
    (s, r.json().unwrap_or(serde_json::Value::Null))
}

fn stranger_cannot_lock_out_the_recipient(which: Which) {
    let Some(r) = start_opts(which, Default::default()) else { return };
    let owner = Signer::new();
    let jwe = phr_core::share::jwe::encrypt(&[5u8; 32], b"{}", None).unwrap();
    let (s, v, _) = owner.call(
        &r.base,
        "POST",
        "/api/links",
        Some(json!({"files": [{"contentType": "application/fhir+json", "jwe": jwe}], "flag": "P", "passcode": "right-one", "maxAttempts": 3})),
    );
    assert_eq!(s, 201, "{v}");
    let id = v["id"].as_str().unwrap().to_string();
    let url = format!("{}/shl/{id}", r.base);
    let stranger = Ipv4Addr::new(127, 0, 0, 1);
    let recipient = Ipv4Addr::new(127, 0, 0, 2);

    // The stranger guesses until it is made to wait; each further try keeps it waiting.
    for left in [2, 1, 0] {
        let (s, m) = fetch(stranger, &url, "guess");
        assert_eq!((s, m["remainingAttempts"].as_i64()), (401, Some(left)), "{m}");
    }
    for _ in 0..20 {
        let (s, m) = fetch(stranger, &url, "guess");
        assert_eq!((s, m["error"].as_str()), (429, Some("too_many_attempts")), "{m}");
        assert!((1..=60).contains(&m["retryAfter"].as_i64().unwrap()), "{m}");
    }
    assert_eq!(fetch(stranger, &url, "right-one").0, 429, "the stranger's address waits, whatever it sends");

    // The recipient, from elsewhere, is not affected, and a right passcode uses nothing up.
    let (s, m) = fetch(recipient, &url, "right-one");
    assert_eq!(s, 200, "{m}");
    assert!(m["files"][0]["embedded"].is_string());
    assert_eq!(fetch(recipient, &url, "typo").1["remainingAttempts"], 2);
    assert_eq!(fetch(recipient, &url, "right-one").0, 200);
    assert_eq!(fetch(recipient, &url, "typo").1["remainingAttempts"], 2, "a right passcode clears the count");

    // Only the owner resets the back-off (signed); then the first address may try again.
    let path = format!("/api/links/{id}/lockout");
    assert_eq!(Signer::new().call(&r.base, "DELETE", &path, None).0, 404, "not another key");
    let (s, _) = reqwest::blocking::Client::new()
        .delete(format!("{}{path}", r.base))
        .send()
        .map(|r| (r.status().as_u16(), ()))
        .unwrap();
    assert_eq!(s, 401, "not unsigned");
    assert_eq!(owner.call(&r.base, "DELETE", &path, None).0, 204);
    assert_eq!(fetch(stranger, &url, "right-one").0, 200);
}

#[test]
fn backoff_doubles_and_is_capped_at_a_day() {
    use phr_relay::store::backoff_ms;
    assert_eq!(backoff_ms(0), 60_000);
    assert_eq!(backoff_ms(1), 120_000);
    assert_eq!(backoff_ms(10), 61_440_000);
    assert_eq!(backoff_ms(11), 86_400_000);
    assert_eq!(backoff_ms(i64::MAX), 86_400_000);
}

macro_rules! both {
    ($($f:ident),*) => {
        mod sqlite { $(#[test] fn $f() { super::$f(super::Which::Sqlite) })* }
        mod postgres { $(#[test] fn $f() { super::$f(super::Which::Postgres) })* }
    };
}
both!(stranger_cannot_lock_out_the_recipient);
