//! Inputs that must not make the importer read for ever or hold unbounded memory (issue
//! 18): zip bombs, oversized files, symlink loops, `/dev/zero`, FIFOs, an XML export that
//! is one endless run of text. Each is refused with a clear reason naming the file, and the
//! rest of the import (and the record) is as it would be without it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout, clippy::print_stderr)] // test code: a failed unwrap is a failed test

use phr_core::crypto::RawKeyStore;
use phr_core::import::limits::{MAX_FILE_BYTES, MAX_XML_RUN_BYTES};
use phr_core::import::{import_paths, FileStatus, ImportOptions, ImportReport};
use phr_core::progress::{CancelToken, NoProgress};
use phr_core::store::DB_FILE;
use phr_core::Record;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const GPX: &str = r#"<?xml version="1.0"?>
<gpx version="1.1" creator="test" xmlns="http://www.topografix.com/GPX/1/1"><trk><name>Run</name><type>running</type><trkseg>
<trkpt lat="53.80" lon="-1.55"><time>2024-05-01T07:00:00Z</time></trkpt>
<trkpt lat="53.801" lon="-1.551"><time>2024-05-01T07:00:10Z</time></trkpt>
<trkpt lat="53.802" lon="-1.552"><time>2024-05-01T07:00:20Z</time></trkpt>
</trkseg></trk></gpx>"#;

fn record(dir: &Path) -> Record {
    Record::create(&dir.join(DB_FILE), &RawKeyStore::new([9; 32])).unwrap()
}

/// Imports on a thread and fails the test (instead of hanging it) if that takes too long.
fn import_within(rec: &Record, paths: &[PathBuf], limit: Duration) -> ImportReport {
    let start = Instant::now();
    let report = std::thread::scope(|s| {
        let h = s.spawn(|| {
            import_paths(rec, paths, &ImportOptions::default(), &NoProgress, &CancelToken::new()).unwrap()
        });
        while !h.is_finished() {
            assert!(start.elapsed() < limit, "the import of {paths:?} did not end within {limit:?}");
            std::thread::sleep(Duration::from_millis(20));
        }
        h.join().unwrap()
    });
    report
}

fn activities(rec: &Record) -> usize {
    rec.activities(i64::MIN / 4, i64::MAX / 4).unwrap().len()
}

#[test]
fn a_zip_bomb_entry_is_refused_by_name_and_the_rest_imports() {
    let dir = tempfile::tempdir().unwrap();
    let rec = record(dir.path());
    let zip_path = dir.path().join("garmin.zip");
    let mut z = zip::ZipWriter::new(std::fs::File::create(&zip_path).unwrap());
    let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    z.start_file("activity.gpx", opts).unwrap();
    z.write_all(GPX.as_bytes()).unwrap();
    z.start_file("bomb.fit", opts).unwrap();
    let zeros = vec![0u8; 1 << 20];
    for _ in 0..(MAX_FILE_BYTES >> 20) + 8 {
        z.write_all(&zeros).unwrap();
    }
    z.finish().unwrap();
    assert!(std::fs::metadata(&zip_path).unwrap().len() < 1 << 20, "a bomb: small packed");

    let rep = import_within(&rec, std::slice::from_ref(&zip_path), Duration::from_secs(60));
    let bomb = rep.files.iter().find(|f| f.path.ends_with("garmin.zip!bomb.fit")).unwrap();
    assert_eq!(bomb.status, FileStatus::Failed, "{bomb:?}");
    assert!(bomb.problems[0].reason.contains("larger than 32 MiB"), "{:?}", bomb.problems);
    let good = rep.files.iter().find(|f| f.path.ends_with("garmin.zip!activity.gpx")).unwrap();
    assert_eq!(good.status, FileStatus::Ok, "{good:?}");
    assert_eq!(activities(&rec), 1);
}

#[test]
fn an_oversized_plain_file_is_refused_before_reading() {
    let dir = tempfile::tempdir().unwrap();
    let rec = record(dir.path());
    let big = dir.path().join("huge.gpx");
    // Sparse: the size is what counts, not the disk it takes.
    std::fs::File::create(&big).unwrap().set_len(MAX_FILE_BYTES + 1).unwrap();
    let rep = import_within(&rec, &[big], Duration::from_secs(30));
    assert_eq!(rep.files[0].status, FileStatus::Failed);
    assert!(rep.files[0].problems[0].reason.contains("larger than 32 MiB"), "{:?}", rep.files[0].problems);
}

