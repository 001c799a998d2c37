//! Section rows: seeding the built-ins, switching optional ones, privacy, custom sections.

use super::{ad, Record};
use crate::crypto::{FieldCipher, Lookup};
use crate::record::{BuiltinSection, FieldDef, PrivacyLevel, Section, SectionClass};
use crate::{Error, Result};
use rusqlite::{Connection, OptionalExtension};

pub(super) fn seed_builtin(tx: &Connection, cipher: &FieldCipher, lookup: &Lookup) -> Result<()> {
    for b in BuiltinSection::ALL {
        let s = Section {
            id: b.slug().to_string(),
            title: b.title().to_string(),
            class: b.class(),
            // Core sections are always on; optional ones wait for the owner.
            enabled: b.class() == SectionClass::Core,
            privacy: b.default_privacy(),
            fields: vec![],
        };
        insert(tx, cipher, lookup, &s)?;
    }
    Ok(())
}

pub(super) fn insert(tx: &Connection, cipher: &FieldCipher, lookup: &Lookup, s: &Section) -> Result<()> {
    let row = uuid::Uuid::new_v4().to_string();
    let body = cipher.seal(&serde_json::to_vec(s).map_err(|_| Error::Crypto("section encoding failed"))?, &ad("sections", "body", &row))?;
    tx.execute("INSERT INTO sections(id, lookup, body) VALUES (?1, ?2, ?3)", rusqlite::params![row, lookup.tag("section", &s.id), body])?;
    Ok(())
}

impl Record {
    /// The row id and the decrypted section for `slug`.
    pub(super) fn section_row(&self, conn: &Connection, slug: &str) -> Result<(String, Section)> {
        let row: Option<(String, Vec<u8>)> = conn
            .query_row("SELECT id, body FROM sections WHERE lookup = ?1", [self.lookup.tag("section", slug)], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        let (id, body) = row.ok_or(Error::NotFound { what: "section" })?;
        let s = self.open_section(&id, &body)?;
        Ok((id, s))
    }

    fn open_section(&self, row: &str, body: &[u8]) -> Result<Section> {
        let plain = self.cipher.open(body, &ad("sections", "body", row))?;
        serde_json::from_slice(&plain).map_err(|_| Error::Corrupt("a section could not be read"))
    }

    /// Every section, built-ins in their fixed order, then the owner's own by title.
    pub fn sections(&self) -> Result<Vec<Section>> {
        let mut out = self.read(|c| {
            let mut stmt = c.prepare("SELECT id, lookup, body FROM sections")?;
            let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, Vec<u8>>(1)?, r.get::<_, Vec<u8>>(2)?)))?;
            let mut v = Vec::new();
            for row in rows {
                let (id, lookup, body) = row?;
                let s = self.open_section(&id, &body)?;
                // A section that cannot be found by its own name is damage, not absence.
                if lookup != self.lookup.tag("section", &s.id) {
                    return Err(Error::Corrupt("a section's index is damaged"));
                }
                v.push(s);
            }
            Ok(v)
        })?;
        let order = |s: &Section| s.builtin().map(|b| b as usize).unwrap_or(usize::MAX);
        out.sort_by(|a, b| order(a).cmp(&order(b)).then_with(|| a.title.to_lowercase().cmp(&b.title.to_lowercase())));
        Ok(out)
    }

    pub fn section(&self, slug: &str) -> Result<Section> {
        self.read(|c| Ok(self.section_row(c, slug)?.1))
    }

    fn update_section(&self, slug: &str, change: impl FnOnce(&mut Section) -> Result<()>) -> Result<Section> {
        self.write(|tx| {
            let (row, before) = self.section_row(tx, slug)?;
            let mut s = before.clone();
            change(&mut s)?;
            self.write_section(tx, &row, &s)?;
            for c in self.section_changes(&before, &s) {
                self.sync_emit(tx, c)?;
            }
            Ok(s)
        })
    }

    pub(super) fn write_section(&self, tx: &Connection, row: &str, s: &Section) -> Result<()> {
        let body = self.cipher.seal(&serde_json::to_vec(s).map_err(|_| Error::Crypto("section encoding failed"))?, &ad("sections", "body", row))?;
        tx.execute("UPDATE sections SET body = ?1 WHERE id = ?2", rusqlite::params![body, row])?;
        Ok(())
    }

    /// Switches an optional or custom section on or off. Entries are kept while it is off.
    pub fn set_section_enabled(&self, slug: &str, enabled: bool) -> Result<Section> {
        self.update_section(slug, |s| {
            if s.class == SectionClass::Core && !enabled {
                return Err(Error::invalid("section", "core sections are always on"));
            }
            s.enabled = enabled;
            Ok(())
        })
    }

    pub fn set_section_privacy(&self, slug: &str, privacy: PrivacyLevel) -> Result<Section> {
        self.update_section(slug, |s| {
            s.privacy = privacy;
            Ok(())
        })
    }

    /// Creates a user-defined section (enabled, private by default).
    pub fn create_section(&self, title: &str, fields: Vec<FieldDef>) -> Result<Section> {
        let title = title.trim();
        if title.is_empty() || title.len() > 200 {
            return Err(Error::invalid("section title", "must be 1 to 200 characters"));
        }
        let mut names = std::collections::HashSet::new();
        for f in &fields {
            if f.name.trim().is_empty() || !names.insert(f.name.as_str()) {
                return Err(Error::invalid("field name", "must be non-empty and unique"));
            }
        }
        if self.sections()?.iter().any(|s| s.title.eq_ignore_ascii_case(title)) {
            return Err(Error::invalid("section title", "a section with this title already exists"));
        }
        let s = Section {
            id: format!("custom:{}", uuid::Uuid::new_v4()),
            title: title.to_string(),
            class: SectionClass::Custom,
            enabled: true,
            privacy: PrivacyLevel::Private,
            fields,
        };
        self.write(|tx| {
            insert(tx, &self.cipher, &self.lookup, &s)?;
            self.sync_emit(tx, crate::sync::change::Change::SectionCreated { section: s.clone() })?;
            Ok(())
        })?;
        Ok(s)
    }

    /// Finds a section by slug, id or (case-insensitive) title, as people type it.
    pub fn resolve_section(&self, name: &str) -> Result<Section> {
        if let Ok(s) = self.section(name) {
            return Ok(s);
        }
        let wanted = name.trim().to_lowercase().replace(['-', ' '], "_");
        self.sections()?
            .into_iter()
            .find(|s| s.id == wanted || s.title.to_lowercase().replace(['-', ' '], "_") == wanted)
            .ok_or(Error::NotFound { what: "section" })
    }
}
