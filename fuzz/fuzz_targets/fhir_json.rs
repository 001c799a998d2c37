//! FHIR R4 JSON (a resource or a Bundle) through the whole import plan, without a record.
#![no_main]
use libfuzzer_sys::fuzz_target;
use phr_core::fhir::{plan_reader, FhirImportOptions};

fuzz_target!(|data: &[u8]| {
    let _ = plan_reader(data, &FhirImportOptions::default());
});
