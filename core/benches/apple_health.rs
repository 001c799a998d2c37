//! Apple Health `export.xml` against a parse-only quick-xml pass over the same bytes.
//!
//! `cargo bench -p phr-core --bench apple_health` (env `PHR_BENCH_APPLE_MB`, default 200;
//! `PHR_BENCH_RUNS`, default 3; the export is generated once by
//! `scripts/gen-apple-health-export.py` into `$TMPDIR/phr-apple-bench/`, the same file
//! `scripts/bench-apple-health.sh` uses).
//!
//! The peer is the floor any reader of this format pays: quick-xml (the reader we use too)
//! reading every event and every attribute of every element, building nothing. Ours is
//! `apple_health::stream_reader`: the same events, plus the six attributes a `<Record>`
//! needs unescaped, its type, unit and value checked and converted, its dates parsed, and a
//! `Sample` built, handed on in parts of 50,000 (what the importer's store thread receives).
//! A third line is the whole import into a fresh record (parse, source priority, sealing
//! and writing, with the parse and the store on two threads), for scale.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)] // a benchmark: it prints what it measured

use phr_core::crypto::RawKeyStore;
use phr_core::import::apple_health::{stream_reader, STREAM_CHUNK};
use phr_core::import::derive::DeriveOptions;
use phr_core::progress::{CancelToken, NoProgress};
use phr_core::store::DB_FILE;
use phr_core::Record;
use quick_xml::events::Event;
use std::io::BufReader;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

fn env_num(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|s| s.parse().ok()).unwrap_or(default)
}

/// The generated export of `mb` megabytes, made once and kept for later runs.
fn export(mb: u64) -> PathBuf {
    let dir = std::env::temp_dir().join("phr-apple-bench");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("export-{mb}mb.xml"));
    if !path.exists() {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/gen-apple-health-export.py");
        let ok = std::process::Command::new("python3")
            .arg(script)
            .args(["--size-mb", &mb.to_string(), "--out"])
            .arg(&path)
            .status()
            .unwrap()
            .success();
        assert!(ok, "the export generator failed");
    }
    path
}

/// The peer: every event and every attribute's key and raw value touched, nothing built.
fn quick_xml_pass(path: &Path) -> (u64, u64) {
    let file = std::fs::File::open(path).unwrap();
    let mut r = quick_xml::Reader::from_reader(BufReader::with_capacity(256 * 1024, file));
    let mut buf = Vec::new();
    let (mut elements, mut attr_bytes) = (0u64, 0u64);
    loop {
        match r.read_event_into(&mut buf) {
            Ok(Event::Start(e)) | Ok(Event::Empty(e)) => {
                elements += 1;
                for a in e.attributes().with_checks(false).flatten() {
                    attr_bytes += (a.key.as_ref().len() + a.value.len()) as u64;
                }
            }
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(e) => panic!("quick-xml: {e}"),
        }
        buf.clear();
    }
    (elements, attr_bytes)
}

/// Ours: the streamed parse to samples and workouts, parts dropped as they arrive.
fn our_parse(path: &Path) -> u64 {
    let file = std::fs::File::open(path).unwrap();
    let mut samples = 0u64;
    let out = stream_reader(file, &DeriveOptions::default(), STREAM_CHUNK, &mut |part| {
        samples += part.len() as u64;
        Ok(())
    })
    .unwrap();
    assert!(!out.parsed.damaged, "the export did not parse");
    samples
}

fn our_import(path: &Path) -> (Duration, u64) {
    let dir = tempfile::tempdir().unwrap();
    let rec = Record::create(&dir.path().join(DB_FILE), &RawKeyStore::new([9; 32])).unwrap();
    let t0 = Instant::now();
    let report =
        phr_core::import::bulk::import_path(&rec, path, &NoProgress, &CancelToken::default()).unwrap();
    (t0.elapsed(), report.totals.samples_added)
}

fn best<T>(runs: u64, mut f: impl FnMut() -> T) -> (Duration, T) {
    let mut out = None;
    let mut best = Duration::MAX;
    for _ in 0..runs {
        let t0 = Instant::now();
        let v = f();
        best = best.min(t0.elapsed());
        out = Some(v);
    }
    (best, out.unwrap())
}

fn main() {
    let mb = env_num("PHR_BENCH_APPLE_MB", 200);
    let runs = env_num("PHR_BENCH_RUNS", 3).max(1);
    let path = export(mb);
    let size = std::fs::metadata(&path).unwrap().len() as f64 / 1e6;
    println!("== Apple Health export: {} ({size:.0} MB), best of {runs}, interleaved", path.display());
    let (mut peer, mut ours) = (Duration::MAX, Duration::MAX);
    let (mut elements, mut samples) = ((0, 0), 0);
    // Interleaved, so a noisy neighbour slows both sides alike.
    for _ in 0..runs {
        let (p, e) = best(1, || quick_xml_pass(&path));
        let (o, s) = best(1, || our_parse(&path));
        (peer, ours, elements, samples) = (peer.min(p), ours.min(o), e, s);
    }
    let mbps = |d: Duration| size / d.as_secs_f64();
    println!(
        "quick-xml parse-only : {:>7.2} s  {:>6.0} MB/s  ({} elements, {} attribute bytes)",
        peer.as_secs_f64(),
        mbps(peer),
        elements.0,
        elements.1
    );
    println!(
        "ours: parse to samples: {:>7.2} s  {:>6.0} MB/s  ({samples} samples)",
        ours.as_secs_f64(),
        mbps(ours)
    );
    let (import, stored) = our_import(&path);
    println!(
        "ours: whole import    : {:>7.2} s  {:>6.0} MB/s  ({stored} samples stored, one run)",
        import.as_secs_f64(),
        mbps(import)
    );
    println!(
        "ratio ours/quick-xml: parse {:.2}x, whole import {:.2}x (goal: within 2x)",
        ours.as_secs_f64() / peer.as_secs_f64(),
        import.as_secs_f64() / peer.as_secs_f64()
    );
}
