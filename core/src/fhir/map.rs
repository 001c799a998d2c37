//! One FHIR R4 resource (as JSON) -> the record's model. Pure functions, no I/O.
//!
//! UK Core and Synthea shapes: codes are kept with their systems (SNOMED CT, dm+d, LOINC)
//! and display text. Vital signs become samples; other observations become test results.

use crate::record::{
    AllergyKind, AllergyStatus, Code, ConditionStatus, EntryValue, FieldValue, NhsNumber,
    OrganDonationDecision, Sample, SampleKind, Severity,
};
use crate::store::RESULTS_SECTION;
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};

pub const NHS_NUMBER_SYSTEM: &str = "https://fhir.nhs.uk/Id/nhs-number";
pub const SNOMED: &str = "http://snomed.info/sct";
pub const LOINC: &str = "http://loinc.org";
pub const DMD: &str = "https://dmd.nhs.uk";

/// What one resource becomes.
#[derive(Debug)]
pub enum Mapped {
    Identity(EntryValue),
    Entry {
        section: String,
        value: EntryValue,
    },
    Samples(Vec<Sample>),
    /// Nothing in the record's model: kept raw. The reason is for the report.
    Unmapped(&'static str),
    /// Deliberately not imported (entered in error, not done); kept raw.
    Skipped(&'static str),
}

pub(crate) fn get<'a>(v: &'a Value, path: &str) -> Option<&'a Value> {
    let mut cur = v;
    for part in path.split('.') {
        cur = match part.parse::<usize>() {
            Ok(i) => cur.get(i)?,
            Err(_) => cur.get(part)?,
        };
    }
    Some(cur)
}

pub(crate) fn str_at<'a>(v: &'a Value, path: &str) -> Option<&'a str> {
    get(v, path)?.as_str().map(str::trim).filter(|s| !s.is_empty())
}

fn arr<'a>(v: &'a Value, key: &str) -> &'a [Value] {
    v.get(key).and_then(Value::as_array).map(Vec::as_slice).unwrap_or(&[])
}

/// Text for a CodeableConcept: its text, else the first display, else the first code.
pub(crate) fn cc_text(cc: &Value) -> Option<String> {
    if let Some(t) = str_at(cc, "text") {
        return Some(t.to_string());
    }
    let codings = arr(cc, "coding");
    codings
        .iter()
        .find_map(|c| str_at(c, "display"))
        .or_else(|| codings.iter().find_map(|c| str_at(c, "code")))
        .map(str::to_string)
}

/// The most useful coding: SNOMED CT, then dm+d, then LOINC, then the first with a system.
pub(crate) fn cc_code(cc: &Value) -> Option<Code> {
    let codings = arr(cc, "coding");
    let rank = |c: &Value| match str_at(c, "system") {
        Some(SNOMED) => 0,
        Some(s) if s.starts_with(DMD) => 1,
        Some(LOINC) => 2,
        Some(_) => 3,
        None => 9,
    };
    let best = codings
        .iter()
        .filter(|c| str_at(c, "code").is_some() && str_at(c, "system").is_some())
        .min_by_key(|c| rank(c))?;
    Some(Code {
        system: str_at(best, "system")?.to_string(),
        code: str_at(best, "code")?.to_string(),
        display: str_at(best, "display").map(str::to_string),
    })
}

fn has_code(cc: Option<&Value>, codes: &[&str]) -> bool {
    cc.map(|cc| arr(cc, "coding").iter().any(|c| str_at(c, "code").is_some_and(|k| codes.contains(&k))))
        .unwrap_or(false)
}

/// FHIR date or dateTime (partial dates allowed) -> a calendar day.
pub(crate) fn day(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    let d = s.get(..10).and_then(|p| NaiveDate::parse_from_str(p, "%Y-%m-%d").ok());
    d.or_else(|| s.get(..7).and_then(|p| NaiveDate::parse_from_str(&format!("{p}-01"), "%Y-%m-%d").ok()))
        .or_else(|| {
            if s.len() == 4 {
                NaiveDate::parse_from_str(&format!("{s}-01-01"), "%Y-%m-%d").ok()
            } else {
                None
            }
        })
}

