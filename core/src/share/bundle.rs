//! The shared view as a FHIR R4 document Bundle (IPS-shaped: a Composition whose sections
//! reference the resources).
//!
//! It takes a [`ConsentedView`], which only `consent::check` can make, so nothing reaches
//! a link without passing consent. Each entry and each daily measurement becomes a
//! resource through the same mapping as the owner's exports
//! ([`crate::fhir::export::entry_resource`], [`crate::fhir::export::measurement_resource`],
//! [`crate::fhir::export::blood_pressure_resource`]).

use crate::consent::{ConsentedView, SharedActivity, SharedMeasurement, SharedSection, SharedWeekLoad};
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

/// The system of the tag that tells a recipient where a shared item came from
/// (`gp_record`, `device`, `owner`): the viewer shows it beside each item.
pub const ORIGIN_SYSTEM: &str = "urn:phr:origin";

fn origin_tag(origin: crate::consent::Origin) -> Value {
    let display = match origin {
        crate::consent::Origin::GpRecord => "From the GP record",
        crate::consent::Origin::Device => "Imported from a device",
        crate::consent::Origin::Owner => "Entered by the owner",
    };
    json!({"tag": [{"system": ORIGIN_SYSTEM, "code": origin.as_str(), "display": display}]})
}

/// An activity as an "Exercise activity" Observation (LOINC 73985-4, as the HL7 physical
/// activity guide does): the sport as its value, the time as the period, the duration
/// (LOINC 55411-3) and distance as components; the route, when shared, as a GeoJSON line.
fn activity_resource(a: &SharedActivity, patient: &str) -> Value {
    let end = a.start + chrono::Duration::milliseconds((a.duration_s * 1000.0) as i64);
    let mut comps = vec![json!({
        "code": {"coding": [{"system": "http://loinc.org", "code": "55411-3", "display": "Exercise duration"}]},
        "valueQuantity": {"value": (a.duration_s / 6.0).round() / 10.0, "unit": "min", "system": "http://unitsofmeasure.org", "code": "min"},
    })];
    if let Some(d) = a.distance_m {
        comps.push(json!({
            "code": {"text": "Distance"},
            "valueQuantity": {"value": d.round(), "unit": "m", "system": "http://unitsofmeasure.org", "code": "m"},
        }));
    }
    if let Some(hr) = a.avg_hr {
        comps.push(json!({
            "code": {"coding": [{"system": "http://loinc.org", "code": "8867-4", "display": "Heart rate"}], "text": "Average heart rate"},
            "valueQuantity": {"value": hr.round(), "unit": "/min", "system": "http://unitsofmeasure.org", "code": "/min"},
        }));
    }
    let mut o = json!({
        "resourceType": "Observation", "id": stable_uuid(&format!("activity|{}", a.id)), "status": "final",
        "meta": origin_tag(crate::consent::Origin::Device),
        "category": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/observation-category", "code": "activity", "display": "Activity"}]}],
        "code": {"coding": [{"system": "http://loinc.org", "code": "73985-4", "display": "Exercise activity"}], "text": "Activity"},
        "subject": {"reference": patient},
        "effectivePeriod": {"start": a.start.to_rfc3339(), "end": end.to_rfc3339()},
        "valueCodeableConcept": {"text": a.sport},
        "component": comps,
    });
    if !a.track.is_empty() {
        let line: Vec<[f64; 2]> = a.track.iter().map(|(lat, lon)| [*lon, *lat]).collect();
        let geo = json!({"type": "LineString", "coordinates": line}).to_string();
        o["note"] = json!([{"text": format!("GPS track (GeoJSON): {geo}")}]);
    }
    o
}

/// A week's training load: no LOINC code exists, so a text code (TRIMP units).
fn training_load_resource(w: &SharedWeekLoad, view_id: &str, patient: &str) -> Value {
    let end = w.week_start + chrono::Duration::days(6);
    json!({
        "resourceType": "Observation", "id": stable_uuid(&format!("{view_id}|load|{}", w.week_start)), "status": "final",
        "meta": origin_tag(crate::consent::Origin::Device),
        "category": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/observation-category", "code": "activity", "display": "Activity"}]}],
        "code": {"text": "Weekly training load (TRIMP)"},
        "subject": {"reference": patient},
        "effectivePeriod": {"start": format!("{}T00:00:00Z", w.week_start), "end": format!("{end}T23:59:59Z")},
        "valueQuantity": {"value": w.trimp, "unit": "TRIMP", "system": "http://unitsofmeasure.org", "code": "{TRIMP}"},
        "note": [{"text": format!("{} activities", w.activities)}],
    })
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
    let mut changed = Vec::new();
    for s in sections {
        let mut refs = Vec::new();
        let mut resources: Vec<Value> = s
            .entries
            .iter()
            .filter_map(|e| {
                let mut r =
                    entry_resource(&e.id, &s.slug, &s.title, &e.value, &patient_ref, Unmapped::AsNote)?;
                r["meta"] = origin_tag(e.origin);
                // A life event as a note keeps its date, so the viewer can mark it on the trends.
                if let EntryValue::LifeEvent { date, .. } = &e.value {
                    if r.get("period").is_none() {
                        r["effectiveDateTime"] = json!(date.to_string());
                    }
                }
                if view.last_shared.is_some_and(|at| e.recorded > at) {
                    changed.push(json!({"reference": format!("urn:uuid:{}", e.id)}));
                }
                Some(r)
            })
            .collect();
        resources.extend(measurement_resources(s, &view.grant_id, &patient_ref));
        resources.extend(s.activities.iter().map(|a| activity_resource(a, &patient_ref)));
        resources
            .extend(s.training_load.iter().map(|w| training_load_resource(w, &view.grant_id, &patient_ref)));
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
    // What changed since this recipient's last share: entries added or edited since.
    if let Some(at) = view.last_shared {
        let day = at.format("%-d %b %Y");
        let mut sec =
            json!({"title": format!("Changed since the last share ({day})"), "code": {"text": "changes"}});
        if changed.is_empty() {
            sec["text"] = narrative(&format!("Nothing changed since the last share on {day}."));
            sec["emptyReason"] = json!({"text": "Nothing changed"});
        } else {
            sec["entry"] = json!(changed);
        }
        comp_sections.insert(0, sec);
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
