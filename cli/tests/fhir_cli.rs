//! `phr import FILE.json` (FHIR), `phr fhir import`, `phr export --ips` / `--fhir --sections`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout, clippy::print_stderr)] // test code: a failed unwrap is a failed test, and it prints what it measured

mod common;
use common::*;
use std::process::Output;

fn ok(o: &Output) -> String {
    assert!(
        o.status.success(),
        "stdout: {}\nstderr: {}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

const BUNDLE: &str = r#"{"resourceType":"Bundle","type":"collection","entry":[
 {"fullUrl":"https://gp.example/fhir/Patient/p1","resource":{"resourceType":"Patient","id":"p1","identifier":[{"system":"https://fhir.nhs.uk/Id/nhs-number","value":"9434765919"}],"name":[{"family":"Leeds","given":["Alex"]}],"birthDate":"1970-03-04"}},
 {"fullUrl":"https://gp.example/fhir/MedicationStatement/s1","resource":{"resourceType":"MedicationStatement","id":"s1","status":"active","medicationCodeableConcept":{"coding":[{"system":"http://snomed.info/sct","code":"386872004","display":"Ramipril"}]},"subject":{"reference":"Patient/p1"},"dosage":[{"text":"5 mg"}]}},
 {"fullUrl":"https://gp.example/fhir/AllergyIntolerance/a1","resource":{"resourceType":"AllergyIntolerance","id":"a1","code":{"text":"Penicillin"},"patient":{"reference":"Patient/p1"}}}
]}"#;

#[test]
fn fhir_import_export_round_trip_on_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    ok(&phr(&home, &["init"]));
    let file = dir.path().join("gp.json");
    std::fs::write(&file, BUNDLE).unwrap();
    // `phr import` routes FHIR JSON to the FHIR importer.
    let out = ok(&phr(&home, &["import", file.to_str().unwrap()]));
    assert!(out.contains("2 added") || out.contains("3 added"), "{out}");
    let out = ok(&phr(&home, &["--json", "import", file.to_str().unwrap()]));
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["outcome"]["added"], 0, "re-import adds nothing");
    // A medication the owner typed that differs is shown as a conflict.
    ok(&phr(&home, &["add", "medications", "name=Ramipril", "dose=10 mg"]));
    let out = ok(&phr(&home, &["fhir", "import", file.to_str().unwrap()]));
    assert!(out.contains("CONFLICT") && out.contains("10 mg"), "{out}");
    // Someone else's record is refused.
    let other = dir.path().join("other.json");
    std::fs::write(&other, BUNDLE.replace("9434765919", "4010232137")).unwrap();
    let o = phr(&home, &["import", other.to_str().unwrap()]);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("different person"));
    // Exports.
    let ips: serde_json::Value = serde_json::from_str(&ok(&phr(&home, &["export", "--ips"]))).unwrap();
    assert_eq!(ips["type"], "document");
    assert_eq!(ips["entry"][0]["resource"]["resourceType"], "Composition");
    let b: serde_json::Value =
        serde_json::from_str(&ok(&phr(&home, &["export", "--fhir", "--sections", "medications,allergies"])))
            .unwrap();
    assert_eq!(b["type"], "collection");
    let types: Vec<&str> = b["entry"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["resource"]["resourceType"].as_str().unwrap())
        .collect();
    assert!(types.contains(&"MedicationStatement") && types.contains(&"AllergyIntolerance"), "{types:?}");
    let o = phr(&home, &["export", "--fhir", "--sections", "stress"]);
    assert!(!o.status.success(), "sections FHIR cannot carry are refused");
}
