//! Sections: the fixed core every person has, the optional ones they switch on, and the
//! ones they invent. Each has a privacy level that sharing code obeys.

use serde::{Deserialize, Serialize};

/// Who may ever see a section besides the owner. Sharing (the consent module) obeys it:
/// `Private` is never shared, `Shareable` may be put in a grant, `Sensitive` only when
/// named explicitly and never to an employer or insurer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PrivacyLevel {
    Private,
    Shareable,
    Sensitive,
}

impl PrivacyLevel {
    pub fn parse(s: &str) -> crate::Result<Self> {
        match s.to_ascii_lowercase().as_str() {
            "private" => Ok(Self::Private),
            "shareable" => Ok(Self::Shareable),
            "sensitive" => Ok(Self::Sensitive),
            _ => Err(crate::ModelError::invalid("privacy level", "must be private, shareable or sensitive")),
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Private => "private",
            Self::Shareable => "shareable",
            Self::Sensitive => "sensitive",
        }
    }
}

/// Whether a section is always there, switchable, or made by the user.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SectionClass {
    Core,
    Optional,
    Custom,
}

/// The built-in sections. The slug is the stable identifier used by the CLI, bindings,
/// FHIR mapping and sharing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BuiltinSection {
    // core
    Identity,
    Contacts,
    EmergencyInfo,
    Conditions,
    Medications,
    SocialPrescriptions,
    Procedures,
    LifeEvents,
    OrganDonation,
    Allergies,
    BloodGroup,
    Vaccinations,
    /// Laboratory and other test results (mostly from the medical record): typed fields
    /// keep the value, unit, reference range, interpretation and code.
    TestResults,
    Dental,
    Optician,
    // optional
    Weight,
    Diet,
    Exercise,
    AlcoholSmoking,
    Stress,
    BloodPressure,
    Sleep,
    SocialCircumstances,
    Employment,
    IllnessExperience,
    EndOfLifeWishes,
    FamilyHistory,
}

impl BuiltinSection {
    pub const ALL: [BuiltinSection; 27] = [
        Self::Identity,
        Self::Contacts,
        Self::EmergencyInfo,
        Self::Conditions,
        Self::Medications,
        Self::SocialPrescriptions,
        Self::Procedures,
        Self::LifeEvents,
        Self::OrganDonation,
        Self::Allergies,
        Self::BloodGroup,
        Self::Vaccinations,
        Self::TestResults,
        Self::Dental,
        Self::Optician,
        Self::Weight,
        Self::Diet,
        Self::Exercise,
        Self::AlcoholSmoking,
        Self::Stress,
        Self::BloodPressure,
        Self::Sleep,
        Self::SocialCircumstances,
        Self::Employment,
        Self::IllnessExperience,
        Self::EndOfLifeWishes,
        Self::FamilyHistory,
    ];

