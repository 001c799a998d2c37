//! The notifications plan: what the apps should schedule as local notifications. The core
//! never sends anything; the shells schedule what this returns, replacing their earlier
//! plan (ids are stable, so a plan made again replaces rather than adds).
//!
//! Every switch is respected: alerts only for switched-on categories (and not at all
//! when alerts are off); medicine reminders and stop-date notes only when the owner turned
//! reminders on (off by default: residents feared nagging); share endings and the safety
//! nudges (recovery key, backup) each have their own switch. The text is the same for
//! everyone and names nothing about health ("You have a new health alert"): it shows on a
//! lock screen. The detail is behind the deep link, in the app.

use super::preferences::{preferences, AppPreferences};
use super::screens::Label;
use crate::consent::GrantStatus;
use crate::insights::uk_utc_offset_s;
use crate::insights::Severity;
use crate::record::EntryValue;
use crate::store::{ListOptions, Record};
use crate::Result;
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc, Weekday};
use serde::{Deserialize, Serialize};

/// Share endings are noted this long before.
pub const SHARE_NOTICE: Duration = Duration::days(2);
/// A backup older than this is worth a nudge.
pub const BACKUP_AGE: Duration = Duration::days(30);
/// Notes further ahead than this are left to a later plan.
pub const HORIZON: Duration = Duration::days(30);

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NotificationKind {
    Alert,
    MedicationReminder,
    MedicationStop,
    ShareEnding,
    RecoveryKey,
    Backup,
}

/// One notification for the shell to schedule.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlannedNotification {
    /// Stable: the same thing planned again has the same id. A shell that has shown an id
    /// does not show it again (new alerts, a new week's nudge, get new ids).
    pub id: String,
    pub kind: NotificationKind,
    /// When to show it, UTC milliseconds (now or later).
    pub at_ms: i64,
    /// Repeat every day at the same time (medicine reminders).
    pub daily: bool,
    /// Lock-screen safe: no health detail.
    pub title: Label,
    pub body: Label,
    /// Where a tap leads: a screen (`insights`, `section`, `sharing`, `settings`) and the
    /// id on it (an alert id, a section slug, a grant id).
    pub screen: String,
    pub target_id: Option<String>,
}

fn note(
    id: String,
    kind: NotificationKind,
    at: DateTime<Utc>,
    key: &str,
    screen: &str,
    target_id: Option<String>,
) -> PlannedNotification {
    PlannedNotification {
        id,
        kind,
        at_ms: at.timestamp_millis(),
        daily: kind == NotificationKind::MedicationReminder,
        title: Label::new(&format!("notify.{key}.title")),
        body: Label::new(&format!("notify.{key}.body")),
        screen: screen.to_string(),
        target_id,
    }
}

/// `hour`:00 UK time on `day`, in UTC.
fn uk_time(day: NaiveDate, hour: u8) -> DateTime<Utc> {
    let local = day.and_hms_opt(u32::from(hour.min(23)), 0, 0).unwrap_or_default();
    local.and_utc() - Duration::seconds(i64::from(uk_utc_offset_s(day)))
}

/// The next reminder time (today's if still ahead, else tomorrow's).
fn next_reminder(now: DateTime<Utc>, hour: u8) -> DateTime<Utc> {
    let today = uk_time(now.date_naive(), hour);
    if today >= now {
        today
    } else {
        uk_time(now.date_naive() + Duration::days(1), hour)
    }
}

/// The next Sunday at the reminder hour: nudges come at most once a week, at a calm time.
fn next_sunday(now: DateTime<Utc>, hour: u8) -> (DateTime<Utc>, String) {
    let mut day = now.date_naive();
    while day.weekday() != Weekday::Sun || uk_time(day, hour) < now {
        day += Duration::days(1);
    }
    let week = day.iso_week();
    (uk_time(day, hour), format!("{}-W{:02}", week.year(), week.week()))
}

fn alerts(record: &Record, now: DateTime<Utc>, out: &mut Vec<PlannedNotification>) -> Result<()> {
    let settings = record.insight_settings()?;
    if !settings.alerts_enabled {
        return Ok(());
    }
    let report = record.insight_report(now.date_naive())?;
    for a in report.alerts {
        // The report already leaves out switched-off categories; checked again here
        // because a notification for a switched-off category is the one thing not to get wrong.
        if settings.disabled_categories.contains(&a.category) || a.severity < Severity::Advice {
            continue;
        }
        out.push(note(
            format!("alert.{}", a.id),
            NotificationKind::Alert,
            now,
            "alert",
            "insights",
            Some(a.id),
        ));
    }
    Ok(())
}

