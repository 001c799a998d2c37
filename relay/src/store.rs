//! Storage behind one trait: [`crate::sqlite::SqliteStore`] (default, zero set-up) and
//! [`crate::postgres::PgStore`] (many relay instances, one database). Both hold only
//! random ids, the owner's public key, times, counters, salted passcode hashes and JWE
//! ciphertext; never a key or a plaintext value.

use std::future::Future;

pub type DbResult<T> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LinkRow {
    pub id: String,
    /// base64url Ed25519 public key of the owner's device.
    pub owner: String,
    pub created_at: i64,
    /// Epoch seconds.
    pub exp: Option<i64>,
    pub flag: String,
    /// "active" | "revoked"
    pub status: String,
    pub pass_salt: Option<Vec<u8>>,
    pub pass_hash: Option<Vec<u8>>,
    pub max_attempts: i64,
    /// Wrong passcodes so far plus passcode checks in flight.
    pub attempts_used: i64,
    /// Bumped by every [`Store::replace_files`]: a manifest built from the files at one
    /// version stays right until the row shows another.
    pub files_version: i64,
}

/// The link API's answers are the wire types themselves.
pub use phr_relay_protocol::{AccessEvent, LinkSummary, Reply as ReplyRow};

/// How long a client waits after its `n`-th failure beyond the first `max_attempts - 1`
/// (n from 0): one minute, doubling, at most a day.
pub fn backoff_ms(n: i64) -> i64 {
    (60_000i64 << n.clamp(0, 20)).min(86_400_000)
}

/// One access-log line (written in batches by [`crate::log_writer`]).
#[derive(Clone, Debug)]
pub struct LogEntry {
    pub link_id: String,
    pub at: i64,
    pub recipient: String,
    pub outcome: &'static str,
}

pub trait Store: Send + Sync + 'static {
    fn create_link(
        &self,
        row: &LinkRow,
        files: &[(String, String)],
    ) -> impl Future<Output = DbResult<()>> + Send;
    fn link(&self, id: &str) -> impl Future<Output = DbResult<Option<LinkRow>>> + Send;
    /// `(content type, JWE)` in order.
    fn files(&self, id: &str) -> impl Future<Output = DbResult<Vec<(String, String)>>> + Send;
    fn list_links(&self, owner: &str) -> impl Future<Output = DbResult<Vec<LinkSummary>>> + Send;
    /// Replaces the files of the owner's active link (a long-term link brought up to date);
    /// its id, key, passcode, expiry and log stay. False if it is not the owner's, or not active.
    fn replace_files(
        &self,
        owner: &str,
        id: &str,
        files: &[(String, String)],
    ) -> impl Future<Output = DbResult<bool>> + Send;
    /// Marks the owner's link revoked and deletes its files. False if it is not the owner's.
    fn revoke(&self, owner: &str, id: &str) -> impl Future<Output = DbResult<bool>> + Send;
    /// Atomically takes one passcode attempt for `client` at `now` (ms): `Ok(failures
    /// including this one)`, or `Err(blocked_until)` while the client must wait. Taking the
    /// `max_attempts`-th attempt (and each one after) already blocks the client for
    /// [`backoff_ms`], so parallel guesses cannot exceed the limit.
    fn reserve_attempt(
        &self,
        id: &str,
        client: &str,
        max_attempts: i64,
        now: i64,
    ) -> impl Future<Output = DbResult<Result<i64, i64>>> + Send;
    /// A right passcode: forgets the client's failures on the link.
    fn release_attempt(&self, id: &str, client: &str) -> impl Future<Output = DbResult<()>> + Send;
    /// `(failures, blocked_until)` of the client on the link (zeros when none).
    fn client_attempts(&self, id: &str, client: &str) -> impl Future<Output = DbResult<(i64, i64)>> + Send;
    /// The owner forgets every client's failures on the link. False if it is not the owner's.
    fn reset_attempts(&self, owner: &str, id: &str) -> impl Future<Output = DbResult<bool>> + Send;
    fn log(
        &self,
        id: &str,
        at: i64,
        recipient: &str,
        outcome: &str,
    ) -> impl Future<Output = DbResult<()>> + Send;
    /// Appends `entries` in order, all or none.
    fn log_many(&self, entries: &[LogEntry]) -> impl Future<Output = DbResult<()>> + Send;
    /// The owner's link's log after `after`; `None` if the link is not the owner's.
    fn access_log(
        &self,
        owner: &str,
        id: &str,
        after: i64,
    ) -> impl Future<Output = DbResult<Option<Vec<AccessEvent>>>> + Send;
    fn add_reply(&self, id: &str, at: i64, jwe: &str) -> impl Future<Output = DbResult<()>> + Send;
    fn replies(
        &self,
        owner: &str,
        id: &str,
        after: i64,
    ) -> impl Future<Output = DbResult<Option<Vec<ReplyRow>>>> + Send;
    /// Marks every active link whose expiry is at or before `now_ms` `expired` and deletes
    /// its files and passcode counters (its log and replies stay for the owner). Returns the
    /// links expired.
    fn sweep_expired(&self, now_ms: i64) -> impl Future<Output = DbResult<u64>> + Send;
    /// Bytes of ciphertext (and content types) in the owner's active links, leaving out the
    /// link `except` (whose files are being replaced).
    fn owner_bytes(&self, owner: &str, except: Option<&str>) -> impl Future<Output = DbResult<u64>> + Send;
    /// Records a signed owner request's id until `keep_until_ms` (forgetting ids whose
    /// time has passed). False if the id is already there: a replay. Kept in the store so
    /// relay instances sharing one PostgreSQL share the cache.
    fn first_use(
        &self,
        request_id: &str,
        keep_until_ms: i64,
        now_ms: i64,
    ) -> impl Future<Output = DbResult<bool>> + Send;
}
