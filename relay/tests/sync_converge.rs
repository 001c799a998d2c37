//! Issue #8 end to end: phr-core's sync client against the real relay on 127.0.0.1, over
//! SQLite and (when PHR_TEST_PG is set) PostgreSQL.
//!
//! - Three devices (paired by QR code flow) make random concurrent changes and sync in
//!   random orders through a proxy that drops connections mid-answer, while the relay is
//!   restarted now and then; afterwards every device shows the same record and holds every
//!   op any device made.
//! - The relay's storage holds no record value (sentinel scan).
//! - A removed device can no longer pull and cannot decrypt what is written after.
//! - Compaction: a device added later starts from the snapshot.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout, clippy::print_stderr)] // test code: a failed unwrap is a failed test, and it prints what it measured

use phr_core::crypto::RawKeyStore;
use phr_core::progress::{CancelToken, NoProgress};
use phr_core::record::{
    AnnotationKind, ConditionStatus, EntryValue, PrivacyLevel, Provenance, Sample, SampleKind,
};
use phr_core::sync::{devices, envelope, RetryPolicy, SyncOptions, SyncRelay, SyncState};
use phr_core::Record;
use phr_relay::Backend;
use proptest::prelude::*;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

const SENTINEL: &str = "SENTINEL-7731 Zxqvorimab";

fn fast_retry() -> RetryPolicy {
    RetryPolicy {
        attempts: 8,
        first_backoff: Duration::from_millis(10),
        max_backoff: Duration::from_millis(200),
    }
}

/// A relay on a fixed port that can be stopped and started again on the same storage.
struct Relay {
    backend: Backend,
    port: u16,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Relay {
    fn start(backend: Backend, port: u16) -> Relay {
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let b = backend.clone();
        let thread = std::thread::spawn(move || {
            let rt =
                tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
            rt.block_on(async move {
                let mut tries = 0;
                let listener = loop {
                    match tokio::net::TcpListener::bind(("127.0.0.1", port)).await {
                        Ok(l) => break l,
                        Err(e) if tries < 50 => {
                            tries += 1;
                            let _ = e;
                            tokio::time::sleep(Duration::from_millis(50)).await;
                        }
                        Err(e) => panic!("rebinding the relay port: {e}"),
                    }
                };
                let port = listener.local_addr().unwrap().port();
                // The devices here are seconds old: no wait before one may remove another.
                let opts = phr_relay::Options {
                    new_device_wait: Some(std::time::Duration::ZERO),
                    ..Default::default()
                };
                let app = phr_relay::app(b, opts).await.unwrap();
                ready_tx.send(port).unwrap();
                axum::serve(listener, app)
                    .with_graceful_shutdown(async move {
                        let _ = stop_rx.await;
                    })
                    .await
                    .unwrap();
            });
        });
        let port = ready_rx.recv_timeout(Duration::from_secs(30)).expect("relay started");
        Relay { backend, port, stop: Some(stop_tx), thread: Some(thread) }
    }

    fn restart(&mut self) {
        self.shutdown();
        *self = Relay::start(self.backend.clone(), self.port);
    }

    fn shutdown(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// A TCP proxy in front of the relay that, while `faulty`, cuts a connection after the
/// relay has answered (the request was processed, the answer is lost): the worst case for
/// a client that must not lose or duplicate anything.
struct Proxy {
    url: String,
    faulty: Arc<AtomicBool>,
    cuts: Arc<AtomicU64>,
    _thread: std::thread::JoinHandle<()>,
}

fn proxy(upstream_port: u16, seed: u64) -> Proxy {
    let faulty = Arc::new(AtomicBool::new(false));
    let cuts = Arc::new(AtomicU64::new(0));
    let rng = Arc::new(AtomicU64::new(seed | 1));
    let (tx, rx) = std::sync::mpsc::channel();
    let (f, c) = (faulty.clone(), cuts.clone());
    let thread = std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            tx.send(listener.local_addr().unwrap().port()).unwrap();
            loop {
                let Ok((mut client, _)) = listener.accept().await else { continue };
                let (f, c, rng) = (f.clone(), c.clone(), rng.clone());
                tokio::spawn(async move {
                    use tokio::io::{AsyncReadExt, AsyncWriteExt};
                    let Ok(mut up) = tokio::net::TcpStream::connect(("127.0.0.1", upstream_port)).await
                    else {
                        return;
                    };
                    let (mut cr, mut cw) = client.split();
                    let (mut ur, mut uw) = up.split();
                    let to_up = tokio::io::copy(&mut cr, &mut uw);
                    let to_client = async {
                        let mut buf = vec![0u8; 16 * 1024];
                        loop {
                            let n = ur.read(&mut buf).await?;
                            if n == 0 {
                                return Ok::<(), std::io::Error>(());
                            }
                            let x = rng
                                .fetch_add(0x9E3779B97F4A7C15, Ordering::Relaxed)
                                .wrapping_mul(0xBF58476D1CE4E5B9);
                            if f.load(Ordering::Relaxed) && (x >> 60) < 3 {
                                // ~19% of answers are lost after the relay did the work.
                                c.fetch_add(1, Ordering::Relaxed);
                                return Ok(());
                            }
                            cw.write_all(&buf[..n]).await?;
                        }
                    };
                    tokio::select! {
                        _ = to_up => {},
                        _ = to_client => {},
                    }
                });
            }
        });
    });
    let port = rx.recv_timeout(Duration::from_secs(10)).unwrap();
    Proxy { url: format!("http://127.0.0.1:{port}"), faulty, cuts, _thread: thread }
}

