//! The fields of each built-in entry type, in the order a person fills them in: the one
//! table that both entry validation ([`super::EntryValue::check_fits`]) and the app-facing
//! forms (`crate::app::forms`) read, so a rule lives in one place.

/// What kind of value a field holds, as a form draws it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldShape {
    Text,
    LongText,
    Date,
    /// The first date of a range whose last date is the named field.
    RangeStart(&'static str),
    /// The last date of a range whose first date is the named field (must not be earlier).
    RangeEnd(&'static str),
    /// A number in `unit`; `integer` when only whole numbers make sense.
    Number {
        unit: &'static str,
        integer: bool,
    },
    /// One of a fixed set of values (the JSON spelling of an enum).
    Choice(&'static [&'static str]),
    YesNo,
    NhsNumber,
    BloodGroup,
    /// A code from a terminology: `system|code|display`.
    Coded,
    /// A list of short texts (organs to donate).
    List,
}

/// One field of a built-in entry type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EntryField {
    /// The JSON name of the field in [`super::EntryValue`].
    pub name: &'static str,
    pub shape: FieldShape,
    pub required: bool,
    /// A value that validates, as a person would type it.
    pub example: &'static str,
}

const fn f(name: &'static str, shape: FieldShape, required: bool, example: &'static str) -> EntryField {
    EntryField { name, shape, required, example }
}

use FieldShape as S;

pub const CONDITION_STATUSES: &[&str] = &["active", "resolved", "in_remission", "inactive"];
pub const SEVERITIES: &[&str] = &["mild", "moderate", "severe"];
pub const ALLERGY_KINDS: &[&str] = &["allergy", "intolerance", "no_known_allergy"];
pub const ALLERGY_STATUSES: &[&str] = &["active", "inactive", "resolved"];
pub const ORGAN_DONATION_DECISIONS: &[&str] = &["opt_in", "opt_out", "some", "appointed", "undecided"];

const IDENTITY: &[EntryField] = &[
    f("given_name", S::Text, true, "Margaret"),
    f("family_name", S::Text, true, "Okafor"),
    f("date_of_birth", S::Date, false, "1958-04-12"),
    f("nhs_number", S::NhsNumber, false, "943 476 5919"),
    f("address", S::LongText, false, "12 Chapel Street, Leeds LS6 3AB"),
    f("gp_practice", S::Text, false, "Hyde Park Surgery"),
];
const CONTACT: &[EntryField] = &[
    f("name", S::Text, true, "Daniel Okafor"),
    f("relationship", S::Text, true, "son"),
    f("phone", S::Text, false, "07700 900123"),
    f("next_of_kin", S::YesNo, false, "yes"),
    f("emergency_contact", S::YesNo, false, "yes"),
];
const EMERGENCY_INFO: &[EntryField] =
    &[f("text", S::LongText, true, "I have type 2 diabetes and take insulin.")];
