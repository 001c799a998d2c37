//! Records and enums that cross the boundary, and their conversions to and from the
//! `phr_core::record` model. Pure data mapping: validation stays in phr-core (a value that
//! cannot even be represented, such as 31 February, fails here as `InvalidInput`).

use crate::PhrError;
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use phr_core::record as core;
use std::collections::HashMap;
use std::time::SystemTime;

fn invalid(field: &str) -> PhrError {
    PhrError::InvalidInput { field: field.to_string() }
}

/// A calendar day (no time, no zone). Kotlin: convert with `java.time.LocalDate.of(year, month, day)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Record)]
pub struct CalendarDate {
    pub year: i32,
    pub month: u32,
    pub day: u32,
}

impl From<NaiveDate> for CalendarDate {
    fn from(d: NaiveDate) -> Self {
        CalendarDate { year: d.year(), month: d.month(), day: d.day() }
    }
}

impl TryFrom<CalendarDate> for NaiveDate {
    type Error = PhrError;
    fn try_from(d: CalendarDate) -> Result<Self, PhrError> {
        NaiveDate::from_ymd_opt(d.year, d.month, d.day).ok_or_else(|| invalid("date"))
    }
}

fn date_in(d: Option<CalendarDate>) -> Result<Option<NaiveDate>, PhrError> {
    d.map(NaiveDate::try_from).transpose()
}

fn date_out(d: Option<NaiveDate>) -> Option<CalendarDate> {
    d.map(CalendarDate::from)
}

fn time_out(t: DateTime<Utc>) -> SystemTime {
    SystemTime::from(t)
}

/// Who may ever see a section besides the owner.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum PrivacyLevel {
    Private,
    Shareable,
    Sensitive,
}

impl From<core::PrivacyLevel> for PrivacyLevel {
    fn from(p: core::PrivacyLevel) -> Self {
        match p {
            core::PrivacyLevel::Private => Self::Private,
            core::PrivacyLevel::Shareable => Self::Shareable,
            core::PrivacyLevel::Sensitive => Self::Sensitive,
        }
    }
}

