//! `cargo bench -p fitstream --bench fit [-- FILE [N]]`
//!
//! Decodes the same preloaded bytes N times with our decoder, the `rustyfit` and `fitparser`
//! crates and Python's `fitdecode` (PyPI), in the same run, on the corpus's largest file and
//! on the whole FIT corpus (or on FILE alone, when given), and prints MB/s for each, the
//! messages each decoded, the files each failed, and the ratios.
//!
//! Each decoder runs through its fastest whole-file path: ours `decode_each` (messages lent
//! one by one from reused vectors), rustyfit's `Decoder::stream` (also lends `&Message`),
//! fitparser's `from_bytes` (its only one). Our owned-message path (`decode_with`) is printed
//! too. Passes alternate between decoders (best of `PHR_BENCH_ROUNDS`, default 5, rounds) so
//! that a burst of load on the shared machine hits all of them alike.
//! fitdecode runs in the interpreter named by `PHR_BENCH_PYTHON` (default `python3`;
//! `pip install fitdecode`); when it is missing that column says so and the rest still runs.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout, clippy::print_stderr)] // a benchmark: it prints what it measured and stops at the first failure
use std::path::{Path, PathBuf};
use std::time::Instant;

use fitstream as fit;

fn corpus_dir() -> Option<PathBuf> {
    phr_testkit::corpus_subdir("fit")
}

/// The preloaded corpus: each file's path and bytes.
type Files = [(PathBuf, Vec<u8>)];

/// What one timed pass gave: seconds, messages decoded, files that failed.
#[derive(Clone, Copy)]
struct Pass {
    secs: f64,
    messages: usize,
    failed: usize,
}

fn timed(n: usize, files: &[(PathBuf, Vec<u8>)], mut one: impl FnMut(&[u8]) -> (usize, bool)) -> Pass {
    let t = Instant::now();
    let (mut messages, mut failed) = (0, 0);
    for _ in 0..n {
        for (_, data) in files {
            let (m, ok) = one(data);
            messages += m;
            failed += usize::from(!ok);
        }
    }
    Pass { secs: t.elapsed().as_secs_f64(), messages: messages / n, failed: failed / n }
}

/// Our decoder, messages lent one by one (no allocation per message). A file fails when
/// the report has any damage (CRC mismatch, truncation, undefined message...).
fn ours(files: &[(PathBuf, Vec<u8>)], n: usize) -> Pass {
    timed(n, files, |data| {
        let mut count = 0usize;
        let rep = fit::decode_each(data, fit::DecodeOptions::default(), |_| count += 1);
        (count, rep.damage.is_empty())
    })
}

/// Our decoder handing out owned messages (what `Iterator::next` and `decode_with` give).
fn ours_owned(files: &[(PathBuf, Vec<u8>)], n: usize) -> Pass {
    timed(n, files, |data| {
        let mut count = 0usize;
        let rep = fit::decode_with(data, fit::DecodeOptions::default(), |_| count += 1);
        (count, rep.damage.is_empty())
    })
}

/// rustyfit's streaming decoder (CRC checked, components expanded: its defaults, like ours).
fn rustyfit_secs(files: &[(PathBuf, Vec<u8>)], n: usize) -> Pass {
    use rustyfit::{DecoderEvent, StreamingIterator};
    let mut dec = rustyfit::Decoder::new();
    timed(n, files, |data| {
        let mut count = 0usize;
        let mut stream = dec.stream(data);
        while let Some(ev) = stream.next() {
            match ev {
                Ok(DecoderEvent::Message(_)) => count += 1,
                Ok(_) => {}
                Err(_) => return (count, false),
            }
        }
        (count, true)
    })
}

fn fitparser_secs(files: &[(PathBuf, Vec<u8>)], n: usize) -> Pass {
    timed(n, files, |data| match fitparser::from_bytes(data) {
        Ok(v) => (v.len(), true),
        Err(_) => (0, false),
    })
}

const FITDECODE: &str = r#"
import io, sys, time
import fitdecode
n = int(sys.argv[1])
blobs = [open(p, "rb").read() for p in sys.argv[2:]]
count = 0
t = time.perf_counter()
for _ in range(n):
    for b in blobs:
        try:
            with fitdecode.FitReader(io.BytesIO(b), check_crc=fitdecode.CrcCheck.DISABLED) as r:
                for frame in r:
                    if frame.frame_type == fitdecode.FIT_FRAME_DATA:
                        count += 1
        except Exception:
            pass
print(time.perf_counter() - t, count)
"#;

/// Seconds for N decodes of every file by fitdecode, or why it could not run.
fn fitdecode_secs(files: &[(PathBuf, Vec<u8>)], n: usize) -> Result<(f64, usize), String> {
    let py = std::env::var("PHR_BENCH_PYTHON").unwrap_or_else(|_| "python3".into());
    let out = std::process::Command::new(&py)
        .arg("-c")
        .arg(FITDECODE)
        .arg(n.to_string())
        .args(files.iter().map(|(p, _)| p))
        .output()
        .map_err(|e| format!("{py}: {e}"))?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        return Err(err.lines().last().unwrap_or("failed").to_string());
    }
    let s = String::from_utf8_lossy(&out.stdout);
    let mut it = s.split_whitespace();
    let secs = it.next().and_then(|v| v.parse().ok()).ok_or("no timing from python")?;
    let count = it.next().and_then(|v| v.parse().ok()).unwrap_or(0);
    Ok((secs, count))
}

