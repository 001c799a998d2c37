//! FHIR import: the shared corpus (counts per resource type against MANIFEST.tsv),
//! reconciliation (re-import, updates, retirement, linking, conflicts), identity guard,
//! bad input (store unchanged), IPS/Bundle export validated by python fhir.resources and
//! re-imported.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout, clippy::print_stderr)] // test code: a failed unwrap is a failed test, and it prints what it measured

use phr_core::crypto::RawKeyStore;
use phr_core::fhir::{self, FhirImportOptions};
use phr_core::record::{EntryValue, Provenance, SampleKind};
use phr_core::store::{ListOptions, DB_FILE, RESULTS_SECTION};
use phr_core::Record;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::path::PathBuf;

fn new_record() -> (tempfile::TempDir, Record) {
    let dir = tempfile::tempdir().unwrap();
    let r = Record::create(&dir.path().join(DB_FILE), &RawKeyStore::new([9; 32])).unwrap();
    (dir, r)
}

fn corpus() -> Option<PathBuf> {
    phr_testkit::corpus_subdir("fhir")
}

/// Everything the owner can see or that a source left, for "store unchanged" checks.
fn snapshot(r: &Record) -> String {
    let mut e = r.export().unwrap();
    e.exported_at = chrono::DateTime::UNIX_EPOCH;
    let mut v = serde_json::to_value(&e).unwrap();
    v["exported_at"] = Value::Null;
    format!("{v}|{:?}|{:?}", r.source_systems().unwrap(), r.source_links().unwrap())
}

fn all_values(r: &Record, section: &str) -> Vec<EntryValue> {
    match r.list_entries(section, ListOptions::default()) {
        Err(phr_core::Error::NotFound { .. }) => vec![], // the test-results section appears with the first result
        other => other.unwrap().into_iter().map(|e| e.value).collect(),
    }
}

#[test]
fn every_corpus_file_imports_and_counts_match_the_manifest() {
    let Some(dir) = corpus() else { return };
    let manifest = std::fs::read_to_string(dir.join("MANIFEST.tsv")).unwrap();
    let (mut files, mut matched, mut resources) = (0, 0, 0u64);
    let mut failures = Vec::new();
    for line in manifest.lines().skip(1) {
        let cols: Vec<&str> = line.split('\t').collect();
        let (name, types) = (cols[0], cols[6]);
        if !name.ends_with(".json") || types.starts_with("n/a") {
            continue;
        }
        files += 1;
        let expected: BTreeMap<String, u64> = types
            .split(';')
            .map(|kv| kv.split_once(':').unwrap())
            .map(|(k, v)| (k.to_string(), v.parse().unwrap()))
            .collect();
        let (_d, r) = new_record();
        match fhir::import_path(&r, &dir.join(name), &FhirImportOptions::default()) {
            Ok(rep) => {
                if rep.resources == expected {
                    matched += 1;
                    resources += expected.values().sum::<u64>();
                } else {
                    failures.push(format!("{name}: counted {:?}, manifest {:?}", rep.resources, expected));
                }
                // Importing the same file again adds nothing.
                let again = fhir::import_path(&r, &dir.join(name), &FhirImportOptions::default()).unwrap();
                assert_eq!(
                    (again.outcome.added, again.outcome.updated, again.outcome.samples.added),
                    (0, 0, 0),
                    "{name} re-import"
                );
            }
            Err(e) => failures.push(format!("{name}: {e}")),
        }
    }
    println!("FHIR corpus: {matched}/{files} files imported with counts matching MANIFEST.tsv ({resources} resources)");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(files > 200);
}

