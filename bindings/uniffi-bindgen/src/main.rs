//! `cargo run -p uniffi-bindgen -- generate --library target/debug/libphr_ffi.so --language kotlin --out-dir ...`
//! The same uniffi version as phr-ffi, so generated code always matches the scaffolding.
fn main() {
    uniffi::uniffi_bindgen_main()
}
