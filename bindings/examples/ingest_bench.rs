//! The Rust side of the bindings benchmark: the same 10,000 heart-rate samples the Kotlin
//! test `a 10,000-sample batch crosses the boundary in one transaction` ingests, stored
//! straight through phr-core. Compare with the Kotlin test's `BENCH` line.
//!
//! `cargo run -p phr-ffi --example ingest_bench`
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout, clippy::print_stderr)] // a benchmark: it prints what it measured and stops at the first failure
use phr_core::crypto::RawKeyStore;
use phr_core::record::{Sample, SampleKind};
use phr_core::Record;
use std::time::Instant;

fn heart_rates(n: usize) -> Vec<Sample> {
    let start = 1_735_689_600_000i64;
    (0..n)
        .map(|i| {
            let t = start + i as i64 * 60_000;
            Sample {
                kind: SampleKind::HeartRate,
                start_ms: t,
                end_ms: t,
                value: 60.0 + (i % 40) as f64,
                source: "test-watch".into(),
                dedup_key: None,
            }
        })
        .collect()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let ks = RawKeyStore::new([7; 32]);
    // Warm up on another record, as the Kotlin test does.
    Record::create(&dir.path().join("warm.phr"), &ks)?.ingest_samples(&heart_rates(500))?;
    let mut best = f64::MAX;
    for round in 0..5 {
        let rec = Record::create(&dir.path().join(format!("r{round}.phr")), &ks)?;
        let samples = heart_rates(10_000);
        let t0 = Instant::now();
        let r = rec.ingest_samples(&samples)?;
        let ms = t0.elapsed().as_secs_f64() * 1000.0;
        assert_eq!(r.added, 10_000);
        best = best.min(ms);
        println!("BENCH rust ingest_samples 10000 samples: {ms:.1} ms");
    }
    println!("best of 5: {best:.1} ms");
    Ok(())
}
