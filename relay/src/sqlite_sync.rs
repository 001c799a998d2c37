//! [`SyncStore`] over the relay's SQLite file. Every call runs under the store's one mutex
//! (and, when it writes more than one row, in one transaction), which also serialises
//! pushes per account.

use crate::sqlite::SqliteStore;
use crate::store::DbResult;
use crate::sync_store::*;
use rusqlite::{params, Connection, OptionalExtension};

fn status(c: &Connection, account: &str, device: &str) -> rusqlite::Result<Access> {
    let s: Option<String> = c
        .query_row(
            "SELECT status FROM sync_devices WHERE account = ?1 AND device = ?2",
            params![account, device],
            |r| r.get(0),
        )
        .optional()?;
    Ok(match s.as_deref() {
        Some("active") => Access::Active,
        Some("recovery") => Access::Recovery,
        Some(_) => Access::Removed,
        None => Access::None,
    })
}

/// `(epoch, last_seq, compacted_upto, snapshot_upto)`
fn account_row(c: &Connection, account: &str) -> rusqlite::Result<Option<(i64, i64, i64, i64)>> {
    c.query_row(
        "SELECT epoch, next_seq - 1, compacted_upto, snapshot_upto FROM sync_accounts WHERE account = ?1",
        [account],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
    )
    .optional()
}

impl SqliteStore {
    fn locked<T>(&self, f: impl FnOnce(&mut Connection) -> rusqlite::Result<T>) -> DbResult<T> {
        let mut c = self.conn.lock().unwrap_or_else(|p| p.into_inner());
        Ok(f(&mut c)?)
    }
}

impl SyncStore for SqliteStore {
    async fn access(&self, account: &str, device: &str) -> DbResult<Access> {
        self.locked(|c| status(c, account, device))
    }

    async fn add_device(
        &self,
        account: &str,
        signer: &str,
        device: &str,
        xkey: &str,
        now: i64,
    ) -> DbResult<AddDevice> {
        self.locked(|c| {
            let tx = c.transaction()?;
            let any: bool = tx.query_row("SELECT EXISTS(SELECT 1 FROM sync_devices WHERE account = ?1)", [account], |r| r.get(0))?;
            let out = if !any {
                if signer != device {
                    AddDevice::Refused(Access::None)
                } else {
                    tx.execute("INSERT OR IGNORE INTO sync_accounts(account, epoch, next_seq, compacted_upto, snapshot_upto, created_at) VALUES (?1, 0, 1, 0, 0, ?2)", params![account, now])?;
                    tx.execute("INSERT INTO sync_devices(account, device, xkey, status, added_at, ack) VALUES (?1, ?2, ?3, 'active', ?4, 0)", params![account, device, xkey, now])?;
                    AddDevice::CreatedAccount
                }
            } else {
                match status(&tx, account, signer)? {
                    Access::Active | Access::Recovery => match status(&tx, account, device)? {
                        Access::Active => AddDevice::AlreadyActive,
                        Access::Removed | Access::Recovery => AddDevice::TargetRemoved,
                        Access::None => {
                            tx.execute("INSERT INTO sync_devices(account, device, xkey, status, added_at, ack) VALUES (?1, ?2, ?3, 'active', ?4, 0)", params![account, device, xkey, now])?;
                            AddDevice::Added
                        }
                    },
                    other => AddDevice::Refused(other),
                }
            };
            tx.commit()?;
            Ok(out)
        })
    }

    async fn devices(&self, account: &str) -> DbResult<Vec<DeviceRow>> {
        self.locked(|c| {
            let mut s = c.prepare_cached("SELECT device, xkey, status, added_at, removed_at FROM sync_devices WHERE account = ?1 ORDER BY added_at, device")?;
            let rows = s.query_map([account], |r| Ok(DeviceRow { device: r.get(0)?, xkey: r.get(1)?, status: r.get(2)?, added_at: r.get(3)?, removed_at: r.get(4)?, removal_requested_by: None }))?;
            rows.collect()
        })
    }

    async fn ask_or_confirm_removal(
        &self,
        account: &str,
        target: &str,
        signer: &str,
        now: i64,
        ttl: i64,
    ) -> DbResult<RemovalStep> {
        self.locked(|c| {
            let tx = c.transaction()?;
            tx.execute("DELETE FROM sync_removals WHERE account = ?1 AND expires_at <= ?2", params![account, now])?;
            let asked: Option<String> = tx
                .query_row(
                    "SELECT requester FROM sync_removals WHERE account = ?1 AND target = ?2",
                    params![account, target],
                    |r| r.get(0),
                )
                .optional()?;
            let step = match asked {
                Some(requester) if requester != signer => {
                    tx.execute("DELETE FROM sync_removals WHERE account = ?1 AND target = ?2", params![account, target])?;
                    RemovalStep::Confirmed { requester }
                }
                _ => {
                    let expires_at = now.saturating_add(ttl);
                    tx.execute(
                        "INSERT OR REPLACE INTO sync_removals(account, target, requester, expires_at) VALUES (?1, ?2, ?3, ?4)",
                        params![account, target, signer, expires_at],
                    )?;
                    RemovalStep::Asked { expires_at }
                }
            };
            tx.commit()?;
            Ok(step)
        })
    }