    pub fn slug(self) -> &'static str {
        match self {
            Self::Identity => "identity",
            Self::Contacts => "contacts",
            Self::EmergencyInfo => "emergency_info",
            Self::Conditions => "conditions",
            Self::Medications => "medications",
            Self::SocialPrescriptions => "social_prescriptions",
            Self::Procedures => "procedures",
            Self::LifeEvents => "life_events",
            Self::OrganDonation => "organ_donation",
            Self::Allergies => "allergies",
            Self::BloodGroup => "blood_group",
            Self::Vaccinations => "vaccinations",
            Self::TestResults => "test_results",
            Self::Dental => "dental",
            Self::Optician => "optician",
            Self::Weight => "weight",
            Self::Diet => "diet",
            Self::Exercise => "exercise",
            Self::AlcoholSmoking => "alcohol_smoking",
            Self::Stress => "stress",
            Self::BloodPressure => "blood_pressure",
            Self::Sleep => "sleep",
            Self::SocialCircumstances => "social_circumstances",
            Self::Employment => "employment",
            Self::IllnessExperience => "illness_experience",
            Self::EndOfLifeWishes => "end_of_life_wishes",
            Self::FamilyHistory => "family_history",
        }
    }

    pub fn from_slug(slug: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.slug() == slug)
    }

    pub fn title(self) -> &'static str {
        match self {
            Self::Identity => "About me",
            Self::Contacts => "Next of kin and emergency contacts",
            Self::EmergencyInfo => "Emergency information",
            Self::Conditions => "Diagnoses and conditions",
            Self::Medications => "Medications",
            Self::SocialPrescriptions => "Social prescriptions",
            Self::Procedures => "Operations and procedures",
            Self::LifeEvents => "Life events",
            Self::OrganDonation => "Organ donation",
            Self::Allergies => "Allergies and intolerances",
            Self::BloodGroup => "Blood group",
            Self::Vaccinations => "Vaccinations",
            Self::TestResults => "Test results",
            Self::Dental => "Dental",
            Self::Optician => "Optician",
            Self::Weight => "Weight",
            Self::Diet => "Diet",
            Self::Exercise => "Exercise",
            Self::AlcoholSmoking => "Alcohol and smoking",
            Self::Stress => "Stress",
            Self::BloodPressure => "Blood pressure",
            Self::Sleep => "Sleep",
            Self::SocialCircumstances => "Social circumstances",
            Self::Employment => "Employment",
            Self::IllnessExperience => "My experience of illness",
            Self::EndOfLifeWishes => "End-of-life wishes",
            Self::FamilyHistory => "Family history",
        }
    }

    pub fn class(self) -> SectionClass {
        if (self as usize) <= (Self::Optician as usize) {
            SectionClass::Core
        } else {
            SectionClass::Optional
        }
    }

    /// Defaults chosen from the Leeds focus groups: the clinical core is shareable (people
    /// want the GP, A&E and carers to see it), while what people called private (stress,
    /// illness experience, social and employment issues, end-of-life wishes, family
    /// history) starts sensitive. Owners change any of these.
    pub fn default_privacy(self) -> PrivacyLevel {
        match self {
            Self::Stress
            | Self::SocialCircumstances
            | Self::Employment
            | Self::IllnessExperience
            | Self::EndOfLifeWishes
            | Self::FamilyHistory
            | Self::AlcoholSmoking => PrivacyLevel::Sensitive,
            _ => PrivacyLevel::Shareable,
        }
    }

    /// The typed fields of a built-in section whose entries are field sets (only test
    /// results: a lab value is a number with a unit and a range, not one fixed shape).
    pub fn fields(self) -> Vec<FieldDef> {
        if self != Self::TestResults {
            return vec![];
        }
        let text =
            |n: &str, required: bool| FieldDef { name: n.into(), field_type: FieldType::Text, required };
        let num = |n: &str| FieldDef {
            name: n.into(),
            field_type: FieldType::Number { unit: None },
            required: false,
        };
        vec![
            text("test", true),
            num("value"),
            text("result", false),
            text("unit", false),
            num("low"),
            num("high"),
            text("range", false),
            text("interpretation", false),
            FieldDef { name: "date".into(), field_type: FieldType::Date, required: false },
            text("code", false),
            text("status", false),
            text("category", false),
        ]
    }

    /// Sections that hold at most one live entry (adding replaces by editing).
    pub fn is_singleton(self) -> bool {
        matches!(self, Self::Identity | Self::OrganDonation | Self::BloodGroup | Self::EmergencyInfo)
    }
}

/// A typed field in a user-defined section.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FieldDef {
    pub name: String,
    #[serde(rename = "type")]
    pub field_type: FieldType,
    #[serde(default)]
    pub required: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum FieldType {
    Text,
    Number {
        #[serde(default)]
        unit: Option<String>,
    },
    Date,
    Bool,
}

/// A section as the owner sees it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Section {
    /// The slug of a built-in section, or `custom:<uuid>` for one the user made.
    pub id: String,
    pub title: String,
    pub class: SectionClass,
    pub enabled: bool,
    pub privacy: PrivacyLevel,
    /// Typed fields of a user-defined section; empty means free-form.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldDef>,
}

impl Section {
    pub fn builtin(&self) -> Option<BuiltinSection> {
        BuiltinSection::from_slug(&self.id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_round_trip_and_are_unique() {
        let mut seen = std::collections::HashSet::new();
        for s in BuiltinSection::ALL {
            assert_eq!(BuiltinSection::from_slug(s.slug()), Some(s));
            assert!(seen.insert(s.slug()));
        }
        assert_eq!(BuiltinSection::ALL.iter().filter(|s| s.class() == SectionClass::Core).count(), 15);
        assert_eq!(BuiltinSection::ALL.iter().filter(|s| s.class() == SectionClass::Optional).count(), 12);
    }
}
