//! FHIR R4 XML: the XML -> JSON conversion, then the import plan.
#![no_main]
use libfuzzer_sys::fuzz_target;
use phr_core::fhir::{plan_reader, xml, FhirImportOptions};

fuzz_target!(|data: &[u8]| {
    let _ = xml::to_json(data);
    if xml::looks_like_fhir_xml(data) {
        let _ = plan_reader(data, &FhirImportOptions::default());
    }
});
