//! Several relay instances on one database (issue 19): a file location made by one
//! instance opens on another when they share the configured ticket key, and not when they
//! do not; each response names the instance that answered. Run on SQLite (two instances on
//! one file) and, with PHR_TEST_PG, PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout, clippy::print_stderr)] // test code: a failed unwrap is a failed test

mod common;

use common::*;
use phr_core::consent::{GrantRequest, Recipient, RecipientCategory};
use phr_core::record::{EntryValue, Provenance};
use phr_core::share::relay::HttpRelay;
use phr_core::share::{self, ShareOptions};
use phr_relay::Options;
use serde_json::json;

fn opts(name: &str, key: &str) -> Options {
    Options {
        instance: Some(name.into()),
        ticket_key: Some(phr_secret::Secret::new(key.to_string())),
        ..Options::default()
    }
}

fn medication(name: &str) -> EntryValue {
    EntryValue::Medication {
        name: name.into(),
        dose: None,
        route: None,
        frequency: None,
        start: None,
        stop: None,
        reason: None,
        code: None,
    }
}

/// The medications, for a GP, with no expiry.
fn medications_for_gp() -> GrantRequest {
    GrantRequest {
        recipient: Recipient {
            name: "Dr B".into(),
            role: "GP".into(),
            category: RecipientCategory::HealthProfessional,
        },
        sections: vec!["medications".into()],
        purpose: "care".into(),
        message: None,
        start: None,
        expiry: None,
        disclosure: Default::default(),
    }
}

fn shared_ticket_key_opens_files_on_every_instance(which: Which) {
    let key = "0123456789abcdef0123456789abcdef-test-only";
    let Some(a) = start_opts(which, opts("a", key)) else { return };
    let b = start_on_opts(a.backend.clone(), tempfile::tempdir().unwrap(), opts("b", key));
    let other = start_on_opts(
        a.backend.clone(),
        tempfile::tempdir().unwrap(),
        opts("c", "a-different-key-of-enough-length-0123456789"),
    );
    let rec = record(a.dir.path(), "owner");
    rec.add_entry("medications", medication("Ramipril"), Provenance::User).unwrap();
    let relay = HttpRelay::for_record(&rec, &a.base).unwrap();
    let out = share::create_share(&rec, medications_for_gp(), ShareOptions::default(), &relay).unwrap();
    let r = reqwest::blocking::Client::new()
        .post(&out.payload.url)
        .json(&json!({"recipient": "x", "embeddedLengthMax": 10}))
        .send()
        .unwrap();
    assert_eq!(r.headers()["x-phr-instance"], "a");
    let m: serde_json::Value = r.json().unwrap();
    let loc = m["files"][0]["location"].as_str().unwrap().to_string();
    assert!(loc.starts_with(&a.base), "{loc}");
    let on = |base: &str| {
        let r = reqwest::blocking::get(loc.replacen(&a.base, base, 1)).unwrap();
        (r.status().as_u16(), r.headers().get("x-phr-instance").map(|v| v.to_str().unwrap().to_string()))
    };
    assert_eq!(on(&a.base), (200, Some("a".into())));
    assert_eq!(on(&b.base), (200, Some("b".into())), "the same key: b accepts a's ticket");
    assert_eq!(on(&other.base), (404, Some("c".into())), "another key: c refuses it");
}

#[test]
fn sqlite_shared_ticket_key() {
    shared_ticket_key_opens_files_on_every_instance(Which::Sqlite);
}

#[test]
fn postgres_shared_ticket_key() {
    shared_ticket_key_opens_files_on_every_instance(Which::Postgres);
}

