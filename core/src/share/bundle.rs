//! The shared view as a FHIR R4 document Bundle (IPS-shaped: a Composition whose sections
//! reference the resources). This is the one function the share module calls to make a
//! bundle; when the `fhir` module's IPS export lands it can take over here.

use crate::consent::{SharedEntry, SharedView};
use crate::record::{AllergyKind, ConditionStatus, EntryValue, Severity};
use serde_json::{json, Value};

/// The order a clinician reads in: allergies and medications first.
const ORDER: &[&str] = &[
    "allergies", "medications", "conditions", "procedures", "vaccinations", "blood_group", "emergency_info", "organ_donation", "contacts",
];

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

fn narrative(s: &str) -> Value {
    json!({"status": "generated", "div": format!("<div xmlns=\"http://www.w3.org/1999/xhtml\">{}</div>", esc(s))})
}

fn codeable(text: &str, code: &Option<crate::record::Code>) -> Value {
    let mut v = json!({"text": text});
    if let Some(c) = code {
        let system = match c.system.to_ascii_lowercase().as_str() {
            s if s.contains("snomed") => "http://snomed.info/sct".to_string(),
            s if s.contains("dm+d") || s.contains("dmd") => "https://dmd.nhs.uk".to_string(),
            s if s.contains("loinc") => "http://loinc.org".to_string(),
            _ => c.system.clone(),
        };
        v["coding"] = json!([{"system": system, "code": c.code, "display": c.display}]);
    }
    v
}

fn resource(e: &SharedEntry, section_title: &str) -> Value {
    let text = narrative(&e.value.summary());
    let date = |d: &Option<chrono::NaiveDate>| d.map(|d| d.to_string());
    let mut r = match &e.value {
        EntryValue::Allergy { substance, reaction, severity, kind, code } => json!({
            "resourceType": "AllergyIntolerance",
            "type": match kind { AllergyKind::Allergy => "allergy", AllergyKind::Intolerance => "intolerance" },
            "criticality": match severity { Severity::Severe => "high", _ => "low" },
            "code": codeable(substance, code),
            "reaction": reaction.as_ref().map(|r| json!([{"manifestation": [{"text": r}], "severity": match severity { Severity::Mild => "mild", Severity::Moderate => "moderate", Severity::Severe => "severe" }}])),
        }),
        EntryValue::Medication { name, dose, route, frequency, start, stop, reason, code } => {
            let dosage: Vec<String> = [dose, route, frequency].iter().filter_map(|x| (*x).clone()).collect();
            json!({
                "resourceType": "MedicationStatement",
                "status": if stop.is_some() { "completed" } else { "active" },
                "medicationCodeableConcept": codeable(name, code),
                "dosage": if dosage.is_empty() { Value::Null } else { json!([{"text": dosage.join(", ")}]) },
                "effectivePeriod": {"start": date(start), "end": date(stop)},
                "reasonCode": reason.as_ref().map(|r| json!([{"text": r}])),
            })
        }
        EntryValue::Condition { name, code, onset, status, notes } => json!({
            "resourceType": "Condition",
            "clinicalStatus": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/condition-clinical",
                "code": match status { ConditionStatus::Active => "active", ConditionStatus::Resolved => "resolved", ConditionStatus::InRemission => "remission" }}]},
            "code": codeable(name, code),
            "onsetDateTime": date(onset),
            "note": notes.as_ref().map(|n| json!([{"text": n}])),
        }),
        EntryValue::Procedure { name, date: d, code, notes, .. } => json!({
            "resourceType": "Procedure", "status": "completed", "code": codeable(name, code),
            "performedDateTime": date(d), "note": notes.as_ref().map(|n| json!([{"text": n}])),
        }),
        EntryValue::Vaccination { vaccine, date: d, code, .. } => json!({
            "resourceType": "Immunization", "status": "completed", "vaccineCode": codeable(vaccine, code),
            "occurrenceDateTime": d.to_string(),
        }),
        other => json!({
            "resourceType": "Observation", "status": "final",
            "code": {"text": section_title},
            "valueString": other.summary(),
        }),
    };
    r["id"] = json!(e.id);
    r["text"] = text;
    if let Value::Object(m) = &mut r {
        m.retain(|_, v| !v.is_null());
        if let Some(Value::Object(p)) = m.get_mut("effectivePeriod") {
            p.retain(|_, v| !v.is_null());
        }
    }
    r
}

/// Builds the Bundle the link carries.
pub fn fhir_bundle(view: &SharedView) -> Value {
    let mut sections: Vec<&crate::consent::SharedSection> = view.sections.iter().collect();
    sections.sort_by_key(|s| ORDER.iter().position(|o| *o == s.slug).unwrap_or(ORDER.len()));
    let mut entries = Vec::new();
    let mut comp_sections = Vec::new();
    for s in sections {
        let mut refs = Vec::new();
        for e in &s.entries {
            let full = format!("urn:uuid:{}", e.id);
            refs.push(json!({"reference": full}));
            entries.push(json!({"fullUrl": full, "resource": resource(e, &s.title)}));
        }
        let mut sec = json!({"title": s.title, "code": {"text": s.slug}, "entry": refs});
        if s.entries.is_empty() {
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
        "date": view.generated_at.to_rfc3339(),
        "title": format!("Shared for: {}", view.purpose),
        "author": [{"display": "The patient (personal health record)"}],
        "section": comp_sections,
    });
    entries.insert(0, json!({"fullUrl": format!("urn:uuid:{comp_id}"), "resource": composition}));
    json!({
        "resourceType": "Bundle",
        "id": uuid::Uuid::new_v4().to_string(),
        "type": "document",
        "timestamp": view.generated_at.to_rfc3339(),
        "entry": entries,
    })
}
