//! Negated and "no known" findings (issue 14, item 4): the SNOMED "no known allergy"
//! family, `verificationStatus` refuted / entered-in-error and `clinicalStatus` inactive /
//! resolved are stored, shown (screen models, emergency card) and exported as what they
//! are. Real corpus files where the corpus has an example; small fixtures where it has none.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout, clippy::print_stderr)] // test code: a failed unwrap is a failed test, and it prints what it measured

use chrono::Utc;
use phr_core::app::screens::{entry_detail, section_detail};
use phr_core::consent::{self, Decision, GrantRequest, Recipient, RecipientCategory};
use phr_core::crypto::RawKeyStore;
use phr_core::fhir::{self, FhirImportOptions, FhirImportReport};
use phr_core::record::{AllergyKind, AllergyStatus, ConditionStatus, EntryValue};
use phr_core::store::{ListOptions, DB_FILE};
use phr_core::Record;
use serde_json::{json, Value};
use std::path::PathBuf;

fn new_record() -> (tempfile::TempDir, Record) {
    let dir = tempfile::tempdir().unwrap();
    let r = Record::create(&dir.path().join(DB_FILE), &RawKeyStore::new([4; 32])).unwrap();
    (dir, r)
}

/// A FHIR corpus file, or `None` (with the printed reason) when it is absent.
fn corpus_file(name: &str) -> Option<PathBuf> {
    let p = phr_testkit::corpus_subdir("fhir")?.join(name);
    if p.is_file() {
        Some(p)
    } else {
        phr_testkit::missing(&format!("corpus file {} is absent", p.display()));
        None
    }
}

fn import_file(r: &Record, name: &str) -> Option<FhirImportReport> {
    let p = corpus_file(name)?;
    Some(fhir::import_path(r, &p, &FhirImportOptions { force: true, ..Default::default() }).unwrap())
}

fn import_json(r: &Record, v: &Value) -> FhirImportReport {
    fhir::import_bytes(r, v.to_string().as_bytes(), &FhirImportOptions::default()).unwrap()
}

fn entries(r: &Record, section: &str) -> Vec<phr_core::record::Entry> {
    r.list_entries(section, ListOptions::default()).unwrap()
}

fn exported(r: &Record, section: &str, resource_type: &str) -> Vec<Value> {
    let b = fhir::export::fhir_bundle(r, &[section.to_string()]).unwrap();
    if let Some(verdict) = phr_testkit::validate_fhir_bundle(&b.to_string()) {
        assert!(verdict.contains("VALID"), "{verdict}");
    }
    b["entry"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["resource"].clone())
        .filter(|x| x["resourceType"] == resource_type)
        .collect()
}

fn code_of(status: &Value) -> &str {
    status["coding"][0]["code"].as_str().unwrap()
}

/// The emergency card (the `emergency` grant's bundle) as a clinician receives it.
fn emergency_card(r: &Record) -> Value {
    let g = consent::create_grant(
        r,
        GrantRequest {
            recipient: Recipient {
                name: "Paramedic".into(),
                role: "ambulance".into(),
                category: RecipientCategory::HealthProfessional,
            },
            sections: vec!["emergency".into()],
            purpose: "emergency".into(),
            message: None,
            start: None,
            expiry: None,
            disclosure: Default::default(),
        },
    )
    .unwrap();
    let Decision::Allowed(v) = consent::check(r, &g.id, Utc::now()).unwrap() else { panic!("denied") };
    phr_core::share::bundle::fhir_bundle(&v)
}

/// Checks one corpus "no known ... allergy": stored without a severity, shown by its own
/// words (without the SNOMED tag), exported with its code and no type, criticality or reaction.
fn assert_no_known(r: &Record, code: &str, words: &str) {
    let all = entries(r, "allergies");
    let e = all
        .iter()
        .find(|e| matches!(&e.value, EntryValue::Allergy { code: Some(c), .. } if c.code == code))
        .unwrap_or_else(|| panic!("no entry for {code}"));
    let EntryValue::Allergy { substance, severity, kind, reaction, .. } = &e.value else { unreachable!() };
    assert_eq!(*kind, AllergyKind::NoKnownAllergy);
    assert_eq!(*severity, None);
    assert_eq!(*reaction, None);
    assert_eq!(substance, words);
    // Shown as such: section list, entry detail (no severity line).
    let s = section_detail(r, "allergies", false).unwrap();
    assert!(s.entries.iter().any(|row| row.summary == words), "{:?}", s.entries);
    assert!(s.entries.iter().all(|row| !row.summary.contains("moderate") || row.summary.contains(':')));
    let detail = entry_detail(r, &e.id).unwrap();
    assert_eq!(detail.summary, words);
    assert!(
        detail.fields.iter().all(|f| f.label_key != "field.allergy.severity" || f.value.is_empty()),
        "{:?}",
        detail.fields
    );
    // Shared as such.
    let out = exported(r, "allergies", "AllergyIntolerance");
    let a = out.iter().find(|a| a["id"] == e.id.as_str()).unwrap();
    assert_eq!(a["code"]["coding"][0]["code"], code);
    assert!(a.get("type").is_none() && a.get("criticality").is_none() && a.get("reaction").is_none(), "{a}");
    assert_eq!(code_of(&a["clinicalStatus"]), "active");
}

