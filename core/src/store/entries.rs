//! Entry rows: add, edit (with history), annotate, hide, tombstone, undo, purge.

use super::{ad, now_ms, Record};
use crate::record::{
    Annotation, AnnotationKind, BuiltinSection, Entry, EntryValue, Provenance, Revision, SectionClass,
};
use crate::{Error, Result};
use chrono::{DateTime, TimeZone, Utc};
use phr_model::change::Change;
use rusqlite::{Connection, OptionalExtension};
use serde::{Deserialize, Serialize};

/// What is sealed in `entries.body`.
#[derive(Serialize, Deserialize)]
struct EntryBody {
    section: String,
    value: EntryValue,
    provenance: Provenance,
    #[serde(default)]
    hidden: bool,
}

/// What is sealed in `annotations.body`.
#[derive(Serialize, Deserialize)]
struct AnnotationBody {
    kind: AnnotationKind,
    text: Option<String>,
}

/// What is sealed in `entry_revisions.body`.
#[derive(Serialize, Deserialize)]
struct RevisionBody {
    replaced_at: i64,
    value: EntryValue,
}

#[derive(Clone, Copy, Debug, Default)]
pub struct ListOptions {
    pub include_deleted: bool,
    pub include_hidden: bool,
}

/// Where and when a new entry row goes ([`Record::insert_entry_in`]).
pub(super) struct NewEntry<'a> {
    pub id: &'a str,
    pub section_row: &'a str,
    pub section: &'a str,
    pub created_ms: i64,
    pub updated_ms: i64,
}

fn ts(ms: i64) -> DateTime<Utc> {
    Utc.timestamp_millis_opt(ms).single().unwrap_or_default()
}

fn encode<T: Serialize>(v: &T) -> Result<Vec<u8>> {
    serde_json::to_vec(v).map_err(|_| Error::Crypto("entry encoding failed"))
}

impl Record {
    /// Moves an entry to another section row (the section's slug is sealed in the body).
    pub(super) fn move_entry_section_in(
        &self,
        tx: &Connection,
        id: &str,
        section_row: &str,
        slug: &str,
    ) -> Result<()> {
        let sealed: Vec<u8> = tx.query_row("SELECT body FROM entries WHERE id = ?1", [id], |r| r.get(0))?;
        let mut body: EntryBody =
            serde_json::from_slice(&self.cipher.open(&sealed, &ad("entries", "body", id))?)
                .map_err(|_| Error::Corrupt("an entry could not be read"))?;
        body.section = slug.to_string();
        let sealed = self.cipher.seal(&encode(&body)?, &ad("entries", "body", id))?;
        tx.execute(
            "UPDATE entries SET section_id = ?1, body = ?2 WHERE id = ?3",
            rusqlite::params![section_row, sealed, id],
        )?;
        Ok(())
    }

    pub(super) fn source_lookup(&self, p: &Provenance) -> Option<Vec<u8>> {
        match p {
            Provenance::User => None,
            Provenance::Import { source, source_id: Some(id) } => {
                Some(self.lookup.tag("entry-source", &format!("import|{source}|{id}")))
            }
            Provenance::Import { source_id: None, .. } => None,
            Provenance::MedicalRecord { system, resource_id } => {
                Some(self.lookup.tag("entry-source", &format!("fhir|{system}|{resource_id}")))
            }
        }
    }

    pub(super) fn seal_entry_body(
        &self,
        id: &str,
        section: &str,
        value: &EntryValue,
        provenance: &Provenance,
        hidden: bool,
    ) -> Result<Vec<u8>> {
        let body = EntryBody {
            section: section.to_string(),
            value: value.clone(),
            provenance: provenance.clone(),
            hidden,
        };
        self.cipher.seal(&encode(&body)?, &ad("entries", "body", id))
    }

    /// Adds an entry to a section. The section must be switched on; singleton sections
    /// (identity, blood group...) take one live entry, which is then edited.
    pub fn add_entry(&self, section: &str, value: EntryValue, provenance: Provenance) -> Result<Entry> {
        self.write(|tx| self.add_entry_in(tx, section, value, provenance))
    }

