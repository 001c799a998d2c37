//! Issue 18: an op on the relay that a device cannot open no longer stops its pulls for
//! good with an error blaming the local record. Through a real relay (SQLite and, with
//! PHR_TEST_PG, PostgreSQL): one op's ciphertext is damaged in the relay's storage, and a
//! device joining later pulls the rest, reports which op (by sequence number) came damaged
//! from the relay, sets it aside, and keeps syncing.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout, clippy::print_stderr)] // test code: a failed unwrap is a failed test, and it prints what it measured

mod common;

use common::devices::{condition, condition_names, ks};
use common::{start, Running, Which};
use phr_core::record::Provenance;
use phr_core::sync::{devices, RetryPolicy};
use phr_core::Record;
use phr_relay::Backend;
use std::path::Path;
use std::time::Duration;

fn retry() -> RetryPolicy {
    RetryPolicy {
        attempts: 4,
        first_backoff: Duration::from_millis(10),
        max_backoff: Duration::from_millis(100),
    }
}

fn join(existing: &Record, path: &Path) -> Record {
    common::devices::join(existing, path, retry())
}

fn sync(r: &Record) -> phr_core::Result<phr_core::sync::SyncReport> {
    common::devices::sync(r, retry())
}

/// Overwrites the stored ciphertext of the op at `seq` on the relay.
fn damage(r: &Running, seq: i64) {
    let junk = vec![0x5au8; 64];
    match &r.backend {
        Backend::Sqlite(p) => {
            let c = rusqlite::Connection::open(p).unwrap();
            assert_eq!(
                c.execute("UPDATE sync_ops SET blob = ?1 WHERE seq = ?2", rusqlite::params![junk, seq])
                    .unwrap(),
                1
            );
        }
        Backend::Postgres { url, schema } => {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            rt.block_on(async {
                let (c, conn) = tokio_postgres::connect(url, tokio_postgres::NoTls).await.unwrap();
                tokio::spawn(conn);
                let s = schema.as_deref().unwrap();
                let n = c
                    .execute(&format!("UPDATE {s}.sync_ops SET blob = $1 WHERE seq = $2"), &[&junk, &seq])
                    .await
                    .unwrap();
                assert_eq!(n, 1);
            });
        }
    }
}

fn a_damaged_op_is_named_set_aside_and_the_rest_still_pulled(which: Which) {
    let Some(r) = start(which) else { return };
    let a = Record::create(&r.dir.path().join("a/record.phr"), &ks()).unwrap();
    devices::start(&a, &r.base, "phone", retry()).unwrap();
    for i in 0..5 {
        a.add_entry("conditions", condition(&format!("c{i}")), Provenance::User).unwrap();
    }
    let pushed = sync(&a).unwrap();
    assert!(pushed.pushed >= 5, "{pushed:?}");
    let last = pushed.cursor;
    // The last op is one of the entries (each add is one op); damage it on the relay.
    damage(&r, last);

    let b = join(&a, &r.dir.path().join("b/record.phr"));
    let report = sync(&b).expect("a damaged op on the relay does not fail the pull");
    assert_eq!(report.damaged.len(), 1, "{report:?}");
    assert_eq!(report.damaged[0].seq, last);
    let told = report.damaged[0].to_string();
    assert!(told.contains(&format!("#{last}")) && told.contains("from the relay"), "{told}");
    assert!(!told.contains("stored value"), "the local record is not blamed: {told}");
    assert_eq!(condition_names(&b).len(), 4, "every other op merged: {:?}", condition_names(&b));
    assert_eq!(report.cursor, last, "the pull went past it");

    // Syncing goes on: new changes arrive; the op stays aside and is still named.
    a.add_entry("conditions", condition("later"), Provenance::User).unwrap();
    sync(&a).unwrap();
    let again = sync(&b).unwrap();
    assert!(condition_names(&b).contains(&"later".to_string()), "{:?}", condition_names(&b));
    assert_eq!(again.damaged.iter().map(|d| d.seq).collect::<Vec<_>>(), vec![last]);
    let aside: Vec<serde_json::Value> = b.setting(phr_core::sync::QUARANTINE_SETTING).unwrap().unwrap();
    assert_eq!(aside.len(), 1);
}

macro_rules! both {
    ($($f:ident),*) => {
        mod sqlite { $(#[test] fn $f() { super::$f(super::Which::Sqlite) })* }
        mod postgres { $(#[test] fn $f() { super::$f(super::Which::Postgres) })* }
    };
}
both!(a_damaged_op_is_named_set_aside_and_the_rest_still_pulled);