#[test]
fn ukcore_no_known_drug_allergy_is_not_an_allergy() {
    let (_d, r) = new_record();
    let Some(_) =
        import_file(&r, "ukcore__UKCore-AllergyIntolerance-Sn-NegHandlNoKnownAllergies-Example.json")
    else {
        return;
    };
    assert_no_known(&r, "409137002", "No known drug allergy");
}

#[test]
fn ips_no_known_allergy_is_not_an_allergy() {
    let (_d, r) = new_record();
    let Some(_) = import_file(&r, "ips__AllergyIntolerance-eumfh-39-07-1.json") else { return };
    assert_no_known(&r, "716186003", "No known allergy");
}

#[test]
fn ips_bundle_no_known_food_allergy_sits_beside_a_real_allergy_on_the_emergency_card() {
    let (_d, r) = new_record();
    let Some(_) = import_file(&r, "ips__Bundle-IPS-examples-Bundle-01.json") else { return };
    assert_no_known(&r, "429625007", "No known food allergy");
    // The real allergy in the same bundle keeps its severity.
    assert!(entries(&r, "allergies").iter().any(|e| matches!(
        &e.value,
        EntryValue::Allergy { kind: AllergyKind::Allergy, severity: Some(_), .. }
    )));
    let card = emergency_card(&r);
    if let Some(verdict) = phr_testkit::validate_fhir_bundle(&card.to_string()) {
        assert!(verdict.contains("VALID"), "{verdict}");
    }
    let nka: Vec<&Value> = card["entry"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["resource"])
        .filter(|x| {
            x["resourceType"] == "AllergyIntolerance" && x["code"]["coding"][0]["code"] == "429625007"
        })
        .collect();
    assert_eq!(nka.len(), 1, "{card}");
    assert!(nka[0].get("criticality").is_none() && nka[0].get("type").is_none(), "{}", nka[0]);
    assert!(!nka[0]["text"]["div"].as_str().unwrap().contains("moderate"), "{}", nka[0]);
}

#[test]
fn uncoded_no_known_allergy_by_its_words_is_exported_with_the_snomed_code() {
    let (_d, r) = new_record();
    import_json(
        &r,
        &json!({"resourceType": "AllergyIntolerance", "id": "nka-text",
            "clinicalStatus": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical", "code": "active"}]},
            "criticality": "low", "code": {"text": "No known allergies"}, "patient": {"reference": "Patient/p"}}),
    );
    let all = entries(&r, "allergies");
    assert!(matches!(
        &all[0].value,
        EntryValue::Allergy { kind: AllergyKind::NoKnownAllergy, severity: None, .. }
    ));
    let out = exported(&r, "allergies", "AllergyIntolerance");
    assert_eq!(out[0]["code"]["coding"][0]["code"], "716186003");
    assert_eq!(out[0]["code"]["text"], "No known allergies");
}

#[test]
fn ukcore_entered_in_error_allergy_is_not_imported_and_the_report_says_why() {
    let (_d, r) = new_record();
    let Some(rep) = import_file(&r, "ukcore__UKCore-AllergyIntolerance-EnteredInError-Example.json") else {
        return;
    };
    assert_eq!(rep.skipped, 1);
    assert!(rep.notes.iter().any(|n| n.contains("entered in error")), "{:?}", rep.notes);
    assert!(entries(&r, "allergies").is_empty());
}

#[test]
fn refuted_allergy_and_condition_are_not_imported_and_the_report_says_why() {
    // The corpus has no refuted example: a small fixture.
    let (_d, r) = new_record();
    let refuted = |rt: &str, system: &str| {
        json!({"resourceType": rt, "id": format!("{rt}-refuted"),
            "verificationStatus": {"coding": [{"system": system, "code": "refuted"}]},
            "code": {"coding": [{"system": "http://snomed.info/sct", "code": "91936005", "display": "Penicillin allergy"}]},
            "patient": {"reference": "Patient/p"}, "subject": {"reference": "Patient/p"}})
    };
    let bundle = json!({"resourceType": "Bundle", "type": "collection", "entry": [
        {"fullUrl": "urn:uuid:a", "resource": refuted("AllergyIntolerance", "http://terminology.hl7.org/CodeSystem/allergyintolerance-verification")},
        {"fullUrl": "urn:uuid:c", "resource": refuted("Condition", "http://terminology.hl7.org/CodeSystem/condition-ver-status")},
    ]});
    let rep = import_json(&r, &bundle);
    assert_eq!(rep.skipped, 2, "{rep:?}");
    assert_eq!(rep.notes.iter().filter(|n| n.contains("refuted")).count(), 2, "{:?}", rep.notes);
    assert!(entries(&r, "allergies").is_empty());
    assert!(entries(&r, "conditions").is_empty());
}

