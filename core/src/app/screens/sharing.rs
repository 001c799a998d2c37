//! The sharing screen: every grant with its status, when it ends, how often the link was
//! opened, the replies to a request for advice and the owner's one answer.

use super::{format_date, Label};
use crate::consent::{AuditAction, Grant, GrantStatus, PURPOSE_ADVICE};
use crate::store::Record;
use crate::Result;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// A reply from the person asked for advice.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplyLine {
    pub at: String,
    pub from: String,
    pub text: String,
}

/// The owner's answer to a reply (sent once, shown under the replies).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnswerLine {
    pub at: String,
    pub text: String,
}

/// One grant.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GrantRow {
    pub id: String,
    pub recipient: String,
    pub role: String,
    /// `health_professional`, `family_or_carer`... and its label key.
    pub category: String,
    pub category_key: String,
    /// Section titles, in the grant's order.
    pub sections: Vec<String>,
    pub purpose: String,
    /// The owner's question, for a request for advice.
    pub question: Option<String>,
    /// `active`, `not_yet_valid`, `expired` or `revoked`, and its key.
    pub status: String,
    pub status_key: String,
    /// The end date (`12 Apr 2026`), if there is one.
    pub expiry: Option<String>,
    /// "Ends in 3 days", "Ended on 1 Mar 2026", "Stopped on ...", "No end date".
    pub expiry_label: Label,
    /// Whether it was published as a link (a QR code the owner can show again).
    pub has_link: bool,
    /// How often the link's content was fetched, and when last.
    pub openings: u32,
    pub last_opened: Option<String>,
    pub replies: Vec<ReplyLine>,
    /// The owner's answer, once sent.
    pub answer: Option<AnswerLine>,
    /// An answer box is offered: a request for advice, still open, with a reply and no answer yet.
    pub can_answer: bool,
    /// Revoke is offered while the grant can still be used.
    pub can_revoke: bool,
    /// Wrong passcodes the relay reported for the link since the owner last let everyone try
    /// again, and a sentence about them (none when there were none).
    pub wrong_passcodes: u32,
    pub wrong_passcodes_label: Option<Label>,
    /// "Let them try again" is offered: an active link with a passcode and wrong tries.
    pub can_reset_passcode_tries: bool,
    /// Said while an emergency card's link is owed an update its automatic refresh could not
    /// send (offline): the link still shows the earlier version (`share::emergency::owed`).
    pub update_owed_label: Option<Label>,
}

/// The sharing screen: active grants first (soonest to end first), then those not started,
/// then expired and revoked ones (newest first).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SharingScreen {
    pub grants: Vec<GrantRow>,
    pub active: u32,
}

pub fn status_slug(s: GrantStatus) -> &'static str {
    match s {
        GrantStatus::Active => "active",
        GrantStatus::NotYetValid => "not_yet_valid",
        GrantStatus::Expired => "expired",
        GrantStatus::Revoked => "revoked",
    }
}

/// "Ends today", "Ends tomorrow", "Ends in N days" or "Ended on ..." for an end time.
pub fn expiry_label(g: &Grant, now: DateTime<Utc>) -> Label {
    if let Some(at) = g.revoked_at {
        return Label::new("share.stopped_on").arg("date", format_date(at));
    }
    let Some(end) = g.expiry else { return Label::new("share.no_end") };
    if end <= now {
        return Label::new("share.ended_on").arg("date", format_date(end));
    }
    match (end.date_naive() - now.date_naive()).num_days() {
        0 => Label::new("share.ends_today"),
        1 => Label::new("share.ends_tomorrow"),
        d => Label::new("share.ends_in_days").arg("days", d.to_string()),
    }
}

fn rank(s: GrantStatus) -> u8 {
    match s {
        GrantStatus::Active => 0,
        GrantStatus::NotYetValid => 1,
        GrantStatus::Expired => 2,
        GrantStatus::Revoked => 3,
    }
}

/// The audit detail of a wrong passcode pulled from the relay's access log.
const WRONG_PASSCODE: &str = "relay: wrong_passcode";

/// "Someone typed a wrong passcode N times..." for a grant's link.
fn wrong_passcodes_label(count: u32, recipient: &str) -> Option<Label> {
    match count {
        0 => None,
        1 => Some(Label::new("share.wrong_passcode_once").arg("name", recipient)),
        n => Some(Label::new("share.wrong_passcodes").arg("count", n.to_string()).arg("name", recipient)),
    }
}

