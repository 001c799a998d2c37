//! One sync round: fetch any new epoch keys, push local ops, pull and merge everything
//! new (from a snapshot when the relay has compacted past this device), and write a
//! compaction snapshot when enough ops have piled up. Safe to interrupt anywhere: pushes
//! are idempotent on the relay, and each pulled page is applied in the same transaction
//! that moves the cursor, so a crash or a dropped connection resumes where it stopped.
//! An op the relay serves that this device cannot open (damaged or altered on the relay)
//! does not stop the pull: it is reported by its sequence number, set aside in the
//! device-local setting `sync.quarantine` (tried again at each sync, in case a key it needs
//! arrives later), and the rest is merged.

use super::envelope::{open_op, open_snapshot, seal_op, seal_snapshot, EpochKeys};
use super::relay_api::{PulledOp, PushOutcome, Snapshot, SyncRelay};
use super::state::{SyncState, STATE_SETTING};
use crate::progress::{CancelToken, ProgressListener};
use crate::{Error, Record, Result};
use serde::{Deserialize, Serialize};

/// Ops per push request.
const PUSH_BATCH: usize = 200;
/// Ops per pull page.
const PULL_PAGE: u32 = 500;
/// Where ops from the relay that this device could not open are set aside (device-local).
pub const QUARANTINE_SETTING: &str = "sync.quarantine";
/// Set-aside ops kept at most; past it, a damaged op is reported and skipped.
const MAX_QUARANTINE: usize = 1_000;

/// An op the relay served that this device could not open. It came from the relay: the
/// local record is not damaged by it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DamagedOp {
    /// Its sequence number in the account's log on the relay.
    pub seq: i64,
    pub id: String,
    /// Why it could not be opened (never a record value).
    pub reason: String,
}

impl std::fmt::Display for DamagedOp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "change #{} from the relay could not be opened ({}); it was set aside",
            self.seq, self.reason
        )
    }
}

fn damaged(p: &PulledOp, e: &Error) -> DamagedOp {
    let reason = match e {
        Error::Undecryptable | Error::Crypto(_) => {
            "it does not decrypt with the account's keys: damaged or altered on the relay".to_string()
        }
        Error::Corrupt(m) => format!("{m}: damaged on the relay"),
        other => other.to_string(),
    };
    DamagedOp { seq: p.seq, id: p.op.id.clone(), reason }
}

/// Ops on the relay past its snapshot before this device writes a new one.
pub const COMPACT_AFTER: i64 = 2_000;

#[derive(Clone, Copy, Debug)]
pub struct SyncOptions {
    pub compact_after: i64,
}