fn backends(dir: &Path) -> Vec<Backend> {
    let mut v = vec![Backend::Sqlite(dir.join("relay.sqlite"))];
    match std::env::var("PHR_TEST_PG") {
        Ok(url) if !url.is_empty() => {
            let mut b = [0u8; 6];
            ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut b).unwrap();
            let schema = format!("sync_{}", b.iter().map(|x| format!("{x:02x}")).collect::<String>());
            v.push(Backend::Postgres { url, schema: Some(schema) });
        }
        _ => phr_testkit::missing(
            "PHR_TEST_PG is not set: the PostgreSQL run of this test (scripts/test-all.sh sets it)",
        ),
    }
    v
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

fn ks() -> RawKeyStore {
    RawKeyStore::new([9u8; 32])
}

/// The first device, then `n - 1` more added through the QR pairing flow.
fn pair_devices(dir: &Path, relay_url: &str, n: usize) -> Vec<Record> {
    let first = Record::create(&dir.join("dev0/record.phr"), &ks()).unwrap();
    first.add_entry("conditions", condition(SENTINEL), Provenance::User).unwrap();
    devices::start(&first, relay_url, "phone", fast_retry()).unwrap();
    let mut all = vec![first];
    for i in 1..n {
        all.push(join(&all[0], &dir.join(format!("dev{i}/record.phr"))));
    }
    all
}

fn join(existing: &Record, path: &Path) -> Record {
    let offer = devices::offer(existing).unwrap();
    let pending = devices::join_request(offer.payload.expose_secret(), "tablet").unwrap();
    let code_new = pending.confirmation_code().unwrap();
    // The owner's check: the offering device sends keys only if both codes match.
    let (_, code_old) =
        devices::approve(existing, &offer, Duration::from_secs(10), fast_retry(), |c| c == code_new)
            .unwrap()
            .expect("the new device answered");
    assert_eq!(code_new, code_old, "both screens show the same confirmation code");
    devices::finish_join(pending, path, &ks(), Duration::from_secs(10)).unwrap().expect("welcome arrived")
}

fn sync(r: &Record, opts: SyncOptions) -> phr_core::Result<phr_core::sync::SyncReport> {
    let state = SyncState::require(r)?;
    let relay = devices::relay_for(&state, fast_retry())?;
    phr_core::sync::sync(r, &relay, &NoProgress, &CancelToken::new(), opts)
}

fn settle(all: &[Record]) {
    for _ in 0..2 {
        for r in all {
            sync(r, SyncOptions::default()).unwrap();
        }
    }
}

fn assert_converged(all: &[Record]) {
    let want = all[0].sync_state_digest().unwrap();
    let ops = all[0].sync_op_ids().unwrap();
    for (i, r) in all.iter().enumerate().skip(1) {
        assert_eq!(r.sync_state_digest().unwrap(), want, "device {i} differs");
        assert_eq!(r.sync_op_ids().unwrap(), ops, "device {i} misses or has extra ops");
    }
    assert_eq!(all[0].sync_counts().unwrap().1, 0, "nothing left to push");
}

#[derive(Clone, Debug)]
enum Step {
    Add(usize, u8),
    Edit(usize, usize, u8),
    Annotate(usize, usize),
    Delete(usize, usize),
    Undo(usize, usize),
    Privacy(usize, u8),
    Samples(usize, u8),
    Sync(usize),
    RestartRelay,
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        3 => (0..3usize, any::<u8>()).prop_map(|(d, n)| Step::Add(d, n)),
        3 => (0..3usize, 0..8usize, any::<u8>()).prop_map(|(d, e, n)| Step::Edit(d, e, n)),
        1 => (0..3usize, 0..8usize).prop_map(|(d, e)| Step::Annotate(d, e)),
        1 => (0..3usize, 0..8usize).prop_map(|(d, e)| Step::Delete(d, e)),
        1 => (0..3usize, 0..8usize).prop_map(|(d, e)| Step::Undo(d, e)),
        1 => (0..3usize, any::<u8>()).prop_map(|(d, p)| Step::Privacy(d, p)),
        1 => (0..3usize, any::<u8>()).prop_map(|(d, n)| Step::Samples(d, n)),
        4 => (0..3usize).prop_map(Step::Sync),
        1 => Just(Step::RestartRelay),
    ]
}

