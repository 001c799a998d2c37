//! Benchmark: import of a large Synthea-style bundle (entries per second).
//! Run: cargo test --release -p phr-core --test fhir_bench -- --ignored --nocapture
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout, clippy::print_stderr)] // test code: a failed unwrap is a failed test, and it prints what it measured

use phr_core::crypto::RawKeyStore;
use phr_core::fhir::{self, FhirImportOptions};
use phr_core::store::DB_FILE;
use phr_core::Record;

/// 50,000 Observations (vital signs and labs with reference ranges), 1,000 Conditions,
/// 1,000 MedicationRequests with referenced Medications, 1,000 Encounters, one Patient.
fn synthea_like(observations: usize) -> Vec<u8> {
    let mut s = String::from(r#"{"resourceType":"Bundle","type":"transaction","entry":["#);
    s.push_str(r#"{"fullUrl":"urn:uuid:p","resource":{"resourceType":"Patient","id":"p","identifier":[{"system":"https://fhir.nhs.uk/Id/nhs-number","value":"9434765919"}],"name":[{"family":"Bench","given":["Alex"]}],"birthDate":"1970-01-01"},"request":{"method":"POST","url":"Patient"}}"#);
    let day = |i: usize| format!("20{:02}-{:02}-{:02}", 10 + (i / 336) % 15, 1 + (i / 28) % 12, 1 + i % 28);
    for i in 0..observations {
        let body = match i % 5 {
            0 => format!(
                r#""code":{{"coding":[{{"system":"http://loinc.org","code":"29463-7","display":"Body weight"}}]}},"valueQuantity":{{"value":{},"unit":"kg","code":"kg"}}"#,
                70 + i % 20
            ),
            1 => format!(
                r#""code":{{"coding":[{{"system":"http://loinc.org","code":"85354-9"}}]}},"component":[{{"code":{{"coding":[{{"system":"http://loinc.org","code":"8480-6"}}]}},"valueQuantity":{{"value":{},"code":"mm[Hg]"}}}},{{"code":{{"coding":[{{"system":"http://loinc.org","code":"8462-4"}}]}},"valueQuantity":{{"value":{},"code":"mm[Hg]"}}}}]"#,
                110 + i % 40,
                70 + i % 20
            ),
            2 => format!(
                r#""code":{{"coding":[{{"system":"http://loinc.org","code":"8867-4"}}]}},"valueQuantity":{{"value":{},"code":"/min"}}"#,
                55 + i % 40
            ),
            _ => format!(
                r#""code":{{"coding":[{{"system":"http://loinc.org","code":"718-7","display":"Hemoglobin"}}]}},"valueQuantity":{{"value":{}.{},"unit":"g/dL"}},"referenceRange":[{{"low":{{"value":12}},"high":{{"value":16}}}}],"interpretation":[{{"text":"normal"}}]"#,
                12 + i % 4,
                i % 10
            ),
        };
        s.push_str(&format!(r#",{{"fullUrl":"urn:uuid:o{i}","resource":{{"resourceType":"Observation","id":"o{i}","status":"final","category":[{{"text":"lab"}}],"subject":{{"reference":"urn:uuid:p"}},"effectiveDateTime":"{}T{:02}:{:02}:00Z",{body}}}}}"#, day(i), i % 24, (i / 24) % 60));
    }
    for i in 0..1000 {
        s.push_str(&format!(r#",{{"fullUrl":"urn:uuid:c{i}","resource":{{"resourceType":"Condition","id":"c{i}","clinicalStatus":{{"coding":[{{"code":"active"}}]}},"code":{{"coding":[{{"system":"http://snomed.info/sct","code":"{}","display":"Condition {i}"}}]}},"subject":{{"reference":"urn:uuid:p"}},"onsetDateTime":"{}"}}}}"#, 1000 + i, day(i)));
        s.push_str(&format!(r#",{{"fullUrl":"urn:uuid:m{i}","resource":{{"resourceType":"Medication","id":"m{i}","code":{{"coding":[{{"system":"http://www.nlm.nih.gov/research/umls/rxnorm","code":"{}","display":"Medicine {i}"}}]}}}}}}"#, 2000 + i));
        s.push_str(&format!(r#",{{"fullUrl":"urn:uuid:r{i}","resource":{{"resourceType":"MedicationRequest","id":"r{i}","status":"active","intent":"order","medicationReference":{{"reference":"urn:uuid:m{i}"}},"subject":{{"reference":"urn:uuid:p"}},"authoredOn":"{}","dosageInstruction":[{{"text":"one daily"}}]}}}}"#, day(i)));
        s.push_str(&format!(r#",{{"fullUrl":"urn:uuid:e{i}","resource":{{"resourceType":"Encounter","id":"e{i}","status":"finished","class":{{"code":"AMB"}},"type":[{{"text":"General examination"}}],"subject":{{"reference":"urn:uuid:p"}},"period":{{"start":"{}T10:00:00Z"}}}}}}"#, day(i)));
    }
    s.push_str("]}");
    s.into_bytes()
}

#[test]
#[ignore = "benchmark: run with --release -- --ignored --nocapture"]
fn import_large_synthea_style_bundle() {
    let bytes = synthea_like(50_000);
    let dir = tempfile::tempdir().unwrap();
    let r = Record::create(&dir.path().join(DB_FILE), &RawKeyStore::new([1; 32])).unwrap();
    let t = std::time::Instant::now();
    let rep = fhir::import_bytes(&r, &bytes, &FhirImportOptions::default()).unwrap();
    let first = t.elapsed().as_secs_f64();
    let n: u64 = rep.resources.values().sum::<u64>() - 1;
    let t = std::time::Instant::now();
    let again = fhir::import_bytes(&r, &bytes, &FhirImportOptions::default()).unwrap();
    let second = t.elapsed().as_secs_f64();
    assert_eq!(again.outcome.added, 0);
    println!(
        "FHIR import: {} MB bundle, {n} entries ({} entries added, {} samples added, {} kept raw): first import {first:.2} s = {:.0} entries/s; re-import (all unchanged) {second:.2} s = {:.0} entries/s",
        bytes.len() / 1_000_000,
        rep.outcome.added,
        rep.outcome.samples.added,
        rep.kept_raw,
        n as f64 / first,
        n as f64 / second
    );
}
