//! The home (overview) screen.

use super::{newest_first, row, EntryRow};
use crate::store::{ListOptions, Record};
use crate::Result;
use serde::{Deserialize, Serialize};

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