/// Each instance keeps a link's finished manifest in memory (issue 19): when another
/// instance replaces the link's files or revokes it, the next fetch here must show that.
fn a_kept_manifest_follows_changes_made_on_another_instance(which: Which) {
    let key = "0123456789abcdef0123456789abcdef-test-only";
    let Some(a) = start_opts(which, opts("a", key)) else { return };
    let b = start_on_opts(a.backend.clone(), tempfile::tempdir().unwrap(), opts("b", key));
    let rec = record(a.dir.path(), "owner");
    rec.add_entry("medications", medication("Ramipril"), Provenance::User).unwrap();
    let on_a = HttpRelay::for_record(&rec, &a.base).unwrap();
    let long_term = ShareOptions { long_term: true, ..Default::default() };
    let out = share::create_share(&rec, medications_for_gp(), long_term, &on_a).unwrap();
    let key_bytes = out.payload.key_bytes().unwrap();
    let via_b = || {
        let r = reqwest::blocking::Client::new()
            .post(out.payload.url.replacen(&a.base, &b.base, 1))
            .json(&json!({"recipient": "x"}))
            .send()
            .unwrap();
        let status = r.status().as_u16();
        let m: serde_json::Value = r.json().unwrap();
        let text = m["files"][0]["embedded"]
            .as_str()
            .map(|jwe| String::from_utf8(phr_core::share::jwe::decrypt(&key_bytes, jwe).unwrap()).unwrap());
        (status, text, m)
    };
    let (s, first, _) = via_b();
    assert_eq!(s, 200);
    assert!(first.as_deref().unwrap().contains("Ramipril"));
    let (_, again, _) = via_b();
    assert_eq!(again, first, "the kept manifest serves the same file");

    rec.add_entry("medications", medication("Amlodipine"), Provenance::User).unwrap();
    share::update_share(&rec, &out.grant.id, &on_a).unwrap();
    let (s, updated, _) = via_b();
    assert_eq!(s, 200);
    assert!(updated.as_deref().unwrap().contains("Amlodipine"), "b serves the files a replaced");

    share::revoke_share(&rec, &out.grant.id, Some(&on_a)).unwrap();
    let (s, text, m) = via_b();
    assert_eq!((s, m["error"].as_str()), (404, Some("revoked")), "b refuses the link a revoked");
    assert!(text.is_none());
}

#[test]
fn sqlite_kept_manifest_follows_other_instances() {
    a_kept_manifest_follows_changes_made_on_another_instance(Which::Sqlite);
}

#[test]
fn postgres_kept_manifest_follows_other_instances() {
    a_kept_manifest_follows_changes_made_on_another_instance(Which::Postgres);
}

#[test]
fn a_short_ticket_key_is_refused_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let Err(e) = rt.block_on(phr_relay::app(
        phr_relay::Backend::Sqlite(dir.path().join("r.sqlite")),
        opts("a", "short"),
    )) else {
        panic!("a short key was accepted");
    };
    assert!(e.to_string().contains("at least 32"), "{e}");
}

/// The pool opens `pg_pool` connections, named for the instance in `pg_stat_activity`, and
/// they all serve (round-robin): a run of requests keeps working on every one.
#[test]
fn postgres_pool_opens_its_connections_named_for_the_instance() {
    let name = format!("pool-{}", uuid_hex());
    let opts = Options { instance: Some(name.clone()), pg_pool: Some(3), ..Options::default() };
    let Some(r) = start_opts(Which::Postgres, opts) else { return };
    for _ in 0..12 {
        let s = reqwest::blocking::Client::new()
            .post(format!("{}/shl/unknown-link", r.base))
            .json(&json!({"recipient": "x"}))
            .send()
            .unwrap()
            .status();
        assert_eq!(s.as_u16(), 404, "every connection of the pool answers");
    }
    let url = std::env::var("PHR_TEST_PG").unwrap();
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let n: i64 = rt.block_on(async {
        let (c, conn) = tokio_postgres::connect(&url, tokio_postgres::NoTls).await.unwrap();
        tokio::spawn(conn);
        c.query_one(
            "SELECT COUNT(*) FROM pg_stat_activity WHERE application_name = $1",
            &[&format!("phr-relay {name}")],
        )
        .await
        .unwrap()
        .get(0)
    });
    assert_eq!(n, 3);
}
