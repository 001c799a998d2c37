//! GPX tracks: any bytes give a parse or a `Problem`, never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;
use phr_core::import::{derive::DeriveOptions, gpx};

fuzz_target!(|data: &[u8]| {
    let _ = gpx::parse(data, "fuzz", &DeriveOptions::default());
});
