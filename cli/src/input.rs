//! Turning what people type (`name=Ramipril dose="5 mg"`) into entry values: the pairs
//! become a filled form and go through `phr_core::app::forms`, the same path the apps use.

use phr_core::app::forms::{self, FieldError, Filled};
use phr_core::record::{EntryValue, Section};
use serde_json::Value;

/// Splits `key=value` pairs; keys are normalised (`next-of-kin` -> `next_of_kin`).
pub fn pairs(args: &[String]) -> Result<Vec<(String, String)>, String> {
    args.iter()
        .map(|a| {
            let (k, v) = a.split_once('=').ok_or_else(|| format!("expected key=value, got {a:?}"))?;
            Ok((k.trim().replace('-', "_"), v.to_string()))
        })
        .collect()
}

/// Splits off `type=...` (which entry type of the section) from the form's fields.
pub fn filled_form(pairs: Vec<(String, String)>) -> (Option<String>, Filled) {
    let mut ty = None;
    let mut filled = Filled::new();
    for (k, v) in pairs {
        if k == "type" {
            ty = Some(v);
        } else {
            filled.insert(k, v);
        }
    }
    (ty, filled)
}

/// All of a form's errors as English lines (never quoting what was typed).
pub fn form_errors(errors: &[FieldError]) -> String {
    let lines: Vec<String> = errors.iter().map(FieldError::english).collect();
    format!("the entry is not valid:\n  {}", lines.join("\n  "))
}

/// A filled form -> an entry value for `section`, through the forms' validation.
pub fn entry_from_pairs(section: &Section, pairs: Vec<(String, String)>) -> Result<EntryValue, String> {
    let (ty, filled) = filled_form(pairs);
    forms::entry_from_form(section, ty.as_deref(), &filled).map_err(|e| form_errors(&e))
}

/// `--json-value '{"name": "Ramipril", "dose": "5 mg"}'` as key=value pairs, so JSON goes
/// through the same form validation as pairs (unknown fields, dates, units named).
pub fn json_pairs(text: &str) -> Result<Vec<(String, String)>, String> {
    let v: Value = serde_json::from_str(text).map_err(|e| format!("--json-value is not valid JSON: {e}"))?;
    let Value::Object(o) = v else {
        return Err("--json-value must be a JSON object of fields, like '{\"name\": \"Ramipril\"}'".into());
    };
    Ok(o.into_iter()
        .filter(|(_, v)| !v.is_null())
        .map(|(k, v)| {
            let text = match v {
                Value::String(s) => s,
                Value::Array(a) => a.iter().map(plain).collect::<Vec<_>>().join(", "),
                Value::Object(c) => {
                    let part = |k: &str| c.get(k).map(plain).unwrap_or_default();
                    format!("{}|{}|{}", part("system"), part("code"), part("display"))
                }
                other => plain(&other),
            };
            (k.replace('-', "_"), text)
        })
        .collect())
}

fn plain(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use phr_core::record::{BuiltinSection, PrivacyLevel};

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
        let v = entry_from_pairs(&s, p).unwrap();
        assert!(matches!(v, EntryValue::Contact { next_of_kin: true, .. }));
        assert!(pairs(&["oops".into()]).is_err());
        let bad = pairs(&["name=Dan".into(), "relationship=son".into(), "next_of_kin=maybe".into()]).unwrap();
        let e = entry_from_pairs(&s, bad).unwrap_err();
        assert!(e.contains("field `next_of_kin`: Choose yes or no."), "{e}");
        let typo = pairs(&["name=Dan".into(), "relationship=son".into(), "phon=1".into()]).unwrap();
        assert!(entry_from_pairs(&s, typo).unwrap_err().contains("Did you mean `phone`?"));
    }
}
