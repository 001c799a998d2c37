//! The shared view as a FHIR document Bundle: what the viewer shows, in a clinician's order.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout, clippy::print_stderr)] // test code: a failed unwrap is a failed test, and it prints what it measured

use chrono::Utc;
use phr_core::consent::{self, Decision, GrantRequest, Recipient, RecipientCategory};
use phr_core::crypto::RawKeyStore;
use phr_core::record::{AllergyKind, EntryValue, Provenance, Severity};
use phr_core::store::DB_FILE;
use phr_core::Record;

#[test]
fn bundle_orders_allergies_and_medications_first_and_carries_the_question() {
    let d = tempfile::tempdir().unwrap();
    let r = Record::create(&d.path().join(DB_FILE), &RawKeyStore::new([1; 32])).unwrap();
    r.add_entry(
        "medications",
        EntryValue::Medication {
            name: "Ramipril".into(),
            dose: Some("5 mg".into()),
            route: None,
            frequency: Some("once daily".into()),
            start: None,
            stop: None,
            reason: None,
            code: None,
        },
        Provenance::User,
    )
    .unwrap();
    r.add_entry(
        "allergies",
        EntryValue::Allergy {
            substance: "Penicillin".into(),
            reaction: Some("rash".into()),
            severity: Some(Severity::Severe),
            kind: AllergyKind::Allergy,
            status: Default::default(),
            code: None,
        },
        Provenance::User,
    )
    .unwrap();
    let g = consent::create_grant(
        &r,
        GrantRequest {
            recipient: Recipient {
                name: "Pharmacist".into(),
                role: "pharmacist".into(),
                category: RecipientCategory::HealthProfessional,
            },
            sections: vec!["conditions".into(), "medications".into(), "allergies".into()],
            purpose: consent::PURPOSE_ADVICE.into(),
            message: Some("Can I take ibuprofen?".into()),
            start: None,
            expiry: None,
            disclosure: Default::default(),
        },
    )
    .unwrap();
    let Decision::Allowed(v) = consent::check(&r, &g.id, Utc::now()).unwrap() else { panic!() };
    let b = phr_core::share::bundle::fhir_bundle(&v);
    assert_eq!(b["type"], "document");
    let comp = &b["entry"][0]["resource"];
    assert_eq!(comp["resourceType"], "Composition");
    let titles: Vec<&str> =
        comp["section"].as_array().unwrap().iter().map(|s| s["code"]["text"].as_str().unwrap()).collect();
    assert_eq!(titles, vec!["advice_request", "allergies", "medications", "conditions"]);
    let types: Vec<&str> = b["entry"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["resource"]["resourceType"].as_str().unwrap())
        .collect();
    // A Patient with nothing identifying (identity was not shared) for the references.
    assert_eq!(types, vec!["Composition", "Patient", "AllergyIntolerance", "MedicationStatement"]);
    assert_eq!(b["entry"][1]["resource"].as_object().unwrap().len(), 2, "resourceType and id only");
    assert_eq!(b["entry"][2]["resource"]["reaction"][0]["severity"], "severe");
    assert_eq!(b["entry"][3]["resource"]["dosage"][0]["text"], "5 mg");
    assert_eq!(b["entry"][3]["resource"]["dosage"][0]["timing"]["code"]["text"], "once daily");
    assert_eq!(b["entry"][3]["resource"]["subject"]["reference"], b["entry"][1]["fullUrl"]);
    assert!(b.to_string().contains("Can I take ibuprofen?"));
    assert!(!b.to_string().contains("not_shared"));
    validate_with_python(&b);
}

