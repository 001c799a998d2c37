//! CSV exports (Withings, Omron, HRV apps), layout detected from the header.
#![no_main]
use libfuzzer_sys::fuzz_target;
use phr_core::import::csv;

fuzz_target!(|data: &[u8]| {
    let _ = csv::parse(data, None, 0);
    let _ = csv::parse(data, None, 60);
});
