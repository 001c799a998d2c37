//! Issue 18, fault injection: PostgreSQL restarted while devices push. The relay reconnects
//! (`PgStore::client`), clients retry, and every change arrives once: nothing lost.
//! Needs PHR_TEST_PG and PHR_PG_DIR (`eval "$(bash scripts/relay-pg.sh start)"`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout, clippy::print_stderr)] // test code: a failed unwrap is a failed test, and it prints what it measured

mod common;

use common::devices::{condition, ks};
use common::{start, Which};
use phr_core::progress::{CancelToken, NoProgress};
use phr_core::record::Provenance;
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

fn join(existing: &Record, path: &Path) -> Record {
    common::devices::join(existing, path, retry())
}

fn sync(r: &Record) -> phr_core::Result<phr_core::sync::SyncReport> {
    common::devices::sync(r, retry())
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

/// The relay killed (SIGKILL) while a snapshot upload is half sent: on restart its storage is
/// intact (integrity check), no half snapshot is stored, the log is whole, and the client's
/// retry stores the snapshot.
#[test]
fn relay_killed_mid_snapshot_keeps_its_storage_whole() {
    use common::process::{spawn, spawn_at};
    use data_encoding::BASE64URL_NOPAD;
    use serde_json::json;
    use std::io::Write;
    let relay = spawn(&[], &[], std::process::Stdio::null());
    let addr = relay.addr.clone();
    let base = format!("http://{addr}");
    let dev = common::Signer::new();
    let account = format!("acct-kill-{}", common::uuid_hex());
    let xkey = BASE64URL_NOPAD.encode(&[3u8; 32]);
    assert_eq!(
        dev.call(
            &base,
            "POST",
            &format!("/sync/{account}/devices"),
            Some(json!({"device": dev.id(), "xkey": xkey}))
        )
        .0,
        201
    );
    let ops: Vec<_> = (0..50)
        .map(|i| json!({"id": format!("op{i}"), "blob": BASE64URL_NOPAD.encode(&[i as u8; 100])}))
        .collect();
    assert_eq!(
        dev.call(&base, "POST", &format!("/sync/{account}/ops"), Some(json!({"epoch": 0, "ops": ops}))).0,
        200
    );

    // A signed 8 MB snapshot, of which only half reaches the relay before it dies.
    let path = format!("/sync/{account}/snapshot");
    let body = serde_json::to_vec(
        &json!({"upto": 50, "epoch": 0, "blob": BASE64URL_NOPAD.encode(&vec![7u8; 6 << 20])}),
    )
    .unwrap();
    let h = phr_relay_protocol::sign(&dev.key, "PUT", &path, phr_relay_protocol::request_time_ms(), &body);
    let mut s = std::net::TcpStream::connect(&addr).unwrap();
    let mut head = format!(
        "PUT {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in h.pairs() {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    s.write_all(head.as_bytes()).unwrap();
    s.write_all(&body[..body.len() / 2]).unwrap();
    std::thread::sleep(Duration::from_millis(200));
    let dir = relay.kill();
    drop(s);

    let db = dir.path().join("relay.sqlite");
    {
        let c = rusqlite::Connection::open(&db).unwrap();
        let ok: String = c.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
        assert_eq!(ok, "ok");
    }
    let relay = spawn_at(dir, &addr, &[], &[], std::process::Stdio::null());
    let (st, v, _) = dev.call(&base, "GET", &path, None);
    assert_eq!((st, v["error"].as_str()), (404, Some("no_snapshot")), "no half snapshot: {v}");
    let (st, v, _) = dev.call(&base, "GET", &format!("/sync/{account}/ops?after=0"), None);
    assert_eq!(st, 200);
    assert_eq!(v["ops"].as_array().unwrap().len(), 50, "the log is whole");
    // The client sends it again (a new signature: each is accepted once).
    let (st, v, _) = dev.call(&base, "PUT", &path, Some(serde_json::from_slice(&body).unwrap()));
    assert_eq!(st, 200, "{v}");
    let (st, v, _) = dev.call(&base, "GET", &path, None);
    assert_eq!((st, v["upto"].as_i64()), (200, Some(50)));
    drop(relay);
}
