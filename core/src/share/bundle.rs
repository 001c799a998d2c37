//! The shared view as a FHIR R4 document Bundle (IPS-shaped: a Composition whose sections
//! reference the resources).
//!
//! It takes a [`ConsentedView`], which only `consent::check` can make, so nothing reaches
//! a link without passing consent. Each entry and each daily measurement becomes a
//! resource through the same mapping as the owner's exports
//! ([`crate::fhir::export::entry_resource`], [`crate::fhir::export::measurement_resource`],
//! [`crate::fhir::export::blood_pressure_resource`]).

use crate::consent::{ConsentedView, SharedMeasurement, SharedSection};
use crate::fhir::export::{
    blood_pressure_resource, entry_resource, measurement_resource, stable_uuid, MeasuredAt, Unmapped,
};
use crate::record::{EntryValue, SampleKind};
use serde_json::{json, Value};

/// The order a clinician reads in: allergies and medications first.
const ORDER: &[&str] = &[
    "allergies",
    "medications",
    "conditions",
    "procedures",
    "vaccinations",
    "test_results",
    "blood_group",
    "emergency_info",
    "organ_donation",
    "contacts",
];

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

fn narrative(s: &str) -> Value {
    json!({"status": "generated", "div": format!("<div xmlns=\"http://www.w3.org/1999/xhtml\">{}</div>", esc(s))})
}

/// The section's daily measurements as Observations: blood pressure as one panel per day
/// (systolic and diastolic of the same day), the rest one Observation a day each.
fn measurement_resources(s: &SharedSection, view_id: &str, patient: &str) -> Vec<Value> {
    let day_of = |kind: SampleKind| s.measurements.iter().filter(move |m| m.kind == kind);
    let id = |m: &SharedMeasurement, what: &str| stable_uuid(&format!("{view_id}|{what}|{}", m.day));
    let mut out = Vec::new();
    for sys in day_of(SampleKind::BloodPressureSystolic) {
        if let Some(dia) = day_of(SampleKind::BloodPressureDiastolic).find(|d| d.day == sys.day) {
            out.push(blood_pressure_resource(
                &id(sys, "bp"),
                MeasuredAt::Day(sys.day),
                sys.value,
                dia.value,
                patient,
            ));
        }
    }
    for m in s
        .measurements
        .iter()
        .filter(|m| !matches!(m.kind, SampleKind::BloodPressureSystolic | SampleKind::BloodPressureDiastolic))
    {
        out.extend(measurement_resource(
            &id(m, m.kind.slug()),
            m.kind,
            MeasuredAt::Day(m.day),
            m.value,
            patient,
        ));
    }
    out
}

/// Builds the Bundle the link carries.
pub fn fhir_bundle(view: &ConsentedView) -> Value {
    let mut sections: Vec<&SharedSection> = view.sections.iter().collect();
    sections.sort_by_key(|s| ORDER.iter().position(|o| *o == s.slug).unwrap_or(ORDER.len()));
    // The subject every resource points to: the shared identity if the grant covers it,
    // else a Patient with no identifying data at all.
    let identity = sections
        .iter()
        .filter(|s| s.slug == "identity")
        .flat_map(|s| &s.entries)
        .find(|e| matches!(e.value, EntryValue::Identity { .. }));
    let patient_id =
        identity.map_or_else(|| stable_uuid(&format!("{}|patient", view.grant_id)), |e| e.id.clone());
    let patient_ref = format!("urn:uuid:{patient_id}");
    let mut entries = Vec::new();
    if identity.is_none() {
        entries
            .push(json!({"fullUrl": patient_ref, "resource": {"resourceType": "Patient", "id": patient_id}}));
    }
    let mut comp_sections = Vec::new();
    for s in sections {
        let mut refs = Vec::new();
        let mut resources: Vec<Value> = s
            .entries
            .iter()
            .filter_map(|e| {
                entry_resource(&e.id, &s.slug, &s.title, &e.value, &patient_ref, Unmapped::AsNote)
            })
            .collect();
        resources.extend(measurement_resources(s, &view.grant_id, &patient_ref));
        for r in resources {
            let full = format!("urn:uuid:{}", r["id"].as_str().unwrap_or_default());
            refs.push(json!({"reference": full}));
            entries.push(json!({"fullUrl": full, "resource": r}));
        }
        let mut sec = json!({"title": s.title, "code": {"text": s.slug}, "entry": refs});
        if refs_empty(&sec) {
            sec["text"] = narrative("Nothing recorded.");
            sec["emptyReason"] = json!({"text": "Nothing recorded"});
            sec.as_object_mut().map(|m| m.remove("entry"));
        }
        comp_sections.push(sec);
    }
    if let Some(m) = &view.message {
        comp_sections.insert(0, json!({"title": "Question from the patient", "code": {"text": "advice_request"}, "text": narrative(m)}));
    }
    if view.some_not_shared {
        comp_sections.push(json!({"title": "Not shared", "code": {"text": "not_shared"}, "text": narrative("Some sections were not shared.")}));
    }
    let comp_id = uuid::Uuid::new_v4();
    let composition = json!({
        "resourceType": "Composition",
        "id": comp_id.to_string(),
        "status": "final",
        "type": {"coding": [{"system": "http://loinc.org", "code": "60591-5", "display": "Patient summary Document"}]},
        "subject": {"reference": patient_ref},
        "date": view.generated_at.to_rfc3339(),
        "title": format!("Shared for: {}", view.purpose),
        "author": [{"display": "The patient (personal health record)"}],
        "section": comp_sections,
    });
    entries.insert(0, json!({"fullUrl": format!("urn:uuid:{comp_id}"), "resource": composition}));
    json!({
        "resourceType": "Bundle",
        "id": uuid::Uuid::new_v4().to_string(),
        "identifier": {"system": "urn:ietf:rfc:3986", "value": format!("urn:uuid:{}", uuid::Uuid::new_v4())},
        "type": "document",
        "timestamp": view.generated_at.to_rfc3339(),
        "entry": entries,
    })
}

fn refs_empty(sec: &Value) -> bool {
    sec["entry"].as_array().is_none_or(Vec::is_empty)
}