/// FHIR dateTime -> UTC ms; a bare date is taken as noon UTC.
pub(crate) fn instant_ms(s: &str) -> Option<i64> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&Utc).timestamp_millis());
    }
    if let Ok(t) = NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S") {
        return Some(t.and_utc().timestamp_millis());
    }
    day(s).and_then(|d| d.and_hms_opt(12, 0, 0)).map(|t| t.and_utc().timestamp_millis())
}

fn first_day(v: &Value, paths: &[&str]) -> Option<NaiveDate> {
    paths.iter().find_map(|p| str_at(v, p)).and_then(day)
}

fn human_name(n: &Value) -> (String, String) {
    let given = arr(n, "given").iter().filter_map(Value::as_str).collect::<Vec<_>>().join(" ");
    let family = str_at(n, "family").unwrap_or_default().to_string();
    if given.is_empty() && family.is_empty() {
        if let Some(t) = str_at(n, "text") {
            let mut parts: Vec<&str> = t.split_whitespace().collect();
            let fam = parts.pop().unwrap_or_default().to_string();
            return (parts.join(" "), fam);
        }
    }
    (given, family)
}

fn pick_name(r: &Value) -> Option<&Value> {
    let names = arr(r, "name");
    names
        .iter()
        .find(|n| str_at(n, "use") == Some("official"))
        .or_else(|| names.iter().find(|n| str_at(n, "use") != Some("old")))
        .or(names.first())
}

fn address(r: &Value) -> Option<String> {
    let a =
        arr(r, "address").iter().find(|a| str_at(a, "use") == Some("home")).or(arr(r, "address").first())?;
    if let Some(t) = str_at(a, "text") {
        return Some(t.to_string());
    }
    let mut parts: Vec<String> =
        arr(a, "line").iter().filter_map(Value::as_str).map(str::to_string).collect();
    for k in ["city", "district", "postalCode"] {
        if let Some(x) = str_at(a, k) {
            parts.push(x.to_string());
        }
    }
    (!parts.is_empty()).then(|| parts.join(", "))
}

/// Problems met while mapping that do not stop the import (for the report).
pub type Notes = Vec<String>;

pub fn patient(r: &Value, notes: &mut Notes) -> Mapped {
    let Some(n) = pick_name(r) else { return Mapped::Unmapped("a Patient without a name") };
    let (given, family) = human_name(n);
    if given.trim().is_empty() || family.trim().is_empty() {
        return Mapped::Unmapped("a Patient without a given and family name");
    }
    let mut nhs_number = None;
    for id in arr(r, "identifier") {
        if str_at(id, "system") == Some(NHS_NUMBER_SYSTEM) {
            match str_at(id, "value").map(NhsNumber::parse) {
                Some(Ok(n)) => nhs_number = Some(n),
                _ => notes.push("a Patient's NHS number is not valid (check digit); it was left out".into()),
            }
        }
    }
    Mapped::Identity(EntryValue::Identity {
        given_name: given,
        family_name: family,
        date_of_birth: str_at(r, "birthDate").and_then(day),
        nhs_number,
        address: address(r),
        gp_practice: arr(r, "generalPractitioner")
            .iter()
            .find_map(|g| str_at(g, "display"))
            .map(str::to_string),
    })
}

/// The NHS number a resource carries, if valid (used for "is this the same person").
pub fn nhs_number_of(r: &Value) -> Option<NhsNumber> {
    arr(r, "identifier")
        .iter()
        .filter(|i| str_at(i, "system") == Some(NHS_NUMBER_SYSTEM))
        .find_map(|i| str_at(i, "value").and_then(|v| NhsNumber::parse(v).ok()))
}

