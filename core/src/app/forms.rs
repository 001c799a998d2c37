//! Forms: what the apps (and `phr add`) ask for each section, and the one way a filled
//! form becomes an entry.
//!
//! The fields come from the record's field table (`record::entry_fields`) and, for custom
//! sections, from the section's own typed fields; validation ends in
//! [`EntryValue::check_fits`], the same check every other way in uses. Errors are message
//! keys from the string catalogue and never carry what was typed.

use crate::record::{
    entry_fields, section_entry_types, BloodGroup, EntryValue, FieldShape, FieldType, NhsNumber, Section,
    SectionClass,
};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// A filled form: field id -> what the person typed. Blank means not given.
pub type Filled = BTreeMap<String, String>;

/// Which end of a date range a field is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RangePart {
    Start,
    End,
}

/// How a field is drawn and what it accepts.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum FieldKind {
    Text,
    LongText,
    /// `YYYY-MM-DD` (also accepted: `DD/MM/YYYY`).
    Date,
    /// One end of a date range; `pair` is the other end's field id. The end may not be
    /// before the start.
    DateRange {
        part: RangePart,
        pair: String,
    },
    /// A number; `units` the person may pick from, stored in `canonical_unit`.
    Number {
        units: Vec<String>,
        canonical_unit: Option<String>,
        integer: bool,
    },
    Choice {
        values: Vec<String>,
    },
    YesNo,
    NhsNumber,
    BloodGroup,
    /// `system|code|display` (display optional).
    CodedValue,
    /// Several short texts separated by commas. (Not `List`: that name would hide
    /// Kotlin's `List` inside the generated sealed class.)
    #[serde(rename = "list")]
    TextList,
}

/// One field of a form.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FormField {
    pub id: String,
    /// Catalogue key of the label; for a custom section's own field, `label` holds the
    /// owner's name for it instead.
    pub label_key: String,
    pub hint_key: String,
    /// The owner's own label (custom sections), shown as typed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    #[serde(flatten)]
    pub kind: FieldKind,
    pub required: bool,
    /// A value that validates, as a person would type it (may be empty for optional fields).
    pub example: String,
    /// Catalogue keys of the choices' labels, in the order of `Choice::values`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub choice_label_keys: Vec<String>,
}

/// The form for one section (and one entry type).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FormSpec {
    pub section: String,
    pub title: String,
    /// The entry type this form makes.
    pub entry_type: String,
    /// Every entry type the section takes (the first is the usual one).
    pub entry_types: Vec<String>,
    pub fields: Vec<FormField>,
}

/// One problem with a filled form.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    /// The field id (`entry` when the problem is with the whole entry).
    pub field: String,
    /// A key in the string catalogue (`error.*`).
    pub key: String,
    /// For an unknown field: the nearest field that exists.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suggestion: Option<String>,
    /// What the field accepts, for keys whose text has `{accepted}`: the choices, the units,
    /// or (for an unknown field) the form's fields.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub accepted: Vec<String>,
}

impl FieldError {
    fn new(field: &str, key: &str) -> Self {
        Self { field: field.to_string(), key: key.to_string(), suggestion: None, accepted: vec![] }
    }

    fn accepting(mut self, accepted: &[String]) -> Self {
        self.accepted = accepted.to_vec();
        self
    }

    /// English text for people (the CLI; apps look the key up themselves and put
    /// `accepted`, joined with commas, in place of `{accepted}`).
    pub fn english(&self) -> String {
        let text = super::strings::text(&self.key).replace("{accepted}", &self.accepted.join(", "));
        match &self.suggestion {
            Some(s) => format!("field `{}`: {text} Did you mean `{s}`?", self.field),
            None => format!("field `{}`: {text}", self.field),
        }
    }
}

/// The entry types a section takes, the usual one first.
pub fn entry_types(section: &Section) -> Vec<&'static str> {
    if section.class == SectionClass::Custom {
        return if section.fields.is_empty() { vec!["note"] } else { vec!["custom"] };
    }
    match section.builtin() {
        Some(b) => section_entry_types(b).to_vec(),
        None => vec![],
    }
}