#[test]
fn ips_resolved_allergy_is_shown_and_shared_as_resolved() {
    let (_d, r) = new_record();
    let Some(_) = import_file(&r, "ips__AllergyIntolerance-allergyintolerance-with-abatement.json") else {
        return;
    };
    let all = entries(&r, "allergies");
    assert!(matches!(&all[0].value, EntryValue::Allergy { status: AllergyStatus::Resolved, .. }));
    let s = section_detail(&r, "allergies", false).unwrap();
    assert_eq!(s.entries[0].summary, "Ragweed pollen: allergy, moderate, resolved");
    let out = exported(&r, "allergies", "AllergyIntolerance");
    assert_eq!(code_of(&out[0]["clinicalStatus"]), "resolved");
    // Re-imported, it is still resolved.
    let (_d2, r2) = new_record();
    import_json(&r2, &fhir::export::fhir_bundle(&r, &["allergies".to_string()]).unwrap());
    assert!(matches!(
        &entries(&r2, "allergies")[0].value,
        EntryValue::Allergy { status: AllergyStatus::Resolved, .. }
    ));
}

#[test]
fn inactive_allergy_fixture_is_shown_and_shared_as_inactive() {
    let (_d, r) = new_record();
    import_json(
        &r,
        &json!({"resourceType": "AllergyIntolerance", "id": "latex",
            "clinicalStatus": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical", "code": "inactive"}]},
            "verificationStatus": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/allergyintolerance-verification", "code": "confirmed"}]},
            "criticality": "high", "code": {"text": "Latex"}, "patient": {"reference": "Patient/p"}}),
    );
    let s = section_detail(&r, "allergies", false).unwrap();
    assert_eq!(s.entries[0].summary, "Latex: allergy, severe, inactive");
    let out = exported(&r, "allergies", "AllergyIntolerance");
    assert_eq!(code_of(&out[0]["clinicalStatus"]), "inactive");
    assert_eq!(out[0]["criticality"], "high");
}

#[test]
fn synthea_resolved_conditions_are_shown_and_shared_as_resolved() {
    let (_d, r) = new_record();
    let Some(_) =
        import_file(&r, "synthea-nimbus__Cris921_Rath779_d4519c92-d241-b2b2-7360-291d60be699e.json")
    else {
        return;
    };
    let resolved: Vec<_> = entries(&r, "conditions")
        .into_iter()
        .filter(|e| matches!(e.value, EntryValue::Condition { status: ConditionStatus::Resolved, .. }))
        .collect();
    assert!(!resolved.is_empty());
    let s = section_detail(&r, "conditions", false).unwrap();
    for e in &resolved {
        let row = s.entries.iter().find(|x| x.id == e.id).unwrap();
        assert!(row.summary.contains("(resolved"), "{}", row.summary);
    }
    let out = exported(&r, "conditions", "Condition");
    for e in &resolved {
        let c = out.iter().find(|c| c["id"] == e.id.as_str()).unwrap();
        assert_eq!(code_of(&c["clinicalStatus"]), "resolved");
    }
}

#[test]
fn inactive_condition_fixture_reads_as_inactive_and_has_no_invented_onset() {
    let (_d, r) = new_record();
    import_json(
        &r,
        &json!({"resourceType": "Condition", "id": "asthma",
            "clinicalStatus": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/condition-clinical", "code": "inactive"}]},
            "code": {"text": "Childhood asthma"}, "subject": {"reference": "Patient/p"}}),
    );
    let s = section_detail(&r, "conditions", false).unwrap();
    assert_eq!(s.entries[0].summary, "Childhood asthma (inactive)");
    let out = exported(&r, "conditions", "Condition");
    assert_eq!(code_of(&out[0]["clinicalStatus"]), "inactive");
    assert!(out[0].get("onsetDateTime").is_none());
}

#[test]
fn demo_asthma_has_no_1970_onset() {
    let (_d, r) = new_record();
    phr_core::demo::fill(&r, Utc::now().date_naive()).unwrap();
    let s = section_detail(&r, "conditions", false).unwrap();
    let asthma = s.entries.iter().find(|e| e.summary.starts_with("Childhood asthma")).unwrap();
    assert_eq!(asthma.summary, "Childhood asthma (resolved)");
    assert!(!s.entries.iter().any(|e| e.summary.contains("1970")));
}
