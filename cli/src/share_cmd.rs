//! `phr share ...`, `phr grants` and `phr audit`: consent and SMART Health Links on the
//! command line. Only `share create|update|revoke|sync|answer|reset-tries` talk to a relay, and only to the one given
//! (or the one a link was made on).

use crate::terminal::{errln, outln};
use chrono::{DateTime, Duration, Utc};
use clap::Subcommand;
use phr_core::consent::{AuditEvent, Disclosure, Grant, GrantRequest, Recipient, RecipientCategory};
use phr_core::share::relay::HttpRelay;
use phr_core::share::{self, ShareOptions, ShareOutcome};
use phr_core::store::IdKind;
use phr_core::strings::English;
use phr_core::Record;
use serde_json::json;
use std::path::PathBuf;

#[derive(Subcommand)]
pub enum ShareCmd {
    /// Share chosen sections: prints a SMART Health Link and writes its QR code (PNG and SVG)
    /// into the record's private folder; anyone with the link or the QR picture can open it
    Create {
        /// Who it is for
        #[arg(long)]
        to: String,
        /// Their role: GP, physiotherapist, daughter...
        #[arg(long, default_value = "")]
        role: String,
        /// health_professional, social_care, family_or_carer, other_organisation, employer, insurer
        #[arg(long, default_value = "health_professional")]
        category: String,
        /// Section slugs, comma separated; `all` = every shareable section (never sensitive),
        /// `emergency` = the emergency card. An employer or insurer: each section by name
        #[arg(long, value_delimiter = ',', required_unless_present = "entries")]
        sections: Vec<String>,
        /// Only these entries (IDs or 6+ character prefixes, comma separated), not whole
        /// sections: one vaccination, one test result
        #[arg(long, value_delimiter = ',')]
        entries: Vec<String>,
        /// Include the GPS routes of shared activities (they can show where you live)
        #[arg(long)]
        include_tracks: bool,
        /// For an employer or insurer: you read what the share reveals and choose to share it
        /// (without it, the preview is shown and you are asked)
        #[arg(long)]
        i_understand: bool,
        /// Why you are sharing ("advice" lets them reply)
        #[arg(long)]
        purpose: String,
        /// Your question, for --purpose advice
        #[arg(long)]
        message: Option<String>,
        /// How long: 30m, 12h, 7d, 2w, or `never`
        #[arg(long, default_value = "7d")]
        expires: String,
        /// Require a passcode (from PHR_SHARE_PASSCODE, else a random one is printed)
        #[arg(long)]
        passcode: bool,
        /// Long-term link (flag L), e.g. an emergency card on your lock screen
        #[arg(long)]
        long_term: bool,
        /// Relay that hosts the encrypted copy
        #[arg(long, env = "PHR_RELAY", default_value = "http://127.0.0.1:8787")]
        relay: String,
        /// Where to write the QR code (default: the record's private folder, <home>/shares/,
        /// owner-only). The picture opens the share like the link does: keep it as private
        #[arg(long)]
        qr: Option<PathBuf>,
    },
    /// Your shares and their status
    List,
    /// Show a share's link again and rewrite its QR code
    Show {
        /// Share (grant) ID: the full ID or its first 6+ characters, as `phr share list` shows them
        id: String,
        /// Where to write the QR code (default: the record's private folder); the picture
        /// opens the share like the link does
        #[arg(long)]
        qr: Option<PathBuf>,
    },
    /// Bring a link's content up to date (same link and QR code), e.g. the emergency card
    /// after a medication or allergy changed
    Update {
        /// Share (grant) ID: the full ID or its first 6+ characters, as `phr share list` shows them
        id: String,
    },
    /// The emergency card's pictures for a link: wallet card (PNG at 300 dpi and SVG, with
    /// your allergies, current medications, blood group and emergency contact printed) and a
    /// lock-screen image, each with the QR code. The link itself follows your changes; run
    /// again to reprint the lines
    Card {
        /// Share (grant) ID: the full ID or its first 6+ characters
        id: String,
        /// Print the same lines on the lock-screen image too (anyone who picks up your phone
        /// can read a lock screen: off unless you ask)
        #[arg(long)]
        lock_screen_text: bool,
        /// Folder to write into (default: the record's private folder; the pictures open
        /// the share like the link does)
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Take a share back: deletes the relay's copy and revokes the grant
    Revoke {
        /// Share (grant) ID: the full ID or its first 6+ characters, as `phr share list` shows them
        id: String,
    },
    /// Pull who opened your links (and replies to questions) from the relay into your audit log,
    /// and send your emergency card an update it missed while you were offline
    Sync,
    /// Answer the reply to your question, once: the answer is encrypted and added to the
    /// link, so the person who replied sees it when they open the link again
    Answer {
        /// Share (grant) ID: the full ID or its first 6+ characters
        id: String,
        /// Your answer
        text: String,
    },
    /// Let the person you shared with try the link's passcode again now, when wrong tries
    /// made the relay hold them back ("too many attempts"); `phr share list` shows the count
    ResetTries {
        /// Share (grant) ID: the full ID or its first 6+ characters
        id: String,
    },
}

/// The furthest ahead a link may expire; beyond, `never` says what is meant.
const MAX_EXPIRY_DAYS: i64 = 3650;

fn parse_expiry(s: &str) -> Result<Option<DateTime<Utc>>, String> {
    parse_expiry_at(s, Utc::now())
}

/// `--expires` relative to `now`: `never`, an RFC 3339 time, or a count and a unit (s, m,
/// h, d, w) of at most ten years. Anything else, however long or odd, is an error.
fn parse_expiry_at(s: &str, now: DateTime<Utc>) -> Result<Option<DateTime<Utc>>, String> {
    let s = s.trim();
    let usage = || format!("--expires {s:?}: use 30m, 12h, 7d, 2w, never or a date-time");
    if s == "never" {
        return Ok(None);
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(Some(t.with_timezone(&Utc)));
    }
    // By character, not byte: "7é" must not split inside the "é".
    let unit = s.chars().last().ok_or_else(usage)?;
    let num = &s[..s.len() - unit.len_utf8()];
    if num.is_empty() || !num.bytes().all(|b| b.is_ascii_digit()) {
        return Err(usage());
    }
    let n: i64 = num.parse().map_err(|_| usage())?;
    let secs_per = match unit {
        's' => 1,
        'm' => 60,
        'h' => 3600,
        'd' => 86_400,
        'w' => 7 * 86_400,
        _ => return Err(usage()),
    };
    let too_far =
        || format!("--expires {s:?}: at most {MAX_EXPIRY_DAYS} days (ten years); use never for no end");
    let secs = n.checked_mul(secs_per).filter(|x| *x <= MAX_EXPIRY_DAYS * 86_400).ok_or_else(too_far)?;
    if secs == 0 {
        return Err(format!("--expires {s:?}: the link would expire at once"));
    }
    now.checked_add_signed(Duration::seconds(secs)).map(Some).ok_or_else(too_far)
}

/// Six random digits. A v4 uuid's bytes come from the OS generator, which saves the CLI
/// another dependency; the relay's lifetime attempt limit is what makes six digits enough.
fn random_passcode() -> String {
    let u = uuid::Uuid::new_v4();
    let b = u.as_bytes();
    format!("{:06}", u32::from_le_bytes([b[0], b[1], b[2], b[3]]) % 1_000_000)
}

/// The folder QR codes go to by default: `shares/` beside the record, readable by the owner
/// only, because the picture holds the link's key and opens the share like the link does.
/// (The current folder may be synced to a cloud drive or shared.)
fn private_qr_dir(record: &Record) -> Result<PathBuf, String> {
    let dir = record.path().parent().map_or_else(|| PathBuf::from("shares"), |h| h.join("shares"));
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700))
            .map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    Ok(dir)
}

