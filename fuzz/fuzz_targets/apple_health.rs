//! Apple Health `export.xml` (streamed, with the DTD repair and the input limits) and
//! `export.zip`: any bytes give a parse or a `Problem`, never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;
use phr_core::import::{apple_health, derive::DeriveOptions};

fuzz_target!(|data: &[u8]| {
    let opts = DeriveOptions::default();
    let _ = apple_health::parse_reader(data, &opts);
    if data.starts_with(b"PK") {
        let _ = apple_health::parse_zip(std::io::Cursor::new(data), &opts);
    }
});
