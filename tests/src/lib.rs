//! Shared helpers for the cross-crate tests.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout, clippy::print_stderr)] // test code: a failed unwrap is a failed test, and it prints what it measured

use phr_core::crypto::RawKeyStore;

/// The key the crash writer and tests use (a stand-in for a phone's keystore).
pub fn test_keystore() -> RawKeyStore {
    RawKeyStore::new([42; 32])
}

pub const DAY_MS: i64 = 86_400_000;
/// 2026-01-01T00:00:00Z
pub const T0: i64 = 1_767_225_600_000;
pub const PER_KIND: usize = 100;

/// The time span batch `b` of the crash writer covers: 100 s either side of a midnight,
/// so every batch writes four chunk rows (two kinds x two days) in one transaction.
pub fn batch_span(b: u64) -> (i64, i64) {
    let start = T0 + b as i64 * DAY_MS - 50_000;
    (start, start + PER_KIND as i64 * 1000)
}
