//! The shared view as a FHIR document Bundle: what the viewer shows, in a clinician's order.

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
    r.add_entry("medications", EntryValue::Medication { name: "Ramipril".into(), dose: Some("5 mg".into()), route: None, frequency: Some("once daily".into()), start: None, stop: None, reason: None, code: None }, Provenance::User).unwrap();
    r.add_entry("allergies", EntryValue::Allergy { substance: "Penicillin".into(), reaction: Some("rash".into()), severity: Severity::Severe, kind: AllergyKind::Allergy, code: None }, Provenance::User).unwrap();
    let g = consent::create_grant(
        &r,
        GrantRequest {
            recipient: Recipient { name: "Pharmacist".into(), role: "pharmacist".into(), category: RecipientCategory::HealthProfessional },
            sections: vec!["conditions".into(), "medications".into(), "allergies".into()],
            purpose: consent::PURPOSE_ADVICE.into(),
            message: Some("Can I take ibuprofen?".into()),
            start: None,
            expiry: None,
        },
    )
    .unwrap();
    let Decision::Allowed(v) = consent::check(&r, &g.id, Utc::now()).unwrap() else { panic!() };
    let b = phr_core::share::bundle::fhir_bundle(&v);
    assert_eq!(b["type"], "document");
    let comp = &b["entry"][0]["resource"];
    assert_eq!(comp["resourceType"], "Composition");
    let titles: Vec<&str> = comp["section"].as_array().unwrap().iter().map(|s| s["code"]["text"].as_str().unwrap()).collect();
    assert_eq!(titles, vec!["advice_request", "allergies", "medications", "conditions"]);
    let types: Vec<&str> = b["entry"].as_array().unwrap().iter().map(|e| e["resource"]["resourceType"].as_str().unwrap()).collect();
    assert_eq!(types, vec!["Composition", "AllergyIntolerance", "MedicationStatement"]);
    assert_eq!(b["entry"][1]["resource"]["criticality"], "high");
    assert_eq!(b["entry"][2]["resource"]["dosage"][0]["text"], "5 mg, once daily");
    assert!(b.to_string().contains("Can I take ibuprofen?"));
    assert!(!b.to_string().contains("not_shared"));
}
