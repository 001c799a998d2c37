//! SMART Health Links for the apps: publish a grant as a link and QR code through a relay,
//! show it again, take it back (the relay's copy is deleted), and bring the relay's access
//! log and the replies to advice requests into the owner's audit log.
//!
//! Glue only: the consent check, encryption and publishing are `phr_core::share`. The
//! relay only ever holds ciphertext; the key travels in the link itself. Each call here
//! talks to the relay only because the owner asked for it (nothing runs in the background).

use crate::consent::{Grant, GrantRequest};
use crate::record::{blocking, PhrRecord};
use crate::PhrError;
use phr_core::share::{self, relay::HttpRelay, ShareOptions};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

type R<T> = Result<T, PhrError>;

/// How to publish a share. A plain `String` passcode for Kotlin/Swift; it becomes a
/// `phr_core::SecretString` at once, and `Debug` does not show it.
#[derive(Clone, PartialEq, Eq, uniffi::Record)]
pub struct ShareLinkOptions {
    /// The relay that hosts the encrypted copy, e.g. `https://relay.example.org`.
    pub relay_url: String,
    /// A passcode the recipient must type (at least 4 characters); the relay keeps only a
    /// salted hash and, after 5 wrong tries from one address, holds that address back (a
    /// minute, doubling up to a day) until the owner lets them try again
    /// (`reset_passcode_tries`).
    #[uniffi(default = None)]
    pub passcode: Option<String>,
    /// For the emergency card: a link meant to be kept and opened again.
    #[uniffi(default = false)]
    pub long_term: bool,
    /// Shown to the recipient (at most 80 characters). Default: "For NAME: PURPOSE".
    #[uniffi(default = None)]
    pub label: Option<String>,
}

/// The emergency card's pictures. Each holds the QR code, which opens the link like the
/// link does, so there is no `Debug`.
#[derive(Clone, PartialEq, Eq, uniffi::Record)]
pub struct EmergencyCard {
    pub wallet_png: Vec<u8>,
    pub wallet_svg: String,
    pub lock_screen_png: Vec<u8>,
}

/// A published share: what to show the recipient. `shlink`, `viewer_url` and the QR codes
/// carry the link's key, so `Debug` leaves them out.
#[derive(Clone, PartialEq, Eq, uniffi::Record)]
pub struct SharedLink {
    pub grant: Grant,
    /// `shlink:/...` (for apps that read SMART Health Links).
    pub shlink: String,
    /// The relay's viewer page with the link after `#` (never sent to the relay): what
    /// the QR code holds, for a recipient with only a browser.
    pub viewer_url: String,
    /// The QR code of `viewer_url`, as SVG (for iOS and the web) and PNG (Android's
    /// `BitmapFactory`, no SVG library needed).
    pub qr_svg: String,
    pub qr_png: Vec<u8>,
    pub expires: Option<SystemTime>,
    pub passcode_required: bool,
}

impl std::fmt::Debug for ShareLinkOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ShareLinkOptions")
            .field("relay_url", &self.relay_url)
            .field("passcode", &self.passcode.as_ref().map(|_| "[REDACTED]"))
            .field("long_term", &self.long_term)
            .field("label", &self.label)
            .finish()
    }
}

impl std::fmt::Debug for SharedLink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SharedLink")
            .field("grant", &self.grant)
            .field("shlink", &"[REDACTED]")
            .field("viewer_url", &"[REDACTED]")
            .field("expires", &self.expires)
            .field("passcode_required", &self.passcode_required)
            .finish_non_exhaustive()
    }
}

/// What `refresh_shares` brought in from the relays.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ShareActivity {
    /// Openings (and refusals) of the owner's links, now in the audit log.
    pub access_events: u64,
    /// Replies to advice requests, now in their grants.
    pub replies: u64,
}

/// The grant `grant_id` and a client for the relay that hosts its link (`NotFound` when
/// there is no such grant or it was never published as a link).
fn published(record: &phr_core::Record, grant_id: &str) -> R<(phr_core::consent::Grant, HttpRelay)> {
    let g = record.grant(grant_id)?.ok_or(PhrError::NotFound { what: "grant".into() })?;
    let link = g.link.as_ref().ok_or(PhrError::NotFound { what: "link".into() })?;
    let relay = HttpRelay::for_record(record, &link.relay_url)?;
    Ok((g, relay))
}

fn shared_link(out: share::ShareOutcome) -> R<SharedLink> {
    Ok(SharedLink {
        qr_svg: out.qr_svg()?,
        qr_png: out.qr_png()?,
        expires: out
            .payload
            .exp
            .and_then(|s| u64::try_from(s).ok())
            .map(|s| SystemTime::UNIX_EPOCH + Duration::from_secs(s)),
        passcode_required: out.payload.flag.as_deref().is_some_and(|f| f.contains('P')),
        shlink: out.shlink,
        viewer_url: out.viewer_url,
        grant: out.grant.into(),
    })
}

