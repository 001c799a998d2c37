//! Grants and the hash-chained audit log (schema 4). The types are `phr_model::grant`; the
//! rules live in the `consent` module; this file only stores, seals and chains.

use super::{ad, now_ms, Record};
use crate::{Error, Result};
use chrono::{TimeZone, Utc};
use data_encoding::HEXLOWER;
use phr_model::grant::{AuditAction, AuditEvent, AuditVerification, Grant};
use rusqlite::{Connection, OptionalExtension};

const HEAD_AD: &[u8] = b"meta|audit_head";

/// One audit line to append with a grant's update. Its detail may carry a reply's text: the
/// audit log is sealed in the record, and `Debug` leaves the detail out so it never reaches a log.
#[derive(Clone)]
pub(crate) struct AuditLine {
    pub at_ms: i64,
    pub action: AuditAction,
    pub actor: String,
    pub detail: String,
}

impl std::fmt::Debug for AuditLine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuditLine")
            .field("at_ms", &self.at_ms)
            .field("action", &self.action)
            .finish_non_exhaustive()
    }
}

fn chain_input(prev: &[u8], seq: i64, at: i64, body: &[u8]) -> String {
    let digest = ring::digest::digest(&ring::digest::SHA256, body);
    format!("{}|{seq}|{at}|{}", HEXLOWER.encode(prev), HEXLOWER.encode(digest.as_ref()))
}

impl Record {
    pub(super) fn seal_grant(&self, g: &Grant) -> Result<Vec<u8>> {
        let plain = serde_json::to_vec(g).map_err(|_| Error::Crypto("grant encoding failed"))?;
        self.cipher.seal(&plain, &ad("grants", "body", &g.id))
    }

    /// The one writer of `grants` rows, for the owner's grants and for grants from the
    /// owner's other devices (`sync_log` applies `Change::Grant` through it): stores the
    /// grant, new or changed, and records the op (a no-op while a remote op is applied).
    pub(super) fn put_grant_in(&self, tx: &Connection, g: &Grant) -> Result<()> {
        let body = self.seal_grant(g)?;
        tx.execute(
            "INSERT INTO grants(id, created_at, body) VALUES (?1, ?2, ?3) ON CONFLICT(id) DO UPDATE SET body = excluded.body",
            rusqlite::params![g.id, g.created_at.timestamp_millis(), body],
        )?;
        self.emit_grant(tx, g)
    }

    pub(crate) fn insert_grant_audited(&self, g: &Grant, action: AuditAction, detail: &str) -> Result<()> {
        self.write(|tx| {
            if self.grant_in(tx, &g.id)?.is_some() {
                return Err(Error::invalid("grant", "a grant with this id already exists"));
            }
            self.put_grant_in(tx, g)?;
            self.append_audit_in(tx, action, &g.recipient.name, Some(&g.id), &g.sections, detail)?;
            Ok(())
        })
    }

    /// Rewrites a grant (revocation, link details, replies), optionally auditing it.
    pub(crate) fn update_grant_audited(&self, g: &Grant, audit: Option<(AuditAction, String)>) -> Result<()> {
        self.write(|tx| {
            if self.grant_in(tx, &g.id)?.is_none() {
                return Err(Error::NotFound { what: "grant" });
            }
            self.put_grant_in(tx, g)?;
            if let Some((action, detail)) = &audit {
                self.append_audit_in(
                    tx,
                    action.clone(),
                    &g.recipient.name,
                    Some(&g.id),
                    &g.sections,
                    detail,
                )?;
            }
            Ok(())
        })
    }

    /// Rewrites a grant and appends one audit line per event, each at its own time and with
    /// its own actor (replies pulled from the relay: who wrote, and what), in one transaction.
    pub(crate) fn update_grant_with_events(&self, g: &Grant, events: &[AuditLine]) -> Result<()> {
        self.write(|tx| {
            if self.grant_in(tx, &g.id)?.is_none() {
                return Err(Error::NotFound { what: "grant" });
            }
            self.put_grant_in(tx, g)?;
            for e in events {
                self.append_audit_row(
                    tx,
                    e.at_ms,
                    e.action.clone(),
                    &e.actor,
                    Some(&g.id),
                    &g.sections,
                    &e.detail,
                )?;
            }
            Ok(())
        })
    }

