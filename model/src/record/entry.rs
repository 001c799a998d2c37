//! Entries: typed values with provenance, edit history, annotations and tombstones.

use super::{BloodGroup, FieldDef, FieldType, NhsNumber, Section, SectionClass};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A code from a clinical terminology, kept with its system (SNOMED CT, dm+d, LOINC...).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Code {
    pub system: String,
    pub code: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Mild,
    Moderate,
    Severe,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AllergyKind {
    Allergy,
    Intolerance,
    /// A recorded absence ("no known allergy", "no known drug allergy", ...): a fact about
    /// the person, never an allergy, so it has no severity or reaction.
    NoKnownAllergy,
}

/// Whether an allergy still holds (FHIR `clinicalStatus`). Older entries have none and
/// read as active.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AllergyStatus {
    #[default]
    Active,
    Inactive,
    Resolved,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConditionStatus {
    Active,
    Resolved,
    InRemission,
    /// No longer active, without the clinician saying it is gone (FHIR `inactive`).
    Inactive,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "decision")]
pub enum OrganDonationDecision {
    OptIn,
    OptOut,
    /// Donate only the listed organs or tissue.
    Some {
        organs: Vec<String>,
    },
    /// A named person decides.
    Appointed {
        representative: String,
    },
    Undecided,
}

/// A value in a user-defined section.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum FieldValue {
    Bool(bool),
    Number(f64),
    Text(String),
}

/// What an entry says. One variant per kind of fact; each section accepts the variants
/// that make sense there (see [`EntryValue::check_fits`]).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "type")]
pub enum EntryValue {
    Identity {
        given_name: String,
        family_name: String,
        #[serde(default)]
        date_of_birth: Option<NaiveDate>,
        #[serde(default)]
        nhs_number: Option<NhsNumber>,
        #[serde(default)]
        address: Option<String>,
        #[serde(default)]
        gp_practice: Option<String>,
    },
    Contact {
        name: String,
        relationship: String,
        #[serde(default)]
        phone: Option<String>,
        #[serde(default)]
        next_of_kin: bool,
        #[serde(default)]
        emergency_contact: bool,
    },
    EmergencyInfo {
        text: String,
    },
    Condition {
        name: String,
        #[serde(default)]
        code: Option<Code>,
        #[serde(default)]
        onset: Option<NaiveDate>,
        status: ConditionStatus,
        #[serde(default)]
        notes: Option<String>,
    },
    Medication {
        name: String,
        #[serde(default)]
        dose: Option<String>,
        #[serde(default)]
        route: Option<String>,
        #[serde(default)]
        frequency: Option<String>,
        #[serde(default)]
        start: Option<NaiveDate>,
        #[serde(default)]
        stop: Option<NaiveDate>,
        #[serde(default)]
        reason: Option<String>,
        #[serde(default)]
        code: Option<Code>,
    },
    SocialPrescription {
        activity: String,
        #[serde(default)]
        provider: Option<String>,
        #[serde(default)]
        start: Option<NaiveDate>,
        #[serde(default)]
        stop: Option<NaiveDate>,
        #[serde(default)]
        reason: Option<String>,
    },
    Procedure {
        name: String,
        #[serde(default)]
        date: Option<NaiveDate>,
        #[serde(default)]
        location: Option<String>,
        #[serde(default)]
        code: Option<Code>,
        #[serde(default)]
        notes: Option<String>,
    },
    LifeEvent {
        date: NaiveDate,
        title: String,
        #[serde(default)]
        details: Option<String>,
    },
    OrganDonation {
        #[serde(flatten)]
        decision: OrganDonationDecision,
        #[serde(default)]
        registered: bool,
    },
    Allergy {
        substance: String,
        #[serde(default)]
        reaction: Option<String>,
        /// None only for [`AllergyKind::NoKnownAllergy`] (checked in `check_fits`).
        #[serde(default)]
        severity: Option<Severity>,
        kind: AllergyKind,
        #[serde(default)]
        status: AllergyStatus,
        #[serde(default)]
        code: Option<Code>,
    },
    BloodGroup {
        group: BloodGroup,
    },
    Vaccination {
        vaccine: String,
        date: NaiveDate,
        #[serde(default)]
        dose: Option<String>,
        #[serde(default)]
        next_due: Option<NaiveDate>,
        #[serde(default)]
        code: Option<Code>,
    },
    /// A dental or optician visit.
    CheckUp {
        date: NaiveDate,
        #[serde(default)]
        practice: Option<String>,
        summary: String,
        #[serde(default)]
        next_due: Option<NaiveDate>,
    },
    FamilyHistory {
        relative: String,
        condition: String,
        #[serde(default)]
        age_at_onset: Option<u32>,
    },
    /// A dated note: the shape of most optional sections (diet, stress, sleep, wishes...).
    Note {
        #[serde(default)]
        date: Option<NaiveDate>,
        #[serde(default)]
        title: Option<String>,
        text: String,
    },
    /// A value in a user-defined section.
    Custom {
        fields: BTreeMap<String, FieldValue>,
    },
}