/// The usual form for a section.
pub fn form_spec(section: &Section) -> FormSpec {
    let types = entry_types(section);
    let ty = types.first().copied().unwrap_or("note");
    build_spec(section, ty, &types)
}

/// The form for one of the entry types a section takes (`dental` also takes a `note`).
pub fn form_spec_for(section: &Section, entry_type: &str) -> Result<FormSpec, FieldError> {
    let types = entry_types(section);
    if !types.contains(&entry_type) {
        return Err(FieldError::new("type", "error.wrong_entry_type"));
    }
    Ok(build_spec(section, entry_type, &types))
}

fn build_spec(section: &Section, ty: &str, types: &[&str]) -> FormSpec {
    let fields = if ty == "custom" { custom_fields(section) } else { builtin_fields(ty) };
    FormSpec {
        section: section.id.clone(),
        title: section.title.clone(),
        entry_type: ty.to_string(),
        entry_types: types.iter().map(|t| t.to_string()).collect(),
        fields,
    }
}

fn builtin_fields(ty: &str) -> Vec<FormField> {
    entry_fields(ty)
        .iter()
        .map(|f| {
            let kind = match f.shape {
                FieldShape::Text => FieldKind::Text,
                FieldShape::LongText => FieldKind::LongText,
                FieldShape::Date => FieldKind::Date,
                FieldShape::RangeStart(pair) => {
                    FieldKind::DateRange { part: RangePart::Start, pair: pair.to_string() }
                }
                FieldShape::RangeEnd(pair) => {
                    FieldKind::DateRange { part: RangePart::End, pair: pair.to_string() }
                }
                FieldShape::Number { unit, integer } => FieldKind::Number {
                    units: vec![unit.to_string()],
                    canonical_unit: Some(unit.to_string()),
                    integer,
                },
                FieldShape::Choice(values) => {
                    FieldKind::Choice { values: values.iter().map(|v| v.to_string()).collect() }
                }
                FieldShape::YesNo => FieldKind::YesNo,
                FieldShape::NhsNumber => FieldKind::NhsNumber,
                FieldShape::BloodGroup => FieldKind::BloodGroup,
                FieldShape::Coded => FieldKind::CodedValue,
                FieldShape::List => FieldKind::TextList,
            };
            let choice_label_keys = match f.shape {
                FieldShape::Choice(values) => {
                    values.iter().map(|v| format!("choice.{}.{v}", f.name)).collect()
                }
                _ => vec![],
            };
            FormField {
                id: f.name.to_string(),
                label_key: format!("field.{ty}.{}", f.name),
                hint_key: format!("hint.{ty}.{}", f.name),
                label: None,
                kind,
                required: f.required,
                example: f.example.to_string(),
                choice_label_keys,
            }
        })
        .collect()
}

fn custom_fields(section: &Section) -> Vec<FormField> {
    section
        .fields
        .iter()
        .map(|d| {
            let (kind, example, hint) = match &d.field_type {
                FieldType::Text => (FieldKind::Text, "Some words".to_string(), "hint.custom.text"),
                FieldType::Number { unit } => (
                    FieldKind::Number {
                        units: unit.iter().cloned().collect(),
                        canonical_unit: unit.clone(),
                        integer: false,
                    },
                    "5".to_string(),
                    "hint.custom.number",
                ),
                FieldType::Date => (FieldKind::Date, "2026-01-15".to_string(), "hint.custom.date"),
                FieldType::Bool => (FieldKind::YesNo, "yes".to_string(), "hint.custom.yes_no"),
            };
            FormField {
                id: d.name.clone(),
                label_key: "field.custom".to_string(),
                hint_key: hint.to_string(),
                label: Some(d.name.clone()),
                kind,
                required: d.required,
                example,
                choice_label_keys: vec![],
            }
        })
        .collect()
}

/// The spec's example values as a filled form (what `phr form` shows and tests add).
pub fn example(spec: &FormSpec) -> Filled {
    spec.fields.iter().filter(|f| !f.example.is_empty()).map(|f| (f.id.clone(), f.example.clone())).collect()
}

