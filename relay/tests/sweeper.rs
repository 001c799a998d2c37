//! Issue 18, expired links: their ciphertext is deleted from the relay's storage by a sweeper,
//! periodically and when the relay starts, not kept until the owner revokes. On SQLite and
//! (with PHR_TEST_PG) PostgreSQL; storage is scanned byte for byte (`common::storage_text`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout, clippy::print_stderr)] // test code: a failed unwrap is a failed test, and it prints what it measured

mod common;

use common::{start_on_opts, start_opts, storage_text, Signer, Which};
use phr_relay::Options;
use serde_json::json;
use std::time::Duration;

fn contains(hay: &[u8], needle: &str) -> bool {
    hay.windows(needle.len()).any(|w| w == needle.as_bytes())
}

/// Creates a link that expires in `secs` seconds; returns its id and a piece of its ciphertext.
fn short_link(base: &str, owner: &Signer, secs: i64) -> (String, String) {
    let jwe = phr_core::share::jwe::encrypt(&[5u8; 32], &[b'z'; 4000], None).unwrap();
    let exp = chrono::Utc::now().timestamp() + secs;
    let (s, v, _) = owner.call(
        base,
        "POST",
        "/api/links",
        Some(
            json!({"files": [{"contentType": "application/fhir+json", "jwe": jwe}], "flag": "", "exp": exp}),
        ),
    );
    assert_eq!(s, 201, "{v}");
    let piece = jwe.split('.').nth(3).unwrap()[100..160].to_string();
    (v["id"].as_str().unwrap().to_string(), piece)
}

fn periodic_sweep_deletes_expired_content(which: Which) {
    let opts = Options { sweep_interval: Some(Duration::from_millis(300)), ..Default::default() };
    let Some(r) = start_opts(which, opts) else { return };
    let owner = Signer::new();
    let (gone, gone_piece) = short_link(&r.base, &owner, 2);
    let (_kept, kept_piece) = short_link(&r.base, &owner, 3600);
    assert!(contains(&storage_text(&r), &gone_piece), "the scan sees stored ciphertext");
    std::thread::sleep(Duration::from_millis(3500));
    let stored = storage_text(&r);
    assert!(!contains(&stored, &gone_piece), "expired ciphertext still stored");
    assert!(contains(&stored, &kept_piece), "a live link keeps its content");
    // The owner still sees the link, as expired.
    let (_, list, _) = owner.call(&r.base, "GET", "/api/links", None);
    let row = list.as_array().unwrap().iter().find(|l| l["id"] == gone.as_str()).unwrap().clone();
    assert_eq!(row["status"], "expired");
    let (s, m) = common::post_json(&format!("{}/shl/{gone}", r.base), json!({"recipient": "x"}));
    assert_eq!((s, m["error"].as_str()), (404, Some("expired")));
}

fn startup_sweep_deletes_what_expired_while_stopped(which: Which) {
    let long = Options { sweep_interval: Some(Duration::from_secs(3600)), ..Default::default() };
    let Some(first) = start_opts(which, long.clone()) else { return };
    let owner = Signer::new();
    let (_id, piece) = short_link(&first.base, &owner, 1);
    let mut first = first;
    first.stop(); // its folder (and SQLite file) stays
    std::thread::sleep(Duration::from_millis(2200));
    // The same storage served again after the link expired: swept at start.
    let second = start_on_opts(first.backend.clone(), tempfile::tempdir().unwrap(), long);
    std::thread::sleep(Duration::from_millis(500));
    assert!(!contains(&storage_text(&second), &piece), "expired ciphertext still stored after a restart");
}

macro_rules! both {
    ($($f:ident),*) => {
        mod sqlite { $(#[test] fn $f() { super::$f(super::Which::Sqlite) })* }
        mod postgres { $(#[test] fn $f() { super::$f(super::Which::Postgres) })* }
    };
}
both!(periodic_sweep_deletes_expired_content, startup_sweep_deletes_what_expired_while_stopped);
