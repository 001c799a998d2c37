//! Store benchmarks against plain SQLite, in one run, printed as ratios.
//!
//! `cargo bench -p phr-core --bench store` (env PHR_BENCH_SAMPLES to change the 10M).
//!
//! 1. Ingest: encrypted, chunked sample ingest vs plain rusqlite inserts of the same rows
//!    (one row per sample, a unique index for the same dedup guarantee, same pragmas,
//!    same batch size, one transaction per batch). Goal: ours >= 50% of plain.
//! 2. A year of daily rollups from 10 million samples: ours (sealed per-day rollups) vs
//!    plain `GROUP BY day` over an indexed table. Goal: p99 < 10 ms.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout, clippy::print_stderr)] // a benchmark: it prints what it measured and stops at the first failure

use chrono::NaiveDate;
use phr_core::crypto::RawKeyStore;
use phr_core::record::{Sample, SampleKind};
use phr_core::Record;
use rusqlite::{params, Connection};
use std::time::{Duration, Instant};

const BATCH: usize = 10_000;
const DAY_MS: i64 = 86_400_000;
/// 2025-01-01T00:00:00Z
const START: i64 = 1_735_689_600_000;

/// A heart rate that wanders like a real one (integer bpm, random walk in 45..180), so
/// chunks compress like real data rather than like a repeating pattern.
fn heart_rate(i: usize) -> f64 {
    let mut x = (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0xD1B5_4A32_D192_ED03;
    x ^= x >> 31;
    x = x.wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x ^= x >> 29;
    let slow = 100.0 + 40.0 * ((i as f64) / 5000.0).sin();
    (slow + (x % 21) as f64 - 10.0).round().clamp(45.0, 180.0)
}

fn sample_at(i: usize, step_ms: i64) -> Sample {
    Sample::instant(SampleKind::HeartRate, START + i as i64 * step_ms, heart_rate(i), "Garmin fenix 6")
}

fn samples(n: usize, step_ms: i64) -> Vec<Sample> {
    (0..n).map(|i| sample_at(i, step_ms)).collect()
}

fn plain_db(path: &std::path::Path) -> Connection {
    let c = Connection::open(path).unwrap();
    c.query_row("PRAGMA journal_mode = WAL", [], |_| Ok(())).unwrap();
    c.execute_batch(
        "PRAGMA synchronous = NORMAL;
         CREATE TABLE samples (kind TEXT NOT NULL, source TEXT NOT NULL, start_ms INTEGER NOT NULL, end_ms INTEGER NOT NULL, value REAL NOT NULL);
         CREATE UNIQUE INDEX samples_dedup ON samples(kind, source, start_ms, end_ms);",
    )
    .unwrap();
    c
}

fn plain_ingest(c: &mut Connection, all: &[Sample]) {
    for batch in all.chunks(BATCH) {
        let tx = c.transaction().unwrap();
        {
            let mut st = tx.prepare_cached("INSERT OR IGNORE INTO samples(kind, source, start_ms, end_ms, value) VALUES (?1, ?2, ?3, ?4, ?5)").unwrap();
            for s in batch {
                st.execute(params![s.kind.slug(), s.source, s.start_ms, s.end_ms, s.value]).unwrap();
            }
        }
        tx.commit().unwrap();
    }
}

fn dir_size(p: &std::path::Path) -> u64 {
    std::fs::read_dir(p).unwrap().map(|e| e.unwrap().metadata().unwrap().len()).sum()
}

fn pct(v: &mut [Duration], p: f64) -> Duration {
    v.sort();
    v[((v.len() as f64 - 1.0) * p).round() as usize]
}

fn main() {
    let n_ingest = 1_000_000usize;
    let n_year: usize =
        std::env::var("PHR_BENCH_SAMPLES").ok().and_then(|s| s.parse().ok()).unwrap_or(10_000_000);

    // --- 1. ingest: 1M heart-rate samples at 1 Hz (about 11.5 days) ---
    let data = samples(n_ingest, 1000);
    let ours_dir = tempfile::tempdir().unwrap();
    let rec = Record::create(&ours_dir.path().join("record.phr"), &RawKeyStore::new([7; 32])).unwrap();
    let t = Instant::now();
    for batch in data.chunks(BATCH) {
        rec.ingest_samples(batch).unwrap();
    }
    let ours = t.elapsed();
    drop(rec);
    let plain_dir = tempfile::tempdir().unwrap();
    let mut plain = plain_db(&plain_dir.path().join("plain.db"));
    let t = Instant::now();
    plain_ingest(&mut plain, &data);
    let base = t.elapsed();
    plain.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)").unwrap();
    drop(plain);
    let rate = |d: Duration| n_ingest as f64 / d.as_secs_f64();
    println!("ingest {n_ingest} samples in batches of {BATCH}:");
    println!(
        "  encrypted chunks (ours): {:>10.0} samples/s  ({:.2} s)  file {:.1} MB",
        rate(ours),
        ours.as_secs_f64(),
        dir_size(ours_dir.path()) as f64 / 1e6
    );
    println!(
        "  plain rusqlite rows:     {:>10.0} samples/s  ({:.2} s)  file {:.1} MB",
        rate(base),
        base.as_secs_f64(),
        dir_size(plain_dir.path()) as f64 / 1e6
    );
    println!("  ratio ours/plain: {:.2}x (goal >= 0.50)", rate(ours) / rate(base));
    drop(data);

    // --- 2. a year of daily rollups from n_year samples spread over 365 days ---
    let step = 365 * DAY_MS / n_year as i64;
    let year_dir = tempfile::tempdir().unwrap();
    let rec = Record::create(&year_dir.path().join("record.phr"), &RawKeyStore::new([7; 32])).unwrap();
    let t = Instant::now();
    let mut i = 0usize;
    while i < n_year {
        let n = BATCH.min(n_year - i);
        let batch: Vec<Sample> = (i..i + n).map(|k| sample_at(k, step)).collect();
        rec.ingest_samples(&batch).unwrap();
        i += n;
    }
    let ours_load = t.elapsed();
    let from = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap();
    let to = NaiveDate::from_ymd_opt(2025, 12, 31).unwrap();
    let mut times = Vec::new();
    let mut days = 0;
    for _ in 0..200 {
        let t = Instant::now();
        days = rec.daily_rollups(SampleKind::HeartRate, from, to).unwrap().len();
        times.push(t.elapsed());
    }
    let (p50, p99) = (pct(&mut times, 0.5), pct(&mut times, 0.99));

    let pdir = tempfile::tempdir().unwrap();
    let mut plain = plain_db(&pdir.path().join("plain.db"));
    let t = Instant::now();
    let mut i = 0usize;
    while i < n_year {
        let n = BATCH.min(n_year - i);
        let batch: Vec<Sample> = (i..i + n).map(|k| sample_at(k, step)).collect();
        plain_ingest(&mut plain, &batch);
        i += n;
    }
    let plain_load = t.elapsed();
    let mut ptimes = Vec::new();
    let mut pdays = 0;
    let (lo, hi) = (START, START + 365 * DAY_MS);
    for _ in 0..10 {
        let t = Instant::now();
        let mut st = plain
            .prepare_cached("SELECT start_ms / 86400000 AS day, COUNT(*), MIN(value), MAX(value), SUM(value) FROM samples WHERE kind = 'heart_rate' AND start_ms >= ?1 AND start_ms < ?2 GROUP BY day")
            .unwrap();
        pdays = st.query_map([lo, hi], |r| r.get::<_, i64>(0)).unwrap().count();
        ptimes.push(t.elapsed());
    }
    let (pp50, pp99) = (pct(&mut ptimes, 0.5), pct(&mut ptimes, 0.99));
    assert_eq!(days, pdays, "both must find the same days");
    println!("a year of daily rollups from {n_year} samples ({days} days):");
    println!("  load: ours {:.1} s, plain {:.1} s", ours_load.as_secs_f64(), plain_load.as_secs_f64());
    println!(
        "  ours  (sealed day rollups): p50 {:>9.3} ms  p99 {:>9.3} ms  (200 runs; goal p99 < 10 ms)",
        p50.as_secs_f64() * 1e3,
        p99.as_secs_f64() * 1e3
    );
    println!(
        "  plain (GROUP BY over rows): p50 {:>9.3} ms  p99 {:>9.3} ms  (10 runs)",
        pp50.as_secs_f64() * 1e3,
        pp99.as_secs_f64() * 1e3
    );
    println!("  ratio plain/ours at p50: {:.0}x faster", pp50.as_secs_f64() / p50.as_secs_f64());
    println!(
        "  files: ours {:.1} MB, plain {:.1} MB",
        dir_size(year_dir.path()) as f64 / 1e6,
        dir_size(pdir.path()) as f64 / 1e6
    );
}
