//! Insights over a year of data from 10 million samples, with plain SQLite as the named
//! peer in the same run.
//!
//! `cargo bench -p phr-core --bench insights` (env PHR_BENCH_SAMPLES to change the 10M,
//! PHR_BENCH_PEER_RUNS for the peer's query runs, default 10).
//!
//! Setup: a real encrypted record in a temp dir holding the demo resident (a year of
//! daily weight, blood pressure, resting heart rate, steps, active minutes, VO2max and
//! every core entry) plus heart rate every ~3 s for a year from one watch (10M samples),
//! ingested one day per batch. Then:
//!   (a) a year of daily rollups of the 10M heart-rate samples, p50/p99 over 200 runs;
//!   (b) trends over a year from those rollups (fetch + rolling 7-day mean + least-squares
//!       slopes over 7/30/90/365 days), p50/p99 over 200 runs;
//!   (c) the full insights report (`Record::insight_report`: build the input from the
//!       store, trends, alerts, suggestions, signposts, fitness), p50/p99 over 200 runs;
//!   peer: the same daily aggregation as (a) over a plain rusqlite table of the same
//!   10M rows (one row per sample, index on (kind, ts)) with GROUP BY day.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout, clippy::print_stderr)] // a benchmark: it prints what it measured and stops at the first failure

use chrono::{Duration as Days, NaiveDate};
use phr_core::crypto::RawKeyStore;
use phr_core::insights::{trends, MetricKind, SeriesPoint};
use phr_core::record::{Sample, SampleKind};
use phr_core::Record;
use rusqlite::{params, Connection};
use std::time::{Duration, Instant};