/// Best (fastest) of `rounds` passes of each decoder, the decoders alternating.
fn best_of(rounds: usize, files: &[(PathBuf, Vec<u8>)], n: usize) -> [Pass; 4] {
    let decoders: [fn(&Files, usize) -> Pass; 4] = [ours, ours_owned, rustyfit_secs, fitparser_secs];
    let mut best = [Pass { secs: f64::INFINITY, messages: 0, failed: 0 }; 4];
    for _ in 0..rounds.max(1) {
        for (b, d) in best.iter_mut().zip(decoders) {
            let p = d(files, n);
            if p.secs < b.secs {
                *b = p;
            }
        }
    }
    best
}

fn run(label: &str, files: &[(PathBuf, Vec<u8>)], n: usize) {
    let mb = files.iter().map(|(_, d)| d.len()).sum::<usize>() as f64 / 1e6;
    let rounds: usize = std::env::var("PHR_BENCH_ROUNDS").ok().and_then(|v| v.parse().ok()).unwrap_or(5);
    println!(
        "\n== {label}: {} files, {:.2} MB, {} iterations per pass, best of {rounds} passes",
        files.len(),
        mb,
        n
    );
    let rate = |s: f64| mb * n as f64 / s;
    let [o, owned, r, f] = best_of(rounds, files, n);
    for (name, p) in [("ours", o), ("ours owned", owned), ("rustyfit", r), ("fitparser", f)] {
        println!(
            "{:<11} {:8.1} MB/s  ({:.1} ms per pass)  [{} messages, {} files failed]",
            format!("{name}:"),
            rate(p.secs),
            p.secs * 1000.0 / n as f64,
            p.messages,
            p.failed
        );
    }
    println!(
        "ratio ours/rustyfit: {:.2}x   ours/fitparser: {:.2}x   ours owned/rustyfit: {:.2}x",
        r.secs / o.secs,
        f.secs / o.secs,
        r.secs / owned.secs
    );
    match fitdecode_secs(files, n) {
        Ok((p, pc)) => {
            println!(
                "fitdecode:  {:8.1} MB/s  ({:.1} ms per pass)  [{} data messages]",
                rate(p),
                p * 1000.0 / n as f64,
                pc
            );
            println!("ratio ours/fitdecode: {:.2}x", p / o.secs);
        }
        Err(e) => {
            println!(
                "fitdecode:  not run ({e}); install it with `pip install fitdecode` and set PHR_BENCH_PYTHON"
            );
        }
    }
}

/// `PHR_BENCH_PER_FILE=1`: where the corpus time goes, the files that take the most of
/// our time first, with the ratio on each.
fn per_file(files: &[(PathBuf, Vec<u8>)], n: usize) {
    let mut rows: Vec<(f64, f64, &Path, usize)> = files
        .iter()
        .map(|f| {
            let one = std::slice::from_ref(f);
            (ours(one, n).secs, rustyfit_secs(one, n).secs, f.0.as_path(), f.1.len())
        })
        .collect();
    rows.sort_by(|a, b| b.0.total_cmp(&a.0));
    let total: f64 = rows.iter().map(|r| r.0).sum();
    println!("\n== per file (ours ms per pass, share of our corpus time, ratio ours/rustyfit)");
    for (o, f, p, len) in rows.iter().take(25) {
        let name = p.file_name().map(|n| n.to_string_lossy()).unwrap_or_default();
        println!(
            "{:8.2} ms {:5.1}%  {:6.2}x  {:>9} B  {name}",
            o * 1000.0 / n as f64,
            100.0 * o / total,
            f / o,
            len
        );
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with("--")).collect();
    // An explicit FILE is benchmarked alone; otherwise the corpus's largest file, then the corpus.
    let explicit = args.first().map(PathBuf::from);
    let dir = if explicit.is_some() { None } else { corpus_dir() };
    let largest = explicit
        .or_else(|| dir.as_ref().map(|d| d.join("fit-benchmarks__large.fit")))
        .expect("benchmark file not found; pass a path");
    let n: usize = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(10);
    let data = std::fs::read(&largest).expect("read");

    // Sanity: both Rust decoders see the same file.
    let (msgs, rep) = fit::decode(&data);
    let records = msgs.iter().filter(|m| m.global_num == 20).count();
    let fp = fitparser::from_bytes(&data).expect("fitparser");
    let fp_records = fp.iter().filter(|r| r.kind() == fitparser::profile::MesgNum::Record).count();
    println!(
        "{}: ours {} messages, {} records, clean={} | fitparser {} messages, {} records",
        largest.display(),
        rep.messages,
        records,
        rep.is_clean(),
        fp.len(),
        fp_records
    );
    run("largest file", &[(largest.clone(), data)], n);

    if let Some(d) = dir {
        let mut files: Vec<(PathBuf, Vec<u8>)> = std::fs::read_dir(&d)
            .expect("corpus")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x.eq_ignore_ascii_case("fit")))
            .map(|p| {
                let b = std::fs::read(&p).expect("read");
                (p, b)
            })
            .collect();
        files.sort();
        run("whole FIT corpus (not broken/)", &files, n.div_ceil(2));
        if std::env::var_os("PHR_BENCH_PER_FILE").is_some() {
            per_file(&files, n);
        }
    } else if args.is_empty() {
        println!("SKIP corpus pass: tests/corpus/fit is absent");
    }
}
