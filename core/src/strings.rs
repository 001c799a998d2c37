//! The string catalogue: every user-facing text the core (and the insights crate, whose
//! alerts, suggestions and goals are labels) produces, as a key with English
//! text, in `core/strings/en.json`. Android `strings.xml` and iOS `Localizable.strings`
//! are generated from it by `tools/gen_strings.py` (its `--check` fails on drift).

use std::collections::BTreeMap;
use std::sync::OnceLock;

use phr_model::Label;

/// The catalogue file, compiled in.
pub const EN_JSON: &str = include_str!("../strings/en.json");

/// Every key with its English text.
pub fn catalogue() -> &'static BTreeMap<String, String> {
    static CAT: OnceLock<BTreeMap<String, String>> = OnceLock::new();
    // A broken catalogue is caught by the tests; at run time it degrades to showing keys.
    CAT.get_or_init(|| serde_json::from_str(EN_JSON).unwrap_or_default())
}

/// The English text of a key, or the key itself when it is missing.
pub fn text(key: &str) -> &str {
    catalogue().get(key).map(String::as_str).unwrap_or(key)
}

/// The English text of a label (what the CLI and tests show); the shells use their own
/// generated strings instead.
pub trait English {
    fn english(&self) -> String;
}

impl English for Label {
    fn english(&self) -> String {
        self.fill(text(&self.key))
    }
}

/// Sentences shown as one paragraph, each its own label.
impl English for [Label] {
    fn english(&self) -> String {
        self.iter().map(English::english).collect::<Vec<_>>().join(" ")
    }
}

