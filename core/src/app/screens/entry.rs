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
    pub value: String,
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
                    values.get(&f.id).map(|v| FieldLine {
                        label_key: f.label_key,
                        label: f.label,
                        value: v.clone(),
                    })
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
