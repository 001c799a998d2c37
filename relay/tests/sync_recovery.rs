//! Issue 18, item 2 (ADR 0048), end to end through a real relay (SQLite and, with
//! PHR_TEST_PG, PostgreSQL): a removal asked on one device is only a request until another
//! device (not the one being removed) confirms it, or the printed recovery key signs it; the
//! removed device is refused, then comes back with the recovery key, gets the key the
//! removal rotated to, and syncs what the others wrote meanwhile (and what it wrote alone).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout, clippy::print_stderr)] // test code: a failed unwrap is a failed test

mod common;

use common::devices::{condition, condition_names, ks};
use common::{start, Running, Which};
use phr_core::app::screens::{devices_screen, DevicesScreen};
use phr_core::crypto::RecoveryKey;
use phr_core::record::Provenance;
use phr_core::sync::devices::{self, Removal};
use phr_core::sync::{recovery, RetryPolicy, SyncState};
use phr_core::Record;
use std::time::Duration;

fn retry() -> RetryPolicy {
    RetryPolicy {
        attempts: 3,
        first_backoff: Duration::from_millis(10),
        max_backoff: Duration::from_millis(50),
    }
}

fn sync(r: &Record) -> phr_core::Result<phr_core::sync::SyncReport> {
    common::devices::sync(r, retry())
}

fn relay_of(r: &Record) -> phr_core::sync::HttpSyncRelay {
    devices::relay_for(&SyncState::require(r).unwrap(), retry()).unwrap()
}

fn screen(r: &Record) -> DevicesScreen {
    devices_screen(r, chrono::Utc::now()).unwrap()
}

fn active(r: &Record) -> Vec<String> {
    devices::list(r, &relay_of(r)).unwrap().into_iter().filter(|d| d.active).map(|d| d.id).collect()
}

/// A (the first device, with the recovery key made) and B (joined by the pairing check).
fn a_and_b(r: &Running) -> (tempfile::TempDir, Record, Record, RecoveryKey) {
    let dir = tempfile::tempdir().unwrap();
    let a = Record::create(&dir.path().join("a/record.phr"), &ks()).unwrap();
    let key = a.create_recovery_key().unwrap();
    a.add_entry("conditions", condition("asthma"), Provenance::User).unwrap();
    devices::start(&a, &r.base, "phone", retry()).unwrap();
    sync(&a).unwrap();
    let b = common::devices::join(&a, &dir.path().join("b/record.phr"), retry());
    sync(&b).unwrap();
    (dir, a, b, key)
}

fn removed_then_recovered(which: Which) {
    let Some(r) = start(which) else { return };
    let (_dir, a, b, key) = a_and_b(&r);
    let a_id = SyncState::require(&a).unwrap().device;
    assert_eq!(condition_names(&b), vec!["asthma"]);
    // B alone (the thief's unlocked phone, or the owner with only B at hand) only asks.
    let asked = devices::remove(&b, &relay_of(&b), &a_id).unwrap();
    assert!(matches!(asked, Removal::Pending { .. }), "{asked:?}");
    sync(&a).expect("A is still one of the devices");
    let seen_by_a = devices::list(&a, &relay_of(&a)).unwrap();
    let me = seen_by_a.iter().find(|d| d.this_device).unwrap();
    assert_eq!(me.removal_requested_by.as_deref(), Some(SyncState::require(&b).unwrap().device.as_str()));
    // The screens say what happens and where: B waits for another device; A is warned.
    let on_b = screen(&b);
    assert_eq!(on_b.others[0].removal_key.as_deref(), Some("devices.removal_asked_here"));
    assert_eq!(screen(&a).warning_key.as_deref(), Some("devices.removal_of_this_device"));
    assert!(!screen(&a).can_recover);
    // A cannot confirm its own removal, nor remove B on its own.
    assert!(devices::remove(&a, &relay_of(&a), &a_id).is_err());
    let b_id = SyncState::require(&b).unwrap().device;
    assert!(matches!(devices::remove(&a, &relay_of(&a), &b_id).unwrap(), Removal::Pending { .. }));
    assert_eq!(active(&a).len(), 2);
    // A wrong recovery key removes nothing.
    let wrong = RecoveryKey::generate().unwrap();
    assert!(recovery::remove_with_key(&b, &relay_of(&b), &a_id, &wrong, retry()).is_err());
    assert_eq!(active(&b).len(), 2);
    // With the recovery key, B removes A: the key rotates.
    let epoch = recovery::remove_with_key(&b, &relay_of(&b), &a_id, &key, retry()).unwrap();
    assert_eq!(epoch, 1);
    b.add_entry("conditions", condition("written on B after the removal"), Provenance::User).unwrap();
    sync(&b).unwrap();
    // A is refused; meanwhile its owner writes on it anyway.
    assert!(matches!(sync(&a), Err(phr_core::Error::Denied(_))));
    assert_eq!(screen(&a).warning_key.as_deref(), Some("devices.this_removed"));
    assert!(screen(&a).can_recover, "A's screen offers the recovery key");
    a.add_entry("conditions", condition("written on A while removed"), Provenance::User).unwrap();
    assert_eq!(active(&b), vec![b_id.clone()]);
    // A comes back with the recovery key: a new device key, the rotated epoch key, B's entries.
    let back = recovery::recover(&a, &key, "", retry()).unwrap();
    assert_ne!(back, a_id, "a removed key never comes back; a new one does");
    assert!(!screen(&a).can_recover && screen(&a).warning_key.is_none());
    sync(&a).unwrap();
    assert_eq!(
        condition_names(&a),
        vec!["asthma", "written on A while removed", "written on B after the removal"]
    );
    sync(&b).unwrap();
    assert_eq!(condition_names(&b), condition_names(&a), "what A wrote while removed reached B");
    assert_eq!(a.sync_state_digest().unwrap(), b.sync_state_digest().unwrap());
    let mut both = vec![b_id, back];
    both.sort();
    let mut listed = active(&b);
    listed.sort();
    assert_eq!(listed, both, "the devices list shows A again");
    assert_eq!(SyncState::require(&a).unwrap().label, "phone");
}

