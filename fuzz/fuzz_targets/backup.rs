//! Backup files: `Record::restore` reads the header, key wraps and sealed segments of any
//! file and must fail cleanly (the fuzzer cannot forge the AES-GCM tags, so this covers
//! framing, lengths and the header JSON).
#![no_main]
use libfuzzer_sys::fuzz_target;
use phr_core::crypto::RawKeyStore;
use phr_core::Record;

fuzz_target!(|data: &[u8]| {
    let Ok(dir) = tempfile::tempdir() else { return };
    let file = dir.path().join("fuzz.phrbackup");
    if std::fs::write(&file, data).is_err() {
        return;
    }
    let _ = Record::restore(&file, &dir.path().join("home"), &RawKeyStore::new([3; 32]));
});