    async fn removal_requests(&self, account: &str, now: i64) -> DbResult<Vec<(String, String)>> {
        self.locked(|c| {
            let mut s = c.prepare(
                "SELECT target, requester FROM sync_removals WHERE account = ?1 AND expires_at > ?2 ORDER BY target",
            )?;
            let rows = s.query_map(params![account, now], |r| Ok((r.get(0)?, r.get(1)?)))?;
            rows.collect()
        })
    }

    async fn remove_device(&self, account: &str, device: &str, now: i64) -> DbResult<bool> {
        self.locked(|c| {
            let tx = c.transaction()?;
            let n = tx.execute(
                "UPDATE sync_devices SET status = 'removed', removed_at = COALESCE(removed_at, ?3) WHERE account = ?1 AND device = ?2",
                params![account, device, now],
            )?;
            tx.execute("DELETE FROM sync_keys WHERE account = ?1 AND device = ?2", params![account, device])?;
            // Its requests, and requests to remove it, go with it.
            tx.execute(
                "DELETE FROM sync_removals WHERE account = ?1 AND (target = ?2 OR requester = ?2)",
                params![account, device],
            )?;
            tx.commit()?;
            Ok(n > 0)
        })
    }

    async fn set_recovery(&self, account: &str, device: &str, xkey: &str, now: i64) -> DbResult<()> {
        self.locked(|c| {
            let tx = c.transaction()?;
            tx.execute("DELETE FROM sync_keys WHERE account = ?1 AND device IN (SELECT device FROM sync_devices WHERE account = ?1 AND status = 'recovery')", [account])?;
            tx.execute("DELETE FROM sync_devices WHERE account = ?1 AND status = 'recovery'", [account])?;
            tx.execute("INSERT INTO sync_devices(account, device, xkey, status, added_at, ack) VALUES (?1, ?2, ?3, 'recovery', ?4, 0)", params![account, device, xkey, now])?;
            tx.commit()?;
            Ok(())
        })
    }

    async fn push(&self, account: &str, epoch: i64, ops: &[NewOp]) -> DbResult<Pushed> {
        self.locked(|c| {
            let tx = c.transaction()?;
            let Some((current, last, _, _)) = account_row(&tx, account)? else {
                return Ok(Pushed::StaleEpoch(0));
            };
            if epoch < current {
                return Ok(Pushed::StaleEpoch(current));
            }
            let mut next = last + 1;
            let mut accepted = 0i64;
            {
                let mut ins = tx.prepare_cached("INSERT OR IGNORE INTO sync_ops(account, seq, id, epoch, blob) VALUES (?1, ?2, ?3, ?4, ?5)")?;
                for (id, blob) in ops {
                    if ins.execute(params![account, next, id, epoch, blob])? == 1 {
                        next += 1;
                        accepted += 1;
                    }
                }
            }
            tx.execute("UPDATE sync_accounts SET next_seq = ?2 WHERE account = ?1", params![account, next])?;
            tx.commit()?;
            Ok(Pushed::Ok { accepted, duplicates: ops.len() as i64 - accepted, last_seq: next - 1 })
        })
    }

    async fn pull(&self, account: &str, device: &str, after: i64, limit: i64) -> DbResult<PullPage> {
        self.locked(|c| {
            c.execute("UPDATE sync_devices SET ack = ?3 WHERE account = ?1 AND device = ?2", params![account, device, after])?;
            let (_, last_seq, compacted_upto, snapshot_upto) = account_row(c, account)?.unwrap_or((0, 0, 0, 0));
            if after < compacted_upto {
                return Ok(PullPage { compacted_upto, snapshot_upto, last_seq, ops: Vec::new(), more: false });
            }
            let mut s = c.prepare_cached("SELECT seq, id, epoch, blob FROM sync_ops WHERE account = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3")?;
            let mut ops = s
                .query_map(params![account, after, limit + 1], |r| Ok(OpRow { seq: r.get(0)?, id: r.get(1)?, epoch: r.get(2)?, blob: r.get(3)? }))?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            let more = ops.len() as i64 > limit;
            ops.truncate(limit as usize);
            Ok(PullPage { compacted_upto, snapshot_upto, last_seq, ops, more })
        })
    }

