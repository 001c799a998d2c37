//! The rest of the app-facing layer across the boundary: the insights, sharing, devices,
//! imports and settings screens, the notifications plan, the app's preferences, and the
//! phone data hubs (Health Connect, HealthKit). Same rule as `app.rs`: the core's structs
//! cross as UniFFI remote types restated field for field (generated once with
//! `python3 tools/gen_remote.py`; a field that is not restated fails to compile), and
//! every call that touches the store is `async`.

use crate::record::{blocking, PhrRecord};
use crate::PhrError;
use phr_core::app::notifications::{self, NotificationKind, PlannedNotification};
use phr_core::app::platform_hub::{PlatformIngestReport, PlatformRecord, PlatformSource, UnknownType};
use phr_core::app::preferences::{self, AppPreferences};
use phr_core::app::screens::{
    self, AnswerLine, CategorySwitch, DeviceRow, DevicesScreen, FitnessCard, GoalCard, GrantRow,
    ImportFileRow, ImportRow, ImportsScreen, InsightCard, InsightsScreen, Label, LabelArg, PersonalBestLine,
    ReplyLine, SectionPrivacyRow, SettingsScreen, SharingScreen, TrendLine,
};

type R<T> = Result<T, PhrError>;

// ---- mirrors (generated) ----

#[uniffi::remote(Record)]
pub struct Label {
    pub key: String,
    pub args: Vec<LabelArg>,
}

#[uniffi::remote(Record)]
pub struct LabelArg {
    pub name: String,
    pub value: String,
}

#[uniffi::remote(Record)]
pub struct InsightCard {
    pub id: String,
    pub kind: String,
    pub category: String,
    pub category_key: String,
    pub severity: String,
    pub severity_key: String,
    pub title: Label,
    pub body: Vec<Label>,
    pub guidance: Label,
    pub source: String,
    pub source_url: String,
    pub source_label: Label,
}

#[uniffi::remote(Record)]
pub struct CategorySwitch {
    pub category: String,
    pub label_key: String,
    pub on: bool,
}

#[uniffi::remote(Record)]
pub struct GoalCard {
    pub kind: String,
    pub label_key: String,
    pub current: Option<String>,
    pub target: String,
    pub percent: Option<u8>,
    pub achieved: bool,
    pub message: Label,
}

#[uniffi::remote(Record)]
pub struct TrendLine {
    pub metric: String,
    pub label_key: String,
    pub average: String,
    pub window_days: i64,
    pub direction: String,
    pub direction_key: String,
    pub change: Option<String>,
}

#[uniffi::remote(Record)]
pub struct PersonalBestLine {
    pub label: Label,
    pub value: String,
    pub date: String,
}

#[uniffi::remote(Record)]
pub struct FitnessCard {
    pub vo2max: Option<TrendLine>,
    pub sessions_this_week: u32,
    pub time_this_week: String,
    pub distance_this_week: String,
    pub current_streak_days: u32,
    pub longest_streak_days: u32,
    pub personal_bests: Vec<PersonalBestLine>,
}

#[uniffi::remote(Record)]
pub struct InsightsScreen {
    pub alerts_on: bool,
    pub cards: Vec<InsightCard>,
    pub switches: Vec<CategorySwitch>,
    pub goals: Vec<GoalCard>,
    pub trends: Vec<TrendLine>,
    pub fitness: Option<FitnessCard>,
}

#[uniffi::remote(Record)]
pub struct ReplyLine {
    pub at: String,
    pub from: String,
    pub text: String,
}

#[uniffi::remote(Record)]
pub struct AnswerLine {
    pub at: String,
    pub text: String,
}

#[uniffi::remote(Record)]
pub struct GrantRow {
    pub id: String,
    pub recipient: String,
    pub role: String,
    pub category: String,
    pub category_key: String,
    pub sections: Vec<String>,
    pub purpose: String,
    pub question: Option<String>,
    pub status: String,
    pub status_key: String,
    pub expiry: Option<String>,
    pub expiry_label: Label,
    pub has_link: bool,
    pub openings: u32,
    pub last_opened: Option<String>,
    pub replies: Vec<ReplyLine>,
    pub answer: Option<AnswerLine>,
    pub can_answer: bool,
    pub can_revoke: bool,
    pub wrong_passcodes: u32,
    pub wrong_passcodes_label: Option<Label>,
    pub can_reset_passcode_tries: bool,
    pub update_owed_label: Option<Label>,
}