/// Checks a filled form; empty when it would be accepted.
pub fn validate(section: &Section, entry_type: Option<&str>, filled: &Filled) -> Vec<FieldError> {
    match entry_from_form(section, entry_type, filled) {
        Ok(_) => vec![],
        Err(e) => e,
    }
}

/// A filled form as an entry value, or every problem with it.
pub fn entry_from_form(
    section: &Section,
    entry_type: Option<&str>,
    filled: &Filled,
) -> Result<EntryValue, Vec<FieldError>> {
    let spec = match entry_type {
        Some(t) => form_spec_for(section, t).map_err(|e| vec![e])?,
        None => form_spec(section),
    };
    let mut errors = vec![];
    let mut obj = Map::new();
    for (id, raw) in filled {
        let Some(field) = spec.fields.iter().find(|f| &f.id == id) else {
            errors.push(unknown_field(&spec, id));
            continue;
        };
        let raw = raw.trim();
        if raw.is_empty() {
            continue;
        }
        match convert(&field.kind, raw) {
            Ok(v) => {
                obj.insert(id.clone(), v);
            }
            Err(key @ ("error.choice" | "error.number_unit")) => {
                errors.push(FieldError::new(id, key).accepting(&accepted(&field.kind)))
            }
            Err(key) => errors.push(FieldError::new(id, key)),
        }
    }
    for f in spec.fields.iter().filter(|f| f.required) {
        if filled.get(&f.id).is_none_or(|v| v.trim().is_empty()) {
            errors.push(FieldError::new(&f.id, "error.required"));
        }
    }
    if !errors.is_empty() {
        errors.sort_by_key(|e| spec.fields.iter().position(|f| f.id == e.field).unwrap_or(usize::MAX));
        return Err(errors);
    }
    let json = if spec.entry_type == "custom" {
        serde_json::json!({"type": "custom", "fields": obj})
    } else {
        obj.insert("type".into(), Value::from(spec.entry_type.clone()));
        Value::Object(obj)
    };
    let value: EntryValue = serde_json::from_value(json).map_err(|e| vec![serde_error(&e.to_string())])?;
    value.check_fits(section).map_err(|e| vec![check_error(&spec, e.into())])?;
    Ok(value)
}

/// An entry's value as a filled form (to start an edit from).
pub fn form_values(section: &Section, value: &EntryValue) -> Filled {
    let Ok(spec) = form_spec_for(section, value.type_name()) else { return Filled::new() };
    let json = match serde_json::to_value(value) {
        Ok(Value::Object(mut o)) if value.type_name() == "custom" => match o.remove("fields") {
            Some(Value::Object(f)) => f,
            _ => Map::new(),
        },
        Ok(Value::Object(o)) => o,
        _ => Map::new(),
    };
    let mut out = Filled::new();
    for f in &spec.fields {
        let text = match json.get(&f.id) {
            None | Some(Value::Null) => continue,
            Some(Value::String(s)) => s.clone(),
            Some(Value::Bool(b)) => if *b { "yes" } else { "no" }.to_string(),
            Some(Value::Number(n)) => n.to_string(),
            Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(", "),
            Some(Value::Object(o)) => {
                let part = |k: &str| o.get(k).and_then(Value::as_str).unwrap_or_default().to_string();
                let display = part("display");
                if display.is_empty() {
                    format!("{}|{}", part("system"), part("code"))
                } else {
                    format!("{}|{}|{display}", part("system"), part("code"))
                }
            }
        };
        out.insert(f.id.clone(), text);
    }
    out
}

fn unknown_field(spec: &FormSpec, id: &str) -> FieldError {
    let nearest = spec
        .fields
        .iter()
        .map(|f| (strsim::levenshtein(&f.id, id), &f.id))
        .filter(|(d, f)| *d <= (f.len().max(id.len()) / 2).max(2))
        .min_by_key(|(d, _)| *d)
        .map(|(_, f)| f.clone());
    FieldError {
        field: id.to_string(),
        key: "error.unknown_field".into(),
        suggestion: nearest,
        accepted: spec.fields.iter().map(|f| f.id.clone()).collect(),
    }
}

