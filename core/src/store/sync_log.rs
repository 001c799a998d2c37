//! The record's side of sync (ADR 0012): every local change becomes a sealed [`Op`] in
//! `sync_ops` inside the same transaction as the change, and ops from other devices are
//! merged by the rules below. Applying a set of ops in any order, any number of times,
//! gives the same record.
//!
//! Merge rules
//! - Entries, annotations and custom sections come into being once (union by id).
//! - Value, hidden, deleted, section switches, settings and grants are last-writer-wins
//!   registers ordered by (HLC, device). A value that loses goes to the entry's history,
//!   so nothing typed on any device is lost.
//! - A tombstone counts while it is newer than the latest value: a delete wins over older
//!   edits and loses to newer ones.
//! - Medical-record entries change only through their source (`by_source`).
//! - Purge is final: the entry is erased and later ops about it are ignored.
//! - Samples and activities are unions by their dedup identity.
//! - An op about an entry (or custom section) not yet known is parked and applied when it
//!   arrives.
//!
//! Nothing is recorded until sync is switched on ([`Record::enable_sync`]); switching it
//! on writes the existing record as ops once ("genesis").

use super::entries::NewEntry;
use super::sync_conflicts::SyncConflict;
use super::{ad, now_ms, Record};
use crate::record::{Sample, Section, SectionClass};
use crate::{Error, Result};
use phr_model::change::{is_device_local_setting, Change, Op};
use phr_model::grant::Grant;
use phr_model::hlc::{Hlc, Stamp};
use rusqlite::{Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use std::sync::atomic::Ordering;

/// Samples per op: large imports become several ops of bounded size.
const SAMPLES_PER_OP: usize = 5_000;
/// The device-local setting naming this device once sync is on.
const DEVICE_SETTING: &str = "sync.device";

/// The device's clock, loaded on first use inside a write.
#[derive(Debug, Default)]
pub(crate) struct SyncClock {
    loaded: bool,
    device: Option<String>,
    last: Hlc,
}

/// What applying a page of remote ops did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplyReport {
    pub applied: u64,
    /// Edits made on two devices without seeing each other, on entries the owner can
    /// see: which value won and which went to the history (also kept as notes).
    #[serde(default)]
    pub conflicts: Vec<SyncConflict>,
    /// Already known (idempotence).
    pub duplicates: u64,
    /// Waiting for the entry or section they are about.
    pub parked: u64,
    /// Refused by a merge rule (an owner edit of a medical-record entry).
    pub refused: u64,
}

enum Outcome {
    Applied,
    Parked,
    Refused,
}

fn encode_op(op: &Op) -> Result<Vec<u8>> {
    let json = serde_json::to_vec(op).map_err(|_| Error::Crypto("op encoding failed"))?;
    Ok(miniz_oxide::deflate::compress_to_vec(&json, 1))
}

pub(crate) fn decode_op(bytes: &[u8]) -> Result<Op> {
    let json = miniz_oxide::inflate::decompress_to_vec_with_limit(bytes, 256 << 20)
        .map_err(|_| Error::Corrupt("a sync op does not inflate"))?;
    serde_json::from_slice(&json).map_err(|_| Error::Corrupt("a sync op could not be read"))
}

/// Deflated JSON of an op: what the relay envelope seals (see `sync::envelope`).
pub(crate) fn op_bytes(op: &Op) -> Result<Vec<u8>> {
    encode_op(op)
}

fn entity_of(change: &Change) -> Option<String> {
    match change {
        Change::SectionEnabled { section, .. } | Change::SectionPrivacy { section, .. } => {
            Some(format!("section|{section}"))
        }
        Change::EntryAdded { .. } => None,
        c => c.entry_id().map(|id| format!("entry|{id}")),
    }
}

fn flag_of(change: &Change) -> Option<bool> {
    match change {
        Change::EntryHidden { hidden, .. } => Some(*hidden),
        Change::EntryDeleted { deleted, .. } => Some(*deleted),
        Change::SectionEnabled { enabled, .. } => Some(*enabled),
        _ => None,
    }
}

impl Record {
    fn entity_lookup(&self, entity: &str) -> Vec<u8> {
        self.lookup.tag("sync-entity", entity)
    }

    /// This device's id when sync is on.
    pub fn sync_device(&self) -> Result<Option<String>> {
        self.setting(DEVICE_SETTING)
    }

    /// Records a local change as an op, if sync is on and this is not a remote op being
    /// applied. Returns the op's clock. Runs inside the caller's write transaction.
    pub(super) fn sync_emit(&self, tx: &Connection, change: Change) -> Result<Option<Hlc>> {
        if self.applying_remote.load(Ordering::Relaxed) {
            return Ok(None);
        }
        if let Change::Setting { name, .. } = &change {
            if is_device_local_setting(name) {
                return Ok(None);
            }
        }
        let mut clock = self.sync_clock.lock().unwrap_or_else(|p| p.into_inner());
        if !clock.loaded {
            clock.device = self.setting_in(tx, DEVICE_SETTING)?;
            clock.last =
                Hlc::from_i64(tx.query_row("SELECT COALESCE(MAX(hlc), 0) FROM sync_ops", [], |r| r.get(0))?);
            clock.loaded = true;
        }
        let Some(device) = clock.device.clone() else { return Ok(None) };
        let hlc = Hlc::tick(clock.last, now_ms());
        clock.last = hlc;
        drop(clock);
        let mut change = change;
        if let Change::EntryValue { id, seen, .. } = &mut change {
            *seen = self.register(tx, &format!("entry|{id}|value"))?.map(|(s, _)| s);
        }
        let op = Op { hlc, device, change };
        let stamp = op.stamp();
        if let Some(register) = op.change.register() {
            self.lww(tx, &register, &stamp, flag_of(&op.change))?;
        }
        if let Change::EntryAdded { id, .. } = &op.change {
            self.lww(tx, &format!("entry|{id}|value"), &stamp, None)?;
        }
        self.store_op(tx, &op, true, false, true)?;
        Ok(Some(hlc))
    }