#[test]
fn a_folder_with_symlink_loops_ends_and_imports_each_file_once() {
    let dir = tempfile::tempdir().unwrap();
    let rec = record(dir.path());
    let root = dir.path().join("exports");
    std::fs::create_dir_all(root.join("a/b")).unwrap();
    std::fs::write(root.join("a/b/run.gpx"), GPX).unwrap();
    // A loop to the top, a loop to a parent, a second name for the same folder and file.
    std::os::unix::fs::symlink(&root, root.join("a/b/to_top")).unwrap();
    std::os::unix::fs::symlink("..", root.join("a/b/up")).unwrap();
    std::os::unix::fs::symlink(root.join("a"), root.join("again")).unwrap();
    std::fs::hard_link(root.join("a/b/run.gpx"), root.join("a/run_hardlink.gpx")).unwrap();
    std::os::unix::fs::symlink(root.join("a/b/run.gpx"), root.join("a/run_link.gpx")).unwrap();

    let rep = import_within(&rec, &[root.clone(), root.join("a")], Duration::from_secs(30));
    let read: Vec<_> = rep.files.iter().filter(|f| f.status == FileStatus::Ok).collect();
    assert_eq!(read.len(), 1, "one file, however many names: {:#?}", rep.files);
    let not_followed =
        rep.files.iter().filter(|f| f.problems.iter().any(|p| p.reason.contains("not followed")));
    assert_eq!(not_followed.count(), 3, "{:#?}", rep.files);
    assert_eq!(activities(&rec), 1);
}

#[test]
fn dev_zero_and_a_fifo_are_refused_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let rec = record(dir.path());
    let fifo = dir.path().join("pipe.gpx");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    for p in [PathBuf::from("/dev/zero"), fifo] {
        let rep = import_within(&rec, std::slice::from_ref(&p), Duration::from_secs(10));
        assert_eq!(rep.files.len(), 1, "{p:?}");
        assert_eq!(rep.files[0].status, FileStatus::Failed, "{p:?}");
        assert!(rep.files[0].problems[0].reason.contains("not a regular file"), "{:?}", rep.files[0]);
    }
    // In a folder too: the walk lists the FIFO and refuses it instead of opening it.
    let rep = import_within(&rec, &[dir.path().to_path_buf()], Duration::from_secs(10));
    assert!(rep.files.iter().any(|f| f.path.ends_with("pipe.gpx") && f.status == FileStatus::Failed));
}

#[test]
fn an_apple_export_of_endless_text_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let rec = record(dir.path());
    let xml = dir.path().join("export.xml");
    let mut f = std::io::BufWriter::new(std::fs::File::create(&xml).unwrap());
    f.write_all(b"<?xml version=\"1.0\"?>\n<HealthData locale=\"en_GB\">").unwrap();
    let spaces = vec![b' '; 1 << 20];
    for _ in 0..(MAX_XML_RUN_BYTES >> 20) + 2 {
        f.write_all(&spaces).unwrap();
    }
    f.write_all(b"</HealthData>").unwrap();
    drop(f);
    let rep = import_within(&rec, &[xml], Duration::from_secs(30));
    assert_eq!(rep.files[0].status, FileStatus::Failed, "{:?}", rep.files[0]);
    assert!(rep.files[0].problems[0].reason.contains("without markup"), "{:?}", rep.files[0].problems);
}

#[test]
fn fhir_files_are_capped_and_must_be_regular() {
    let dir = tempfile::tempdir().unwrap();
    let rec = record(dir.path());
    let opts = phr_core::fhir::FhirImportOptions::default();
    let big = dir.path().join("bundle.json");
    std::fs::File::create(&big).unwrap().set_len(MAX_FILE_BYTES + 1).unwrap();
    let e = phr_core::fhir::import_path(&rec, &big, &opts).unwrap_err();
    assert!(e.to_string().contains("larger than 32 MiB"), "{e}");
    let e = phr_core::fhir::import_path(&rec, Path::new("/dev/zero"), &opts).unwrap_err();
    assert!(e.to_string().contains("not a regular file"), "{e}");
}