    fn emit_grant(&self, tx: &Connection, g: &Grant) -> Result<()> {
        let json = serde_json::to_value(g).map_err(|_| Error::Crypto("grant encoding failed"))?;
        self.sync_emit(tx, phr_model::change::Change::Grant { id: g.id.clone(), json })?;
        Ok(())
    }

    pub fn grant(&self, id: &str) -> Result<Option<Grant>> {
        self.read(|c| self.grant_in(c, id))
    }

    fn grant_in(&self, c: &Connection, id: &str) -> Result<Option<Grant>> {
        let body: Option<Vec<u8>> =
            c.query_row("SELECT body FROM grants WHERE id = ?1", [id], |r| r.get(0)).optional()?;
        body.map(|b| self.open_grant(id, &b)).transpose()
    }

    fn open_grant(&self, id: &str, body: &[u8]) -> Result<Grant> {
        let plain = self.cipher.open(body, &ad("grants", "body", id))?;
        serde_json::from_slice(&plain).map_err(|_| Error::Corrupt("a grant could not be read"))
    }

    /// Renames a section in every grant that names it (a section moved to a new id).
    pub(super) fn rename_section_in_grants(&self, tx: &Connection, from: &str, to: &str) -> Result<()> {
        let rows: Vec<(String, Vec<u8>)> = {
            let mut stmt = tx.prepare("SELECT id, body FROM grants")?;
            let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
            rows.collect::<std::result::Result<_, _>>()?
        };
        for (id, b) in rows {
            let mut g = self.open_grant(&id, &b)?;
            if g.sections.iter().any(|s| s == from) {
                for s in &mut g.sections {
                    if s == from {
                        *s = to.to_string();
                    }
                }
                tx.execute(
                    "UPDATE grants SET body = ?2 WHERE id = ?1",
                    rusqlite::params![id, self.seal_grant(&g)?],
                )?;
            }
        }
        Ok(())
    }

