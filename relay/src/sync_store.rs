//! Storage for end-to-end encrypted multi-device sync (issue 8), behind one trait with the
//! same two implementations as [`crate::store::Store`]: `sqlite_sync.rs` and
//! `postgres_sync.rs`. Both hold only account ids, device public keys (Ed25519 and X25519),
//! op ids, counters, times and the clients' ciphertext (as the bytes the client sent in
//! base64url); never a key or a plaintext value.
//!
//! Every method that changes state is atomic: one transaction under the store mutex in
//! SQLite, one statement in PostgreSQL. Pushes are serialised per account (the account row's
//! `next_seq`), so a reader can never see seq N+1 before seq N is committed.

use crate::store::DbResult;
use std::future::Future;

/// The signer's standing in an account.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    Active,
    Removed,
    /// The account's recovery key (ADR 0048): may list, add and remove devices and read
    /// its own key envelopes; never pushes or pulls ops.
    Recovery,
    /// Not a device of this account (or no such account: the same answer).
    None,
}

/// A device as `GET /devices` lists it (the wire type, shared with the core's client).
pub use phr_relay_protocol::sync::DeviceRow;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AddDevice {
    /// The account did not exist; it was created with the signer as its first device.
    CreatedAccount,
    Added,
    AlreadyActive,
    /// The key was removed once and can never come back.
    TargetRemoved,
    /// The signer may not add devices here.
    Refused(Access),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pushed {
    Ok { accepted: i64, duplicates: i64, last_seq: i64 },
    StaleEpoch(i64),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpRow {
    pub seq: i64,
    pub id: String,
    pub epoch: i64,
    pub blob: Vec<u8>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PullPage {
    pub compacted_upto: i64,
    pub snapshot_upto: i64,
    pub last_seq: i64,
    /// Empty when `after < compacted_upto` (the caller answers `snapshotRequired`).
    pub ops: Vec<OpRow>,
    pub more: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SnapshotPut {
    Ok { pruned: i64, compacted_upto: i64 },
    Stale,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SnapshotRow {
    pub upto: i64,
    pub epoch: i64,
    pub blob: Vec<u8>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeysPut {
    Ok,
    StaleEpoch(i64),
    /// An envelope names a device that is not active in the account.
    NotADevice,
}

/// What a device's request to remove another one came to ([`SyncStore::ask_or_confirm_removal`]).
#[derive(Debug, PartialEq, Eq)]
pub enum RemovalStep {
    /// Recorded: another device has until `expires_at` to confirm.
    Asked { expires_at: i64 },
    /// A different device had asked (its request is used up): remove now.
    Confirmed { requester: String },
}

/// A new op for [`SyncStore::push`]: `(id, blob)`.
pub type NewOp = (String, Vec<u8>);

pub trait SyncStore: crate::store::Store + Send + Sync + 'static {
    /// The device's standing in the account.
    fn access(&self, account: &str, device: &str) -> impl Future<Output = DbResult<Access>> + Send;
    /// Adds `device` (creating the account when it has no device yet and `signer == device`);
    /// otherwise the signer must be an active device or the recovery key.
    fn add_device(
        &self,
        account: &str,
        signer: &str,
        device: &str,
        xkey: &str,
        now: i64,
    ) -> impl Future<Output = DbResult<AddDevice>> + Send;
    fn devices(&self, account: &str) -> impl Future<Output = DbResult<Vec<DeviceRow>>> + Send;
    /// The signer asks to remove `target`, or confirms what a different device asked and
    /// has not let expire. Asking again from the same device only renews its own request.
    /// Atomic across relay instances: two devices asking at once leave one request, and a
    /// request confirms at most once.
    fn ask_or_confirm_removal(
        &self,
        account: &str,
        target: &str,
        signer: &str,
        now: i64,
        ttl: i64,
    ) -> impl Future<Output = DbResult<RemovalStep>> + Send;
    /// Live removal requests of the account: `(target, requester)`.
    fn removal_requests(
        &self,
        account: &str,
        now: i64,
    ) -> impl Future<Output = DbResult<Vec<(String, String)>>> + Send;
    /// Marks the device removed (keeping the first removal time) and drops its key
    /// envelopes, and the removal requests for it and by it. False if it is not a device
    /// of the account.
    fn remove_device(
        &self,
        account: &str,
        device: &str,
        now: i64,
    ) -> impl Future<Output = DbResult<bool>> + Send;
    /// Makes `device` the account's one recovery key (status `recovery`), replacing any
    /// earlier one and its key envelopes. The caller checks who may.
    fn set_recovery(
        &self,
        account: &str,
        device: &str,
        xkey: &str,
        now: i64,
    ) -> impl Future<Output = DbResult<()>> + Send;
    /// Appends the ops whose ids are new for the account (ids already unique in `ops`).
    fn push(&self, account: &str, epoch: i64, ops: &[NewOp])
        -> impl Future<Output = DbResult<Pushed>> + Send;
    /// Records `device`'s ack = `after`, then reads up to `limit` ops after it.
    fn pull(
        &self,
        account: &str,
        device: &str,
        after: i64,
        limit: i64,
    ) -> impl Future<Output = DbResult<PullPage>> + Send;
    /// Stores the snapshot if `upto` is newer than the stored one and not beyond the log,
    /// then prunes ops up to min(upto, slowest active device's ack).
    fn put_snapshot(
        &self,
        account: &str,
        upto: i64,
        epoch: i64,
        blob: &[u8],
    ) -> impl Future<Output = DbResult<SnapshotPut>> + Send;
    /// Bytes the account keeps: `(ops, snapshot)` (for the quota).
    fn account_bytes(&self, account: &str) -> impl Future<Output = DbResult<(u64, u64)>> + Send;
    fn snapshot(&self, account: &str) -> impl Future<Output = DbResult<Option<SnapshotRow>>> + Send;
    /// Upserts `(device, blob)` envelopes for `epoch` (devices already unique; each an
    /// active device or the recovery key).
    fn put_keys(
        &self,
        account: &str,
        epoch: i64,
        envelopes: &[(String, Vec<u8>)],
    ) -> impl Future<Output = DbResult<KeysPut>> + Send;
    /// The device's own envelopes `(epoch, blob)`, by epoch.
    fn keys(&self, account: &str, device: &str)
        -> impl Future<Output = DbResult<Vec<(i64, Vec<u8>)>>> + Send;
    /// Pairing mailbox. Slots created at or before `cutoff` are expired (and purged here).
    /// True when stored; false when the slot is already taken.
    fn pair_hello(
        &self,
        slot: &str,
        blob: &[u8],
        now: i64,
        cutoff: i64,
    ) -> impl Future<Output = DbResult<bool>> + Send;
    /// True when stored (hello set, welcome not yet).
    fn pair_welcome(
        &self,
        slot: &str,
        blob: &[u8],
        cutoff: i64,
    ) -> impl Future<Output = DbResult<bool>> + Send;
    /// `(hello, welcome)` of a live slot.
    #[allow(clippy::type_complexity)]
    fn pair_get(
        &self,
        slot: &str,
        cutoff: i64,
    ) -> impl Future<Output = DbResult<Option<(Option<Vec<u8>>, Option<Vec<u8>>)>>> + Send;
}
