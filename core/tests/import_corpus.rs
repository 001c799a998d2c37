//! Differential tests of the GPX, TCX, Apple Health, CSV and Strava importers against the
//! peer facts in tests/corpus/MANIFEST.tsv, and mutation tests (cut, flip, splice)
//! over every corpus file: no panic, and a failed import leaves the record unchanged.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout, clippy::print_stderr)] // test code: a failed unwrap is a failed test, and it prints what it measured
use phr_core::crypto::RawKeyStore;
use phr_core::import::bulk::{commit, parse_bytes, ParseResult};
use phr_core::import::{FileStatus, Format, ImportOptions};
use phr_core::store::DB_FILE;
use phr_core::Record;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn corpus() -> Option<PathBuf> {
    phr_testkit::corpus()
}

fn facts(peer: &str) -> (bool, BTreeMap<String, String>) {
    let Some(open) = peer.find('[') else { return (false, BTreeMap::new()) };
    let body = peer[open + 1..].trim_end_matches(']');
    let ok = body.ends_with(" ok");
    let mut m = BTreeMap::new();
    for kv in body.trim_end_matches(" ok").split(' ') {
        if let Some((k, v)) = kv.split_once('=') {
            m.insert(k.to_string(), v.to_string());
        }
    }
    (ok && !body.contains("peer_error"), m)
}

fn rows(root: &Path, folder: &str) -> Vec<(String, Vec<String>)> {
    let text = std::fs::read_to_string(root.join("MANIFEST.tsv")).unwrap();
    text.lines()
        .skip(1)
        .filter(|l| l.starts_with(&format!("{folder}/")))
        .map(|l| {
            let cols: Vec<&str> = l.split('\t').collect();
            (cols[0].to_string(), cols[6].split(" | ").map(str::to_string).collect())
        })
        .collect()
}

fn parsed(name: &str, data: &[u8]) -> (Format, ParseResult) {
    parse_bytes(name, data, &ImportOptions::default())
}

fn n(m: &BTreeMap<String, String>, k: &str) -> Option<f64> {
    m.get(k).and_then(|v| v.parse().ok())
}

#[test]
fn gpx_matches_gpxpy() {
    let Some(root) = corpus() else { return };
    let (mut agree, mut total) = (0, 0);
    for (file, peers) in rows(&root, "gpx") {
        let data = std::fs::read(root.join(&file)).unwrap();
        let (ok, f) = facts(&peers[0]);
        let (_, r) = parsed(&file, &data);
        if !ok {
            // Peers fail: we must not panic; an error or a flagged/lenient result is fine.
            match &r {
                ParseResult::Failed(p) => println!("{file}: error as peers ({p})"),
                ParseResult::Parsed(p) => {
                    println!("{file}: read leniently, {} points, problems {:?}", p.points, p.problems)
                }
                ParseResult::Skipped(s) => println!("{file}: skipped ({s})"),
            }
            continue;
        }
        total += 1;
        let ParseResult::Parsed(p) = r else { panic!("{file}: failed where gpxpy succeeds") };
        let c = |k: &str| p.counts.get(k).copied().unwrap_or(0) as f64;
        let mut bad = vec![];
        for k in ["tracks", "route_points", "waypoints"] {
            if n(&f, k) != Some(c(k)) {
                bad.push(format!("{k}: ours {} peer {:?}", c(k), f.get(k)));
            }
        }
        if n(&f, "track_points") != Some(c("track_points")) {
            bad.push(format!("track_points: ours {} peer {:?}", c("track_points"), f.get("track_points")));
        }
        let len = n(&f, "length_2d_m").unwrap_or(0.0);
        if (c("length_2d_m") - len).abs() > 1.0 + len * 0.001 {
            bad.push(format!("length: ours {} peer {len}", c("length_2d_m")));
        }
        if let Some(start) = f.get("start").filter(|s| !s.is_empty()) {
            let first = p.batch.activities.first().map(|a| phr_core::import::utc_string(a.start_ms));
            if first.as_deref() != Some(start.as_str()) && p.batch.activities.len() == 1 {
                bad.push(format!("start: ours {first:?} peer {start}"));
            }
        }
        if bad.is_empty() {
            agree += 1;
        } else {
            println!("DISAGREE {file}: {}", bad.join("; "));
        }
    }
    println!("gpx agreement: {agree}/{total}");
    assert!(agree * 100 >= total * 90, "gpx agreement {agree}/{total}");
}

