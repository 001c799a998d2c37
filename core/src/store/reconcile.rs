//! Source-owned entries: what a clinical system (a GP or hospital FHIR server, a file it
//! exported) says about the owner, kept in step with that source.
//!
//! One [`SourceBatch`] lands in one transaction ([`Record::reconcile_source`]):
//! * every item is upserted by its source id (`system` + `Type/id`): new ones are added,
//!   changed ones are replaced with the old value kept in the entry's history, unchanged
//!   ones are left alone, retired ones that come back are restored;
//! * with `retire_missing`, entries this source gave before but no longer lists are
//!   tombstoned (not purged: history and undo stay);
//! * a user-entered entry that matches a source entry (same code, or same name) is linked:
//!   hidden behind the source entry when they agree, left visible and annotated when they
//!   disagree (a dose, a frequency): conflicts are shown, never resolved silently;
//! * resources with no place in the record (and any with extensions) are kept as sealed
//!   raw JSON, so nothing the source said is dropped;
//! * the identity guard: the first batch fills an empty identity; a batch about someone
//!   else is refused unless forced.
//!
//! Bookkeeping (which resource ids a source gave, links, conflicts) lives in sealed
//! settings documents; the settings table is the only place it touches besides entries,
//! annotations and sample chunks.

use super::{now_ms, Record};
use crate::record::{AnnotationKind, BuiltinSection, Entry, EntryValue, IngestReport, Provenance, Sample};
use crate::{Error, Result};
use rusqlite::{Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// The built-in section that holds test results (labs, scores, observations that are not
/// a time series the record already charts).
pub const RESULTS_SECTION: &str = "test_results";
/// Where records made before `test_results` was built in kept them (moved on open).
pub const LEGACY_RESULTS_SECTION: &str = "custom:test-results";

/// One item a source says, already mapped to the record's model.
#[derive(Clone, Debug, PartialEq)]
pub struct SourceItem {
    pub section: String,
    pub value: EntryValue,
    /// `Type/id` in the source.
    pub resource_id: String,
}

/// Everything one pull or file from a source wants stored.
#[derive(Clone, Debug, Default)]
pub struct SourceBatch {
    /// The source system (FHIR base URL, or a name for a file's origin).
    pub system: String,
    /// The person this batch is about (an `Identity` value) and its resource id.
    pub identity: Option<(EntryValue, String)>,
    /// Import even if the batch is about someone else than the record's owner.
    pub force: bool,
    pub items: Vec<SourceItem>,
    pub samples: Vec<Sample>,
    /// Resources kept verbatim: (`Type/id`, JSON).
    pub raw: Vec<(String, String)>,
    /// The batch is the source's whole record: retire what it no longer lists.
    pub retire_missing: bool,
}

/// A difference between an entry the owner typed and the matching one from the source.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldConflict {
    pub field: String,
    pub yours: Option<String>,
    pub source: Option<String>,
}

/// A user entry linked to a source entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceLink {
    pub user_entry: String,
    pub source_entry: String,
    pub section: String,
    pub system: String,
    #[serde(default)]
    pub conflicts: Vec<FieldConflict>,
}

/// What a reconcile did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReconcileOutcome {
    pub added: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub restored: u64,
    pub retired: u64,
    pub samples: IngestReport,
    pub raw_kept: u64,
    pub raw_dropped: u64,
    pub identity: Option<String>,
    pub links: Vec<SourceLink>,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
struct SourceIndex {
    /// resource id -> entry id (None: kept raw only).
    resources: BTreeMap<String, Option<String>>,
    #[serde(default)]
    raw: BTreeSet<String>,
}

fn index_name(system: &str) -> String {
    format!("fhir.index|{system}")
}
const SYSTEMS: &str = "fhir.systems";
const LINKS: &str = "fhir.links";

fn norm(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).flat_map(char::to_lowercase).collect()
}

fn first_word(s: &str) -> String {
    s.split(|c: char| !c.is_alphanumeric()).find(|w| !w.is_empty()).unwrap_or_default().to_lowercase()
}

