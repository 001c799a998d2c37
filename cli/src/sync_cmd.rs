//! `phr sync` and `phr device start|add|join|list|remove|recover`: one record on every device,
//! end-to-end encrypted through a relay. Only these commands talk to the sync relay, and
//! only to the one the owner set up.

use crate::terminal::{errln, outln};
use clap::Subcommand;
use phr_core::progress::CancelToken;
use phr_core::strings::English;
use phr_core::sync::{devices, recovery, RetryPolicy, SyncOptions, SyncState};
use phr_core::{crypto::PassphraseKeyStore, Record};
use serde_json::json;
use std::path::{Path, PathBuf};
use std::time::Duration;

#[derive(Subcommand)]
pub enum DeviceCmd {
    /// Switch sync on for this record (its first device), with a relay
    Start {
        #[arg(long, env = "PHR_RELAY", default_value = "http://127.0.0.1:8787")]
        relay: String,
        /// A name for this device, shown only on your devices
        #[arg(long, default_value = "this computer")]
        name: String,
    },
    /// Add a new device: shows a QR code to scan with it, then waits for it
    Add {
        /// How long to wait for the new device, in seconds
        #[arg(long, default_value_t = 300)]
        wait: u64,
        /// Also write the QR code as SVG here
        #[arg(long)]
        qr: Option<PathBuf>,
    },
    /// Join your record from another device using the code it shows (`phr device add`).
    /// The code is a secret: paste it when asked, pipe it on stdin, or set PHR_PAIR_CODE
    /// or --code-file (never on the command line, where `ps` shows it)
    Join {
        /// Refused: a code here would be visible to everyone on this computer
        #[arg(hide = true)]
        code: Option<String>,
        /// A file holding the code
        #[arg(long)]
        code_file: Option<PathBuf>,
        #[arg(long, default_value = "this computer")]
        name: String,
        #[arg(long, default_value_t = 300)]
        wait: u64,
    },
    /// Your devices
    List,
    /// Remove a lost device: it can no longer sync or read anything written from now on.
    /// The first device asks; run the same on another of your devices (not the one being
    /// removed) to confirm. With only this device at hand, use --recovery-key
    Remove {
        /// Device ID: the full ID or its first 6+ characters, as `phr device list` shows them
        device: String,
        /// Remove with your printed recovery key instead of a second device (asked for, or
        /// from PHR_RECOVERY_KEY or stdin; never on the command line)
        #[arg(long)]
        recovery_key: bool,
    },
    /// Bring this record back to your devices with your printed recovery key (after it was
    /// removed, or restored from a backup on a new computer); then it syncs
    Recover {
        /// A name for this device, shown only on your devices (default: as before)
        #[arg(long, default_value = "")]
        name: String,
    },
}

/// The printed recovery key from PHR_RECOVERY_KEY, a hidden prompt, or stdin.
fn recovery_key() -> Result<phr_core::crypto::RecoveryKey, String> {
    use std::io::IsTerminal;
    let text: phr_core::SecretString = match std::env::var("PHR_RECOVERY_KEY") {
        Ok(k) => k.into(),
        Err(_) if std::io::stdin().is_terminal() => rpassword::prompt_password("Recovery key: ")
            .map_err(|_| "no recovery key: type it when asked, or set PHR_RECOVERY_KEY".to_string())?
            .into(),
        Err(_) => read_line().map_err(|x| format!("no recovery key on stdin: {x}"))?.into(),
    };
    phr_core::crypto::RecoveryKey::parse(text.expose_secret()).map_err(e)
}

/// One line from stdin (the owner's answer, or a piped pairing code).
fn read_line() -> std::io::Result<String> {
    let mut line = String::new();
    std::io::stdin().read_line(&mut line)?;
    Ok(line)
}

/// The pairing code from PHR_PAIR_CODE, a file, a hidden prompt, or stdin, in that order.
fn pairing_code(file: Option<&Path>) -> Result<phr_core::SecretString, String> {
    use std::io::IsTerminal;
    if let Ok(c) = std::env::var("PHR_PAIR_CODE") {
        return Ok(c.into());
    }
    let code = match file {
        Some(f) => std::fs::read_to_string(f).map_err(|x| format!("{}: {x}", f.display()))?,
        None if std::io::stdin().is_terminal() => rpassword::prompt_password("Pairing code: ")
            .map_err(|_| "no pairing code: paste it when asked, or set PHR_PAIR_CODE".to_string())?,
        None => read_line().map_err(|x| format!("no pairing code on stdin: {x}"))?,
    };
    Ok(code.trim().to_string().into())
}

