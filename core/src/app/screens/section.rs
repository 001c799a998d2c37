//! The section detail screen.

use super::{newest_first, row, EntryRow};
use crate::record::Section;
use crate::store::{ListOptions, Record};
use crate::Result;
use serde::{Deserialize, Serialize};

/// The section detail screen: every live entry newest first, then what is hidden or
/// deleted (when asked for), and whether the owner may add here.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SectionScreen {
    pub id: String,
    pub title: String,
    pub privacy: String,
    pub entries: Vec<EntryRow>,
    pub can_add: bool,
}

pub fn section_detail(record: &Record, section: &str, include_removed: bool) -> Result<SectionScreen> {
    let s: Section = record.resolve_section(section)?;
    let opts = ListOptions { include_deleted: include_removed, include_hidden: include_removed };
    let mut entries = record.list_entries(&s.id, opts)?;
    newest_first(&mut entries);
    // Live first, hidden next, deleted last; newest first within each.
    entries.sort_by_key(|e| (e.deleted_at.is_some(), e.hidden));
    let live = entries.iter().filter(|e| e.deleted_at.is_none()).count();
    let singleton = s.builtin().is_some_and(crate::record::BuiltinSection::is_singleton);
    Ok(SectionScreen {
        id: s.id.clone(),
        title: s.title.clone(),
        privacy: s.privacy.as_str().to_string(),
        entries: entries.iter().map(row).collect(),
        can_add: s.enabled && !(singleton && live > 0),
    })
}
