//! The record as FHIR R4: the International Patient Summary (a `document` Bundle with a
//! Composition) and plain `collection` Bundles of chosen sections.
//!
//! Deleted and hidden entries are left out. Every entry becomes one resource whose id is
//! the entry's id, so importing an export elsewhere and exporting again is stable.

use super::map::{LOINC, NHS_NUMBER_SYSTEM, SNOMED};
use crate::record::{
    AllergyKind, AllergyStatus, BuiltinSection, Code, ConditionStatus, Entry, EntryValue, FieldValue,
    OrganDonationDecision, SampleKind, Severity,
};
use crate::store::{ListOptions, RESULTS_SECTION};
use crate::{Error, Record, Result};
use serde_json::{json, Map, Value};

/// IPS sections: (record section, LOINC code, title).
const IPS_SECTIONS: &[(&str, &str, &str)] = &[
    ("allergies", "48765-2", "Allergies and Intolerances"),
    ("medications", "10160-0", "Medication Summary"),
    ("conditions", "11450-4", "Problem List"),
    ("vaccinations", "11369-6", "History of Immunizations"),
    ("procedures", "47519-4", "History of Procedures"),
    (RESULTS_SECTION, "30954-2", "Results"),
    ("organ_donation", "42348-3", "Advance Directives"),
];
/// The three sections IPS requires even when empty.
const IPS_REQUIRED: &[&str] = &["allergies", "medications", "conditions"];

/// Sections a FHIR export can carry.
pub const EXPORTABLE: &[&str] = &[
    "identity",
    "contacts",
    "allergies",
    "medications",
    "conditions",
    "vaccinations",
    "procedures",
    "test_results",
    "organ_donation",
    "life_events",
    "weight",
    "blood_pressure",
];

fn code_cc(code: &Option<Code>, text: &str) -> Value {
    let mut cc = json!({ "text": text });
    if let Some(c) = code {
        let mut coding = json!({ "system": c.system, "code": c.code });
        if let Some(d) = &c.display {
            coding["display"] = json!(d);
        }
        cc["coding"] = json!([coding]);
    }
    cc
}

fn xhtml(text: &str) -> Value {
    let esc = text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;");
    json!({ "status": "generated", "div": format!("<div xmlns=\"http://www.w3.org/1999/xhtml\">{esc}</div>") })
}

fn put(o: &mut Map<String, Value>, k: &str, v: Option<Value>) {
    if let Some(v) = v {
        o.insert(k.into(), v);
    }
}

/// What [`entry_resource`] does with an entry FHIR has no fitting resource for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unmapped {
    /// Leave it out (owner exports: they must re-import to the same record).
    Skip,
    /// A plain Observation whose value is the entry's summary, coded by its section
    /// (the shared view: a clinician should still read the emergency notes).
    AsNote,
}

/// The ONE mapping from a record entry to a FHIR resource, used by the owner's exports
/// (IPS, plain Bundles) and by the shared bundle (`share::bundle`). The resource id is
/// the entry id; `patient` is the reference put in `subject`/`patient`.
pub fn entry_resource(
    id: &str,
    section: &str,
    section_title: &str,
    value: &EntryValue,
    patient: &str,
    unmapped: Unmapped,
) -> Option<Value> {
    let mut r = mapped_resource(id, section, value, patient);
    if r.is_none() && unmapped == Unmapped::AsNote {
        r = Some(json!({
            "resourceType": "Observation", "status": "final",
            "code": { "text": section_title, "coding": [{ "system": "urn:phr:section", "code": section }] },
            "subject": { "reference": patient },
            "valueString": value.summary(),
        }));
    }
    let mut r = r?;
    r["id"] = json!(id);
    r["text"] = xhtml(&value.summary());
    Some(r)
}