pub fn related_person(r: &Value) -> Mapped {
    let name = pick_name(r).map(|n| {
        let (g, f) = human_name(n);
        format!("{g} {f}").trim().to_string()
    });
    let name = name.filter(|n| !n.is_empty()).unwrap_or_else(|| "(name not given)".into());
    let rels = arr(r, "relationship");
    let codes: Vec<String> = rels
        .iter()
        .flat_map(|cc| arr(cc, "coding"))
        .filter_map(|c| str_at(c, "code"))
        .map(str::to_uppercase)
        .collect();
    let text = rels.iter().filter_map(cc_text).collect::<Vec<_>>();
    let lower = text.join(" ").to_lowercase();
    let next_of_kin = codes.iter().any(|c| matches!(c.as_str(), "N" | "NOK" | "NXT" | "NEXT-OF-KIN"))
        || lower.contains("next of kin")
        || lower.contains("next-of-kin");
    let emergency =
        codes.iter().any(|c| matches!(c.as_str(), "C" | "ECON" | "EP")) || lower.contains("emergency");
    let relationship = text
        .iter()
        .find(|t| !t.to_lowercase().contains("next of kin") && !t.to_lowercase().contains("emergency"))
        .cloned()
        .or(text.first().cloned())
        .unwrap_or_else(|| "related person".into());
    let phone = arr(r, "telecom")
        .iter()
        .find(|t| str_at(t, "system") == Some("phone"))
        .and_then(|t| str_at(t, "value"))
        .map(str::to_string);
    Mapped::Entry {
        section: "contacts".into(),
        value: EntryValue::Contact { name, relationship, phone, next_of_kin, emergency_contact: emergency },
    }
}

/// SNOMED CT "no known allergy" situations: no known allergy, drug, food, environmental,
/// insect and latex allergy.
const NO_KNOWN_ALLERGY: &[&str] =
    &["716186003", "409137002", "429625007", "428607008", "428197003", "1003774007"];
/// IPS "absent or unknown" codes for allergies (`no-allergy-info` is not an absence).
const IPS_NO_KNOWN_ALLERGY: &[&str] = &[
    "no-known-allergies",
    "no-known-medication-allergies",
    "no-known-food-allergies",
    "no-known-environmental-allergies",
];

/// A recorded absence of allergies, by code or, where uncoded, by its words.
fn is_no_known_allergy(cc: &Value) -> bool {
    if has_code(Some(cc), NO_KNOWN_ALLERGY) || has_code(Some(cc), IPS_NO_KNOWN_ALLERGY) {
        return true;
    }
    let text = cc_text(cc).unwrap_or_default().to_lowercase();
    text.starts_with("no known") && text.contains("allerg")
}

/// SNOMED's semantic tag is for terminologists: "No known allergy (situation)" reads
/// as "No known allergy".
fn without_semantic_tag(text: String) -> String {
    match text.strip_suffix(" (situation)").or_else(|| text.strip_suffix(" (finding)")) {
        Some(t) => t.to_string(),
        None => text,
    }
}

fn refuted(r: &Value) -> bool {
    has_code(r.get("verificationStatus"), &["refuted"])
}

fn entered_in_error(r: &Value) -> bool {
    str_at(r, "status") == Some("entered-in-error")
        || has_code(r.get("verificationStatus"), &["entered-in-error"])
}

fn notes_text(r: &Value) -> Option<String> {
    let n: Vec<&str> = arr(r, "note").iter().filter_map(|n| str_at(n, "text")).collect();
    (!n.is_empty()).then(|| n.join("\n"))
}