    async fn put_snapshot(&self, account: &str, upto: i64, epoch: i64, blob: &[u8]) -> DbResult<SnapshotPut> {
        self.locked(|c| {
            let tx = c.transaction()?;
            let Some((_, last_seq, compacted, snap_upto)) = account_row(&tx, account)? else { return Ok(SnapshotPut::Stale) };
            if upto <= snap_upto || upto > last_seq {
                return Ok(SnapshotPut::Stale);
            }
            let min_ack: i64 = tx.query_row("SELECT COALESCE(MIN(ack), 0) FROM sync_devices WHERE account = ?1 AND status = 'active'", [account], |r| r.get(0))?;
            let bound = compacted.max(upto.min(min_ack));
            let pruned = tx.execute("DELETE FROM sync_ops WHERE account = ?1 AND seq <= ?2", params![account, bound])? as i64;
            tx.execute(
                "UPDATE sync_accounts SET snapshot_upto = ?2, snapshot_epoch = ?3, snapshot = ?4, compacted_upto = ?5 WHERE account = ?1",
                params![account, upto, epoch, blob, bound],
            )?;
            tx.commit()?;
            Ok(SnapshotPut::Ok { pruned, compacted_upto: bound })
        })
    }

    async fn account_bytes(&self, account: &str) -> DbResult<(u64, u64)> {
        let (ops, snap): (i64, i64) = self.locked(|c| {
            c.query_row(
                "SELECT (SELECT COALESCE(SUM(length(blob)), 0) FROM sync_ops WHERE account = ?1), \
                        (SELECT COALESCE(SUM(length(snapshot)), 0) FROM sync_accounts WHERE account = ?1)",
                [account],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
        })?;
        Ok((ops.max(0) as u64, snap.max(0) as u64))
    }

    async fn snapshot(&self, account: &str) -> DbResult<Option<SnapshotRow>> {
        self.locked(|c| {
            c.query_row("SELECT snapshot_upto, snapshot_epoch, snapshot FROM sync_accounts WHERE account = ?1 AND snapshot IS NOT NULL", [account], |r| {
                Ok(SnapshotRow { upto: r.get(0)?, epoch: r.get(1)?, blob: r.get(2)? })
            })
            .optional()
        })
    }

    async fn put_keys(
        &self,
        account: &str,
        epoch: i64,
        envelopes: &[(String, Vec<u8>)],
    ) -> DbResult<KeysPut> {
        self.locked(|c| {
            let tx = c.transaction()?;
            let Some((current, _, _, _)) = account_row(&tx, account)? else { return Ok(KeysPut::StaleEpoch(0)) };
            if epoch < current {
                return Ok(KeysPut::StaleEpoch(current));
            }
            for (d, _) in envelopes {
                if !matches!(status(&tx, account, d)?, Access::Active | Access::Recovery) {
                    return Ok(KeysPut::NotADevice);
                }
            }
            {
                let mut up = tx.prepare_cached(
                    "INSERT INTO sync_keys(account, device, epoch, blob) VALUES (?1, ?2, ?3, ?4) ON CONFLICT(account, device, epoch) DO UPDATE SET blob = excluded.blob",
                )?;
                for (d, b) in envelopes {
                    up.execute(params![account, d, epoch, b])?;
                }
            }
            tx.execute("UPDATE sync_accounts SET epoch = MAX(epoch, ?2) WHERE account = ?1", params![account, epoch])?;
            tx.commit()?;
            Ok(KeysPut::Ok)
        })
    }

    async fn keys(&self, account: &str, device: &str) -> DbResult<Vec<(i64, Vec<u8>)>> {
        self.locked(|c| {
            let mut s = c.prepare_cached(
                "SELECT epoch, blob FROM sync_keys WHERE account = ?1 AND device = ?2 ORDER BY epoch",
            )?;
            let rows = s.query_map(params![account, device], |r| Ok((r.get(0)?, r.get(1)?)))?;
            rows.collect()
        })
    }

    async fn pair_hello(&self, slot: &str, blob: &[u8], now: i64, cutoff: i64) -> DbResult<bool> {
        self.locked(|c| {
            c.execute("DELETE FROM sync_pairing WHERE created_at <= ?1", [cutoff])?;
            Ok(c.execute("INSERT OR IGNORE INTO sync_pairing(slot, hello, welcome, created_at) VALUES (?1, ?2, NULL, ?3)", params![slot, blob, now])? == 1)
        })
    }

    async fn pair_welcome(&self, slot: &str, blob: &[u8], cutoff: i64) -> DbResult<bool> {
        self.locked(|c| {
            c.execute("DELETE FROM sync_pairing WHERE created_at <= ?1", [cutoff])?;
            Ok(c.execute("UPDATE sync_pairing SET welcome = ?2 WHERE slot = ?1 AND hello IS NOT NULL AND welcome IS NULL", params![slot, blob])? == 1)
        })
    }

    async fn pair_get(
        &self,
        slot: &str,
        cutoff: i64,
    ) -> DbResult<Option<(Option<Vec<u8>>, Option<Vec<u8>>)>> {
        self.locked(|c| {
            c.query_row(
                "SELECT hello, welcome FROM sync_pairing WHERE slot = ?1 AND created_at > ?2",
                params![slot, cutoff],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
        })
    }
}
