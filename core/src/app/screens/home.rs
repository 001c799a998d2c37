//! The home (overview) screen.

use super::{row, EntryRow};
use crate::store::Record;
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
        // Newest first by last change, then id: the order `newest_first` gives.
        let (count, latest) = record.section_overview(&s.id, 3)?;
        if count == 0 {
            match s.id.as_str() {
                "identity" => attention.push("attention.add_identity".to_string()),
                "contacts" => attention.push("attention.add_contact".to_string()),
                _ => {}
            }
        }
        let card = SectionCard {
            id: s.id.clone(),
            title: s.title.clone(),
            count,
            latest: latest.iter().map(row).collect(),
        };
        if count == 0 {
            empty.push(card);
        } else {
            filled.push(card);
        }
    }
    filled.extend(empty);
    Ok(HomeScreen { sections: filled, attention })
}