#[uniffi::export(async_runtime = "tokio")]
impl PhrRecord {
    /// Grants `request`, checks it against the consent rules (refused: `InvalidInput`
    /// naming the field), encrypts the allowed sections as a FHIR Bundle under a fresh key
    /// and publishes the ciphertext on the relay. If the relay cannot be reached
    /// (`Network`), the new grant is revoked again and nothing was shared.
    pub async fn share_link(&self, request: GrantRequest, options: ShareLinkOptions) -> R<SharedLink> {
        let inner = self.inner.clone();
        blocking(move || {
            let relay = HttpRelay::for_record(&inner, &options.relay_url)?;
            let opts = ShareOptions {
                passcode: options.passcode.map(Into::into),
                long_term: options.long_term,
                label: options.label,
                max_attempts: None,
            };
            shared_link(share::create_share(&inner, request.into(), opts, &relay)?)
        })
        .await
    }

    /// The link of a grant published with `share_link`, to show its QR code again
    /// (`NotFound` for a grant without one). Offline.
    pub async fn shared_link(&self, grant_id: String) -> R<SharedLink> {
        let inner = self.inner.clone();
        crate::record::blocking(move || {
            let g = inner.grant(&grant_id)?.ok_or(PhrError::NotFound { what: "grant".into() })?;
            shared_link(share::outcome_for(&g).ok_or(PhrError::NotFound { what: "link".into() })?)
        })
        .await
    }

    /// The emergency card's pictures for a published link: the wallet card (PNG at 300 dpi,
    /// 85.6 x 54 mm, and SVG, both with the allergies, current medications, blood group and
    /// emergency contact printed), and a lock-screen image (1170 x 2532) with the QR code
    /// and no health text (a lock screen is public). Call again after
    /// `update_shared_link` when medications or allergies change: the printed lines follow.
    pub async fn emergency_card(&self, grant_id: String) -> R<EmergencyCard> {
        let inner = self.inner.clone();
        crate::record::blocking(move || {
            let g = inner.grant(&grant_id)?.ok_or(PhrError::NotFound { what: "grant".into() })?;
            let out = share::outcome_for(&g).ok_or(PhrError::NotFound { what: "link".into() })?;
            let lines = share::card::card_lines(&inner)?;
            Ok(EmergencyCard {
                wallet_png: share::card::wallet_png(&out, &lines)?,
                wallet_svg: share::card::wallet_svg(&out, &lines)?,
                // A lock screen is public: no health text on it.
                lock_screen_png: share::card::lock_screen_png(&out, None)?,
            })
        })
        .await
    }

    /// Brings a published link up to date (the emergency card after a medication or an
    /// allergy changed): the same link and QR code, the grant's sections as they are now
    /// (a section made private since is left out). `NotFound` for a revoked link.
    pub async fn update_shared_link(&self, grant_id: String) -> R<SharedLink> {
        let inner = self.inner.clone();
        blocking(move || {
            let (g, relay) = published(&inner, &grant_id)?;
            shared_link(share::update_share(&inner, &g.id, &relay)?)
        })
        .await
    }

    /// Answers the newest reply to a request for advice, once: the answer is encrypted
    /// under the link's key and published with the link, so the person who replied sees it
    /// when they open the link again. `InvalidInput { field: "already_answered" }` for a
    /// second answer, `"no_reply"` before a reply came, `"answer"` for an empty or too long
    /// text; `Network` if the relay cannot be reached (nothing is kept: try again).
    pub async fn answer_reply(&self, grant_id: String, text: String) -> R<Grant> {
        let inner = self.inner.clone();
        blocking(move || {
            let (g, relay) = published(&inner, &grant_id)?;
            Ok(share::answer::answer_reply(&inner, &g.id, &text, &relay)?.into())
        })
        .await
    }

    /// Lets the person a link was shared with try its passcode again now, when wrong tries
    /// made the relay hold them back (`GrantRow.can_reset_passcode_tries`). Noted in the
    /// audit log; `Network` if the relay cannot be reached.
    pub async fn reset_passcode_tries(&self, grant_id: String) -> R<Grant> {
        let inner = self.inner.clone();
        blocking(move || {
            let (g, relay) = published(&inner, &grant_id)?;
            Ok(share::reset_passcode_tries(&inner, &g.id, &relay)?.into())
        })
        .await
    }

