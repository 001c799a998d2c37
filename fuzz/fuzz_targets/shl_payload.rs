//! SMART Health Links: the `shlink:/` payload, and JWE compact decryption with its key.
#![no_main]
use libfuzzer_sys::fuzz_target;
use phr_core::share::{jwe, link::ShlPayload};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(p) = ShlPayload::parse(text) {
        let _ = p.to_uri();
        if let Ok(key) = p.key_bytes() {
            let _ = jwe::decrypt(&key, text);
        }
    }
    let _ = jwe::decrypt(&[7u8; 32], text);
});