    /// Samples as ops of bounded size.
    pub(super) fn sync_emit_samples(&self, tx: &Connection, samples: &[Sample]) -> Result<()> {
        for part in samples.chunks(SAMPLES_PER_OP) {
            if self.sync_emit(tx, Change::Samples { samples: part.to_vec() })?.is_none() {
                return Ok(());
            }
        }
        Ok(())
    }

    fn store_op(&self, tx: &Connection, op: &Op, local: bool, pushed: bool, applied: bool) -> Result<bool> {
        let id = op.id();
        let entity = entity_of(&op.change).map(|e| self.entity_lookup(&e));
        let body = self.cipher.seal(&encode_op(op)?, &ad("sync_ops", "body", &id))?;
        let n = tx.execute(
            "INSERT OR IGNORE INTO sync_ops(op_id, hlc, entity, body, local, pushed, applied) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            rusqlite::params![id, op.hlc.to_i64(), entity, body, local, pushed, applied],
        )?;
        Ok(n == 1)
    }

    fn open_op(&self, id: &str, body: &[u8]) -> Result<Op> {
        decode_op(&self.cipher.open(body, &ad("sync_ops", "body", id))?)
    }

    /// Sets a register to `stamp` if that is newer than what it holds; true if it won.
    fn lww(&self, tx: &Connection, register: &str, stamp: &Stamp, flag: Option<bool>) -> Result<bool> {
        let key = self.lookup.tag("sync-register", register);
        let current: Option<(i64, String)> = tx
            .query_row("SELECT hlc, device FROM sync_registers WHERE lookup = ?1", [&key], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()?;
        if let Some((hlc, device)) = current {
            if (Stamp { hlc: Hlc::from_i64(hlc), device }) >= *stamp {
                return Ok(false);
            }
        }
        tx.execute(
            "INSERT OR REPLACE INTO sync_registers(lookup, hlc, device, flag) VALUES (?1, ?2, ?3, ?4)",
            rusqlite::params![key, stamp.hlc.to_i64(), stamp.device, flag],
        )?;
        Ok(true)
    }

    fn register(&self, tx: &Connection, register: &str) -> Result<Option<(Stamp, Option<bool>)>> {
        let key = self.lookup.tag("sync-register", register);
        Ok(tx
            .query_row("SELECT hlc, device, flag FROM sync_registers WHERE lookup = ?1", [&key], |r| {
                Ok((Stamp { hlc: Hlc::from_i64(r.get(0)?), device: r.get(1)? }, r.get::<_, Option<bool>>(2)?))
            })
            .optional()?)
    }

    fn is_purged(&self, tx: &Connection, entry: &str) -> Result<bool> {
        Ok(tx.query_row(
            "SELECT EXISTS(SELECT 1 FROM sync_purged WHERE lookup = ?1)",
            [self.entity_lookup(&format!("entry|{entry}"))],
            |r| r.get(0),
        )?)
    }

    /// Remembers a purged entry (local or remote purge) so later ops about it are ignored;
    /// ops that were waiting for it will never apply.
    pub(super) fn remember_purge(&self, tx: &Connection, id: &str) -> Result<()> {
        let key = self.entity_lookup(&format!("entry|{id}"));
        tx.execute("INSERT OR IGNORE INTO sync_purged(lookup) VALUES (?1)", [&key])?;
        tx.execute("UPDATE sync_ops SET applied = 1 WHERE entity = ?1 AND applied = 0", [&key])?;
        Ok(())
    }

    /// A tombstone counts while it is newer than the latest value.
    fn settle_deleted(&self, tx: &Connection, id: &str) -> Result<()> {
        let deleted = self.register(tx, &format!("entry|{id}|deleted"))?;
        let value = self.register(tx, &format!("entry|{id}|value"))?.map(|(s, _)| s);
        let at = match deleted {
            Some((stamp, Some(true))) if value.as_ref().is_none_or(|v| stamp > *v) => Some(stamp.hlc.ms()),
            _ => None,
        };
        self.set_deleted_at(tx, id, at, false)?;
        Ok(())
    }

    /// Applies remote ops in one transaction, then `after` (which saves the cursor) in the
    /// same transaction, so a crash never leaves ops applied without the cursor moved or
    /// the other way round.
    pub(crate) fn apply_remote(
        &self,
        ops: Vec<Op>,
        after: impl FnOnce(&Connection) -> Result<()>,
    ) -> Result<ApplyReport> {
        self.apply_remote_noting(ops, true, after)
    }

    /// As [`Self::apply_remote`]; `note_conflicts` false for a snapshot, whose concurrent
    /// edits were settled (and told) on the devices that made them.
    pub(crate) fn apply_remote_noting(
        &self,
        mut ops: Vec<Op>,
        note_conflicts: bool,
        after: impl FnOnce(&Connection) -> Result<()>,
    ) -> Result<ApplyReport> {
        // Causal order within the page: an edit's clock is past its entry's creation.
        ops.sort_by_key(|a| a.stamp());
        self.write(|tx| {
            self.applying_remote.store(true, Ordering::Relaxed);
            let result = (|| {
                let mut report = ApplyReport::default();
                for op in &ops {
                    self.observe_clock(op.hlc);
                    let id = op.id();
                    let known: bool =
                        tx.query_row("SELECT EXISTS(SELECT 1 FROM sync_ops WHERE op_id = ?1)", [&id], |r| {
                            r.get(0)
                        })?;
                    if known {
                        report.duplicates += 1;
                        continue;
                    }
                    match self.apply_op(tx, op, &mut report.conflicts)? {
                        Outcome::Applied => {
                            self.store_op(tx, op, false, true, true)?;
                            report.applied += 1;
                            self.unpark(tx, op, &mut report)?;
                        }
                        Outcome::Refused => {
                            self.store_op(tx, op, false, true, true)?;
                            report.refused += 1;
                        }
                        Outcome::Parked => {
                            self.store_op(tx, op, false, true, false)?;
                            report.parked += 1;
                        }
                    }
                }
                if note_conflicts {
                    self.note_conflicts_in(tx, &report.conflicts)?;
                } else {
                    report.conflicts.clear();
                }
                after(tx)?;
                Ok(report)
            })();
            self.applying_remote.store(false, Ordering::Relaxed);
            result
        })
    }

    fn observe_clock(&self, seen: Hlc) {
        let mut clock = self.sync_clock.lock().unwrap_or_else(|p| p.into_inner());
        clock.last = Hlc::observe(clock.last, seen);
    }

    /// Applies ops that were waiting for what `op` just brought into being.
    fn unpark(&self, tx: &Connection, op: &Op, report: &mut ApplyReport) -> Result<()> {
        let entity = match &op.change {
            Change::EntryAdded { id, .. } => format!("entry|{id}"),
            Change::SectionCreated { section } => format!("section|{}", section.id),
            _ => return Ok(()),
        };
        let rows: Vec<(String, Vec<u8>)> = {
            let mut stmt = tx.prepare_cached(
                "SELECT op_id, body FROM sync_ops WHERE entity = ?1 AND applied = 0 ORDER BY hlc, op_id",
            )?;
            let rows = stmt
                .query_map([self.entity_lookup(&entity)], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<std::result::Result<Vec<_>, _>>()?;
            rows
        };
        for (id, body) in rows {
            let parked = self.open_op(&id, &body)?;
            match self.apply_op(tx, &parked, &mut report.conflicts)? {
                Outcome::Parked => continue,
                Outcome::Applied => report.applied += 1,
                Outcome::Refused => report.refused += 1,
            }
            report.parked = report.parked.saturating_sub(1);
            tx.execute("UPDATE sync_ops SET applied = 1 WHERE op_id = ?1", [&id])?;
        }
        Ok(())
    }

    /// The `seen` of the value op that set an entry's value register to `stamp`.
    fn seen_by(&self, tx: &Connection, entry: &str, stamp: &Stamp) -> Result<Option<Stamp>> {
        let rows: Vec<(String, Vec<u8>)> = {
            let mut stmt =
                tx.prepare_cached("SELECT op_id, body FROM sync_ops WHERE entity = ?1 AND hlc = ?2")?;
            let rows = stmt
                .query_map(
                    rusqlite::params![self.entity_lookup(&format!("entry|{entry}")), stamp.hlc.to_i64()],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )?
                .collect::<std::result::Result<Vec<_>, _>>()?;
            rows
        };
        for (id, body) in rows {
            let op = self.open_op(&id, &body)?;
            if op.device == stamp.device {
                if let Change::EntryValue { seen, .. } = op.change {
                    return Ok(seen);
                }
            }
        }
        Ok(None)
    }

    fn apply_op(&self, tx: &Connection, op: &Op, conflicts: &mut Vec<SyncConflict>) -> Result<Outcome> {
        let stamp = op.stamp();
        if let Some(entry) = op.change.entry_id() {
            if self.is_purged(tx, entry)? {
                return Ok(Outcome::Applied);
            }
            let creates = matches!(op.change, Change::EntryAdded { .. });
            if !creates
                && !matches!(op.change, Change::EntryPurged { .. })
                && !self.entry_exists(tx, entry)?
            {
                return Ok(Outcome::Parked);
            }
        }
        match &op.change {
            Change::EntryAdded { id, section, value, provenance, created_ms } => {
                if self.entry_exists(tx, id)? {
                    return Ok(Outcome::Applied);
                }
                let section_row = match self.section_row(tx, section) {
                    Ok((row, _)) => row,
                    Err(Error::NotFound { .. }) => return Ok(Outcome::Parked),
                    Err(e) => return Err(e),
                };
                // Two devices that imported the same item made the same id (see
                // `entry_id_for`); an older record's random id keeps its entry, unlinked.
                let mut source = self.source_lookup(provenance);
                if let Some(src) = &source {
                    if self.source_taken(tx, src)? {
                        source = None;
                    }
                }
                let new = NewEntry {
                    id,
                    section_row: &section_row,
                    section,
                    created_ms: *created_ms,
                    updated_ms: op.hlc.ms(),
                };
                self.insert_entry_in(tx, new, value.clone(), provenance.clone(), source)?;
                // Parked value ops for this entry apply after this and win by clock.
                self.lww(tx, &format!("entry|{id}|value"), &stamp, None)?;
                self.settle_deleted(tx, id)?;
            }
            Change::EntryValue { id, value, by_source, seen } => {
                let e = self.load_entry(tx, id)?;
                if e.provenance.is_medical_record() && !by_source {
                    return Ok(Outcome::Refused);
                }
                let current = self.register(tx, &format!("entry|{id}|value"))?.map(|(s, _)| s);
                // A conflict: two devices' edits that did not see each other, with different
                // values, on an entry the owner can see. Ops without `seen` tell nothing.
                let visible = !e.hidden && e.deleted_at.is_none() && e.value != *value;
                let other = current.as_ref().filter(|c| visible && c.device != stamp.device);
                if self.lww(tx, &format!("entry|{id}|value"), &stamp, None)? {
                    self.replace_value_at(tx, &e, value, op.hlc.ms())?;
                    // The writer had not seen the value it replaces here.
                    if let (Some(cur), Some(seen)) = (other, seen.as_ref()) {
                        if seen < cur {
                            conflicts.push(SyncConflict::new(&e, value, op.hlc.ms(), &e.value, cur.hlc.ms()));
                        }
                    }
                } else {
                    // Superseded before it arrived: history, not lost. Always, even when equal
                    // to the current value, so the history is the same whatever the order.
                    self.push_revision(tx, id, value, op.hlc.ms())?;
                    // The value that wins here was written without seeing this one.
                    if let Some(cur) = other {
                        if self.seen_by(tx, id, cur)?.is_some_and(|s| s < stamp) {
                            conflicts.push(SyncConflict::new(&e, &e.value, cur.hlc.ms(), value, op.hlc.ms()));
                        }
                    }
                }
                self.settle_deleted(tx, id)?;
            }
            Change::EntryHidden { id, hidden } => {
                if self.lww(tx, &format!("entry|{id}|hidden"), &stamp, Some(*hidden))? {
                    let e = self.load_entry(tx, id)?;
                    self.write_body_in(tx, &e, &e.value, *hidden, None)?;
                }
            }
            Change::EntryDeleted { id, deleted } => {
                self.lww(tx, &format!("entry|{id}|deleted"), &stamp, Some(*deleted))?;
                self.settle_deleted(tx, id)?;
            }
            Change::EntryPurged { id } => {
                self.erase_entry_in(tx, id)?;
            }
            Change::Annotated { entry, id, at_ms, kind, text } => {
                if !self.annotation_exists(tx, id)? {
                    self.insert_annotation(tx, entry, id, *at_ms, kind.clone(), text.clone())?;
                }
            }
            Change::SectionCreated { section } => {
                if section.class == SectionClass::Custom && self.section_row(tx, &section.id).is_err() {
                    super::sections::insert(tx, &self.cipher, &self.lookup, section)?;
                }
            }
            Change::SectionEnabled { section, enabled } => {
                let Ok((row, mut s)) = self.section_row(tx, section) else { return Ok(Outcome::Parked) };
                if self.lww(tx, &format!("section|{section}|enabled"), &stamp, Some(*enabled))? {
                    s.enabled = *enabled || s.class == SectionClass::Core;
                    self.write_section(tx, &row, &s)?;
                }
            }
            Change::SectionPrivacy { section, privacy } => {
                let Ok((row, mut s)) = self.section_row(tx, section) else { return Ok(Outcome::Parked) };
                if self.lww(tx, &format!("section|{section}|privacy"), &stamp, None)? {
                    s.privacy = *privacy;
                    self.write_section(tx, &row, &s)?;
                }
            }
            Change::Setting { name, json } => {
                if !is_device_local_setting(name) && self.lww(tx, &format!("setting|{name}"), &stamp, None)? {
                    self.set_setting_in(tx, name, json)?;
                }
            }
            Change::Grant { id, json } => {
                let g: Grant = serde_json::from_value(json.clone())
                    .map_err(|_| Error::Corrupt("a synced grant could not be read"))?;
                if g.id != *id {
                    return Ok(Outcome::Refused);
                }
                if self.lww(tx, &format!("grant|{id}"), &stamp, None)? {
                    self.put_grant_in(tx, &g)?;
                }
            }
            Change::Samples { samples } => {
                let groups = super::samples::group_samples(samples)?;
                self.ingest_groups(tx, groups)?;
            }
            Change::Activity { activity } => {
                activity.validate()?;
                self.upsert_activity(tx, activity)?;
            }
        }
        Ok(Outcome::Applied)
    }

    /// Switches sync on for this record as device `device`. With `genesis`, the record as
    /// it stands is written as ops (the first device of an account); a device joining an
    /// account starts empty and takes everything from the others.
    pub fn enable_sync(&self, device: &str, genesis: bool) -> Result<u64> {
        if device.is_empty() || device.len() > 64 || !device.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(Error::invalid("device id", "must be 1 to 64 letters or digits"));
        }
        let sections = self.sections()?;
        let grants = self.grants()?;
        let summaries = self.sample_summary()?;
        let activities = self.activities(i64::MIN / 2, i64::MAX / 2)?;
        let ids = self.read(|c| self.entry_ids_in(c))?;
        self.write(|tx| {
            self.set_setting_in(tx, DEVICE_SETTING, &device)?;
            {
                let mut clock = self.sync_clock.lock().unwrap_or_else(|p| p.into_inner());
                clock.loaded = false;
            }
            if !genesis {
                return Ok(0);
            }
            let mut n = 0u64;
            let mut emit = |c: Change| -> Result<()> {
                self.sync_emit(tx, c)?;
                n += 1;
                Ok(())
            };
            for s in &sections {
                if s.class == SectionClass::Custom {
                    emit(Change::SectionCreated { section: s.clone() })?;
                }
                emit(Change::SectionEnabled { section: s.id.clone(), enabled: s.enabled })?;
                emit(Change::SectionPrivacy { section: s.id.clone(), privacy: s.privacy })?;
            }
            for id in &ids {
                let e = self.load_entry(tx, id)?;
                // The oldest value first, then each later one: other devices rebuild the
                // same history.
                let mut values: Vec<_> = e.history.iter().map(|r| r.value.clone()).collect();
                values.push(e.value.clone());
                let first = values.remove(0);
                emit(Change::EntryAdded {
                    id: e.id.clone(),
                    section: e.section.clone(),
                    value: first,
                    provenance: e.provenance.clone(),
                    created_ms: e.created_at.timestamp_millis(),
                })?;
                for v in values {
                    emit(Change::EntryValue {
                        id: e.id.clone(),
                        value: v,
                        by_source: e.provenance.is_medical_record(),
                        seen: None,
                    })?;
                }
                if e.hidden {
                    emit(Change::EntryHidden { id: e.id.clone(), hidden: true })?;
                }
                for a in &e.annotations {
                    emit(Change::Annotated {
                        entry: e.id.clone(),
                        id: a.id.clone(),
                        at_ms: a.at.timestamp_millis(),
                        kind: a.kind.clone(),
                        text: a.text.clone(),
                    })?;
                }
                if e.deleted_at.is_some() {
                    emit(Change::EntryDeleted { id: e.id.clone(), deleted: true })?;
                }
            }
            for (name, json) in self.synced_settings_in(tx)? {
                emit(Change::Setting { name, json })?;
            }
            for g in &grants {
                emit(Change::Grant {
                    id: g.id.clone(),
                    json: serde_json::to_value(g).map_err(|_| Error::Crypto("grant encoding failed"))?,
                })?;
            }
            for s in &summaries {
                let all = self.samples_on(tx, s.kind, i64::MIN / 2, i64::MAX / 2)?;
                n += all.len().div_ceil(SAMPLES_PER_OP) as u64;
                self.sync_emit_samples(tx, &all)?;
            }
            for a in &activities {
                let full = self.activity_on(tx, &a.id)?;
                self.sync_emit(tx, Change::Activity { activity: Box::new(full) })?;
                n += 1;
            }
            Ok(n)
        })
    }

    /// Writes a device-local setting (sync state) inside an `apply_remote` transaction.
    pub(crate) fn set_device_setting_in<T: Serialize>(
        &self,
        tx: &Connection,
        name: &str,
        value: &T,
    ) -> Result<()> {
        if !is_device_local_setting(name) {
            return Err(Error::invalid("setting", "is not device-local"));
        }
        self.set_setting_in(tx, name, value)
    }

    /// Local ops the relay does not have yet, oldest first.
    pub(crate) fn ops_to_push(&self, limit: usize) -> Result<Vec<Op>> {
        self.read(|c| {
            let mut stmt =
                c.prepare_cached("SELECT op_id, body FROM sync_ops WHERE pushed = 0 ORDER BY hlc LIMIT ?1")?;
            let rows =
                stmt.query_map([limit as i64], |r| Ok((r.get::<_, String>(0)?, r.get::<_, Vec<u8>>(1)?)))?;
            let mut out = Vec::new();
            for row in rows {
                let (id, body) = row?;
                out.push(self.open_op(&id, &body)?);
            }
            Ok(out)
        })
    }

    pub(crate) fn mark_pushed(&self, ids: &[String]) -> Result<()> {
        self.write(|tx| {
            let mut stmt = tx.prepare_cached("UPDATE sync_ops SET pushed = 1 WHERE op_id = ?1")?;
            for id in ids {
                stmt.execute([id])?;
            }
            Ok(())
        })
    }

    /// Every op that still says something: for each last-writer-wins register only its
    /// winner (values keep every op: they are the history); nothing about purged entries
    /// but the purge. What a compaction snapshot holds.
    pub(crate) fn compacted_ops(&self) -> Result<Vec<Op>> {
        self.read(|c| {
            let mut stmt = c.prepare("SELECT op_id, body FROM sync_ops ORDER BY hlc, op_id")?;
            let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, Vec<u8>>(1)?)))?;
            let mut out = Vec::new();
            for row in rows {
                let (id, body) = row?;
                let op = self.open_op(&id, &body)?;
                if let Some(entry) = op.change.entry_id() {
                    if self.is_purged(c, entry)? && !matches!(op.change, Change::EntryPurged { .. }) {
                        continue;
                    }
                }
                if let Some(register) = op.change.register() {
                    if !matches!(op.change, Change::EntryValue { .. })
                        && self.register(c, &register)?.is_some_and(|(s, _)| s != op.stamp())
                    {
                        continue;
                    }
                }
                out.push(op);
            }
            Ok(out)
        })
    }

    /// How many ops this device holds, and how many wait to be pushed or for their entry.
    pub fn sync_counts(&self) -> Result<(u64, u64, u64)> {
        self.read(|c| {
            Ok(c.query_row(
                "SELECT COUNT(*), COALESCE(SUM(pushed = 0), 0), COALESCE(SUM(applied = 0), 0) FROM sync_ops",
                [],
                |r| Ok((r.get::<_, i64>(0)? as u64, r.get::<_, i64>(1)? as u64, r.get::<_, i64>(2)? as u64)),
            )?)
        })
    }

    // Small helpers over other modules' tables.

    fn synced_settings_in(&self, tx: &Connection) -> Result<Vec<(String, serde_json::Value)>> {
        // Setting names are only stored as keyed hashes, so look for the known synced ones.
        let mut out = Vec::new();
        for name in [super::insights_input::INSIGHT_SETTINGS, super::insights_input::GOALS_SETTING] {
            if let Some(v) = self.setting_in::<serde_json::Value>(tx, name)? {
                out.push((name.to_string(), v));
            }
        }
        Ok(out)
    }

    pub(super) fn section_changes(&self, before: &Section, after: &Section) -> Vec<Change> {
        let mut out = Vec::new();
        if before.enabled != after.enabled {
            out.push(Change::SectionEnabled { section: after.id.clone(), enabled: after.enabled });
        }
        if before.privacy != after.privacy {
            out.push(Change::SectionPrivacy { section: after.id.clone(), privacy: after.privacy });
        }
        out
    }
}

