//! Issue 18: the store refuses what is not its own. A `-wal` or `-journal` from another
//! database beside the record is refused with a clear error and left as it was (SQLite
//! would merge it and damage the record); restore refuses it before writing, so a retry
//! works once it is moved; the record, its folder and backups are owner-only.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout, clippy::print_stderr)] // test code: a failed unwrap is a failed test

use phr_core::crypto::RawKeyStore;
use phr_core::store::DB_FILE;
use phr_core::{Error, Record};
use std::path::{Path, PathBuf};

fn ks() -> RawKeyStore {
    RawKeyStore::new([3; 32])
}

fn side(db: &Path, suffix: &str) -> PathBuf {
    PathBuf::from(format!("{}{suffix}", db.display()))
}

/// Writes enough settings that the WAL holds many pages of this record.
fn write_some(rec: &Record, tag: &str) {
    for i in 0..40 {
        rec.set_setting(&format!("test.{tag}.{i}"), &"x".repeat(5000)).unwrap();
    }
}

/// A committed WAL of another record (with a history of its own), as it is while that
/// record is open.
fn other_records_wal(dir: &Path) -> Vec<u8> {
    let other = dir.join("other").join(DB_FILE);
    let rec = Record::create(&other, &ks()).unwrap();
    for i in 0..300 {
        rec.set_setting(&format!("other.{i}"), &"y".repeat(i * 7)).unwrap();
    }
    let wal = std::fs::read(side(&other, "-wal")).unwrap();
    assert!(wal.len() > 32 * 4096, "the WAL holds the writes: {}", wal.len());
    drop(rec);
    wal
}

#[test]
fn a_foreign_wal_is_refused_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("mine").join(DB_FILE);
    let rec = Record::create(&db, &ks()).unwrap();
    write_some(&rec, "mine");
    drop(rec);
    let foreign = other_records_wal(dir.path());
    std::fs::write(side(&db, "-wal"), &foreign).unwrap();
    let db_before = std::fs::read(&db).unwrap();

    let e = Record::open(&db, &ks()).unwrap_err();
    assert!(matches!(e, Error::ForeignSideFile { .. }), "{e}");
    assert!(e.to_string().contains("record.phr-wal does not belong to this record"), "{e}");
    assert!(e.to_string().contains("move it out"), "says what to do: {e}");
    assert_eq!(std::fs::read(side(&db, "-wal")).unwrap(), foreign, "the WAL is left as it was");
    assert_eq!(std::fs::read(&db).unwrap(), db_before, "the record is left as it was");

    // Moved away, the record opens with everything in it.
    std::fs::rename(side(&db, "-wal"), dir.path().join("moved-wal")).unwrap();
    let _ = std::fs::remove_file(side(&db, "-shm"));
    let rec = Record::open(&db, &ks()).unwrap();
    assert!(rec.setting::<String>("test.mine.39").unwrap().is_some());
}

#[test]
fn a_foreign_journal_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join(DB_FILE);
    drop(Record::create(&db, &ks()).unwrap());
    std::fs::write(side(&db, "-journal"), vec![0xd9u8; 4096]).unwrap();
    let e = Record::open(&db, &ks()).unwrap_err();
    assert!(matches!(e, Error::ForeignSideFile { .. }), "{e}");
    assert!(side(&db, "-journal").exists());
}

#[test]
fn this_records_own_wal_after_a_crash_still_opens() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("live").join(DB_FILE);
    let rec = Record::create(&db, &ks()).unwrap();
    write_some(&rec, "mine");
    // A copy taken while it is open is what a crash leaves: the file and its WAL.
    let crashed = dir.path().join("crashed");
    std::fs::create_dir_all(&crashed).unwrap();
    std::fs::copy(&db, crashed.join(DB_FILE)).unwrap();
    std::fs::copy(side(&db, "-wal"), side(&crashed.join(DB_FILE), "-wal")).unwrap();
    drop(rec);
    let rec = Record::open(&crashed.join(DB_FILE), &ks()).unwrap();
    assert!(rec.setting::<String>("test.mine.39").unwrap().is_some(), "the WAL's writes are kept");
}

#[test]
fn restore_refuses_a_leftover_wal_first_and_a_retry_works() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("src").join(DB_FILE);
    let rec = Record::create(&db, &ks()).unwrap();
    write_some(&rec, "mine");
    let backup = dir.path().join("b.phrbackup");
    rec.backup(&backup).unwrap();
    drop(rec);

    let home = dir.path().join("restore");
    std::fs::create_dir_all(&home).unwrap();
    std::fs::write(home.join("record.phr-wal"), other_records_wal(dir.path())).unwrap();
    let e = Record::restore(&backup, &home, &ks()).unwrap_err();
    assert!(matches!(e, Error::ForeignSideFile { .. }), "{e}");
    assert!(!home.join(DB_FILE).exists(), "nothing that blocks a retry");
    std::fs::remove_file(home.join("record.phr-wal")).unwrap();
    let rec = Record::restore(&backup, &home, &ks()).unwrap();
    assert!(rec.setting::<String>("test.mine.39").unwrap().is_some());
    let leftovers: Vec<_> = std::fs::read_dir(&home)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with("record.phr"))
        .collect();
    assert!(leftovers.is_empty(), "no staging files left: {leftovers:?}");
}

#[cfg(unix)]
#[test]
fn the_record_its_folder_and_backups_are_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("new-home");
    let db = home.join(DB_FILE);
    let rec = Record::create(&db, &ks()).unwrap();
    write_some(&rec, "mine");
    assert_eq!(mode(&home), 0o700);
    assert_eq!(mode(&db), 0o600);
    assert_eq!(mode(&side(&db, "-wal")), 0o600);
    let backup = dir.path().join("b.phrbackup");
    rec.backup(&backup).unwrap();
    assert_eq!(mode(&backup), 0o600);
    let restored = dir.path().join("restored");
    drop(Record::restore(&backup, &restored, &ks()).unwrap());
    assert_eq!(mode(&restored), 0o700);
    assert_eq!(mode(&restored.join(DB_FILE)), 0o600);
}