use phr_core::store::private_fs::write_private;

fn write_qr(
    record: &Record,
    out: &ShareOutcome,
    path: Option<PathBuf>,
) -> Result<(PathBuf, PathBuf), String> {
    let png = match path {
        Some(p) => p,
        None => {
            private_qr_dir(record)?.join(format!("phr-share-{}.png", out.grant.id.get(..8).unwrap_or("link")))
        }
    };
    let svg = png.with_extension("svg");
    // Both pictures open the share like the link does: owner-only wherever they go.
    write_private(&png, &out.qr_png().map_err(|e| e.to_string())?)
        .map_err(|e| format!("{}: {e}", png.display()))?;
    write_private(&svg, out.qr_svg().map_err(|e| e.to_string())?.as_bytes())
        .map_err(|e| format!("{}: {e}", svg.display()))?;
    Ok((png, svg))
}

fn print_outcome(out: &ShareOutcome, qr: (PathBuf, PathBuf), passcode: Option<&str>, json: bool) {
    if json {
        outln!(
            "{}",
            json!({"grant_id": out.grant.id, "shlink": out.shlink, "viewer_url": out.viewer_url, "qr_png": qr.0, "qr_svg": qr.1,
                   "passcode": passcode, "sections": out.grant.sections, "expires": out.grant.expiry})
        );
    } else {
        outln!(
            "Shared with {} ({}): {}",
            out.grant.recipient.name,
            out.grant.recipient.category.as_str(),
            out.grant.sections.join(", ")
        );
        outln!("Link:  {}", out.viewer_url);
        outln!("QR:    {} and {}", qr.0.display(), qr.1.display());
        outln!("       (the QR picture opens the share like the link: send it only to them)");
        if let Some(p) = passcode {
            outln!("Passcode: {p}  (tell them separately, not with the link)");
        }
        match out.grant.expiry {
            Some(e) => outln!("Expires: {}", e.format("%Y-%m-%d %H:%M UTC")),
            None => outln!("Expires: never (revoke it with `phr share revoke {}`)", out.grant.id),
        }
        outln!("Grant: {}", out.grant.id);
    }
}

