//! Activity rows, and [`ImportBatch`]: what an importer hands the store to land in one
//! transaction (samples, activities and entries together, or nothing).

use super::{ad, Record};
use crate::record::{Activity, EntryValue, IngestReport, Provenance, Sample};
use crate::{Error, Result};
use rusqlite::{Connection, OptionalExtension};
use serde::{Deserialize, Serialize};

const DAY_MS: i64 = 86_400_000;
/// Two recordings are the same session if they start within this and last about as long.
const SAME_START_MS: i64 = 120_000;

/// Everything one import (a file, an API page, a bundle) wants stored.
#[derive(Clone, Debug, Default)]
pub struct ImportBatch {
    pub samples: Vec<Sample>,
    pub activities: Vec<Activity>,
    /// (section slug, value, provenance). Entries whose source item is already in the
    /// record are left as they are.
    pub entries: Vec<(String, EntryValue, Provenance)>,
}

/// What an import did. Importing the same thing twice gives all zeros but `unchanged`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportOutcome {
    pub samples: IngestReport,
    pub activities_added: u64,
    /// Same session already stored from another app: linked, not duplicated.
    pub activities_merged: u64,
    pub activities_unchanged: u64,
    pub entries_added: u64,
    pub entries_unchanged: u64,
}

/// Whether two recordings describe the same real-world session.
pub fn same_session(a: &Activity, b: &Activity) -> bool {
    let sport_ok = a.sport.family() == b.sport.family() || a.sport.is_generic() || b.sport.is_generic();
    let tolerance = (a.elapsed_s.max(b.elapsed_s) * 0.05).max(60.0);
    sport_ok
        && (a.start_ms - b.start_ms).abs() <= SAME_START_MS
        && (a.elapsed_s - b.elapsed_s).abs() <= tolerance
}

impl Record {
    fn activity_lookup(&self, source_id: &str) -> Vec<u8> {
        self.lookup.tag("activity-source", source_id)
    }

    fn seal_activity(&self, id: &str, a: &Activity) -> Result<(Vec<u8>, Option<Vec<u8>>)> {
        let mut head = a.clone();
        let track = std::mem::take(&mut head.track);
        head.id = id.to_string();
        let body = self.cipher.seal(
            &serde_json::to_vec(&head).map_err(|_| Error::Crypto("activity encoding failed"))?,
            &ad("activities", "body", id),
        )?;
        let track = if track.is_empty() {
            None
        } else {
            let raw = serde_json::to_vec(&track).map_err(|_| Error::Crypto("track encoding failed"))?;
            Some(
                self.cipher
                    .seal(&miniz_oxide::deflate::compress_to_vec(&raw, 1), &ad("activities", "track", id))?,
            )
        };
        Ok((body, track))
    }

    fn open_activity(&self, id: &str, body: &[u8], track: Option<&[u8]>) -> Result<Activity> {
        let mut a: Activity = serde_json::from_slice(&self.cipher.open(body, &ad("activities", "body", id))?)
            .map_err(|_| Error::Corrupt("an activity could not be read"))?;
        if let Some(t) = track {
            let raw = miniz_oxide::inflate::decompress_to_vec_with_limit(
                &self.cipher.open(t, &ad("activities", "track", id))?,
                512 << 20,
            )
            .map_err(|_| Error::Corrupt("an activity track does not inflate"))?;
            a.track = serde_json::from_slice(&raw)
                .map_err(|_| Error::Corrupt("an activity track could not be read"))?;
        }
        Ok(a)
    }

    /// Lands a whole import in one transaction.
    pub fn import(&self, batch: &ImportBatch) -> Result<ImportOutcome> {
        Ok(self.import_session(|s| s.add(batch))?.1)
    }