impl EntryValue {
    pub fn type_name(&self) -> &'static str {
        match self {
            Self::Identity { .. } => "identity",
            Self::Contact { .. } => "contact",
            Self::EmergencyInfo { .. } => "emergency_info",
            Self::Condition { .. } => "condition",
            Self::Medication { .. } => "medication",
            Self::SocialPrescription { .. } => "social_prescription",
            Self::Procedure { .. } => "procedure",
            Self::LifeEvent { .. } => "life_event",
            Self::OrganDonation { .. } => "organ_donation",
            Self::Allergy { .. } => "allergy",
            Self::BloodGroup { .. } => "blood_group",
            Self::Vaccination { .. } => "vaccination",
            Self::CheckUp { .. } => "check_up",
            Self::FamilyHistory { .. } => "family_history",
            Self::Note { .. } => "note",
            Self::Custom { .. } => "custom",
        }
    }

    /// A one-line human summary (for lists).
    pub fn summary(&self) -> String {
        let opt = |o: &Option<String>| o.clone().unwrap_or_default();
        match self {
            Self::Identity { given_name, family_name, date_of_birth, nhs_number, .. } => format!(
                "{given_name} {family_name}{}{}",
                date_of_birth.map(|d| format!(", born {}", format_day(d))).unwrap_or_default(),
                nhs_number.as_ref().map(|n| format!(", NHS number {n}")).unwrap_or_default()
            ),
            Self::Contact { name, relationship, phone, next_of_kin, emergency_contact } => {
                let mut roles = vec![];
                if *next_of_kin {
                    roles.push("next of kin");
                }
                if *emergency_contact {
                    roles.push("emergency contact");
                }
                let roles = if roles.is_empty() { String::new() } else { format!("; {}", roles.join(", ")) };
                format!(
                    "{name} ({relationship}){}{roles}",
                    phone.as_ref().map(|p| format!(", {p}")).unwrap_or_default()
                )
            }
            Self::EmergencyInfo { text } => text.clone(),
            Self::Condition { name, status, onset, .. } => {
                let status = match status {
                    ConditionStatus::Active => "active",
                    ConditionStatus::Resolved => "resolved",
                    ConditionStatus::InRemission => "in remission",
                    ConditionStatus::Inactive => "inactive",
                };
                format!(
                    "{name} ({status}{})",
                    onset.map(|d| format!(", since {}", format_day(d))).unwrap_or_default()
                )
            }
            Self::Medication { name, dose, frequency, stop, .. } => {
                let mut s = name.clone();
                for part in [opt(dose), opt(frequency)] {
                    if !part.is_empty() {
                        s.push_str(", ");
                        s.push_str(&part);
                    }
                }
                if let Some(stop) = stop {
                    s.push_str(&format!(" (until {})", format_day(*stop)));
                }
                s
            }
            Self::SocialPrescription { activity, provider, .. } => {
                format!("{activity}{}", provider.as_ref().map(|p| format!(" with {p}")).unwrap_or_default())
            }
            Self::Procedure { name, date, .. } => {
                format!("{name}{}", date.map(|d| format!(" ({})", format_day(d))).unwrap_or_default())
            }
            Self::LifeEvent { date, title, .. } => format!("{}: {title}", format_day(*date)),
            Self::OrganDonation { decision, registered } => {
                let d = match decision {
                    OrganDonationDecision::OptIn => "wants to donate".to_string(),
                    OrganDonationDecision::OptOut => "does not want to donate".to_string(),
                    OrganDonationDecision::Some { organs } => {
                        format!("wants to donate: {}", organs.join(", "))
                    }
                    OrganDonationDecision::Appointed { representative } => {
                        format!("{representative} will decide")
                    }
                    OrganDonationDecision::Undecided => "undecided".to_string(),
                };
                format!("{d}{}", if *registered { " (on the NHS Organ Donor Register)" } else { "" })
            }
            Self::Allergy { substance, kind: AllergyKind::NoKnownAllergy, .. } => substance.clone(),
            Self::Allergy { substance, reaction, severity, kind, status, .. } => {
                let kind = if *kind == AllergyKind::Intolerance { "intolerance" } else { "allergy" };
                let severity = match severity {
                    Some(Severity::Mild) => ", mild",
                    Some(Severity::Moderate) => ", moderate",
                    Some(Severity::Severe) => ", severe",
                    None => "",
                };
                let status = match status {
                    AllergyStatus::Active => "",
                    AllergyStatus::Inactive => ", inactive",
                    AllergyStatus::Resolved => ", resolved",
                };
                format!(
                    "{substance}: {kind}{severity}{}{status}",
                    reaction.as_ref().map(|r| format!(" ({r})")).unwrap_or_default()
                )
            }
            Self::BloodGroup { group } => group.to_string(),
            Self::Vaccination { vaccine, date, next_due, .. } => format!(
                "{vaccine} ({}){}",
                format_day(*date),
                next_due.map(|d| format!(", next due {}", format_day(d))).unwrap_or_default()
            ),
            Self::CheckUp { date, summary, .. } => format!("{}: {summary}", format_day(*date)),
            Self::FamilyHistory { relative, condition, age_at_onset } => format!(
                "{relative}: {condition}{}",
                age_at_onset.map(|a| format!(" (at {a})")).unwrap_or_default()
            ),
            Self::Note { date, title, text } => format!(
                "{}{}{text}",
                date.map(|d| format!("{}: ", format_day(d))).unwrap_or_default(),
                title.as_ref().map(|t| format!("{t}: ")).unwrap_or_default()
            ),
            Self::Custom { fields } => fields
                .iter()
                .map(|(k, v)| match v {
                    FieldValue::Bool(b) => format!("{k}: {}", if *b { "yes" } else { "no" }),
                    FieldValue::Number(n) => format!("{k}: {n}"),
                    FieldValue::Text(t) => format!("{k}: {t}"),
                })
                .collect::<Vec<_>>()
                .join("; "),
        }
    }

    /// Checks that this value belongs in `section` and is well-formed there.
    pub fn check_fits(&self, section: &Section) -> crate::Result<()> {
        self.check_text()?;
        if section.class == SectionClass::Custom {
            return match self {
                Self::Custom { fields } => check_custom(fields, &section.fields),
                Self::Note { .. } if section.fields.is_empty() => Ok(()),
                _ => Err(crate::ModelError::invalid(
                    "entry",
                    "a user-defined section takes custom fields or a note",
                )),
            };
        }
        let Some(b) = section.builtin() else {
            return Err(crate::ModelError::NotFound { what: "section" });
        };
        if !super::fields::section_entry_types(b).contains(&self.type_name()) {
            return Err(crate::ModelError::Invalid {
                field: "entry type",
                reason: format!("a {} entry does not belong in the {} section", self.type_name(), b.slug()),
            });
        }
        match self {
            Self::Custom { fields } => check_custom(fields, &section.fields),
            _ => Ok(()),
        }
    }
    /// Required text must be present; no field may be absurdly long (a guard against
    /// pasting a whole file into a name).
    fn check_text(&self) -> crate::Result<()> {
        let v = serde_json::to_value(self)
            .map_err(|_| crate::ModelError::invalid("entry", "cannot be represented"))?;
        fn walk(v: &serde_json::Value) -> crate::Result<()> {
            match v {
                serde_json::Value::String(s) if s.len() > 20_000 => {
                    Err(crate::ModelError::invalid("text", "is longer than 20,000 characters"))
                }
                serde_json::Value::Array(a) => a.iter().try_for_each(walk),
                serde_json::Value::Object(o) => o.values().try_for_each(walk),
                _ => Ok(()),
            }
        }
        walk(&v)?;
        // The required fields come from the one field table the forms read too.
        for field in super::fields::entry_fields(self.type_name()) {
            if !field.required {
                continue;
            }
            let blank = match v.get(field.name) {
                None | Some(serde_json::Value::Null) => true,
                Some(serde_json::Value::String(s)) => s.trim().is_empty(),
                Some(_) => false,
            };
            if blank {
                return Err(crate::ModelError::invalid(field.name, "must not be empty"));
            }
        }
        if let Self::Medication { start: Some(a), stop: Some(b), .. }
        | Self::SocialPrescription { start: Some(a), stop: Some(b), .. } = self
        {
            if b < a {
                return Err(crate::ModelError::invalid("stop", "is before the start date"));
            }
        }
        if let Self::Allergy { kind, severity, reaction, .. } = self {
            // A "no known allergy" is not an allergy: a severity or reaction would make it
            // read as one; every real allergy needs a severity.
            match (kind, severity) {
                (AllergyKind::NoKnownAllergy, Some(_)) => {
                    return Err(crate::ModelError::invalid(
                        "severity",
                        "must be left out for no known allergy",
                    ))
                }
                (AllergyKind::NoKnownAllergy, None) if reaction.is_some() => {
                    return Err(crate::ModelError::invalid(
                        "reaction",
                        "must be left out for no known allergy",
                    ))
                }
                (AllergyKind::Allergy | AllergyKind::Intolerance, None) => {
                    return Err(crate::ModelError::invalid("severity", "must not be empty"))
                }
                _ => {}
            }
        }
        Ok(())
    }
}