/// Shows what the share would reveal (on stderr, so `--json` output stays clean); for an
/// employer or insurer, the share goes ahead only with `--i-understand` or a typed "yes".
fn confirm(record: &Record, req: &GrantRequest, i_understand: bool) -> Result<bool, String> {
    let p = phr_core::consent::preview::disclosure_preview(record, req).map_err(|e| e.to_string())?;
    if !p.needs_confirmation {
        return Ok(false);
    }
    errln!("{}", phr_core::strings::text("share.preview.title"));
    for l in &p.lines {
        errln!("  - {}", l.english());
    }
    if i_understand {
        return Ok(true);
    }
    use std::io::{BufRead, IsTerminal, Write};
    if !std::io::stdin().is_terminal() {
        return Err(format!(
            "{} Add --i-understand to share anyway.",
            phr_core::strings::text("share.confirmation_needed")
        ));
    }
    let mut err = std::io::stderr();
    let _ = write!(err, "{} [yes/no] ", phr_core::strings::text("share.preview.confirm"));
    let _ = err.flush();
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line).map_err(|e| e.to_string())?;
    if line.trim().eq_ignore_ascii_case("yes") {
        Ok(true)
    } else {
        Err("Nothing was shared.".into())
    }
}

fn find(record: &Record, id: &str) -> Result<Grant, String> {
    let id = record.resolve_id(IdKind::Share, id).map_err(|e| e.to_string())?;
    record.grant(&id).map_err(|e| e.to_string())?.ok_or_else(|| format!("no share {id}"))
}

/// The share `id` and a client for the relay that hosts its link; `no_link` when it has none.
fn published(record: &Record, id: &str, no_link: &str) -> Result<(Grant, HttpRelay), String> {
    let g = find(record, id)?;
    let link = g.link.as_ref().ok_or(no_link)?;
    let client = HttpRelay::for_record(record, &link.relay_url).map_err(|e| e.to_string())?;
    Ok((g, client))
}