    pub(super) fn add_entry_in(
        &self,
        tx: &Connection,
        section: &str,
        value: EntryValue,
        provenance: Provenance,
    ) -> Result<Entry> {
        {
            let (section_row, s) = self.section_row(tx, section)?;
            if !s.enabled {
                return Err(Error::Invalid {
                    field: "section",
                    reason: format!("{} is switched off; switch it on first", s.id),
                });
            }
            value.check_fits(&s)?;
            if s.builtin().is_some_and(BuiltinSection::is_singleton) {
                let live: i64 = tx.query_row(
                    "SELECT COUNT(*) FROM entries WHERE section_id = ?1 AND deleted_at IS NULL",
                    [&section_row],
                    |r| r.get(0),
                )?;
                if live > 0 {
                    return Err(Error::Invalid {
                        field: "entry",
                        reason: format!("{} already has an entry; edit it instead", s.id),
                    });
                }
            }
            let source = self.source_lookup(&provenance);
            if let Some(src) = &source {
                if self.source_taken(tx, src)? {
                    return Err(Error::invalid("entry", "an entry from this source item already exists"));
                }
            }
            let id = super::sync_log::entry_id_for(source.as_deref());
            let now = now_ms();
            let new = NewEntry {
                id: &id,
                section_row: &section_row,
                section: &s.id,
                created_ms: now,
                updated_ms: now,
            };
            self.insert_entry_in(tx, new, value, provenance, source)?;
            self.load_entry(tx, &id)
        }
    }

    /// The one writer of new `entries` rows, for the owner's entries and for entries from
    /// the owner's other devices (`sync_log` applies `EntryAdded` through it): inserts the
    /// row and records the op (a no-op while a remote op is being applied).
    pub(super) fn insert_entry_in(
        &self,
        tx: &Connection,
        new: NewEntry<'_>,
        value: EntryValue,
        provenance: Provenance,
        source: Option<Vec<u8>>,
    ) -> Result<()> {
        let sealed = self.seal_entry_body(new.id, new.section, &value, &provenance, false)?;
        tx.execute(
            "INSERT INTO entries(id, section_id, created_at, updated_at, deleted_at, source_lookup, body) VALUES (?1, ?2, ?3, ?4, NULL, ?5, ?6)",
            rusqlite::params![new.id, new.section_row, new.created_ms, new.updated_ms, source, sealed],
        )?;
        self.sync_emit(
            tx,
            Change::EntryAdded {
                id: new.id.to_string(),
                section: new.section.to_string(),
                value,
                provenance,
                created_ms: new.created_ms,
            },
        )?;
        Ok(())
    }

    /// Whether an entry already came from this source item (its keyed hash).
    pub(super) fn source_taken(&self, c: &Connection, source: &[u8]) -> Result<bool> {
        Ok(c.query_row("SELECT EXISTS(SELECT 1 FROM entries WHERE source_lookup = ?1)", [source], |r| {
            r.get(0)
        })?)
    }

    pub(super) fn entry_exists(&self, c: &Connection, id: &str) -> Result<bool> {
        Ok(c.query_row("SELECT EXISTS(SELECT 1 FROM entries WHERE id = ?1)", [id], |r| r.get(0))?)
    }

    pub(super) fn annotation_exists(&self, c: &Connection, id: &str) -> Result<bool> {
        Ok(c.query_row("SELECT EXISTS(SELECT 1 FROM annotations WHERE id = ?1)", [id], |r| r.get(0))?)
    }

    /// Every entry id, oldest first (what sync's genesis writes as ops).
    pub(super) fn entry_ids_in(&self, c: &Connection) -> Result<Vec<String>> {
        let mut stmt = c.prepare("SELECT id FROM entries ORDER BY created_at, rowid")?;
        let ids = stmt.query_map([], |r| r.get(0))?.collect::<std::result::Result<_, _>>()?;
        Ok(ids)
    }