    /// Every grant, newest first.
    pub fn grants(&self) -> Result<Vec<Grant>> {
        self.read(|c| {
            let mut stmt = c.prepare("SELECT id, body FROM grants ORDER BY created_at DESC, id")?;
            let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, Vec<u8>>(1)?)))?;
            let mut out = Vec::new();
            for row in rows {
                let (id, b) = row?;
                out.push(self.open_grant(&id, &b)?);
            }
            Ok(out)
        })
    }

    /// Appends one event to the audit log (its own transaction).
    pub(crate) fn append_audit(
        &self,
        action: AuditAction,
        actor: &str,
        grant_id: Option<&str>,
        sections: &[String],
        detail: &str,
    ) -> Result<AuditEvent> {
        self.write(|tx| self.append_audit_in(tx, action, actor, grant_id, sections, detail))
    }

    /// Appends an event with a given time (events pulled from the relay keep the relay's time).
    pub(crate) fn append_audit_at(
        &self,
        at_ms: i64,
        action: AuditAction,
        actor: &str,
        grant_id: Option<&str>,
        detail: &str,
    ) -> Result<AuditEvent> {
        self.write(|tx| self.append_audit_row(tx, at_ms, action, actor, grant_id, &[], detail))
    }

    fn append_audit_in(
        &self,
        tx: &Connection,
        action: AuditAction,
        actor: &str,
        grant_id: Option<&str>,
        sections: &[String],
        detail: &str,
    ) -> Result<AuditEvent> {
        self.append_audit_row(tx, now_ms(), action, actor, grant_id, sections, detail)
    }

    #[allow(clippy::too_many_arguments)]
    fn append_audit_row(
        &self,
        tx: &Connection,
        at_ms: i64,
        action: AuditAction,
        actor: &str,
        grant_id: Option<&str>,
        sections: &[String],
        detail: &str,
    ) -> Result<AuditEvent> {
        let last: Option<(i64, Vec<u8>)> = tx
            .query_row("SELECT seq, chain FROM audit_log ORDER BY seq DESC LIMIT 1", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()?;
        let (prev_seq, prev_chain) = last.unwrap_or((0, Vec::new()));
        let seq = prev_seq + 1;
        let at = Utc.timestamp_millis_opt(at_ms).single().unwrap_or_default();
        let event = AuditEvent {
            seq,
            at,
            action,
            actor: actor.to_string(),
            grant_id: grant_id.map(str::to_string),
            sections: sections.to_vec(),
            detail: detail.to_string(),
        };
        let plain = serde_json::to_vec(&event).map_err(|_| Error::Crypto("audit encoding failed"))?;
        let body = self.cipher.seal(&plain, &ad("audit_log", "body", &seq.to_string()))?;
        let chain = self.lookup.tag("audit-chain", &chain_input(&prev_chain, seq, at_ms, &body));
        tx.execute(
            "INSERT INTO audit_log(seq, at, body, chain) VALUES (?1, ?2, ?3, ?4)",
            rusqlite::params![seq, at_ms, body, chain],
        )?;
        let mut head = seq.to_be_bytes().to_vec();
        head.extend_from_slice(&chain);
        tx.execute(
            "INSERT OR REPLACE INTO meta(key, value) VALUES ('audit_head', ?1)",
            [self.cipher.seal(&head, HEAD_AD)?],
        )?;
        Ok(event)
    }

    /// The audit log, oldest first: who saw what, when.
    pub fn audit_log(&self) -> Result<Vec<AuditEvent>> {
        self.read(|c| {
            let mut stmt = c.prepare("SELECT seq, body FROM audit_log ORDER BY seq")?;
            let rows = stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, Vec<u8>>(1)?)))?;
            let mut out = Vec::new();
            for row in rows {
                let (seq, body) = row?;
                let plain = self.cipher.open(&body, &ad("audit_log", "body", &seq.to_string()))?;
                out.push(
                    serde_json::from_slice(&plain)
                        .map_err(|_| Error::Corrupt("an audit entry could not be read"))?,
                );
            }
            Ok(out)
        })
    }

    /// Walks the chain from the first entry: every row must follow the previous one, open
    /// under the data key, and the last must match the sealed head.
    pub fn verify_audit(&self) -> Result<AuditVerification> {
        self.read(|c| {
            let mut stmt = c.prepare("SELECT seq, at, body, chain FROM audit_log ORDER BY seq")?;
            let rows = stmt.query_map([], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, Vec<u8>>(2)?,
                    r.get::<_, Vec<u8>>(3)?,
                ))
            })?;
            let mut prev: Vec<u8> = Vec::new();
            let mut expected = 1i64;
            let mut n = 0usize;
            let fail = |n: usize, seq: i64, why: &str| {
                Ok(AuditVerification { entries: n, ok: false, problem: Some((seq, why.to_string())) })
            };
            for row in rows {
                let (seq, at, body, chain) = row?;
                if seq != expected {
                    return fail(n, expected, "an entry is missing");
                }
                if self.lookup.tag("audit-chain", &chain_input(&prev, seq, at, &body)) != chain {
                    return fail(
                        n,
                        seq,
                        "the entry does not follow from the one before (edited or reordered)",
                    );
                }
                match self.cipher.open(&body, &ad("audit_log", "body", &seq.to_string())) {
                    Ok(plain) => match serde_json::from_slice::<AuditEvent>(&plain) {
                        Ok(ev) if ev.seq == seq && ev.at.timestamp_millis() == at => {}
                        _ => return fail(n, seq, "the entry's content does not match its position"),
                    },
                    Err(_) => return fail(n, seq, "the entry cannot be decrypted"),
                }
                prev = chain;
                expected += 1;
                n += 1;
            }
            let head: Option<Vec<u8>> = c
                .query_row("SELECT value FROM meta WHERE key = 'audit_head'", [], |r| r.get(0))
                .optional()?;
            match head {
                None if n == 0 => {}
                None => return fail(n, expected - 1, "the log's head record is missing"),
                Some(h) => {
                    let Ok(h) = self.cipher.open(&h, HEAD_AD) else {
                        return fail(n, expected - 1, "the log's head record cannot be decrypted");
                    };
                    let mut want = (expected - 1).to_be_bytes().to_vec();
                    want.extend_from_slice(&prev);
                    if h != want {
                        return fail(n, expected, "entries were removed from the end of the log");
                    }
                }
            }
            Ok(AuditVerification { entries: n, ok: true, problem: None })
        })
    }
}
