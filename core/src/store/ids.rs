//! The one ID resolver: every command that takes an entry, share or device ID accepts the
//! full ID or any unique prefix of at least [`MIN_ID_PREFIX`] characters (`phr list` shows
//! eight), so what the owner sees is what they can type.

use super::Record;
use crate::{Error, Result};

/// The shortest prefix accepted: shorter ones match too much to be typed safely.
pub const MIN_ID_PREFIX: usize = 6;

/// How many candidates an ambiguous prefix lists.
const MAX_CANDIDATES: usize = 10;

/// Which table an ID names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IdKind {
    Entry,
    Share,
}

impl IdKind {
    fn what(self) -> &'static str {
        match self {
            IdKind::Entry => "entry",
            IdKind::Share => "share",
        }
    }
    fn table(self) -> &'static str {
        match self {
            IdKind::Entry => "entries",
            IdKind::Share => "grants",
        }
    }
}

/// Resolves `given` against `candidates` (any ID list, e.g. the devices the relay knows): an
/// exact match wins, else the one ID it is a prefix of.
pub fn resolve_prefix<'a>(
    what: &'static str,
    given: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Result<String> {
    let given = given.trim();
    let mut matches: Vec<&str> = Vec::new();
    for c in candidates {
        if c == given {
            return Ok(c.to_string());
        }
        if c.starts_with(given) {
            matches.push(c);
        }
    }
    if given.chars().count() < MIN_ID_PREFIX {
        return Err(Error::Invalid {
            field: "id",
            reason: format!("give at least {MIN_ID_PREFIX} characters of the {what} ID (`phr list` shows 8)"),
        });
    }
    match matches.len() {
        0 => Err(Error::NotFound { what }),
        1 => Ok(matches[0].to_string()),
        _ => {
            matches.sort_unstable();
            let more = matches.len().saturating_sub(MAX_CANDIDATES);
            let mut list = matches.iter().take(MAX_CANDIDATES).copied().collect::<Vec<_>>().join(", ");
            if more > 0 {
                list.push_str(&format!(" and {more} more"));
            }
            Err(Error::Invalid {
                field: "id",
                reason: format!("{given} matches several {what} IDs: {list}; give more characters"),
            })
        }
    }
}

impl Record {
    /// The full ID of the entry or share that `given` (a full ID or a unique prefix) names.
    pub fn resolve_id(&self, kind: IdKind, given: &str) -> Result<String> {
        let given = given.trim();
        let sql = format!(
            "SELECT id FROM {} WHERE substr(id, 1, length(?1)) = ?1 ORDER BY id LIMIT {}",
            kind.table(),
            MAX_CANDIDATES + 1
        );
        let ids: Vec<String> = self.read(|c| {
            let mut stmt = c.prepare_cached(&sql)?;
            let rows = stmt.query_map([given], |r| r.get::<_, String>(0))?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })?;
        resolve_prefix(kind.what(), given, ids.iter().map(String::as_str))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const IDS: [&str; 3] = [
        "3f2a9c10-0000-4000-8000-000000000001",
        "3f2a9c11-0000-4000-8000-000000000002",
        "3f2a9c11-0000-4000-8000-000000000003",
    ];

    #[test]
    fn a_unique_prefix_resolves_and_an_ambiguous_one_lists_candidates() {
        assert_eq!(resolve_prefix("entry", "3f2a9c10", IDS).unwrap(), IDS[0]);
        assert_eq!(resolve_prefix("entry", IDS[1], IDS).unwrap(), IDS[1]);
        let e = resolve_prefix("entry", "3f2a9c11", IDS).unwrap_err().to_string();
        assert!(e.contains(IDS[1]) && e.contains(IDS[2]) && !e.contains(IDS[0]), "{e}");
        let short = resolve_prefix("entry", "3f2a9", IDS).unwrap_err().to_string();
        assert!(short.contains("at least 6"), "{short}");
        assert!(matches!(resolve_prefix("entry", "ffffff", IDS), Err(Error::NotFound { what: "entry" })));
    }
}