#[uniffi::remote(Record)]
pub struct SharingScreen {
    pub grants: Vec<GrantRow>,
    pub active: u32,
}

#[uniffi::remote(Record)]
pub struct DeviceRow {
    pub id: String,
    pub name: String,
    pub added: String,
    pub active: bool,
    pub removed: Option<String>,
    pub removal_key: Option<String>,
}

#[uniffi::remote(Record)]
pub struct DevicesScreen {
    pub sync_set_up: bool,
    pub this_device: Option<DeviceRow>,
    pub others: Vec<DeviceRow>,
    pub last_sync: Option<String>,
    pub last_sync_label: Label,
    pub hint_key: String,
    pub warning_key: Option<String>,
    pub can_recover: bool,
}

#[uniffi::remote(Record)]
pub struct ImportFileRow {
    pub name: String,
    pub format: String,
    pub status: String,
    pub status_key: String,
    pub summary: Label,
    pub problems: u64,
}

#[uniffi::remote(Record)]
pub struct ImportRow {
    pub id: String,
    pub when: String,
    pub when_label: Label,
    pub origin: String,
    pub origin_key: String,
    pub files: Vec<ImportFileRow>,
    pub more_files: u64,
    pub readings_added: u64,
    pub activities_added: u64,
    pub entries_added: u64,
    pub failed_files: u64,
    pub cancelled: bool,
    pub summary: Label,
}

#[uniffi::remote(Record)]
pub struct ImportsScreen {
    pub imports: Vec<ImportRow>,
    pub empty_key: Option<String>,
}

#[uniffi::remote(Record)]
pub struct SectionPrivacyRow {
    pub id: String,
    pub title: String,
    pub enabled: bool,
    pub privacy: String,
    pub privacy_key: String,
}

#[uniffi::remote(Record)]
pub struct SettingsScreen {
    pub alerts_on: bool,
    pub suggestions_on: bool,
    pub signposts_on: bool,
    pub leeds_services_on: bool,
    pub fitness_on: bool,
    pub categories: Vec<CategorySwitch>,
    pub medication_reminders: bool,
    pub reminder_time: String,
    pub share_reminders: bool,
    pub safety_reminders: bool,
    pub app_lock: bool,
    pub recovery_key_made: bool,
    pub recovery_key_made_on: Option<String>,
    pub last_backup: Option<String>,
    pub last_backup_label: Label,
    pub sections: Vec<SectionPrivacyRow>,
}

#[uniffi::remote(Enum)]
pub enum NotificationKind {
    Alert,
    MedicationReminder,
    MedicationStop,
    ShareEnding,
    RecoveryKey,
    Backup,
}

#[uniffi::remote(Record)]
pub struct PlannedNotification {
    pub id: String,
    pub kind: NotificationKind,
    pub at_ms: i64,
    pub daily: bool,
    pub title: Label,
    pub body: Label,
    pub screen: String,
    pub target_id: Option<String>,
}

#[uniffi::remote(Record)]
pub struct AppPreferences {
    pub medication_reminders: bool,
    pub reminder_hour: u8,
    pub share_reminders: bool,
    pub safety_reminders: bool,
    pub app_lock: bool,
}

#[uniffi::remote(Enum)]
pub enum PlatformSource {
    HealthConnect,
    HealthKit,
}

#[uniffi::remote(Record)]
pub struct PlatformRecord {
    pub record_type: String,
    pub start_ms: i64,
    pub end_ms: i64,
    pub value: f64,
    pub unit: String,
    pub diastolic: Option<f64>,
    pub subtype: Option<String>,
    pub distance_m: Option<f64>,
    pub energy_kcal: Option<f64>,
    pub source: String,
}