pub fn run(record: &Record, cmd: ShareCmd, json: bool) -> Result<(), String> {
    match cmd {
        ShareCmd::Create {
            to,
            role,
            category,
            sections,
            entries,
            include_tracks,
            i_understand,
            purpose,
            message,
            expires,
            passcode,
            long_term,
            relay,
            qr,
        } => {
            let category = RecipientCategory::parse(&category).map_err(|e| e.to_string())?;
            let pass = if passcode {
                Some(match std::env::var("PHR_SHARE_PASSCODE") {
                    Ok(p) if !p.is_empty() => p,
                    _ => random_passcode(),
                })
            } else {
                None
            };
            let mut req = GrantRequest {
                recipient: Recipient { name: to, role, category },
                sections,
                purpose,
                message,
                start: None,
                expiry: parse_expiry(&expires)?,
                disclosure: Disclosure { entries, include_tracks, confirmed: false },
            };
            req.disclosure.confirmed = confirm(record, &req, i_understand)?;
            let client = HttpRelay::for_record(record, &relay).map_err(|e| e.to_string())?;
            let out = share::create_share(
                record,
                req,
                ShareOptions {
                    passcode: pass.clone().map(Into::into),
                    long_term,
                    label: None,
                    max_attempts: None,
                },
                &client,
            )
            .map_err(|e| e.to_string())?;
            let files = write_qr(record, &out, qr)?;
            print_outcome(&out, files, pass.as_deref(), json);
        }
        ShareCmd::Show { id, qr } => {
            let g = find(record, &id)?;
            let out = share::outcome_for(&g).ok_or("this grant has no link")?;
            let files = write_qr(record, &out, qr)?;
            print_outcome(&out, files, None, json);
        }
        ShareCmd::List => grants(record, json)?,
        ShareCmd::Card { id, out, lock_screen_text } => {
            use phr_core::share::card;
            let g = find(record, &id)?;
            let link = share::outcome_for(&g).ok_or("this share has no link")?;
            let dir = match out {
                Some(d) => d,
                None => private_qr_dir(record)?,
            };
            std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
            let stem = format!("phr-card-{}", g.id.get(..8).unwrap_or("card"));
            let lines = card::card_lines(record).map_err(|e| e.to_string())?;
            let files = [
                (
                    dir.join(format!("{stem}-wallet.png")),
                    card::wallet_png(&link, &lines).map_err(|e| e.to_string())?,
                ),
                (
                    dir.join(format!("{stem}-wallet.svg")),
                    card::wallet_svg(&link, &lines).map_err(|e| e.to_string())?.into_bytes(),
                ),
                (
                    dir.join(format!("{stem}-lock-screen.png")),
                    card::lock_screen_png(&link, lock_screen_text.then_some(lines.as_slice()))
                        .map_err(|e| e.to_string())?,
                ),
            ];
            for (path, bytes) in &files {
                std::fs::write(path, bytes).map_err(|e| format!("{}: {e}", path.display()))?;
            }
            if json {
                outln!(
                    "{}",
                    json!({"wallet_png": files[0].0, "wallet_svg": files[1].0, "lock_screen_png": files[2].0})
                );
            } else {
                for (path, _) in &files {
                    outln!("Wrote {}", path.display());
                }
            }
        }
        ShareCmd::Update { id } => {
            let (g, client) = published(record, &id, "this share has no link to update")?;
            let out = share::update_share(record, &g.id, &client).map_err(|e| e.to_string())?;
            if json {
                outln!("{}", json!({"updated": out.grant.id, "shlink": out.shlink}));
            } else {
                outln!(
                    "Updated: {} now sees your record as it is today, through the same link.",
                    out.grant.recipient.name
                );
            }
        }
        ShareCmd::Revoke { id } => {
            let g = find(record, &id)?;
            let client = match &g.link {
                Some(l) => Some(HttpRelay::for_record(record, &l.relay_url).map_err(|e| e.to_string())?),
                None => None,
            };
            if let Some(c) = &client {
                // Collect the last accesses and replies before the relay forgets the link.
                let _ = share::sync_from_relay(record, c);
            }
            let g =
                share::revoke_share(record, &g.id, client.as_ref().map(|c| c as &dyn share::relay::RelayApi))
                    .map_err(|e| e.to_string())?;
            if json {
                outln!("{}", json!({"revoked": g.id}));
            } else {
                outln!("Revoked: {} can no longer open it; the relay's copy is deleted.", g.recipient.name);
            }
        }
        ShareCmd::ResetTries { id } => {
            let (g, client) = published(record, &id, "this share has no link")?;
            let g = share::reset_passcode_tries(record, &g.id, &client).map_err(|e| e.to_string())?;
            if json {
                outln!("{}", json!({"reset": g.id}));
            } else {
                outln!("{}", phr_core::strings::text("ui.sharing.let_try_again_done"));
            }
        }
        ShareCmd::Answer { id, text } => {
            let (g, client) = published(record, &id, "this share has no link to answer through")?;
            let g = share::answer::answer_reply(record, &g.id, &text, &client).map_err(|e| match e {
                phr_core::Error::Invalid { field: "already_answered", .. } => {
                    phr_core::strings::text("error.already_answered").to_string()
                }
                phr_core::Error::Invalid { field: "no_reply", .. } => {
                    phr_core::strings::text("error.no_reply").to_string()
                }
                e => e.to_string(),
            })?;
            if json {
                outln!("{}", json!({"answered": g.id, "answer": g.answer}));
            } else {
                outln!(
                    "Answer sent. {} will see it under their reply when they open the link again.",
                    g.recipient.name
                );
            }
        }
        ShareCmd::Sync => {
            let r = share::check_all(record).map_err(|e| e.to_string())?;
            let (events, replies) = (r.activity.access_events, r.activity.replies);
            if json {
                outln!(
                    "{}",
                    json!({"access_events": events, "replies": replies, "cards_updated": r.cards.updated.len(), "cards_owed": r.cards.failed.len()})
                );
            } else {
                outln!("{events} new access event(s), {replies} new reply(ies). See `phr audit`.");
                for g in record.grants().map_err(|e| e.to_string())? {
                    for r in &g.replies {
                        outln!("Reply from {} ({}): {}", r.from, r.at.format("%Y-%m-%d %H:%M"), r.text);
                    }
                }
            }
            card_notes(&r.cards);
        }
    }
    Ok(())
}

