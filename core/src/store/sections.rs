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
            fields: b.fields(),
        };
        insert(tx, cipher, lookup, &s)?;
    }
    Ok(())
}

pub(super) fn insert(tx: &Connection, cipher: &FieldCipher, lookup: &Lookup, s: &Section) -> Result<()> {
    let row = uuid::Uuid::new_v4().to_string();
    let body = cipher.seal(
        &serde_json::to_vec(s).map_err(|_| Error::Crypto("section encoding failed"))?,
        &ad("sections", "body", &row),
    )?;
    tx.execute(
        "INSERT INTO sections(id, lookup, body) VALUES (?1, ?2, ?3)",
        rusqlite::params![row, lookup.tag("section", &s.id), body],
    )?;
    Ok(())
}

impl Record {
    /// The row id and the decrypted section for `slug`.
    pub(super) fn section_row(&self, conn: &Connection, slug: &str) -> Result<(String, Section)> {
        let row: Option<(String, Vec<u8>)> = conn
            .query_row(
                "SELECT id, body FROM sections WHERE lookup = ?1",
                [self.lookup.tag("section", slug)],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
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
            let rows = stmt.query_map([], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, Vec<u8>>(1)?, r.get::<_, Vec<u8>>(2)?))
            })?;
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
        out.sort_by(|a, b| {
            order(a).cmp(&order(b)).then_with(|| a.title.to_lowercase().cmp(&b.title.to_lowercase()))
        });
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
        let body = self.cipher.seal(
            &serde_json::to_vec(s).map_err(|_| Error::Crypto("section encoding failed"))?,
            &ad("sections", "body", row),
        )?;
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
            self.sync_emit(tx, phr_model::change::Change::SectionCreated { section: s.clone() })?;
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