/// The same entry through the owner's export and through a share: one mapping.
#[test]
fn shared_resources_are_the_owner_export_mapping() {
    let d = tempfile::tempdir().unwrap();
    let r = Record::create(&d.path().join(DB_FILE), &RawKeyStore::new([1; 32])).unwrap();
    let code = Some(phr_core::record::Code {
        system: "http://snomed.info/sct".into(),
        code: "91936005".into(),
        display: Some("Penicillin allergy".into()),
    });
    r.add_entry(
        "allergies",
        EntryValue::Allergy {
            substance: "Penicillin".into(),
            reaction: Some("rash".into()),
            severity: Some(Severity::Severe),
            kind: AllergyKind::Allergy,
            status: Default::default(),
            code,
        },
        Provenance::User,
    )
    .unwrap();
    let g = consent::create_grant(&r, grant_for(&["allergies"])).unwrap();
    let Decision::Allowed(v) = consent::check(&r, &g.id, Utc::now()).unwrap() else { panic!() };
    let shared = phr_core::share::bundle::fhir_bundle(&v);
    let owner = phr_core::fhir::export::fhir_bundle(&r, &["allergies".to_string()]).unwrap();
    let find = |b: &serde_json::Value| {
        b["entry"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["resource"].clone())
            .find(|x| x["resourceType"] == "AllergyIntolerance")
            .unwrap()
    };
    let (mut a, mut b) = (find(&shared), find(&owner));
    // The share tells the recipient where the entry came from.
    assert_eq!(a["meta"]["tag"][0]["code"], "owner");
    a.as_object_mut().unwrap().remove("meta");
    // Only the subject differs: each bundle has its own Patient.
    a.as_object_mut().unwrap().remove("patient");
    b.as_object_mut().unwrap().remove("patient");
    assert_eq!(a, b);
}

fn grant_for(sections: &[&str]) -> GrantRequest {
    GrantRequest {
        recipient: Recipient {
            name: "Dr Lee".into(),
            role: "GP".into(),
            category: RecipientCategory::HealthProfessional,
        },
        sections: sections.iter().map(|s| s.to_string()).collect(),
        purpose: "review".into(),
        message: None,
        start: None,
        expiry: None,
        disclosure: Default::default(),
    }
}

#[test]
fn measurements_of_granted_sections_are_shared_as_daily_vital_signs() {
    use phr_core::record::{Sample, SampleKind};
    let d = tempfile::tempdir().unwrap();
    let r = Record::create(&d.path().join(DB_FILE), &RawKeyStore::new([1; 32])).unwrap();
    let day_ms = 86_400_000i64;
    let today = Utc::now().timestamp_millis() / day_ms * day_ms;
    let s = |kind, at: i64, value| Sample {
        kind,
        start_ms: at,
        end_ms: at,
        value,
        source: "scale".into(),
        dedup_key: None,
    };
    let mut samples = vec![
        // Two readings yesterday (mean 81), one three days ago.
        s(SampleKind::Weight, today - day_ms + 8 * 3_600_000, 80.0),
        s(SampleKind::Weight, today - day_ms + 20 * 3_600_000, 82.0),
        s(SampleKind::Weight, today - 3 * day_ms + 3_600_000, 83.5),
        // Far older than the window: never shared.
        s(SampleKind::Weight, today - 800 * day_ms, 99.0),
        s(SampleKind::BloodPressureSystolic, today - 2 * day_ms + 3_600_000, 140.0),
        s(SampleKind::BloodPressureDiastolic, today - 2 * day_ms + 3_600_000, 90.0),
        s(SampleKind::BloodPressureSystolic, today - 2 * day_ms + 7_200_000, 130.0),
        s(SampleKind::BloodPressureDiastolic, today - 2 * day_ms + 7_200_000, 80.0),
    ];
    // A year of daily heart-rate-at-rest readings is bounded to the window.
    samples.extend((0..500).map(|i| s(SampleKind::RestingHeartRate, today - i * day_ms + 3_600_000, 60.0)));
    r.ingest_samples(&samples).unwrap();
    for sec in ["weight", "blood_pressure"] {
        r.set_section_enabled(sec, true).unwrap();
    }

    let g = consent::create_grant(&r, grant_for(&["weight", "blood_pressure"])).unwrap();
    let Decision::Allowed(v) = consent::check(&r, &g.id, Utc::now()).unwrap() else { panic!() };
    let b = phr_core::share::bundle::fhir_bundle(&v);
    let obs: Vec<&serde_json::Value> = b["entry"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["resource"])
        .filter(|x| x["resourceType"] == "Observation")
        .collect();
    let code = |o: &serde_json::Value| o["code"]["coding"][0]["code"].as_str().unwrap().to_string();
    let weights: Vec<f64> = obs
        .iter()
        .filter(|o| code(o) == "29463-7")
        .map(|o| o["valueQuantity"]["value"].as_f64().unwrap())
        .collect();
    assert_eq!(weights, vec![83.5, 81.0], "daily means, oldest first, nothing from 800 days ago");
    let bp: Vec<&&serde_json::Value> = obs.iter().filter(|o| code(o) == "85354-9").collect();
    assert_eq!(bp.len(), 1);
    assert_eq!(bp[0]["component"][0]["valueQuantity"]["value"], 135.0);
    assert_eq!(bp[0]["component"][1]["valueQuantity"]["value"], 85.0);
    assert_eq!(bp[0]["category"][0]["coding"][0]["code"], "vital-signs");
    assert!(bp[0]["effectivePeriod"]["start"].as_str().is_some());
    let rest = obs.iter().filter(|o| code(o) == "40443-4").count();
    assert!(rest > 300 && rest <= 367, "resting heart rate bounded to the window: {rest}");
    // Each Observation is referenced from its section, so the viewer shows and charts it.
    let comp = &b["entry"][0]["resource"];
    let weight_sec =
        comp["section"].as_array().unwrap().iter().find(|s| s["code"]["text"] == "weight").unwrap();
    assert_eq!(weight_sec["entry"].as_array().unwrap().len(), 2);

    // An independent FHIR library accepts the shared bundle (Patient, vital signs, panel).
    validate_with_python(&b);

    // Not granted, not shared.
    let g2 = consent::create_grant(&r, grant_for(&["allergies"])).unwrap();
    let Decision::Allowed(v2) = consent::check(&r, &g2.id, Utc::now()).unwrap() else { panic!() };
    let b2 = phr_core::share::bundle::fhir_bundle(&v2);
    assert!(!b2.to_string().contains("29463-7") && !b2.to_string().contains("85354-9"));
    // Revoked: consent refuses, so no bundle can be made at all.
    consent::revoke_grant(&r, &g.id).unwrap();
    assert!(matches!(consent::check(&r, &g.id, Utc::now()).unwrap(), Decision::Denied(_)));
}

