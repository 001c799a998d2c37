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

/// A revoke holds for every fetch that starts after it, while many viewers fetch at once
/// (issue 19: on PostgreSQL, link lookups that arrive together share one query). Viewers
/// fetch three links together: one revoked midway, one left active, one that never was.
fn no_fetch_after_a_revoke_is_served_under_load(which: Which) {
    let Some(r) = start(which) else { return };
    let rec = record(r.dir.path(), "owner");
    rec.add_entry("medications", medication("Ramipril"), Provenance::User).unwrap();
    let relay = HttpRelay::for_record(&rec, &r.base).unwrap();
    let revoked = share::create_share(&rec, medications_for_gp(), ShareOptions::default(), &relay).unwrap();
    let kept = share::create_share(&rec, medications_for_gp(), ShareOptions::default(), &relay).unwrap();
    let never = format!("{}/shl/no-such-link-{}", r.base, uuid_hex());
    let urls = [revoked.payload.url.clone(), kept.payload.url.clone(), never];
    let stop = std::sync::atomic::AtomicBool::new(false);
    let t0 = std::time::Instant::now();
    // (which link, when the fetch was sent, status, error)
    let fetched: Vec<(usize, std::time::Duration, u16, Option<String>)> = std::thread::scope(|s| {
        let viewers: Vec<_> = (0..12)
            .map(|v| {
                let (urls, stop) = (&urls, &stop);
                s.spawn(move || {
                    let client = reqwest::blocking::Client::new();
                    let mut seen = Vec::new();
                    let mut n = v;
                    while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                        let which = n % urls.len();
                        n += 1;
                        let sent = t0.elapsed();
                        let resp =
                            client.post(&urls[which]).json(&json!({"recipient": "viewer"})).send().unwrap();
                        let status = resp.status().as_u16();
                        let body: serde_json::Value = resp.json().unwrap();
                        seen.push((which, sent, status, body["error"].as_str().map(str::to_string)));
                    }
                    seen
                })
            })
            .collect();
        std::thread::sleep(std::time::Duration::from_millis(400));
        share::revoke_share(&rec, &revoked.grant.id, Some(&relay)).unwrap();
        let revoked_at = t0.elapsed();
        std::thread::sleep(std::time::Duration::from_millis(400));
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        let mut all: Vec<_> = viewers.into_iter().flat_map(|v| v.join().unwrap()).collect();
        all.push((usize::MAX, revoked_at, 0, None));
        all
    });
    let revoked_at = fetched.iter().find(|f| f.0 == usize::MAX).unwrap().1;
    let of = |link: usize| fetched.iter().filter(move |f| f.0 == link);
    let after: Vec<_> = of(0).filter(|f| f.1 > revoked_at).collect();
    assert!(of(0).any(|f| f.1 < revoked_at && f.2 == 200), "the link was served before its revoke");
    assert!(after.len() > 20, "enough fetches after the revoke to tell: {}", after.len());
    for f in &after {
        assert_eq!(
            (f.2, f.3.as_deref()),
            (404, Some("revoked")),
            "a fetch sent {:?} after the revoke",
            f.1 - revoked_at
        );
    }
    assert!(of(1).all(|f| f.2 == 200), "the other link stays served");
    assert!(of(2).all(|f| f.2 == 404 && f.3.as_deref() == Some("not_found")), "a link that never was");
    println!("{} fetches, {} of the revoked link after its revoke", fetched.len() - 1, after.len());
}

#[test]
fn sqlite_no_fetch_after_a_revoke_is_served_under_load() {
    no_fetch_after_a_revoke_is_served_under_load(Which::Sqlite);
}

#[test]
fn postgres_no_fetch_after_a_revoke_is_served_under_load() {
    no_fetch_after_a_revoke_is_served_under_load(Which::Postgres);
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