/// Whether two identities can be the same person; `Err(reason)` when they cannot.
pub fn same_person(a: &EntryValue, b: &EntryValue) -> std::result::Result<(), &'static str> {
    let (
        EntryValue::Identity { given_name: ga, family_name: fa, date_of_birth: da, nhs_number: na, .. },
        EntryValue::Identity { given_name: gb, family_name: fb, date_of_birth: db, nhs_number: nb, .. },
    ) = (a, b)
    else {
        return Ok(());
    };
    if let (Some(x), Some(y)) = (na, nb) {
        return if x == y { Ok(()) } else { Err("its NHS number differs from the one in this record") };
    }
    if let (Some(x), Some(y)) = (da, db) {
        if x != y {
            return Err("its date of birth differs from the one in this record");
        }
    }
    if !fa.trim().is_empty() && !fb.trim().is_empty() && norm(fa) != norm(fb) {
        return Err("its family name differs from the one in this record");
    }
    if first_word(ga) != first_word(gb)
        && !ga.trim().is_empty()
        && !gb.trim().is_empty()
        && da.is_some()
        && db.is_some()
    {
        return Err("its given name differs from the one in this record");
    }
    Ok(())
}

/// Fields that differ between a user entry and a matching source entry.
fn conflicts(user: &EntryValue, source: &EntryValue) -> Vec<FieldConflict> {
    let mut out = Vec::new();
    let mut cmp = |field: &str, a: &Option<String>, b: &Option<String>| {
        if let (Some(x), Some(y)) = (a, b) {
            if norm(x) != norm(y) {
                out.push(FieldConflict { field: field.into(), yours: a.clone(), source: b.clone() });
            }
        }
    };
    match (user, source) {
        (
            EntryValue::Medication { dose: d1, frequency: f1, route: r1, .. },
            EntryValue::Medication { dose: d2, frequency: f2, route: r2, .. },
        ) => {
            cmp("dose", d1, d2);
            cmp("frequency", f1, f2);
            cmp("route", r1, r2);
        }
        (
            EntryValue::Allergy { severity: s1, status: st1, .. },
            EntryValue::Allergy { severity: s2, status: st2, .. },
        ) => {
            if s1 != s2 {
                out.push(FieldConflict {
                    field: "severity".into(),
                    yours: s1.map(|s| format!("{s:?}").to_lowercase()),
                    source: s2.map(|s| format!("{s:?}").to_lowercase()),
                });
            }
            if st1 != st2 {
                out.push(FieldConflict {
                    field: "status".into(),
                    yours: Some(format!("{st1:?}").to_lowercase()),
                    source: Some(format!("{st2:?}").to_lowercase()),
                });
            }
        }
        (EntryValue::Condition { status: s1, .. }, EntryValue::Condition { status: s2, .. }) if s1 != s2 => {
            out.push(FieldConflict {
                field: "status".into(),
                yours: Some(format!("{s1:?}").to_lowercase()),
                source: Some(format!("{s2:?}").to_lowercase()),
            });
        }
        _ => {}
    }
    out
}

/// The name and code an entry is matched on.
fn match_key(v: &EntryValue) -> Option<(String, Option<(String, String)>)> {
    let (name, code) = match v {
        EntryValue::Medication { name, code, .. }
        | EntryValue::Condition { name, code, .. }
        | EntryValue::Procedure { name, code, .. } => (name, code),
        EntryValue::Allergy { substance, code, .. } => (substance, code),
        _ => return None,
    };
    Some((first_word(name), code.as_ref().map(|c| (c.system.clone(), c.code.clone()))))
}

fn matches(user: &EntryValue, source: &EntryValue) -> bool {
    if user.type_name() != source.type_name() {
        return false;
    }
    match (match_key(user), match_key(source)) {
        (Some((n1, c1)), Some((n2, c2))) => match (c1, c2) {
            (Some(a), Some(b)) if a == b => true,
            _ => !n1.is_empty() && n1 == n2,
        },
        _ => false,
    }
}

