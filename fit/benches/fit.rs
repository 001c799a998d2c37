//! `cargo bench -p fitstream --bench fit [-- FILE [N]]`
//!
//! Decodes the same bytes N times with our decoder, the `fitparser` crate and Python's
//! `fitdecode` (PyPI), in the same run, on the corpus's largest file and on the whole FIT
//! corpus (or on FILE alone, when given), and prints MB/s for each and the ratios.
//! fitdecode runs in the interpreter named by `PHR_BENCH_PYTHON` (default `python3`;
//! `pip install fitdecode`); when it is missing that column says so and the rest still runs.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout, clippy::print_stderr)] // a benchmark: it prints what it measured and stops at the first failure
use std::path::{Path, PathBuf};
use std::time::Instant;

use fitstream as fit;

fn corpus_dir() -> Option<PathBuf> {
    phr_testkit::corpus_subdir("fit")
}

/// Seconds for N decodes of every file with our decoder (streaming: messages dropped one by one).
fn ours(files: &[(PathBuf, Vec<u8>)], n: usize) -> (f64, usize) {
    let t = Instant::now();
    let mut count = 0usize;
    for _ in 0..n {
        for (_, data) in files {
            fit::decode_with(data, fit::DecodeOptions::default(), |m| count += m.fields.len());
        }
    }
    (t.elapsed().as_secs_f64(), count)
}

fn fitparser_secs(files: &[(PathBuf, Vec<u8>)], n: usize) -> (f64, usize) {
    let t = Instant::now();
    let mut count = 0usize;
    for _ in 0..n {
        for (_, data) in files {
            count += fitparser::from_bytes(data).map_or(0, |v| v.len());
        }
    }
    (t.elapsed().as_secs_f64(), count)
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

fn run(label: &str, files: &[(PathBuf, Vec<u8>)], n: usize) {
    let mb = files.iter().map(|(_, d)| d.len()).sum::<usize>() as f64 / 1e6;
    println!("\n== {label}: {} files, {:.2} MB, {} iterations each", files.len(), mb, n);
    let rate = |s: f64| mb * n as f64 / s;
    let (o, oc) = ours(files, n);
    let (f, fc) = fitparser_secs(files, n);
    println!("ours:       {:8.1} MB/s  ({:.1} ms per pass)  [{} fields]", rate(o), o * 1000.0 / n as f64, oc);
    println!(
        "fitparser:  {:8.1} MB/s  ({:.1} ms per pass)  [{} messages]",
        rate(f),
        f * 1000.0 / n as f64,
        fc
    );
    match fitdecode_secs(files, n) {
        Ok((p, pc)) => {
            println!(
                "fitdecode:  {:8.1} MB/s  ({:.1} ms per pass)  [{} data messages]",
                rate(p),
                p * 1000.0 / n as f64,
                pc
            );
            println!("ratio ours/fitparser: {:.2}x   ours/fitdecode: {:.2}x", f / o, p / o);
        }
        Err(e) => {
            println!(
                "fitdecode:  not run ({e}); install it with `pip install fitdecode` and set PHR_BENCH_PYTHON"
            );
            println!("ratio ours/fitparser: {:.2}x", f / o);
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
            (ours(one, n).0, fitparser_secs(one, n).0, f.0.as_path(), f.1.len())
        })
        .collect();
    rows.sort_by(|a, b| b.0.total_cmp(&a.0));
    let total: f64 = rows.iter().map(|r| r.0).sum();
    println!("\n== per file (ours ms per pass, share of our corpus time, ratio ours/fitparser)");
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
