//! Mutation of real record and backup files: flipped bytes, truncations and garbage never
//! panic; they give an error (or, where SQLite does not notice, values still open or fail
//! their authentication check).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout, clippy::print_stderr)] // test code: a failed unwrap is a failed test, and it prints what it measured

use chrono::NaiveDate;
use phr_core::store::{ListOptions, DB_FILE};
use phr_core::{Error, Record};
use phr_tests::test_keystore;
use std::panic::{catch_unwind, AssertUnwindSafe};

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

/// Reads everything the owner can read; returns the first error.
fn read_all(path: &std::path::Path) -> phr_core::Result<usize> {
    let r = Record::open(path, &test_keystore())?;
    let mut n = 0;
    for s in r.sections()? {
        n += r.list_entries(&s.id, ListOptions { include_deleted: true, include_hidden: true })?.len();
    }
    n += r.export()?.samples.len();
    Ok(n)
}

fn demo_record(dir: &std::path::Path) -> std::path::PathBuf {
    let path = dir.join(DB_FILE);
    let r = Record::create(&path, &test_keystore()).unwrap();
    phr_core::demo::fill(&r, NaiveDate::from_ymd_opt(2026, 11, 25).unwrap()).unwrap();
    drop(r); // checkpoint: the whole record is in one file
    path
}

#[test]
fn mutated_database_files_never_panic() {
    let dir = tempfile::tempdir().unwrap();
    let path = demo_record(dir.path());
    let original = std::fs::read(&path).unwrap();
    let baseline = read_all(&path).unwrap();
    let mut rng = Rng(0x00C0_FFEE_u64);
    let (mut errors, mut clean) = (0, 0);
    for round in 0..150 {
        let mut bytes = original.clone();
        match round % 3 {
            0 => {
                for _ in 0..(1 + rng.next() % 8) {
                    let i = (rng.next() as usize) % bytes.len();
                    bytes[i] ^= 1 << (rng.next() % 8);
                }
            }
            1 => bytes.truncate((rng.next() as usize) % bytes.len()),
            _ => {
                let at = (rng.next() as usize) % bytes.len();
                let len = 1 + (rng.next() as usize % 64);
                for b in bytes.iter_mut().skip(at).take(len) {
                    *b = rng.next() as u8;
                }
            }
        }
        let case = dir.path().join(format!("m{round}.phr"));
        std::fs::write(&case, &bytes).unwrap();
        match catch_unwind(AssertUnwindSafe(|| read_all(&case))) {
            Err(_) => panic!("round {round}: panicked on a mutated database"),
            Ok(Ok(n)) => {
                // Damage the reads did not trip over must either change nothing (free space,
                // unused bytes) or be caught by SQLite's integrity check (e.g. a flipped
                // index key that hides a row): never a silent, undetectable change.
                if n != baseline {
                    let c = rusqlite::Connection::open(&case).unwrap();
                    let verdict: String = c
                        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
                        .unwrap_or_else(|e| e.to_string());
                    assert_ne!(
                        verdict, "ok",
                        "round {round}: a mutation silently changed what the owner sees"
                    );
                    errors += 1;
                } else {
                    clean += 1;
                }
            }
            Ok(Err(e)) => {
                assert!(
                    matches!(
                        e,
                        Error::Corrupt(_)
                            | Error::Undecryptable
                            | Error::Sqlite(_)
                            | Error::NoRecord
                            | Error::WrongKey
                            | Error::TooNew { .. }
                    ),
                    "round {round}: unexpected error kind {e:?}"
                );
                errors += 1;
            }
        }
        let _ = std::fs::remove_file(&case);
    }
    println!("150 mutations: {errors} refused with an error, {clean} unaffected");
    assert!(errors > 0, "no mutation was detected: the test exercised nothing");
}

#[test]
fn mutated_backups_never_panic_and_never_restore_wrong_data() {
    let dir = tempfile::tempdir().unwrap();
    let path = demo_record(dir.path());
    let r = Record::open(&path, &test_keystore()).unwrap();
    let backup = dir.path().join("b.phrbackup");
    r.backup(&backup).unwrap();
    let original = std::fs::read(&backup).unwrap();
    let mut rng = Rng(0xBAC_C0DE);
    for round in 0..60 {
        let mut bytes = original.clone();
        let i = (rng.next() as usize) % bytes.len();
        bytes[i] ^= 1 << (rng.next() % 8);
        let case = dir.path().join(format!("b{round}.phrbackup"));
        std::fs::write(&case, &bytes).unwrap();
        let home = dir.path().join(format!("home{round}"));
        let out = catch_unwind(AssertUnwindSafe(|| Record::restore(&case, &home, &test_keystore())));
        match out {
            Err(_) => panic!("round {round}: panicked on a mutated backup"),
            // Every byte of a backup is authenticated, except header fields that are
            // re-checked: a flip anywhere must be refused.
            Ok(Ok(_)) => panic!("round {round}: a backup with a flipped bit at byte {i} was restored"),
            Ok(Err(e)) => assert!(
                matches!(e, Error::BackupDamaged { .. } | Error::WrongKey | Error::Corrupt(_)),
                "round {round}: {e:?}"
            ),
        }
        assert!(!home.join(DB_FILE).exists(), "round {round}: a failed restore left a record behind");
    }
}