impl Record {
    fn delete_setting_in(&self, c: &Connection, name: &str) -> Result<()> {
        self.observers.mark(super::RecordArea::Settings);
        c.execute("DELETE FROM settings WHERE lookup = ?1", [self.lookup.tag("setting", name)])?;
        Ok(())
    }

    fn raw_name(system: &str, resource_id: &str) -> String {
        format!("fhir.raw|{system}|{resource_id}")
    }

    fn live_entries_in(&self, c: &Connection, section: &str) -> Result<Vec<Entry>> {
        let (row, _) = self.section_row(c, section)?;
        let mut stmt = c.prepare_cached(
            "SELECT id FROM entries WHERE section_id = ?1 AND deleted_at IS NULL ORDER BY created_at, rowid",
        )?;
        let ids: Vec<String> = stmt.query_map([row], |r| r.get(0))?.collect::<std::result::Result<_, _>>()?;
        ids.iter().map(|id| self.load_entry(c, id)).collect()
    }

    fn annotate_in(&self, c: &Connection, entry_id: &str, text: String) -> Result<()> {
        // Same sealed shape as `Record::annotate` writes.
        self.insert_annotation(
            c,
            entry_id,
            &uuid::Uuid::new_v4().to_string(),
            now_ms(),
            AnnotationKind::Note,
            Some(text),
        )
    }

    /// Lands a source batch in one transaction; on any error nothing changes.
    pub fn reconcile_source(&self, batch: &SourceBatch) -> Result<ReconcileOutcome> {
        if batch.system.trim().is_empty() {
            return Err(Error::invalid("source system", "must not be empty"));
        }
        let groups = super::samples::group_samples(&batch.samples)?;
        self.write(|tx| {
            let mut out = ReconcileOutcome::default();
            let prov = |rid: &str| Provenance::MedicalRecord { system: batch.system.clone(), resource_id: rid.to_string() };
            let mut index: SourceIndex = self.setting_in(tx, &index_name(&batch.system))?.unwrap_or_default();
            let mut seen: BTreeSet<String> = BTreeSet::new();

            // Identity: one record, one person.
            if let Some((ident, rid)) = &batch.identity {
                seen.insert(rid.clone());
                let current = self.live_entries_in(tx, BuiltinSection::Identity.slug())?;
                match current.first() {
                    None => {
                        let e = self.upsert_in(tx, BuiltinSection::Identity.slug(), ident, prov(rid), &mut out)?;
                        index.resources.insert(rid.clone(), Some(e));
                        out.identity = Some("filled".into());
                    }
                    Some(cur) => {
                        if let Err(why) = same_person(&cur.value, ident) {
                            if !batch.force {
                                return Err(Error::Invalid {
                                    field: "medical record",
                                    reason: format!("it is about a different person: {why}. Nothing was imported. If it really is you, import again with --force"),
                                });
                            }
                            out.identity = Some("different person (forced; identity kept)".into());
                        } else if cur.provenance == prov(rid) {
                            let e = self.upsert_in(tx, BuiltinSection::Identity.slug(), ident, prov(rid), &mut out)?;
                            index.resources.insert(rid.clone(), Some(e));
                            out.identity = Some("matches".into());
                        } else {
                            index.resources.entry(rid.clone()).or_insert(None);
                            out.identity = Some("matches (your identity entry kept)".into());
                        }
                    }
                }
            }

            for item in &batch.items {
                let b = BuiltinSection::from_slug(&item.section);
                if b.is_some_and(BuiltinSection::is_singleton) {
                    // A singleton the owner already filled stays theirs.
                    let live = self.live_entries_in(tx, &item.section)?;
                    if let Some(other) = live.iter().find(|e| e.provenance != prov(&item.resource_id)) {
                        let _ = other;
                        seen.insert(item.resource_id.clone());
                        index.resources.entry(item.resource_id.clone()).or_insert(None);
                        out.unchanged += 1;
                        continue;
                    }
                }
                let e = self.upsert_in(tx, &item.section, &item.value, prov(&item.resource_id), &mut out)?;
                seen.insert(item.resource_id.clone());
                index.resources.insert(item.resource_id.clone(), Some(e));
            }

            for (rid, json) in &batch.raw {
                let name = Self::raw_name(&batch.system, rid);
                let changed = self.setting_in::<String>(tx, &name)?.as_deref() != Some(json.as_str());
                if changed {
                    self.set_setting_in(tx, &name, json)?;
                    out.raw_kept += 1;
                }
                index.raw.insert(rid.clone());
                index.resources.entry(rid.clone()).or_insert(None);
                seen.insert(rid.clone());
            }
            out.samples = self.ingest_groups(tx, groups)?;

            if batch.retire_missing {
                let gone: Vec<(String, Option<String>)> = index.resources.iter().filter(|(rid, _)| !seen.contains(*rid)).map(|(r, e)| (r.clone(), e.clone())).collect();
                for (rid, entry) in gone {
                    if let Some(id) = entry {
                        let live: bool = tx.query_row("SELECT deleted_at IS NULL FROM entries WHERE id = ?1", [&id], |r| r.get(0)).optional()?.unwrap_or(false);
                        let n = if live { self.delete_in(tx, &id)? } else { 0 };
                        out.retired += n as u64;
                    }
                    if index.raw.remove(&rid) {
                        self.delete_setting_in(tx, &Self::raw_name(&batch.system, &rid))?;
                        out.raw_dropped += 1;
                    }
                    index.resources.remove(&rid);
                }
            }
            out.links = self.link_user_entries(tx, &batch.system, &index)?;
            self.set_setting_in(tx, &index_name(&batch.system), &index)?;
            let mut systems: BTreeSet<String> = self.setting_in(tx, SYSTEMS)?.unwrap_or_default();
            if systems.insert(batch.system.clone()) {
                self.set_setting_in(tx, SYSTEMS, &systems)?;
            }
            Ok(out)
        })
    }

