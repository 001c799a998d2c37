//! End to end: bulk import (folders, zips, idempotency, cancel, failure), cross-source
//! dedup (FIT + Strava is one activity; Watch beats iPhone), CSV cuffs and scales, and the
//! Strava client against a local server that follows the published API contract.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout, clippy::print_stderr)] // test code: a failed unwrap is a failed test, and it prints what it measured
use phr_core::crypto::RawKeyStore;
use phr_core::import::strava::{RatePolicy, ReqwestTransport, StravaClient, Tokens};
use phr_core::import::{import_paths, FileStatus, ImportOptions};
use phr_core::progress::{CancelToken, NoProgress, ProgressListener};
use phr_core::record::SampleKind;
use phr_core::store::DB_FILE;
use phr_core::Record;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

const ALL: (i64, i64) = (i64::MIN / 4, i64::MAX / 4);

fn record(dir: &Path) -> Record {
    Record::create(&dir.join(DB_FILE), &RawKeyStore::new([9; 32])).unwrap()
}

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/import_fixtures")
}

fn import(rec: &Record, paths: &[PathBuf]) -> phr_core::import::ImportReport {
    import_paths(rec, paths, &ImportOptions::default(), &NoProgress, &CancelToken::new()).unwrap()
}

fn sample_count(rec: &Record) -> u64 {
    rec.sample_summary().unwrap().iter().map(|s| s.count).sum()
}

#[test]
fn withings_and_omron_csv() {
    let dir = tempfile::tempdir().unwrap();
    let rec = record(dir.path());
    let rep = import(&rec, &[fixtures()]);
    assert_eq!(rep.totals.failed, 0, "{:#?}", rep.files);
    let w = rec.samples(SampleKind::Weight, ALL.0, ALL.1).unwrap();
    assert_eq!(w.len(), 3);
    assert_eq!(w[0].source, "withings scale");
    let sys = rec.samples(SampleKind::BloodPressureSystolic, ALL.0, ALL.1).unwrap();
    assert_eq!(sys.len(), 4, "2 Withings + 2 Omron");
    let omron = rep.files.iter().find(|f| f.path.ends_with("omron_bp.csv")).unwrap();
    assert!(
        omron.problems.iter().any(|p| p.line == Some(4)),
        "the unreadable row is named by line: {:?}",
        omron.problems
    );
    // 01/03/2024 is 1 March (day first, as UK exports write it).
    assert!(sys
        .iter()
        .any(|s| s.source == "omron" && phr_core::import::utc_string(s.start_ms) == "2024-03-01T08:05:00Z"));
    // Again: nothing added.
    let again = import(&rec, &[fixtures()]);
    assert_eq!(again.totals.samples_added, 0);
}

#[test]
fn bulk_folder_and_zip_are_idempotent_and_a_bad_file_changes_nothing() {
    let Some(root) = phr_testkit::corpus() else { return };
    let dir = tempfile::tempdir().unwrap();
    let rec = record(dir.path());
    // A "Garmin export": a zip holding FIT files, one nested zip, one broken file.
    let zpath = dir.path().join("export.zip");
    {
        let mut z = zip::ZipWriter::new(std::fs::File::create(&zpath).unwrap());
        let o = zip::write::SimpleFileOptions::default();
        for f in [
            "fitparse__2013-02-06-12-11-14.fit",
            "sports-lib__2067489619.fit",
            "fitparse__WeightScaleSingleUser.fit",
        ] {
            z.start_file(format!("DI_CONNECT/{f}"), o).unwrap();
            z.write_all(&std::fs::read(root.join("fit").join(f)).unwrap()).unwrap();
        }
        let mut inner = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        inner.start_file("ride.gpx", o).unwrap();
        inner.write_all(&std::fs::read(root.join("gpx/sports-lib__garmin.gpx")).unwrap()).unwrap();
        let inner = inner.finish().unwrap().into_inner();
        z.start_file("UploadedFiles_0-_Part1.zip", o).unwrap();
        z.write_all(&inner).unwrap();
        z.start_file("broken.tcx", o).unwrap();
        z.write_all(b"<TrainingCenterDatabase><Activities><Activity Sport=\"Running\"><Id>2020-01-01T00:00:00Z</Id><Lap Start").unwrap();
        z.finish().unwrap();
    }
    let folder = root.join("tcx");
    let rep = import(&rec, &[zpath.clone(), folder.clone()]);
    let failed: Vec<_> = rep.files.iter().filter(|f| f.status == FileStatus::Failed).collect();
    assert_eq!(failed.len(), 1, "{failed:#?}");
    assert!(
        failed[0].path.ends_with("broken.tcx") && failed[0].problems[0].offset.is_some(),
        "{:?}",
        failed[0]
    );
    assert!(rep.totals.activities_added >= 12, "{:?}", rep.totals);
    let acts = rec.activities(ALL.0, ALL.1).unwrap().len();
    let samples = sample_count(&rec);
    // Twice: nothing added, nothing changed.
    let again = import(&rec, &[zpath, folder]);
    assert_eq!(
        (again.totals.activities_added, again.totals.samples_added, again.totals.activities_merged),
        (0, 0, 0),
        "{:?}",
        again.totals
    );
    assert_eq!(rec.activities(ALL.0, ALL.1).unwrap().len(), acts);
    assert_eq!(sample_count(&rec), samples);
    // Derived metrics are there.
    let run = rec
        .activities(ALL.0, ALL.1)
        .unwrap()
        .into_iter()
        .find(|a| a.sport == "running" && a.metrics.contains_key("hr_zone3_s"))
        .unwrap();
    assert!(run.metrics["trimp"] > 0.0 && run.metrics["pace_s_per_km"] > 120.0);
}

