//! Issue 18, fault injection on both backends: PostgreSQL restarted while devices push, a full
//! disk under SQLite and under PostgreSQL, the relay killed mid-snapshot. The relay reconnects
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

/// The PostgreSQL tests here take turns: one restarts the server, which would fail the
/// others' connections mid-test.
static POSTGRES: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn postgres_turn() -> std::sync::MutexGuard<'static, ()> {
    POSTGRES.lock().unwrap_or_else(|p| p.into_inner())
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
    let _turn = postgres_turn();
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

/// A full disk under PostgreSQL: the account's op table moved to a tablespace on a 256 KiB
/// tmpfs, so inserting ops fails the way a full disk makes PostgreSQL fail (SQLSTATE 53100,
/// "could not extend file": pushes answer 500 and nothing is taken half-way); then the
/// filesystem is grown and the same client's retries deliver everything. Where `mount` is not
/// permitted, a trigger raises the same SQLSTATE instead (printed).
#[test]
fn postgres_disk_full_then_freed_loses_nothing() {
    let Ok(pg_dir) = std::env::var("PHR_PG_DIR") else {
        phr_testkit::missing(
            "PHR_PG_DIR is not set: the PostgreSQL disk-full test (eval \"$(bash scripts/relay-pg.sh start)\")",
        );
        return;
    };
    let _turn = postgres_turn();
    let Some(r) = start(Which::Postgres) else { return };
    let phr_relay::Backend::Postgres { url, schema: Some(schema) } = r.backend.clone() else {
        panic!("a PostgreSQL relay")
    };
    let a = Record::create(&r.dir.path().join("a/record.phr"), &ks()).unwrap();
    devices::start(&a, &r.base, "phone", retry()).unwrap();
    let b = join(&a, &r.dir.path().join("b/record.phr"));
    sync_until_ok(&a, 3);

    let full = FullDisk::new(&url, &schema, Path::new(&pg_dir));
    let long = "x".repeat(300);
    for i in 0..1500 {
        a.add_entry("conditions", condition(&format!("c{i} {long}")), Provenance::User).unwrap();
    }
    let err = sync(&a).expect_err("PostgreSQL's disk is full");
    println!("while full ({}): {err}", full.how());
    assert!(a.sync_counts().unwrap().1 > 0, "what the relay could not store is still waiting to be sent");
    full.free();
    sync_until_ok(&a, 5);
    sync_until_ok(&b, 5);
    assert_eq!(count(&b), 1500, "every change reached the other device");
    assert_eq!(a.sync_counts().unwrap().1, 0);
    assert_eq!(a.sync_state_digest().unwrap(), b.sync_state_digest().unwrap());
}

/// One schema's `sync_ops` on a disk that is full: a small tmpfs tablespace, or (where
/// `mount` is refused) a trigger raising PostgreSQL's disk-full SQLSTATE. Undone on drop.
struct FullDisk {
    url: String,
    schema: String,
    tmpfs: Option<(tempfile::TempDir, String)>,
}

impl FullDisk {
    fn new(url: &str, schema: &str, pg_dir: &Path) -> Self {
        use std::os::unix::fs::MetadataExt;
        let dir = tempfile::tempdir().unwrap();
        let mounted = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", "size=256k,mode=0700", "tmpfs"])
            .arg(dir.path())
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        let mut me = Self { url: url.into(), schema: schema.into(), tmpfs: None };
        if mounted {
            let owner = std::fs::metadata(pg_dir.join("data")).unwrap();
            std::os::unix::fs::chown(dir.path(), Some(owner.uid()), Some(owner.gid())).unwrap();
            let ts = format!("full_{}", common::uuid_hex());
            let loc = dir.path().display().to_string();
            me.tmpfs = Some((dir, ts.clone()));
            // CREATE TABLESPACE cannot run inside the transaction a batch of statements makes.
            common::pg_batch(url, &format!("CREATE TABLESPACE {ts} LOCATION '{loc}'")).unwrap();
            common::pg_batch(url, &format!("ALTER TABLE {schema}.sync_ops SET TABLESPACE {ts}")).unwrap();
        } else {
            common::pg_batch(
                url,
                &format!(
                    "CREATE FUNCTION {schema}.disk_full() RETURNS trigger LANGUAGE plpgsql AS $$
                     BEGIN RAISE EXCEPTION 'could not extend file: No space left on device' USING ERRCODE = 'disk_full'; END $$;
                     CREATE TRIGGER disk_full BEFORE INSERT ON {schema}.sync_ops FOR EACH ROW EXECUTE FUNCTION {schema}.disk_full()"
                ),
            )
            .unwrap();
        }
        me
    }