    /// Adds, updates or restores the entry for one source item; returns its id.
    fn upsert_in(
        &self,
        tx: &Connection,
        section: &str,
        value: &EntryValue,
        prov: Provenance,
        out: &mut ReconcileOutcome,
    ) -> Result<String> {
        match self.entry_id_by_source(tx, &prov)? {
            None => {
                let e = self.add_entry_in(tx, section, value.clone(), prov)?;
                out.added += 1;
                Ok(e.id)
            }
            Some(id) => {
                let e = self.load_entry(tx, &id)?;
                if e.deleted_at.is_some() {
                    self.undelete_in(tx, &id)?;
                    out.restored += 1;
                }
                if &e.value != value {
                    let (_, s) = self.section_row(tx, &e.section)?;
                    value.check_fits(&s)?;
                    self.replace_value_in(tx, &e, value)?;
                    if e.deleted_at.is_none() {
                        out.updated += 1;
                    }
                } else if e.deleted_at.is_none() {
                    out.unchanged += 1;
                }
                Ok(id)
            }
        }
    }

    /// Links the owner's own entries to matching source entries (medications, allergies,
    /// conditions, procedures). Agreeing ones are hidden behind the source entry;
    /// disagreeing ones stay visible with a note naming each difference.
    fn link_user_entries(
        &self,
        tx: &Connection,
        system: &str,
        index: &SourceIndex,
    ) -> Result<Vec<SourceLink>> {
        let mut links: Vec<SourceLink> = self.setting_in(tx, LINKS)?.unwrap_or_default();
        let mut new_links = Vec::new();
        let ids: BTreeSet<&String> = index.resources.values().flatten().collect();
        for section in [
            BuiltinSection::Medications,
            BuiltinSection::Allergies,
            BuiltinSection::Conditions,
            BuiltinSection::Procedures,
        ] {
            let live = self.live_entries_in(tx, section.slug())?;
            let (users, sources): (Vec<&Entry>, Vec<&Entry>) =
                live.iter().partition(|e| e.provenance == Provenance::User);
            let sources: Vec<&Entry> = sources.into_iter().filter(|e| ids.contains(&e.id)).collect();
            for u in users {
                let Some(s) = sources.iter().find(|s| matches(&u.value, &s.value)) else { continue };
                let c = conflicts(&u.value, &s.value);
                let link = SourceLink {
                    user_entry: u.id.clone(),
                    source_entry: s.id.clone(),
                    section: section.slug().into(),
                    system: system.into(),
                    conflicts: c.clone(),
                };
                let known = links.iter().position(|l| l.user_entry == u.id);
                if known.is_some_and(|i| links[i] == link) {
                    new_links.push(link);
                    continue;
                }
                if c.is_empty() {
                    self.annotate_in(tx, &u.id, "Matches an entry from your medical record; shown there instead (unhide this one to see both).".into())?;
                    self.rewrite_body(tx, u, true, &u.value)?;
                } else {
                    let diffs: Vec<String> = c
                        .iter()
                        .map(|f| {
                            format!(
                                "{}: you said {}, the medical record says {}",
                                f.field,
                                f.yours.clone().unwrap_or_default(),
                                f.source.clone().unwrap_or_default()
                            )
                        })
                        .collect();
                    self.annotate_in(
                        tx,
                        &u.id,
                        format!(
                            "Differs from your medical record ({}). Please check with your GP or pharmacist.",
                            diffs.join("; ")
                        ),
                    )?;
                    if u.hidden {
                        self.rewrite_body(tx, u, false, &u.value)?;
                    }
                }
                match known {
                    Some(i) => links[i] = link.clone(),
                    None => links.push(link.clone()),
                }
                new_links.push(link);
            }
        }
        self.set_setting_in(tx, LINKS, &links)?;
        Ok(new_links)
    }