fn mapped_resource(id: &str, section: &str, value: &EntryValue, patient: &str) -> Option<Value> {
    let subject = json!({ "reference": patient });
    let mut o = Map::new();
    let v = match value {
        EntryValue::Identity { given_name, family_name, date_of_birth, nhs_number, address, gp_practice } => {
            let mut p = json!({ "resourceType": "Patient", "id": id, "name": [{ "use": "official", "family": family_name, "given": given_name.split_whitespace().collect::<Vec<_>>() }] });
            if let Some(n) = nhs_number {
                p["identifier"] = json!([{ "system": NHS_NUMBER_SYSTEM, "value": n.digits() }]);
            }
            if let Some(d) = date_of_birth {
                p["birthDate"] = json!(d.to_string());
            }
            if let Some(a) = address {
                p["address"] = json!([{ "use": "home", "text": a }]);
            }
            if let Some(g) = gp_practice {
                p["generalPractitioner"] = json!([{ "display": g }]);
            }
            return Some(p);
        }
        EntryValue::Contact { name, relationship, phone, next_of_kin, emergency_contact } => {
            let mut rel = vec![json!({ "text": relationship })];
            if *next_of_kin {
                rel.push(json!({ "coding": [{ "system": "http://terminology.hl7.org/CodeSystem/v2-0131", "code": "N", "display": "Next of kin" }] }));
            }
            if *emergency_contact {
                rel.push(json!({ "coding": [{ "system": "http://terminology.hl7.org/CodeSystem/v2-0131", "code": "C", "display": "Emergency contact" }] }));
            }
            let mut r = json!({ "resourceType": "RelatedPerson", "id": id, "patient": subject, "relationship": rel, "name": [{ "text": name }] });
            if let Some(p) = phone {
                r["telecom"] = json!([{ "system": "phone", "value": p }]);
            }
            return Some(r);
        }
        EntryValue::Medication { name, dose, route, frequency, start, stop, reason, code } => {
            o.insert("resourceType".into(), json!("MedicationStatement"));
            o.insert("status".into(), json!(if stop.is_some() { "completed" } else { "active" }));
            o.insert("medicationCodeableConcept".into(), code_cc(code, name));
            o.insert("subject".into(), subject);
            if start.is_some() || stop.is_some() {
                let mut p = Map::new();
                put(&mut p, "start", start.map(|d| json!(d.to_string())));
                put(&mut p, "end", stop.map(|d| json!(d.to_string())));
                o.insert("effectivePeriod".into(), Value::Object(p));
            }
            let mut d = Map::new();
            put(&mut d, "text", dose.as_ref().map(|x| json!(x)));
            put(&mut d, "route", route.as_ref().map(|x| json!({ "text": x })));
            put(&mut d, "timing", frequency.as_ref().map(|x| json!({ "code": { "text": x } })));
            if !d.is_empty() {
                o.insert("dosage".into(), json!([d]));
            }
            put(&mut o, "reasonCode", reason.as_ref().map(|r| json!([{ "text": r }])));
            Value::Object(o)
        }
        EntryValue::Allergy { substance, reaction, severity, kind, status, code } => {
            let clinical = match status {
                AllergyStatus::Active => "active",
                AllergyStatus::Inactive => "inactive",
                AllergyStatus::Resolved => "resolved",
            };
            let mut a = json!({
                "resourceType": "AllergyIntolerance",
                "clinicalStatus": { "coding": [{ "system": "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical", "code": clinical }] },
                "verificationStatus": { "coding": [{ "system": "http://terminology.hl7.org/CodeSystem/allergyintolerance-verification", "code": "confirmed" }] },
                "code": code_cc(code, substance),
                "patient": subject,
            });
            if *kind == AllergyKind::NoKnownAllergy {
                // An absence is shared as the SNOMED situation, never with a type or severity.
                if code.is_none() {
                    a["code"] = json!({ "coding": [{ "system": SNOMED, "code": "716186003", "display": "No known allergy" }], "text": substance });
                }
                return Some(a);
            }
            a["type"] = json!(if *kind == AllergyKind::Intolerance { "intolerance" } else { "allergy" });
            let sev = severity.map(|s| match s {
                Severity::Mild => "mild",
                Severity::Moderate => "moderate",
                Severity::Severe => "severe",
            });
            match (reaction, sev) {
                (Some(r), Some(sev)) => {
                    a["reaction"] = json!([{ "manifestation": [{ "text": r }], "severity": sev }])
                }
                (Some(r), None) => a["reaction"] = json!([{ "manifestation": [{ "text": r }] }]),
                (None, Some("severe")) => a["criticality"] = json!("high"),
                (None, Some("mild")) => a["criticality"] = json!("low"),
                (None, _) => {}
            }
            a
        }
        EntryValue::Condition { name, code, onset, status, notes } => {
            let st = match status {
                ConditionStatus::Active => "active",
                ConditionStatus::Resolved => "resolved",
                ConditionStatus::InRemission => "remission",
                ConditionStatus::Inactive => "inactive",
            };
            let mut c = json!({
                "resourceType": "Condition",
                "clinicalStatus": { "coding": [{ "system": "http://terminology.hl7.org/CodeSystem/condition-clinical", "code": st }] },
                "code": code_cc(code, name),
                "subject": subject,
            });
            if let Some(d) = onset {
                c["onsetDateTime"] = json!(d.to_string());
            }
            if let Some(n) = notes {
                c["note"] = json!([{ "text": n }]);
            }
            c
        }
        EntryValue::Procedure { name, date, location, code, notes } => {
            let mut p = json!({ "resourceType": "Procedure", "status": "completed", "code": code_cc(code, name), "subject": subject });
            if let Some(d) = date {
                p["performedDateTime"] = json!(d.to_string());
            }
            if let Some(l) = location {
                p["location"] = json!({ "display": l });
            }
            if let Some(n) = notes {
                p["note"] = json!([{ "text": n }]);
            }
            p
        }
        EntryValue::Vaccination { vaccine, date, dose, code, .. } => {
            let mut i = json!({ "resourceType": "Immunization", "status": "completed", "vaccineCode": code_cc(code, vaccine), "patient": subject, "occurrenceDateTime": date.to_string() });
            if let Some(d) = dose {
                i["protocolApplied"] = json!([{ "doseNumberString": d }]);
            }
            i
        }
        EntryValue::OrganDonation { decision, registered } => {
            let mut c = json!({
                "resourceType": "Consent",
                "status": if *registered { "active" } else { "proposed" },
                "scope": { "coding": [{ "system": "http://terminology.hl7.org/CodeSystem/consentscope", "code": "treatment", "display": "Treatment" }] },
                "category": [{ "text": "Organ donation" }],
                "patient": subject,
                "policyRule": { "text": "Organ donation decision (NHS Organ Donor Register)" },
            });
            match decision {
                OrganDonationDecision::OptIn => c["provision"] = json!({ "type": "permit" }),
                OrganDonationDecision::OptOut => c["provision"] = json!({ "type": "deny" }),
                OrganDonationDecision::Some { organs } => {
                    c["provision"] = json!({ "type": "permit", "code": organs.iter().map(|o| json!({ "text": o })).collect::<Vec<_>>() })
                }
                _ => {}
            }
            c
        }
        EntryValue::LifeEvent { date, title, details } => {
            let what = title.strip_prefix("Visit: ")?;
            let mut enc = json!({
                "resourceType": "Encounter", "status": "finished",
                "class": { "system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "AMB", "display": "ambulatory" },
                "type": [{ "text": what }], "subject": subject, "period": { "start": date.to_string() },
            });
            if let Some(d) = details.as_ref().and_then(|d| d.strip_prefix("reason: ")) {
                enc["reasonCode"] = json!([{ "text": d }]);
            }
            enc
        }
        EntryValue::BloodGroup { group } => json!({
            "resourceType": "Observation", "status": "final",
            "code": { "coding": [{ "system": LOINC, "code": "882-1", "display": "ABO and Rh group [Type] in Blood" }], "text": "Blood group" },
            "subject": subject, "valueCodeableConcept": { "text": group.to_string() },
        }),
        EntryValue::Custom { fields } if section == RESULTS_SECTION => {
            let text = |k: &str| match fields.get(k) {
                Some(FieldValue::Text(t)) => Some(t.clone()),
                _ => None,
            };
            let num = |k: &str| match fields.get(k) {
                Some(FieldValue::Number(n)) => Some(*n),
                _ => None,
            };
            let test = text("test")?;
            let mut code = json!({ "text": test });
            if let Some((system, c)) = text("code").as_deref().and_then(|c| c.split_once('|')) {
                code["coding"] = json!([{ "system": system, "code": c, "display": test }]);
            }
            let mut ob = json!({ "resourceType": "Observation", "status": text("status").unwrap_or_else(|| "final".into()), "code": code, "subject": subject });
            if let Some(c) = text("category") {
                ob["category"] = json!([{ "text": c }]);
            }
            if let Some(d) = text("date") {
                ob["effectiveDateTime"] = json!(d);
            }
            if let Some(v) = num("value") {
                let mut q = json!({ "value": v });
                if let Some(u) = text("unit") {
                    q["unit"] = json!(u);
                }
                ob["valueQuantity"] = q;
            } else if let Some(r) = text("result") {
                ob["valueString"] = json!(r);
            }
            let mut rr = Map::new();
            put(&mut rr, "low", num("low").map(|v| json!({ "value": v })));
            put(&mut rr, "high", num("high").map(|v| json!({ "value": v })));
            put(&mut rr, "text", text("range").map(|t| json!(t)));
            if !rr.is_empty() {
                ob["referenceRange"] = json!([rr]);
            }
            if let Some(i) = text("interpretation") {
                ob["interpretation"] = json!([{ "text": i }]);
            }
            ob
        }
        _ => return None,
    };
    Some(v)
}

/// An owner-side entry (exports skip what FHIR has no resource for).
fn resource(e: &Entry, patient: &str) -> Option<Value> {
    entry_resource(&e.id, &e.section, "", &e.value, patient, Unmapped::Skip)
}

fn section_slug(name: &str) -> Result<String> {
    let n = name.trim().to_lowercase().replace(['-', ' '], "_");
    if n == "test_results" || n == "results" || n == RESULTS_SECTION {
        return Ok(RESULTS_SECTION.into());
    }
    if EXPORTABLE.contains(&n.as_str())
        || BuiltinSection::from_slug(&n).is_some_and(|_| EXPORTABLE.contains(&n.as_str()))
    {
        return Ok(n);
    }
    Err(Error::Invalid {
        field: "section",
        reason: format!("{name:?} cannot be exported as FHIR; choose from {}", EXPORTABLE.join(", ")),
    })
}

fn live(record: &Record, section: &str) -> Result<Vec<Entry>> {
    match record.list_entries(section, ListOptions::default()) {
        Ok(v) => Ok(v),
        Err(Error::NotFound { .. }) => Ok(vec![]),
        Err(e) => Err(e),
    }
}

fn entry_json(r: Value) -> Value {
    let id = r["id"].as_str().unwrap_or_default().to_string();
    json!({ "fullUrl": format!("urn:uuid:{id}"), "resource": r })
}

fn patient_resource(record: &Record) -> Result<Value> {
    let id = uuid::Uuid::new_v4().to_string();
    Ok(live(record, "identity")?
        .first()
        .and_then(|e| resource(e, ""))
        .unwrap_or_else(|| json!({ "resourceType": "Patient", "id": id })))
}

fn ms_to_rfc3339(ms: i64) -> String {
    chrono::DateTime::<chrono::Utc>::from_timestamp_millis(ms)
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

pub(crate) fn stable_uuid(parts: &str) -> String {
    let d = ring::digest::digest(&ring::digest::SHA256, parts.as_bytes());
    let mut b = [0u8; 16];
    b.copy_from_slice(&d.as_ref()[..16]);
    uuid::Builder::from_random_bytes(b).into_uuid().to_string()
}

/// LOINC code, display and UCUM unit of the measurements FHIR has a vital-signs (or
/// activity) code for; the same codes `map.rs` reads on import.
fn measurement_code(kind: SampleKind) -> Option<(&'static str, &'static str, &'static str, bool)> {
    // (LOINC, display, UCUM unit, vital sign?)
    Some(match kind {
        SampleKind::Weight => ("29463-7", "Body weight", "kg", true),
        SampleKind::Height => ("8302-2", "Body height", "m", true),
        SampleKind::BodyFat => ("41982-0", "Percentage of body fat Measured", "%", false),
        SampleKind::HeartRate => ("8867-4", "Heart rate", "/min", true),
        SampleKind::RestingHeartRate => ("40443-4", "Heart rate --resting", "/min", true),
        SampleKind::OxygenSaturation => ("2708-6", "Oxygen saturation in Arterial blood", "%", true),
        SampleKind::RespiratoryRate => ("9279-1", "Respiratory rate", "/min", true),
        SampleKind::BodyTemperature => ("8310-5", "Body temperature", "Cel", true),
        SampleKind::BloodGlucose => ("15074-8", "Glucose [Moles/volume] in Blood", "mmol/L", false),
        SampleKind::Steps => ("55423-8", "Number of steps in unspecified time Pedometer", "{steps}", false),
        SampleKind::SleepDuration => ("93832-4", "Sleep duration", "min", false),
        // The code published wearable-to-FHIR mappings use for a watch's VO2max estimate (a
        // Health Connect to FHIR mapper, a lifestyle-medicine implementation guide's VO2max
        // profile). Not checked against loinc.org itself, which is not reachable from here.
        SampleKind::Vo2Max => ("60842-2", "Oxygen consumption (VO2 max)", "mL/(min.kg)", false),
        SampleKind::HeartRateVariability => {
            ("80404-7", "R-R interval.standard deviation (Heart rate variability)", "ms", false)
        }
        _ => return None,
    })
}

fn category(vital: bool) -> Value {
    if vital {
        json!([{ "coding": [{ "system": "http://terminology.hl7.org/CodeSystem/observation-category", "code": "vital-signs", "display": "Vital Signs" }] }])
    } else {
        json!([{ "coding": [{ "system": "http://terminology.hl7.org/CodeSystem/observation-category", "code": "activity", "display": "Activity" }] }])
    }
}

/// When a measurement was taken: an instant, or a whole day (a daily value).
#[derive(Clone, Copy, Debug)]
pub enum MeasuredAt {
    Instant(i64),
    Day(chrono::NaiveDate),
}

fn effective(o: &mut Value, at: MeasuredAt) {
    match at {
        MeasuredAt::Instant(ms) => o["effectiveDateTime"] = json!(ms_to_rfc3339(ms)),
        MeasuredAt::Day(d) => {
            o["effectivePeriod"] =
                json!({ "start": format!("{d}T00:00:00Z"), "end": format!("{d}T23:59:59Z") })
        }
    }
}

/// The ONE mapping from a measurement (a sample or a day's value) to a FHIR Observation
/// (vital-signs profile where FHIR has one); `None` for kinds without a LOINC code here.
/// Blood pressure goes through [`blood_pressure_resource`] (one panel, two components).
pub fn measurement_resource(
    id: &str,
    kind: SampleKind,
    at: MeasuredAt,
    value: f64,
    patient: &str,
) -> Option<Value> {
    let (loinc, display, unit, vital) = measurement_code(kind)?;
    let mut o = json!({
        "resourceType": "Observation", "id": id, "status": "final", "category": category(vital),
        "code": { "coding": [{ "system": LOINC, "code": loinc, "display": display }], "text": display },
        "subject": { "reference": patient },
        "valueQuantity": { "value": value, "unit": kind.unit(), "system": "http://unitsofmeasure.org", "code": unit },
    });
    effective(&mut o, at);
    Some(o)
}

/// A blood pressure reading (or a day's mean) as the vital-signs BP panel.
pub fn blood_pressure_resource(
    id: &str,
    at: MeasuredAt,
    systolic: f64,
    diastolic: f64,
    patient: &str,
) -> Value {
    let q = |v: f64| json!({ "value": v, "unit": "mmHg", "system": "http://unitsofmeasure.org", "code": "mm[Hg]" });
    let mut o = json!({
        "resourceType": "Observation", "id": id, "status": "final", "category": category(true),
        "code": { "coding": [{ "system": LOINC, "code": "85354-9", "display": "Blood pressure panel" }], "text": "Blood pressure" },
        "subject": { "reference": patient },
        "component": [
            { "code": { "coding": [{ "system": LOINC, "code": "8480-6", "display": "Systolic blood pressure" }] }, "valueQuantity": q(systolic) },
            { "code": { "coding": [{ "system": LOINC, "code": "8462-4", "display": "Diastolic blood pressure" }] }, "valueQuantity": q(diastolic) },
        ],
    });
    effective(&mut o, at);
    o
}

/// Vital-sign samples of a section as Observations (owner export: every reading).
fn sample_observations(record: &Record, section: &str, patient: &str) -> Result<Vec<Value>> {
    let mut out = Vec::new();
    match section {
        "weight" => {
            for s in record.samples(SampleKind::Weight, i64::MIN, i64::MAX)? {
                let id = stable_uuid(&format!("weight|{}|{}", s.start_ms, s.source));
                out.extend(measurement_resource(
                    &id,
                    SampleKind::Weight,
                    MeasuredAt::Instant(s.start_ms),
                    s.value,
                    patient,
                ));
            }
        }
        "blood_pressure" => {
            let dia = record.samples(SampleKind::BloodPressureDiastolic, i64::MIN, i64::MAX)?;
            for s in record.samples(SampleKind::BloodPressureSystolic, i64::MIN, i64::MAX)? {
                let Some(d) = dia.iter().find(|d| d.start_ms == s.start_ms) else { continue };
                let id = stable_uuid(&format!("bp|{}|{}", s.start_ms, s.source));
                out.push(blood_pressure_resource(
                    &id,
                    MeasuredAt::Instant(s.start_ms),
                    s.value,
                    d.value,
                    patient,
                ));
            }
        }
        _ => {}
    }
    Ok(out)
}

/// A plain `collection` Bundle of the chosen sections (the Patient is always included).
pub fn fhir_bundle(record: &Record, sections: &[String]) -> Result<Value> {
    let patient = patient_resource(record)?;
    let pref = format!("urn:uuid:{}", patient["id"].as_str().unwrap_or_default());
    let mut entries = vec![entry_json(patient)];
    for name in sections {
        let slug = section_slug(name)?;
        if slug == "identity" {
            continue;
        }
        for e in live(record, &slug)? {
            if let Some(r) = resource(&e, &pref) {
                entries.push(entry_json(r));
            }
        }
        for r in sample_observations(record, &slug, &pref)? {
            entries.push(entry_json(r));
        }
    }
    Ok(json!({
        "resourceType": "Bundle", "id": uuid::Uuid::new_v4().to_string(), "type": "collection",
        "timestamp": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true), "entry": entries,
    }))
}

/// The International Patient Summary: a `document` Bundle whose Composition has one
/// section per record section (allergies, medications and problems always present).
pub fn ips_bundle(record: &Record, sections: Option<&[String]>) -> Result<Value> {
    let wanted: Option<Vec<String>> =
        sections.map(|s| s.iter().map(|n| section_slug(n)).collect::<Result<_>>()).transpose()?;
    let patient = patient_resource(record)?;
    let pref = format!("urn:uuid:{}", patient["id"].as_str().unwrap_or_default());
    let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let mut entries = vec![];
    let mut comp_sections = vec![];
    for (slug, loinc, title) in IPS_SECTIONS {
        let include =
            wanted.as_ref().is_none_or(|w| w.iter().any(|x| x == slug)) || IPS_REQUIRED.contains(slug);
        if !include {
            continue;
        }
        let mut refs = vec![];
        let mut lines = vec![];
        for e in live(record, slug)? {
            if let Some(r) = resource(&e, &pref) {
                refs.push(json!({ "reference": format!("urn:uuid:{}", e.id) }));
                lines.push(e.value.summary());
                entries.push(entry_json(r));
            }
        }
        let mut s = json!({ "title": title, "code": { "coding": [{ "system": LOINC, "code": loinc, "display": title }] } });
        if refs.is_empty() {
            s["text"] = xhtml("No information recorded.");
            s["emptyReason"] = json!({ "coding": [{ "system": "http://terminology.hl7.org/CodeSystem/list-empty-reason", "code": "unavailable", "display": "Unavailable" }] });
        } else {
            s["text"] = xhtml(&lines.join("; "));
            s["entry"] = json!(refs);
        }
        comp_sections.push(s);
    }
    let comp_id = uuid::Uuid::new_v4().to_string();
    let composition = json!({
        "resourceType": "Composition", "id": comp_id, "status": "final",
        "type": { "coding": [{ "system": LOINC, "code": "60591-5", "display": "Patient summary Document" }] },
        "subject": { "reference": pref }, "date": now, "author": [{ "reference": pref }],
        "title": "International Patient Summary (from my personal health record)",
        "section": comp_sections,
    });
    let mut all = vec![entry_json(composition), entry_json(patient)];
    all.extend(entries);
    Ok(json!({
        "resourceType": "Bundle", "id": uuid::Uuid::new_v4().to_string(),
        "identifier": { "system": "urn:ietf:rfc:3986", "value": format!("urn:uuid:{}", uuid::Uuid::new_v4()) },
        "type": "document", "timestamp": now, "entry": all,
    }))
}
