//! Writes sample batches forever, printing each batch number after it commits. The crash
//! test kills it with SIGKILL at random moments. Usage: crash_writer DB FIRST_BATCH
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout, clippy::print_stderr)] // test code: a failed unwrap is a failed test, and it prints what it measured
use phr_core::record::{Sample, SampleKind};
use phr_core::Record;
use phr_tests::{batch_span, test_keystore, PER_KIND};
use std::io::Write;
use std::path::Path;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let path = Path::new(&args[1]);
    let first: u64 = args[2].parse().expect("batch number");
    let ks = test_keystore();
    let record =
        if path.exists() { Record::open(path, &ks) } else { Record::create(path, &ks) }.expect("open record");
    let mut out = std::io::stdout().lock();
    for b in first.. {
        let (start, _) = batch_span(b);
        let mut batch = Vec::with_capacity(PER_KIND * 2);
        for i in 0..PER_KIND as i64 {
            batch.push(Sample::instant(
                SampleKind::HeartRate,
                start + i * 1000,
                60.0 + (b % 100) as f64,
                "crash-test strap",
            ));
            batch.push(Sample::instant(SampleKind::Steps, start + i * 1000, 10.0, "crash-test phone"));
        }
        record.ingest_samples(&batch).expect("ingest");
        writeln!(out, "{b}").expect("stdout");
        out.flush().expect("stdout");
    }
}
