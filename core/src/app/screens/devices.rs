//! The devices screen: whether sync is set up, this device, the owner's other devices (as
//! last fetched from the relay: the screen itself never uses the network) and the last sync.

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
    });
    let mut others: Vec<_> = seen.iter().filter(|d| !(d.this_device || d.id == state.device)).collect();
    others.sort_by(|a, b| b.active.cmp(&a.active).then(b.added_at.cmp(&a.added_at)).then(a.id.cmp(&b.id)));
    let last = record.last_sync_at()?;
    Ok(DevicesScreen {
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
            })
            .collect(),
        last_sync: last.map(format_date),
        last_sync_label: last.map_or_else(|| Label::new("sync.never"), |t| ago_label(t, now)),
    })
}