fn e(x: phr_core::Error) -> String {
    x.to_string()
}

/// One line per conflict the sync resolved: the catalogue's texts, then where to look.
fn conflict_line(c: &phr_core::store::SyncConflict) -> String {
    let note = phr_core::app::screens::conflict_note(c);
    let summary =
        phr_core::app::screens::Label::new("sync.conflict.summary").arg("section", c.section.clone());
    format!(
        "{} {} {} (`phr show {}`)",
        summary.english(),
        note.message.english(),
        note.restore.english(),
        c.entry_id
    )
}

pub fn sync(record: &Record, json_out: bool) -> Result<(), String> {
    let state = SyncState::require(record).map_err(e)?;
    let relay = devices::relay_for(&state, RetryPolicy::default()).map_err(e)?;
    let progress = crate::progress::Progress::new(json_out);
    let report = phr_core::sync::sync(record, &relay, &progress, &CancelToken::new(), SyncOptions::default())
        .map_err(e)?;
    progress.done();
    super::share_cmd::card_catches_up(record);
    if json_out {
        outln!("{}", serde_json::to_string_pretty(&report).map_err(|x| x.to_string())?);
    } else {
        outln!(
            "Synced with {}: sent {} changes, received {} ({} new, {} already here){}{}.",
            state.relay,
            report.pushed,
            report.pulled,
            report.applied,
            report.duplicates,
            if report.from_snapshot { ", starting from a snapshot" } else { "" },
            if report.snapshot_written { ", wrote a compaction snapshot" } else { "" }
        );
        if report.parked > 0 {
            outln!("{} changes wait for entries another device has not sent yet.", report.parked);
        }
        for c in &report.conflicts {
            outln!("{}", conflict_line(c));
        }
        for d in &report.damaged {
            outln!("{d}.");
        }
    }
    Ok(())
}