const DAY_MS: i64 = 86_400_000;

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// A heart rate that wanders like a real one (integer bpm in 45..180).
fn heart_rate(i: usize) -> f64 {
    let mut x = (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0xD1B5_4A32_D192_ED03;
    x ^= x >> 31;
    x = x.wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x ^= x >> 29;
    let slow = 90.0 + 30.0 * ((i as f64) / 5000.0).sin();
    (slow + (x % 21) as f64 - 10.0).round().clamp(45.0, 180.0)
}

fn pct(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn time_runs<T>(runs: usize, mut f: impl FnMut() -> T) -> (Duration, Duration, T) {
    let mut last = f(); // warm-up
    let mut v = Vec::with_capacity(runs);
    for _ in 0..runs {
        let t = Instant::now();
        last = f();
        v.push(t.elapsed());
    }
    v.sort();
    (pct(&v, 0.5), pct(&v, 0.99), last)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn main() {
    let n = env_usize("PHR_BENCH_SAMPLES", 10_000_000);
    let peer_runs = env_usize("PHR_BENCH_PEER_RUNS", 10).max(1);
    let today = NaiveDate::from_ymd_opt(2026, 11, 25).expect("date");
    let from = today - Days::days(364);
    let start_ms = from.and_hms_opt(0, 0, 0).expect("time").and_utc().timestamp_millis();
    let step_ms = (365 * DAY_MS) / n as i64; // ~3154 ms for 10M
    let per_day = (DAY_MS / step_ms) as usize + 1;
    println!(
        "insights bench: {n} heart-rate samples over 365 days (one every {step_ms} ms), today = {today}"
    );

    let dir = tempfile::tempdir().expect("tempdir");
    let record = Record::create(&dir.path().join("record.phr"), &RawKeyStore::new([9; 32])).expect("create");
    phr_core::demo::fill(&record, today).expect("demo");

    // Ingest, one day per batch.
    let t = Instant::now();
    let mut i = 0usize;
    let mut added = 0u64;
    while i < n {
        let end = (i + per_day).min(n);
        let batch: Vec<Sample> = (i..end)
            .map(|k| {
                Sample::instant(
                    SampleKind::HeartRate,
                    start_ms + k as i64 * step_ms,
                    heart_rate(k),
                    "Garmin fenix 6",
                )
            })
            .collect();
        added += record.ingest_samples(&batch).expect("ingest").added;
        i = end;
    }
    let ours_ingest = t.elapsed();
    let file_size = std::fs::metadata(dir.path().join("record.phr")).map(|m| m.len()).unwrap_or(0)
        + std::fs::metadata(dir.path().join("record.phr-wal")).map(|m| m.len()).unwrap_or(0);
    println!(
        "ours ingest: {added} samples in {:.1} s ({:.2} M samples/s), file {:.1} MB",
        ours_ingest.as_secs_f64(),
        added as f64 / ours_ingest.as_secs_f64() / 1e6,
        file_size as f64 / 1e6
    );

    // (a) A year of daily rollups.
    let (a50, a99, days) =
        time_runs(200, || record.daily_rollups(SampleKind::HeartRate, from, today).expect("rollups"));
    let count: u64 = days.iter().map(|d| d.count).sum();
    assert_eq!(count, added, "the rollups cover every sample");
    println!(
        "(a) ours: a year of daily rollups ({} days, {} samples): p50 {:.3} ms, p99 {:.3} ms",
        days.len(),
        count,
        ms(a50),
        ms(a99)
    );

    // (b) Trends over a year from rollups.
    let (b50, b99, fits) = time_runs(200, || {
        let days = record.daily_rollups(SampleKind::HeartRate, from, today).expect("rollups");
        let pts: Vec<SeriesPoint> = days
            .iter()
            .map(|d| {
                SeriesPoint::new(
                    d.day.and_hms_opt(12, 0, 0).map(|t| t.and_utc().timestamp()).unwrap_or(0),
                    d.mean(),
                )
            })
            .collect();
        let rolling = trends::rolling_series(&pts, 7.0);
        let mut out = Vec::new();
        for w in [7, 30, 90, 365] {
            out.push(trends::trend(MetricKind::RestingHeartRate, &pts, today, w, 0));
        }
        let fit = trends::linear_fit(&rolling);
        (out.iter().flatten().count(), fit.map(|f| f.n))
    });
    println!("(b) ours: trends over a year from rollups (fetch, 7-day rolling mean, slopes over 7/30/90/365 days; {} trends): p50 {:.3} ms, p99 {:.3} ms", fits.0, ms(b50), ms(b99));

    // (c) The full insights report.
    let (c50, c99, rep) = time_runs(200, || record.insight_report(today).expect("report"));
    println!("(c) ours: full insights report ({} alerts, {} trends, {} suggestions, {} signposts): p50 {:.3} ms, p99 {:.3} ms", rep.alerts.len(), rep.trends.trends.len(), rep.suggestions.len(), rep.signposts.len(), ms(c50), ms(c99));
    drop(record);

    // Peer: plain SQLite, one row per sample, index on (kind, ts), GROUP BY day.
    let peer_path = dir.path().join("plain.sqlite");
    let mut c = Connection::open(&peer_path).expect("open plain");
    c.query_row("PRAGMA journal_mode = WAL", [], |_| Ok(())).expect("wal");
    c.execute_batch("PRAGMA synchronous = NORMAL; CREATE TABLE samples (kind INTEGER NOT NULL, ts INTEGER NOT NULL, value REAL NOT NULL); CREATE INDEX samples_kind_ts ON samples(kind, ts);")
        .expect("schema");
    let t = Instant::now();
    let mut i = 0usize;
    while i < n {
        let end = (i + per_day).min(n);
        let tx = c.transaction().expect("tx");
        {
            let mut st = tx
                .prepare_cached("INSERT INTO samples(kind, ts, value) VALUES (?1, ?2, ?3)")
                .expect("prepare");
            for k in i..end {
                st.execute(params![5, start_ms + k as i64 * step_ms, heart_rate(k)]).expect("insert");
            }
        }
        tx.commit().expect("commit");
        i = end;
    }
    let peer_ingest = t.elapsed();
    c.execute_batch("PRAGMA wal_checkpoint(TRUNCATE); ANALYZE;").expect("checkpoint");
    let peer_size = std::fs::metadata(&peer_path).map(|m| m.len()).unwrap_or(0);
    println!(
        "peer ingest: {n} rows in {:.1} s ({:.2} M rows/s), file {:.1} MB",
        peer_ingest.as_secs_f64(),
        n as f64 / peer_ingest.as_secs_f64() / 1e6,
        peer_size as f64 / 1e6
    );
    let to_ms = (today + Days::days(1)).and_hms_opt(0, 0, 0).expect("time").and_utc().timestamp_millis();
    let query = "SELECT ts / 86400000 AS day, COUNT(*), MIN(value), MAX(value), SUM(value) FROM samples WHERE kind = ?1 AND ts >= ?2 AND ts < ?3 GROUP BY day ORDER BY day";
    let (p50, p99, rows) = time_runs(peer_runs, || {
        let mut st = c.prepare_cached(query).expect("prepare");
        let rows: Vec<(i64, i64, f64, f64, f64)> = st
            .query_map(params![5, start_ms, to_ms], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
            })
            .expect("query")
            .collect::<Result<_, _>>()
            .expect("rows");
        rows
    });
    let peer_count: i64 = rows.iter().map(|r| r.1).sum();
    assert_eq!(peer_count as u64, added, "the peer aggregates the same samples");
    println!("peer: plain SQLite GROUP BY day, index on (kind, ts) ({} days, {} rows; {peer_runs} runs): p50 {:.1} ms, p99 {:.1} ms", rows.len(), peer_count, ms(p50), ms(p99));
    println!(
        "ratio (a) ours vs peer: p50 {:.0}x faster, p99 {:.0}x faster",
        ms(p50) / ms(a50),
        ms(p99) / ms(a99)
    );
    println!(
        "ingest ratio ours/peer: {:.2}x; file size ours/peer: {:.2}x",
        peer_ingest.as_secs_f64() / ours_ingest.as_secs_f64(),
        file_size as f64 / peer_size.max(1) as f64
    );
    println!(
        "goal (foundation issue): a year of daily rollups from 10M samples p99 < 10 ms: {}",
        if ms(a99) < 10.0 { "met" } else { "NOT met" }
    );
}
