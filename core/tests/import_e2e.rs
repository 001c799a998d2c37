//! End to end: bulk import (folders, zips, idempotency, cancel, failure), cross-source
//! dedup (FIT + Strava is one activity; Watch beats iPhone), CSV cuffs and scales, and the
//! Strava client against a local server that follows the published API contract.
use phr_core::crypto::RawKeyStore;
use phr_core::import::strava::{RatePolicy, ReqwestTransport, StravaClient, Tokens};
use phr_core::import::{import_paths, FileStatus, ImportOptions};
use phr_core::progress::{CancelToken, NoProgress, ProgressListener};
use phr_core::record::SampleKind;
use phr_core::store::DB_FILE;
use phr_core::Record;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
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

fn corpus() -> Option<PathBuf> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus");
    p.join("MANIFEST.tsv").is_file().then_some(p).or_else(|| {
        eprintln!("SKIP: ../shared/corpus is absent; corpus parts of this test not run");
        None
    })
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
    assert!(omron.problems.iter().any(|p| p.line == Some(4)), "the unreadable row is named by line: {:?}", omron.problems);
    // 01/03/2024 is 1 March (day first, as UK exports write it).
    assert!(sys.iter().any(|s| s.source == "omron" && phr_core::import::utc_string(s.start_ms) == "2024-03-01T08:05:00Z"));
    // Again: nothing added.
    let again = import(&rec, &[fixtures()]);
    assert_eq!(again.totals.samples_added, 0);
}

