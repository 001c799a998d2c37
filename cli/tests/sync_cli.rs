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
            // Devices here are seconds old: no wait before they may remove one another.
            let opts =
                phr_relay::Options { new_device_wait: Some(std::time::Duration::ZERO), ..Default::default() };
            let app = phr_relay::app(backend, opts).await.unwrap();
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
    let code = pending.confirmation_code().unwrap();
    devices::approve(&a, &offer, Duration::from_secs(10), retry(), |c| c == code)
        .unwrap()
        .expect("the tablet answered");
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

/// Issue 18: the offering device sends no key before the owner has compared the codes. A
/// device that answered is refused when the codes differ, and nothing reaches it; the
/// same code, compared, lets the real device in.
#[test]
fn pairing_sends_no_key_before_the_codes_are_compared() {
    let tmp = tempfile::tempdir().unwrap();
    let url = start_relay(tmp.path());
    let a = Record::create(&tmp.path().join("phone").join(DB_FILE), &ks()).unwrap();
    devices::start(&a, &url, "phone", retry()).unwrap();

    // Someone who copied the code answers first; the owner's new device shows another code.
    let offer = devices::offer(&a).unwrap();
    let intruder = devices::join_request(offer.payload.expose_secret(), "not mine").unwrap();
    let request = devices::await_join(&a, &offer, Duration::from_secs(10)).unwrap().expect("answered");
    assert_eq!(request.code, intruder.confirmation_code().unwrap(), "both sides derive the same code");
    let e = devices::approve(&a, &offer, Duration::from_secs(10), retry(), |_| false).unwrap_err();
    assert!(e.to_string().contains("nothing was sent"), "{e}");
    let got = devices::finish_join(
        intruder,
        &tmp.path().join("intruder").join(DB_FILE),
        &ks(),
        Duration::from_secs(1),
    );
    assert!(got.unwrap().is_none(), "no welcome, so no data key, reached the device");
    assert!(!tmp.path().join("intruder").join(DB_FILE).exists());

    // A fresh code, and the owner's device, whose code matches: it joins.
    let offer = devices::offer(&a).unwrap();
    let tablet = devices::join_request(offer.payload.expose_secret(), "tablet").unwrap();
    let code = tablet.confirmation_code().unwrap();
    let (id, shown) = devices::approve(&a, &offer, Duration::from_secs(10), retry(), |c| c == code)
        .unwrap()
        .expect("answered");
    assert_eq!((id.as_str(), shown.as_str()), (tablet.device(), code.as_str()));
    assert!(devices::finish_join(
        tablet,
        &tmp.path().join("tablet").join(DB_FILE),
        &ks(),
        Duration::from_secs(10)
    )
    .unwrap()
    .is_some());
}

/// Issue 18: the one-time pairing secret never goes on the command line (`ps` shows it).
#[test]
fn the_pairing_code_is_refused_in_argv_and_read_from_stdin() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("new");
    let phr = |args: &[&str], stdin: &str| {
        let mut child = Command::new(env!("CARGO_BIN_EXE_phr"))
            .args(["--home", home.to_str().unwrap()])
            .args(args)
            .env("PHR_PASSPHRASE", PASS)
            .env_remove("PHR_HOME")
            .env_remove("PHR_PAIR_CODE")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        use std::io::Write;
        child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
        let out = child.wait_with_output().unwrap();
        (out.status.success(), String::from_utf8_lossy(&out.stderr).into_owned())
    };
    let (ok, err) = phr(&["device", "join", "phr-pair:1:SECRET"], "");
    assert!(!ok);
    assert!(err.contains("`ps`") && err.contains("paste it when asked"), "{err}");
    // From stdin: read (and found damaged), so it got past the argv rule.
    let (ok, err) = phr(&["device", "join", "--wait", "1"], "phr-pair:1:not-base64!\n");
    assert!(!ok);
    assert!(err.contains("pairing code is not valid: is damaged"), "{err}");
}

/// `phr device ...` in the given home, with the recovery key (if any) in PHR_RECOVERY_KEY,
/// never in argv. Returns (success, stdout + stderr).
fn phr_device(home: &Path, args: &[&str], recovery_key: Option<&str>) -> (bool, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_phr"));
    cmd.arg("--home").arg(home).arg("device").args(args).env("PHR_PASSPHRASE", PASS).env_remove("PHR_HOME");
    cmd.env_remove("PHR_RECOVERY_KEY");
    if let Some(k) = recovery_key {
        cmd.env("PHR_RECOVERY_KEY", k);
    }
    let out = cmd.stdin(std::process::Stdio::null()).output().unwrap();
    (
        out.status.success(),
        format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)),
    )
}

/// Issue 18 (ADR 0048) from the command line: `phr device remove` on the only device at hand
/// asks and says what to do; `--recovery-key` removes; the removed device is refused until
/// `phr device recover` brings it back, and it then has the other's entries.
#[test]
fn device_remove_asks_and_the_recovery_key_removes_and_brings_back() {
    let tmp = tempfile::tempdir().unwrap();
    let url = start_relay(tmp.path());
    let (home_a, home_b) = (tmp.path().join("phone"), tmp.path().join("tablet"));
    let a = Record::create(&home_a.join(DB_FILE), &ks()).unwrap();
    let key = a.create_recovery_key().unwrap().to_printable();
    devices::start(&a, &url, "phone", retry()).unwrap();
    sync(&a);
    let offer = devices::offer(&a).unwrap();
    let pending = devices::join_request(offer.payload.expose_secret(), "tablet").unwrap();
    let code = pending.confirmation_code().unwrap();
    devices::approve(&a, &offer, Duration::from_secs(10), retry(), |c| c == code).unwrap().unwrap();
    let b = devices::finish_join(pending, &home_b.join(DB_FILE), &ks(), Duration::from_secs(10))
        .unwrap()
        .unwrap();
    sync(&b);
    let a_id = SyncState::require(&a).unwrap().device;
    drop(a);

    let (ok, out) = phr_device(&home_b, &["remove", &a_id[..8]], None);
    assert!(ok, "{out}");
    assert!(
        out.contains("Asked") && out.contains("another of your devices") && out.contains("--recovery-key"),
        "{out}"
    );
    let (ok, out) = phr_device(&home_b, &["list"], None);
    assert!(ok && out.contains("asked to remove it"), "{out}");
    let (ok, out) = phr_device(&home_b, &["remove", &a_id[..8], "--recovery-key"], Some("AAAA-BBBB"));
    assert!(!ok && out.contains("recovery key"), "a malformed key is refused: {out}");
    let (ok, out) = phr_device(&home_b, &["remove", &a_id[..8], "--recovery-key"], Some(&key.to_lowercase()));
    assert!(ok && out.contains("Removed"), "{out}");
    b.add_entry("medications", ramipril("5 mg"), Provenance::User).unwrap();
    sync(&b);

    let (ok, out) = phr_device(&home_a, &["list"], None);
    assert!(!ok && out.contains("removed"), "{out}");
    let (ok, out) = phr_device(&home_a, &["recover", "--name", "phone again"], Some(&key));
    assert!(ok && out.contains("back with your other devices"), "{out}");
    let a = Record::open(&home_a.join(DB_FILE), &ks()).unwrap();
    assert_eq!(
        a.list_entries("medications", Default::default()).unwrap().len(),
        1,
        "the tablet's entry came"
    );
    let (ok, out) = phr_device(&home_a, &["list"], None);
    assert!(ok && out.matches("active").count() == 2, "{out}");
}