pub fn condition(r: &Value) -> Mapped {
    if entered_in_error(r) {
        return Mapped::Skipped("entered in error");
    }
    if refuted(r) {
        return Mapped::Skipped("refuted: the clinician found the person does not have it");
    }
    let Some(cc) = r.get("code") else { return Mapped::Unmapped("a Condition without a code") };
    let Some(name) = cc_text(cc) else { return Mapped::Unmapped("a Condition without a name") };
    let status = if has_code(r.get("clinicalStatus"), &["remission"]) {
        ConditionStatus::InRemission
    } else if has_code(r.get("clinicalStatus"), &["inactive"]) {
        ConditionStatus::Inactive
    } else if has_code(r.get("clinicalStatus"), &["resolved"]) || str_at(r, "abatementDateTime").is_some() {
        ConditionStatus::Resolved
    } else {
        ConditionStatus::Active
    };
    Mapped::Entry {
        section: "conditions".into(),
        value: EntryValue::Condition {
            name,
            code: cc_code(cc),
            onset: first_day(r, &["onsetDateTime", "onsetPeriod.start", "recordedDate"]),
            status,
            notes: notes_text(r),
        },
    }
}

/// The medication a statement or request is about: its own concept, a contained
/// Medication, or one elsewhere in the bundle (`meds`: reference -> (name, code)).
fn medication_concept(
    r: &Value,
    meds: &HashMap<String, (String, Option<Code>)>,
) -> Option<(String, Option<Code>)> {
    if let Some(cc) = r.get("medicationCodeableConcept") {
        return cc_text(cc).map(|n| (n, cc_code(cc)));
    }
    let reference = str_at(r, "medicationReference.reference");
    if let Some(local) = reference.and_then(|x| x.strip_prefix('#')) {
        let m = arr(r, "contained").iter().find(|c| str_at(c, "id") == Some(local))?;
        let cc = m.get("code")?;
        return cc_text(cc).map(|n| (n, cc_code(cc)));
    }
    if let Some(x) = reference {
        if let Some(found) = meds.get(x).or_else(|| {
            x.rsplit_once("/Medication/").and_then(|(_, id)| meds.get(&format!("Medication/{id}")))
        }) {
            return Some(found.clone());
        }
    }
    str_at(r, "medicationReference.display").map(|d| (d.to_string(), None))
}

fn quantity_text(q: &Value) -> Option<String> {
    let v = q.get("value")?.as_f64()?;
    let unit = str_at(q, "unit").or_else(|| str_at(q, "code")).unwrap_or_default();
    Some(format!("{} {unit}", fmt_num(v)).trim().to_string())
}