/// Entries that came from a source item get an id derived from it, so two devices that
/// import the same item make the same entry (the lookup key is the record's, shared by
/// its devices). Entries the owner types get a random id.
pub(super) fn entry_id_for(lookup: Option<&[u8]>) -> String {
    match lookup {
        Some(l) if l.len() >= 16 => {
            let mut b = [0u8; 16];
            b.copy_from_slice(&l[..16]);
            uuid::Builder::from_random_bytes(b).into_uuid().to_string()
        }
        _ => uuid::Uuid::new_v4().to_string(),
    }
}

impl Record {
    /// Everything sync promises to make equal on every device, in a canonical order: sections
    /// and their switches, entries with value, provenance, hidden, deleted, annotations and
    /// the set of earlier values, synced settings, grants and samples. Two devices that have
    /// seen the same ops return equal values (tests and `phr sync --check` compare them).
    pub fn sync_state_digest(&self) -> Result<serde_json::Value> {
        use serde_json::json;
        let mut sections = Vec::new();
        let mut entries = Vec::new();
        for s in self.sections()? {
            sections.push(json!([s.id, s.title, s.enabled, s.privacy]));
            for e in
                self.list_entries(&s.id, super::ListOptions { include_deleted: true, include_hidden: true })?
            {
                let mut notes: Vec<_> = e
                    .annotations
                    .iter()
                    .map(|a| json!([a.id, a.at.timestamp_millis(), a.kind, a.text]))
                    .collect();
                notes.sort_by_key(|v| v.to_string());
                let mut history: Vec<String> =
                    e.history.iter().map(|r| serde_json::to_string(&r.value).unwrap_or_default()).collect();
                history.sort();
                entries.push(json!({"id": e.id, "section": e.section, "value": e.value, "provenance": e.provenance, "hidden": e.hidden,
                    "deleted": e.deleted_at.map(|d| d.timestamp_millis()), "created": e.created_at.timestamp_millis(), "annotations": notes, "history": history}));
            }
        }
        entries.sort_by_key(|v| v["id"].to_string());
        let settings = self.read(|c| self.synced_settings_in(c))?;
        let mut grants: Vec<_> =
            self.grants()?.into_iter().map(|g| serde_json::to_value(g).unwrap_or_default()).collect();
        grants.sort_by_key(|v| v["id"].to_string());
        let mut samples = Vec::new();
        for s in self.sample_summary()? {
            for x in self.samples(s.kind, i64::MIN / 2, i64::MAX / 2)? {
                samples.push(json!([x.kind, x.start_ms, x.end_ms, x.value, x.source]));
            }
        }
        samples.sort_by_key(|v| v.to_string());
        Ok(
            json!({"sections": sections, "entries": entries, "settings": settings, "grants": grants, "samples": samples}),
        )
    }

