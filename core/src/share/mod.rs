//! SMART Health Links: the sections a grant allows, as a FHIR Bundle, encrypted as a
//! compact JWE (`dir` + `A256GCM`) under a fresh random key, hosted on a relay that never
//! sees the key, and handed over as a `shlink:/` URI and a QR code.
//!
//! The content comes only from [`crate::consent::check`], which decides and audits.
//! Flow: [`create_share`] -> relay holds ciphertext -> the clinician viewer (relay/static)
//! decrypts in the browser. [`update_share`] puts today's content behind the same link
//! (the emergency card after a change). [`revoke_share`] deletes the relay's copy and
//! marks the grant revoked. [`sync_from_relay`] pulls the relay's access log (and replies to advice
//! requests) into the owner's audit log; [`answer::answer_reply`] answers a reply once.

pub mod answer;
pub mod bundle;
pub mod card;
pub mod emergency;
pub mod glyphs;
pub mod jwe;
pub mod link;
pub mod qr;
pub mod relay;

use crate::consent::{self, AuditAction, Decision, Grant, GrantRequest, LinkInfo, Reply};
use crate::store::AuditLine;
use crate::{Error, Record, Result};
use chrono::{TimeZone, Utc};
use data_encoding::BASE64URL_NOPAD;
pub use link::ShlPayload;
use relay::{NewFile, NewLink, RelayApi};

/// Content type of the one file a link carries.
pub const FHIR_JSON: &str = "application/fhir+json";
/// Wrong passcodes one client address may make before the relay holds it back (a minute,
/// doubling per further failure up to a day); a right passcode or the owner's
/// [`reset_passcode_tries`] clears the count.
pub const DEFAULT_MAX_ATTEMPTS: u32 = 5;

#[derive(Clone, Debug, Default)]
pub struct ShareOptions {
    /// Requires this passcode (flag `P`); the relay stores only a salted hash.
    pub passcode: Option<crate::SecretString>,
    /// Flag `L`: intended for long-term use (the emergency card).
    pub long_term: bool,
    /// Shown to the recipient (at most 80 characters).
    pub label: Option<String>,
    pub max_attempts: Option<u32>,
}

/// A published share. `shlink` and `viewer_url` carry the link's key, so `Debug` leaves
/// them out.
#[derive(Clone)]
pub struct ShareOutcome {
    pub grant: Grant,
    pub payload: ShlPayload,
    /// `shlink:/...`
    pub shlink: String,
    /// `<relay>/view#shlink:/...`: what the QR code holds.
    pub viewer_url: String,
}

impl std::fmt::Debug for ShareOutcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ShareOutcome")
            .field("grant", &self.grant)
            .field("payload", &self.payload)
            .field("shlink", &"[REDACTED]")
            .field("viewer_url", &"[REDACTED]")
            .finish()
    }
}

impl ShareOutcome {
    pub fn qr_svg(&self) -> Result<String> {
        qr::svg(&self.viewer_url)
    }
    pub fn qr_png(&self) -> Result<Vec<u8>> {
        qr::png(&self.viewer_url, 6)
    }
}

fn payload_for(info: &LinkInfo) -> ShlPayload {
    ShlPayload {
        url: format!("{}/shl/{}", info.relay_url, info.link_id),
        key: info.key.clone(),
        exp: info.exp,
        flag: if info.flag.is_empty() { None } else { Some(info.flag.clone()) },
        label: info.label.clone(),
        v: Some(1),
    }
}

/// The link of an existing grant (to show its QR code again).
pub fn outcome_for(grant: &Grant) -> Option<ShareOutcome> {
    let info = grant.link.as_ref()?;
    let payload = payload_for(info);
    Some(ShareOutcome {
        shlink: payload.to_uri(),
        viewer_url: payload.viewer_url(&format!("{}/view", info.relay_url)),
        payload,
        grant: grant.clone(),
    })
}