const CONDITION: &[EntryField] = &[
    f("name", S::Text, true, "Type 2 diabetes"),
    f("status", S::Choice(CONDITION_STATUSES), true, "active"),
    f("onset", S::Date, false, "2015-06-01"),
    f("code", S::Coded, false, "http://snomed.info/sct|44054006|Type 2 diabetes mellitus"),
    f("notes", S::LongText, false, "Checked every six months."),
];
const MEDICATION: &[EntryField] = &[
    f("name", S::Text, true, "Metformin"),
    f("dose", S::Text, false, "500 mg"),
    f("route", S::Text, false, "by mouth"),
    f("frequency", S::Text, false, "twice a day"),
    f("start", S::RangeStart("stop"), false, "2015-06-01"),
    f("stop", S::RangeEnd("start"), false, "2030-06-01"),
    f("reason", S::Text, false, "diabetes"),
    f("code", S::Coded, false, "https://dmd.nhs.uk|325278002"),
];
const SOCIAL_PRESCRIPTION: &[EntryField] = &[
    f("activity", S::Text, true, "Walking group"),
    f("provider", S::Text, false, "Leeds Community Health"),
    f("start", S::RangeStart("stop"), false, "2026-01-05"),
    f("stop", S::RangeEnd("start"), false, "2026-04-05"),
    f("reason", S::Text, false, "to feel less alone"),
];
const PROCEDURE: &[EntryField] = &[
    f("name", S::Text, true, "Knee replacement"),
    f("date", S::Date, false, "2019-03-14"),
    f("location", S::Text, false, "Chapel Allerton Hospital"),
    f("code", S::Coded, false, "http://snomed.info/sct|609588000"),
    f("notes", S::LongText, false, "Left knee."),
];
const LIFE_EVENT: &[EntryField] = &[
    f("date", S::Date, true, "2020-09-01"),
    f("title", S::Text, true, "Moved to Leeds"),
    f("details", S::LongText, false, "Moved closer to family."),
];
const ORGAN_DONATION: &[EntryField] = &[
    f("decision", S::Choice(ORGAN_DONATION_DECISIONS), true, "some"),
    f("organs", S::List, false, "kidneys, corneas"),
    f("representative", S::Text, false, ""),
    f("registered", S::YesNo, false, "yes"),
];
const ALLERGY: &[EntryField] = &[
    f("substance", S::Text, true, "Penicillin"),
    f("reaction", S::Text, false, "rash"),
    // Required for every kind but `no_known_allergy` (checked with the value).
    f("severity", S::Choice(SEVERITIES), false, "moderate"),
    f("kind", S::Choice(ALLERGY_KINDS), true, "allergy"),
    f("status", S::Choice(ALLERGY_STATUSES), false, "active"),
    f("code", S::Coded, false, "http://snomed.info/sct|764146007"),
];
const BLOOD_GROUP: &[EntryField] = &[f("group", S::BloodGroup, true, "O+")];
const VACCINATION: &[EntryField] = &[
    f("vaccine", S::Text, true, "Flu vaccine"),
    f("date", S::Date, true, "2025-10-10"),
    f("dose", S::Text, false, "yearly dose"),
    f("next_due", S::Date, false, "2026-10-01"),
    f("code", S::Coded, false, ""),
];
const CHECK_UP: &[EntryField] = &[
    f("date", S::Date, true, "2025-11-20"),
    f("practice", S::Text, false, "Headingley Dental"),
    f("summary", S::LongText, true, "Check-up, no problems found."),
    f("next_due", S::Date, false, "2026-05-20"),
];
const FAMILY_HISTORY: &[EntryField] = &[
    f("relative", S::Text, true, "mother"),
    f("condition", S::Text, true, "breast cancer"),
    f("age_at_onset", S::Number { unit: "years", integer: true }, false, "52"),
];
const NOTE: &[EntryField] = &[
    f("date", S::Date, false, "2026-02-01"),
    f("title", S::Text, false, "This week"),
    f("text", S::LongText, true, "Walked to the shops every day."),
];

/// Every built-in entry type except `custom` (whose fields the section defines).
pub const ENTRY_TYPES: [&str; 15] = [
    "identity",
    "contact",
    "emergency_info",
    "condition",
    "medication",
    "social_prescription",
    "procedure",
    "life_event",
    "organ_donation",
    "allergy",
    "blood_group",
    "vaccination",
    "check_up",
    "family_history",
    "note",
];

/// The fields of a built-in entry type, in order; empty for `custom` and unknown names.
pub fn entry_fields(type_name: &str) -> &'static [EntryField] {
    match type_name {
        "identity" => IDENTITY,
        "contact" => CONTACT,
        "emergency_info" => EMERGENCY_INFO,
        "condition" => CONDITION,
        "medication" => MEDICATION,
        "social_prescription" => SOCIAL_PRESCRIPTION,
        "procedure" => PROCEDURE,
        "life_event" => LIFE_EVENT,
        "organ_donation" => ORGAN_DONATION,
        "allergy" => ALLERGY,
        "blood_group" => BLOOD_GROUP,
        "vaccination" => VACCINATION,
        "check_up" => CHECK_UP,
        "family_history" => FAMILY_HISTORY,
        "note" => NOTE,
        _ => &[],
    }
}

/// The entry types a built-in section takes, the usual one first.
pub fn section_entry_types(section: super::BuiltinSection) -> &'static [&'static str] {
    use super::BuiltinSection as B;
    match section {
        B::Identity => &["identity"],
        B::Contacts => &["contact"],
        B::EmergencyInfo => &["emergency_info", "note"],
        B::Conditions => &["condition"],
        B::Medications => &["medication"],
        B::SocialPrescriptions => &["social_prescription"],
        B::Procedures => &["procedure"],
        B::LifeEvents => &["life_event"],
        B::OrganDonation => &["organ_donation"],
        B::Allergies => &["allergy"],
        B::BloodGroup => &["blood_group"],
        B::Vaccinations => &["vaccination"],
        B::TestResults => &["custom"],
        B::Dental | B::Optician => &["check_up", "note"],
        B::FamilyHistory => &["family_history", "note"],
        _ => &["note"],
    }
}