impl From<PrivacyLevel> for core::PrivacyLevel {
    fn from(p: PrivacyLevel) -> Self {
        match p {
            PrivacyLevel::Private => Self::Private,
            PrivacyLevel::Shareable => Self::Shareable,
            PrivacyLevel::Sensitive => Self::Sensitive,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum SectionClass {
    /// Always there (identity, medications, allergies...).
    Core,
    /// Built in, switched on by the owner (weight, sleep, stress...).
    Optional,
    /// Made by the owner.
    Custom,
}

impl From<core::SectionClass> for SectionClass {
    fn from(c: core::SectionClass) -> Self {
        match c {
            core::SectionClass::Core => Self::Core,
            core::SectionClass::Optional => Self::Optional,
            core::SectionClass::Custom => Self::Custom,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum FieldType {
    Text,
    Number {
        #[uniffi(default = None)]
        unit: Option<String>,
    },
    Date,
    Bool,
}

/// A typed field of a user-defined section.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct FieldDef {
    pub name: String,
    pub field_type: FieldType,
    #[uniffi(default = false)]
    pub required: bool,
}

impl From<core::FieldDef> for FieldDef {
    fn from(f: core::FieldDef) -> Self {
        let field_type = match f.field_type {
            core::FieldType::Text => FieldType::Text,
            core::FieldType::Number { unit } => FieldType::Number { unit },
            core::FieldType::Date => FieldType::Date,
            core::FieldType::Bool => FieldType::Bool,
        };
        FieldDef { name: f.name, field_type, required: f.required }
    }
}

impl From<FieldDef> for core::FieldDef {
    fn from(f: FieldDef) -> Self {
        let field_type = match f.field_type {
            FieldType::Text => core::FieldType::Text,
            FieldType::Number { unit } => core::FieldType::Number { unit },
            FieldType::Date => core::FieldType::Date,
            FieldType::Bool => core::FieldType::Bool,
        };
        core::FieldDef { name: f.name, field_type, required: f.required }
    }
}

/// A section as the owner sees it.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Section {
    /// The slug of a built-in section (`medications`), or `custom:<uuid>`.
    pub id: String,
    pub title: String,
    pub section_class: SectionClass,
    pub enabled: bool,
    pub privacy: PrivacyLevel,
    /// Typed fields of a user-defined section; empty means free-form.
    pub fields: Vec<FieldDef>,
}

impl From<core::Section> for Section {
    fn from(s: core::Section) -> Self {
        Section {
            id: s.id,
            title: s.title,
            section_class: s.class.into(),
            enabled: s.enabled,
            privacy: s.privacy.into(),
            fields: s.fields.into_iter().map(Into::into).collect(),
        }
    }
}

/// A code from a clinical terminology (SNOMED CT, dm+d, LOINC...).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Code {
    pub system: String,
    pub code: String,
    #[uniffi(default = None)]
    pub display: Option<String>,
}

impl From<core::Code> for Code {
    fn from(c: core::Code) -> Self {
        Code { system: c.system, code: c.code, display: c.display }
    }
}

impl From<Code> for core::Code {
    fn from(c: Code) -> Self {
        core::Code { system: c.system, code: c.code, display: c.display }
    }
}

macro_rules! mirror_enum {
    ($(#[$m:meta])* $name:ident { $($v:ident),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
        pub enum $name { $($v),+ }
        impl From<core::$name> for $name {
            fn from(x: core::$name) -> Self { match x { $(core::$name::$v => Self::$v),+ } }
        }
        impl From<$name> for core::$name {
            fn from(x: $name) -> Self { match x { $($name::$v => Self::$v),+ } }
        }
    };
}

mirror_enum!(Severity { Mild, Moderate, Severe });
mirror_enum!(AllergyKind { Allergy, Intolerance, NoKnownAllergy });
mirror_enum!(AllergyStatus { Active, Inactive, Resolved });
mirror_enum!(ConditionStatus { Active, Resolved, InRemission, Inactive });
mirror_enum!(Abo { A, B, AB, O });
mirror_enum!(RhD { Positive, Negative });
mirror_enum!(
    /// "This is no longer relevant", or a free-text note.
    AnnotationKind { NoLongerRelevant, Note }
);
mirror_enum!(
    /// Kinds of measurement; each has one canonical unit (see `sample_kind_unit`).
    SampleKind {
        Weight, BodyFat, Height, BloodPressureSystolic, BloodPressureDiastolic, HeartRate,
        RestingHeartRate, HeartRateVariability, Steps, Distance, ActiveEnergy, ActiveMinutes,
        Vo2Max, SleepDuration, BloodGlucose, OxygenSaturation, RespiratoryRate,
        BodyTemperature, AlcoholUnits,
    }
);

#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Record)]
pub struct BloodGroup {
    pub abo: Abo,
    pub rh: RhD,
}

#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum OrganDonationDecision {
    OptIn,
    OptOut,
    /// Donate only the listed organs or tissue.
    Specific {
        organs: Vec<String>,
    },
    /// A named person decides.
    Appointed {
        representative: String,
    },
    Undecided,
}

/// A value in a user-defined section.
#[derive(Debug, Clone, PartialEq, uniffi::Enum)]
pub enum FieldValue {
    Bool {
        value: bool,
    },
    Number {
        value: f64,
    },
    /// Text; a `Date` field takes `YYYY-MM-DD` text.
    Text {
        value: String,
    },
}

/// What an entry says: one variant per kind of fact. Each section accepts the variants that
/// make sense there; phr-core checks it and answers `InvalidInput(field = "entry type")`.
#[derive(Debug, Clone, PartialEq, uniffi::Enum)]
pub enum EntryValue {
    Identity {
        given_name: String,
        family_name: String,
        #[uniffi(default = None)]
        date_of_birth: Option<CalendarDate>,
        /// 10 digits, spaces or dashes allowed; checked (modulus 11) by phr-core.
        #[uniffi(default = None)]
        nhs_number: Option<String>,
        #[uniffi(default = None)]
        address: Option<String>,
        #[uniffi(default = None)]
        gp_practice: Option<String>,
    },
    Contact {
        name: String,
        relationship: String,
        #[uniffi(default = None)]
        phone: Option<String>,
        #[uniffi(default = false)]
        next_of_kin: bool,
        #[uniffi(default = false)]
        emergency_contact: bool,
    },
    EmergencyInfo {
        text: String,
    },
    Condition {
        name: String,
        status: ConditionStatus,
        #[uniffi(default = None)]
        code: Option<Code>,
        #[uniffi(default = None)]
        onset: Option<CalendarDate>,
        #[uniffi(default = None)]
        notes: Option<String>,
    },
    Medication {
        name: String,
        #[uniffi(default = None)]
        dose: Option<String>,
        #[uniffi(default = None)]
        route: Option<String>,
        #[uniffi(default = None)]
        frequency: Option<String>,
        #[uniffi(default = None)]
        start: Option<CalendarDate>,
        #[uniffi(default = None)]
        stop: Option<CalendarDate>,
        #[uniffi(default = None)]
        reason: Option<String>,
        #[uniffi(default = None)]
        code: Option<Code>,
    },
    SocialPrescription {
        activity: String,
        #[uniffi(default = None)]
        provider: Option<String>,
        #[uniffi(default = None)]
        start: Option<CalendarDate>,
        #[uniffi(default = None)]
        stop: Option<CalendarDate>,
        #[uniffi(default = None)]
        reason: Option<String>,
    },
    Procedure {
        name: String,
        #[uniffi(default = None)]
        date: Option<CalendarDate>,
        #[uniffi(default = None)]
        location: Option<String>,
        #[uniffi(default = None)]
        code: Option<Code>,
        #[uniffi(default = None)]
        notes: Option<String>,
    },
    LifeEvent {
        date: CalendarDate,
        title: String,
        #[uniffi(default = None)]
        details: Option<String>,
    },
    OrganDonation {
        decision: OrganDonationDecision,
        #[uniffi(default = false)]
        registered: bool,
    },
    Allergy {
        substance: String,
        /// None only for `AllergyKind::NoKnownAllergy`.
        severity: Option<Severity>,
        kind: AllergyKind,
        #[uniffi(default = None)]
        reaction: Option<String>,
        #[uniffi(default = None)]
        code: Option<Code>,
        /// None reads as active.
        #[uniffi(default = None)]
        status: Option<AllergyStatus>,
    },
    BloodGroup {
        group: BloodGroup,
    },
    Vaccination {
        vaccine: String,
        date: CalendarDate,
        #[uniffi(default = None)]
        dose: Option<String>,
        #[uniffi(default = None)]
        next_due: Option<CalendarDate>,
        #[uniffi(default = None)]
        code: Option<Code>,
    },
    /// A dental or optician visit.
    CheckUp {
        date: CalendarDate,
        summary: String,
        #[uniffi(default = None)]
        practice: Option<String>,
        #[uniffi(default = None)]
        next_due: Option<CalendarDate>,
    },
    FamilyHistory {
        relative: String,
        condition: String,
        #[uniffi(default = None)]
        age_at_onset: Option<u32>,
    },
    /// A dated note: the shape of most optional sections (diet, stress, sleep, wishes...).
    Note {
        text: String,
        #[uniffi(default = None)]
        date: Option<CalendarDate>,
        #[uniffi(default = None)]
        title: Option<String>,
    },
    /// A value in a user-defined section, by field name.
    Custom {
        fields: HashMap<String, FieldValue>,
    },
}

fn code_in(c: Option<Code>) -> Option<core::Code> {
    c.map(Into::into)
}

fn code_out(c: Option<core::Code>) -> Option<Code> {
    c.map(Into::into)
}

impl TryFrom<EntryValue> for core::EntryValue {
    type Error = PhrError;
    fn try_from(v: EntryValue) -> Result<Self, PhrError> {
        use EntryValue as V;
        Ok(match v {
            V::Identity { given_name, family_name, date_of_birth, nhs_number, address, gp_practice } => {
                core::EntryValue::Identity {
                    given_name,
                    family_name,
                    date_of_birth: date_in(date_of_birth)?,
                    nhs_number: nhs_number.map(|n| core::NhsNumber::parse(&n)).transpose()?,
                    address,
                    gp_practice,
                }
            }
            V::Contact { name, relationship, phone, next_of_kin, emergency_contact } => {
                core::EntryValue::Contact { name, relationship, phone, next_of_kin, emergency_contact }
            }
            V::EmergencyInfo { text } => core::EntryValue::EmergencyInfo { text },
            V::Condition { name, status, code, onset, notes } => core::EntryValue::Condition {
                name,
                code: code_in(code),
                onset: date_in(onset)?,
                status: status.into(),
                notes,
            },
            V::Medication { name, dose, route, frequency, start, stop, reason, code } => {
                core::EntryValue::Medication {
                    name,
                    dose,
                    route,
                    frequency,
                    start: date_in(start)?,
                    stop: date_in(stop)?,
                    reason,
                    code: code_in(code),
                }
            }
            V::SocialPrescription { activity, provider, start, stop, reason } => {
                core::EntryValue::SocialPrescription {
                    activity,
                    provider,
                    start: date_in(start)?,
                    stop: date_in(stop)?,
                    reason,
                }
            }
            V::Procedure { name, date, location, code, notes } => core::EntryValue::Procedure {
                name,
                date: date_in(date)?,
                location,
                code: code_in(code),
                notes,
            },
            V::LifeEvent { date, title, details } => {
                core::EntryValue::LifeEvent { date: date.try_into()?, title, details }
            }
            V::OrganDonation { decision, registered } => core::EntryValue::OrganDonation {
                decision: match decision {
                    OrganDonationDecision::OptIn => core::OrganDonationDecision::OptIn,
                    OrganDonationDecision::OptOut => core::OrganDonationDecision::OptOut,
                    OrganDonationDecision::Specific { organs } => {
                        core::OrganDonationDecision::Some { organs }
                    }
                    OrganDonationDecision::Appointed { representative } => {
                        core::OrganDonationDecision::Appointed { representative }
                    }
                    OrganDonationDecision::Undecided => core::OrganDonationDecision::Undecided,
                },
                registered,
            },
            V::Allergy { substance, severity, kind, reaction, code, status } => core::EntryValue::Allergy {
                substance,
                reaction,
                severity: severity.map(Into::into),
                kind: kind.into(),
                status: status.map(Into::into).unwrap_or_default(),
                code: code_in(code),
            },
            V::BloodGroup { group } => core::EntryValue::BloodGroup {
                group: core::BloodGroup { abo: group.abo.into(), rh: group.rh.into() },
            },
            V::Vaccination { vaccine, date, dose, next_due, code } => core::EntryValue::Vaccination {
                vaccine,
                date: date.try_into()?,
                dose,
                next_due: date_in(next_due)?,
                code: code_in(code),
            },
            V::CheckUp { date, summary, practice, next_due } => core::EntryValue::CheckUp {
                date: date.try_into()?,
                practice,
                summary,
                next_due: date_in(next_due)?,
            },
            V::FamilyHistory { relative, condition, age_at_onset } => {
                core::EntryValue::FamilyHistory { relative, condition, age_at_onset }
            }
            V::Note { text, date, title } => core::EntryValue::Note { date: date_in(date)?, title, text },
            V::Custom { fields } => core::EntryValue::Custom {
                fields: fields
                    .into_iter()
                    .map(|(k, v)| {
                        let v = match v {
                            FieldValue::Bool { value } => core::FieldValue::Bool(value),
                            FieldValue::Number { value } => core::FieldValue::Number(value),
                            FieldValue::Text { value } => core::FieldValue::Text(value),
                        };
                        (k, v)
                    })
                    .collect(),
            },
        })
    }
}

impl From<core::EntryValue> for EntryValue {
    fn from(v: core::EntryValue) -> Self {
        use core::EntryValue as C;
        match v {
            C::Identity { given_name, family_name, date_of_birth, nhs_number, address, gp_practice } => {
                EntryValue::Identity {
                    given_name,
                    family_name,
                    date_of_birth: date_out(date_of_birth),
                    nhs_number: nhs_number.map(|n| n.digits().to_string()),
                    address,
                    gp_practice,
                }
            }
            C::Contact { name, relationship, phone, next_of_kin, emergency_contact } => {
                EntryValue::Contact { name, relationship, phone, next_of_kin, emergency_contact }
            }
            C::EmergencyInfo { text } => EntryValue::EmergencyInfo { text },
            C::Condition { name, code, onset, status, notes } => EntryValue::Condition {
                name,
                status: status.into(),
                code: code_out(code),
                onset: date_out(onset),
                notes,
            },
            C::Medication { name, dose, route, frequency, start, stop, reason, code } => {
                EntryValue::Medication {
                    name,
                    dose,
                    route,
                    frequency,
                    start: date_out(start),
                    stop: date_out(stop),
                    reason,
                    code: code_out(code),
                }
            }
            C::SocialPrescription { activity, provider, start, stop, reason } => {
                EntryValue::SocialPrescription {
                    activity,
                    provider,
                    start: date_out(start),
                    stop: date_out(stop),
                    reason,
                }
            }
            C::Procedure { name, date, location, code, notes } => {
                EntryValue::Procedure { name, date: date_out(date), location, code: code_out(code), notes }
            }
            C::LifeEvent { date, title, details } => {
                EntryValue::LifeEvent { date: date.into(), title, details }
            }
            C::OrganDonation { decision, registered } => EntryValue::OrganDonation {
                decision: match decision {
                    core::OrganDonationDecision::OptIn => OrganDonationDecision::OptIn,
                    core::OrganDonationDecision::OptOut => OrganDonationDecision::OptOut,
                    core::OrganDonationDecision::Some { organs } => {
                        OrganDonationDecision::Specific { organs }
                    }
                    core::OrganDonationDecision::Appointed { representative } => {
                        OrganDonationDecision::Appointed { representative }
                    }
                    core::OrganDonationDecision::Undecided => OrganDonationDecision::Undecided,
                },
                registered,
            },
            C::Allergy { substance, reaction, severity, kind, status, code } => EntryValue::Allergy {
                substance,
                severity: severity.map(Into::into),
                kind: kind.into(),
                reaction,
                code: code_out(code),
                status: Some(status.into()),
            },
            C::BloodGroup { group } => {
                EntryValue::BloodGroup { group: BloodGroup { abo: group.abo.into(), rh: group.rh.into() } }
            }
            C::Vaccination { vaccine, date, dose, next_due, code } => EntryValue::Vaccination {
                vaccine,
                date: date.into(),
                dose,
                next_due: date_out(next_due),
                code: code_out(code),
            },
            C::CheckUp { date, practice, summary, next_due } => {
                EntryValue::CheckUp { date: date.into(), summary, practice, next_due: date_out(next_due) }
            }
            C::FamilyHistory { relative, condition, age_at_onset } => {
                EntryValue::FamilyHistory { relative, condition, age_at_onset }
            }
            C::Note { date, title, text } => EntryValue::Note { text, date: date_out(date), title },
            C::Custom { fields } => EntryValue::Custom {
                fields: fields
                    .into_iter()
                    .map(|(k, v)| {
                        let v = match v {
                            core::FieldValue::Bool(value) => FieldValue::Bool { value },
                            core::FieldValue::Number(value) => FieldValue::Number { value },
                            core::FieldValue::Text(value) => FieldValue::Text { value },
                        };
                        (k, v)
                    })
                    .collect(),
            },
        }
    }
}

/// Where an entry came from. Medical-record entries are read-only to the owner.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum Provenance {
    /// Typed in by the owner.
    User,
    /// Imported from a file or an app.
    Import {
        source: String,
        #[uniffi(default = None)]
        source_id: Option<String>,
    },
    /// From the GP or hospital record.
    MedicalRecord { system: String, resource_id: String },
}

impl From<Provenance> for core::Provenance {
    fn from(p: Provenance) -> Self {
        match p {
            Provenance::User => Self::User,
            Provenance::Import { source, source_id } => Self::Import { source, source_id },
            Provenance::MedicalRecord { system, resource_id } => Self::MedicalRecord { system, resource_id },
        }
    }
}

impl From<core::Provenance> for Provenance {
    fn from(p: core::Provenance) -> Self {
        match p {
            core::Provenance::User => Self::User,
            core::Provenance::Import { source, source_id } => Self::Import { source, source_id },
            core::Provenance::MedicalRecord { system, resource_id } => {
                Self::MedicalRecord { system, resource_id }
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Annotation {
    pub id: String,
    pub at: SystemTime,
    pub kind: AnnotationKind,
    pub text: Option<String>,
}

/// An earlier value of an entry, kept when it was edited.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Revision {
    pub replaced_at: SystemTime,
    pub value: EntryValue,
}

/// One entry, with everything a screen needs to show it. `summary` and `provenance_label`
/// are written by phr-core so the shells hold no wording rules of their own.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Entry {
    pub id: String,
    pub section: String,
    pub value: EntryValue,
    pub provenance: Provenance,
    pub created_at: SystemTime,
    pub updated_at: SystemTime,
    pub hidden: bool,
    pub deleted_at: Option<SystemTime>,
    pub annotations: Vec<Annotation>,
    pub history: Vec<Revision>,
    /// A one-line human summary for lists.
    pub summary: String,
    /// "entered by you", "from the medical record (...)".
    pub provenance_label: String,
    /// From the medical record: can be annotated or hidden, not edited.
    pub read_only: bool,
    /// The owner marked it "no longer relevant".
    pub no_longer_relevant: bool,
}

impl From<core::Entry> for Entry {
    fn from(e: core::Entry) -> Self {
        let summary = e.value.summary();
        let provenance_label = e.provenance.label();
        let read_only = e.provenance.is_medical_record();
        let no_longer_relevant = e.is_no_longer_relevant();
        Entry {
            id: e.id,
            section: e.section,
            value: e.value.into(),
            provenance: e.provenance.into(),
            created_at: time_out(e.created_at),
            updated_at: time_out(e.updated_at),
            hidden: e.hidden,
            deleted_at: e.deleted_at.map(time_out),
            annotations: e
                .annotations
                .into_iter()
                .map(|a| Annotation { id: a.id, at: time_out(a.at), kind: a.kind.into(), text: a.text })
                .collect(),
            history: e
                .history
                .into_iter()
                .map(|r| Revision { replaced_at: time_out(r.replaced_at), value: r.value.into() })
                .collect(),
            summary,
            provenance_label,
            read_only,
            no_longer_relevant,
        }
    }
}

/// One measurement. Times are UTC milliseconds since the Unix epoch (`end_ms == start_ms`
/// for an instant reading); `value` is in the kind's canonical unit.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Sample {
    pub kind: SampleKind,
    pub start_ms: i64,
    pub end_ms: i64,
    pub value: f64,
    pub source: String,
    #[uniffi(default = None)]
    pub dedup_key: Option<String>,
}

/// Readings of one kind from one source as columns: a start time and a value per reading,
/// and an end time per reading or none (instants). Two arrays of numbers cross the FFI as
/// one buffer each, where a list of [`Sample`] records lowers a record and a string per
/// reading: that was most of what a Kotlin ingest cost over the same call from Rust.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct SampleColumns {
    pub kind: SampleKind,
    pub source: String,
    pub start_ms: Vec<i64>,
    /// Empty: each reading is an instant (ends when it starts).
    #[uniffi(default = [])]
    pub end_ms: Vec<i64>,
    pub values: Vec<f64>,
}

impl SampleColumns {
    /// The readings as the core's samples; columns of different lengths are refused.
    pub(crate) fn into_samples(self) -> Result<Vec<core::Sample>, crate::PhrError> {
        let n = self.start_ms.len();
        if self.values.len() != n || !(self.end_ms.is_empty() || self.end_ms.len() == n) {
            return Err(crate::PhrError::InvalidInput { field: "sample columns".into() });
        }
        let kind: core::SampleKind = self.kind.into();
        let ends = if self.end_ms.is_empty() { &self.start_ms } else { &self.end_ms };
        Ok(self
            .start_ms
            .iter()
            .zip(ends)
            .zip(&self.values)
            .map(|((&start_ms, &end_ms), &value)| core::Sample {
                kind,
                start_ms,
                end_ms,
                value,
                source: self.source.clone(),
                dedup_key: None,
            })
            .collect())
    }
}

impl From<Sample> for core::Sample {
    fn from(s: Sample) -> Self {
        core::Sample {
            kind: s.kind.into(),
            start_ms: s.start_ms,
            end_ms: s.end_ms,
            value: s.value,
            source: s.source,
            dedup_key: s.dedup_key,
        }
    }
}

impl From<core::Sample> for Sample {
    fn from(s: core::Sample) -> Self {
        Sample {
            kind: s.kind.into(),
            start_ms: s.start_ms,
            end_ms: s.end_ms,
            value: s.value,
            source: s.source,
            dedup_key: s.dedup_key,
        }
    }
}

/// A day's summary of one kind, merged across sources.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct DailyRollup {
    pub day: CalendarDate,
    pub count: u64,
    pub min: f64,
    pub max: f64,
    pub sum: f64,
    pub mean: f64,
    /// The value of the latest sample that day.
    pub last: f64,
}

impl From<core::DailyRollup> for DailyRollup {
    fn from(r: core::DailyRollup) -> Self {
        DailyRollup {
            day: r.day.into(),
            count: r.count,
            min: r.min,
            max: r.max,
            sum: r.sum,
            mean: r.mean(),
            last: r.last,
        }
    }
}

/// What an ingest did. `batches` counts committed transactions; when `cancelled` is true the
/// batches before the cancel landed whole and the rest were not started.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct IngestReport {
    pub added: u64,
    pub duplicates: u64,
    pub batches: u32,
    pub cancelled: bool,
}

