//! Issue 18, fault injection: PostgreSQL restarted while devices push. The relay reconnects
//! (`PgStore::client`), clients retry, and every change arrives once: nothing lost.
//! Needs PHR_TEST_PG and PHR_PG_DIR (`eval "$(bash scripts/relay-pg.sh start)"`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout, clippy::print_stderr)] // test code: a failed unwrap is a failed test, and it prints what it measured

mod common;

use common::{start, Which};
use phr_core::crypto::RawKeyStore;
use phr_core::progress::{CancelToken, NoProgress};
use phr_core::record::{ConditionStatus, EntryValue, Provenance};
use phr_core::sync::{devices, RetryPolicy, SyncOptions, SyncState};
use phr_core::Record;
use std::path::Path;
use std::time::Duration;

fn retry() -> RetryPolicy {
    RetryPolicy {
        attempts: 6,
        first_backoff: Duration::from_millis(50),
        max_backoff: Duration::from_millis(400),
    }
}

fn ks() -> RawKeyStore {
    RawKeyStore::new([9u8; 32])
}

fn condition(name: &str) -> EntryValue {
    EntryValue::Condition {
        name: name.into(),
        code: None,
        onset: None,
        status: ConditionStatus::Active,
        notes: None,
    }
}

fn sync(r: &Record) -> phr_core::Result<phr_core::sync::SyncReport> {
    let relay = devices::relay_for(&SyncState::require(r)?, retry())?;
    phr_core::sync::sync(r, &relay, &NoProgress, &CancelToken::new(), SyncOptions::default())
}

/// Syncs until a round succeeds (a user pressing sync again), at most `tries` rounds.
fn sync_until_ok(r: &Record, tries: usize) -> usize {
    for i in 0..tries {
        match sync(r) {
            Ok(_) => return i,
            Err(e) => {
                println!("sync failed (round {i}): {e}");
                std::thread::sleep(Duration::from_millis(300));
            }
        }
    }
    panic!("sync never succeeded");
}

fn join(existing: &Record, path: &Path) -> Record {
    let offer = devices::offer(existing).unwrap();
    let pending = devices::join_request(offer.payload.expose_secret(), "tablet").unwrap();
    devices::approve(existing, &offer, Duration::from_secs(10), retry())
        .unwrap()
        .expect("the new device answered");
    devices::finish_join(pending, path, &ks(), Duration::from_secs(10)).unwrap().expect("welcome arrived")
}

fn restart_postgres(dir: &str) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/relay-pg.sh");
    let st = std::process::Command::new("bash").arg(script).args(["restart", dir]).status().unwrap();
    assert!(st.success());
}

fn count(r: &Record) -> usize {
    r.list_entries("conditions", Default::default()).unwrap().len()
}

#[test]
fn postgres_restarted_mid_push_loses_nothing() {
    let Ok(pg_dir) = std::env::var("PHR_PG_DIR") else {
        phr_testkit::missing(
            "PHR_PG_DIR is not set: the PostgreSQL restart test (eval \"$(bash scripts/relay-pg.sh start)\")",
        );
        return;
    };
    let Some(r) = start(Which::Postgres) else { return };
    let a = Record::create(&r.dir.path().join("a/record.phr"), &ks()).unwrap();
    devices::start(&a, &r.base, "phone", retry()).unwrap();
    let b = join(&a, &r.dir.path().join("b/record.phr"));
    let mut failed_rounds = 0;
    let mut made = 0;
    for round in 0..4 {
        for _ in 0..300 {
            a.add_entry("conditions", condition(&format!("c{made}")), Provenance::User).unwrap();
            made += 1;
        }
        // PostgreSQL goes down and comes back while this round pushes (several requests of 200 ops).
        let dir = pg_dir.clone();
        let restarter = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(20 + 30 * round));
            restart_postgres(&dir);
        });
        failed_rounds += sync_until_ok(&a, 10);
        restarter.join().unwrap();
        failed_rounds += sync_until_ok(&b, 10);
    }
    sync_until_ok(&a, 10);
    sync_until_ok(&b, 10);
    println!("rounds that failed and were retried: {failed_rounds}");
    assert_eq!(count(&a), made);
    assert_eq!(count(&b), made, "every change reached the other device");
    assert_eq!(a.sync_state_digest().unwrap(), b.sync_state_digest().unwrap());
    assert_eq!(a.sync_counts().unwrap().1, 0, "nothing left unsent");
}

/// A full disk under SQLite (`max_page_count`): pushes fail with 500 and nothing is taken
/// half-way; once there is room again, the same client's retries deliver everything.
#[test]
fn sqlite_disk_full_then_freed_loses_nothing() {
    use phr_relay::Options;
    let opts = Options { sqlite_max_pages: Some(120), ..Default::default() };
    let mut r = common::start_opts(Which::Sqlite, opts).unwrap();
    let a = Record::create(&r.dir.path().join("a/record.phr"), &ks()).unwrap();
    devices::start(&a, &r.base, "phone", retry()).unwrap();
    let b = join(&a, &r.dir.path().join("b/record.phr"));
    let long = "x".repeat(300);
    for i in 0..1500 {
        a.add_entry("conditions", condition(&format!("c{i} {long}")), Provenance::User).unwrap();
    }
    let err = sync(&a).expect_err("the relay's disk is full");
    println!("while full: {err}");
    assert!(a.sync_counts().unwrap().1 > 0, "what the relay could not store is still waiting to be sent");
    // More room (the same file, no cap): the client just syncs again.
    r.stop();
    let freed = common::start_on_opts(r.backend.clone(), tempfile::tempdir().unwrap(), Options::default());
    let again = |rec: &Record| {
        let relay = phr_core::sync::HttpSyncRelay::new(
            &freed.base,
            &SyncState::require(rec).unwrap().account,
            SyncState::require(rec).unwrap().signing_key().unwrap(),
            retry(),
        )
        .unwrap();
        phr_core::sync::sync(rec, &relay, &NoProgress, &CancelToken::new(), SyncOptions::default()).unwrap()
    };
    again(&a);
    again(&b);
    assert_eq!(count(&b), 1500, "every change reached the other device");
    assert_eq!(a.sync_counts().unwrap().1, 0);
    assert_eq!(a.sync_state_digest().unwrap(), b.sync_state_digest().unwrap());
}
