//! Screen models: one call per screen, returning everything it draws, already ordered and
//! formatted. The shells draw these and decide nothing. Built so far: home, section
//! detail, entry detail.

use crate::record::{AnnotationKind, Entry, Provenance, Section};
use crate::store::{ListOptions, Record};
use crate::Result;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A date as the apps show it: `12 Apr 2026`.
pub fn format_date(at: DateTime<Utc>) -> String {
    at.format("%-d %b %Y").to_string()
}

/// Where an entry came from, as a catalogue key and the source's name (imports only).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProvenanceLabel {
    /// `provenance.user`, `provenance.import` ("Imported from {source}"; placeholders are `{name}`, filled by the shell) or
    /// `provenance.medical_record` ("From your GP record").
    pub key: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

pub fn provenance_label(p: &Provenance) -> ProvenanceLabel {
    match p {
        Provenance::User => ProvenanceLabel { key: "provenance.user".into(), source: None },
        Provenance::Import { source, .. } => {
            ProvenanceLabel { key: "provenance.import".into(), source: Some(source.clone()) }
        }
        Provenance::MedicalRecord { .. } => {
            ProvenanceLabel { key: "provenance.medical_record".into(), source: None }
        }
    }
}

/// One row in a list of entries.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EntryRow {
    pub id: String,
    pub summary: String,
    /// Last changed, formatted.
    pub updated: String,
    pub provenance: ProvenanceLabel,
    pub no_longer_relevant: bool,
    pub hidden: bool,
    pub deleted: bool,
}

fn row(e: &Entry) -> EntryRow {
    EntryRow {
        id: e.id.clone(),
        summary: e.value.summary(),
        updated: format_date(e.updated_at),
        provenance: provenance_label(&e.provenance),
        no_longer_relevant: e.is_no_longer_relevant(),
        hidden: e.hidden,
        deleted: e.deleted_at.is_some(),
    }
}

/// A section on the home screen.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SectionCard {
    pub id: String,
    pub title: String,
    pub count: u32,
    /// Up to three, newest first.
    pub latest: Vec<EntryRow>,
}

/// The home (overview) screen: switched-on sections in their order, with counts and the
/// latest entries; sections still empty come after the filled ones.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HomeScreen {
    pub sections: Vec<SectionCard>,
    /// Catalogue keys of things that need attention (e.g. `attention.add_identity`).
    pub attention: Vec<String>,
}

/// Newest first (by last change), then by id so the order is stable.
fn newest_first(entries: &mut [Entry]) {
    entries.sort_by(|a, b| b.updated_at.cmp(&a.updated_at).then_with(|| a.id.cmp(&b.id)));
}

pub fn home(record: &Record) -> Result<HomeScreen> {
    let mut filled = vec![];
    let mut empty = vec![];
    let mut attention = vec![];
    for s in record.sections()?.into_iter().filter(|s| s.enabled) {
        let mut entries = record.list_entries(&s.id, ListOptions::default())?;
        newest_first(&mut entries);
        if entries.is_empty() {
            match s.id.as_str() {
                "identity" => attention.push("attention.add_identity".to_string()),
                "contacts" => attention.push("attention.add_contact".to_string()),
                _ => {}
            }
        }
        let card = SectionCard {
            id: s.id.clone(),
            title: s.title.clone(),
            count: u32::try_from(entries.len()).unwrap_or(u32::MAX),
            latest: entries.iter().take(3).map(row).collect(),
        };
        if entries.is_empty() {
            empty.push(card);
        } else {
            filled.push(card);
        }
    }
    filled.extend(empty);
    Ok(HomeScreen { sections: filled, attention })
}

/// The section detail screen: every live entry newest first, then what is hidden or
/// deleted (when asked for), and whether the owner may add here.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SectionScreen {
    pub id: String,
    pub title: String,
    pub privacy: String,
    pub entries: Vec<EntryRow>,
    pub can_add: bool,
}

pub fn section_detail(record: &Record, section: &str, include_removed: bool) -> Result<SectionScreen> {
    let s: Section = record.resolve_section(section)?;
    let opts = ListOptions { include_deleted: include_removed, include_hidden: include_removed };
    let mut entries = record.list_entries(&s.id, opts)?;
    newest_first(&mut entries);
    // Live first, hidden next, deleted last; newest first within each.
    entries.sort_by_key(|e| (e.deleted_at.is_some(), e.hidden));
    let live = entries.iter().filter(|e| e.deleted_at.is_none()).count();
    let singleton = s.builtin().is_some_and(crate::record::BuiltinSection::is_singleton);
    Ok(SectionScreen {
        id: s.id.clone(),
        title: s.title.clone(),
        privacy: s.privacy.as_str().to_string(),
        entries: entries.iter().map(row).collect(),
        can_add: s.enabled && !(singleton && live > 0),
    })
}

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
}

pub fn entry_detail(record: &Record, id: &str) -> Result<EntryScreen> {
    let e = record.entry(id)?;
    let s = record.resolve_section(&e.section)?;
    let values = super::forms::form_values(&s, &e.value);
    let fields = super::forms::form_spec_for(&s, e.value.type_name())
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
        actions: allowed_actions(&e),
    })
}