/// What a field accepts, for an error's `{accepted}`: the choices or the units.
fn accepted(kind: &FieldKind) -> Vec<String> {
    match kind {
        FieldKind::Choice { values } => values.clone(),
        FieldKind::Number { units, .. } => units.clone(),
        _ => vec![],
    }
}

fn parse_date(raw: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(raw, "%Y-%m-%d").or_else(|_| NaiveDate::parse_from_str(raw, "%d/%m/%Y")).ok()
}

/// Parses yes/no as people type it.
pub fn parse_yes_no(raw: &str) -> Option<bool> {
    match raw.to_ascii_lowercase().as_str() {
        "true" | "yes" | "y" | "1" => Some(true),
        "false" | "no" | "n" | "0" => Some(false),
        _ => None,
    }
}

fn convert(kind: &FieldKind, raw: &str) -> Result<Value, &'static str> {
    Ok(match kind {
        FieldKind::Text | FieldKind::LongText => Value::from(raw),
        FieldKind::Date | FieldKind::DateRange { .. } => {
            Value::from(parse_date(raw).ok_or("error.date")?.format("%Y-%m-%d").to_string())
        }
        FieldKind::Number { units, integer, .. } => {
            let mut number = raw;
            for u in units {
                if let Some(n) = raw.strip_suffix(u.as_str()) {
                    number = n.trim();
                }
            }
            let bad = if units.is_empty() { "error.number" } else { "error.number_unit" };
            let n: f64 = number.replace(',', "").parse().map_err(|_| bad)?;
            if !n.is_finite() {
                return Err(bad);
            }
            if *integer {
                if n.fract() != 0.0 || !(0.0..=u32::MAX as f64).contains(&n) {
                    return Err("error.whole_number");
                }
                Value::from(n as u32)
            } else {
                Value::from(n)
            }
        }
        FieldKind::Choice { values } => {
            let v = raw.to_ascii_lowercase().replace([' ', '-'], "_");
            if !values.contains(&v) {
                return Err("error.choice");
            }
            Value::from(v)
        }
        FieldKind::YesNo => Value::from(parse_yes_no(raw).ok_or("error.yes_no")?),
        FieldKind::NhsNumber => match NhsNumber::parse(raw) {
            Ok(n) => Value::from(n.digits().to_string()),
            Err(e) if e.to_string().contains("check digit") => return Err("error.nhs_number_check_digit"),
            Err(_) => return Err("error.nhs_number"),
        },
        FieldKind::BloodGroup => {
            BloodGroup::parse(raw).map_err(|_| "error.blood_group")?;
            Value::from(raw)
        }
        FieldKind::CodedValue => {
            let mut parts = raw.split('|').map(str::trim);
            let (Some(system), Some(code)) = (parts.next(), parts.next()) else {
                return Err("error.coded_value");
            };
            if system.is_empty() || code.is_empty() {
                return Err("error.coded_value");
            }
            let mut o = Map::new();
            o.insert("system".into(), Value::from(system));
            o.insert("code".into(), Value::from(code));
            if let Some(d) = parts.next().filter(|d| !d.is_empty()) {
                o.insert("display".into(), Value::from(d));
            }
            Value::Object(o)
        }
        FieldKind::TextList => Value::from(
            raw.split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect::<Vec<_>>(),
        ),
    })
}

/// serde's "missing field `organs`" -> that field is required; anything else is about the
/// whole entry (serde's text is never shown: it may quote a value).
fn serde_error(msg: &str) -> FieldError {
    if let Some(rest) = msg.strip_prefix("missing field `") {
        if let Some(name) = rest.split('`').next() {
            return FieldError::new(name, "error.required");
        }
    }
    FieldError::new("entry", "error.invalid_entry")
}

fn check_error(spec: &FormSpec, e: crate::Error) -> FieldError {
    match e {
        crate::Error::Invalid { field: "stop", .. } => FieldError::new("stop", "error.stop_before_start"),
        crate::Error::Invalid { field, reason } if spec.fields.iter().any(|f| f.id == field) => {
            FieldError::new(field, if reason.contains("empty") { "error.required" } else { "error.invalid" })
        }
        crate::Error::Invalid { field: "text", .. } => FieldError::new("entry", "error.too_long"),
        _ => FieldError::new("entry", "error.invalid_entry"),
    }
}

