//! What travels between devices: one [`Op`] per change to the record.
//!
//! Ops are facts, not commands: applying the same set of ops in any order, any number of
//! times, gives the same record (the merge rules are in `store::sync_log` and ADR 0012).

use crate::hlc::{Hlc, Stamp};
use crate::record::{Activity, AnnotationKind, EntryValue, PrivacyLevel, Provenance, Sample, Section};
use serde::{Deserialize, Serialize};

/// One change, stamped with the clock and device that made it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Op {
    pub hlc: Hlc,
    pub device: String,
    pub change: Change,
}

impl Op {
    /// Unique without being secret: one device never makes two ops with the same clock.
    pub fn id(&self) -> String {
        format!("{}-{:016x}", self.device, self.hlc.0)
    }
    pub fn stamp(&self) -> Stamp {
        Stamp { hlc: self.hlc, device: self.device.clone() }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "t", rename_all = "snake_case")]
pub enum Change {
    /// An entry came into being (its first value). Union by id.
    EntryAdded {
        id: String,
        section: String,
        value: EntryValue,
        provenance: Provenance,
        created_ms: i64,
    },
    /// The entry's value register (last writer wins; the loser goes to the history).
    /// `by_source` marks changes made by the entry's medical-record source, the only
    /// writer allowed for such entries. `seen` is the value's stamp the writing device
    /// held when it wrote: a receiver holding a newer one knows the two edits were made
    /// without seeing each other (a conflict to tell the owner about). Older ops have none.
    EntryValue {
        id: String,
        value: EntryValue,
        by_source: bool,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        seen: Option<Stamp>,
    },
    EntryHidden {
        id: String,
        hidden: bool,
    },
    /// Tombstone register: deleted only while newer than the latest value.
    EntryDeleted {
        id: String,
        deleted: bool,
    },
    /// Erased for good, everywhere; later ops about it are ignored.
    EntryPurged {
        id: String,
    },
    /// Append-only.
    Annotated {
        entry: String,
        id: String,
        at_ms: i64,
        kind: AnnotationKind,
        text: Option<String>,
    },
    /// A custom section's definition. Union by id.
    SectionCreated {
        section: Section,
    },
    SectionEnabled {
        section: String,
        enabled: bool,
    },
    SectionPrivacy {
        section: String,
        privacy: PrivacyLevel,
    },
    /// A synced setting document (insight switches, goals). Last writer wins by name.
    Setting {
        name: String,
        json: serde_json::Value,
    },
    /// A consent grant (the whole document; revocation is a field). Last writer wins by id.
    Grant {
        id: String,
        json: serde_json::Value,
    },
    /// Measurements; union by their dedup identity.
    Samples {
        samples: Vec<Sample>,
    },
    /// An activity with its track; one real-world session however many times it arrives.
    Activity {
        activity: Box<Activity>,
    },
}

impl Change {
    /// The entry an op is about, if any (ops about an entry not yet known wait for it).
    pub fn entry_id(&self) -> Option<&str> {
        match self {
            Change::EntryAdded { id, .. }
            | Change::EntryValue { id, .. }
            | Change::EntryHidden { id, .. }
            | Change::EntryDeleted { id, .. }
            | Change::EntryPurged { id } => Some(id),
            Change::Annotated { entry, .. } => Some(entry),
            _ => None,
        }
    }

    /// The last-writer-wins register this op writes, if it is one.
    pub fn register(&self) -> Option<String> {
        Some(match self {
            Change::EntryValue { id, .. } => format!("entry|{id}|value"),
            Change::EntryHidden { id, .. } => format!("entry|{id}|hidden"),
            Change::EntryDeleted { id, .. } => format!("entry|{id}|deleted"),
            Change::SectionEnabled { section, .. } => format!("section|{section}|enabled"),
            Change::SectionPrivacy { section, .. } => format!("section|{section}|privacy"),
            Change::Setting { name, .. } => format!("setting|{name}"),
            Change::Grant { id, .. } => format!("grant|{id}"),
            _ => return None,
        })
    }
}

/// Settings that belong to one device and never sync: its keys and cursor, its relay
/// identity, its Strava tokens and GP connection (each device refreshes its own tokens;
/// the entries those connections bring do sync).
pub fn is_device_local_setting(name: &str) -> bool {
    ["sync.", "share.", "strava.", "fhir."].iter().any(|p| name.starts_with(p))
}
