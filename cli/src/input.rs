//! Turning what people type (`name=Ramipril dose="5 mg"`) into typed entry values.

use phr_core::record::{BuiltinSection, EntryValue, FieldType, Section, SectionClass};
use serde_json::{Map, Value};

/// The entry type a section takes when the user does not say (`type=...` overrides).
pub fn default_type(section: &Section) -> &'static str {
    let Some(b) = section.builtin() else { return "custom" };
    use BuiltinSection as S;
    match b {
        S::Identity => "identity",
        S::Contacts => "contact",
        S::EmergencyInfo => "emergency_info",
        S::Conditions => "condition",
        S::Medications => "medication",
        S::SocialPrescriptions => "social_prescription",
        S::Procedures => "procedure",
        S::LifeEvents => "life_event",
        S::OrganDonation => "organ_donation",
        S::Allergies => "allergy",
        S::BloodGroup => "blood_group",
        S::Vaccinations => "vaccination",
        S::Dental | S::Optician => "check_up",
        S::FamilyHistory => "family_history",
        _ => "note",
    }
}

const BOOL_KEYS: &[&str] = &["next_of_kin", "emergency_contact", "registered"];
const NUMBER_KEYS: &[&str] = &["age_at_onset"];
const LIST_KEYS: &[&str] = &["organs"];

fn parse_bool(v: &str) -> Option<bool> {
    match v.to_ascii_lowercase().as_str() {
        "true" | "yes" | "y" | "1" => Some(true),
        "false" | "no" | "n" | "0" => Some(false),
        _ => None,
    }
}

/// Splits `key=value` pairs; keys are normalised (`next-of-kin` -> `next_of_kin`).
pub fn pairs(args: &[String]) -> Result<Vec<(String, String)>, String> {
    args.iter()
        .map(|a| {
            let (k, v) = a.split_once('=').ok_or_else(|| format!("expected key=value, got {a:?}"))?;
            Ok((k.trim().replace('-', "_"), v.to_string()))
        })
        .collect()
}

/// Builds the JSON object for a built-in entry type from `key=value` pairs.
pub fn object_from_pairs(
    type_name: &str,
    section: &Section,
    pairs: &[(String, String)],
) -> Result<Value, String> {
    if section.class == SectionClass::Custom && type_name == "custom" {
        let mut fields = Map::new();
        for (k, v) in pairs {
            let ty = section.fields.iter().find(|f| &f.name == k).map(|f| &f.field_type);
            let val = match ty {
                Some(FieldType::Number { .. }) => {
                    Value::from(v.parse::<f64>().map_err(|_| format!("{k} must be a number"))?)
                }
                Some(FieldType::Bool) => {
                    Value::from(parse_bool(v).ok_or_else(|| format!("{k} must be yes or no"))?)
                }
                _ => Value::from(v.clone()),
            };
            fields.insert(k.clone(), val);
        }
        return Ok(serde_json::json!({"type": "custom", "fields": fields}));
    }
    let mut obj = Map::new();
    obj.insert("type".into(), Value::from(type_name));
    for (k, v) in pairs {
        let val = if BOOL_KEYS.contains(&k.as_str()) {
            Value::from(parse_bool(v).ok_or_else(|| format!("{k} must be yes or no"))?)
        } else if NUMBER_KEYS.contains(&k.as_str()) {
            Value::from(v.parse::<u32>().map_err(|_| format!("{k} must be a whole number"))?)
        } else if LIST_KEYS.contains(&k.as_str()) {
            Value::from(
                v.split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect::<Vec<_>>(),
            )
        } else {
            Value::from(v.clone())
        };
        obj.insert(k.clone(), val);
    }
    Ok(Value::Object(obj))
}

/// Parses a JSON value into an entry value with a readable message on failure.
pub fn entry_from_json(v: Value) -> Result<EntryValue, String> {
    serde_json::from_value(v).map_err(|e| format!("the entry is not valid: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use phr_core::record::PrivacyLevel;

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
    fn pairs_become_typed_values() {
        let s = section("contacts");
        let p = pairs(&["name=Dan".into(), "relationship=son".into(), "next-of-kin=yes".into()]).unwrap();
        let v = entry_from_json(object_from_pairs(default_type(&s), &s, &p).unwrap()).unwrap();
        assert!(matches!(v, EntryValue::Contact { next_of_kin: true, .. }));
        assert!(pairs(&["oops".into()]).is_err());
        let bad = pairs(&["next_of_kin=maybe".into()]).unwrap();
        assert!(object_from_pairs("contact", &s, &bad).is_err());
    }
}