    /// The ids of every op this device holds (ids carry no record value).
    pub fn sync_op_ids(&self) -> Result<std::collections::BTreeSet<String>> {
        self.read(|c| {
            let mut stmt = c.prepare("SELECT op_id FROM sync_ops")?;
            let ids = stmt.query_map([], |r| r.get(0))?.collect::<std::result::Result<_, _>>()?;
            Ok(ids)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::RawKeyStore;
    use crate::record::{AnnotationKind, ConditionStatus, EntryValue, PrivacyLevel, Provenance, SampleKind};
    use proptest::prelude::*;

    fn condition(name: &str) -> EntryValue {
        EntryValue::Condition {
            name: name.into(),
            code: None,
            onset: None,
            status: ConditionStatus::Active,
            notes: None,
        }
    }

    /// Devices of one record: the same data key and id, their own files and device ids.
    struct Devices {
        _dir: tempfile::TempDir,
        all: Vec<Record>,
    }

    fn devices(n: usize) -> Devices {
        let dir = tempfile::tempdir().unwrap();
        let ks = RawKeyStore::new([7u8; 32]);
        let first = Record::create(&dir.path().join("d0.phr"), &ks).unwrap();
        let key = crate::crypto::DataKey::from_secret(&crate::crypto::SecretBytes::new(
            first.data_key_bytes().to_vec(),
        ))
        .unwrap();
        first.enable_sync("dev0", true).unwrap();
        let mut all = vec![first];
        for i in 1..n {
            let r =
                Record::create_with_key(&dir.path().join(format!("d{i}.phr")), &ks, key.clone(), all[0].id())
                    .unwrap();
            r.enable_sync(&format!("dev{i}"), false).unwrap();
            all.push(r);
        }
        Devices { _dir: dir, all }
    }

    /// Every op a device holds (what a relay would hand out).
    fn all_ops(r: &Record) -> Vec<Op> {
        r.read(|c| {
            let mut stmt = c.prepare("SELECT op_id, body FROM sync_ops ORDER BY hlc")?;
            let rows: Vec<(String, Vec<u8>)> =
                stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<std::result::Result<_, _>>()?;
            rows.iter().map(|(id, b)| r.open_op(id, b)).collect()
        })
        .unwrap()
    }

    fn exchange(from: &Record, to: &Record) {
        to.apply_remote(all_ops(from), |_| Ok(())).unwrap();
    }

    #[test]
    fn only_edits_made_without_seeing_each_other_are_noted_as_conflicts() {
        let d = devices(3);
        let (a, b, c) = (&d.all[0], &d.all[1], &d.all[2]);
        let e = a.add_entry("conditions", condition("asthma"), Provenance::User).unwrap();
        let hidden = a.add_entry("conditions", condition("eczema"), Provenance::User).unwrap();
        a.set_hidden(&hidden.id, true).unwrap();
        exchange(a, b);
        exchange(a, c);
        // Sequential: b edits after seeing a's value; a hears of it without a conflict.
        b.edit_entry(&e.id, condition("asthma (mild)")).unwrap();
        assert!(a.apply_remote(all_ops(b), |_| Ok(())).unwrap().conflicts.is_empty());
        exchange(a, c);
        // Concurrent: a and c edit without seeing each other (and the hidden entry too).
        a.edit_entry(&e.id, condition("asthma (severe)")).unwrap();
        a.edit_entry(&hidden.id, condition("eczema (hands)")).unwrap();
        c.edit_entry(&e.id, condition("asthma (childhood)")).unwrap();
        c.edit_entry(&hidden.id, condition("eczema (feet)")).unwrap();
        // Whichever side receives, in any order, notes the one visible conflict.
        let on_c = c.apply_remote(all_ops(a), |_| Ok(())).unwrap().conflicts;
        let on_a = a.apply_remote(all_ops(c), |_| Ok(())).unwrap().conflicts;
        for notes in [&on_a, &on_c] {
            assert_eq!(notes.len(), 1, "{notes:?}");
            assert_eq!(notes[0].entry_id, e.id);
            assert_eq!(notes[0].kept, "asthma (childhood) (active)");
            assert_eq!(notes[0].replaced, "asthma (severe) (active)");
        }
        assert_eq!(
            a.sync_conflict(&e.id).unwrap().map(|n| n.kept),
            Some("asthma (childhood) (active)".into())
        );
        assert!(a.sync_conflict(&hidden.id).unwrap().is_none());
        // Applying the same ops again notes nothing new.
        assert!(a.apply_remote(all_ops(c), |_| Ok(())).unwrap().conflicts.is_empty());
    }

    #[test]
    fn concurrent_edits_converge_and_keep_every_value() {
        let d = devices(2);
        let (a, b) = (&d.all[0], &d.all[1]);
        let e = a.add_entry("conditions", condition("asthma"), Provenance::User).unwrap();
        exchange(a, b);
        assert_eq!(b.entry(&e.id).unwrap().value, condition("asthma"));
        a.edit_entry(&e.id, condition("asthma (mild)")).unwrap();
        b.edit_entry(&e.id, condition("asthma (childhood)")).unwrap();
        b.annotate(&e.id, AnnotationKind::Note, Some("diagnosed 2004".into())).unwrap();
        exchange(a, b);
        exchange(b, a);
        assert_eq!(a.sync_state_digest().unwrap(), b.sync_state_digest().unwrap());
        let merged = a.entry(&e.id).unwrap();
        // The later edit (b's clock is past a's: it was made after) wins; the other is history.
        let values: Vec<_> =
            merged.history.iter().map(|r| r.value.clone()).chain([merged.value.clone()]).collect();
        for v in ["asthma", "asthma (mild)", "asthma (childhood)"] {
            assert!(values.contains(&condition(v)), "{v} was lost");
        }
        assert_eq!(merged.annotations.len(), 1);
    }

    #[test]
    fn remote_ops_go_through_the_local_writers_without_logging_new_ops() {
        let d = devices(2);
        let (a, b) = (&d.all[0], &d.all[1]);
        let e = a.add_entry("conditions", condition("eczema"), Provenance::User).unwrap();
        a.edit_entry(&e.id, condition("eczema (hands)")).unwrap();
        a.set_hidden(&e.id, true).unwrap();
        a.annotate(&e.id, AnnotationKind::Note, Some("worse in winter".into())).unwrap();
        a.delete_entry(&e.id).unwrap();
        let gone = a.add_entry("conditions", condition("wart"), Provenance::User).unwrap();
        a.delete_entry(&gone.id).unwrap();
        a.purge(&gone.id).unwrap();
        let before = b.ops_to_push(usize::MAX).unwrap().len();
        exchange(a, b);
        assert_eq!(b.ops_to_push(usize::MAX).unwrap().len(), before, "applying logged new local ops");
        let got = b.entry(&e.id).unwrap();
        assert_eq!(got.value, condition("eczema (hands)"));
        assert_eq!(got.history.len(), 1);
        assert!(got.hidden && got.deleted_at.is_some());
        assert_eq!(got.annotations.len(), 1);
        assert!(b.entry(&gone.id).is_err(), "the purge applied");
        assert_eq!(a.sync_state_digest().unwrap(), b.sync_state_digest().unwrap());
    }

    #[test]
    fn a_delete_wins_over_older_edits_and_loses_to_newer_ones() {
        let d = devices(2);
        let (a, b) = (&d.all[0], &d.all[1]);
        let e = a.add_entry("conditions", condition("gout"), Provenance::User).unwrap();
        exchange(a, b);
        b.edit_entry(&e.id, condition("gout (old)")).unwrap(); // older
        std::thread::sleep(std::time::Duration::from_millis(3));
        a.delete_entry(&e.id).unwrap(); // newer
        exchange(a, b);
        exchange(b, a);
        assert!(a.entry(&e.id).unwrap().deleted_at.is_some());
        assert_eq!(a.sync_state_digest().unwrap(), b.sync_state_digest().unwrap());
        // Undo on one side, then a newer edit: alive everywhere.
        b.undo_delete(&e.id).unwrap();
        b.edit_entry(&e.id, condition("gout (confirmed)")).unwrap();
        exchange(b, a);
        let back = a.entry(&e.id).unwrap();
        assert!(back.deleted_at.is_none());
        assert_eq!(back.value, condition("gout (confirmed)"));
    }

    #[test]
    fn medical_record_entries_change_only_through_their_source() {
        let d = devices(2);
        let (a, b) = (&d.all[0], &d.all[1]);
        let gp = Provenance::MedicalRecord {
            system: "https://gp.example".into(),
            resource_id: "Condition/1".into(),
        };
        let e = a.add_entry("conditions", condition("hypertension"), gp).unwrap();
        exchange(a, b);
        // A forged owner edit from another device is refused by the merge rule.
        let forged = Op {
            hlc: Hlc::new(now_ms() + 10_000, 0),
            device: "dev9".into(),
            change: Change::EntryValue {
                id: e.id.clone(),
                value: condition("nothing"),
                by_source: false,
                seen: None,
            },
        };
        let report = b.apply_remote(vec![forged], |_| Ok(())).unwrap();
        assert_eq!(report.refused, 1);
        assert_eq!(b.entry(&e.id).unwrap().value, condition("hypertension"));
    }

    #[test]
    fn purge_is_final_even_for_ops_that_arrive_later() {
        let d = devices(3);
        let (a, b, c) = (&d.all[0], &d.all[1], &d.all[2]);
        let e = a.add_entry("conditions", condition("shingles"), Provenance::User).unwrap();
        exchange(a, b);
        b.annotate(&e.id, AnnotationKind::Note, Some("late note".into())).unwrap();
        a.delete_entry(&e.id).unwrap();
        a.purge(&e.id).unwrap();
        exchange(a, c);
        exchange(b, c); // b's annotation arrives after the purge
        assert!(matches!(c.entry(&e.id), Err(Error::NotFound { .. })));
        exchange(c, a);
        exchange(c, b);
        assert!(matches!(b.entry(&e.id), Err(Error::NotFound { .. })));
        assert_eq!(a.sync_state_digest().unwrap(), c.sync_state_digest().unwrap());
    }

    #[test]
    fn an_edit_that_arrives_before_its_entry_waits_for_it() {
        let d = devices(3);
        let (a, b, c) = (&d.all[0], &d.all[1], &d.all[2]);
        let e = a.add_entry("conditions", condition("eczema"), Provenance::User).unwrap();
        exchange(a, b);
        b.edit_entry(&e.id, condition("eczema (hands)")).unwrap();
        // c hears from b first: only b's edit and annotations, not a's creation.
        let only_edit: Vec<Op> = all_ops(b).into_iter().filter(|o| o.device == "dev1").collect();
        let r = c.apply_remote(only_edit, |_| Ok(())).unwrap();
        assert!(r.parked >= 1);
        exchange(a, c);
        assert_eq!(c.entry(&e.id).unwrap().value, condition("eczema (hands)"));
        assert_eq!(c.sync_counts().unwrap().2, 0, "nothing left parked");
    }

    #[derive(Clone, Debug)]
    enum Step {
        Add(usize, u8),
        Edit(usize, usize, u8),
        Annotate(usize, usize),
        Hide(usize, usize, bool),
        Delete(usize, usize),
        Undo(usize, usize),
        Purge(usize, usize),
        Privacy(usize, u8),
        Enable(usize, bool),
        Samples(usize, u8),
        Setting(usize, bool),
    }

    fn step() -> impl Strategy<Value = Step> {
        prop_oneof![
            3 => (0..3usize, any::<u8>()).prop_map(|(d, n)| Step::Add(d, n)),
            3 => (0..3usize, 0..8usize, any::<u8>()).prop_map(|(d, e, n)| Step::Edit(d, e, n)),
            1 => (0..3usize, 0..8usize).prop_map(|(d, e)| Step::Annotate(d, e)),
            1 => (0..3usize, 0..8usize, any::<bool>()).prop_map(|(d, e, h)| Step::Hide(d, e, h)),
            1 => (0..3usize, 0..8usize).prop_map(|(d, e)| Step::Delete(d, e)),
            1 => (0..3usize, 0..8usize).prop_map(|(d, e)| Step::Undo(d, e)),
            1 => (0..3usize, 0..8usize).prop_map(|(d, e)| Step::Purge(d, e)),
            1 => (0..3usize, any::<u8>()).prop_map(|(d, p)| Step::Privacy(d, p)),
            1 => (0..3usize, any::<bool>()).prop_map(|(d, on)| Step::Enable(d, on)),
            1 => (0..3usize, any::<u8>()).prop_map(|(d, n)| Step::Samples(d, n)),
            1 => (0..3usize, any::<bool>()).prop_map(|(d, on)| Step::Setting(d, on)),
        ]
    }

    /// Applies a step on one device; refusals (editing a deleted entry...) are fine.
    fn run_step(all: &[Record], s: &Step) {
        let pick = |r: &Record, i: usize| -> Option<String> {
            let es = r
                .list_entries(
                    "conditions",
                    super::super::ListOptions { include_deleted: true, include_hidden: true },
                )
                .ok()?;
            (!es.is_empty()).then(|| es[i % es.len()].id.clone())
        };
        let _ = match s.clone() {
            Step::Add(d, n) => {
                all[d].add_entry("conditions", condition(&format!("c{n}")), Provenance::User).map(|_| ())
            }
            Step::Edit(d, e, n) => pick(&all[d], e)
                .map_or(Ok(()), |id| all[d].edit_entry(&id, condition(&format!("e{n}"))).map(|_| ())),
            Step::Annotate(d, e) => pick(&all[d], e).map_or(Ok(()), |id| {
                all[d].annotate(&id, AnnotationKind::Note, Some(format!("n{d}"))).map(|_| ())
            }),
            Step::Hide(d, e, h) => {
                pick(&all[d], e).map_or(Ok(()), |id| all[d].set_hidden(&id, h).map(|_| ()))
            }
            Step::Delete(d, e) => pick(&all[d], e).map_or(Ok(()), |id| all[d].delete_entry(&id).map(|_| ())),
            Step::Undo(d, e) => pick(&all[d], e).map_or(Ok(()), |id| all[d].undo_delete(&id).map(|_| ())),
            Step::Purge(d, e) => pick(&all[d], e).map_or(Ok(()), |id| all[d].purge(&id)),
            Step::Privacy(d, p) => all[d]
                .set_section_privacy(
                    "conditions",
                    [PrivacyLevel::Private, PrivacyLevel::Shareable, PrivacyLevel::Sensitive][p as usize % 3],
                )
                .map(|_| ()),
            Step::Enable(d, on) => all[d].set_section_enabled("sleep", on).map(|_| ()),
            Step::Samples(d, n) => all[d]
                .ingest_samples(&[crate::record::Sample::instant(
                    SampleKind::Weight,
                    1_700_000_000_000 + n as i64 * 60_000,
                    70.0 + n as f64 / 10.0,
                    &format!("scale{d}"),
                )])
                .map(|_| ()),
            Step::Setting(d, on) => all[d]
                .set_insight_category_enabled(crate::insights::AlertCategory::BloodPressure, on)
                .map(|_| ()),
        };
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]
        /// Three devices change the record concurrently; two fresh devices then receive every
        /// op in two different random orders, each op possibly twice: all five end equal.
        #[test]
        fn any_order_any_repetition_gives_the_same_record(steps in proptest::collection::vec(step(), 1..40), seed in any::<u64>(), exchanges in proptest::collection::vec((0..3usize, 0..3usize), 0..12)) {
            let d = devices(5);
            let (writers, readers) = d.all.split_at(3);
            for (i, s) in steps.iter().enumerate() {
                run_step(writers, s);
                if let Some((x, y)) = exchanges.get(i) {
                    if x != y {
                        exchange(&writers[*x], &writers[*y]);
                    }
                }
            }
            let mut ops: Vec<Op> = writers.iter().flat_map(all_ops).collect();
            ops.sort_by_key(|o| o.id());
            ops.dedup_by_key(|o| o.id());
            let mut rng = seed;
            let mut shuffled = |ops: &Vec<Op>| {
                let mut v: Vec<Op> = ops.iter().chain(ops.iter().take(ops.len() / 3)).cloned().collect();
                for i in (1..v.len()).rev() {
                    rng = rng.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                    v.swap(i, (rng >> 33) as usize % (i + 1));
                }
                v
            };
            // Pages of 7 in shuffled order: ops about unknown entries must wait.
            for r in readers {
                for page in shuffled(&ops).chunks(7) {
                    r.apply_remote(page.to_vec(), |_| Ok(())).unwrap();
                }
            }
            for w in writers {
                for x in writers {
                    exchange(x, w);
                }
            }
            let want = writers[0].sync_state_digest().unwrap();
            for r in writers.iter().chain(readers) {
                prop_assert_eq!(&r.sync_state_digest().unwrap(), &want);
                prop_assert_eq!(r.sync_counts().unwrap().2, 0);
            }
        }
    }
}