/// `phr grants`
pub fn grants(record: &Record, json: bool) -> Result<(), String> {
    let gs = record.grants().map_err(|e| e.to_string())?;
    let now = Utc::now();
    if json {
        let v: Vec<_> = gs
            .iter()
            .map(|g| {
                json!({"id": g.id, "recipient": g.recipient, "sections": g.sections, "purpose": g.purpose, "status": g.status(now),
                       "expiry": g.expiry, "link": g.link.as_ref().map(|l| json!({"relay": l.relay_url, "flag": l.flag})), "replies": g.replies})
            })
            .collect();
        outln!("{}", serde_json::Value::Array(v));
        return Ok(());
    }
    if gs.is_empty() {
        outln!("You have not shared anything. Nobody but you can see your record.");
    }
    // Wrong passcode tries, counted as the apps' sharing screen counts them.
    let screen = phr_core::app::screens::sharing_screen(record, now).map_err(|e| e.to_string())?;
    for g in gs {
        let status = format!("{:?}", g.status(now)).to_lowercase();
        let exp = g
            .expiry
            .map(|e| format!("until {}", e.format("%Y-%m-%d")))
            .unwrap_or_else(|| "no end date".into());
        outln!(
            "{}  {:<8} {} ({}, {})  {}  [{}]  {}",
            &g.id[..8],
            status,
            g.recipient.name,
            g.recipient.role,
            g.recipient.category.as_str(),
            g.sections.join(","),
            g.purpose,
            exp
        );
        for r in &g.replies {
            outln!("          Reply from {} ({}): {}", r.from, r.at.format("%Y-%m-%d %H:%M"), r.text);
        }
        if let Some(a) = &g.answer {
            outln!("          Your answer ({}): {}", a.at.format("%Y-%m-%d %H:%M"), a.text);
        }
        let row = screen.grants.iter().find(|r| r.id == g.id);
        if let Some(row) = row.filter(|r| r.can_reset_passcode_tries) {
            if let Some(l) = &row.wrong_passcodes_label {
                use phr_core::strings::English;
                outln!("          {} (phr share reset-tries {})", l.english(), &g.id[..8]);
            }
        }
        if let Some(l) = row.and_then(|r| r.update_owed_label.as_ref()) {
            use phr_core::strings::English;
            outln!("          {} (phr share update {})", l.english(), &g.id[..8]);
        }
    }
    Ok(())
}