/// Grants, checks, encrypts and publishes. Nothing reaches the relay unless
/// `consent::check` allowed it; if publishing fails, the new grant is revoked.
pub fn create_share(
    record: &Record,
    req: GrantRequest,
    opts: ShareOptions,
    relay: &dyn RelayApi,
) -> Result<ShareOutcome> {
    if opts.passcode.as_ref().is_some_and(|p| p.expose_secret().chars().count() < 4) {
        return Err(Error::invalid("passcode", "use at least 4 characters"));
    }
    let grant = consent::create_grant(record, req)?;
    let view = match consent::check(record, &grant.id, Utc::now())? {
        Decision::Allowed(v) => v,
        Decision::Denied(r) => {
            return Err(Error::invalid("grant", format!("consent refused the read ({r:?})")))
        }
    };
    let bundle = bundle::fhir_bundle(&view);
    let mut key = [0u8; 32];
    crate::crypto::random_fill(&mut key)?;
    let plain = serde_json::to_vec(&bundle).map_err(|_| Error::Crypto("bundle encoding failed"))?;
    let jwe = jwe::encrypt(&key, &plain, Some(FHIR_JSON))?;
    let flag = link::flags(opts.long_term, opts.passcode.is_some());
    let exp = grant.expiry.map(|e| e.timestamp());
    let new = NewLink {
        files: vec![NewFile { content_type: FHIR_JSON.into(), jwe }],
        passcode: opts.passcode.clone(),
        exp,
        flag: flag.clone(),
        max_attempts: Some(i64::from(opts.max_attempts.unwrap_or(DEFAULT_MAX_ATTEMPTS))),
    };
    let link_id = match relay.create_link(&new) {
        Ok(id) => id,
        Err(e) => {
            let _ = consent::revoke_grant(record, &grant.id);
            return Err(e);
        }
    };
    let label = opts
        .label
        .unwrap_or_else(|| format!("For {}: {}", grant.recipient.name, grant.purpose))
        .chars()
        .take(80)
        .collect();
    let info = LinkInfo {
        relay_url: relay.base_url().trim_end_matches('/').to_string(),
        link_id,
        key: BASE64URL_NOPAD.encode(&key).into(),
        flag,
        exp,
        label: Some(label),
        log_seen: 0,
        replies_seen: 0,
    };
    zeroize::Zeroize::zeroize(&mut key);
    let mut grant = grant;
    grant.link = Some(info);
    record.update_grant_audited(&grant, None)?;
    outcome_for(&grant).ok_or(Error::Corrupt("a share lost its link"))
}

/// Brings a published link up to date: the sections its grant allows are read again
/// through `consent::check` (audited like any read; refused once the grant has ended; a
/// section made private since is left out) and re-encrypted under the link's own key,
/// then replace the relay's copy. The link, its QR code, passcode and expiry stay the same: what the
/// emergency card needs when a medication or allergy changes.
pub fn update_share(record: &Record, grant_id: &str, relay: &dyn RelayApi) -> Result<ShareOutcome> {
    let grant = record.grant(grant_id)?.ok_or(Error::NotFound { what: "grant" })?;
    republish(record, &grant, relay)?;
    // Sent by hand ("Send the latest version"): an emergency card owed an update has it now.
    emergency::settle(record, &emergency::Refreshed { updated: vec![grant.id.clone()], failed: Vec::new() })?;
    outcome_for(&grant).ok_or(Error::Corrupt("a share lost its link"))
}

/// Replaces the relay's files of `grant`'s link with today's content (read through
/// `consent::check`) and, once the owner answered a reply, the answer: each file encrypted
/// under the link's own key, so the relay sees neither.
pub(crate) fn republish(record: &Record, grant: &Grant, relay: &dyn RelayApi) -> Result<()> {
    let info = grant.link.as_ref().ok_or(Error::NotFound { what: "link" })?;
    if info.relay_url != relay.base_url().trim_end_matches('/') {
        return Err(Error::invalid("relay", "this link is hosted on another relay"));
    }
    let view = match consent::check(record, &grant.id, Utc::now())? {
        Decision::Allowed(v) => v,
        Decision::Denied(r) => {
            return Err(Error::invalid("grant", format!("consent refused the read ({r:?})")))
        }
    };
    let key = crate::Secret::new(
        BASE64URL_NOPAD
            .decode(info.key.expose_secret().as_bytes())
            .map_err(|_| Error::Corrupt("a link key could not be read"))?,
    );
    let mut docs = vec![bundle::fhir_bundle(&view)];
    docs.extend(grant.answer.as_ref().map(answer::communication));
    let mut files = Vec::with_capacity(docs.len());
    for doc in &docs {
        let plain = serde_json::to_vec(doc).map_err(|_| Error::Crypto("bundle encoding failed"))?;
        files.push(NewFile {
            content_type: FHIR_JSON.into(),
            jwe: jwe::encrypt(key.expose_secret(), &plain, Some(FHIR_JSON))?,
        });
    }
    if !relay.replace_files(&info.link_id, &files)? {
        return Err(Error::NotFound { what: "link" });
    }
    Ok(())
}

/// Deletes the content on the relay and marks the grant revoked.
pub fn revoke_share(record: &Record, grant_id: &str, relay: Option<&dyn RelayApi>) -> Result<Grant> {
    let g = record.grant(grant_id)?.ok_or(Error::NotFound { what: "grant" })?;
    if let (Some(info), Some(r)) = (&g.link, relay) {
        r.revoke_link(&info.link_id)?;
    }
    consent::revoke_grant(record, grant_id)
}