fn medicines(
    record: &Record,
    p: &AppPreferences,
    now: DateTime<Utc>,
    out: &mut Vec<PlannedNotification>,
) -> Result<()> {
    if !p.medication_reminders {
        return Ok(());
    }
    let today = now.date_naive();
    let mut current = false;
    for e in record.list_entries("medications", ListOptions::default())? {
        if e.is_no_longer_relevant() {
            continue;
        }
        let EntryValue::Medication { stop, .. } = e.value else { continue };
        if stop.is_some_and(|s| s < today) {
            continue;
        }
        current = true;
        if let Some(stop) = stop {
            let day_before = stop - Duration::days(1);
            if day_before < today {
                continue; // stops today: the daily reminder is enough
            }
            let at = uk_time(day_before, p.reminder_hour).max(now);
            if at - now <= HORIZON {
                out.push(note(
                    format!("medication_stop.{}.{stop}", e.id),
                    NotificationKind::MedicationStop,
                    at,
                    "medication_stop",
                    "entry",
                    Some(e.id.clone()),
                ));
            }
        }
    }
    if current {
        out.push(note(
            "medication.daily".into(),
            NotificationKind::MedicationReminder,
            next_reminder(now, p.reminder_hour),
            "medication",
            "section",
            Some("medications".into()),
        ));
    }
    Ok(())
}

fn shares(record: &Record, now: DateTime<Utc>, out: &mut Vec<PlannedNotification>) -> Result<()> {
    for g in record.grants()? {
        let Some(end) = g.expiry else { continue };
        if g.status(now) != GrantStatus::Active || end <= now {
            continue;
        }
        let at = (end - SHARE_NOTICE).max(now);
        if at - now > HORIZON {
            continue;
        }
        out.push(note(
            format!("share_ending.{}.{}", g.id, end.timestamp()),
            NotificationKind::ShareEnding,
            at,
            "share_ending",
            "sharing",
            Some(g.id.clone()),
        ));
    }
    Ok(())
}

fn safety(
    record: &Record,
    p: &AppPreferences,
    now: DateTime<Utc>,
    out: &mut Vec<PlannedNotification>,
) -> Result<()> {
    let (sunday, week) = next_sunday(now, p.reminder_hour);
    if record.recovery_key_made_at()?.is_none() {
        out.push(note(
            format!("recovery_key.{week}"),
            NotificationKind::RecoveryKey,
            sunday,
            "recovery_key",
            "settings",
            None,
        ));
    }
    let due = match record.last_backup_at()? {
        None => Some((sunday, week)),
        Some(last) => {
            let at = last + BACKUP_AGE;
            // Once it is overdue, a weekly nudge; before that, one at the 30-day mark.
            if at <= now {
                Some((sunday, week))
            } else if at - now <= HORIZON {
                Some((at, format!("{}", at.date_naive())))
            } else {
                None
            }
        }
    };
    if let Some((at, tag)) = due {
        out.push(note(format!("backup.{tag}"), NotificationKind::Backup, at, "backup", "settings", None));
    }
    Ok(())
}

/// What the apps should schedule now, soonest first.
pub fn notifications_due(record: &Record, now: DateTime<Utc>) -> Result<Vec<PlannedNotification>> {
    let p = preferences(record)?;
    let mut out = vec![];
    alerts(record, now, &mut out)?;
    medicines(record, &p, now, &mut out)?;
    if p.share_reminders {
        shares(record, now, &mut out)?;
    }
    if p.safety_reminders {
        safety(record, &p, now, &mut out)?;
    }
    out.sort_by(|a, b| a.at_ms.cmp(&b.at_ms).then_with(|| a.id.cmp(&b.id)));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn reminder_hours_are_uk_time() {
        // Winter: GMT. Summer: BST, so 09:00 local is 08:00 UTC.
        assert_eq!(next_reminder(t("2026-01-10T07:00:00Z"), 9), t("2026-01-10T09:00:00Z"));
        assert_eq!(next_reminder(t("2026-07-10T07:00:00Z"), 9), t("2026-07-10T08:00:00Z"));
        assert_eq!(next_reminder(t("2026-07-10T10:00:00Z"), 9), t("2026-07-11T08:00:00Z"));
    }

    #[test]
    fn nudges_fall_on_the_next_sunday() {
        // Sat 5 Dec 2026 -> Sun 6 Dec; on a Sunday after the hour -> the Sunday after.
        let (at, week) = next_sunday(t("2026-12-05T12:00:00Z"), 9);
        assert_eq!(at, t("2026-12-06T09:00:00Z"));
        assert_eq!(week, "2026-W49");
        let (at, _) = next_sunday(t("2026-12-06T10:00:00Z"), 9);
        assert_eq!(at, t("2026-12-13T09:00:00Z"));
    }
}
