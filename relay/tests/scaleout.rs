//! Two relay instances behind nginx on one PostgreSQL (issue 19), driven by
//! scripts/relay-scaleout.sh, which sets PHR_SCALEOUT_URL (nginx) and starts the instances
//! named `a` and `b` with one ticket key and nginx trusted as a proxy; the tests are
//! ignored in the workspace run (the script runs them with `--ignored`). Shares and sync must work whichever instance answers; the bounded
//! load through nginx that checks nothing is lost is relay/tests/sync_load.rs, run by the
//! same script against nginx.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout, clippy::print_stderr)] // test code: a failed unwrap is a failed test, and it prints what it saw

mod common;

use common::devices::{condition, ks};
use phr_core::consent::{GrantRequest, Recipient, RecipientCategory};
use phr_core::record::Provenance;
use phr_core::share::relay::{HttpRelay, RelayApi};
use phr_core::share::{self, jwe, ShareOptions};
use phr_core::sync::{devices, RetryPolicy};
use phr_core::Record;
use serde_json::json;
use std::collections::BTreeMap;
use std::time::Duration;

fn url() -> Option<String> {
    match std::env::var("PHR_SCALEOUT_URL") {
        Ok(u) if !u.is_empty() => Some(u),
        _ => {
            phr_testkit::missing(
                "PHR_SCALEOUT_URL is not set: two instances behind nginx (bash scripts/relay-scaleout.sh)",
            );
            None
        }
    }
}

fn grant() -> GrantRequest {
    GrantRequest {
        recipient: Recipient {
            name: "Dr B".into(),
            role: "GP".into(),
            category: RecipientCategory::HealthProfessional,
        },
        sections: vec!["conditions".into()],
        purpose: "care".into(),
        message: None,
        start: None,
        expiry: None,
        disclosure: Default::default(),
    }
}

fn instance(r: &reqwest::blocking::Response) -> String {
    r.headers().get("x-phr-instance").map(|v| v.to_str().unwrap().to_string()).unwrap_or_default()
}

#[test]
#[ignore = "needs nginx and two instances: scripts/relay-scaleout.sh"]
fn a_share_opens_whichever_instance_answers() {
    let Some(base) = url() else { return };
    let dir = tempfile::tempdir().unwrap();
    let rec = Record::create(&dir.path().join("owner/record.phr"), &ks()).unwrap();
    rec.add_entry("conditions", condition("Asthma SCALEOUT-1"), Provenance::User).unwrap();
    let relay = HttpRelay::for_record(&rec, &base).unwrap();
    let out = share::create_share(&rec, grant(), ShareOptions::default(), &relay).unwrap();
    let key = out.payload.key_bytes().unwrap();
    let http = reqwest::blocking::Client::new();
    // (manifest instance, file instance) -> count
    let mut pairs: BTreeMap<(String, String), usize> = BTreeMap::new();
    const FETCHES: usize = 40;
    for i in 0..FETCHES {
        let r = http
            .post(&out.payload.url)
            .json(&json!({"recipient": format!("viewer {i}"), "embeddedLengthMax": 10}))
            .send()
            .unwrap();
        assert_eq!(r.status().as_u16(), 200);
        let by = instance(&r);
        let m: serde_json::Value = r.json().unwrap();
        let loc = m["files"][0]["location"].as_str().unwrap();
        assert!(loc.starts_with(&base), "the location points at the load balancer: {loc}");
        let f = http.get(loc).send().unwrap();
        assert_eq!(f.status().as_u16(), 200, "a ticket made by {by} opens on {}", instance(&f));
        let file_by = instance(&f);
        let plain = jwe::decrypt(&key, &f.text().unwrap()).unwrap();
        assert!(String::from_utf8(plain).unwrap().contains("SCALEOUT-1"));
        *pairs.entry((by, file_by)).or_default() += 1;
    }
    println!("(manifest by, file by) -> fetches: {pairs:?}");
    let manifest_by: std::collections::BTreeSet<&str> = pairs.keys().map(|k| k.0.as_str()).collect();
    let file_by: std::collections::BTreeSet<&str> = pairs.keys().map(|k| k.1.as_str()).collect();
    let all: std::collections::BTreeSet<&str> = manifest_by.union(&file_by).copied().collect();
    assert_eq!(all, ["a", "b"].into_iter().collect(), "both instances answered");
    assert!(pairs.keys().any(|(m, f)| m != f), "a ticket made by one instance opened on the other");
    // Every fetch is in the owner's log, whichever instance wrote it (written in batches:
    // another instance's entries arrive within a moment).
    let id = &relay.list_links().unwrap()[0].id;
    let mut served = 0;
    for _ in 0..50 {
        served = relay.access_log(id, 0).unwrap().iter().filter(|e| e.outcome == "served").count();
        if served == FETCHES {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(served, FETCHES, "every fetch logged");
}

#[test]
#[ignore = "needs nginx and two instances: scripts/relay-scaleout.sh"]
fn wrong_passcodes_are_counted_per_client_behind_the_proxy() {
    let Some(base) = url() else { return };
    let dir = tempfile::tempdir().unwrap();
    let rec = Record::create(&dir.path().join("owner/record.phr"), &ks()).unwrap();
    rec.add_entry("conditions", condition("Asthma"), Provenance::User).unwrap();
    let relay = HttpRelay::for_record(&rec, &base).unwrap();
    let opts = ShareOptions { passcode: Some("4417".into()), ..Default::default() };
    let out = share::create_share(&rec, grant(), opts, &relay).unwrap();
    let http = reqwest::blocking::Client::new();
    let guess = |from: &str| {
        let r = http
            .post(&out.payload.url)
            .header("x-forwarded-for", from)
            .json(&json!({"recipient": "x", "passcode": "0000"}))
            .send()
            .unwrap();
        r.status().as_u16()
    };
    // One client (as nginx reports it) spends its attempts on both instances...
    let statuses: Vec<u16> = (0..6).map(|_| guess("198.51.100.1")).collect();
    assert_eq!(statuses.last(), Some(&429), "{statuses:?}");
    // ...and another client behind the same proxy is not locked out by it.
    assert_eq!(guess("198.51.100.2"), 401);
}

#[test]
#[ignore = "needs nginx and two instances: scripts/relay-scaleout.sh"]
fn two_devices_sync_through_the_load_balancer() {
    let Some(base) = url() else { return };
    let dir = tempfile::tempdir().unwrap();
    let retry = RetryPolicy {
        attempts: 4,
        first_backoff: Duration::from_millis(50),
        max_backoff: Duration::from_millis(400),
    };
    let a = Record::create(&dir.path().join("a/record.phr"), &ks()).unwrap();
    devices::start(&a, &base, "phone", retry).unwrap();
    let b = common::devices::join(&a, &dir.path().join("b/record.phr"), retry);
    for i in 0..50 {
        a.add_entry("conditions", condition(&format!("c{i}")), Provenance::User).unwrap();
    }
    common::devices::sync(&a, retry).unwrap();
    common::devices::sync(&b, retry).unwrap();
    b.add_entry("conditions", condition("from b"), Provenance::User).unwrap();
    common::devices::sync(&b, retry).unwrap();
    common::devices::sync(&a, retry).unwrap();
    let count = |r: &Record| r.list_entries("conditions", Default::default()).unwrap().len();
    assert_eq!((count(&a), count(&b)), (51, 51));
    assert_eq!(a.sync_state_digest().unwrap(), b.sync_state_digest().unwrap());
}
