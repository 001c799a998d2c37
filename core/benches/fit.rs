//! `cargo run --release --example bench [-- FILE [N]]`
//! Decodes the same file N times with our decoder and with the `fitparser` crate, in the same
//! run, and prints MB/s for each and the ratio.
use std::time::Instant;

use phr_core::import::fit;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let default = ["../../shared/corpus/fit/fit-benchmarks__large.fit", "/work/shared/corpus/fit/fit-benchmarks__large.fit"]
        .iter()
        .map(|p| {
            let p = std::path::Path::new(p);
            if p.is_relative() { std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(p) } else { p.to_path_buf() }
        })
        .find(|p| p.is_file());
    let path = args.get(1).map(std::path::PathBuf::from).or(default).expect("benchmark file not found; pass a path");
    let n: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(10);
    let data = std::fs::read(&path).expect("read");
    let mb = data.len() as f64 / 1e6;
    println!("file: {} ({:.2} MB), {} iterations each", path.display(), mb, n);

    // warm-up + sanity
    let (msgs, rep) = fit::decode(&data);
    let records = msgs.iter().filter(|m| m.global_num == 20).count();
    let fp = fitparser::from_bytes(&data).expect("fitparser");
    let fp_records = fp.iter().filter(|r| r.kind() == fitparser::profile::MesgNum::Record).count();
    println!("ours: {} messages, {} records, clean={} | fitparser: {} messages, {} records", rep.messages, records, rep.is_clean(), fp.len(), fp_records);

    let t = Instant::now();
    let mut count = 0usize;
    for _ in 0..n {
        // streaming: messages are dropped one by one
        let rep = fit::decode_with(&data, fit::DecodeOptions::default(), |m| {
            count += m.fields.len();
            drop(m)
        });
        assert!(rep.is_clean());
    }
    let ours = t.elapsed().as_secs_f64();

    let t = Instant::now();
    let mut count2 = 0usize;
    for _ in 0..n {
        let v = fitparser::from_bytes(&data).expect("fitparser");
        count2 += v.len();
    }
    let theirs = t.elapsed().as_secs_f64();

    let ours_mbs = mb * n as f64 / ours;
    let theirs_mbs = mb * n as f64 / theirs;
    println!("ours:      {:8.1} MB/s  ({:.1} ms/file)  [{} fields]", ours_mbs, ours * 1000.0 / n as f64, count);
    println!("fitparser: {:8.1} MB/s  ({:.1} ms/file)  [{} messages]", theirs_mbs, theirs * 1000.0 / n as f64, count2);
    println!("ratio ours/fitparser: {:.2}x", ours_mbs / theirs_mbs);
}