pub fn run(
    home: &Path,
    record: impl FnOnce() -> Result<Record, String>,
    cmd: DeviceCmd,
    json_out: bool,
    passphrase: impl FnOnce() -> Result<String, String>,
) -> Result<(), String> {
    match cmd {
        DeviceCmd::Start { relay, name } => {
            let r = record()?;
            let state = devices::start(&r, &relay, &name, RetryPolicy::default()).map_err(e)?;
            outln!("Sync is on. This device is {} on {}. Run `phr sync` to send your record (encrypted) to the relay.", state.device, state.relay);
        }
        DeviceCmd::Add { wait, qr } => {
            let r = record()?;
            let offer = devices::offer(&r).map_err(e)?;
            let code =
                qrcode::QrCode::new(offer.payload.expose_secret().as_bytes()).map_err(|x| x.to_string())?;
            let text = code.render::<qrcode::render::unicode::Dense1x2>().quiet_zone(true).build();
            errln!("{text}\nScan this with your new device, or run `phr device join` there and paste this when asked:\n  {}\n(the code works once, for {wait} seconds)", offer.payload.expose_secret());
            if let Some(path) = qr {
                let svg = phr_core::share::qr::svg(offer.payload.expose_secret()).map_err(e)?;
                // The picture holds the one-time secret: owner-only.
                phr_core::store::private_fs::write_private(&path, svg.as_bytes())
                    .map_err(|x| format!("{}: {x}", path.display()))?;
            }
            let codes_match = |code: &str| {
                errln!(
                    "A device answered. Does it show the code {code}? Type yes to send it your record's key:"
                );
                read_line().is_ok_and(|l| l.trim().eq_ignore_ascii_case("yes"))
            };
            match devices::approve(&r, &offer, Duration::from_secs(wait), RetryPolicy::default(), codes_match)
                .map_err(e)?
            {
                Some((device, _)) => outln!("Added device {device}."),
                None => return Err("no device answered the code in time".into()),
            }
        }
        DeviceCmd::Join { code, code_file, name, wait } => {
            if code.is_some() {
                return Err("the pairing code is a secret and on the command line everyone on this computer can see it (`ps`): run `phr device join` and paste it when asked, pipe it on stdin, or use PHR_PAIR_CODE or --code-file".into());
            }
            let code = pairing_code(code_file.as_deref())?;
            let path = home.join(phr_core::store::DB_FILE);
            if path.exists() {
                return Err(format!(
                    "{} already holds a record; join from an empty folder (--home)",
                    home.display()
                ));
            }
            let pending = devices::join_request(code.expose_secret(), &name).map_err(e)?;
            errln!(
                "Your other device should show the code {}: say yes there only if it does. Waiting...",
                pending.confirmation_code().map_err(e)?
            );
            let ks = PassphraseKeyStore::new(&passphrase()?).map_err(e)?;
            let Some(r) = devices::finish_join(pending, &path, &ks, Duration::from_secs(wait)).map_err(e)?
            else {
                return Err("your other device did not answer in time".into());
            };
            outln!("Joined. Fetching your record...");
            sync(&r, json_out)?;
        }
        DeviceCmd::List => {
            let r = record()?;
            let state = SyncState::require(&r).map_err(e)?;
            let relay = devices::relay_for(&state, RetryPolicy::default()).map_err(e)?;
            let list = devices::list(&r, &relay).map_err(e)?;
            if json_out {
                outln!("{}", json!(list));
            } else {
                for d in list {
                    let when = chrono::DateTime::from_timestamp_millis(d.added_at)
                        .map(|t| t.format("%Y-%m-%d").to_string())
                        .unwrap_or_default();
                    outln!(
                        "{}  {}  added {when}{}{}",
                        d.id,
                        if d.active { "active " } else { "removed" },
                        if d.this_device { "  (this device)" } else { "" },
                        match &d.removal_requested_by {
                            Some(by) if d.active => format!("  (device {by} asked to remove it)"),
                            _ => String::new(),
                        }
                    );
                }
            }
        }
        DeviceCmd::Remove { device, recovery_key: with_key } => {
            let r = record()?;
            let state = SyncState::require(&r).map_err(e)?;
            let relay = devices::relay_for(&state, RetryPolicy::default()).map_err(e)?;
            let removal = if with_key {
                let key = recovery_key()?;
                let epoch = recovery::remove_with_key(&r, &relay, &device, &key, RetryPolicy::default())
                    .map_err(e)?;
                devices::Removal::Removed { epoch }
            } else {
                devices::remove(&r, &relay, &device).map_err(e)?
            };
            match removal {
                devices::Removal::Removed { epoch } => {
                    if json_out {
                        outln!("{}", json!({"removed": true, "epoch": epoch}));
                    } else {
                        outln!(
                            "Removed {device}. Your other devices use a new key from now on (epoch {epoch})."
                        );
                    }
                }
                devices::Removal::TooNew { ready_at } => {
                    let when = chrono::DateTime::from_timestamp_millis(ready_at)
                        .map(|t| t.with_timezone(&chrono::Local).format("%Y-%m-%d %H:%M").to_string())
                        .unwrap_or_default();
                    if json_out {
                        outln!("{}", json!({"removed": false, "tooNew": true, "readyAt": ready_at}));
                    } else {
                        outln!(
                            "Not yet: this device was added less than a day ago, and a new device cannot remove \
                             another (so a stolen phone paired to a new one cannot remove yours). Run it on an \
                             older device, try again after {when}, or add --recovery-key."
                        );
                    }
                }
                devices::Removal::Pending { expires_at } => {
                    if json_out {
                        outln!("{}", json!({"removed": false, "pending": true, "expiresAt": expires_at}));
                    } else {
                        outln!(
                            "Asked. To finish, run `phr device remove {device}` on another of your devices \
                             (not the one being removed) within 10 minutes. With no other device at hand, \
                             add --recovery-key."
                        );
                    }
                }
            }
        }
        DeviceCmd::Recover { name } => {
            let r = record()?;
            let key = recovery_key()?;
            let id = recovery::recover(&r, &key, &name, RetryPolicy::default()).map_err(e)?;
            outln!("This device is back with your other devices (as {id}). Fetching what changed...");
            sync(&r, json_out)?;
        }
    }
    Ok(())
}
