//! Kill a writer with SIGKILL at random points, at least 50 times: after each kill the
//! database opens, passes `PRAGMA integrity_check`, and every batch is whole or absent.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout, clippy::print_stderr)] // test code: a failed unwrap is a failed test, and it prints what it measured

use phr_core::record::SampleKind;
use phr_core::Record;
use phr_tests::{batch_span, test_keystore, PER_KIND};
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// A small xorshift so the kill schedule differs per run but is printed for replay.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

#[test]
fn sigkill_at_random_points_never_tears_a_batch() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("record.phr");
    let seed = std::env::var("PHR_CRASH_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or_else(|| {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64 | 1
    });
    println!("crash test seed {seed} (replay with PHR_CRASH_SEED={seed})");
    let mut rng = Rng(seed);
    let kills = 60;
    let mut committed_total = 0u64;
    let mut torn_candidates = 0u64;
    for round in 0..kills {
        let first = round as u64 * 1000;
        let mut child = Command::new(env!("CARGO_BIN_EXE_crash_writer"))
            .arg(&db)
            .arg(first.to_string())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        // Read acknowledgements on a thread so the writer never blocks on a full pipe.
        let reader = std::thread::spawn(move || {
            BufReader::new(stdout)
                .lines()
                .map_while(Result::ok)
                .filter_map(|l| l.parse::<u64>().ok())
                .collect::<Vec<_>>()
        });
        let delay = Duration::from_millis(rng.next() % 120);
        let t = Instant::now();
        while t.elapsed() < delay {
            std::thread::sleep(Duration::from_millis(1));
        }
        child.kill().unwrap(); // SIGKILL on Unix
        child.wait().unwrap();
        let acked = reader.join().unwrap();
        committed_total += acked.len() as u64;

        if !db.exists() {
            assert!(acked.is_empty(), "round {round}: batches acknowledged but no database");
            continue;
        }
        let record = Record::open(&db, &test_keystore())
            .unwrap_or_else(|e| panic!("round {round}: reopen failed: {e}"));
        assert!(record.integrity_check().unwrap(), "round {round}: integrity_check failed");
        // Every acknowledged batch is whole; the one after (possibly mid-write) is whole or absent.
        let last = acked.last().map(|b| b + 1).unwrap_or(first);
        for b in first..=last {
            let (from, to) = batch_span(b);
            for kind in [SampleKind::HeartRate, SampleKind::Steps] {
                let n = record.samples(kind, from, to).unwrap().len();
                assert!(
                    n == 0 || n == PER_KIND,
                    "round {round}, batch {b}, {kind:?}: torn batch with {n} samples"
                );
                if acked.contains(&b) {
                    assert_eq!(n, PER_KIND, "round {round}: acknowledged batch {b} lost");
                }
            }
            let hr = record.samples(SampleKind::HeartRate, from, to).unwrap().len();
            let steps = record.samples(SampleKind::Steps, from, to).unwrap().len();
            assert_eq!(hr, steps, "round {round}, batch {b}: half a batch landed");
            if b == last {
                torn_candidates += 1;
            }
        }
        // Nothing beyond the in-flight batch exists.
        let (from, _) = batch_span(last + 1);
        assert!(record.samples(SampleKind::HeartRate, from, batch_span(first + 999).1).unwrap().is_empty());
    }
    println!(
        "{kills} kills, {committed_total} acknowledged batches, {torn_candidates} in-flight batches checked"
    );
    assert!(committed_total > 0, "the writer never committed: the kill schedule tested nothing");
}