    /// One import delivered in parts (a multi-GB Apple Health export): `f` hands each
    /// part to [`ImportSession::add`] as it is parsed, so memory stays bounded, and all
    /// parts land in ONE transaction: if `f` or any part fails, nothing is stored.
    pub fn import_session<T>(
        &self,
        f: impl FnOnce(&mut ImportSession<'_>) -> Result<T>,
    ) -> Result<(T, ImportOutcome)> {
        self.write(|tx| {
            let mut session = ImportSession { record: self, tx, outcome: ImportOutcome::default() };
            let t = f(&mut session)?;
            Ok((t, session.outcome))
        })
    }

    pub(super) fn upsert_activity(&self, tx: &Connection, a: &Activity) -> Result<Upsert> {
        let key = self.activity_lookup(&a.source_id);
        let known: bool = tx.query_row(
            "SELECT EXISTS(SELECT 1 FROM activities WHERE source_lookup = ?1) OR EXISTS(SELECT 1 FROM activity_aliases WHERE source_lookup = ?1)",
            [&key],
            |r| r.get(0),
        )?;
        if known {
            return Ok(Upsert::Unchanged);
        }
        let day = a.start_ms.div_euclid(DAY_MS);
        let mut stmt =
            tx.prepare_cached("SELECT id, body, track FROM activities WHERE day BETWEEN ?1 AND ?2")?;
        let near: Vec<(String, Vec<u8>, Option<Vec<u8>>)> = stmt
            .query_map([day - 1, day + 1], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<Result<_, _>>()?;
        for (id, body, track) in near {
            let mut existing = self.open_activity(&id, &body, track.as_deref())?;
            if !same_session(&existing, a) {
                continue;
            }
            // Keep the first recording as primary; fill what it lacks from the newcomer.
            existing.also_from.push(a.source.clone());
            macro_rules! fill {
                ($($f:ident),*) => { $( if existing.$f.is_none() { existing.$f = a.$f.clone(); } )* };
            }
            fill!(name, timer_s, distance_m, avg_hr, max_hr, calories, ascent_m);
            if existing.laps.is_empty() {
                existing.laps = a.laps.clone();
            }
            if existing.track.is_empty() {
                existing.track = a.track.clone();
            }
            for (k, v) in &a.metrics {
                existing.metrics.entry(k.clone()).or_insert(*v);
            }
            let (body, track) = self.seal_activity(&id, &existing)?;
            tx.execute(
                "UPDATE activities SET body = ?1, track = ?2 WHERE id = ?3",
                rusqlite::params![body, track, id],
            )?;
            tx.execute(
                "INSERT INTO activity_aliases(source_lookup, activity_id) VALUES (?1, ?2)",
                rusqlite::params![key, id],
            )?;
            return Ok(Upsert::Merged);
        }
        let id = uuid::Uuid::new_v4().to_string();
        let (body, track) = self.seal_activity(&id, a)?;
        tx.execute(
            "INSERT INTO activities(id, day, source_lookup, body, track) VALUES (?1, ?2, ?3, ?4, ?5)",
            rusqlite::params![id, day, key, body, track],
        )?;
        Ok(Upsert::Added)
    }

    /// Activities starting in `[from_ms, to_ms)`, by start time, without their tracks.
    pub fn activities(&self, from_ms: i64, to_ms: i64) -> Result<Vec<Activity>> {
        self.read(|c| {
            let mut stmt = c.prepare_cached("SELECT id, body FROM activities WHERE day BETWEEN ?1 AND ?2")?;
            let rows = stmt
                .query_map([from_ms.div_euclid(DAY_MS), to_ms.saturating_sub(1).div_euclid(DAY_MS)], |r| {
                    Ok((r.get::<_, String>(0)?, r.get::<_, Vec<u8>>(1)?))
                })?;
            let mut out = Vec::new();
            for row in rows {
                let (id, body) = row?;
                let a = self.open_activity(&id, &body, None)?;
                if a.start_ms >= from_ms && a.start_ms < to_ms {
                    out.push(a);
                }
            }
            out.sort_by_key(|a| a.start_ms);
            Ok(out)
        })
    }

    /// One activity with its track.
    pub fn activity(&self, id: &str) -> Result<Activity> {
        self.read(|c| self.activity_on(c, id))
    }

    pub(super) fn activity_on(&self, c: &Connection, id: &str) -> Result<Activity> {
        {
            let row: Option<(Vec<u8>, Option<Vec<u8>>)> = c
                .query_row("SELECT body, track FROM activities WHERE id = ?1", [id], |r| {
                    Ok((r.get(0)?, r.get(1)?))
                })
                .optional()?;
            let (body, track) = row.ok_or(Error::NotFound { what: "activity" })?;
            self.open_activity(id, &body, track.as_deref())
        }
    }

    pub(super) fn entry_id_by_source(&self, c: &Connection, p: &Provenance) -> Result<Option<String>> {
        let Some(src) = self.source_lookup(p) else { return Ok(None) };
        Ok(c.query_row("SELECT id FROM entries WHERE source_lookup = ?1", [src], |r| r.get(0)).optional()?)
    }
}

/// An open import transaction (see [`Record::import_session`]).
pub struct ImportSession<'a> {
    record: &'a Record,
    tx: &'a Connection,
    outcome: ImportOutcome,
}

impl ImportSession<'_> {
    /// Stores one part; its outcome adds to the session's.
    pub fn add(&mut self, batch: &ImportBatch) -> Result<()> {
        let (r, tx, out) = (self.record, self.tx, &mut self.outcome);
        for (i, a) in batch.activities.iter().enumerate() {
            a.validate().map_err(|e| Error::from(e).in_batch("activity", i))?;
        }
        let groups = super::samples::group_samples(&batch.samples)?;
        let s = r.ingest_groups(tx, groups)?;
        out.samples.added += s.added;
        out.samples.duplicates += s.duplicates;
        if s.added > 0 {
            r.sync_emit_samples(tx, &batch.samples)?;
        }
        for a in &batch.activities {
            match r.upsert_activity(tx, a)? {
                Upsert::Added => out.activities_added += 1,
                Upsert::Merged => out.activities_merged += 1,
                Upsert::Unchanged => {
                    out.activities_unchanged += 1;
                    continue;
                }
            }
            r.sync_emit(tx, phr_model::change::Change::Activity { activity: Box::new(a.clone()) })?;
        }
        for (section, value, prov) in &batch.entries {
            if r.entry_id_by_source(tx, prov)?.is_some() {
                out.entries_unchanged += 1;
            } else {
                r.add_entry_in(tx, section, value.clone(), prov.clone())?;
                out.entries_added += 1;
            }
        }
        Ok(())
    }

    pub fn outcome(&self) -> &ImportOutcome {
        &self.outcome
    }
}

pub(super) enum Upsert {
    Added,
    Merged,
    Unchanged,
}
