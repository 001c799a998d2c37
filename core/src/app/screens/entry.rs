//! The entry detail screen: the value field by field, provenance, history, annotations
//! and the actions the owner may take.

use super::{format_date, provenance_label, Label, ProvenanceLabel};
use crate::record::{AnnotationKind, Entry};
use crate::store::Record;
use crate::Result;
use serde::{Deserialize, Serialize};

/// What the owner may do with an entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryAction {
    Edit,
    Delete,
    Undo,
    Purge,
    Annotate,
    Hide,
    Unhide,
    /// The owner has read the sync conflict note: forget it.
    DismissConflict,
}

/// The allowed actions: the GP record is read-only (annotate or hide only); a deleted
/// entry can be brought back or purged and nothing else.
pub fn allowed_actions(e: &Entry) -> Vec<EntryAction> {
    use EntryAction as A;
    if e.deleted_at.is_some() {
        return vec![A::Undo, A::Purge];
    }
    let mut out = vec![];
    if !e.provenance.is_medical_record() {
        out.extend([A::Edit, A::Delete]);
    }
    out.push(A::Annotate);
    out.push(if e.hidden { A::Unhide } else { A::Hide });
    out
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FieldLine {
    pub label_key: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// The value as a person reads it: dates as "3 Jun 2019", a code by its name and number.
    pub value: String,
    /// For a choice or a yes/no: the catalogue key of the chosen answer, shown instead of
    /// `value` (which then holds the stored word, e.g. `active`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value_key: Option<String>,
}

/// One field of an entry, as the entry screen shows it. The form's own spelling of a value
/// (`2019-06-03`, `http://snomed.info/sct|59621000|Essential hypertension`) is for typing
/// and exports; a resident reads a day and a name.
fn field_line(f: crate::app::forms::FormField, raw: &str) -> FieldLine {
    use crate::app::forms::FieldKind;
    let mut value_key = None;
    let value = match &f.kind {
        FieldKind::Date | FieldKind::DateRange { .. } => chrono::NaiveDate::parse_from_str(raw, "%Y-%m-%d")
            .map(crate::record::format_day)
            .unwrap_or_else(|_| raw.to_string()),
        FieldKind::Choice { values } => {
            value_key =
                values.iter().position(|v| v == raw).and_then(|i| f.choice_label_keys.get(i).cloned());
            raw.to_string()
        }
        FieldKind::YesNo => {
            value_key = match raw {
                "yes" => Some("ui.form.yes".to_string()),
                "no" => Some("ui.form.no".to_string()),
                _ => None,
            };
            raw.to_string()
        }
        FieldKind::CodedValue => coded_value_text(raw),
        _ => raw.to_string(),
    };
    FieldLine { label_key: f.label_key, label: f.label, value, value_key }
}

/// `system|code|display` as "Essential hypertension (SNOMED CT 59621000)": the name first,
/// then the code a professional can look up. Code-system names are proper names, not
/// sentences, so they are not catalogue texts.
fn coded_value_text(raw: &str) -> String {
    let mut parts = raw.splitn(3, '|');
    let (system, code, display) = (parts.next().unwrap_or(""), parts.next(), parts.next());
    let Some(code) = code else { return raw.to_string() };
    let system_name = match system {
        "http://snomed.info/sct" => "SNOMED CT",
        "http://loinc.org" => "LOINC",
        "https://dmd.nhs.uk" | "https://dmd.nhs.uk/" => "dm+d",
        "http://hl7.org/fhir/sid/icd-10" | "http://hl7.org/fhir/sid/icd-10-uk" => "ICD-10",
        _ => "code",
    };
    match display.map(str::trim).filter(|d| !d.is_empty()) {
        Some(d) => format!("{d} ({system_name} {code})"),
        None => format!("{system_name} {code}"),
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HistoryLine {
    /// When this value was replaced.
    pub until: String,
    pub summary: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AnnotationLine {
    pub at: String,
    /// `annotation.no_longer_relevant` or `annotation.note`.
    pub key: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

/// A sync resolved a conflict on this entry: two devices changed it without seeing each
/// other's change, and the later change was kept.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConflictNote {
    /// `sync.conflict.entry`: which value was kept over which, and when each was made.
    pub message: Label,
    /// `sync.conflict.restore`: the other value is in the history; edit to bring it back.
    pub restore: Label,
    /// The value that lost, as the history shows it (to find it there).
    pub replaced: String,
}

/// The conflict note a sync left on an entry, for its screen and `phr show`.
pub fn conflict_note(c: &crate::store::SyncConflict) -> ConflictNote {
    let when = |ms: i64| chrono::DateTime::from_timestamp_millis(ms).map(format_date).unwrap_or_default();
    ConflictNote {
        message: Label::new("sync.conflict.entry")
            .arg("kept", c.kept.clone())
            .arg("kept_at", when(c.kept_at_ms))
            .arg("replaced", c.replaced.clone())
            .arg("replaced_at", when(c.replaced_at_ms)),
        restore: Label::new("sync.conflict.restore"),
        replaced: c.replaced.clone(),
    }
}

/// The entry detail screen.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EntryScreen {
    pub id: String,
    pub section: String,
    pub summary: String,
    /// The value field by field, in form order, as typed text.
    pub fields: Vec<FieldLine>,
    pub provenance: ProvenanceLabel,
    pub created: String,
    pub updated: String,
    /// Newest first.
    pub history: Vec<HistoryLine>,
    pub annotations: Vec<AnnotationLine>,
    pub hidden: bool,
    pub deleted: bool,
    pub actions: Vec<EntryAction>,
    /// Set after a sync kept another device's change over this one's (or the other way
    /// round), until the owner dismisses it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conflict: Option<ConflictNote>,
}

pub fn entry_detail(record: &Record, id: &str) -> Result<EntryScreen> {
    let e = record.entry(id)?;
    let s = record.resolve_section(&e.section)?;
    let values = crate::app::forms::form_values(&s, &e.value);
    let fields = crate::app::forms::form_spec_for(&s, e.value.type_name())
        .map(|spec| {
            spec.fields
                .into_iter()
                .filter_map(|f| {
                    let raw = values.get(&f.id)?.clone();
                    Some(field_line(f, &raw))
                })
                .collect()
        })
        .unwrap_or_default();
    let mut history: Vec<HistoryLine> = e
        .history
        .iter()
        .map(|r| HistoryLine { until: format_date(r.replaced_at), summary: r.value.summary() })
        .collect();
    history.reverse();
    let conflict = record.sync_conflict(&e.id)?.map(|c| conflict_note(&c));
    let mut actions = allowed_actions(&e);
    if conflict.is_some() {
        actions.push(EntryAction::DismissConflict);
    }
    Ok(EntryScreen {
        id: e.id.clone(),
        section: e.section.clone(),
        summary: e.value.summary(),
        fields,
        provenance: provenance_label(&e.provenance),
        created: format_date(e.created_at),
        updated: format_date(e.updated_at),
        history,
        annotations: e
            .annotations
            .iter()
            .map(|a| AnnotationLine {
                at: format_date(a.at),
                key: match a.kind {
                    AnnotationKind::NoLongerRelevant => "annotation.no_longer_relevant".into(),
                    AnnotationKind::Note => "annotation.note".into(),
                },
                text: a.text.clone(),
            })
            .collect(),
        hidden: e.hidden,
        deleted: e.deleted_at.is_some(),
        actions,
        conflict,
    })
}