/// Lets everyone the relay is holding back after wrong passcodes try the link's passcode
/// again (the recipient phoned to say the link says "too many attempts"), and notes it in the
/// audit log. Only for an active link with a passcode; a stranger guessing can then guess
/// again, so the owner is the one who decides.
pub fn reset_passcode_tries(record: &Record, grant_id: &str, relay: &dyn RelayApi) -> Result<Grant> {
    let g = record.grant(grant_id)?.ok_or(Error::NotFound { what: "grant" })?;
    let info = g.link.as_ref().ok_or(Error::NotFound { what: "link" })?;
    if !info.flag.contains('P') {
        return Err(Error::invalid("passcode", "this link has no passcode"));
    }
    if !matches!(g.status(Utc::now()), consent::GrantStatus::Active | consent::GrantStatus::NotYetValid) {
        return Err(Error::invalid("status", "this share has ended"));
    }
    if !relay.reset_passcode_tries(&info.link_id)? {
        return Err(Error::NotFound { what: "link" });
    }
    record.append_audit_at(
        Utc::now().timestamp_millis(),
        AuditAction::PasscodeTriesReset,
        &g.recipient.name,
        Some(&g.id),
        "relay: passcode tries reset",
    )?;
    Ok(g)
}

/// What [`check_all`] did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CheckReport {
    /// Openings, refusals and replies pulled from every relay hosting one of the links.
    pub activity: SyncReport,
    /// Emergency card links that were owed an update ([`emergency::owed`]) and got it, or
    /// still could not.
    pub cards: emergency::Refreshed,
}

/// What the owner's "check" does (the sharing screen's button, `phr share sync`): asks each
/// relay hosting one of the links, once, who opened them and for replies, then sends the
/// emergency card any update a failed refresh left it owed ([`emergency::catch_up`]).
pub fn check_all(record: &Record) -> Result<CheckReport> {
    let mut relays: Vec<String> =
        record.grants()?.into_iter().filter_map(|g| g.link.map(|l| l.relay_url)).collect();
    relays.sort();
    relays.dedup();
    let mut activity = SyncReport::default();
    for url in relays {
        let r = sync_from_relay(record, &relay::HttpRelay::for_record(record, &url)?)?;
        activity.access_events += r.access_events;
        activity.replies += r.replies;
    }
    Ok(CheckReport { activity, cards: emergency::catch_up(record)? })
}

/// What [`sync_from_relay`] brought in.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SyncReport {
    pub access_events: usize,
    pub replies: usize,
}

/// Pulls every link's access log and any replies from `relay` into the audit log (and
/// replies into their grant). Only links hosted on this relay are asked about.
pub fn sync_from_relay(record: &Record, relay: &dyn RelayApi) -> Result<SyncReport> {
    let mut report = SyncReport::default();
    let base = relay.base_url().trim_end_matches('/').to_string();
    for mut g in record.grants()? {
        let Some(mut info) = g.link.clone() else { continue };
        if info.relay_url != base {
            continue;
        }
        let events = relay.access_log(&info.link_id, info.log_seen)?;
        for ev in &events {
            let action =
                if ev.outcome == "served" { AuditAction::RemoteFetch } else { AuditAction::RemoteRefused };
            record.append_audit_at(
                ev.at,
                action,
                &ev.recipient,
                Some(&g.id),
                &format!("relay: {}", ev.outcome),
            )?;
            info.log_seen = info.log_seen.max(ev.seq);
            report.access_events += 1;
        }
        let mut new_replies = Vec::new();
        if g.purpose == consent::PURPOSE_ADVICE {
            let key = crate::Secret::new(
                BASE64URL_NOPAD
                    .decode(info.key.expose_secret().as_bytes())
                    .map_err(|_| Error::Corrupt("a link key could not be read"))?,
            );
            for r in relay.replies(&info.link_id, info.replies_seen)? {
                info.replies_seen = info.replies_seen.max(r.seq);
                // A reply that does not decrypt under the link key is not from the link's holder.
                let Ok(plain) = jwe::decrypt(key.expose_secret(), &r.jwe) else { continue };
                #[derive(serde::Deserialize)]
                struct Body {
                    #[serde(default)]
                    from: String,
                    text: String,
                }
                let Ok(b) = serde_json::from_slice::<Body>(&plain) else { continue };
                let at = Utc.timestamp_millis_opt(r.at).single().unwrap_or_default();
                new_replies.push(Reply {
                    at,
                    from: if b.from.is_empty() { g.recipient.name.clone() } else { b.from },
                    text: b.text,
                });
            }
        }
        if !events.is_empty() || !new_replies.is_empty() || g.link.as_ref() != Some(&info) {
            // Each reply in the audit log with who wrote it and what: the log is sealed in the
            // record like the grant that holds the same text.
            let lines: Vec<AuditLine> = new_replies
                .iter()
                .map(|r| AuditLine {
                    at_ms: r.at.timestamp_millis(),
                    action: AuditAction::ReplyReceived,
                    actor: r.from.clone(),
                    detail: format!("reply: {}", r.text),
                })
                .collect();
            report.replies += new_replies.len();
            g.replies.extend(new_replies);
            g.link = Some(info);
            record.update_grant_with_events(&g, &lines)?;
        }
    }
    Ok(report)
}