fn run(all: &[Record], relay: &mut Relay, s: &Step) {
    let pick = |r: &Record, i: usize| -> Option<String> {
        let es = r
            .list_entries(
                "conditions",
                phr_core::store::ListOptions { include_deleted: true, include_hidden: true },
            )
            .ok()?;
        (!es.is_empty()).then(|| es[i % es.len()].id.clone())
    };
    // Refusals (editing a deleted entry, a sync cut short) are part of the game.
    let _ = match s.clone() {
        Step::Add(d, n) => {
            all[d].add_entry("conditions", condition(&format!("c{n}")), Provenance::User).map(|_| ())
        }
        Step::Edit(d, e, n) => pick(&all[d], e)
            .map_or(Ok(()), |id| all[d].edit_entry(&id, condition(&format!("e{n}"))).map(|_| ())),
        Step::Annotate(d, e) => pick(&all[d], e).map_or(Ok(()), |id| {
            all[d].annotate(&id, AnnotationKind::Note, Some(format!("n{d}"))).map(|_| ())
        }),
        Step::Delete(d, e) => pick(&all[d], e).map_or(Ok(()), |id| all[d].delete_entry(&id).map(|_| ())),
        Step::Undo(d, e) => pick(&all[d], e).map_or(Ok(()), |id| all[d].undo_delete(&id).map(|_| ())),
        Step::Privacy(d, p) => all[d]
            .set_section_privacy(
                "conditions",
                [PrivacyLevel::Private, PrivacyLevel::Shareable, PrivacyLevel::Sensitive][p as usize % 3],
            )
            .map(|_| ()),
        Step::Samples(d, n) => all[d]
            .ingest_samples(&[Sample::instant(
                SampleKind::Weight,
                1_700_000_000_000 + n as i64 * 60_000,
                70.0 + n as f64 / 10.0,
                &format!("scale{d}"),
            )])
            .map(|_| ()),
        Step::Sync(d) => sync(&all[d], SyncOptions { compact_after: 25 }).map(|_| ()),
        Step::RestartRelay => {
            relay.restart();
            Ok(())
        }
    };
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, failure_persistence: None, ..ProptestConfig::default() })]
    #[test]
    fn three_devices_always_converge_with_nothing_lost(steps in proptest::collection::vec(step(), 10..60), seed in any::<u64>()) {
        let dir = tempfile::tempdir().unwrap();
        for backend in backends(dir.path()) {
            let sub = tempfile::tempdir_in(dir.path()).unwrap();
            let mut relay = Relay::start(backend, 0);
            let px = proxy(relay.port, seed);
            let all = pair_devices(sub.path(), &px.url, 3);
            px.faulty.store(true, Ordering::Relaxed);
            for s in &steps {
                run(&all, &mut relay, s);
            }
            px.faulty.store(false, Ordering::Relaxed);
            settle(&all);
            assert_converged(&all);
            eprintln!("converged after {} steps, {} answers cut", steps.len(), px.cuts.load(Ordering::Relaxed));
        }
    }
}

#[test]
fn relay_storage_holds_no_record_value_and_owners_are_isolated() {
    let dir = tempfile::tempdir().unwrap();
    let relay = Relay::start(Backend::Sqlite(dir.path().join("relay.sqlite")), 0);
    let url = format!("http://127.0.0.1:{}", relay.port);
    let alice = pair_devices(&dir.path().join("alice"), &url, 2);
    settle(&alice);
    alice[1]
        .annotate(
            &alice[1].list_entries("conditions", Default::default()).unwrap()[0].id,
            AnnotationKind::Note,
            Some(format!("{SENTINEL} note")),
        )
        .unwrap();
    settle(&alice);
    assert_converged(&alice);
    let mut stored = std::fs::read(dir.path().join("relay.sqlite")).unwrap();
    if let Ok(w) = std::fs::read(dir.path().join("relay.sqlite-wal")) {
        stored.extend(w);
    }
    for needle in ["SENTINEL-7731", "Zxqvorimab", "conditions", "asthma"] {
        assert!(
            !stored.windows(needle.len()).any(|w| w == needle.as_bytes()),
            "{needle} found in the relay's storage"
        );
    }
    // Bob's device, signed with its own key, cannot read or write Alice's log.
    let bob = Record::create(&dir.path().join("bob/record.phr"), &ks()).unwrap();
    devices::start(&bob, &url, "bob", fast_retry()).unwrap();
    let alice_state = SyncState::require(&alice[0]).unwrap();
    let bob_state = SyncState::require(&bob).unwrap();
    let intruder = phr_core::sync::HttpSyncRelay::new(
        &url,
        &alice_state.account,
        bob_state.signing_key().unwrap(),
        fast_retry(),
    )
    .unwrap();
    assert!(matches!(intruder.pull(0, 10), Err(phr_core::Error::Denied(_))));
    assert!(matches!(
        intruder.push(0, &[]),
        Err(phr_core::Error::Denied(_)) | Err(phr_core::Error::Io { .. })
    ));
    assert!(matches!(intruder.devices(), Err(phr_core::Error::Denied(_))), "Bob cannot list Alice's devices");
    // Any well-formed 32-byte key will do for the X25519 half.
    let me = bob_state.public_key().unwrap();
    assert!(
        matches!(intruder.add_device(&me, &me), Err(phr_core::Error::Denied(_))),
        "Bob cannot add himself to Alice's account"
    );
}