#[test]
fn tcx_matches_lxml_and_tcxparser() {
    let Some(root) = corpus() else { return };
    let (mut agree, mut total) = (0, 0);
    for (file, peers) in rows(&root, "tcx") {
        let data = std::fs::read(root.join(&file)).unwrap();
        let (lxml_ok, lx) = facts(&peers[0]);
        let (tp_ok, tp) = facts(peers.get(1).map(String::as_str).unwrap_or(""));
        let (_, r) = parsed(&file, &data);
        if !lxml_ok {
            match &r {
                ParseResult::Parsed(p) => {
                    assert!(p.damaged && !p.problems.is_empty(), "{file}: peers fail, we must flag it")
                }
                ParseResult::Failed(p) => println!("{file}: error as peers ({p})"),
                ParseResult::Skipped(_) => panic!("{file}: skipped"),
            }
            continue;
        }
        total += 1;
        let ParseResult::Parsed(p) = r else { panic!("{file}: failed where lxml succeeds") };
        let c = |k: &str| p.counts.get(k).copied().unwrap_or(0) as f64;
        let mut bad = vec![];
        for k in ["trackpoints", "laps", "tp_with_hr", "tp_with_cadence"] {
            if n(&lx, k) != Some(c(k)) {
                bad.push(format!("{k}: ours {} peer {:?}", c(k), lx.get(k)));
            }
        }
        if tp_ok {
            let a = &p.batch.activities[0];
            // tcxparser's hr_max is the track's maximum (a lap's MaximumHeartRateBpm may be higher).
            let track_max = a
                .track
                .iter()
                .filter_map(|t| t.hr)
                .fold(None, |m: Option<f64>, v| Some(m.map_or(v, |m| m.max(v))));
            if let Some(hr) = n(&tp, "hr_max") {
                if track_max != Some(hr) {
                    bad.push(format!("hr_max: ours {track_max:?} peer {hr}"));
                }
            }
            let last_d = a.track.iter().rev().find_map(|t| t.distance_m);
            if let (Some(d), Some(peer)) = (last_d, n(&tp, "distance_m")) {
                if (d - peer).abs() > 0.01 {
                    bad.push(format!("distance: ours {d} peer {peer}"));
                }
            }
        }
        if bad.is_empty() {
            agree += 1;
        } else {
            println!("DISAGREE {file}: {}", bad.join("; "));
        }
    }
    println!("tcx agreement: {agree}/{total}");
    assert_eq!(agree, total);
}

#[test]
fn apple_health_matches_iterparse() {
    let Some(root) = corpus() else { return };
    let (mut agree, mut total) = (0, 0);
    for (file, peers) in rows(&root, "apple_health") {
        let data = std::fs::read(root.join(&file)).unwrap();
        let (_, f) = facts(&peers[0]);
        let (fmt, r) = parsed(&file, &data);
        total += 1;
        let ParseResult::Parsed(p) = r else { panic!("{file} ({fmt:?}): not parsed") };
        let c = |k: &str| p.counts.get(k).copied().unwrap_or(0) as f64;
        let ok = n(&f, "records") == Some(c("records"))
            && n(&f, "distinct_types") == Some(c("types"))
            && n(&f, "workouts") == Some(c("workouts"));
        if ok {
            agree += 1;
        } else {
            println!("DISAGREE {file}: ours {:?} peer {f:?}", p.counts);
        }
        assert_eq!(
            p.batch.activities.len() as f64,
            c("workouts"),
            "{file}: every workout becomes an activity"
        );
        if file.ends_with("health-data-parser__export.zip") {
            assert!(
                p.batch.activities.iter().filter(|a| !a.track.is_empty()).count() >= 4,
                "routes from the zip fill tracks"
            );
        }
    }
    println!("apple health agreement: {agree}/{total}");
    assert_eq!(agree, total);
}