    /// Takes a share back: first collects the link's last accesses and replies, then
    /// deletes the relay's copy and revokes the grant. If the relay cannot be reached the
    /// call fails (`Network`) and nothing changes, so the owner knows the copy is still
    /// there; `revoke_grant` then revokes it locally.
    pub async fn revoke_share(&self, grant_id: String) -> R<Grant> {
        let inner = self.inner.clone();
        blocking(move || {
            let g = inner.grant(&grant_id)?.ok_or(PhrError::NotFound { what: "grant".into() })?;
            let relay = match &g.link {
                Some(l) => Some(HttpRelay::for_record(&inner, &l.relay_url)?),
                None => None,
            };
            if let Some(r) = &relay {
                share::sync_from_relay(&inner, r)?;
            }
            Ok(share::revoke_share(&inner, &g.id, relay.as_ref().map(|r| r as &dyn share::relay::RelayApi))?
                .into())
        })
        .await
    }

    /// Asks every relay that hosts one of the owner's links who opened them (and who was
    /// refused), and fetches replies to advice requests. Everything lands in the audit log.
    /// An emergency card whose automatic update failed earlier (offline) is sent it now.
    pub async fn refresh_shares(&self) -> R<ShareActivity> {
        let inner = self.inner.clone();
        blocking(move || {
            // The emergency card's owed update rides along (`share::check_all`).
            let r = share::check_all(&inner)?;
            Ok(ShareActivity {
                access_events: r.activity.access_events as u64,
                replies: r.activity.replies as u64,
            })
        })
        .await
    }
}

/// After a write to `section`: brings the emergency card's link up to date on its relay
/// (`share::emergency`; the owner asked for this when they made the card). On a thread of
/// its own, so saving a medication never waits on the network (an offline phone, a slow
/// relay). A failure leaves the link as it was and owed its update, which
/// [`card_catches_up`] sends later; the write has succeeded either way.
pub(crate) fn card_follows(record: &Arc<phr_core::Record>, section: &str) {
    if !share::emergency::follows(section) {
        return;
    }
    let section = section.to_string();
    card_work(record, move |r| share::emergency::refresh_after_change(r, &section));
}

/// After a sync (the network is there and the owner asked for it): sends the emergency card
/// any update a failed refresh left it owed. Contacts no one when nothing is owed.
pub(crate) fn card_catches_up(record: &Arc<phr_core::Record>) {
    // Nearly always nothing is owed: no thread for that.
    if share::emergency::owed(record).is_ok_and(|o| o.is_empty()) {
        return;
    }
    card_work(record, share::emergency::catch_up);
}

/// Runs a card refresh on a thread of its own. Refreshes run one at a time and each reads the
/// record when its turn comes, so the last to run sends the newest content.
fn card_work(
    record: &Arc<phr_core::Record>,
    job: impl FnOnce(&phr_core::Record) -> phr_core::Result<share::emergency::Refreshed> + Send + 'static,
) {
    static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let record = record.clone();
    let spawned = std::thread::Builder::new().name("phr-card-refresh".into()).spawn(move || {
        let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        match job(&record) {
            Ok(r) if !r.failed.is_empty() => {
                log::warn!("emergency card not refreshed: {} link(s) owed an update", r.failed.len())
            }
            Ok(_) => {}
            Err(e) => log::warn!("emergency card not refreshed: {}", phr_core::PublicError::from(&e)),
        }
    });
    if spawned.is_err() {
        log::warn!("emergency card not refreshed: no thread");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use phr_core::consent as core;

    #[test]
    fn debug_shows_neither_the_passcode_nor_the_link() {
        let opts = ShareLinkOptions {
            relay_url: "https://relay.example".into(),
            passcode: Some("SENTINEL-PASSCODE".into()),
            long_term: false,
            label: None,
        };
        let d = format!("{opts:?}");
        assert!(!d.contains("SENTINEL") && d.contains("REDACTED"), "{d}");

        let t = chrono::Utc::now();
        let key = "SENTINELkeyAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
        let grant = core::Grant {
            id: "g".into(),
            recipient: core::Recipient {
                name: "Dr A".into(),
                role: "GP".into(),
                category: core::RecipientCategory::HealthProfessional,
            },
            sections: vec!["allergies".into()],
            purpose: "care".into(),
            message: None,
            start: t,
            expiry: None,
            revoked_at: None,
            created_at: t,
            link: Some(core::LinkInfo {
                relay_url: "https://relay.example".into(),
                link_id: "l".into(),
                key: key.into(),
                flag: String::new(),
                exp: None,
                label: None,
                log_seen: 0,
                replies_seen: 0,
            }),
            replies: vec![],
            answer: None,
            disclosure: Default::default(),
        };
        let link = shared_link(share::outcome_for(&grant).unwrap()).unwrap();
        // The link itself still carries the key for the recipient...
        assert!(share::ShlPayload::parse(&link.shlink).unwrap().key.expose_secret() == key);
        // ...but Debug shows neither it nor the link.
        let d = format!("{link:?}");
        assert!(!d.contains("SENTINEL") && !d.contains("shlink:/") && d.contains("REDACTED"), "{d}");
    }
}
