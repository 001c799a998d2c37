//! Screen models: one call per screen, returning everything it draws, already ordered and
//! formatted. The shells draw these and decide nothing. One file per screen; the shared
//! pieces (dates, provenance labels, entry rows) are here.

mod devices;
mod entry;
mod home;
mod imports;
mod insights;
mod section;
mod settings;
mod sharing;

pub use devices::{devices_screen, DeviceRow, DevicesScreen};
pub use entry::{
    allowed_actions, conflict_note, entry_detail, AnnotationLine, ConflictNote, EntryAction, EntryScreen,
    FieldLine, HistoryLine,
};
pub use home::{home, HomeScreen, SectionCard};
pub use imports::{imports_screen, ImportFileRow, ImportRow, ImportsScreen};
pub use insights::{
    insights_screen, CategorySwitch, FitnessCard, GoalCard, InsightCard, InsightsScreen, PersonalBestLine,
    TrendLine,
};
pub use section::{section_detail, SectionScreen};
pub use settings::{settings_screen, SectionPrivacyRow, SettingsScreen};
pub use sharing::{sharing_screen, AnswerLine, GrantRow, ReplyLine, SharingScreen};

use crate::record::{Entry, Provenance};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A date as the apps show it: `12 Apr 2026`.
pub fn format_date(at: DateTime<Utc>) -> String {
    crate::record::format_day(at.date_naive())
}

pub use crate::strings::English;
pub use phr_model::{Label, LabelArg};

/// "today", "yesterday", "N days ago" for a past moment (days counted in UTC dates).
pub fn ago_label(at: DateTime<Utc>, now: DateTime<Utc>) -> Label {
    match (now.date_naive() - at.date_naive()).num_days() {
        d if d <= 0 => Label::new("time.today"),
        1 => Label::new("time.yesterday"),
        d => Label::new("time.days_ago").arg("days", d.to_string()),
    }
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

pub(crate) fn row(e: &Entry) -> EntryRow {
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

/// Newest first (by last change), then by id so the order is stable.
pub(crate) fn newest_first(entries: &mut [Entry]) {
    entries.sort_by(|a, b| b.updated_at.cmp(&a.updated_at).then_with(|| a.id.cmp(&b.id)));
}