    /// Finds the entry that came from a given source item (FHIR resource, import id).
    pub fn find_by_source(&self, provenance: &Provenance) -> Result<Option<Entry>> {
        let Some(src) = self.source_lookup(provenance) else { return Ok(None) };
        self.read(|c| {
            let id: Option<String> = c
                .query_row("SELECT id FROM entries WHERE source_lookup = ?1", [src], |r| r.get(0))
                .optional()?;
            id.map(|id| self.load_entry(c, &id)).transpose()
        })
    }

    pub fn entry(&self, id: &str) -> Result<Entry> {
        self.read(|c| self.load_entry(c, id))
    }

    pub(super) fn load_entry(&self, c: &Connection, id: &str) -> Result<Entry> {
        let row: Option<(i64, i64, Option<i64>, Vec<u8>)> = c
            .query_row(
                "SELECT created_at, updated_at, deleted_at, body FROM entries WHERE id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .optional()?;
        let (created, updated, deleted, body) = row.ok_or(Error::NotFound { what: "entry" })?;
        let body: EntryBody = serde_json::from_slice(&self.cipher.open(&body, &ad("entries", "body", id))?)
            .map_err(|_| Error::Corrupt("an entry could not be read"))?;

        let mut annotations = Vec::new();
        let mut stmt =
            c.prepare_cached("SELECT id, at, body FROM annotations WHERE entry_id = ?1 ORDER BY at, id")?;
        for row in stmt
            .query_map([id], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?, r.get::<_, Vec<u8>>(2)?)))?
        {
            let (aid, at, b) = row?;
            let a: AnnotationBody = serde_json::from_slice(
                &self.cipher.open(&b, &ad("annotations", "body", &format!("{aid}|{id}")))?,
            )
            .map_err(|_| Error::Corrupt("an annotation could not be read"))?;
            annotations.push(Annotation { id: aid, at: ts(at), kind: a.kind, text: a.text });
        }
        let mut history = Vec::new();
        let mut stmt =
            c.prepare_cached("SELECT seq, body FROM entry_revisions WHERE entry_id = ?1 ORDER BY seq")?;
        for row in stmt.query_map([id], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, Vec<u8>>(1)?)))? {
            let (seq, b) = row?;
            let r: RevisionBody = serde_json::from_slice(
                &self.cipher.open(&b, &ad("entry_revisions", "body", &format!("{id}|{seq}")))?,
            )
            .map_err(|_| Error::Corrupt("an entry revision could not be read"))?;
            history.push(Revision { replaced_at: ts(r.replaced_at), value: r.value });
        }
        Ok(Entry {
            id: id.to_string(),
            section: body.section,
            value: body.value,
            provenance: body.provenance,
            created_at: ts(created),
            updated_at: ts(updated),
            hidden: body.hidden,
            deleted_at: deleted.map(ts),
            annotations,
            history,
        })
    }

    /// Entries of one section, oldest first.
    pub fn list_entries(&self, section: &str, opts: ListOptions) -> Result<Vec<Entry>> {
        self.read(|c| {
            let (row, _) = self.section_row(c, section)?;
            let mut stmt =
                c.prepare_cached("SELECT id FROM entries WHERE section_id = ?1 ORDER BY created_at, rowid")?;
            let ids: Vec<String> = stmt.query_map([row], |r| r.get(0))?.collect::<Result<_, _>>()?;
            let mut out = Vec::with_capacity(ids.len());
            for id in ids {
                // An id from the section index whose row is gone means a damaged file.
                let e = match self.load_entry(c, &id) {
                    Err(Error::NotFound { .. }) => {
                        return Err(Error::Corrupt("an entry listed in the section index is missing"))
                    }
                    other => other?,
                };
                if (e.deleted_at.is_none() || opts.include_deleted) && (!e.hidden || opts.include_hidden) {
                    out.push(e);
                }
            }
            Ok(out)
        })
    }

    /// What the home screen needs of a section, without loading every entry in full: how
    /// many live, visible entries it has, and the newest `latest` of them (by last change).
    /// Each body is opened only to read its hidden flag; annotations and history are
    /// loaded for the few returned.
    pub fn section_overview(&self, section: &str, latest: usize) -> Result<(u32, Vec<Entry>)> {
        // The home screen asks for every section on each draw; counting opens every entry.
        // Kept per write generation, so any committed change rebuilds it (see observe.rs).
        self.overview_cache.get_or_build(self.observers.generation(), (section.to_string(), latest), || {
            self.section_overview_uncached(section, latest)
        })
    }

    fn section_overview_uncached(&self, section: &str, latest: usize) -> Result<(u32, Vec<Entry>)> {
        #[derive(serde::Deserialize)]
        struct HiddenOnly {
            #[serde(default)]
            hidden: bool,
        }
        self.read(|c| {
            let (row, _) = self.section_row(c, section)?;
            let mut stmt = c.prepare_cached(
                "SELECT id, body FROM entries WHERE section_id = ?1 AND deleted_at IS NULL ORDER BY updated_at DESC, id",
            )?;
            let rows = stmt.query_map([row], |r| Ok((r.get::<_, String>(0)?, r.get::<_, Vec<u8>>(1)?)))?;
            let (mut count, mut ids) = (0u32, Vec::new());
            for r in rows {
                let (id, body) = r?;
                let plain = self.cipher.open(&body, &ad("entries", "body", &id))?;
                // `hidden` is the body's last field as written; a body that does not end
                // with it (written before the field existed) is parsed in full.
                let hidden = if plain.ends_with(b",\"hidden\":false}") {
                    false
                } else if plain.ends_with(b",\"hidden\":true}") {
                    true
                } else {
                    serde_json::from_slice::<HiddenOnly>(&plain)
                        .map_err(|_| Error::Corrupt("an entry could not be read"))?
                        .hidden
                };
                if hidden {
                    continue;
                }
                count += 1;
                if ids.len() < latest {
                    ids.push(id);
                }
            }
            let entries = ids.iter().map(|id| self.load_entry(c, id)).collect::<Result<Vec<_>>>()?;
            Ok((count, entries))
        })
    }

    pub(super) fn rewrite_body(
        &self,
        tx: &Connection,
        e: &Entry,
        hidden: bool,
        value: &EntryValue,
    ) -> Result<()> {
        self.write_body_in(tx, e, value, hidden, Some(now_ms()))?;
        if hidden != e.hidden {
            self.sync_emit(tx, Change::EntryHidden { id: e.id.clone(), hidden })?;
        }
        Ok(())
    }

    /// The one writer of an entry's sealed body (value and hidden flag); `updated_ms`
    /// moves `updated_at` when given (a hide from another device leaves it).
    pub(super) fn write_body_in(
        &self,
        tx: &Connection,
        e: &Entry,
        value: &EntryValue,
        hidden: bool,
        updated_ms: Option<i64>,
    ) -> Result<()> {
        let sealed = self.seal_entry_body(&e.id, &e.section, value, &e.provenance, hidden)?;
        tx.execute(
            "UPDATE entries SET body = ?1, updated_at = COALESCE(?2, updated_at) WHERE id = ?3",
            rusqlite::params![sealed, updated_ms, e.id],
        )?;
        Ok(())
    }

    /// Replaces an entry's value, keeping the old value in its history. Entries from the
    /// medical record are refused: annotate or hide them instead.
    pub fn edit_entry(&self, id: &str, value: EntryValue) -> Result<Entry> {
        self.write(|tx| {
            let e = self.load_entry(tx, id)?;
            if e.provenance.is_medical_record() {
                return Err(Error::ReadOnlyEntry);
            }
            if e.deleted_at.is_some() {
                return Err(Error::invalid("entry", "is deleted; undo the deletion before editing"));
            }
            let (_, s) = self.section_row(tx, &e.section)?;
            value.check_fits(&s)?;
            if value == e.value {
                return Ok(e);
            }
            self.replace_value_in(tx, &e, &value)?;
            self.load_entry(tx, id)
        })
    }

    /// Replaces an entry's value inside the caller's transaction, keeping the old value in
    /// the history. No provenance check: callers decide who may change what (the owner via
    /// [`Record::edit_entry`], the medical-record reconciler for its own entries).
    pub(super) fn replace_value_in(&self, tx: &Connection, e: &Entry, value: &EntryValue) -> Result<()> {
        self.replace_value_at(tx, e, value, now_ms())
    }

    /// As [`Record::replace_value_in`] at a given time: the op's clock when the value
    /// comes from another device, so every device keeps the same history.
    pub(super) fn replace_value_at(
        &self,
        tx: &Connection,
        e: &Entry,
        value: &EntryValue,
        at_ms: i64,
    ) -> Result<()> {
        self.push_revision(tx, &e.id, &e.value, at_ms)?;
        self.write_body_in(tx, e, value, e.hidden, Some(at_ms))?;
        self.sync_emit(
            tx,
            Change::EntryValue {
                id: e.id.clone(),
                value: value.clone(),
                by_source: e.provenance.is_medical_record(),
                seen: None,
            },
        )?;
        Ok(())
    }

    /// Appends an earlier value to an entry's history.
    pub(super) fn push_revision(
        &self,
        tx: &Connection,
        id: &str,
        value: &EntryValue,
        replaced_at: i64,
    ) -> Result<()> {
        let seq: i64 = tx.query_row(
            "SELECT COALESCE(MAX(seq), 0) + 1 FROM entry_revisions WHERE entry_id = ?1",
            [id],
            |r| r.get(0),
        )?;
        let rev = RevisionBody { replaced_at, value: value.clone() };
        let sealed =
            self.cipher.seal(&encode(&rev)?, &ad("entry_revisions", "body", &format!("{id}|{seq}")))?;
        tx.execute(
            "INSERT INTO entry_revisions(entry_id, seq, body) VALUES (?1, ?2, ?3)",
            rusqlite::params![id, seq, sealed],
        )?;
        Ok(())
    }

    /// Stores one annotation (the owner's, the reconciler's, or one from another device).
    pub(super) fn insert_annotation(
        &self,
        tx: &Connection,
        entry: &str,
        id: &str,
        at_ms: i64,
        kind: AnnotationKind,
        text: Option<String>,
    ) -> Result<()> {
        let sealed = self.cipher.seal(
            &encode(&AnnotationBody { kind: kind.clone(), text: text.clone() })?,
            &ad("annotations", "body", &format!("{id}|{entry}")),
        )?;
        tx.execute(
            "INSERT INTO annotations(id, entry_id, at, body) VALUES (?1, ?2, ?3, ?4)",
            rusqlite::params![id, entry, at_ms, sealed],
        )?;
        self.sync_emit(
            tx,
            Change::Annotated { entry: entry.to_string(), id: id.to_string(), at_ms, kind, text },
        )?;
        Ok(())
    }

    /// Adds an annotation ("no longer relevant", or free text). Allowed on every entry,
    /// including medical-record ones: annotating is how the owner disagrees with them.
    pub fn annotate(&self, id: &str, kind: AnnotationKind, text: Option<String>) -> Result<Entry> {
        if kind == AnnotationKind::Note && text.as_deref().is_none_or(|t| t.trim().is_empty()) {
            return Err(Error::invalid("annotation", "a note needs some text"));
        }
        if text.as_ref().is_some_and(|t| t.len() > 20_000) {
            return Err(Error::invalid("annotation", "is longer than 20,000 characters"));
        }
        self.write(|tx| {
            self.load_entry(tx, id)?;
            self.insert_annotation(tx, id, &uuid::Uuid::new_v4().to_string(), now_ms(), kind, text)?;
            self.load_entry(tx, id)
        })
    }

    /// Hides or shows an entry in the owner's normal views (nothing is deleted).
    pub fn set_hidden(&self, id: &str, hidden: bool) -> Result<Entry> {
        self.write(|tx| {
            let e = self.load_entry(tx, id)?;
            self.rewrite_body(tx, &e, hidden, &e.value)?;
            self.load_entry(tx, id)
        })
    }

    /// Tombstones an entry (undo with [`Record::undo_delete`], erase with [`Record::purge`]).
    pub fn delete_entry(&self, id: &str) -> Result<Entry> {
        self.write(|tx| {
            let e = self.load_entry(tx, id)?;
            if e.provenance.is_medical_record() {
                return Err(Error::ReadOnlyEntry);
            }
            if e.deleted_at.is_none() {
                self.delete_in(tx, id)?;
            }
            self.load_entry(tx, id)
        })
    }

    pub fn undo_delete(&self, id: &str) -> Result<Entry> {
        self.write(|tx| {
            let e = self.load_entry(tx, id)?;
            if e.deleted_at.is_none() {
                return Err(Error::invalid("entry", "is not deleted"));
            }
            let (section_row, s) = self.section_row(tx, &e.section)?;
            if s.class != SectionClass::Custom && s.builtin().is_some_and(BuiltinSection::is_singleton) {
                let live: i64 = tx.query_row(
                    "SELECT COUNT(*) FROM entries WHERE section_id = ?1 AND deleted_at IS NULL",
                    [&section_row],
                    |r| r.get(0),
                )?;
                if live > 0 {
                    return Err(Error::Invalid {
                        field: "entry",
                        reason: format!("{} already has a live entry", s.id),
                    });
                }
            }
            self.undelete_in(tx, id)?;
            self.load_entry(tx, id)
        })
    }

    /// Erases a deleted entry for good: its value, history and annotations. Only entries
    /// already deleted can be purged, so purging is always a second, deliberate step.
    pub fn purge(&self, id: &str) -> Result<()> {
        self.write(|tx| {
            let e = self.load_entry(tx, id)?;
            if e.deleted_at.is_none() {
                return Err(Error::invalid("entry", "must be deleted before it can be purged"));
            }
            self.erase_entry_in(tx, id)
        })
    }

    /// Tombstones an entry; the time is the op's clock when sync is on, so every device
    /// shows the same deletion time.
    pub(super) fn delete_in(&self, tx: &Connection, id: &str) -> Result<usize> {
        let at = self
            .sync_emit(tx, Change::EntryDeleted { id: id.to_string(), deleted: true })?
            .map(|h| h.ms())
            .unwrap_or_else(now_ms);
        self.set_deleted_at(tx, id, Some(at), true)
    }

    pub(super) fn undelete_in(&self, tx: &Connection, id: &str) -> Result<()> {
        self.set_deleted_at(tx, id, None, false)?;
        self.sync_emit(tx, Change::EntryDeleted { id: id.to_string(), deleted: false })?;
        Ok(())
    }

    /// The one writer of `entries.deleted_at` (the tombstone); `only_live` keeps an earlier
    /// deletion time. Returns how many rows changed.
    pub(super) fn set_deleted_at(
        &self,
        tx: &Connection,
        id: &str,
        at: Option<i64>,
        only_live: bool,
    ) -> Result<usize> {
        let sql = if only_live {
            "UPDATE entries SET deleted_at = ?1 WHERE id = ?2 AND deleted_at IS NULL"
        } else {
            "UPDATE entries SET deleted_at = ?1 WHERE id = ?2"
        };
        Ok(tx.execute(sql, rusqlite::params![at, id])?)
    }

    /// Erases an entry for good (its history and annotations go with it), remembers the
    /// purge so later ops about it are ignored, and records the op.
    pub(super) fn erase_entry_in(&self, tx: &Connection, id: &str) -> Result<()> {
        tx.execute("DELETE FROM entries WHERE id = ?1", [id])?;
        self.remember_purge(tx, id)?;
        self.sync_emit(tx, Change::EntryPurged { id: id.to_string() })?;
        Ok(())
    }

    /// Purges every deleted entry; returns how many.
    pub fn purge_deleted(&self) -> Result<usize> {
        self.write(|tx| {
            let ids: Vec<String> = {
                let mut stmt = tx.prepare("SELECT id FROM entries WHERE deleted_at IS NOT NULL")?;
                let ids = stmt.query_map([], |r| r.get(0))?.collect::<std::result::Result<_, _>>()?;
                ids
            };
            for id in &ids {
                self.erase_entry_in(tx, id)?;
            }
            Ok(ids.len())
        })
    }
}