impl crate::store::Record {
    /// Adds an entry from a filled form in one call: validation errors come back as
    /// `Ok(Err(..))`, store errors (section off, singleton taken...) as `Err`.
    pub fn add_entry_from_form(
        &self,
        section: &str,
        entry_type: Option<&str>,
        filled: &Filled,
    ) -> crate::Result<Result<crate::record::Entry, Vec<FieldError>>> {
        let s = self.resolve_section(section)?;
        match entry_from_form(&s, entry_type, filled) {
            Ok(v) => Ok(Ok(self.add_entry(&s.id, v, crate::record::Provenance::User)?)),
            Err(e) => Ok(Err(e)),
        }
    }

    /// Replaces an entry's value from a filled form (start from [`form_values`]); the old
    /// value goes to the history. Entries from the medical record are refused.
    pub fn edit_entry_from_form(
        &self,
        id: &str,
        filled: &Filled,
    ) -> crate::Result<Result<crate::record::Entry, Vec<FieldError>>> {
        let current = self.entry(id)?;
        if current.provenance.is_medical_record() {
            return Err(crate::Error::ReadOnlyEntry);
        }
        let s = self.resolve_section(&current.section)?;
        match entry_from_form(&s, Some(current.value.type_name()), filled) {
            Ok(v) => Ok(Ok(self.edit_entry(id, v)?)),
            Err(e) => Ok(Err(e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::{BuiltinSection, FieldDef, PrivacyLevel};

    fn section(b: BuiltinSection) -> Section {
        Section {
            id: b.slug().into(),
            title: b.title().into(),
            class: b.class(),
            enabled: true,
            privacy: PrivacyLevel::Shareable,
            fields: b.fields(),
        }
    }

    fn filled(pairs: &[(&str, &str)]) -> Filled {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn every_builtin_form_has_fields_and_its_example_validates() {
        for b in BuiltinSection::ALL {
            let s = section(b);
            for ty in entry_types(&s) {
                let spec = form_spec_for(&s, ty).unwrap();
                assert!(!spec.fields.is_empty(), "{} {ty}", b.slug());
                let ex = example(&spec);
                let v = entry_from_form(&s, Some(ty), &ex);
                assert!(v.is_ok(), "{} {ty}: {:?}", b.slug(), v.err());
                assert_eq!(v.unwrap().type_name(), ty);
                // A required field left out is named.
                for f in spec.fields.iter().filter(|f| f.required) {
                    let mut missing = ex.clone();
                    missing.remove(&f.id);
                    let errs = validate(&s, Some(ty), &missing);
                    assert!(
                        errs.contains(&FieldError::new(&f.id, "error.required")),
                        "{} {}",
                        b.slug(),
                        f.id
                    );
                }
            }
        }
    }

    #[test]
    fn choices_are_the_json_spelling_and_round_trip_through_form_values() {
        for b in BuiltinSection::ALL {
            let s = section(b);
            for ty in entry_types(&s) {
                let spec = form_spec_for(&s, ty).unwrap();
                let v = entry_from_form(&s, Some(ty), &example(&spec)).unwrap();
                let back = form_values(&s, &v);
                assert_eq!(entry_from_form(&s, Some(ty), &back).unwrap(), v, "{} {ty}", b.slug());
            }
        }
    }

    #[test]
    fn unknown_fields_suggest_the_nearest() {
        let s = section(BuiltinSection::Medications);
        let errs = validate(&s, None, &filled(&[("name", "Ramipril"), ("dosage", "5 mg")]));
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].key, "error.unknown_field");
        assert_eq!(errs[0].suggestion.as_deref(), Some("dose"));
        assert!(errs[0].accepted.contains(&"dose".to_string()));
        assert!(errs[0].english().contains("Did you mean `dose`?"), "{}", errs[0].english());
        let errs = validate(&s, None, &filled(&[("name", "Ramipril"), ("zzzzzzzzzzzz", "x")]));
        assert_eq!(errs[0].suggestion, None);
    }

    #[test]
    fn errors_are_keys_and_never_echo_an_nhs_number() {
        let s = section(BuiltinSection::Identity);
        let errs = validate(
            &s,
            None,
            &filled(&[("given_name", "A"), ("family_name", "B"), ("nhs_number", "943 476 5918")]),
        );
        assert_eq!(errs, vec![FieldError::new("nhs_number", "error.nhs_number_check_digit")]);
        let text = errs[0].english();
        assert!(!text.contains("943") && !text.contains("5918"), "{text}");
        let errs = validate(
            &s,
            None,
            &filled(&[("given_name", "A"), ("family_name", "B"), ("date_of_birth", "soon")]),
        );
        assert_eq!(errs, vec![FieldError::new("date_of_birth", "error.date")]);
        let ok = entry_from_form(
            &s,
            None,
            &filled(&[("given_name", "A"), ("family_name", "B"), ("date_of_birth", "03/02/1999")]),
        )
        .unwrap();
        assert_eq!(form_values(&s, &ok).get("date_of_birth").map(String::as_str), Some("1999-02-03"));
    }

    #[test]
    fn ranges_choices_numbers_and_codes_are_checked() {
        let m = section(BuiltinSection::Medications);
        let errs =
            validate(&m, None, &filled(&[("name", "X"), ("start", "2025-02-01"), ("stop", "2025-01-01")]));
        assert_eq!(errs, vec![FieldError::new("stop", "error.stop_before_start")]);
        let errs = validate(&m, None, &filled(&[("name", "X"), ("code", "no bar")]));
        assert_eq!(errs, vec![FieldError::new("code", "error.coded_value")]);
        let a = section(BuiltinSection::Allergies);
        let errs =
            validate(&a, None, &filled(&[("substance", "Nuts"), ("severity", "awful"), ("kind", "allergy")]));
        assert_eq!(errs[0].key, "error.choice");
        assert_eq!(errs[0].accepted, ["mild", "moderate", "severe"]);
        assert!(errs[0].english().starts_with("field `severity`: Pick one of: mild, moderate, severe"));
        let f = section(BuiltinSection::FamilyHistory);
        let errs = validate(
            &f,
            None,
            &filled(&[("relative", "dad"), ("condition", "gout"), ("age_at_onset", "4.5")]),
        );
        assert_eq!(errs, vec![FieldError::new("age_at_onset", "error.whole_number")]);
        assert!(validate(
            &f,
            None,
            &filled(&[("relative", "dad"), ("condition", "gout"), ("age_at_onset", "45 years")])
        )
        .is_empty());
        let o = section(BuiltinSection::OrganDonation);
        let errs = validate(&o, None, &filled(&[("decision", "appointed")]));
        assert_eq!(errs, vec![FieldError::new("representative", "error.required")]);
        assert_eq!(form_spec_for(&o, "note").unwrap_err().key, "error.wrong_entry_type");
    }

    #[test]
    fn custom_sections_get_their_own_fields() {
        let s = Section {
            id: "custom:x".into(),
            title: "Migraine diary".into(),
            class: SectionClass::Custom,
            enabled: true,
            privacy: PrivacyLevel::Private,
            fields: vec![
                FieldDef {
                    name: "pain".into(),
                    field_type: FieldType::Number { unit: Some("/10".into()) },
                    required: true,
                },
                FieldDef { name: "when".into(), field_type: FieldType::Date, required: false },
                FieldDef { name: "aura".into(), field_type: FieldType::Bool, required: false },
            ],
        };
        let spec = form_spec(&s);
        assert_eq!(spec.entry_type, "custom");
        assert_eq!(spec.fields.iter().map(|f| f.id.as_str()).collect::<Vec<_>>(), ["pain", "when", "aura"]);
        assert!(entry_from_form(&s, None, &example(&spec)).is_ok());
        let errs = validate(&s, None, &filled(&[("pain", "a lot")]));
        assert_eq!(errs, vec![FieldError::new("pain", "error.number_unit").accepting(&["/10".to_string()])]);
        assert!(errs[0].english().contains("/10"), "{}", errs[0].english());
        let free = Section { fields: vec![], ..s };
        assert_eq!(form_spec(&free).entry_type, "note");
    }
}
