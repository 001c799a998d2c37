//! The devices screen: whether sync is set up, this device, the owner's other devices (as
//! last fetched from the relay: the screen itself never uses the network) and the last sync.
//! Removals (ADR 0048): a row says when one device asked to remove another and what to do
//! on which phone; the screen warns when someone asked to remove *this* device, and offers
//! the recovery key when the relay refused this device as removed.

use super::{ago_label, format_date, Label};
use crate::store::Record;
use crate::sync::{devices, state::SyncState};
use crate::Result;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceRow {
    /// Short id (16 hex digits), what `remove` takes.
    pub id: String,
    /// The name the owner gave it (this device only; others show their id).
    pub name: String,
    pub added: String,
    pub active: bool,
    /// When it was removed, for removed devices.
    pub removed: Option<String>,
    /// Catalogue key when a removal of this device waits for a confirmation: what it means
    /// and what to do here (`devices.removal_asked_here`: this phone asked, confirm on
    /// another; `devices.removal_confirm_here`: another asked, Remove here confirms).
    pub removal_key: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DevicesScreen {
    pub sync_set_up: bool,
    pub this_device: Option<DeviceRow>,
    /// Active devices first, then removed ones; newest first within each.
    pub others: Vec<DeviceRow>,
    /// `12 Apr 2026`, and "today"/"N days ago".
    pub last_sync: Option<String>,
    pub last_sync_label: Label,
    /// Catalogue key of the screen's main hint (set up sync, or add a device).
    pub hint_key: String,
    /// Catalogue key of a warning: another device asked to remove this one
    /// (`devices.removal_of_this_device`), or this one was removed (`devices.this_removed`).
    pub warning_key: Option<String>,
    /// The relay refused this device as removed: offer "Bring this phone back" (recovery key).
    pub can_recover: bool,
}

fn date_ms(ms: i64) -> String {
    DateTime::from_timestamp_millis(ms).map(format_date).unwrap_or_default()
}

pub fn devices_screen(record: &Record, now: DateTime<Utc>) -> Result<DevicesScreen> {
    let Some(state) = SyncState::load(record)? else {
        return Ok(DevicesScreen {
            sync_set_up: false,
            this_device: None,
            others: vec![],
            last_sync: None,
            last_sync_label: Label::new("sync.never"),
            hint_key: "devices.set_up_sync".into(),
            warning_key: None,
            can_recover: false,
        });
    };
    let seen = devices::seen(record)?;
    let me = seen.iter().find(|d| d.this_device || d.id == state.device);
    let this_device = Some(DeviceRow {
        id: state.device.clone(),
        name: if state.label.is_empty() { state.device.clone() } else { state.label.clone() },
        added: me.map(|d| date_ms(d.added_at)).unwrap_or_default(),
        active: true,
        removed: None,
        removal_key: None,
    });
    let mut others: Vec<_> = seen.iter().filter(|d| !(d.this_device || d.id == state.device)).collect();
    others.sort_by(|a, b| b.active.cmp(&a.active).then(b.added_at.cmp(&a.added_at)).then(a.id.cmp(&b.id)));
    let last = record.last_sync_at()?;
    let removed_here: bool = record.setting(crate::sync::engine::REMOVED_SETTING)?.unwrap_or(false);
    let warning_key = if removed_here {
        Some("devices.this_removed".to_string())
    } else if me.is_some_and(|d| d.removal_requested_by.is_some()) {
        Some("devices.removal_of_this_device".to_string())
    } else {
        None
    };
    Ok(DevicesScreen {
        warning_key,
        can_recover: removed_here,
        sync_set_up: true,
        hint_key: if others.iter().any(|d| d.active) { "devices.all_in_step" } else { "devices.add_another" }
            .into(),
        this_device,
        others: others
            .into_iter()
            .map(|d| DeviceRow {
                id: d.id.clone(),
                name: d.id.clone(),
                added: date_ms(d.added_at),
                active: d.active,
                removed: d.removed_at.map(date_ms),
                removal_key: match &d.removal_requested_by {
                    Some(by) if d.active && *by == state.device => Some("devices.removal_asked_here".into()),
                    Some(_) if d.active => Some("devices.removal_confirm_here".into()),
                    _ => None,
                },
            })
            .collect(),
        last_sync: last.map(format_date),
        last_sync_label: last.map_or_else(|| Label::new("sync.never"), |t| ago_label(t, now)),
    })
}