/// Puts English in place of every label inside a JSON value (an object with a catalogue
/// `key` and optional `args`), and a list of labels becomes one paragraph. For the CLI's
/// `--json`, whose readers want text, not keys; the apps get the labels themselves.
pub fn labels_to_english(v: &mut serde_json::Value) {
    use serde_json::Value;
    fn as_label(v: &Value) -> Option<Label> {
        let o = v.as_object()?;
        let key = o.get("key")?.as_str()?;
        let only_label_fields = o.keys().all(|k| k == "key" || k == "args");
        (only_label_fields && catalogue().contains_key(key))
            .then(|| serde_json::from_value(v.clone()).ok())?
    }
    if let Some(l) = as_label(v) {
        *v = Value::String(l.english());
        return;
    }
    match v {
        Value::Array(items) if !items.is_empty() && items.iter().all(|i| as_label(i).is_some()) => {
            let labels: Vec<Label> = items.iter().filter_map(as_label).collect();
            *v = Value::String(labels.english());
        }
        Value::Array(items) => items.iter_mut().for_each(labels_to_english),
        Value::Object(map) => map.values_mut().for_each(labels_to_english),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::forms;
    use crate::record::{BuiltinSection, PrivacyLevel, Section};

    const ANDROID: &str = include_str!("../../android/app/src/main/res/values/strings.xml");
    const IOS: &str = include_str!("../../ios/PhrApp/en.lproj/Localizable.strings");

    #[test]
    fn the_catalogue_parses_and_the_app_files_follow_it() {
        let cat: BTreeMap<String, String> = serde_json::from_str(EN_JSON).unwrap();
        assert!(!cat.is_empty());
        let ios_lines = IOS.lines().filter(|l| l.starts_with('"')).count();
        let android_lines = ANDROID.lines().filter(|l| l.contains("<string name=")).count();
        let hint = "run python3 tools/gen_strings.py";
        assert_eq!(ios_lines, cat.len(), "Localizable.strings drifted: {hint}");
        assert_eq!(android_lines, cat.len(), "strings.xml drifted: {hint}");
        for (k, v) in &cat {
            let ios = format!("\"{}\" = \"{}\";", k, v.replace('\\', "\\\\").replace('"', "\\\""));
            assert!(IOS.contains(&ios), "{k} is not in Localizable.strings as in the catalogue: {hint}");
            let name = format!("<string name=\"{}\">", k.replace(['.', '-'], "_"));
            assert!(ANDROID.contains(&name), "{k} is not in strings.xml: {hint}");
        }
    }

    #[test]
    fn every_key_the_forms_use_is_in_the_catalogue() {
        let cat = catalogue();
        for b in BuiltinSection::ALL {
            let s = Section {
                id: b.slug().into(),
                title: b.title().into(),
                class: b.class(),
                enabled: true,
                privacy: PrivacyLevel::Shareable,
                fields: b.fields(),
            };
            for ty in forms::entry_types(&s) {
                let Ok(spec) = forms::form_spec_for(&s, ty) else { continue };
                for f in spec.fields {
                    for key in [&f.label_key, &f.hint_key].into_iter().chain(f.choice_label_keys.iter()) {
                        assert!(cat.contains_key(key), "{key} missing from core/strings/en.json");
                    }
                }
            }
        }
        for key in [
            "error.required",
            "error.unknown_field",
            "error.date",
            "error.number",
            "error.number_unit",
            "error.whole_number",
            "error.choice",
            "error.yes_no",
            "error.nhs_number",
            "error.nhs_number_check_digit",
            "error.blood_group",
            "error.coded_value",
            "error.stop_before_start",
            "error.invalid",
            "error.invalid_entry",
            "error.too_long",
            "error.wrong_entry_type",
        ] {
            assert!(cat.contains_key(key), "{key}");
        }
    }

    /// The insights crate words its alerts, suggestions, goals and bests as catalogue keys
    /// (string literals in its source); each must be in the catalogue, or a shell would show
    /// the bare key.
    #[test]
    fn every_key_the_insights_use_is_in_the_catalogue() {
        const SOURCES: [&str; 5] = [
            include_str!("../../insights/src/alerts.rs"),
            include_str!("../../insights/src/signposts.rs"),
            include_str!("../../insights/src/fitness.rs"),
            include_str!("../../insights/src/trends.rs"),
            include_str!("../../insights/src/chart.rs"),
        ];
        let prefixes = ["alert.", "suggestion.", "goal.", "best.", "trend."];
        let mut found = 0;
        for src in SOURCES {
            for lit in src.split('"').skip(1).step_by(2) {
                let is_key = prefixes.iter().any(|p| lit.starts_with(p))
                    && lit.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._".contains(c));
                if is_key {
                    found += 1;
                    assert!(
                        catalogue().contains_key(lit),
                        "{lit} is used by the insights but not in en.json"
                    );
                }
            }
        }
        assert!(found > 100, "only {found} keys found: has the wording moved?");
    }

    #[test]
    fn labels_in_json_become_english() {
        let l = Label::new("alert.bmi.latest").arg("bmi", "31.2");
        let mut v = serde_json::json!({
            "title": l,
            "explanation": [Label::new("alert.bmi.latest").arg("bmi", "31.2"), Label::new("alert.bmi.rough_guide")],
            "other": {"key": "not.a.catalogue.key"},
            "n": 3,
        });
        labels_to_english(&mut v);
        assert_eq!(v["title"], "Your latest BMI is 31.2.");
        assert_eq!(
            v["explanation"],
            "Your latest BMI is 31.2. BMI is only a rough guide: it does not tell muscle from fat."
        );
        assert_eq!(v["other"]["key"], "not.a.catalogue.key", "unknown keys are left alone");
        assert_eq!(v["n"], 3);
    }

    /// Vowel groups, less a silent final e: the usual simple count.
    fn syllables(word: &str) -> usize {
        let w: Vec<char> = word.to_lowercase().chars().filter(|c| c.is_ascii_alphabetic()).collect();
        let vowel = |c: char| "aeiouy".contains(c);
        let mut n = 0;
        let mut prev = false;
        for &c in &w {
            let v = vowel(c);
            if v && !prev {
                n += 1;
            }
            prev = v;
        }
        if w.len() > 2 && w.ends_with(&['e']) && !w.ends_with(&['l', 'e']) && n > 1 {
            n -= 1;
        }
        n.max(1)
    }

    fn sentences(text: &str) -> Vec<&str> {
        text.split(['.', '?', '!']).map(str::trim).filter(|s| !s.is_empty()).collect()
    }

    #[test]
    fn the_catalogue_is_plain_english() {
        const JARGON: &[&str] = &[
            "utilise",
            "utilize",
            "commence",
            "prior to",
            "in order to",
            "facilitate",
            "pursuant",
            "aforementioned",
            "mellitus",
            "aetiology",
            "prognosis",
            "contraindicated",
            "adherence",
            "invalid",
            "validation",
            "parameter",
            "null",
            "input",
        ];
        let (mut words, mut sents, mut syl) = (0usize, 0usize, 0usize);
        for (key, text) in catalogue() {
            let lower = text.to_lowercase();
            for j in JARGON {
                assert!(!lower.contains(j), "{key}: {j:?} is jargon: {text}");
            }
            for s in sentences(text) {
                let ws: Vec<&str> = s.split_whitespace().collect();
                assert!(ws.len() <= 20, "{key}: a sentence of {} words: {s}", ws.len());
                words += ws.len();
                sents += 1;
                syl += ws.iter().map(|w| syllables(w)).sum::<usize>();
            }
        }
        // Flesch-Kincaid grade over the whole catalogue; reading age is grade + 5.
        let grade = 0.39 * words as f64 / sents as f64 + 11.8 * syl as f64 / words as f64 - 15.59;
        assert!(grade + 5.0 <= 9.5, "reading age {:.1} (grade {grade:.1})", grade + 5.0);
        assert_eq!(syllables("medicine"), 3);
        assert_eq!(syllables("date"), 1);
    }
}
