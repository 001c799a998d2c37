//! Apple Health exports streamed in parts inside one transaction (bounded memory, nothing
//! stored when cancelled midway), and read-time source priority: daily step totals count
//! one primary source whichever device's data was imported first.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout, clippy::print_stderr)] // test code: a failed unwrap is a failed test, and it prints what it measured
use phr_core::crypto::RawKeyStore;
use phr_core::import::bulk::{commit, commit_apple_stream_from, parse_bytes};
use phr_core::import::{import_paths, FileStatus, ImportOptions};
use phr_core::progress::{CancelToken, NoProgress};
use phr_core::record::{Sample, SampleKind};
use phr_core::store::{ImportBatch, DB_FILE};
use phr_core::Record;
use std::io::{Cursor, Read, Seek, SeekFrom};
use std::path::Path;

const ALL: (i64, i64) = (i64::MIN / 4, i64::MAX / 4);

fn record(dir: &Path) -> Record {
    Record::create(&dir.join(DB_FILE), &RawKeyStore::new([7; 32])).unwrap()
}

fn day(s: &str) -> chrono::NaiveDate {
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn steps_rec(src: &str, start: &str, end: &str, v: u32) -> String {
    format!("<Record type=\"HKQuantityTypeIdentifierStepCount\" sourceName=\"{src}\" unit=\"count\" startDate=\"{start} +0000\" endDate=\"{end} +0000\" value=\"{v}\"/>\n")
}

/// An export of `n` days: per day 24 hourly phone step intervals, 24 watch intervals
/// overlapping half of them, hourly heart rate, one workout.
fn export(n: u32) -> String {
    let mut x = String::from("<?xml version=\"1.0\"?>\n<!DOCTYPE HealthData [\n<!ATTLIST Broken\n]>\n<HealthData locale=\"en_GB\">\n");
    for d in 0..n {
        let date = day("2024-01-01") + chrono::Duration::days(d as i64);
        for h in 0..24 {
            let t = |m: u32| format!("{date} {h:02}:{m:02}:00");
            x += &steps_rec("Sam's iPhone", &t(0), &t(30), 100 + h);
            if h % 2 == 0 {
                x += &steps_rec("Sam's Apple Watch", &t(10), &t(40), 120 + h);
            }
            x += &format!("<Record type=\"HKQuantityTypeIdentifierHeartRate\" sourceName=\"Sam's Apple Watch\" unit=\"count/min\" startDate=\"{} +0000\" endDate=\"{} +0000\" value=\"{}\"/>\n", t(5), t(5), 60 + h);
        }
        x += &format!("<Workout workoutActivityType=\"HKWorkoutActivityTypeRunning\" duration=\"30\" durationUnit=\"min\" totalDistance=\"5\" totalDistanceUnit=\"km\" sourceName=\"Sam's Apple Watch\" startDate=\"{date} 18:00:00 +0000\" endDate=\"{date} 18:30:00 +0000\"></Workout>\n");
    }
    x + "</HealthData>\n"
}

fn daily(rec: &Record, kind: SampleKind) -> Vec<(chrono::NaiveDate, u64, f64)> {
    rec.daily_rollups(kind, day("2000-01-01"), day("2100-01-01"))
        .unwrap()
        .into_iter()
        .map(|r| (r.day, r.count, r.sum))
        .collect()
}

#[test]
fn streamed_in_parts_equals_parsed_whole() {
    let xml = export(20);
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (record(&dir.path().join("a")), record(&dir.path().join("b")));
    // Parts of 7 samples: ~280 parts, many days split across parts.
    let streamed = commit_apple_stream_from(
        &a,
        "export.xml".into(),
        Cursor::new(xml.as_bytes()),
        false,
        &ImportOptions::default(),
        7,
        &CancelToken::new(),
    );
    assert_eq!(streamed.status, FileStatus::Ok, "{:?}", streamed.problems);
    let (format, parsed) = parse_bytes("export.xml", xml.as_bytes(), &ImportOptions::default());
    let whole = commit(&b, "export.xml".into(), format, parsed);
    assert_eq!(whole.status, FileStatus::Ok);
    for kind in [SampleKind::Steps, SampleKind::HeartRate] {
        assert_eq!(daily(&a, kind), daily(&b, kind), "{kind:?}");
    }
    assert_eq!(a.activities(ALL.0, ALL.1).unwrap().len(), 20);
    assert_eq!(streamed.outcome.activities_added, 20);
    // Hourly 100+h phone steps, watch 120+h on even hours overlapping: one source counts.
    let per_day: f64 = (0..24).map(|h| if h % 2 == 0 { 120.0 + h as f64 } else { 100.0 + h as f64 }).sum();
    assert!(
        daily(&a, SampleKind::Steps).iter().all(|d| d.2 == per_day),
        "{:?}",
        &daily(&a, SampleKind::Steps)[..2]
    );
    assert_eq!(streamed.first_utc.as_deref(), Some("2024-01-01T00:00:00Z"));
    // Idempotent: streaming again adds nothing.
    let again = commit_apple_stream_from(
        &a,
        "export.xml".into(),
        Cursor::new(xml.as_bytes()),
        false,
        &ImportOptions::default(),
        7,
        &CancelToken::new(),
    );
    assert_eq!((again.outcome.samples.added, again.outcome.activities_added), (0, 0));
}

/// Cancels its token once half of the input has been read: parts have been stored in
/// the open transaction by then.
struct CancelHalfway<R> {
    inner: R,
    read: usize,
    half: usize,
    token: CancelToken,
}

impl<R: Read> Read for CancelHalfway<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let max = buf.len().min(4096);
        let n = self.inner.read(&mut buf[..max])?;
        self.read += n;
        if self.read >= self.half {
            self.token.cancel();
        }
        Ok(n)
    }
}

