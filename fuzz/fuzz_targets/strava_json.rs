//! Strava activity JSON (API v3 answers and account-export files).
#![no_main]
use libfuzzer_sys::fuzz_target;
use phr_core::import::{derive::DeriveOptions, strava};

fuzz_target!(|data: &[u8]| {
    let _ = strava::parse_json(data, &DeriveOptions::default());
});
