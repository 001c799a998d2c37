//! The emergency card stays current: after a medication or an allergy is added, edited,
//! hidden, deleted, restored or imported, every active long-term link (flag `L`, the kind the
//! emergency card is made with) that shares those sections is brought up to date in place
//! ([`super::update_share`]): the same link and QR code, today's content.
//!
//! "It never contacts anyone unasked": the owner asked when they made the card. A long-term
//! link is a promise that whoever scans the card sees the record as it is now, and the
//! relay it goes to is the one the owner chose for that card. Nothing runs for a record
//! without such a link, and only the link's own relay is contacted. The shells call
//! [`refresh_after_change`] right after the write (the CLI after its command, the bindings
//! after the call), so the card is current before the owner puts the phone away.
//!
//! A refresh that fails (a phone offline, a relay down) is not forgotten: the link is
//! [`owed`] its update, kept in a device-local setting, and [`catch_up`] sends it the next
//! time this device reaches the network because the owner asked it to (a sync, checking
//! the sharing screen). Until then the card shows what it showed before, never less.

use super::relay::HttpRelay;
use crate::consent::{Grant, GrantStatus};
use crate::{Record, Result};
use chrono::Utc;

/// The sections the emergency card carries that change often.
pub const FOLLOWED_SECTIONS: [&str; 2] = ["medications", "allergies"];

/// Whether a write to `section` concerns the emergency card.
pub fn follows(section: &str) -> bool {
    FOLLOWED_SECTIONS.contains(&section)
}

/// The links kept current: active, published long-term links sharing a followed section.
pub fn kept_current(record: &Record) -> Result<Vec<Grant>> {
    let now = Utc::now();
    Ok(record
        .grants()?
        .into_iter()
        .filter(|g| {
            g.status(now) == GrantStatus::Active
                && g.link.as_ref().is_some_and(|l| l.flag.contains('L'))
                && g.sections.iter().any(|s| follows(s))
        })
        .collect())
}

/// What [`refresh_after_change`] did. A link that could not be updated (no network) keeps
/// its old content until the next change or `share update`; the write itself stands.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Refreshed {
    pub updated: Vec<String>,
    pub failed: Vec<String>,
}

/// The device-local setting naming the links whose last automatic refresh failed.
const OWED: &str = "share.card_owed";

/// The links (grant IDs) whose last automatic refresh failed and that [`catch_up`] will send
/// again.
pub fn owed(record: &Record) -> Result<Vec<String>> {
    Ok(record.setting::<Vec<String>>(OWED)?.unwrap_or_default())
}

/// After a write to `section`: brings every link [`kept_current`] up to date on its own
/// relay. Does nothing (and contacts no one) for other sections or without such a link.
pub fn refresh_after_change(record: &Record, section: &str) -> Result<Refreshed> {
    if !follows(section) {
        return Ok(Refreshed::default());
    }
    let out = send(record, &kept_current(record)?);
    settle(record, &out)?;
    Ok(out)
}

/// Sends every link [`owed`] an update that is still [`kept_current`]; a link no longer kept
/// current (revoked, ended) is owed nothing any more. Contacts no one when nothing is owed.
pub fn catch_up(record: &Record) -> Result<Refreshed> {
    let owed = owed(record)?;
    if owed.is_empty() {
        return Ok(Refreshed::default());
    }
    let due: Vec<Grant> = kept_current(record)?.into_iter().filter(|g| owed.contains(&g.id)).collect();
    let out = send(record, &due);
    if out.failed != owed {
        record.set_setting(OWED, &out.failed)?;
    }
    Ok(out)
}

/// Records what a refresh did: links updated are owed nothing, links that failed are owed
/// their update. Writes only when that changes the list.
pub(crate) fn settle(record: &Record, done: &Refreshed) -> Result<()> {
    if done.updated.is_empty() && done.failed.is_empty() {
        return Ok(());
    }
    let before = owed(record)?;
    let mut after: Vec<String> = before.iter().filter(|id| !done.updated.contains(id)).cloned().collect();
    for id in &done.failed {
        if !after.contains(id) {
            after.push(id.clone());
        }
    }
    if after != before {
        record.set_setting(OWED, &after)?;
    }
    Ok(())
}

/// Replaces each grant's files on its own relay with today's content.
fn send(record: &Record, grants: &[Grant]) -> Refreshed {
    let mut out = Refreshed::default();
    for g in grants {
        let Some(link) = &g.link else { continue };
        let done =
            HttpRelay::for_record(record, &link.relay_url).and_then(|r| super::republish(record, g, &r));
        match done {
            Ok(()) => out.updated.push(g.id.clone()),
            Err(_) => out.failed.push(g.id.clone()),
        }
    }
    out
}
