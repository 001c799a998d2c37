//! The owner's app preferences that the core needs to know (the notifications plan reads
//! them): medication reminders (off unless the owner turns them on: residents feared
//! nagging), reminder time, share and safety reminders, app lock. A sealed, synced setting.

use crate::{Error, Record, Result};
use serde::{Deserialize, Serialize};

/// Setting name.
pub const PREFERENCES_SETTING: &str = "app.preferences";

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AppPreferences {
    /// A daily reminder per current medicine. Off by default.
    pub medication_reminders: bool,
    /// Local (UK) hour of the daily reminder, 0 to 23.
    pub reminder_hour: u8,
    /// A note when a share is about to end.
    pub share_reminders: bool,
    /// "Make a recovery key" and "no backup for 30 days".
    pub safety_reminders: bool,
    /// Ask for the phone's lock (PIN, face, fingerprint) to open the app.
    pub app_lock: bool,
}

impl Default for AppPreferences {
    fn default() -> Self {
        AppPreferences {
            medication_reminders: false,
            reminder_hour: 9,
            share_reminders: true,
            safety_reminders: true,
            app_lock: false,
        }
    }
}

/// The saved preferences (defaults if never saved).
pub fn preferences(record: &Record) -> Result<AppPreferences> {
    Ok(record.setting(PREFERENCES_SETTING)?.unwrap_or_default())
}

pub fn set_preferences(record: &Record, p: &AppPreferences) -> Result<()> {
    if p.reminder_hour > 23 {
        return Err(Error::invalid("reminder hour", "must be 0 to 23"));
    }
    record.set_setting(PREFERENCES_SETTING, p)
}