/// A third device confirms what B asked: no recovery key needed; the confirming device
/// rotates the key, and the removed one gets nothing written after.
fn confirmed_on_another_device(which: Which) {
    let Some(r) = start(which) else { return };
    let (dir, a, b, _key) = a_and_b(&r);
    let c = common::devices::join(&a, &dir.path().join("c/record.phr"), retry());
    sync(&c).unwrap();
    let a_id = SyncState::require(&a).unwrap().device;
    assert!(matches!(devices::remove(&b, &relay_of(&b), &a_id).unwrap(), Removal::Pending { .. }));
    active(&c);
    let row = screen(&c).others.into_iter().find(|d| d.id == a_id).unwrap();
    assert_eq!(row.removal_key.as_deref(), Some("devices.removal_confirm_here"), "C is told Remove confirms");
    assert_eq!(devices::remove(&c, &relay_of(&c), &a_id).unwrap(), Removal::Removed { epoch: 1 });
    assert!(matches!(sync(&a), Err(phr_core::Error::Denied(_))));
    c.add_entry("conditions", condition("after"), Provenance::User).unwrap();
    sync(&c).unwrap();
    sync(&b).unwrap();
    assert_eq!(condition_names(&b), vec!["after", "asthma"]);
}

/// A record restored from a backup on a new phone comes back the same way.
fn a_fresh_install_from_a_backup(which: Which) {
    let Some(r) = start(which) else { return };
    let (dir, a, b, key) = a_and_b(&r);
    let backup = dir.path().join("a.phrbak");
    a.backup(&backup).unwrap();
    drop(a);
    b.add_entry("conditions", condition("later"), Provenance::User).unwrap();
    sync(&b).unwrap();
    let home = dir.path().join("new-phone");
    let fresh = Record::restore_with_recovery_key(
        &backup,
        &home,
        RecoveryKey::parse(&key.to_printable()).unwrap(),
        &ks(),
    )
    .unwrap();
    recovery::recover(&fresh, &key, "new phone", retry()).unwrap();
    sync(&fresh).unwrap();
    assert_eq!(condition_names(&fresh), vec!["asthma", "later"]);
    assert_eq!(active(&b).len(), 3, "the old phone is still listed until the owner removes it");
}

/// A recovery key made before ADR 0048 (only the record's wrap knows it): the device holding
/// the record it was made on registers it when the owner first types it, and from then on it
/// removes and brings back like any.
fn a_key_made_before_the_relay_knew_recovery_keys(which: Which) {
    let Some(r) = start(which) else { return };
    let dir = tempfile::tempdir().unwrap();
    let a = Record::create(&dir.path().join("a/record.phr"), &ks()).unwrap();
    let key = RecoveryKey::generate().unwrap();
    a.add_keystore(&phr_core::crypto::RecoveryKeyStore::new(key.clone())).unwrap();
    devices::start(&a, &r.base, "phone", retry()).unwrap();
    sync(&a).unwrap();
    let b = common::devices::join(&a, &dir.path().join("b/record.phr"), retry());
    sync(&b).unwrap();
    let b_id = SyncState::require(&b).unwrap().device;
    // Until A has seen it, the relay does not know the key: B (no wrap, no public half) is refused.
    let a_id = SyncState::require(&a).unwrap().device;
    let e = recovery::remove_with_key(&b, &relay_of(&b), &a_id, &key, retry()).unwrap_err();
    assert!(e.to_string().contains("recovery key"), "{e}");
    assert_eq!(active(&a).len(), 2);
    let wrong = RecoveryKey::generate().unwrap();
    assert!(
        recovery::remove_with_key(&a, &relay_of(&a), &b_id, &wrong, retry()).is_err(),
        "A's wrap refuses it"
    );
    assert_eq!(recovery::remove_with_key(&a, &relay_of(&a), &b_id, &key, retry()).unwrap(), 1);
    assert!(matches!(sync(&b), Err(phr_core::Error::Denied(_))));
    recovery::recover(&b, &key, "", retry()).unwrap();
    a.add_entry("conditions", condition("after"), Provenance::User).unwrap();
    sync(&a).unwrap();
    sync(&b).unwrap();
    assert_eq!(condition_names(&b), vec!["after"]);
}

macro_rules! both {
    ($($name:ident),* $(,)?) => {
        mod sqlite { $( #[test] fn $name() { super::$name(super::Which::Sqlite) } )* }
        mod postgres { $( #[test] fn $name() { super::$name(super::Which::Postgres) } )* }
    };
}

both!(
    removed_then_recovered,
    confirmed_on_another_device,
    a_fresh_install_from_a_backup,
    a_key_made_before_the_relay_knew_recovery_keys,
);
