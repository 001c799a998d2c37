//! The audit log's hash chain: verifies when untouched; an edited, removed, reordered or
//! cut-off entry is detected.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout, clippy::print_stderr)] // test code: a failed unwrap is a failed test, and it prints what it measured

use chrono::Utc;
use phr_core::consent::{self, GrantRequest, Recipient, RecipientCategory};
use phr_core::crypto::RawKeyStore;
use phr_core::store::DB_FILE;
use phr_core::Record;
use std::path::Path;

fn record_with_log(dir: &Path) -> Record {
    let r = Record::create(&dir.join(DB_FILE), &RawKeyStore::new([3; 32])).unwrap();
    let g = consent::create_grant(
        &r,
        GrantRequest {
            recipient: Recipient {
                name: "Dr Who".into(),
                role: "GP".into(),
                category: RecipientCategory::HealthProfessional,
            },
            sections: vec!["medications".into()],
            purpose: "review".into(),
            message: None,
            start: None,
            expiry: None,
            disclosure: Default::default(),
        },
    )
    .unwrap();
    for _ in 0..3 {
        consent::check(&r, &g.id, Utc::now()).unwrap();
    }
    consent::revoke_grant(&r, &g.id).unwrap();
    assert_eq!(r.audit_log().unwrap().len(), 5);
    assert!(r.verify_audit().unwrap().ok);
    r
}

fn tamper(dir: &Path, sql: &str) -> phr_core::consent::AuditVerification {
    let c = rusqlite::Connection::open(dir.join(DB_FILE)).unwrap();
    c.execute_batch(sql).unwrap();
    drop(c);
    let r = Record::open(&dir.join(DB_FILE), &RawKeyStore::new([3; 32])).unwrap();
    r.verify_audit().unwrap()
}

#[test]
fn untouched_log_verifies_and_reads_who_saw_what() {
    let d = tempfile::tempdir().unwrap();
    let r = record_with_log(d.path());
    let log = r.audit_log().unwrap();
    assert!(log.windows(2).all(|w| w[1].seq == w[0].seq + 1 && w[1].at >= w[0].at));
    assert!(log.iter().all(|e| e.actor == "Dr Who"));
    drop(r);
    let r = Record::open(&d.path().join(DB_FILE), &RawKeyStore::new([3; 32])).unwrap();
    assert_eq!(r.verify_audit().unwrap().entries, 5);
}

#[test]
fn edited_body_is_detected() {
    let d = tempfile::tempdir().unwrap();
    drop(record_with_log(d.path()));
    let v = tamper(
        d.path(),
        "UPDATE audit_log SET body = (SELECT body FROM audit_log WHERE seq = 2) WHERE seq = 3",
    );
    assert!(!v.ok);
    assert_eq!(v.problem.unwrap().0, 3);
}

#[test]
fn edited_time_is_detected() {
    let d = tempfile::tempdir().unwrap();
    drop(record_with_log(d.path()));
    let v = tamper(d.path(), "UPDATE audit_log SET at = at - 86400000 WHERE seq = 2");
    assert!(!v.ok);
    assert_eq!(v.problem.unwrap().0, 2);
}

#[test]
fn removed_entry_is_detected() {
    let d = tempfile::tempdir().unwrap();
    drop(record_with_log(d.path()));
    let v = tamper(d.path(), "DELETE FROM audit_log WHERE seq = 2");
    assert!(!v.ok);
    assert!(v.problem.unwrap().1.contains("missing"));
}

#[test]
fn renumbered_entries_are_detected() {
    let d = tempfile::tempdir().unwrap();
    drop(record_with_log(d.path()));
    // Remove entry 2 and shift the rest down to hide the gap.
    let v = tamper(
        d.path(),
        "DELETE FROM audit_log WHERE seq = 2; UPDATE audit_log SET seq = seq - 1 WHERE seq > 2;",
    );
    assert!(!v.ok);
}

#[test]
fn cut_off_tail_is_detected() {
    let d = tempfile::tempdir().unwrap();
    drop(record_with_log(d.path()));
    let v = tamper(d.path(), "DELETE FROM audit_log WHERE seq = 5");
    assert!(!v.ok);
    assert!(v.problem.unwrap().1.contains("end"), "the sealed head catches a removed last entry");
}

#[test]
fn forged_chain_value_is_detected() {
    let d = tempfile::tempdir().unwrap();
    drop(record_with_log(d.path()));
    let v = tamper(d.path(), "UPDATE audit_log SET chain = zeroblob(16) WHERE seq = 4");
    assert!(!v.ok);
    assert_eq!(v.problem.unwrap().0, 4);
}