fn check_custom(fields: &BTreeMap<String, FieldValue>, defs: &[FieldDef]) -> crate::Result<()> {
    if defs.is_empty() {
        return Ok(());
    }
    for (name, value) in fields {
        let Some(def) = defs.iter().find(|d| &d.name == name) else {
            return Err(crate::ModelError::Invalid {
                field: "field",
                reason: format!("this section has no field named {name:?}"),
            });
        };
        let ok = match (&def.field_type, value) {
            (FieldType::Text, FieldValue::Text(_)) => true,
            (FieldType::Number { .. }, FieldValue::Number(n)) => n.is_finite(),
            (FieldType::Bool, FieldValue::Bool(_)) => true,
            (FieldType::Date, FieldValue::Text(t)) => NaiveDate::parse_from_str(t, "%Y-%m-%d").is_ok(),
            _ => false,
        };
        if !ok {
            return Err(crate::ModelError::Invalid {
                field: "field",
                reason: format!("{name:?} must be a {:?}", def.field_type).to_lowercase(),
            });
        }
    }
    for def in defs.iter().filter(|d| d.required) {
        if !fields.contains_key(&def.name) {
            return Err(crate::ModelError::Invalid {
                field: "field",
                reason: format!("{:?} is required", def.name),
            });
        }
    }
    Ok(())
}