/// Which kinds have samples, how many and over which days.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct SeriesSummary {
    pub kind: SampleKind,
    pub count: u64,
    pub first_day: CalendarDate,
    pub last_day: CalendarDate,
}

impl From<phr_core::store::SeriesSummary> for SeriesSummary {
    fn from(s: phr_core::store::SeriesSummary) -> Self {
        SeriesSummary {
            kind: s.kind.into(),
            count: s.count,
            first_day: s.first_day.into(),
            last_day: s.last_day.into(),
        }
    }
}

/// What the demo fill wrote.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct DemoReport {
    pub entries: u64,
    pub samples: u64,
    pub sections_enabled: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn impossible_dates_are_invalid_input() {
        let r = NaiveDate::try_from(CalendarDate { year: 2025, month: 2, day: 31 });
        assert_eq!(r, Err(PhrError::InvalidInput { field: "date".into() }));
    }

    #[test]
    fn entry_values_round_trip_through_the_core_model() {
        let v = EntryValue::OrganDonation {
            decision: OrganDonationDecision::Specific { organs: vec!["kidneys".into()] },
            registered: true,
        };
        let c = core::EntryValue::try_from(v.clone()).unwrap();
        assert!(c.summary().contains("kidneys"));
        assert_eq!(EntryValue::from(c), v);
        let id = EntryValue::Identity {
            given_name: "A".into(),
            family_name: "B".into(),
            date_of_birth: Some(CalendarDate { year: 1963, month: 4, day: 17 }),
            nhs_number: Some("999 000 0018".into()),
            address: None,
            gp_practice: None,
        };
        let back = EntryValue::from(core::EntryValue::try_from(id).unwrap());
        assert!(matches!(back, EntryValue::Identity { nhs_number: Some(ref n), .. } if n == "9990000018"));
    }
}