#[test]
fn csv_shapes_match_and_hrv_exports_import() {
    let Some(root) = corpus() else { return };
    let (mut agree, mut total) = (0, 0);
    for (file, peers) in rows(&root, "csv") {
        let data = std::fs::read(root.join(&file)).unwrap();
        let (_, f) = facts(&peers[0]);
        total += 1;
        let (r, c, _) = phr_core::import::csv::shape(&data).unwrap();
        // Python's csv counts blank lines as (empty) rows; the csv crate skips them.
        let body = data.strip_suffix(b"\n").unwrap_or(&data);
        let blank =
            body.split(|b| *b == b'\n').skip(1).filter(|l| l.iter().all(|b| b.is_ascii_whitespace())).count()
                as u64;
        if blank > 0 {
            println!("{file}: {blank} blank lines (counted as rows by the peer, skipped by us)");
        }
        if n(&f, "rows") == Some((r + blank) as f64) && n(&f, "columns") == Some(c as f64) {
            agree += 1;
        } else {
            println!("DISAGREE {file}: ours rows={r} columns={c}, peer {f:?}");
        }
        let (_, res) = parsed(&file, &data);
        match res {
            ParseResult::Parsed(p) => {
                println!(
                    "{file}: {} samples, problems {:?}",
                    p.batch.samples.len(),
                    p.problems.iter().take(2).collect::<Vec<_>>()
                );
                assert!(!p.batch.samples.is_empty(), "{file}");
            }
            ParseResult::Skipped(s) => println!("{file}: skipped: {s}"),
            ParseResult::Failed(p) => panic!("{file}: {p}"),
        }
    }
    println!("csv agreement: {agree}/{total}");
    assert_eq!(agree, total);
}

#[test]
fn strava_json_matches() {
    let Some(root) = corpus() else { return };
    for (file, peers) in rows(&root, "strava") {
        let data = std::fs::read(root.join(&file)).unwrap();
        let (_, f) = facts(&peers[0]);
        let (_, r) = parsed(&file, &data);
        match r {
            ParseResult::Parsed(p) => {
                let a = &p.batch.activities[0];
                assert_eq!(a.distance_m, n(&f, "distance"), "{file}");
                assert_eq!(a.timer_s, n(&f, "moving_time"), "{file}");
            }
            ParseResult::Skipped(s) => {
                println!("{file}: skipped: {s}");
                assert!(
                    f.get("type").is_none_or(|t| t == "None" || t == "2"),
                    "{file}: an activity was skipped"
                );
            }
            ParseResult::Failed(p) => panic!("{file}: {p}"),
        }
    }
}

fn all_files(root: &Path) -> Vec<PathBuf> {
    let mut out = vec![];
    for d in ["gpx", "gpx/broken", "tcx", "tcx/broken", "apple_health", "csv", "strava", "fit", "fit/broken"]
    {
        if let Ok(rd) = std::fs::read_dir(root.join(d)) {
            let mut v: Vec<PathBuf> =
                rd.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.is_file()).collect();
            v.sort();
            out.extend(v);
        }
    }
    out
}

/// Deterministic mutations: cut, flip, splice garbage, duplicate a slice.
fn mutate(data: &[u8], seed: u64) -> Vec<u8> {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut rnd = |m: usize| {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        (x % m.max(1) as u64) as usize
    };
    let mut d = data.to_vec();
    if d.is_empty() {
        return d;
    }
    match seed % 4 {
        0 => d.truncate(rnd(d.len())),
        1 => {
            for _ in 0..1 + rnd(8) {
                let i = rnd(d.len());
                d[i] ^= 1 << rnd(8);
            }
        }
        2 => {
            let i = rnd(d.len());
            let garbage: Vec<u8> = (0..1 + rnd(64)).map(|_| rnd(256) as u8).collect();
            d.splice(i..i, garbage);
        }
        _ => {
            let a = rnd(d.len());
            let b = (a + rnd(256)).min(d.len());
            let piece = d[a..b].to_vec();
            let at = rnd(d.len());
            d.splice(at..at, piece);
        }
    }
    d
}

