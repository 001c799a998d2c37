//! The settings screen: insight switches, reminders, app lock, the record's safety
//! (recovery key, last backup) and each section's privacy.

use super::insights::switches;
use super::{ago_label, format_date, CategorySwitch, Label};
use crate::app::preferences::preferences;
use crate::store::Record;
use crate::Result;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SectionPrivacyRow {
    pub id: String,
    pub title: String,
    pub enabled: bool,
    /// `private`, `shareable` or `sensitive`, and its key.
    pub privacy: String,
    pub privacy_key: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SettingsScreen {
    pub alerts_on: bool,
    pub suggestions_on: bool,
    pub signposts_on: bool,
    pub leeds_services_on: bool,
    pub fitness_on: bool,
    pub categories: Vec<CategorySwitch>,
    pub medication_reminders: bool,
    /// `09:00`, UK time.
    pub reminder_time: String,
    pub share_reminders: bool,
    pub safety_reminders: bool,
    pub app_lock: bool,
    pub recovery_key_made: bool,
    pub recovery_key_made_on: Option<String>,
    pub last_backup: Option<String>,
    pub last_backup_label: Label,
    /// Switched-on sections first, in the record's order.
    pub sections: Vec<SectionPrivacyRow>,
}

pub fn settings_screen(record: &Record, now: DateTime<Utc>) -> Result<SettingsScreen> {
    let s = record.insight_settings()?;
    let p = preferences(record)?;
    let recovery = record.recovery_key_made_at()?;
    let backup = record.last_backup_at()?;
    let mut sections: Vec<SectionPrivacyRow> = record
        .sections()?
        .into_iter()
        .map(|sec| SectionPrivacyRow {
            privacy: sec.privacy.as_str().to_string(),
            privacy_key: format!("privacy.{}", sec.privacy.as_str()),
            id: sec.id,
            title: sec.title,
            enabled: sec.enabled,
        })
        .collect();
    // Stable: keeps the record's order within each group.
    sections.sort_by_key(|r| !r.enabled);
    Ok(SettingsScreen {
        alerts_on: s.alerts_enabled,
        suggestions_on: s.suggestions_enabled,
        signposts_on: s.signposts_enabled,
        leeds_services_on: s.include_leeds_services,
        fitness_on: s.fitness_enabled,
        categories: switches(&s),
        medication_reminders: p.medication_reminders,
        reminder_time: format!("{:02}:00", p.reminder_hour),
        share_reminders: p.share_reminders,
        safety_reminders: p.safety_reminders,
        app_lock: p.app_lock,
        recovery_key_made: recovery.is_some(),
        recovery_key_made_on: recovery.map(format_date),
        last_backup: backup.map(format_date),
        last_backup_label: backup.map_or_else(|| Label::new("backup.never"), |t| ago_label(t, now)),
        sections,
    })
}