#[test]
fn a_removed_device_cannot_pull_or_read_what_comes_after() {
    let dir = tempfile::tempdir().unwrap();
    let relay = Relay::start(Backend::Sqlite(dir.path().join("relay.sqlite")), 0);
    let url = format!("http://127.0.0.1:{}", relay.port);
    let all = pair_devices(dir.path(), &url, 3);
    settle(&all);
    let lost = SyncState::require(&all[2]).unwrap();
    let remove = |r: &Record| {
        devices::remove(
            r,
            &devices::relay_for(&SyncState::require(r).unwrap(), fast_retry()).unwrap(),
            &lost.device,
        )
        .unwrap()
    };
    // Asked on one device, confirmed on another (ADR 0048).
    assert!(matches!(remove(&all[0]), devices::Removal::Pending { .. }));
    assert_eq!(remove(&all[1]), devices::Removal::Removed { epoch: 1 });
    // The remaining devices carry on under the new key.
    all[1].add_entry("conditions", condition("written after the removal"), Provenance::User).unwrap();
    sync(&all[1], SyncOptions::default()).unwrap();
    sync(&all[0], SyncOptions::default()).unwrap();
    assert_eq!(all[0].sync_state_digest().unwrap(), all[1].sync_state_digest().unwrap());
    // The lost device is refused...
    assert!(matches!(sync(&all[2], SyncOptions::default()), Err(phr_core::Error::Denied(_))));
    // ...and even given the ciphertext, its keys do not open it.
    let a = SyncState::require(&all[0]).unwrap();
    let page = devices::relay_for(&a, fast_retry()).unwrap().pull(0, 1000).unwrap();
    let after: Vec<_> = page.ops.iter().filter(|p| p.op.epoch == 1).collect();
    assert!(!after.is_empty(), "ops after the removal are sealed under the new epoch");
    let lost_keys = phr_core::sync::engine::epoch_keys(&all[2]).unwrap();
    let keep_keys = phr_core::sync::engine::epoch_keys(&all[1]).unwrap();
    for p in after {
        assert!(envelope::open_op(&lost_keys, &a.account, &p.op).is_err());
        assert!(envelope::open_op(&keep_keys, &a.account, &p.op).is_ok());
    }
    // Its key cannot be added back.
    let relay_a = devices::relay_for(&a, fast_retry()).unwrap();
    assert!(relay_a.add_device(&lost.public_key().unwrap(), "x").is_err());
}

#[test]
fn a_device_added_after_compaction_starts_from_the_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    let relay = Relay::start(Backend::Sqlite(dir.path().join("relay.sqlite")), 0);
    let url = format!("http://127.0.0.1:{}", relay.port);
    let all = pair_devices(dir.path(), &url, 2);
    for i in 0..40 {
        all[i % 2].add_entry("conditions", condition(&format!("c{i}")), Provenance::User).unwrap();
        if i % 5 == 0 {
            sync(&all[i % 2], SyncOptions { compact_after: 10 }).unwrap();
        }
    }
    settle(&all);
    // Both devices have acknowledged everything: the next snapshot lets the relay prune.
    sync(&all[0], SyncOptions { compact_after: 1 }).unwrap();
    all[1].add_entry("conditions", condition("one more"), Provenance::User).unwrap();
    sync(&all[1], SyncOptions { compact_after: 1 }).unwrap();
    sync(&all[0], SyncOptions { compact_after: 1 }).unwrap();
    sync(&all[1], SyncOptions { compact_after: 1 }).unwrap();
    let newcomer = join(&all[0], &dir.path().join("dev9/record.phr"));
    let report = sync(&newcomer, SyncOptions::default()).unwrap();
    assert!(
        report.from_snapshot,
        "the log was compacted, so the new device starts from the snapshot: {report:?}"
    );
    let mut everyone = all;
    everyone.push(newcomer);
    settle(&everyone);
    assert_eq!(everyone[2].sync_state_digest().unwrap(), everyone[0].sync_state_digest().unwrap());
}
