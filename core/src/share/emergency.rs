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

use super::relay::{HttpRelay, RelayApi};
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

/// After a write to `section`: brings every link [`kept_current`] up to date on its own
/// relay. Does nothing (and contacts no one) for other sections or without such a link.
pub fn refresh_after_change(record: &Record, section: &str) -> Result<Refreshed> {
    refresh_with(record, section, &|url| Ok(Box::new(HttpRelay::for_record(record, url)?)))
}

/// [`refresh_after_change`] with the relay client given (tests use a fake one).
pub fn refresh_with(
    record: &Record,
    section: &str,
    relay_for: &dyn Fn(&str) -> Result<Box<dyn RelayApi>>,
) -> Result<Refreshed> {
    let mut out = Refreshed::default();
    if !follows(section) {
        return Ok(out);
    }
    for g in kept_current(record)? {
        let Some(link) = &g.link else { continue };
        let done = relay_for(&link.relay_url).and_then(|r| super::update_share(record, &g.id, r.as_ref()));
        match done {
            Ok(_) => out.updated.push(g.id),
            Err(_) => out.failed.push(g.id),
        }
    }
    Ok(out)
}