#[test]
fn uk_core_examples_map_to_the_right_sections() {
    let Some(dir) = corpus() else { return };
    let (_d, r) = new_record();
    let opts =
        FhirImportOptions { system: Some("https://gp.example.nhs.uk/fhir".into()), ..Default::default() };
    for f in [
        "Patient-RichardSmith",
        "RelatedPerson-JoySmith",
        "AllergyIntolerance-Amoxicillin",
        "MedicationStatement-Amoxicillin",
        "Observation-VitalSigns-BloodPressure",
        "Observation-VitalSigns-BodyWeight",
        "Observation-Lab-RedCellCount",
        "Immunization-InfluenzaVaccine",
        "Procedure-ExaminationOfSkin",
        "Condition-BleedingFromEar",
    ] {
        fhir::import_path(&r, &dir.join(format!("ukcore__UKCore-{f}-Example.json")), &opts)
            .unwrap_or_else(|e| panic!("{f}: {e}"));
    }
    let ident = all_values(&r, "identity");
    assert!(
        matches!(&ident[0], EntryValue::Identity { nhs_number: Some(n), .. } if n.digits() == "9912003888"),
        "{ident:?}"
    );
    assert!(
        matches!(&all_values(&r, "contacts")[0], EntryValue::Contact { relationship, .. } if relationship == "wife")
    );
    let allergies = all_values(&r, "allergies");
    assert!(
        matches!(&allergies[0], EntryValue::Allergy { code: Some(c), .. } if c.system == "http://snomed.info/sct")
    );
    assert_eq!(all_values(&r, "medications").len(), 1);
    assert_eq!(r.samples(SampleKind::BloodPressureSystolic, i64::MIN, i64::MAX).unwrap()[0].value, 142.0);
    assert_eq!(r.samples(SampleKind::Weight, i64::MIN, i64::MAX).unwrap().len(), 1);
    let results = r.list_entries(RESULTS_SECTION, ListOptions::default()).unwrap();
    assert!(results.iter().any(|e| matches!(&e.value, EntryValue::Custom { fields } if fields.contains_key("low") || fields.contains_key("high"))), "lab result with range");
    // Read-only to the owner; provenance names the system and the resource.
    let med = &r.list_entries("medications", ListOptions::default()).unwrap()[0];
    assert!(
        matches!(&med.provenance, Provenance::MedicalRecord { system, resource_id } if system == "https://gp.example.nhs.uk/fhir" && resource_id.starts_with("MedicationStatement/"))
    );
    assert!(r.edit_entry(&med.id, med.value.clone()).is_err());
    // Extensions are kept, not dropped.
    let raw = r.source_raw_resources("https://gp.example.nhs.uk/fhir").unwrap();
    assert!(raw
        .iter()
        .any(|(id, j)| id.starts_with("RelatedPerson/") && j.contains("CopyCorrespondenceIndicator")));
}