impl Record {
    /// Brings a record made by older code up to today's built-in sections, once, at open:
    /// adds any built-in section it lacks, and moves test results from the custom section
    /// older versions used (`custom:test-results`) into the built-in `test_results`,
    /// re-sealing each entry (its section is inside the seal) and renaming the section in
    /// grants. It needs the key, which is why it is not a SQL migration; it runs in one
    /// transaction and does nothing when there is nothing to do.
    pub(super) fn upgrade_builtin_sections(&self) -> Result<()> {
        let have: std::collections::HashSet<Vec<u8>> = self.read(|c| {
            let mut stmt = c.prepare("SELECT lookup FROM sections")?;
            let rows = stmt.query_map([], |r| r.get::<_, Vec<u8>>(0))?;
            Ok(rows.collect::<std::result::Result<_, _>>()?)
        })?;
        let legacy = super::reconcile::LEGACY_RESULTS_SECTION;
        let missing: Vec<BuiltinSection> = BuiltinSection::ALL
            .into_iter()
            .filter(|b| !have.contains(&self.lookup.tag("section", b.slug())))
            .collect();
        let has_legacy = have.contains(&self.lookup.tag("section", legacy));
        if missing.is_empty() && !has_legacy {
            return Ok(());
        }
        self.write(|tx| {
            for b in &missing {
                let s = Section {
                    id: b.slug().to_string(),
                    title: b.title().to_string(),
                    class: b.class(),
                    enabled: b.class() == SectionClass::Core,
                    privacy: b.default_privacy(),
                    fields: b.fields(),
                };
                insert(tx, &self.cipher, &self.lookup, &s)?;
            }
            if has_legacy {
                let (old_row, _) = self.section_row(tx, legacy)?;
                let (new_row, _) = self.section_row(tx, BuiltinSection::TestResults.slug())?;
                let ids: Vec<String> = {
                    let mut stmt = tx.prepare("SELECT id FROM entries WHERE section_id = ?1")?;
                    let rows = stmt.query_map([&old_row], |r| r.get(0))?;
                    rows.collect::<std::result::Result<_, _>>()?
                };
                for id in ids {
                    self.move_entry_section_in(tx, &id, &new_row, BuiltinSection::TestResults.slug())?;
                }
                tx.execute("DELETE FROM sections WHERE id = ?1", [&old_row])?;
                self.rename_section_in_grants(tx, legacy, BuiltinSection::TestResults.slug())?;
            }
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::RawKeyStore;
    use crate::record::{EntryValue, FieldValue};
    use crate::store::{ListOptions, DB_FILE, LEGACY_RESULTS_SECTION, RESULTS_SECTION};
    use phr_model::grant::{AuditAction, Grant, Recipient, RecipientCategory};

    #[test]
    fn an_old_records_custom_test_results_move_into_the_built_in_section() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(DB_FILE);
        let ks = RawKeyStore::new([3; 32]);
        let (entry_id, grant_id) = {
            let r = Record::create(&path, &ks).unwrap();
            // What older code left: no built-in test_results, a custom section instead.
            r.write(|tx| {
                tx.execute(
                    "DELETE FROM sections WHERE lookup = ?1",
                    [r.lookup.tag("section", RESULTS_SECTION)],
                )?;
                let legacy = Section {
                    id: LEGACY_RESULTS_SECTION.into(),
                    title: "Test results".into(),
                    class: SectionClass::Custom,
                    enabled: true,
                    privacy: PrivacyLevel::Shareable,
                    fields: BuiltinSection::TestResults.fields(),
                };
                insert(tx, &r.cipher, &r.lookup, &legacy)
            })
            .unwrap();
            let fields = [
                ("test".to_string(), FieldValue::Text("Haemoglobin".into())),
                ("value".to_string(), FieldValue::Number(131.0)),
                ("unit".to_string(), FieldValue::Text("g/L".into())),
            ]
            .into();
            let e = r
                .add_entry(
                    LEGACY_RESULTS_SECTION,
                    EntryValue::Custom { fields },
                    crate::record::Provenance::User,
                )
                .unwrap();
            // A grant naming the old section, stored as consent::create_grant stores one.
            let now = chrono::Utc::now();
            let g = Grant {
                id: "grant-1".into(),
                recipient: Recipient {
                    name: "Dr Lee".into(),
                    role: "GP".into(),
                    category: RecipientCategory::HealthProfessional,
                },
                sections: vec![LEGACY_RESULTS_SECTION.into(), "allergies".into()],
                purpose: "review".into(),
                message: None,
                start: now,
                expiry: None,
                revoked_at: None,
                created_at: now,
                link: None,
                replies: Vec::new(),
                answer: None,
                disclosure: Default::default(),
            };
            r.insert_grant_audited(&g, AuditAction::GrantCreated, "purpose: review").unwrap();
            (e.id, g.id)
        };
        let r = Record::open(&path, &ks).unwrap();
        let moved = r.list_entries(RESULTS_SECTION, ListOptions::default()).unwrap();
        assert_eq!(moved.len(), 1);
        assert_eq!(moved[0].id, entry_id, "the same entry, moved");
        assert_eq!(r.entry(&entry_id).unwrap().section, RESULTS_SECTION);
        assert!(matches!(r.section(LEGACY_RESULTS_SECTION), Err(Error::NotFound { .. })));
        let s = r.section(RESULTS_SECTION).unwrap();
        assert_eq!((s.class, s.fields.len()), (SectionClass::Core, 12));
        assert_eq!(
            r.grant(&grant_id).unwrap().unwrap().sections,
            vec![RESULTS_SECTION.to_string(), "allergies".to_string()]
        );
        // A second open has nothing to do and changes nothing.
        drop(r);
        let r = Record::open(&path, &ks).unwrap();
        assert_eq!(r.sections().unwrap().iter().filter(|s| s.id == RESULTS_SECTION).count(), 1);
        assert_eq!(r.list_entries(RESULTS_SECTION, ListOptions::default()).unwrap().len(), 1);
    }
}
