//! How an entry is recognised as being about mental health, so that grants to an employer
//! or insurer can leave it out even when it sits in a shareable section (a depression
//! diagnosis among "conditions", an antidepressant among "medications").
//!
//! Without a terminology server we cannot walk SNOMED CT's `74732009 |Mental disorder|`
//! hierarchy, so the rule is deliberately over-inclusive (withholding too much from an
//! employer is the safe error):
//!
//! 1. a code in SNOMED CT from [`SNOMED_MENTAL`] (the hierarchy's top concept and its
//!    common descendants), or an ICD-10 code in chapter V (`F00`-`F99`);
//! 2. a medication whose name is a psychotropic in [`PSYCHOTROPICS`] (BNF chapter 4.2-4.4
//!    antipsychotics, antidepressants, lithium, ADHD stimulants);
//! 3. any text of the entry (name, notes, reason, title) containing one of [`KEYWORDS`];
//! 4. every entry of the `stress` section.
//!
//! docs/adr/0008-consent-and-sharing.md records the choice.

use crate::record::{Code, Entry, EntryValue};

/// SNOMED CT concepts under 74732009 |Mental disorder| that GP records commonly carry.
pub const SNOMED_MENTAL: &[&str] = &[
    "74732009",  // Mental disorder
    "35489007",  // Depressive disorder
    "370143000", // Major depressive disorder
    "36923009",  // Major depression, single episode
    "192080009", // Chronic depression
    "197480006", // Anxiety disorder
    "21897009",  // Generalized anxiety disorder
    "231504006", // Mixed anxiety and depressive disorder
    "371631005", // Panic disorder
    "69322001",  // Psychotic disorder
    "58214004",  // Schizophrenia
    "13746004",  // Bipolar disorder
    "47505003",  // Posttraumatic stress disorder
    "191736004", // Obsessive-compulsive disorder
    "72366004",  // Eating disorder
    "56882008",  // Anorexia nervosa
    "78004001",  // Bulimia nervosa
    "66214007",  // Substance abuse
    "7200002",   // Alcoholism
    "33449004",  // Personality disorder
    "406506008", // Attention deficit hyperactivity disorder
    "35919005",  // Pervasive developmental disorder (autism spectrum)
    "52448006",  // Dementia
    "248062006", // Self-injurious behaviour
];

/// Psychotropic medicines (lower-case generic names).
pub const PSYCHOTROPICS: &[&str] = &[
    "sertraline",
    "fluoxetine",
    "citalopram",
    "escitalopram",
    "paroxetine",
    "mirtazapine",
    "venlafaxine",
    "duloxetine",
    "amitriptyline",
    "nortriptyline",
    "trazodone",
    "vortioxetine",
    "bupropion",
    "lithium",
    "olanzapine",
    "quetiapine",
    "risperidone",
    "aripiprazole",
    "haloperidol",
    "clozapine",
    "lamotrigine",
    "methylphenidate",
    "lisdexamfetamine",
    "atomoxetine",
    "diazepam",
    "lorazepam",
    "buspirone",
];

/// Words that mark free text as being about mental health (lower-case substrings).
pub const KEYWORDS: &[&str] = &[
    "mental",
    "depress",
    "anxiety",
    "anxious",
    "panic",
    "psychos",
    "psychot",
    "schizo",
    "bipolar",
    "ptsd",
    "post-traumatic",
    "post traumatic",
    "obsessive",
    "ocd",
    "eating disorder",
    "anorexi",
    "bulimi",
    "self-harm",
    "self harm",
    "suicid",
    "personality disorder",
    "psychiatr",
    "adhd",
    "autis",
    "dementia",
    "counselling",
    "cbt",
    "talking therap",
    "iapt",
    "crisis team",
    "sectioned",
    "addiction",
];

fn code_is_mental(code: &Option<Code>) -> bool {
    let Some(c) = code else { return false };
    let sys = c.system.to_ascii_lowercase();
    if sys.contains("snomed") && SNOMED_MENTAL.contains(&c.code.as_str()) {
        return true;
    }
    if sys.contains("icd-10") || sys.contains("icd10") {
        let up = c.code.to_ascii_uppercase();
        if up.starts_with('F') && up[1..].chars().next().is_some_and(|d| d.is_ascii_digit()) {
            return true;
        }
    }
    c.display.as_deref().is_some_and(text_is_mental)
}

/// True when free text mentions mental health.
pub fn text_is_mental(text: &str) -> bool {
    let t = text.to_lowercase();
    KEYWORDS.iter().any(|k| {
        // Short keywords must match as whole words ("ocd" not inside "procedure").
        if k.len() <= 4 {
            t.split(|c: char| !c.is_alphanumeric()).any(|w| w == *k)
        } else {
            t.contains(k)
        }
    })
}

/// True when the entry is about mental health (see the module documentation).
pub fn is_mental_health(entry: &Entry) -> bool {
    if entry.section == "stress" {
        return true;
    }
    let any_text = |xs: &[&Option<String>]| xs.iter().any(|x| x.as_deref().is_some_and(text_is_mental));
    match &entry.value {
        EntryValue::Condition { name, code, notes, .. } => {
            code_is_mental(code) || text_is_mental(name) || any_text(&[notes])
        }
        EntryValue::Medication { name, reason, code, .. } => {
            let n = name.to_lowercase();
            PSYCHOTROPICS.iter().any(|p| n.contains(p))
                || code_is_mental(code)
                || text_is_mental(name)
                || any_text(&[reason])
        }
        EntryValue::Procedure { name, code, notes, .. } => {
            code_is_mental(code) || text_is_mental(name) || any_text(&[notes])
        }
        EntryValue::SocialPrescription { activity, reason, provider, .. } => {
            text_is_mental(activity) || any_text(&[reason, provider])
        }
        EntryValue::LifeEvent { title, details, .. } => text_is_mental(title) || any_text(&[details]),
        EntryValue::Note { title, text, .. } => text_is_mental(text) || any_text(&[title]),
        EntryValue::EmergencyInfo { text } => text_is_mental(text),
        EntryValue::FamilyHistory { condition, .. } => text_is_mental(condition),
        EntryValue::CheckUp { summary, .. } => text_is_mental(summary),
        EntryValue::Custom { fields } => {
            fields.values().any(|v| matches!(v, crate::record::FieldValue::Text(t) if text_is_mental(t)))
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords_match_words_not_fragments() {
        assert!(text_is_mental("Generalised anxiety"));
        assert!(text_is_mental("seen by the crisis team"));
        assert!(text_is_mental("OCD"));
        assert!(!text_is_mental("Knee procedure"));
        assert!(!text_is_mental("Type 2 diabetes"));
    }
}
