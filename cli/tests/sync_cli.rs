//! `phr sync` against a real relay (in-process, on 127.0.0.1): two devices edit the same
//! entry without seeing each other's edit. The sync report names the conflict, `phr sync`
//! prints a line about it, and the entry's screen model carries the note until the owner
//! dismisses it (issue 14, item 7).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout, clippy::print_stderr)] // test code: a failed unwrap is a failed test, and it prints what it measured

use phr_core::app::screens::{entry_detail, EntryAction};
use phr_core::crypto::PassphraseKeyStore;
use phr_core::progress::{CancelToken, NoProgress};
use phr_core::record::{EntryValue, Provenance};
use phr_core::store::DB_FILE;
use phr_core::sync::{devices, RetryPolicy, SyncOptions, SyncState};
use phr_core::Record;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

const PASS: &str = "correct horse battery staple";

/// The relay on a free port, served from its own thread until the test ends.
fn start_relay(dir: &Path) -> String {
    let (tx, rx) = std::sync::mpsc::channel();
    let backend = phr_relay::Backend::Sqlite(dir.join("relay.sqlite"));
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let port = listener.local_addr().unwrap().port();
            let app = phr_relay::app(backend, Default::default()).await.unwrap();
            tx.send(port).unwrap();
            axum::serve(listener, app).await.unwrap();
        });
    });
    let port = rx.recv_timeout(Duration::from_secs(30)).expect("relay started");
    format!("http://127.0.0.1:{port}")
}

fn retry() -> RetryPolicy {
    RetryPolicy {
        attempts: 4,
        first_backoff: Duration::from_millis(10),
        max_backoff: Duration::from_millis(100),
    }
}

fn ks() -> PassphraseKeyStore {
    PassphraseKeyStore::new(PASS).unwrap()
}

fn sync(r: &Record) -> phr_core::sync::SyncReport {
    let relay = devices::relay_for(&SyncState::require(r).unwrap(), retry()).unwrap();
    phr_core::sync::sync(r, &relay, &NoProgress, &CancelToken::new(), SyncOptions::default()).unwrap()
}

fn ramipril(dose: &str) -> EntryValue {
    EntryValue::Medication {
        name: "Ramipril".into(),
        dose: Some(dose.into()),
        route: None,
        frequency: Some("once daily".into()),
        start: None,
        stop: None,
        reason: None,
        code: None,
    }
}

#[test]
fn a_sync_that_resolves_a_conflict_tells_the_owner_until_dismissed() {
    let tmp = tempfile::tempdir().unwrap();
    let url = start_relay(tmp.path());
    let (home_a, home_b) = (tmp.path().join("phone"), tmp.path().join("tablet"));

    // Two devices of one record, paired by the QR flow.
    let a = Record::create(&home_a.join(DB_FILE), &ks()).unwrap();
    let med = a.add_entry("medications", ramipril("5 mg"), Provenance::User).unwrap();
    devices::start(&a, &url, "phone", retry()).unwrap();
    let offer = devices::offer(&a).unwrap();
    let pending = devices::join_request(offer.payload.expose_secret(), "tablet").unwrap();
    devices::approve(&a, &offer, Duration::from_secs(10), retry()).unwrap().expect("the tablet answered");
    let b = devices::finish_join(pending, &home_b.join(DB_FILE), &ks(), Duration::from_secs(10))
        .unwrap()
        .expect("welcome arrived");
    sync(&a);
    sync(&b);
    assert!(b.entry(&med.id).is_ok(), "the tablet has the entry");

    // Each edits the same entry without seeing the other's edit; the tablet's is later.
    a.edit_entry(&med.id, ramipril("20 mg")).unwrap();
    std::thread::sleep(Duration::from_millis(20));
    b.edit_entry(&med.id, ramipril("2.5 mg")).unwrap();
    let first = sync(&a);
    assert!(first.conflicts.is_empty(), "nothing to resolve yet: {first:?}");
    drop(b);

    // `phr sync` on the tablet resolves it and says so.
    let out = Command::new(env!("CARGO_BIN_EXE_phr"))
        .args(["--home", home_b.to_str().unwrap(), "sync"])
        .env("PHR_PASSPHRASE", PASS)
        .env_remove("PHR_HOME")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    let line = stdout
        .lines()
        .find(|l| l.contains("Two devices changed the same entry in medications"))
        .unwrap_or_else(|| panic!("no conflict line in:\n{stdout}"));
    assert!(
        line.contains("\"Ramipril, 2.5 mg, once daily\"") && line.contains("\"Ramipril, 20 mg, once daily\""),
        "{line}"
    );
    assert!(line.contains("history") && line.contains(&med.id), "{line}");

    // The phone's next sync reports the same conflict in its report.
    let report = sync(&a);
    assert_eq!(report.conflicts.len(), 1, "{report:?}");
    let c = &report.conflicts[0];
    assert_eq!((c.entry_id.as_str(), c.section.as_str()), (med.id.as_str(), "medications"));
    assert_eq!(
        (c.kept.as_str(), c.replaced.as_str()),
        ("Ramipril, 2.5 mg, once daily", "Ramipril, 20 mg, once daily")
    );
    assert!(c.kept_at_ms > c.replaced_at_ms);
    // Converged on the later value; the other is in the history.
    assert!(
        matches!(&a.entry(&med.id).unwrap().value, EntryValue::Medication { dose: Some(d), .. } if d == "2.5 mg")
    );

    // The tablet's entry screen shows the note (kept across the CLI's process) until dismissed.
    let b = Record::open(&home_b.join(DB_FILE), &ks()).unwrap();
    let screen = entry_detail(&b, &med.id).unwrap();
    let note = screen.conflict.expect("the entry screen shows the conflict");
    assert_eq!(note.message.key, "sync.conflict.entry");
    let arg = |n: &str| note.message.args.iter().find(|a| a.name == n).unwrap().value.clone();
    assert_eq!(arg("kept"), "Ramipril, 2.5 mg, once daily");
    assert_eq!(arg("replaced"), "Ramipril, 20 mg, once daily");
    assert_eq!(note.restore.key, "sync.conflict.restore");
    assert!(screen.history.iter().any(|h| h.summary == note.replaced), "the lost value is in the history");
    assert!(screen.actions.contains(&EntryAction::DismissConflict));
    assert!(b.dismiss_sync_conflict(&med.id).unwrap());
    let screen = entry_detail(&b, &med.id).unwrap();
    assert!(screen.conflict.is_none() && !screen.actions.contains(&EntryAction::DismissConflict));
    assert!(!b.dismiss_sync_conflict(&med.id).unwrap(), "nothing left to dismiss");

    // A later sync with nothing concurrent tells nothing new.
    b.edit_entry(&med.id, ramipril("5 mg")).unwrap();
    sync(&b);
    assert!(sync(&a).conflicts.is_empty());
    assert!(entry_detail(&a, &med.id).unwrap().conflict.is_some(), "the phone keeps its own note");
}