/// Every corpus file, mutated `PHR_MUTATIONS` times (40 in CI; 6100 gives the documented
/// run of over a million inputs), on every core: no panic, and a refusal says why.
#[test]
fn mutated_corpus_files_never_panic() {
    let Some(root) = corpus() else { return };
    let per_file: u64 = std::env::var("PHR_MUTATIONS").ok().and_then(|v| v.parse().ok()).unwrap_or(40);
    // The big benchmark files add time, not coverage.
    let files: Vec<PathBuf> = all_files(&root)
        .into_iter()
        .filter(|p| std::fs::metadata(p).is_ok_and(|m| m.len() <= 400_000))
        .collect();
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    let inputs = std::sync::atomic::AtomicU64::new(0);
    let refused = std::sync::atomic::AtomicU64::new(0);
    let started = std::time::Instant::now();
    std::thread::scope(|scope| {
        for t in 0..threads {
            let (files, inputs, refused) = (&files, &inputs, &refused);
            scope.spawn(move || {
                for path in files.iter().skip(t).step_by(threads) {
                    let data = std::fs::read(path).unwrap();
                    let name = path.file_name().unwrap().to_string_lossy().to_string();
                    for seed in 0..per_file {
                        let m = mutate(&data, seed + 1);
                        let r = std::panic::catch_unwind(|| parsed(&name, &m));
                        let Ok((_, result)) = r else {
                            panic!("{name}: panic on mutation seed {}", seed + 1)
                        };
                        if let ParseResult::Failed(p) = result {
                            assert!(
                                !p.reason.trim().is_empty(),
                                "{name} seed {}: a refusal without a reason",
                                seed + 1
                            );
                            refused.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        }
                        let done = inputs.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
                        if done % 100_000 == 0 {
                            // Long runs show how far they got if stopped early.
                            println!(
                                "{done} mutated inputs so far, no panic ({:.0} s)",
                                started.elapsed().as_secs_f64()
                            );
                        }
                    }
                }
            });
        }
    });
    let (inputs, refused) = (inputs.into_inner(), refused.into_inner());
    println!("mutated inputs: {inputs} from {} files on {threads} threads in {:.1} s, no panic; {refused} refused with a reason, the rest read in part or whole", files.len(), started.elapsed().as_secs_f64());
}

#[test]
fn failed_or_damaged_imports_leave_the_store_consistent() {
    let Some(root) = corpus() else { return };
    let dir = tempfile::tempdir().unwrap();
    let rec = Record::create(&dir.path().join(DB_FILE), &RawKeyStore::new([7; 32])).unwrap();
    let far = (i64::MIN / 4, i64::MAX / 4);
    let snapshot = |rec: &Record| {
        let acts = rec.activities(far.0, far.1).unwrap().len();
        let samples = rec.sample_summary().unwrap().iter().map(|s| s.count).sum::<u64>();
        (acts, samples)
    };
    for (i, path) in
        all_files(&root).into_iter().filter(|p| std::fs::metadata(p).unwrap().len() < 300_000).enumerate()
    {
        let data = std::fs::read(&path).unwrap();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let m = mutate(&data, i as u64 * 7 + 3);
        let before = snapshot(&rec);
        let (fmt, r) = parsed(&name, &m);
        let rep = commit(&rec, name.clone(), fmt, r);
        let after = snapshot(&rec);
        if matches!(rep.status, FileStatus::Failed | FileStatus::Skipped) {
            assert_eq!(before, after, "{name}: a failed import changed the record");
        }
        // Importing the same bytes again adds nothing.
        let (fmt, r) = parsed(&name, &m);
        let again = commit(&rec, name.clone(), fmt, r);
        assert_eq!(
            again.outcome.samples.added + again.outcome.activities_added,
            0,
            "{name}: re-import added data"
        );
        assert_eq!(snapshot(&rec), after, "{name}: re-import changed the record");
    }
    assert!(rec.integrity_check().unwrap());
}
