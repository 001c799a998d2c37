//! Issue 18: no input file makes `phr import` hold more than 256 MB. Zip bombs (a 1 GiB
//! entry packed into about 1 MB, as a file to read whole and as an Apple Health export to
//! stream) are imported by the real binary while its peak resident memory (`VmHWM` in
//! `/proc/<pid>/status`) is watched.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout, clippy::print_stderr)] // test code: a failed unwrap is a failed test, and it prints what it measured

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const PASS: &str = "a test passphrase for the cli";
const LIMIT_KB: u64 = 256 * 1024;

fn vm_hwm_kb(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Runs `phr` and returns (exit code, stdout, the highest VmHWM seen). VmHWM only grows, so
/// polling it every few ms misses at most the last few ms of the process.
fn phr_measured(home: &Path, args: &[&str]) -> (i32, String, u64) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_phr"))
        .arg("--home")
        .arg(home)
        .args(args)
        .env("PHR_PASSPHRASE", PASS)
        .env_remove("PHR_HOME")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    let start = Instant::now();
    let mut peak = 0;
    loop {
        if let Some(kb) = vm_hwm_kb(pid) {
            peak = peak.max(kb);
        }
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if start.elapsed() > Duration::from_secs(120) {
            child.kill().unwrap();
            panic!("phr {args:?} ran for 2 minutes (peak {peak} kB)");
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    let out = child.wait_with_output().unwrap();
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into_owned(), peak)
}

fn bomb(path: &Path, entry: &str, head: &[u8], fill: u8, bytes: u64) {
    let mut z = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .compression_level(Some(1))
        .large_file(true);
    z.start_file(entry, opts).unwrap();
    z.write_all(head).unwrap();
    let block = vec![fill; 1 << 20];
    for _ in 0..bytes >> 20 {
        z.write_all(&block).unwrap();
    }
    z.finish().unwrap();
}

#[test]
fn zip_bombs_stay_under_256_mb() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    let init = Command::new(env!("CARGO_BIN_EXE_phr"))
        .arg("--home")
        .arg(&home)
        .arg("init")
        .env("PHR_PASSPHRASE", PASS)
        .output()
        .unwrap();
    assert!(init.status.success(), "{}", String::from_utf8_lossy(&init.stderr));
    let before = std::fs::read(home.join("record.phr")).unwrap();

    let fit = dir.path().join("garmin.zip");
    bomb(&fit, "activity.fit", b"", 0, 1 << 30);
    let apple = dir.path().join("export.zip");
    bomb(&apple, "apple_health_export/export.xml", b"<?xml version=\"1.0\"?><HealthData>", b' ', 1 << 30);
    for (zip, entry) in [(&fit, "garmin.zip!activity.fit"), (&apple, "export.zip")] {
        assert!(std::fs::metadata(zip).unwrap().len() < 8 << 20, "packed small");
        let (code, out, peak_kb) = phr_measured(&home, &["import", "--json", zip.to_str().unwrap()]);
        println!("{entry}: exit {code}, peak {} MB", peak_kb / 1024);
        assert_eq!(code, 1, "nothing imported: {out}");
        let report: serde_json::Value = serde_json::from_str(&out).unwrap();
        let file = &report["files"][0];
        assert!(file["path"].as_str().unwrap().ends_with(entry), "{file}");
        assert_eq!(file["status"], "failed", "{file}");
        assert!(peak_kb > 0 && peak_kb < LIMIT_KB, "{entry}: peak {peak_kb} kB");
    }
    assert_eq!(std::fs::read(home.join("record.phr")).unwrap().len(), before.len(), "the record is intact");
}