#[test]
fn bulk_folder_and_zip_are_idempotent_and_a_bad_file_changes_nothing() {
    let Some(root) = corpus() else { return };
    let dir = tempfile::tempdir().unwrap();
    let rec = record(dir.path());
    // A "Garmin export": a zip holding FIT files, one nested zip, one broken file.
    let zpath = dir.path().join("export.zip");
    {
        let mut z = zip::ZipWriter::new(std::fs::File::create(&zpath).unwrap());
        let o = zip::write::SimpleFileOptions::default();
        for f in ["fitparse__2013-02-06-12-11-14.fit", "sports-lib__2067489619.fit", "fitparse__WeightScaleSingleUser.fit"] {
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
    assert!(failed[0].path.ends_with("broken.tcx") && failed[0].problems[0].offset.is_some(), "{:?}", failed[0]);
    assert!(rep.totals.activities_added >= 12, "{:?}", rep.totals);
    let acts = rec.activities(ALL.0, ALL.1).unwrap().len();
    let samples = sample_count(&rec);
    // Twice: nothing added, nothing changed.
    let again = import(&rec, &[zpath, folder]);
    assert_eq!((again.totals.activities_added, again.totals.samples_added, again.totals.activities_merged), (0, 0, 0), "{:?}", again.totals);
    assert_eq!(rec.activities(ALL.0, ALL.1).unwrap().len(), acts);
    assert_eq!(sample_count(&rec), samples);
    // Derived metrics are there.
    let run = rec.activities(ALL.0, ALL.1).unwrap().into_iter().find(|a| a.sport == "running" && a.metrics.contains_key("hr_zone3_s")).unwrap();
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
    let Some(root) = corpus() else { return };
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
    let rep = import(&rec, &[p.clone()]);
    assert_eq!(rep.files[0].status, FileStatus::Ok, "{:?}", rep.files[0]);
    let steps = rec.samples(SampleKind::Steps, ALL.0, ALL.1).unwrap();
    assert_eq!(steps.iter().map(|s| s.value).sum::<f64>(), 1300.0, "the overlapping iPhone interval is not double counted");
    assert_eq!(phr_core::import::utc_string(steps[0].start_ms), "2024-05-01T07:00:00Z", "+0100 taken into account");
    // Later, a phone-only file overlapping the stored Watch steps adds nothing for that time.
    let p2 = dir.path().join("phone/export.xml");
    std::fs::create_dir_all(p2.parent().unwrap()).unwrap();
    std::fs::write(&p2, xml("Other iPhone", "08:05:00", "08:07:00", 200)).unwrap();
    let rep = import(&rec, &[p2]);
    assert_eq!(rep.totals.samples_added, 0, "{:?}", rep.files[0].problems);
}

// ---- Strava, against a local server on 127.0.0.1 ----

#[derive(Default)]
struct ServerState {
    usage15: u64,
    force_429: u64,
    requests: Vec<String>,
    activities: Vec<serde_json::Value>,
}

fn serve(state: Arc<Mutex<ServerState>>) -> (String, std::thread::JoinHandle<()>) {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", l.local_addr().unwrap());
    let h = std::thread::spawn(move || {
        for _ in 0..200 {
            let Ok((s, _)) = l.accept() else { break };
            let mut r = BufReader::new(s.try_clone().unwrap());
            let mut line = String::new();
            r.read_line(&mut line).unwrap();
            let mut len = 0usize;
            let mut auth = String::new();
            loop {
                let mut h = String::new();
                r.read_line(&mut h).unwrap();
                if h.trim().is_empty() {
                    break;
                }
                let (k, v) = h.split_once(':').unwrap_or(("", ""));
                if k.eq_ignore_ascii_case("content-length") {
                    len = v.trim().parse().unwrap();
                }
                if k.eq_ignore_ascii_case("authorization") {
                    auth = v.trim().to_string();
                }
            }
            let mut body = vec![0; len];
            r.read_exact(&mut body).unwrap();
            let body = String::from_utf8(body).unwrap();
            let target = line.split_whitespace().nth(1).unwrap_or("").to_string();
            if target == "/shutdown" {
                break;
            }
            let mut st = state.lock().unwrap();
            st.requests.push(format!("{} {target} {body}", line.split_whitespace().next().unwrap()));
            st.usage15 += 1;
            let (status, json) = if target == "/oauth/token" {
                if body.contains("grant_type=authorization_code") && body.contains("code=good-code") {
                    (200, serde_json::json!({"token_type":"Bearer","expires_at": 4_000_000_000i64,"expires_in":21600,"refresh_token":"r1","access_token":"a1","athlete":{"id":134815}}))
                } else if body.contains("grant_type=refresh_token") && body.contains("refresh_token=r1") {
                    (200, serde_json::json!({"token_type":"Bearer","access_token":"a2","expires_at":4_000_000_000i64,"expires_in":21600,"refresh_token":"r2"}))
                } else {
                    (400, serde_json::json!({"message":"Bad Request","errors":[{"resource":"AuthorizationCode","field":"code","code":"invalid"}]}))
                }
            } else if !(auth == "Bearer a1" || auth == "Bearer a2") {
                (401, serde_json::json!({"message":"Authorization Error","errors":[{"resource":"Athlete","field":"access_token","code":"invalid"}]}))
            } else if st.force_429 > 0 && target.starts_with("/api/v3/athlete/activities") {
                st.force_429 -= 1;
                st.usage15 = 600;
                (429, serde_json::json!({"message":"Rate Limit Exceeded"}))
            } else if let Some(q) = target.strip_prefix("/api/v3/athlete/activities?") {
                let page: usize = q.split('&').find_map(|kv| kv.strip_prefix("page=")).unwrap().parse().unwrap();
                let per: usize = q.split('&').find_map(|kv| kv.strip_prefix("per_page=")).unwrap().parse().unwrap();
                let items: Vec<_> = st.activities.iter().skip((page - 1) * per).take(per).cloned().collect();
                (200, serde_json::Value::Array(items))
            } else if target.starts_with("/api/v3/activities/") && target.contains("/streams?keys=time,heartrate,latlng,distance,altitude,cadence") && target.ends_with("key_by_type=true") {
                let t: Vec<u64> = (0..=600).step_by(10).collect();
                (200, serde_json::json!({
                    "time": {"data": t, "series_type":"distance","original_size":61,"resolution":"high"},
                    "heartrate": {"data": t.iter().map(|_| 150).collect::<Vec<_>>(), "series_type":"distance","original_size":61,"resolution":"high"},
                    "latlng": {"data": t.iter().map(|i| [53.8 + *i as f64 * 1e-5, -1.55]).collect::<Vec<_>>(), "series_type":"distance","original_size":61,"resolution":"high"},
                }))
            } else {
                (404, serde_json::json!({"message":"Record Not Found"}))
            };
            let usage = st.usage15;
            if status == 429 {
                st.usage15 = 0; // the window resets for whoever waited for it
            }
            drop(st);
            let b = json.to_string();
            let reason = match status { 200 => "OK", 400 => "Bad Request", 401 => "Unauthorized", 429 => "Too Many Requests", _ => "Not Found" };
            let mut s = s;
            write!(
                s,
                "HTTP/1.1 {status} {reason}\r\nContent-Type: application/json; charset=utf-8\r\nX-RateLimit-Limit: 600,30000\r\nX-RateLimit-Usage: {usage},{}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{b}",
                usage + 100,
                b.len()
            )
            .unwrap();
        }
    });
    (url, h)
}

fn shutdown(url: &str) {
    let mut s = std::net::TcpStream::connect(url.trim_start_matches("http://")).unwrap();
    let _ = s.write_all(b"GET /shutdown HTTP/1.1\r\nHost: x\r\n\r\n");
}

fn strava_activity(id: i64, start: &str, elapsed: u64, kind: &str) -> serde_json::Value {
    serde_json::json!({"resource_state":2,"athlete":{"id":134815,"resource_state":1},"name":"Lunch Run","distance":4835.4,"moving_time":elapsed - 30,
        "elapsed_time":elapsed,"total_elevation_gain":12.0,"type":kind,"sport_type":kind,"id":id,"start_date":start,"start_date_local":start,
        "timezone":"(GMT+00:00) Europe/London","manual":false,"average_heartrate":150.0,"max_heartrate":171.0})
}

#[test]
fn strava_oauth_paging_streams_and_merge_with_fit() {
    let state = Arc::new(Mutex::new(ServerState::default()));
    let (url, h) = serve(state.clone());
    let dir = tempfile::tempdir().unwrap();
    let rec = record(dir.path());
    // The same run recorded by the watch (FIT) first.
    let fit_file = corpus().map(|c| c.join("fit/fitparse__2013-02-06-12-11-14.fit"));
    if let Some(f) = &fit_file {
        let rep = import(&rec, &[f.clone()]);
        assert_eq!(rep.totals.activities_added, 1);
    }
    {
        let mut st = state.lock().unwrap();
        st.activities.push(strava_activity(1001, "2013-02-06T12:11:15Z", 2624, "Run"));
        for i in 0..150 {
            st.activities.push(strava_activity(2000 + i, &format!("2014-03-{:02}T{:02}:00:00Z", 1 + i % 28, 6 + i / 28), 1800 + i as u64, "Ride"));
        }
    }
    let mut c = StravaClient::new(ReqwestTransport::new().unwrap(), "1234", "secret").with_base_url(&url);
    assert!(c.authorize_url("http://localhost/cb", "xyz").starts_with(&format!("{url}/oauth/authorize?client_id=1234&redirect_uri=http%3A%2F%2Flocalhost%2Fcb")));
    assert!(c.exchange_code("bad-code").is_err());
    let t = c.exchange_code("good-code").unwrap();
    assert_eq!((t.access_token.as_str(), t.athlete_id), ("a1", Some(134815)));
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
    assert_eq!(c.refresh().unwrap().access_token, "a2");
    // Rate limit: a 429 with usage at the 15-minute limit. Stop policy reports and stops...
    state.lock().unwrap().force_429 = 2;
    let stopped = c.sync(&rec, Some(0), false, &Default::default(), &NoProgress, &CancelToken::new()).unwrap();
    assert!(stopped.stopped.as_deref().unwrap_or("").contains("rate limit"), "{stopped:?}");
    // ...and the Wait policy waits to the next 15-minute window, then goes on.
    let slept = Arc::new(AtomicU64::new(0));
    let s2 = slept.clone();
    let mut c2 = StravaClient::new(ReqwestTransport::new().unwrap(), "1234", "secret")
        .with_base_url(&url)
        .with_tokens(Tokens { access_token: "a2".into(), refresh_token: "r2".into(), expires_at: 4_000_000_000, athlete_id: None })
        .with_time(move |d| { s2.fetch_add(d.as_secs(), Ordering::SeqCst); }, || 1_700_000_200);
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