pub fn sharing_screen(record: &Record, now: DateTime<Utc>) -> Result<SharingScreen> {
    let titles: HashMap<String, String> =
        record.sections()?.into_iter().map(|s| (s.id.clone(), s.title.clone())).collect();
    let audit = record.audit_log()?;
    // When the owner last let everyone try the passcode again, per grant: wrong tries made
    // before it no longer count (they may be pulled from the relay after the reset).
    let mut reset_at: HashMap<&str, DateTime<Utc>> = HashMap::new();
    for e in &audit {
        if let (AuditAction::PasscodeTriesReset, Some(id)) = (&e.action, &e.grant_id) {
            let t = reset_at.entry(id.as_str()).or_insert(e.at);
            *t = (*t).max(e.at);
        }
    }
    // Openings and wrong passcodes from the audit log: one pass, counted per grant.
    let mut opened: HashMap<String, (u32, DateTime<Utc>)> = HashMap::new();
    let mut wrong: HashMap<String, u32> = HashMap::new();
    for e in &audit {
        let Some(id) = &e.grant_id else { continue };
        match e.action {
            AuditAction::RemoteFetch => {
                let o = opened.entry(id.clone()).or_insert((0, e.at));
                o.0 += 1;
                o.1 = o.1.max(e.at);
            }
            AuditAction::RemoteRefused
                if e.detail == WRONG_PASSCODE && reset_at.get(id.as_str()).is_none_or(|r| e.at > *r) =>
            {
                *wrong.entry(id.clone()).or_default() += 1;
            }
            _ => {}
        }
    }
    let owed = crate::share::emergency::owed(record)?;
    let mut grants = record.grants()?;
    grants.sort_by(|a, b| {
        let (sa, sb) = (a.status(now), b.status(now));
        rank(sa).cmp(&rank(sb)).then_with(|| match sa {
            // Active: the one ending soonest first (no end date last).
            GrantStatus::Active => a
                .expiry
                .unwrap_or(DateTime::<Utc>::MAX_UTC)
                .cmp(&b.expiry.unwrap_or(DateTime::<Utc>::MAX_UTC))
                .then(b.created_at.cmp(&a.created_at)),
            _ => b.created_at.cmp(&a.created_at),
        })
    });
    let rows: Vec<GrantRow> = grants
        .iter()
        .map(|g| {
            let status = g.status(now);
            let (openings, last) =
                opened.get(&g.id).map_or((0, None), |(n, at)| (*n, Some(format_date(*at))));
            let wrong_passcodes = wrong.get(&g.id).copied().unwrap_or(0);
            let can_use = matches!(status, GrantStatus::Active | GrantStatus::NotYetValid);
            let mut replies = g.replies.clone();
            replies.sort_by_key(|r| std::cmp::Reverse(r.at));
            GrantRow {
                id: g.id.clone(),
                recipient: g.recipient.name.clone(),
                role: g.recipient.role.clone(),
                category: g.recipient.category.as_str().to_string(),
                category_key: format!("recipient.{}", g.recipient.category.as_str()),
                sections: g
                    .sections
                    .iter()
                    .map(|s| titles.get(s).cloned().unwrap_or_else(|| s.clone()))
                    .collect(),
                purpose: g.purpose.clone(),
                question: (g.purpose == PURPOSE_ADVICE).then(|| g.message.clone()).flatten(),
                status: status_slug(status).to_string(),
                status_key: format!("share.status.{}", status_slug(status)),
                expiry: g.expiry.map(format_date),
                expiry_label: expiry_label(g, now),
                has_link: g.link.is_some(),
                openings,
                last_opened: last,
                replies: replies
                    .into_iter()
                    .map(|r| ReplyLine { at: format_date(r.at), from: r.from, text: r.text })
                    .collect(),
                answer: g.answer.as_ref().map(|a| AnswerLine { at: format_date(a.at), text: a.text.clone() }),
                can_answer: g.purpose == PURPOSE_ADVICE
                    && g.link.is_some()
                    && !g.replies.is_empty()
                    && g.answer.is_none()
                    && status == GrantStatus::Active,
                can_revoke: can_use,
                wrong_passcodes,
                wrong_passcodes_label: wrong_passcodes_label(wrong_passcodes, &g.recipient.name),
                can_reset_passcode_tries: can_use
                    && wrong_passcodes > 0
                    && g.link.as_ref().is_some_and(|l| l.flag.contains('P')),
                update_owed_label: (status == GrantStatus::Active && owed.contains(&g.id))
                    .then(|| Label::new("share.update_owed")),
            }
        })
        .collect();
    let active = rows.iter().filter(|r| r.status == "active").count();
    Ok(SharingScreen { grants: rows, active: u32::try_from(active).unwrap_or(u32::MAX) })
}