#[uniffi::remote(Record)]
pub struct UnknownType {
    pub record_type: String,
    pub count: u64,
}

#[uniffi::remote(Record)]
pub struct PlatformIngestReport {
    pub samples_added: u64,
    pub samples_duplicate: u64,
    pub samples_overlapping: u64,
    pub activities_added: u64,
    pub activities_merged: u64,
    pub activities_unchanged: u64,
    pub not_counted: u64,
    pub refused: u64,
    pub unknown: Vec<UnknownType>,
}

#[uniffi::export(async_runtime = "tokio")]
impl PhrRecord {
    /// The insights screen: alert and suggestion cards with their guidance and its source,
    /// a switch per category, goals, trends and the fitness card.
    pub async fn insights_screen(&self) -> R<InsightsScreen> {
        let inner = self.inner.clone();
        blocking(move || Ok(screens::insights_screen(&inner, chrono::Utc::now())?)).await
    }

    /// The insights screen as it stood at the end of `day` (UTC): the same model as
    /// [`Self::insights_screen`], for a fixed date (screenshots, tests, looking back).
    pub async fn insights_screen_on(&self, day: crate::types::CalendarDate) -> R<InsightsScreen> {
        let inner = self.inner.clone();
        let day: chrono::NaiveDate = day.try_into()?;
        let end = day.and_hms_opt(23, 59, 59).unwrap_or_default().and_utc();
        blocking(move || Ok(screens::insights_screen(&inner, end)?)).await
    }

    /// The sharing screen: every grant with its status, end, openings, question and replies.
    pub async fn sharing_screen(&self) -> R<SharingScreen> {
        let inner = self.inner.clone();
        blocking(move || Ok(screens::sharing_screen(&inner, chrono::Utc::now())?)).await
    }

    /// The devices screen, from what the last sync saw (it never calls the relay).
    pub async fn devices_screen(&self) -> R<DevicesScreen> {
        let inner = self.inner.clone();
        blocking(move || Ok(screens::devices_screen(&inner, chrono::Utc::now())?)).await
    }

    /// The imports screen: the last imports and what each file gave.
    pub async fn imports_screen(&self) -> R<ImportsScreen> {
        let inner = self.inner.clone();
        blocking(move || Ok(screens::imports_screen(&inner, chrono::Utc::now())?)).await
    }

    /// The settings screen.
    pub async fn settings_screen(&self) -> R<SettingsScreen> {
        let inner = self.inner.clone();
        blocking(move || Ok(screens::settings_screen(&inner, chrono::Utc::now())?)).await
    }

    /// What the app should schedule as local notifications from `now_ms` on, respecting
    /// every switch. The core sends nothing; the shell schedules these (replacing earlier
    /// ones by `id`) and cancels the ones no longer listed.
    pub async fn notifications_due(&self, now_ms: i64) -> R<Vec<PlannedNotification>> {
        let inner = self.inner.clone();
        blocking(move || {
            let now = chrono::DateTime::from_timestamp_millis(now_ms)
                .ok_or(PhrError::InvalidInput { field: "now_ms".into() })?;
            Ok(notifications::notifications_due(&inner, now)?)
        })
        .await
    }

    /// The app's own preferences (reminders, app lock), kept in the record.
    pub async fn app_preferences(&self) -> R<AppPreferences> {
        let inner = self.inner.clone();
        blocking(move || Ok(preferences::preferences(&inner)?)).await
    }

    pub async fn set_app_preferences(&self, preferences: AppPreferences) -> R<()> {
        let inner = self.inner.clone();
        blocking(move || Ok(preferences::set_preferences(&inner, &preferences)?)).await
    }

    /// Stores what the shell read from Health Connect or HealthKit (only the types the
    /// owner switched on): mapped to our kinds with units converted, deduplicated against
    /// file imports of the same data; unknown types are counted, never an error.
    pub async fn ingest_platform_records(
        &self,
        source: PlatformSource,
        records: Vec<PlatformRecord>,
    ) -> R<PlatformIngestReport> {
        let inner = self.inner.clone();
        blocking(move || Ok(inner.ingest_platform_records(source, &records)?)).await
    }
}