/// Where an entry came from. Medical-record entries are read-only to the owner.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Provenance {
    /// Typed in by the owner.
    User,
    /// Imported from a file or an app (e.g. "garmin", "apple_health").
    Import {
        source: String,
        #[serde(default)]
        source_id: Option<String>,
    },
    /// From the GP or hospital record: the source system and its resource id.
    MedicalRecord { system: String, resource_id: String },
}

impl Provenance {
    pub fn is_medical_record(&self) -> bool {
        matches!(self, Provenance::MedicalRecord { .. })
    }
    pub fn label(&self) -> String {
        match self {
            Provenance::User => "entered by you".into(),
            Provenance::Import { source, .. } => format!("imported from {source}"),
            Provenance::MedicalRecord { system, .. } => format!("from the medical record ({system})"),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AnnotationKind {
    /// "This is no longer relevant" (e.g. a childhood condition).
    NoLongerRelevant,
    /// Free text.
    Note,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Annotation {
    pub id: String,
    pub at: DateTime<Utc>,
    pub kind: AnnotationKind,
    #[serde(default)]
    pub text: Option<String>,
}

/// An earlier version of an entry's value, kept when it is edited.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Revision {
    pub replaced_at: DateTime<Utc>,
    pub value: EntryValue,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    pub id: String,
    pub section: String,
    pub value: EntryValue,
    pub provenance: Provenance,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Hidden from the owner's normal views (how medical-record entries are "removed").
    #[serde(default)]
    pub hidden: bool,
    /// Set when deleted; the entry can be restored until it is purged.
    #[serde(default)]
    pub deleted_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub annotations: Vec<Annotation>,
    #[serde(default)]
    pub history: Vec<Revision>,
}

impl Entry {
    pub fn is_no_longer_relevant(&self) -> bool {
        self.annotations.iter().any(|a| a.kind == AnnotationKind::NoLongerRelevant)
    }
}

/// A date as people read it in a list or on a screen: `3 Jun 2019`.
pub fn format_day(d: chrono::NaiveDate) -> String {
    d.format("%-d %b %Y").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::{BuiltinSection, PrivacyLevel};

    fn section(slug: &str) -> Section {
        let b = BuiltinSection::from_slug(slug).unwrap();
        Section {
            id: slug.into(),
            title: b.title().into(),
            class: b.class(),
            enabled: true,
            privacy: PrivacyLevel::Shareable,
            fields: vec![],
        }
    }

    #[test]
    fn values_only_fit_their_sections() {
        let med = EntryValue::Medication {
            name: "Ramipril".into(),
            dose: Some("5 mg".into()),
            route: None,
            frequency: None,
            start: None,
            stop: None,
            reason: None,
            code: None,
        };
        assert!(med.check_fits(&section("medications")).is_ok());
        let e = med.check_fits(&section("allergies")).unwrap_err().to_string();
        assert!(e.contains("does not belong in the allergies section"), "{e}");
        let note = EntryValue::Note { date: None, title: None, text: "walks more".into() };
        assert!(note.check_fits(&section("exercise")).is_ok());
        assert!(note.check_fits(&section("medications")).is_err());
    }

    #[test]
    fn required_text_and_date_order() {
        let med = EntryValue::Medication {
            name: " ".into(),
            dose: None,
            route: None,
            frequency: None,
            start: None,
            stop: None,
            reason: None,
            code: None,
        };
        assert!(med.check_fits(&section("medications")).is_err());
        let d = |s| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok();
        let med = EntryValue::Medication {
            name: "X".into(),
            dose: None,
            route: None,
            frequency: None,
            start: d("2025-02-01"),
            stop: d("2025-01-01"),
            reason: None,
            code: None,
        };
        assert!(med
            .check_fits(&section("medications"))
            .unwrap_err()
            .to_string()
            .contains("before the start"));
    }

    #[test]
    fn custom_fields_are_typed() {
        let s = Section {
            id: "custom:x".into(),
            title: "Migraine diary".into(),
            class: SectionClass::Custom,
            enabled: true,
            privacy: PrivacyLevel::Private,
            fields: vec![
                FieldDef {
                    name: "pain".into(),
                    field_type: FieldType::Number { unit: None },
                    required: true,
                },
                FieldDef { name: "date".into(), field_type: FieldType::Date, required: false },
            ],
        };
        let good = EntryValue::Custom {
            fields: [
                ("pain".into(), FieldValue::Number(6.0)),
                ("date".into(), FieldValue::Text("2025-03-01".into())),
            ]
            .into(),
        };
        assert!(good.check_fits(&s).is_ok());
        let bad = EntryValue::Custom { fields: [("pain".into(), FieldValue::Text("bad".into()))].into() };
        assert!(bad.check_fits(&s).is_err());
        let missing =
            EntryValue::Custom { fields: [("date".into(), FieldValue::Text("2025-03-01".into()))].into() };
        assert!(missing.check_fits(&s).unwrap_err().to_string().contains("required"));
        let unknown = EntryValue::Custom {
            fields: [("pain".into(), FieldValue::Number(1.0)), ("mood".into(), FieldValue::Number(1.0))]
                .into(),
        };
        assert!(unknown.check_fits(&s).is_err());
    }

    #[test]
    fn no_known_allergy_and_allergy_status_read_as_what_they_are() {
        // Stored before the status existed: still an active allergy.
        let old: EntryValue = serde_json::from_str(
            r#"{"type":"allergy","substance":"Penicillin","severity":"severe","kind":"allergy"}"#,
        )
        .unwrap();
        assert!(matches!(old, EntryValue::Allergy { status: AllergyStatus::Active, .. }));
        let nka: EntryValue = serde_json::from_str(
            r#"{"type":"allergy","substance":"No known drug allergy","kind":"no_known_allergy"}"#,
        )
        .unwrap();
        assert_eq!(nka.summary(), "No known drug allergy");
        assert!(nka.check_fits(&section("allergies")).is_ok());
        let with_severity = EntryValue::Allergy {
            substance: "No known allergy".into(),
            reaction: None,
            severity: Some(Severity::Moderate),
            kind: AllergyKind::NoKnownAllergy,
            status: AllergyStatus::Active,
            code: None,
        };
        assert!(with_severity
            .check_fits(&section("allergies"))
            .unwrap_err()
            .to_string()
            .contains("severity"));
        let no_severity = EntryValue::Allergy {
            substance: "Peanut".into(),
            reaction: None,
            severity: None,
            kind: AllergyKind::Allergy,
            status: AllergyStatus::Active,
            code: None,
        };
        assert!(no_severity.check_fits(&section("allergies")).is_err());
        let resolved = EntryValue::Allergy {
            substance: "Ragweed pollen".into(),
            reaction: None,
            severity: Some(Severity::Mild),
            kind: AllergyKind::Allergy,
            status: AllergyStatus::Resolved,
            code: None,
        };
        assert_eq!(resolved.summary(), "Ragweed pollen: allergy, mild, resolved");
    }

    #[test]
    fn json_shape_is_friendly() {
        let v: EntryValue = serde_json::from_str(r#"{"type":"allergy","substance":"Penicillin","reaction":"rash","severity":"moderate","kind":"allergy"}"#).unwrap();
        assert_eq!(v.summary(), "Penicillin: allergy, moderate (rash)");
        let bad: Result<EntryValue, _> = serde_json::from_str(
            r#"{"type":"identity","given_name":"A","family_name":"B","nhs_number":"9434765918"}"#,
        );
        assert!(bad.is_err());
        let od: EntryValue = serde_json::from_str(
            r#"{"type":"organ_donation","decision":"some","organs":["kidneys"],"registered":true}"#,
        )
        .unwrap();
        assert!(od.summary().contains("kidneys"));
    }
}