struct Count(AtomicU64, CancelToken, u64);
impl ProgressListener for Count {
    fn on_progress(&self, stage: &str, done: u64, _total: u64) {
        assert_eq!(stage, "files");
        self.0.store(done, Ordering::SeqCst);
        if done >= self.2 {
            self.1.cancel();
        }
    }
}

#[test]
fn cancel_stops_between_files_and_keeps_what_landed() {
    let Some(root) = phr_testkit::corpus() else { return };
    let dir = tempfile::tempdir().unwrap();
    let rec = record(dir.path());
    let cancel = CancelToken::new();
    let progress = Count(AtomicU64::new(0), cancel.clone(), 3);
    let rep = import_paths(&rec, &[root.join("gpx")], &ImportOptions::default(), &progress, &cancel).unwrap();
    assert!(rep.cancelled);
    assert_eq!(rep.files.len(), 3, "stopped after the third file");
    assert!(rec.integrity_check().unwrap());
}

#[test]
fn watch_steps_beat_iphone_steps_across_files() {
    let dir = tempfile::tempdir().unwrap();
    let rec = record(dir.path());
    let xml = |src: &str, a: &str, b: &str, v: u32| {
        format!(
            "<?xml version=\"1.0\"?>\n<!DOCTYPE HealthData [\n<!ATTLIST Broken\n]>\n<HealthData locale=\"en_GB\"><Record type=\"HKQuantityTypeIdentifierStepCount\" sourceName=\"{src}\" unit=\"count\" startDate=\"2024-05-01 {a} +0100\" endDate=\"2024-05-01 {b} +0100\" value=\"{v}\"/></HealthData>"
        )
    };
    let both = xml("Sam\u{2019}s Apple Watch", "08:00:00", "08:10:00", 1000).replace(
        "</HealthData>",
        "<Record type=\"HKQuantityTypeIdentifierStepCount\" sourceName=\"Sam\u{2019}s iPhone\" unit=\"count\" startDate=\"2024-05-01 08:02:00 +0100\" endDate=\"2024-05-01 08:12:00 +0100\" value=\"950\"/>\u{b}<Record type=\"HKQuantityTypeIdentifierStepCount\" sourceName=\"Sam\u{2019}s iPhone\" unit=\"count\" startDate=\"2024-05-01 09:00:00 +0100\" endDate=\"2024-05-01 09:05:00 +0100\" value=\"300\"/></HealthData>",
    );
    let p = dir.path().join("export.xml");
    std::fs::write(&p, both).unwrap();
    let rep = import(&rec, std::slice::from_ref(&p));
    assert_eq!(rep.files[0].status, FileStatus::Ok, "{:?}", rep.files[0]);
    let steps = rec.samples(SampleKind::Steps, ALL.0, ALL.1).unwrap();
    assert_eq!(
        steps.iter().map(|s| s.value).sum::<f64>(),
        1300.0,
        "the overlapping iPhone interval is not double counted"
    );
    assert_eq!(
        phr_core::import::utc_string(steps[0].start_ms),
        "2024-05-01T07:00:00Z",
        "+0100 taken into account"
    );
    // Later, a phone-only file overlapping the stored Watch steps adds nothing for that time.
    let p2 = dir.path().join("phone/export.xml");
    std::fs::create_dir_all(p2.parent().unwrap()).unwrap();
    std::fs::write(&p2, xml("Other iPhone", "08:05:00", "08:07:00", 200)).unwrap();
    let rep = import(&rec, &[p2]);
    assert_eq!(rep.totals.samples_added, 0, "{:?}", rep.files[0].problems);
}