/// Validates with python `fhir.resources` (R4B models, as the export tests do).
fn validate_with_python(bundle: &serde_json::Value) {
    if let Some(verdict) = phr_testkit::validate_fhir_bundle(&bundle.to_string()) {
        println!("{verdict}");
    }
}

/// A second share with the same person says what changed since the first.
#[test]
fn a_second_share_lists_what_changed_since_the_last_one() {
    let d = tempfile::tempdir().unwrap();
    let r = Record::create(&d.path().join(DB_FILE), &RawKeyStore::new([1; 32])).unwrap();
    let allergy = |s: &str| EntryValue::Allergy {
        substance: s.into(),
        reaction: None,
        severity: Some(Severity::Mild),
        kind: AllergyKind::Allergy,
        status: Default::default(),
        code: None,
    };
    r.add_entry("allergies", allergy("Penicillin"), Provenance::User).unwrap();
    let first = consent::create_grant(&r, grant_for(&["allergies"])).unwrap();
    let Decision::Allowed(v) = consent::check(&r, &first.id, Utc::now()).unwrap() else { panic!() };
    assert!(v.last_shared.is_none(), "a first share has nothing to compare with");
    std::thread::sleep(std::time::Duration::from_millis(20));
    let latex = r.add_entry("allergies", allergy("Latex"), Provenance::User).unwrap();
    let second = consent::create_grant(&r, grant_for(&["allergies"])).unwrap();
    let Decision::Allowed(v) = consent::check(&r, &second.id, Utc::now()).unwrap() else { panic!() };
    let b = phr_core::share::bundle::fhir_bundle(&v);
    let comp = &b["entry"][0]["resource"];
    let changes = &comp["section"][0];
    assert_eq!(changes["code"]["text"], "changes");
    assert_eq!(changes["entry"], serde_json::json!([{"reference": format!("urn:uuid:{}", latex.id)}]));
    validate_with_python(&b);
}