    /// Links between the owner's entries and medical-record entries, with any conflicts.
    pub fn source_links(&self) -> Result<Vec<SourceLink>> {
        Ok(self.setting(LINKS)?.unwrap_or_default())
    }

    /// The source systems this record has taken data from.
    pub fn source_systems(&self) -> Result<Vec<String>> {
        Ok(self.setting::<BTreeSet<String>>(SYSTEMS)?.unwrap_or_default().into_iter().collect())
    }

    /// Resources a source gave that are kept verbatim: (`Type/id`, JSON).
    pub fn source_raw_resources(&self, system: &str) -> Result<Vec<(String, String)>> {
        self.read(|c| {
            let index: SourceIndex = self.setting_in(c, &index_name(system))?.unwrap_or_default();
            let mut out = Vec::new();
            for rid in index.raw {
                if let Some(j) = self.setting_in::<String>(c, &Self::raw_name(system, &rid))? {
                    out.push((rid, j));
                }
            }
            Ok(out)
        })
    }

    /// How many resources of a source the record tracks (entries or raw).
    pub fn source_resource_count(&self, system: &str) -> Result<usize> {
        Ok(self
            .read(|c| self.setting_in::<SourceIndex>(c, &index_name(system)))?
            .map(|i| i.resources.len())
            .unwrap_or(0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::NhsNumber;

    fn ident(n: Option<&str>, family: &str) -> EntryValue {
        EntryValue::Identity {
            given_name: "Richard".into(),
            family_name: family.into(),
            date_of_birth: chrono::NaiveDate::from_ymd_opt(1960, 1, 1),
            nhs_number: n.map(|n| NhsNumber::parse(n).unwrap()),
            address: None,
            gp_practice: None,
        }
    }

    #[test]
    fn person_matching() {
        assert!(same_person(&ident(Some("9434765919"), "Smith"), &ident(Some("9434765919"), "SMITH")).is_ok());
        assert!(
            same_person(&ident(Some("9434765919"), "Smith"), &ident(Some("4010232137"), "Smith")).is_err()
        );
        assert!(same_person(&ident(None, "Smith"), &ident(None, "Jones")).is_err());
        assert!(same_person(&ident(None, "Smith"), &ident(Some("4010232137"), "smith")).is_ok());
    }
}