fn fmt_num(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

fn timing_text(t: &Value) -> Option<String> {
    if let Some(x) = str_at(t, "code.text").map(str::to_string).or_else(|| t.get("code").and_then(cc_text)) {
        return Some(x);
    }
    let rep = t.get("repeat")?;
    let freq = rep.get("frequency").and_then(Value::as_f64).unwrap_or(1.0);
    let period = rep.get("period").and_then(Value::as_f64).unwrap_or(1.0);
    let unit = match str_at(rep, "periodUnit")? {
        "h" => "hour",
        "d" => "day",
        "wk" => "week",
        "mo" => "month",
        "a" => "year",
        "min" => "minute",
        _ => return None,
    };
    let times = match freq as i64 {
        1 => "once".to_string(),
        2 => "twice".to_string(),
        n => format!("{n} times"),
    };
    Some(if period == 1.0 {
        format!("{times} a {unit}")
    } else {
        format!("{times} every {} {unit}s", fmt_num(period))
    })
}

pub fn medication(r: &Value, meds: &HashMap<String, (String, Option<Code>)>) -> Mapped {
    if entered_in_error(r) {
        return Mapped::Skipped("entered in error");
    }
    let Some((name, code)) = medication_concept(r, meds) else {
        return Mapped::Unmapped("a medication whose medicine could not be found");
    };
    let dosage_key = if r.get("dosageInstruction").is_some() { "dosageInstruction" } else { "dosage" };
    let d = arr(r, dosage_key).first();
    let dose = d.and_then(|d| {
        arr(d, "doseAndRate")
            .first()
            .and_then(|x| x.get("doseQuantity"))
            .and_then(quantity_text)
            .or_else(|| str_at(d, "text").map(str::to_string))
    });
    let route = d.and_then(|d| d.get("route")).and_then(cc_text);
    let frequency = d.and_then(|d| d.get("timing")).and_then(timing_text);
    let start = first_day(
        r,
        &["effectivePeriod.start", "effectiveDateTime", "authoredOn", "dispenseRequest.validityPeriod.start"],
    );
    let mut stop = first_day(r, &["effectivePeriod.end", "dispenseRequest.validityPeriod.end"]);
    if let (Some(a), Some(b)) = (start, stop) {
        if b < a {
            stop = None;
        }
    }
    let reason = arr(r, "reasonCode")
        .iter()
        .find_map(cc_text)
        .or_else(|| arr(r, "reasonReference").iter().find_map(|x| str_at(x, "display").map(str::to_string)));
    Mapped::Entry {
        section: "medications".into(),
        value: EntryValue::Medication { name, dose, route, frequency, start, stop, reason, code },
    }
}

pub fn allergy(r: &Value) -> Mapped {
    if entered_in_error(r) {
        return Mapped::Skipped("entered in error");
    }
    if refuted(r) {
        return Mapped::Skipped("refuted: the clinician found the person does not have it");
    }
    let Some(cc) = r.get("code") else { return Mapped::Unmapped("an AllergyIntolerance without a code") };
    let Some(substance) = cc_text(cc).map(without_semantic_tag) else {
        return Mapped::Unmapped("an AllergyIntolerance without a substance");
    };
    let status = if has_code(r.get("clinicalStatus"), &["resolved"]) {
        AllergyStatus::Resolved
    } else if has_code(r.get("clinicalStatus"), &["inactive"]) {
        AllergyStatus::Inactive
    } else {
        AllergyStatus::Active
    };
    if is_no_known_allergy(cc) {
        // An absence: no severity or reaction, whatever criticality the sender defaulted.
        return Mapped::Entry {
            section: "allergies".into(),
            value: EntryValue::Allergy {
                substance,
                reaction: None,
                severity: None,
                kind: AllergyKind::NoKnownAllergy,
                status,
                code: cc_code(cc),
            },
        };
    }
    let reactions = arr(r, "reaction");
    let reaction =
        reactions.iter().flat_map(|x| arr(x, "manifestation")).filter_map(cc_text).collect::<Vec<_>>();
    let severity =
        match reactions.iter().find_map(|x| str_at(x, "severity")).or(match str_at(r, "criticality") {
            Some("high") => Some("severe"),
            Some("low") => Some("mild"),
            _ => None,
        }) {
            Some("severe") => Severity::Severe,
            Some("mild") => Severity::Mild,
            _ => Severity::Moderate,
        };
    let kind = if str_at(r, "type") == Some("intolerance") {
        AllergyKind::Intolerance
    } else {
        AllergyKind::Allergy
    };
    Mapped::Entry {
        section: "allergies".into(),
        value: EntryValue::Allergy {
            substance,
            reaction: (!reaction.is_empty()).then(|| reaction.join(", ")),
            severity: Some(severity),
            kind,
            status,
            code: cc_code(cc),
        },
    }
}

pub fn procedure(r: &Value) -> Mapped {
    if entered_in_error(r) || str_at(r, "status") == Some("not-done") {
        return Mapped::Skipped("not done or entered in error");
    }
    let Some(cc) = r.get("code") else { return Mapped::Unmapped("a Procedure without a code") };
    let Some(name) = cc_text(cc) else { return Mapped::Unmapped("a Procedure without a name") };
    Mapped::Entry {
        section: "procedures".into(),
        value: EntryValue::Procedure {
            name,
            date: first_day(r, &["performedDateTime", "performedPeriod.start", "performedString"]),
            location: str_at(r, "location.display").map(str::to_string),
            code: cc_code(cc),
            notes: notes_text(r),
        },
    }
}

pub fn immunization(r: &Value) -> Mapped {
    if entered_in_error(r) || str_at(r, "status") == Some("not-done") {
        return Mapped::Skipped("not done or entered in error");
    }
    let Some(cc) = r.get("vaccineCode") else {
        return Mapped::Unmapped("an Immunization without a vaccine code");
    };
    let Some(vaccine) = cc_text(cc) else {
        return Mapped::Unmapped("an Immunization without a vaccine name");
    };
    let Some(date) = first_day(r, &["occurrenceDateTime", "occurrenceString", "recorded"]) else {
        return Mapped::Unmapped("an Immunization without a date");
    };
    let dose = arr(r, "protocolApplied").first().and_then(|p| {
        p.get("doseNumberPositiveInt")
            .and_then(Value::as_i64)
            .map(|n| format!("dose {n}"))
            .or_else(|| str_at(p, "doseNumberString").map(str::to_string))
    });
    Mapped::Entry {
        section: "vaccinations".into(),
        value: EntryValue::Vaccination { vaccine, date, dose, next_due: None, code: cc_code(cc) },
    }
}

pub fn encounter(r: &Value) -> Mapped {
    if entered_in_error(r) {
        return Mapped::Skipped("entered in error");
    }
    let Some(date) = first_day(r, &["period.start", "period.end"]) else {
        return Mapped::Unmapped("an Encounter without a date");
    };
    let what = arr(r, "type")
        .iter()
        .find_map(cc_text)
        .or_else(|| str_at(r, "class.display").map(str::to_string))
        .unwrap_or_else(|| "Appointment or visit".into());
    let mut details = Vec::new();
    if let Some(p) = str_at(r, "serviceProvider.display") {
        details.push(format!("at {p}"));
    }
    let reasons: Vec<String> = arr(r, "reasonCode").iter().filter_map(cc_text).collect();
    if !reasons.is_empty() {
        details.push(format!("reason: {}", reasons.join(", ")));
    }
    Mapped::Entry {
        section: "life_events".into(),
        value: EntryValue::LifeEvent {
            date,
            title: format!("Visit: {what}"),
            details: (!details.is_empty()).then(|| details.join("; ")),
        },
    }
}

pub fn consent(r: &Value) -> Mapped {
    let text = r.to_string().to_lowercase();
    if !(text.contains("organ donat") || text.contains("organ donor") || text.contains("donation of organ")) {
        return Mapped::Unmapped("a Consent that is not about organ donation");
    }
    if matches!(str_at(r, "status"), Some("inactive" | "entered-in-error" | "rejected")) {
        return Mapped::Skipped("an inactive consent");
    }
    let decision = match str_at(r, "provision.type") {
        Some("permit") => OrganDonationDecision::OptIn,
        Some("deny") => OrganDonationDecision::OptOut,
        _ => OrganDonationDecision::Undecided,
    };
    Mapped::Entry {
        section: "organ_donation".into(),
        value: EntryValue::OrganDonation { decision, registered: str_at(r, "status") == Some("active") },
    }
}

// ---- observations -------------------------------------------------------------------

const BP_PANEL: &[&str] = &["85354-9", "55284-4", "35094-2", "75367002", "163020007", "251076008"];
const SYSTOLIC: &[&str] = &["8480-6", "271649006", "72313002", "163030003"];
const DIASTOLIC: &[&str] = &["8462-4", "271650006", "1091811000000102", "163031004"];

fn vital_kind(cc: Option<&Value>) -> Option<SampleKind> {
    let table: &[(&[&str], SampleKind)] = &[
        (&["29463-7", "3141-9", "27113001", "363808001"], SampleKind::Weight),
        (&["8302-2", "8306-3", "50373000", "248333004"], SampleKind::Height),
        (&["8867-4", "364075005", "78564009"], SampleKind::HeartRate),
        (&["2708-6", "59408-5", "431314004", "103228002"], SampleKind::OxygenSaturation),
        (&["9279-1", "86290005"], SampleKind::RespiratoryRate),
        (&["8310-5", "276885007", "386725007"], SampleKind::BodyTemperature),
        (&["15074-8", "2339-0", "2345-7"], SampleKind::BloodGlucose),
        (&["8480-6", "271649006", "72313002"], SampleKind::BloodPressureSystolic),
        (&["8462-4", "271650006", "1091811000000102"], SampleKind::BloodPressureDiastolic),
    ];
    table.iter().find(|(codes, _)| has_code(cc, codes)).map(|(_, k)| *k)
}

fn ucum(kind: SampleKind, code: &str) -> String {
    match code {
        "mm[Hg]" => "mmHg".into(),
        "/min" | "{beats}/min" | "{breaths}/min" => kind.unit().into(),
        "Cel" => "°C".into(),
        "[degF]" => "°F".into(),
        "[lb_av]" => "lb".into(),
        "kg/m2" => code.into(),
        other => other.into(),
    }
}

fn sample_from(kind: SampleKind, q: &Value, at_ms: i64, source: &str, key: String) -> Option<Sample> {
    let v = q.get("value")?.as_f64()?;
    let unit = str_at(q, "code")
        .or_else(|| str_at(q, "unit"))
        .map(|u| ucum(kind, u))
        .unwrap_or_else(|| kind.unit().to_string());
    let v = kind.to_canonical(v, &unit).ok()?;
    let s = Sample {
        kind,
        start_ms: at_ms,
        end_ms: at_ms,
        value: v,
        source: source.to_string(),
        dedup_key: Some(key),
    };
    s.validate().ok().map(|_| s)
}

/// An Observation: vital signs -> samples (source `sample_source`); anything else ->
/// a test-result entry with its value, unit, reference range and interpretation.
pub fn observation(r: &Value, rid: &str, sample_source: &str) -> Mapped {
    if entered_in_error(r) || str_at(r, "status") == Some("cancelled") {
        return Mapped::Skipped("cancelled or entered in error");
    }
    let code = r.get("code");
    let at = ["effectiveDateTime", "effectivePeriod.start", "effectiveInstant", "issued"]
        .iter()
        .find_map(|p| str_at(r, p))
        .and_then(instant_ms);
    if let Some(at) = at {
        if has_code(code, BP_PANEL)
            || (arr(r, "component").len() >= 2
                && arr(r, "component")
                    .iter()
                    .all(|c| has_code(c.get("code"), SYSTOLIC) || has_code(c.get("code"), DIASTOLIC)))
        {
            let mut out = Vec::new();
            for c in arr(r, "component") {
                let kind = if has_code(c.get("code"), SYSTOLIC) {
                    SampleKind::BloodPressureSystolic
                } else if has_code(c.get("code"), DIASTOLIC) {
                    SampleKind::BloodPressureDiastolic
                } else {
                    continue;
                };
                if let Some(s) = c
                    .get("valueQuantity")
                    .and_then(|q| sample_from(kind, q, at, sample_source, format!("{rid}|{}", kind.slug())))
                {
                    out.push(s);
                }
            }
            if !out.is_empty() {
                return Mapped::Samples(out);
            }
        } else if let (Some(kind), Some(q)) = (vital_kind(code), r.get("valueQuantity")) {
            if let Some(s) = sample_from(kind, q, at, sample_source, rid.to_string()) {
                return Mapped::Samples(vec![s]);
            }
        }
    }
    result_entry(r, code, "observation")
}

/// A test result (Observation or DiagnosticReport) as a custom-section entry.
fn result_entry(r: &Value, code: Option<&Value>, category_default: &str) -> Mapped {
    let Some(test) = code.and_then(cc_text) else { return Mapped::Unmapped("a result without a code") };
    let mut f: BTreeMap<String, FieldValue> = BTreeMap::new();
    f.insert("test".into(), FieldValue::Text(test));
    let text = |f: &mut BTreeMap<String, FieldValue>, k: &str, v: Option<String>| {
        if let Some(v) = v.filter(|v| !v.trim().is_empty()) {
            f.insert(k.into(), FieldValue::Text(v));
        }
    };
    if let Some(q) = r.get("valueQuantity") {
        if let Some(v) = q.get("value").and_then(Value::as_f64) {
            f.insert("value".into(), FieldValue::Number(v));
        }
        text(&mut f, "unit", str_at(q, "unit").or_else(|| str_at(q, "code")).map(str::to_string));
    } else if let Some(v) = str_at(r, "valueString") {
        text(&mut f, "result", Some(v.to_string()));
    } else if let Some(cc) = r.get("valueCodeableConcept") {
        text(&mut f, "result", cc_text(cc));
    } else if let Some(b) = r.get("valueBoolean").and_then(Value::as_bool) {
        text(&mut f, "result", Some(if b { "yes" } else { "no" }.into()));
    } else if let Some(v) = r.get("valueInteger").and_then(Value::as_f64) {
        f.insert("value".into(), FieldValue::Number(v));
    } else if let Some(c) = str_at(r, "conclusion") {
        text(&mut f, "result", Some(c.to_string()));
    } else if !arr(r, "component").is_empty() {
        let parts: Vec<String> = arr(r, "component")
            .iter()
            .filter_map(|c| {
                let name = c.get("code").and_then(cc_text)?;
                let val = c
                    .get("valueQuantity")
                    .and_then(quantity_text)
                    .or_else(|| str_at(c, "valueString").map(str::to_string))
                    .or_else(|| c.get("valueCodeableConcept").and_then(cc_text))?;
                Some(format!("{name}: {val}"))
            })
            .collect();
        text(&mut f, "result", (!parts.is_empty()).then(|| parts.join("; ")));
    } else if let Some(reason) = r.get("dataAbsentReason").and_then(cc_text) {
        text(&mut f, "result", Some(format!("no result ({reason})")));
    }
    if let Some(rr) = arr(r, "referenceRange").first() {
        if let Some(v) = get(rr, "low.value").and_then(Value::as_f64) {
            f.insert("low".into(), FieldValue::Number(v));
        }
        if let Some(v) = get(rr, "high.value").and_then(Value::as_f64) {
            f.insert("high".into(), FieldValue::Number(v));
        }
        text(&mut f, "range", str_at(rr, "text").map(str::to_string));
    }
    text(&mut f, "interpretation", arr(r, "interpretation").iter().find_map(cc_text));
    if let Some(d) = ["effectiveDateTime", "effectivePeriod.start", "issued"]
        .iter()
        .find_map(|p| str_at(r, p))
        .and_then(day)
    {
        f.insert("date".into(), FieldValue::Text(d.to_string()));
    }
    text(&mut f, "code", code.and_then(cc_code).map(|c| format!("{}|{}", c.system, c.code)));
    text(&mut f, "status", str_at(r, "status").map(str::to_string));
    let category =
        arr(r, "category").iter().find_map(cc_text).unwrap_or_else(|| category_default.to_string());
    text(&mut f, "category", Some(category));
    Mapped::Entry { section: RESULTS_SECTION.into(), value: EntryValue::Custom { fields: f } }
}

pub fn diagnostic_report(r: &Value) -> Mapped {
    if entered_in_error(r) {
        return Mapped::Skipped("entered in error");
    }
    let mut m = result_entry(r, r.get("code"), "report");
    if let Mapped::Entry { value: EntryValue::Custom { fields }, .. } = &mut m {
        if !fields.contains_key("result") && !fields.contains_key("value") {
            let n = arr(r, "result").len();
            fields.insert(
                "result".into(),
                FieldValue::Text(format!("report with {n} result{}", if n == 1 { "" } else { "s" })),
            );
        }
    }
    m
}