impl Default for SyncOptions {
    fn default() -> Self {
        Self { compact_after: COMPACT_AFTER }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncReport {
    pub pushed: u64,
    pub pulled: u64,
    pub applied: u64,
    pub duplicates: u64,
    /// Ops still waiting for the entry they are about.
    pub parked: u64,
    /// Ops a merge rule refused (an edit of a medical-record entry not from its source).
    pub refused: u64,
    pub from_snapshot: bool,
    pub snapshot_written: bool,
    /// The relay sequence number this device has now applied up to.
    pub cursor: i64,
    /// Entries two devices edited without seeing each other's edit: which value won,
    /// which lost (it is in the entry's history) and when. Also kept as notes on the
    /// entries until the owner dismisses them.
    #[serde(default)]
    pub conflicts: Vec<crate::store::SyncConflict>,
    /// Ops from the relay this device could not open, by sequence number: set aside, the
    /// rest merged (still listed while they stay aside).
    #[serde(default)]
    pub damaged: Vec<DamagedOp>,
}

/// Takes the epoch keys the relay holds for this device (sealed to its X25519 key).
pub(crate) fn refresh_keys(state: &mut SyncState, relay: &dyn SyncRelay) -> Result<bool> {
    let mut changed = false;
    let me = state.box_key()?;
    for env in relay.keys()? {
        if state.epochs.has(env.epoch) {
            continue;
        }
        let raw = super::envelope::open_with(&me, &env.blob, super::devices::EPOCH_CONTEXT)?;
        let key: [u8; 32] =
            raw.as_slice().try_into().map_err(|_| Error::Corrupt("an epoch key has the wrong length"))?;
        state.epochs.insert(env.epoch, &key);
        changed = true;
    }
    Ok(changed)
}

fn save_in(record: &Record, tx: &rusqlite::Connection, state: &SyncState) -> Result<()> {
    record.set_device_setting_in(tx, STATE_SETTING, state)
}

/// Device-local setting: true once the relay refused this device as removed (the devices
/// screen then offers to bring it back with the recovery key); cleared by `recovery::recover`.
pub const REMOVED_SETTING: &str = "sync.removed";

/// Runs one full sync round against `relay`.
pub fn sync(
    record: &Record,
    relay: &dyn SyncRelay,
    progress: &dyn ProgressListener,
    cancel: &CancelToken,
    opts: SyncOptions,
) -> Result<SyncReport> {
    let out = sync_round(record, relay, progress, cancel, opts);
    if let Err(Error::Denied(m)) = &out {
        if *m == super::relay_api::REMOVED {
            record.set_setting(REMOVED_SETTING, &true)?;
        }
    }
    out
}

fn sync_round(
    record: &Record,
    relay: &dyn SyncRelay,
    progress: &dyn ProgressListener,
    cancel: &CancelToken,
    opts: SyncOptions,
) -> Result<SyncReport> {
    let mut state = SyncState::require(record)?;
    let mut report = SyncReport::default();
    let registered = state.recovery_registered.clone();
    let refreshed = refresh_keys(&mut state, relay)?;
    // The recovery key reaches the relay with the first round after it was made (ADR 0048);
    // a failure here is retried next round and must not stop the sync itself.
    if let Err(e) = super::recovery::register(record, &mut state, relay) {
        log::warn!("the recovery key could not be registered with the relay: {e}");
    }
    if refreshed || state.recovery_registered != registered {
        state.save(record)?;
    }

    // Push.
    loop {
        cancel.check()?;
        let ops = record.ops_to_push(PUSH_BATCH)?;
        if ops.is_empty() {
            break;
        }
        let wire =
            ops.iter().map(|op| seal_op(&state.epochs, &state.account, op)).collect::<Result<Vec<_>>>()?;
        match relay.push(state.epochs.current, &wire)? {
            PushOutcome::Accepted { .. } => {
                record.mark_pushed(&wire.iter().map(|w| w.id.clone()).collect::<Vec<_>>())?;
                report.pushed += wire.len() as u64;
                progress.on_progress("pushing changes", report.pushed, 0);
            }
            PushOutcome::StaleEpoch(epoch) => {
                // A device was removed meanwhile: take the new key, seal again.
                if !refresh_keys(&mut state, relay)? || state.epochs.current < epoch {
                    return Err(Error::Denied(
                        "the record's devices changed and this device was not given the new key",
                    ));
                }
                state.save(record)?;
            }
        }
    }

    // Ops set aside earlier: a key they need may have arrived since.
    let mut quarantine: Vec<PulledOp> = record.setting(QUARANTINE_SETTING)?.unwrap_or_default();
    if !quarantine.is_empty() {
        let (mut ops, mut still) = (Vec::new(), Vec::new());
        for p in quarantine {
            match open_op(&state.epochs, &state.account, &p.op) {
                Ok(op) => ops.push(op),
                Err(e) => {
                    report.damaged.push(damaged(&p, &e));
                    still.push(p);
                }
            }
        }
        if !ops.is_empty() {
            let n = ops.len() as u64;
            let applied = record
                .apply_remote(ops, |tx| record.set_device_setting_in(tx, QUARANTINE_SETTING, &still))?;
            add(&mut report, applied, n);
        }
        quarantine = still;
    }

    // Pull.
    let mut snapshot_upto: i64;
    loop {
        cancel.check()?;
        let page = relay.pull(state.cursor, PULL_PAGE)?;
        snapshot_upto = page.snapshot_upto;
        if page.snapshot_required {
            let snap =
                relay.snapshot()?.ok_or(Error::Corrupt("the relay compacted its log but has no snapshot"))?;
            if !state.epochs.has(snap.epoch) {
                refresh_keys(&mut state, relay)?;
            }
            let ops = open_snapshot(&state.epochs, &state.account, snap.upto, snap.epoch, &snap.blob)?;
            let n = ops.len() as u64;
            state.cursor = snap.upto;
            let applied = record.apply_remote_noting(ops, false, |tx| save_in(record, tx, &state))?;
            add(&mut report, applied, n);
            report.from_snapshot = true;
            continue;
        }
        if page.ops.is_empty() {
            break;
        }
        if page.ops.iter().any(|p| !state.epochs.has(p.op.epoch)) {
            refresh_keys(&mut state, relay)?;
        }
        let mut ops = Vec::with_capacity(page.ops.len());
        let mut set_aside = false;
        for p in &page.ops {
            match open_op(&state.epochs, &state.account, &p.op) {
                Ok(op) => ops.push(op),
                Err(e) => {
                    report.damaged.push(damaged(p, &e));
                    if quarantine.len() < MAX_QUARANTINE && !quarantine.iter().any(|q| q.seq == p.seq) {
                        quarantine.push(p.clone());
                    }
                    set_aside = true;
                }
            }
        }
        let n = ops.len() as u64;
        state.cursor = page.ops.iter().map(|p| p.seq).max().unwrap_or(state.cursor);
        // The cursor moves past a damaged op in the same transaction that sets it aside.
        let applied = record.apply_remote(ops, |tx| {
            save_in(record, tx, &state)?;
            if set_aside {
                record.set_device_setting_in(tx, QUARANTINE_SETTING, &quarantine)?;
            }
            Ok(())
        })?;
        add(&mut report, applied, n);
        progress.on_progress(
            "merging changes from your other devices",
            report.pulled,
            page.last_seq.max(0) as u64,
        );
        // No early exit on `!more`: the closing empty pull tells the relay this device
        // holds everything up to its cursor, which lets the relay prune.
    }
    report.cursor = state.cursor;
    report.parked = record.sync_counts()?.2;
    record.set_setting(crate::store::LAST_SYNC_SETTING, &chrono::Utc::now().timestamp_millis())?;

    // Compact: everything this device holds covers every op up to its cursor.
    if state.cursor - snapshot_upto >= opts.compact_after && record.ops_to_push(1)?.is_empty() {
        let ops = record.compacted_ops()?;
        let blob = seal_snapshot(&state.epochs, &state.account, state.cursor, &ops)?;
        report.snapshot_written =
            relay.put_snapshot(&Snapshot { upto: state.cursor, epoch: state.epochs.current, blob })?;
    }
    // The device list too: a removal waiting for a confirmation reaches the owner's other
    // screens with their next sync (ADR 0048), and a warning when it is about this device.
    super::devices::list(record, relay)?;
    Ok(report)
}

fn add(report: &mut SyncReport, a: crate::store::ApplyReport, pulled: u64) {
    report.pulled += pulled;
    report.applied += a.applied;
    report.duplicates += a.duplicates;
    report.refused += a.refused;
    report.conflicts.extend(a.conflicts);
}

/// The epoch keys a device holds (for tests and `phr device list`).
pub fn epoch_keys(record: &Record) -> Result<EpochKeys> {
    Ok(SyncState::require(record)?.epochs)
}
