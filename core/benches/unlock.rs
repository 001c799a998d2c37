//! Opening a record on a phone-class budget: from the file on disk to the first screen's
//! model, unlocked with the passphrase (argon2id at the app's settings) and with a platform
//! key (a key store that unwraps at once, as Android Keystore or the iOS Keychain hand back
//! a key without a slow derivation; their own hardware latency is not here).
//!
//! `cargo bench -p phr-core --bench unlock` (env `PHR_BENCH_RUNS`, default 10)
//!
//! The peer is argon2 itself: the derivation alone at the same settings, so the print shows
//! how much of an unlock is the deliberate cost of the passphrase and how much is ours.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)] // a benchmark: it prints what it measured

use chrono::NaiveDate;
use phr_core::app::screens;
use phr_core::crypto::{KdfParams, PassphraseKeyStore, RawKeyStore};
use phr_core::store::DB_FILE;
use phr_core::Record;
use std::time::{Duration, Instant};

fn runs() -> usize {
    std::env::var("PHR_BENCH_RUNS").ok().and_then(|s| s.parse().ok()).unwrap_or(10)
}

fn report(name: &str, mut times: Vec<Duration>) -> Duration {
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let (best, median, worst) = (times[0], times[times.len() / 2], times[times.len() - 1]);
    println!(
        "{name:<44} best {:>7.1} ms  median {:>7.1} ms  worst {:>7.1} ms",
        ms(best),
        ms(median),
        ms(worst)
    );
    median
}

/// Open the record at `path` with `ks`, then build the home screen's model: what a person
/// waits for between unlocking and seeing their record.
fn open_to_home(path: &std::path::Path, ks: &dyn phr_core::crypto::KeyStore) -> Duration {
    let t0 = Instant::now();
    let r = Record::open(path, ks).unwrap();
    let home = screens::home(&r).unwrap();
    let elapsed = t0.elapsed();
    assert!(home.sections.iter().any(|s| s.count > 0), "the demo record's home screen is empty");
    elapsed
}

fn main() {
    let n = runs();
    let today = NaiveDate::from_ymd_opt(2026, 4, 12).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let passphrase = "correct horse battery staple";

    let with_pass = dir.path().join("pass").join(DB_FILE);
    std::fs::create_dir_all(with_pass.parent().unwrap()).unwrap();
    let pks = PassphraseKeyStore::new(passphrase).unwrap();
    phr_core::demo::fill(&Record::create(&with_pass, &pks).unwrap(), today).unwrap();

    let with_key = dir.path().join("key").join(DB_FILE);
    std::fs::create_dir_all(with_key.parent().unwrap()).unwrap();
    let rks = RawKeyStore::new([7; 32]);
    phr_core::demo::fill(&Record::create(&with_key, &rks).unwrap(), today).unwrap();

    let p = KdfParams::default();
    println!(
        "argon2id settings: {} MiB, {} passes, {} lane(s); {n} runs each, demo record",
        p.m_kib / 1024,
        p.t,
        p.p
    );
    let kdf = report(
        "argon2id derivation alone (the peer)",
        (0..n)
            .map(|_| {
                let t0 = Instant::now();
                let params = argon2::Params::new(p.m_kib, p.t, p.p, Some(32)).unwrap();
                let mut out = [0u8; 32];
                argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params)
                    .hash_password_into(passphrase.as_bytes(), &[9; 16], &mut out)
                    .unwrap();
                t0.elapsed()
            })
            .collect(),
    );
    let pass =
        report("passphrase: open + home screen", (0..n).map(|_| open_to_home(&with_pass, &pks)).collect());
    let key =
        report("platform key: open + home screen", (0..n).map(|_| open_to_home(&with_key, &rks)).collect());
    println!(
        "passphrase unlock = {:.2}x the derivation alone; platform-key unlock {:.1} ms (goal < 50 ms)",
        pass.as_secs_f64() / kdf.as_secs_f64(),
        key.as_secs_f64() * 1000.0
    );
}