    fn how(&self) -> &'static str {
        if self.tmpfs.is_some() {
            "a 256 KiB tmpfs tablespace"
        } else {
            "mount refused here: a trigger raising SQLSTATE 53100"
        }
    }

    /// More room: the filesystem grown to 64 MiB, or the trigger gone.
    fn free(&self) {
        match &self.tmpfs {
            Some((dir, _)) => {
                let st = std::process::Command::new("mount")
                    .args(["-o", "remount,size=64m"])
                    .arg(dir.path())
                    .status()
                    .unwrap();
                assert!(st.success());
            }
            None => {
                common::pg_batch(&self.url, &format!("DROP TRIGGER disk_full ON {}.sync_ops", self.schema))
                    .unwrap()
            }
        }
    }
}

impl Drop for FullDisk {
    fn drop(&mut self) {
        if let Some((dir, ts)) = &self.tmpfs {
            let _ = common::pg_batch(
                &self.url,
                &format!("ALTER TABLE {}.sync_ops SET TABLESPACE pg_default", self.schema),
            );
            let _ = common::pg_batch(&self.url, &format!("DROP TABLESPACE {ts}"));
            let _ = std::process::Command::new("umount").arg(dir.path()).status();
        }
    }
}

/// The relay killed (SIGKILL) while a snapshot upload is half sent: on restart its storage is
/// intact, no half snapshot is stored, the log is whole, and the client's retry stores the
/// snapshot. SQLite: the file passes `PRAGMA integrity_check`.
#[test]
fn relay_killed_mid_snapshot_keeps_its_storage_whole_sqlite() {
    killed_mid_snapshot(&[], |dir| {
        let c = rusqlite::Connection::open(dir.join("relay.sqlite")).unwrap();
        let ok: String = c.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
        assert_eq!(ok, "ok");
    });
}

/// The same on PostgreSQL, the relay process over a database of its own.
#[test]
fn relay_killed_mid_snapshot_keeps_its_storage_whole_postgres() {
    let Some(url) = std::env::var("PHR_TEST_PG").ok().filter(|u| !u.is_empty()) else {
        phr_testkit::missing(
            "PHR_TEST_PG is not set: the PostgreSQL run (scripts/test-all.sh starts one and sets it)",
        );
        return;
    };
    let _turn = postgres_turn();
    let db = format!("kill_{}", common::uuid_hex());
    common::pg_batch(&url, &format!("CREATE DATABASE {db}")).unwrap();
    let own = format!("{url} dbname={db}");
    killed_mid_snapshot(&["--postgres", &own], |_| {});
    common::pg_batch(&url, &format!("DROP DATABASE {db} WITH (FORCE)")).unwrap();
}

fn killed_mid_snapshot(backend: &[&str], storage_intact: impl Fn(&Path)) {
    use common::process::{spawn, spawn_at};
    use data_encoding::BASE64URL_NOPAD;
    use serde_json::json;
    use std::io::Write;
    let relay = spawn(backend, &[], std::process::Stdio::null());
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

    storage_intact(dir.path());
    let relay = spawn_at(dir, &addr, backend, &[], std::process::Stdio::null());
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