fn line(e: &AuditEvent) -> String {
    let what = if e.sections.is_empty() { String::new() } else { format!(" {}", e.sections.join(",")) };
    format!(
        "{:>4}  {}  {:<15} {}{}  {}",
        e.seq,
        e.at.format("%Y-%m-%d %H:%M:%S"),
        format!("{:?}", e.action).to_lowercase(),
        e.actor,
        what,
        e.detail
    )
}

/// `phr audit [--verify]`
pub fn audit(record: &Record, verify: bool, json: bool) -> Result<(), String> {
    if verify {
        let v = record.verify_audit().map_err(|e| e.to_string())?;
        if json {
            outln!("{}", serde_json::to_string(&v).map_err(|e| e.to_string())?);
        } else if v.ok {
            outln!("Audit log verified: {} entries, each chained to the one before.", v.entries);
        }
        if !v.ok {
            let (seq, why) = v.problem.unwrap_or((0, "unknown".into()));
            return Err(format!("the audit log does not verify at entry {seq}: {why}"));
        }
        return Ok(());
    }
    let log = record.audit_log().map_err(|e| e.to_string())?;
    if json {
        outln!("{}", serde_json::to_string(&log).map_err(|e| e.to_string())?);
    } else if log.is_empty() {
        outln!("Nobody has seen anything from your record.");
    } else {
        for e in &log {
            outln!("{}", line(e));
        }
    }
    Ok(())
}

/// After a write to `section`: keeps the emergency card's link current (`share::emergency`:
/// the owner asked for that when they made the card). Notes go to stderr, so `--json`
/// output stays one document; the write itself has already succeeded.
pub fn card_follows(record: &Record, section: &str) {
    if let Ok(r) = share::emergency::refresh_after_change(record, section) {
        card_notes(&r);
    }
}

/// After `phr sync`: sends the emergency card an update a failed refresh left it owed.
pub fn card_catches_up(record: &Record) {
    if let Ok(r) = share::emergency::catch_up(record) {
        card_notes(&r);
    }
}

/// What a card refresh did, on stderr.
fn card_notes(r: &share::emergency::Refreshed) {
    if !r.updated.is_empty() {
        errln!("Your emergency card's link now shows your latest changes (same QR code).");
    }
    if !r.failed.is_empty() {
        errln!(
            "Your emergency card's link could not be updated (no connection?). It will be sent at your next `phr sync` or `phr share sync`."
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_issues_inputs_are_clear_errors() {
        for bad in ["7é", "100000000d", "99999999999999999s", "", "d", "-5d", "+5d", "0d", "5 d", "5x", "é"]
        {
            assert!(parse_expiry(bad).is_err(), "{bad:?}");
        }
        let now = Utc::now();
        assert_eq!(parse_expiry_at("7d", now).unwrap(), Some(now + Duration::days(7)));
        assert_eq!(parse_expiry_at("3650d", now).unwrap(), Some(now + Duration::days(3650)));
        assert!(parse_expiry_at("3651d", now).is_err());
        assert_eq!(parse_expiry("never").unwrap(), None);
    }

    proptest! {
        #[test]
        fn any_text_gives_a_time_ahead_or_an_error(s in "\\PC{0,24}") {
            let now = Utc::now();
            if let Ok(Some(t)) = parse_expiry_at(&s, now) {
                if DateTime::parse_from_rfc3339(s.trim()).is_err() {
                    prop_assert!(t > now && t <= now + Duration::days(MAX_EXPIRY_DAYS));
                }
            }
        }

        #[test]
        fn any_count_and_unit_gives_a_time_ahead_or_an_error(n in any::<u64>(), unit in "[smhdwé]", pad in "[0 ]{0,3}") {
            let now = Utc::now();
            if let Ok(t) = parse_expiry_at(&format!("{pad}{n}{unit}"), now) {
                let t = t.unwrap();
                prop_assert!(t > now && t <= now + Duration::days(MAX_EXPIRY_DAYS));
            }
        }
    }
}