fn gp_bundle(dose: &str, with_condition: bool, extra_allergy: bool) -> Vec<u8> {
    let mut entries = vec![
        json!({"fullUrl":"https://gp.example/fhir/Patient/p1","resource":{"resourceType":"Patient","id":"p1","identifier":[{"system":"https://fhir.nhs.uk/Id/nhs-number","value":"9434765919"}],"name":[{"family":"Leeds","given":["Alex"]}],"birthDate":"1970-03-04"}}),
        json!({"fullUrl":"https://gp.example/fhir/Medication/m1","resource":{"resourceType":"Medication","id":"m1","code":{"coding":[{"system":"https://dmd.nhs.uk","code":"318906001","display":"Ramipril 5mg capsules"}]}}}),
        json!({"fullUrl":"https://gp.example/fhir/MedicationStatement/s1","resource":{"resourceType":"MedicationStatement","id":"s1","status":"active","medicationReference":{"reference":"Medication/m1"},"subject":{"reference":"Patient/p1"},"dosage":[{"text":"one daily","doseAndRate":[{"doseQuantity":{"value":dose.parse::<f64>().unwrap(),"unit":"mg"}}]}]}}),
        json!({"fullUrl":"https://gp.example/fhir/Observation/o1","resource":{"resourceType":"Observation","id":"o1","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"85354-9"}]},"effectiveDateTime":"2025-06-01T09:30:00Z","component":[{"code":{"coding":[{"system":"http://loinc.org","code":"8480-6"}]},"valueQuantity":{"value":138,"code":"mm[Hg]"}},{"code":{"coding":[{"system":"http://loinc.org","code":"8462-4"}]},"valueQuantity":{"value":86,"code":"mm[Hg]"}}]}}),
    ];
    if with_condition {
        entries.push(json!({"fullUrl":"https://gp.example/fhir/Condition/c1","resource":{"resourceType":"Condition","id":"c1","clinicalStatus":{"coding":[{"code":"active"}]},"code":{"coding":[{"system":"http://snomed.info/sct","code":"38341003","display":"Hypertension"}]},"subject":{"reference":"Patient/p1"},"onsetDateTime":"2019-01-01"}}));
    }
    if extra_allergy {
        entries.push(json!({"fullUrl":"https://gp.example/fhir/AllergyIntolerance/a1","resource":{"resourceType":"AllergyIntolerance","id":"a1","code":{"coding":[{"system":"http://snomed.info/sct","code":"764146007","display":"Penicillin"}]},"patient":{"reference":"Patient/p1"},"reaction":[{"manifestation":[{"text":"rash"}],"severity":"moderate"}]}}));
    }
    serde_json::to_vec(&json!({"resourceType":"Bundle","type":"searchset","entry":entries})).unwrap()
}

#[test]
fn reimport_updates_adds_retires_without_duplicates() {
    let (_d, r) = new_record();
    let opts = FhirImportOptions { retire_missing: true, ..Default::default() };
    let first = fhir::import_bytes(&r, &gp_bundle("5", true, false), &opts).unwrap();
    assert_eq!(first.system, "https://gp.example/fhir");
    assert_eq!(first.outcome.added, 3, "{first:?}"); // identity, medication, condition
    assert_eq!(first.outcome.samples.added, 2);
    let same = fhir::import_bytes(&r, &gp_bundle("5", true, false), &opts).unwrap();
    assert_eq!(
        (same.outcome.added, same.outcome.updated, same.outcome.retired, same.outcome.samples.added),
        (0, 0, 0, 0)
    );
    // Updated record: dose changed, condition gone, allergy new.
    let upd = fhir::import_bytes(&r, &gp_bundle("10", false, true), &opts).unwrap();
    assert_eq!((upd.outcome.added, upd.outcome.updated, upd.outcome.retired), (1, 1, 1), "{:?}", upd.outcome);
    let meds = r.list_entries("medications", ListOptions::default()).unwrap();
    assert_eq!(meds.len(), 1);
    assert!(matches!(&meds[0].value, EntryValue::Medication { dose: Some(d), .. } if d == "10 mg"));
    assert_eq!(meds[0].history.len(), 1, "the old dose is kept in history");
    assert!(all_values(&r, "conditions").is_empty());
    assert_eq!(
        r.list_entries("conditions", ListOptions { include_deleted: true, include_hidden: true })
            .unwrap()
            .len(),
        1,
        "retired, not purged"
    );
    // It comes back: restored, not duplicated.
    let back = fhir::import_bytes(&r, &gp_bundle("10", true, true), &opts).unwrap();
    assert_eq!(back.outcome.restored, 1);
    assert_eq!(all_values(&r, "conditions").len(), 1);
}

#[test]
fn user_medication_is_linked_and_conflicts_are_shown() {
    let (_d, r) = new_record();
    let user_med = |dose: &str| EntryValue::Medication {
        name: "ramipril".into(),
        dose: Some(dose.into()),
        route: None,
        frequency: None,
        start: None,
        stop: None,
        reason: None,
        code: None,
    };
    let agree = r.add_entry("medications", user_med("5 mg"), Provenance::User).unwrap();
    let rep = fhir::import_bytes(&r, &gp_bundle("5", false, false), &FhirImportOptions::default()).unwrap();
    assert_eq!(rep.outcome.links.len(), 1);
    assert!(rep.outcome.links[0].conflicts.is_empty());
    // Linked, not duplicated: the owner's copy is hidden behind the GP entry, with a note.
    assert_eq!(all_values(&r, "medications").len(), 1);
    let a = r.entry(&agree.id).unwrap();
    assert!(a.hidden && !a.annotations.is_empty());

    let (_d2, r2) = new_record();
    let differ = r2.add_entry("medications", user_med("10 mg"), Provenance::User).unwrap();
    let rep = fhir::import_bytes(&r2, &gp_bundle("5", false, false), &FhirImportOptions::default()).unwrap();
    let c = &rep.outcome.links[0].conflicts;
    assert_eq!(c.len(), 1);
    assert_eq!(
        (c[0].field.as_str(), c[0].yours.as_deref(), c[0].source.as_deref()),
        ("dose", Some("10 mg"), Some("5 mg"))
    );
    let d = r2.entry(&differ.id).unwrap();
    assert!(!d.hidden, "a conflict stays visible");
    assert!(d.annotations[0].text.as_deref().unwrap().contains("10 mg"));
    assert_eq!(d.value, user_med("10 mg"), "never silently resolved");
    assert_eq!(r2.source_links().unwrap().len(), 1);
}

#[test]
fn another_persons_record_is_refused_unless_forced() {
    let (_d, r) = new_record();
    fhir::import_bytes(&r, &gp_bundle("5", false, false), &FhirImportOptions::default()).unwrap();
    let before = snapshot(&r);
    let other = String::from_utf8(gp_bundle("5", true, false))
        .unwrap()
        .replace("9434765919", "4010232137")
        .replace("Patient/p1", "Patient/p2")
        .replace("\"p1\"", "\"p2\"");
    let e = fhir::import_bytes(&r, other.as_bytes(), &FhirImportOptions::default()).unwrap_err().to_string();
    assert!(e.contains("different person") && e.contains("--force"), "{e}");
    assert!(!e.contains("4010232137"), "no personal data in errors");
    assert_eq!(snapshot(&r), before, "store unchanged");
    let forced =
        fhir::import_bytes(&r, other.as_bytes(), &FhirImportOptions { force: true, ..Default::default() })
            .unwrap();
    assert!(forced.outcome.added >= 1);
    assert!(
        matches!(&all_values(&r, "identity")[0], EntryValue::Identity { nhs_number: Some(n), .. } if n.digits() == "9434765919")
    );
}

#[test]
fn bad_input_gives_clear_errors_and_leaves_the_store_unchanged() {
    let (_d, r) = new_record();
    fhir::import_bytes(&r, &gp_bundle("5", true, false), &FhirImportOptions::default()).unwrap();
    let before = snapshot(&r);
    let cases: Vec<(&[u8], &str)> = vec![
        (
            b"{\"resourceType\":\"Bundle\",\n\"entry\":[{\"resource\":{\"resourceType\":\"Patient\",}}]}",
            "line 2",
        ),
        (b"{\"resourceType\":\"Banana\"}", "not a FHIR R4 resource type"),
        (b"{\"hello\":1}", "no resourceType"),
        (b"", "line 1"),
        (b"\xff\xfe garbage", "line 1"),
    ];
    for (input, want) in cases {
        let e = fhir::import_bytes(&r, input, &FhirImportOptions::default()).unwrap_err().to_string();
        assert!(e.contains(want), "{e}");
    }
    assert_eq!(snapshot(&r), before);
    // Broken references: a partial import with a report, not a failure.
    let broken = br#"{"resourceType":"Bundle","type":"collection","entry":[{"resource":{"resourceType":"MedicationRequest","id":"x","medicationReference":{"reference":"Medication/nowhere"}}},{"resource":{"resourceType":"Wibble"}},{"request":{"method":"GET"}}]}"#;
    let rep = fhir::import_bytes(&r, broken, &FhirImportOptions::default()).unwrap();
    assert!(rep.notes.iter().any(|n| n.contains("could not be resolved")), "{:?}", rep.notes);
    assert!(rep.notes.iter().any(|n| n.contains("not a FHIR R4 resource type")));
}

#[test]
fn corpus_mutations_never_panic_and_failures_change_nothing() {
    let Some(dir) = corpus() else { return };
    let (_d, r) = new_record();
    let before = snapshot(&r);
    let mut seed = 0x2545F4914F6CDD1Du64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let files = [
        "ips__Bundle-bundle-ips-all-sections.json",
        "ukcore__UKCore-Patient-RichardSmith-Example.json",
        "synthea-nimbus__Cris921_Rath779_d4519c92-d241-b2b2-7360-291d60be699e.json",
        "ukcore__UKCore-Bundle-NEWS2Observations-Example.json",
    ];
    let (mut ok, mut refused) = (0, 0);
    for f in files {
        let bytes = std::fs::read(dir.join(f)).unwrap();
        for _ in 0..40 {
            let mut m = bytes.clone();
            match next() % 3 {
                0 => m.truncate((next() as usize) % m.len()),
                1 => {
                    for _ in 0..4 {
                        let i = (next() as usize) % m.len();
                        m[i] = (next() % 256) as u8;
                    }
                }
                _ => {
                    let i = (next() as usize) % m.len();
                    let j = (i + (next() as usize) % 200).min(m.len());
                    m.drain(i..j);
                }
            }
            let (_d2, fresh) = new_record();
            match fhir::import_bytes(&fresh, &m, &FhirImportOptions::default()) {
                Ok(_) => ok += 1,
                Err(_) => {
                    refused += 1;
                    assert_eq!(fresh.list_entries("identity", ListOptions::default()).unwrap().len(), 0);
                }
            }
            let _ = fhir::import_bytes(&r, &m, &FhirImportOptions { force: true, ..Default::default() });
        }
    }
    println!("corpus mutations: {ok} imported, {refused} refused with an error, 0 panics");
    assert!(refused > 0);
    let _ = before;
}

#[test]
fn a_bundle_of_100000_entries_imports() {
    let mut s = String::from(r#"{"resourceType":"Bundle","type":"collection","entry":["#);
    for i in 0..100_000 {
        if i > 0 {
            s.push(',');
        }
        s.push_str(&format!(
            r#"{{"fullUrl":"urn:uuid:o{i}","resource":{{"resourceType":"Observation","id":"o{i}","status":"final","code":{{"coding":[{{"system":"http://loinc.org","code":"8867-4"}}]}},"effectiveDateTime":"2024-01-01T00:{:02}:{:02}Z","valueQuantity":{{"value":{},"code":"/min"}}}}}}"#,
            (i / 60) % 60,
            i % 60,
            50 + i % 60
        ));
    }
    s.push_str("]}");
    let (_d, r) = new_record();
    let t = std::time::Instant::now();
    let rep = fhir::import_bytes(&r, s.as_bytes(), &FhirImportOptions::default()).unwrap();
    assert_eq!(rep.resources.get("Observation"), Some(&100_000));
    assert_eq!(rep.sample_resources, 100_000);
    assert!(t.elapsed().as_secs() < 120, "took {:?}", t.elapsed());
}

/// fhir.resources' verdict on an exported bundle (None where it is absent, outside CI).
fn python_validate(bundle: &Value) -> Option<String> {
    phr_testkit::validate_fhir_bundle(&bundle.to_string())
}

#[test]
fn ips_and_bundle_exports_validate_and_reimport_to_the_same_entries() {
    let (_d, r) = new_record();
    fhir::import_bytes(&r, &gp_bundle("5", true, true), &FhirImportOptions::default()).unwrap();
    if let Some(dir) = corpus() {
        {
            let f = "ips__Bundle-bundle-ips-all-sections.json";
            fhir::import_path(&r, &dir.join(f), &FhirImportOptions { force: true, ..Default::default() })
                .unwrap();
        }
    }
    r.add_entry(
        "contacts",
        EntryValue::Contact {
            name: "Sam Leeds".into(),
            relationship: "brother".into(),
            phone: Some("0113 496 0000".into()),
            next_of_kin: true,
            emergency_contact: true,
        },
        Provenance::User,
    )
    .unwrap();
    let ips = fhir::export::ips_bundle(&r, None).unwrap();
    assert_eq!(ips["type"], "document");
    assert_eq!(ips["entry"][0]["resource"]["resourceType"], "Composition");
    if let Some(out) = python_validate(&ips) {
        assert!(out.contains("VALID"), "{out}");
    }
    let sections: Vec<String> = [
        "contacts",
        "allergies",
        "medications",
        "conditions",
        "vaccinations",
        "procedures",
        "test_results",
        "organ_donation",
        "blood_pressure",
        "weight",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let plain = fhir::export::fhir_bundle(&r, &sections).unwrap();
    if let Some(out) = python_validate(&plain) {
        assert!(out.contains("VALID"), "{out}");
    }
    // Re-import to an empty record: the same entries.
    for bundle in [&ips, &plain] {
        let (_d2, r2) = new_record();
        fhir::import_bytes(&r2, bundle.to_string().as_bytes(), &FhirImportOptions::default()).unwrap();
        let check: &[&str] = if bundle["type"] == "document" {
            &[
                "identity",
                "allergies",
                "medications",
                "conditions",
                "vaccinations",
                "procedures",
                RESULTS_SECTION,
            ]
        } else {
            &[
                "contacts",
                "allergies",
                "medications",
                "conditions",
                "vaccinations",
                "procedures",
                RESULTS_SECTION,
            ]
        };
        for s in check {
            let mut a: Vec<String> =
                all_values(&r, s).iter().map(|v| serde_json::to_string(v).unwrap()).collect();
            let mut b: Vec<String> =
                all_values(&r2, s).iter().map(|v| serde_json::to_string(v).unwrap()).collect();
            a.sort();
            b.sort();
            assert_eq!(a, b, "section {s} after re-import of the {} export", bundle["type"]);
        }
    }
    let (_d3, r3) = new_record();
    fhir::import_bytes(&r3, plain.to_string().as_bytes(), &FhirImportOptions::default()).unwrap();
    assert_eq!(
        r3.samples(SampleKind::BloodPressureSystolic, i64::MIN, i64::MAX).unwrap().len(),
        r.samples(SampleKind::BloodPressureSystolic, i64::MIN, i64::MAX).unwrap().len()
    );
}

/// Entry values per section and samples: what an import put in the record, without the
/// ids and times that differ between two imports of the same content.
type SeriesContents = Vec<(String, String, Vec<(i64, i64, f64)>)>;

fn contents(r: &Record) -> (Vec<(String, String)>, SeriesContents) {
    let e = r.export().unwrap();
    let mut entries: Vec<(String, String)> = e
        .sections
        .iter()
        .flat_map(|s| {
            s.entries.iter().map(|x| (s.section.id.clone(), serde_json::to_string(&x.value).unwrap()))
        })
        .collect();
    entries.sort();
    let samples = e.samples.into_iter().map(|s| (s.kind.slug().to_string(), s.source, s.samples)).collect();
    (entries, samples)
}

#[test]
fn xml_corpus_files_import_like_their_json_twins() {
    let Some(dir) = corpus() else { return };
    let manifest = std::fs::read_to_string(dir.join("MANIFEST.tsv")).unwrap();
    let opts =
        FhirImportOptions { system: Some("https://gp.example.nhs.uk/fhir".into()), ..Default::default() };
    let (mut files, mut twins, mut same_tree) = (0, 0, 0);
    for line in manifest.lines().skip(1) {
        let cols: Vec<&str> = line.split('\t').collect();
        let (name, types) = (cols[0], cols[6]);
        if !name.ends_with(".xml") {
            continue;
        }
        files += 1;
        let expected: BTreeMap<String, u64> = types
            .split(';')
            .map(|kv| kv.split_once(':').unwrap())
            .map(|(k, v)| (k.to_string(), v.parse().unwrap()))
            .collect();
        let (_d, r) = new_record();
        let rep = fhir::import_path(&r, &dir.join(name), &opts).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(rep.resources, expected, "{name}");
        assert!(rep.entries + rep.sample_resources > 0, "{name} mapped to nothing: {rep:?}");
        let again = fhir::import_path(&r, &dir.join(name), &opts).unwrap();
        assert_eq!(
            (again.outcome.added, again.outcome.updated, again.outcome.samples.added),
            (0, 0, 0),
            "{name} re-import"
        );
        let twin = dir.join(name.replace("ukcore-nhsd__", "ukcore__").replace(".xml", ".json"));
        if !twin.is_file() {
            println!("{name}: no JSON twin; checked against the manifest only");
            continue;
        }
        twins += 1;
        let (_d2, rj) = new_record();
        fhir::import_path(&rj, &twin, &opts).unwrap();
        assert_eq!(contents(&r), contents(&rj), "{name} and its JSON twin give different entries");
        // The converted tree itself equals the JSON twin; the JSON copies were published
        // without the narrative, so that alone is left out of the comparison.
        let mut from_xml =
            fhir::xml::to_json(std::io::BufReader::new(std::fs::File::open(dir.join(name)).unwrap()))
                .unwrap();
        let from_json: Value = serde_json::from_slice(&std::fs::read(&twin).unwrap()).unwrap();
        if from_json.get("text").is_none() {
            assert!(
                from_xml["text"]["div"]
                    .as_str()
                    .is_some_and(|d| d.starts_with("<div xmlns=\"http://www.w3.org/1999/xhtml\">")),
                "{name}"
            );
            from_xml.as_object_mut().unwrap().remove("text");
        }
        assert_eq!(from_xml, from_json, "{name}: the XML does not convert to its JSON twin");
        same_tree += 1;
    }
    println!("FHIR XML: {files} files imported, {twins} gave the same entries as their JSON twin, {same_tree} converted to the identical JSON tree");
    assert!(files >= 4);
}

#[test]
fn mutated_xml_gives_errors_with_a_position_and_never_panics() {
    let Some(dir) = corpus() else { return };
    let mut seed = 0x9E3779B97F4A7C15u64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let (_d, r) = new_record();
    fhir::import_bytes(&r, &gp_bundle("5", true, false), &FhirImportOptions::default()).unwrap();
    let before = snapshot(&r);
    let (mut ok, mut refused) = (0, 0);
    for f in [
        "ukcore-nhsd__UKCore-Patient-RichardSmith-Example.xml",
        "ukcore-nhsd__UKCore-Observation-VitalSigns-BloodPressure-Example.xml",
        "ukcore-nhsd__UKCore-MedicationStatement-Amoxicillin-Example.xml",
    ] {
        let bytes = std::fs::read(dir.join(f)).unwrap();
        for _ in 0..60 {
            let mut m = bytes.clone();
            match next() % 4 {
                0 => m.truncate(1 + (next() as usize) % (m.len() - 1)),
                1 => {
                    for _ in 0..3 {
                        let i = (next() as usize) % m.len();
                        m[i] = b"<>\"/=x&\n"[(next() % 8) as usize];
                    }
                }
                2 => {
                    let i = (next() as usize) % m.len();
                    let j = (i + (next() as usize) % 80).min(m.len());
                    m.drain(i..j);
                }
                _ => {
                    // A value that must be a number made not one.
                    let s = String::from_utf8(m)
                        .unwrap()
                        .replacen("<value value=\"", "<value value=\"x", 1)
                        .replacen("<frequency value=\"", "<frequency value=\"x", 1);
                    m = s.into_bytes();
                }
            }
            match fhir::import_bytes(&r, &m, &FhirImportOptions { force: true, ..Default::default() }) {
                Ok(_) => {
                    ok += 1;
                    // Undo what a mutated-but-valid file added, so the next failure can be
                    // compared with the state before.
                    fhir::import_bytes(&r, &gp_bundle("5", true, false), &FhirImportOptions::default())
                        .unwrap();
                }
                Err(e) => {
                    refused += 1;
                    let msg = e.to_string();
                    assert!(
                        msg.contains("line ") || msg.contains("not a FHIR R4 resource type"),
                        "no position: {msg}"
                    );
                    assert!(
                        !msg.contains("Richard") && !msg.contains("142"),
                        "the error quotes the file: {msg}"
                    );
                }
            }
        }
    }
    let _ = before;
    println!("mutated FHIR XML: {ok} imported, {refused} refused with a position, 0 panics");
    assert!(refused > 20, "{refused}");
}

#[test]
fn a_failed_xml_import_leaves_the_store_unchanged() {
    let (_d, r) = new_record();
    fhir::import_bytes(&r, &gp_bundle("5", true, false), &FhirImportOptions::default()).unwrap();
    let before = snapshot(&r);
    // Entries stream to the walker before the error near the end: nothing may land.
    let xml = "<Bundle xmlns=\"http://hl7.org/fhir\"><type value=\"collection\"/>\n<entry><resource><AllergyIntolerance><code><text value=\"Peanut\"/></code></AllergyIntolerance></resource></entry>\n<entry><resource><Observation><valueQuantity><value value=\"lots\"/></valueQuantity></Observation></resource></entry></Bundle>";
    let e = fhir::import_bytes(&r, xml.as_bytes(), &FhirImportOptions::default()).unwrap_err().to_string();
    assert!(e.contains("line 3") && e.contains("not a number"), "{e}");
    assert_eq!(snapshot(&r), before);
    // The same bundle, fixed, imports.
    let rep =
        fhir::import_bytes(&r, xml.replace("lots", "3").as_bytes(), &FhirImportOptions::default()).unwrap();
    assert_eq!(rep.resources.get("Bundle"), Some(&1));
    assert_eq!(rep.resources.get("Observation"), Some(&1));
    assert!(all_values(&r, "allergies")
        .iter()
        .any(|v| matches!(v, EntryValue::Allergy { substance, .. } if substance == "Peanut")));
}

#[test]
fn lab_results_land_in_the_built_in_test_results_section_and_insights_see_them() {
    let Some(dir) = corpus() else { return };
    let (_d, r) = new_record();
    fhir::import_path(
        &r,
        &dir.join("ips__Observation-serum-creatinine-adult.json"),
        &FhirImportOptions::default(),
    )
    .unwrap();
    let section = r.section(RESULTS_SECTION).unwrap();
    assert_eq!(section.id, "test_results");
    assert_eq!(section.class, phr_core::record::SectionClass::Core, "built in, not custom");
    let results = r.list_entries(RESULTS_SECTION, ListOptions::default()).unwrap();
    assert_eq!(results.len(), 1);
    let EntryValue::Custom { fields } = &results[0].value else { panic!("{:?}", results[0].value) };
    use phr_core::record::FieldValue as F;
    assert_eq!(fields.get("value"), Some(&F::Number(2.46)));
    assert_eq!(fields.get("unit"), Some(&F::Text("mg/dL".into())));
    assert_eq!(fields.get("low"), Some(&F::Number(0.76)));
    assert_eq!(fields.get("high"), Some(&F::Number(1.27)));
    assert!(
        matches!(fields.get("code"), Some(F::Text(c)) if c.starts_with("http://loinc.org|")),
        "{fields:?}"
    );
    assert!(
        matches!(fields.get("category"), Some(F::Text(c)) if c.eq_ignore_ascii_case("laboratory")),
        "{fields:?}"
    );
    // Insights read the section: 2.46 is above the range, so an alert points to the GP.
    let day = chrono::NaiveDate::from_ymd_opt(2018, 2, 20).unwrap();
    let input = r.insight_input(day).unwrap();
    assert_eq!(input.test_results.len(), 1);
    assert!(input.test_results[0].outside_range());
    let report = r.insight_report(day).unwrap();
    assert!(
        report
            .alerts
            .iter()
            .any(|a| a.id == "results.outside_range" && a.triggered_by.iter().any(|t| t.value == 2.46)),
        "{:?}",
        report.alerts
    );
    // A year on, it is no longer recent.
    let later = r.insight_report(day + chrono::Duration::days(400)).unwrap();
    assert!(!later.alerts.iter().any(|a| a.id == "results.outside_range"));
}

#[test]
fn a_large_xml_bundle_streams_and_imports_like_its_json() {
    let n = 20_000;
    let (mut xml, mut js) =
        (String::from("<Bundle xmlns=\"http://hl7.org/fhir\"><type value=\"collection\"/>"), Vec::new());
    for i in 0..n {
        let (v, t) = (
            50 + i % 60,
            format!("2024-01-{:02}T{:02}:{:02}:00Z", 1 + (i / 1440) % 28, (i / 60) % 24, i % 60),
        );
        xml.push_str(&format!("<entry><fullUrl value=\"urn:uuid:o{i}\"/><resource><Observation><id value=\"o{i}\"/><status value=\"final\"/><code><coding><system value=\"http://loinc.org\"/><code value=\"8867-4\"/></coding></code><effectiveDateTime value=\"{t}\"/><valueQuantity><value value=\"{v}\"/><code value=\"/min\"/></valueQuantity></Observation></resource></entry>"));
        js.push(json!({"fullUrl": format!("urn:uuid:o{i}"), "resource": {"resourceType":"Observation","id":format!("o{i}"),"status":"final","code":{"coding":[{"system":"http://loinc.org","code":"8867-4"}]},"effectiveDateTime":t,"valueQuantity":{"value":v,"code":"/min"}}}));
    }
    xml.push_str("</Bundle>");
    let json_bytes =
        serde_json::to_vec(&json!({"resourceType":"Bundle","type":"collection","entry":js})).unwrap();
    let (_d1, rx) = new_record();
    let t = std::time::Instant::now();
    let rep = fhir::import_bytes(&rx, xml.as_bytes(), &FhirImportOptions::default()).unwrap();
    let xml_s = t.elapsed().as_secs_f64();
    let (_d2, rj) = new_record();
    let t = std::time::Instant::now();
    fhir::import_bytes(&rj, &json_bytes, &FhirImportOptions::default()).unwrap();
    let json_s = t.elapsed().as_secs_f64();
    assert_eq!(rep.resources.get("Observation"), Some(&(n as u64)));
    assert_eq!(rep.bundle_type.as_deref(), Some("collection"));
    assert_eq!(contents(&rx), contents(&rj));
    println!(
        "{n}-entry bundle: XML {xml_s:.2} s, JSON {json_s:.2} s (XML/JSON time ratio {:.2}, dev profile)",
        xml_s / json_s
    );
}