impl<R: Seek> Seek for CancelHalfway<R> {
    fn seek(&mut self, pos: SeekFrom) -> std::io::Result<u64> {
        self.inner.seek(pos)
    }
}

#[test]
fn cancelled_midway_stores_nothing() {
    let xml = export(30);
    let dir = tempfile::tempdir().unwrap();
    let rec = record(dir.path());
    rec.ingest_samples(&[Sample::instant(SampleKind::Weight, 1_700_000_000_000, 80.0, "scale")]).unwrap();
    let before = (daily(&rec, SampleKind::Weight), daily(&rec, SampleKind::Steps));
    let token = CancelToken::new();
    let input = CancelHalfway {
        inner: Cursor::new(xml.as_bytes()),
        read: 0,
        half: xml.len() / 2,
        token: token.clone(),
    };
    let rep = commit_apple_stream_from(
        &rec,
        "export.xml".into(),
        input,
        false,
        &ImportOptions::default(),
        100,
        &token,
    );
    assert_eq!(rep.status, FileStatus::Cancelled, "{:?}", rep.problems);
    assert_eq!((daily(&rec, SampleKind::Weight), daily(&rec, SampleKind::Steps)), before);
    assert!(daily(&rec, SampleKind::HeartRate).is_empty());
    assert!(rec.activities(ALL.0, ALL.1).unwrap().is_empty());
    assert!(rec.integrity_check().unwrap());
}

#[test]
fn a_failing_part_rolls_back_the_parts_before_it() {
    let dir = tempfile::tempdir().unwrap();
    let rec = record(dir.path());
    let ok = Sample::instant(SampleKind::HeartRate, 1_700_000_000_000, 61.0, "watch");
    let bad = Sample::instant(SampleKind::HeartRate, 1_700_000_060_000, -5.0, "watch");
    let r = rec.import_session(|s| {
        s.add(&ImportBatch { samples: vec![ok.clone()], ..Default::default() })?;
        assert_eq!(s.outcome().samples.added, 1);
        s.add(&ImportBatch { samples: vec![bad], ..Default::default() })
    });
    assert!(r.is_err());
    assert!(
        rec.samples(SampleKind::HeartRate, ALL.0, ALL.1).unwrap().is_empty(),
        "the first part was rolled back"
    );
}

#[test]
fn daily_steps_count_one_source_whichever_device_came_first() {
    let dir = tempfile::tempdir().unwrap();
    let wrap = |body: String| {
        format!("<?xml version=\"1.0\"?>\n<HealthData locale=\"en_GB\">\n{body}</HealthData>\n")
    };
    let phone = wrap(
        steps_rec("Sam's iPhone", "2024-05-01 08:00:00", "2024-05-01 08:30:00", 2000)
            + &steps_rec("Sam's iPhone", "2024-05-01 12:00:00", "2024-05-01 12:10:00", 500)
            + &steps_rec("Sam's iPhone", "2024-05-01 23:50:00", "2024-05-02 00:20:00", 700),
    );
    let watch = wrap(
        steps_rec("Sam's Apple Watch", "2024-05-01 08:05:00", "2024-05-01 08:35:00", 2300)
            + &steps_rec("Sam's Apple Watch", "2024-05-02 00:00:00", "2024-05-02 00:15:00", 650),
    );
    let (pp, wp) = (dir.path().join("phone/export.xml"), dir.path().join("watch/export.xml"));
    for (p, x) in [(&pp, &phone), (&wp, &watch)] {
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, x).unwrap();
    }
    let mut totals = Vec::new();
    for (name, order) in [("phone first", [&pp, &wp]), ("watch first", [&wp, &pp])] {
        let rec = record(&dir.path().join(name.replace(' ', "-")));
        for p in order {
            let rep = import_paths(
                &rec,
                std::slice::from_ref(p),
                &ImportOptions::default(),
                &NoProgress,
                &CancelToken::new(),
            )
            .unwrap();
            assert_eq!(rep.totals.failed, 0, "{name}: {:?}", rep.files);
        }
        totals.push(daily(&rec, SampleKind::Steps).into_iter().map(|(d, _, s)| (d, s)).collect::<Vec<_>>());
        if name == "phone first" {
            // Nothing was thrown away: both devices' readings are still stored.
            assert_eq!(rec.samples(SampleKind::Steps, ALL.0, ALL.1).unwrap().len(), 5);
        }
    }
    assert_eq!(totals[0], totals[1], "the same daily totals in both import orders");
    // 1 May: watch 2300 (beats the phone's 2000 at 08:00) + phone 500 at noon + phone 700
    // from 23:50, which overlaps the watch's 00:00 sample on 2 May (the watch wins): 2800.
    // 2 May: watch 650.
    assert_eq!(totals[0], vec![(day("2024-05-01"), 2800.0), (day("2024-05-02"), 650.0)]);
}