#[path = "strava_server/mod.rs"]
mod strava_server;
use strava_server::*;

#[test]
fn strava_oauth_paging_streams_and_merge_with_fit() {
    let state = Arc::new(Mutex::new(ServerState::default()));
    let (url, h) = serve(state.clone());
    let dir = tempfile::tempdir().unwrap();
    let rec = record(dir.path());
    // The same run recorded by the watch (FIT) first.
    let fit_file = phr_testkit::corpus().map(|c| c.join("fit/fitparse__2013-02-06-12-11-14.fit"));
    if let Some(f) = &fit_file {
        let rep = import(&rec, std::slice::from_ref(f));
        assert_eq!(rep.totals.activities_added, 1);
    }
    {
        let mut st = state.lock().unwrap();
        st.activities.push(strava_activity(1001, "2013-02-06T12:11:15Z", 2624, "Run"));
        for i in 0..150 {
            st.activities.push(strava_activity(
                2000 + i,
                &format!("2014-03-{:02}T{:02}:00:00Z", 1 + i % 28, 6 + i / 28),
                1800 + i as u64,
                "Ride",
            ));
        }
    }
    let mut c = StravaClient::new(ReqwestTransport::new().unwrap(), "1234", "secret").with_base_url(&url);
    assert!(c.authorize_url("http://localhost/cb", "xyz").starts_with(&format!(
        "{url}/oauth/authorize?client_id=1234&redirect_uri=http%3A%2F%2Flocalhost%2Fcb"
    )));
    assert!(c.exchange_code("bad-code").is_err());
    let t = c.exchange_code(GOOD_CODE).unwrap();
    assert_eq!((t.access_token.expose_secret().as_str(), t.athlete_id), (ACCESS_1, Some(134815)));
    let rep = c.sync(&rec, None, true, &Default::default(), &NoProgress, &CancelToken::new()).unwrap();
    assert_eq!(rep.activities_seen, 151);
    assert_eq!(rep.pages, 2, "100 per page, the second page short");
    assert_eq!(rep.streams_fetched, 151);
    if fit_file.is_some() {
        assert_eq!(rep.activities_merged, 1, "the FIT run and the Strava run are one activity");
        let run = rec.activities(ALL.0, ALL.1).unwrap().into_iter().find(|a| a.sport == "running").unwrap();
        assert_eq!(run.also_from, vec!["strava".to_string()]);
    }
    assert_eq!(rec.activities(ALL.0, ALL.1).unwrap().len(), 151);
    // Sync again: nothing new.
    let again = c.sync(&rec, None, false, &Default::default(), &NoProgress, &CancelToken::new()).unwrap();
    assert_eq!((again.activities_added, again.activities_merged, again.activities_unchanged), (0, 0, 151));
    // Refresh with the refresh token.
    assert_eq!(c.refresh().unwrap().access_token.expose_secret(), ACCESS_2);
    // Rate limit: a 429 with usage at the 15-minute limit. Stop policy reports and stops...
    state.lock().unwrap().force_429 = 2;
    let stopped =
        c.sync(&rec, Some(0), false, &Default::default(), &NoProgress, &CancelToken::new()).unwrap();
    assert!(stopped.stopped.as_deref().unwrap_or("").contains("rate limit"), "{stopped:?}");
    // ...and the Wait policy waits to the next 15-minute window, then goes on.
    let slept = Arc::new(AtomicU64::new(0));
    let s2 = slept.clone();
    let mut c2 = StravaClient::new(ReqwestTransport::new().unwrap(), "1234", "secret")
        .with_base_url(&url)
        .with_tokens(Tokens {
            access_token: ACCESS_2.into(),
            refresh_token: REFRESH_2.into(),
            expires_at: 4_000_000_000,
            athlete_id: None,
        })
        .with_time(
            move |d| {
                s2.fetch_add(d.as_secs(), Ordering::SeqCst);
            },
            || 1_700_000_200,
        );
    c2.policy = RatePolicy::Wait { max_wait_s: 900 };
    state.lock().unwrap().force_429 = 1;
    let waited = c2.sync(&rec, None, false, &Default::default(), &NoProgress, &CancelToken::new()).unwrap();
    assert_eq!(slept.load(Ordering::SeqCst), 800, "to the next :15 boundary");
    assert_eq!(waited.waited_s, 800);
    assert!(waited.stopped.is_none());
    let reqs = state.lock().unwrap().requests.clone();
    assert!(reqs.iter().any(|r| r.contains("grant_type=refresh_token")));
    shutdown(&url);
    h.join().unwrap();
}
