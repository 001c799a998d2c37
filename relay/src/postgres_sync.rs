//! [`SyncStore`] over PostgreSQL. Every change is one statement (atomic without a client-side
//! transaction, so it can share the store's one pipelined connection, and any number of relay
//! instances can share the database). A push takes the account row's lock with
//! `UPDATE sync_accounts SET next_seq = next_seq + n ... RETURNING`, inserts its ops in the
//! same statement and commits before the next push of that account can take the lock: seqs
//! become visible in order.

use crate::postgres::PgStore;
use crate::store::DbResult;
use crate::sync_store::*;

fn access_of(s: Option<String>) -> Access {
    match s.as_deref() {
        Some("active") => Access::Active,
        Some("recovery") => Access::Recovery,
        Some(_) => Access::Removed,
        None => Access::None,
    }
}

impl SyncStore for PgStore {
    async fn access(&self, account: &str, device: &str) -> DbResult<Access> {
        let r = self
            .query_opt(
                "SELECT status FROM sync_devices WHERE account = $1 AND device = $2",
                &[&account, &device],
            )
            .await?;
        Ok(access_of(r.map(|r| r.get(0))))
    }

    async fn add_device(
        &self,
        account: &str,
        signer: &str,
        device: &str,
        xkey: &str,
        now: i64,
    ) -> DbResult<AddDevice> {
        // Two tries: a concurrent first device may create the account between our read and write.
        for _ in 0..2 {
            let r = self
                .query_one(
                    "SELECT (SELECT status FROM sync_devices WHERE account = $1 AND device = $2), \
                            (SELECT status FROM sync_devices WHERE account = $1 AND device = $3), \
                            EXISTS(SELECT 1 FROM sync_devices WHERE account = $1)",
                    &[&account, &signer, &device],
                )
                .await?;
            let (signer_st, device_st, any) = (access_of(r.get(0)), access_of(r.get(1)), r.get::<_, bool>(2));
            if !any {
                if signer != device {
                    return Ok(AddDevice::Refused(Access::None));
                }
                let n = self.execute(
                        "WITH a AS (INSERT INTO sync_accounts(account, epoch, next_seq, compacted_upto, snapshot_upto, created_at) \
                                    VALUES ($1, 0, 1, 0, 0, $4) ON CONFLICT DO NOTHING RETURNING account) \
                         INSERT INTO sync_devices(account, device, xkey, status, added_at, ack) SELECT account, $2, $3, 'active', $4, 0 FROM a",
                        &[&account, &device, &xkey, &now],
                    )
                    .await?;
                if n == 1 {
                    return Ok(AddDevice::CreatedAccount);
                }
                continue;
            }
            if !matches!(signer_st, Access::Active | Access::Recovery) {
                return Ok(AddDevice::Refused(signer_st));
            }
            match device_st {
                Access::Active => return Ok(AddDevice::AlreadyActive),
                Access::Removed | Access::Recovery => return Ok(AddDevice::TargetRemoved),
                Access::None => {}
            }
            let n = self.execute(
                    "INSERT INTO sync_devices(account, device, xkey, status, added_at, ack) VALUES ($1, $2, $3, 'active', $4, 0) ON CONFLICT DO NOTHING",
                    &[&account, &device, &xkey, &now],
                )
                .await?;
            if n == 1 {
                return Ok(AddDevice::Added);
            }
        }
        // Still racing after two rounds: answer from what is there now.
        Ok(match self.access(account, device).await? {
            Access::Active => AddDevice::AlreadyActive,
            Access::Removed | Access::Recovery => AddDevice::TargetRemoved,
            Access::None => AddDevice::Refused(Access::None),
        })
    }

    async fn devices(&self, account: &str) -> DbResult<Vec<DeviceRow>> {
        let rows = self.query("SELECT device, xkey, status, added_at, removed_at FROM sync_devices WHERE account = $1 ORDER BY added_at, device", &[&account])
            .await?;
        Ok(rows
            .iter()
            .map(|r| DeviceRow {
                device: r.get(0),
                xkey: r.get(1),
                status: r.get(2),
                added_at: r.get(3),
                removed_at: r.get(4),
                removal_requested_by: None,
            })
            .collect())
    }

    async fn ask_or_confirm_removal(
        &self,
        account: &str,
        target: &str,
        signer: &str,
        now: i64,
        ttl: i64,
    ) -> DbResult<RemovalStep> {
        let expires_at = now.saturating_add(ttl);
        // Two statements, each atomic (no client-side transactions on the pipelined pool):
        // taking another device's live request confirms it (the DELETE ... RETURNING takes it
        // at most once); otherwise the signer's own request is written, unless a live request
        // by yet another device arrived in between, which the next round then confirms.
        for _ in 0..3 {
            if let Some(r) = self
                .query_opt(
                    "DELETE FROM sync_removals WHERE account = $1 AND target = $2 AND requester <> $3 AND expires_at > $4 RETURNING requester",
                    &[&account, &target, &signer, &now],
                )
                .await?
            {
                return Ok(RemovalStep::Confirmed { requester: r.get(0) });
            }
            let written = self
                .query_opt(
                    "INSERT INTO sync_removals(account, target, requester, expires_at) VALUES ($1, $2, $3, $5) \
                     ON CONFLICT (account, target) DO UPDATE SET requester = EXCLUDED.requester, expires_at = EXCLUDED.expires_at \
                     WHERE sync_removals.requester = EXCLUDED.requester OR sync_removals.expires_at <= $4 RETURNING 1",
                    &[&account, &target, &signer, &now, &expires_at],
                )
                .await?;
            if written.is_some() {
                return Ok(RemovalStep::Asked { expires_at });
            }
        }
        Err("device removal: the request kept changing under concurrent requests".into())
    }

    async fn removal_requests(&self, account: &str, now: i64) -> DbResult<Vec<(String, String)>> {
        let rows = self
            .query(
                "SELECT target, requester FROM sync_removals WHERE account = $1 AND expires_at > $2 ORDER BY target",
                &[&account, &now],
            )
            .await?;
        Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
    }

    async fn remove_device(&self, account: &str, device: &str, now: i64) -> DbResult<bool> {
        let r = self.query_one(
                "WITH u AS (UPDATE sync_devices SET status = 'removed', removed_at = COALESCE(removed_at, $3) WHERE account = $1 AND device = $2 RETURNING 1), \
                 d AS (DELETE FROM sync_keys WHERE account = $1 AND device = $2), \
                 r AS (DELETE FROM sync_removals WHERE account = $1 AND (target = $2 OR requester = $2)) SELECT COUNT(*) FROM u",
                &[&account, &device, &now],
            )
            .await?;
        Ok(r.get::<_, i64>(0) > 0)
    }

    async fn set_recovery(&self, account: &str, device: &str, xkey: &str, now: i64) -> DbResult<()> {
        // One statement: the old recovery row and its envelopes go, the new row comes.
        self.execute(
                "WITH old AS (DELETE FROM sync_devices WHERE account = $1 AND status = 'recovery' RETURNING device), \
                 k AS (DELETE FROM sync_keys WHERE account = $1 AND device IN (SELECT device FROM old)) \
                 INSERT INTO sync_devices(account, device, xkey, status, added_at, ack) VALUES ($1, $2, $3, 'recovery', $4, 0) \
                 ON CONFLICT (account, device) DO UPDATE SET status = 'recovery', xkey = EXCLUDED.xkey",
                &[&account, &device, &xkey, &now],
            )
            .await?;
        Ok(())
    }

    async fn push(&self, account: &str, epoch: i64, ops: &[NewOp]) -> DbResult<Pushed> {
        let ids: Vec<&str> = ops.iter().map(|o| o.0.as_str()).collect();
        let blobs: Vec<&[u8]> = ops.iter().map(|o| o.1.as_slice()).collect();
        // `o`: the ops not yet in the log, numbered 1..n in request order; `a` reserves n seqs
        // under the account row's lock (or matches nothing when the epoch is stale). An id
        // committed by a concurrent push after this statement's snapshot is caught by the
        // unique constraint (ON CONFLICT DO NOTHING): then its seq stays unused (a gap, never
        // a reordering).
        let r = self.query_one(
                "WITH o AS (SELECT i.id, i.blob, row_number() OVER (ORDER BY i.ord) AS n \
                            FROM unnest($3::text[], $4::bytea[]) WITH ORDINALITY AS i(id, blob, ord) \
                            WHERE NOT EXISTS (SELECT 1 FROM sync_ops s WHERE s.account = $1 AND s.id = i.id)), \
                 a AS (UPDATE sync_accounts SET next_seq = next_seq + (SELECT COUNT(*) FROM o) \
                       WHERE account = $1 AND epoch <= $2 RETURNING next_seq - (SELECT COUNT(*) FROM o) AS base, next_seq - 1 AS last), \
                 ins AS (INSERT INTO sync_ops(account, seq, id, epoch, blob) \
                         SELECT $1, a.base + o.n - 1, o.id, $2, o.blob FROM a, o ON CONFLICT DO NOTHING RETURNING 1) \
                 SELECT (SELECT last FROM a), (SELECT COUNT(*) FROM ins), (SELECT epoch FROM sync_accounts WHERE account = $1)",
                &[&account, &epoch, &ids, &blobs],
            )
            .await?;
        let last: Option<i64> = r.get(0);
        let accepted: i64 = r.get(1);
        match last {
            Some(last_seq) => Ok(Pushed::Ok { accepted, duplicates: ops.len() as i64 - accepted, last_seq }),
            None => Ok(Pushed::StaleEpoch(r.get::<_, Option<i64>>(2).unwrap_or(0))),
        }
    }

    async fn pull(&self, account: &str, device: &str, after: i64, limit: i64) -> DbResult<PullPage> {
        let r = self.query_opt(
                "WITH u AS (UPDATE sync_devices SET ack = $3 WHERE account = $1 AND device = $2 RETURNING 1) \
                 SELECT next_seq - 1, compacted_upto, snapshot_upto, (SELECT COUNT(*) FROM u) FROM sync_accounts WHERE account = $1",
                &[&account, &device, &after],
            )
            .await?;
        let (last_seq, compacted_upto, snapshot_upto) =
            r.map(|r| (r.get(0), r.get(1), r.get(2))).unwrap_or((0, 0, 0));
        if after < compacted_upto {
            return Ok(PullPage { compacted_upto, snapshot_upto, last_seq, ops: Vec::new(), more: false });
        }
        let rows = self.query("SELECT seq, id, epoch, blob FROM sync_ops WHERE account = $1 AND seq > $2 ORDER BY seq LIMIT $3", &[&account, &after, &(limit + 1)])
            .await?;
        let mut ops: Vec<OpRow> = rows
            .iter()
            .map(|r| OpRow { seq: r.get(0), id: r.get(1), epoch: r.get(2), blob: r.get(3) })
            .collect();
        let more = ops.len() as i64 > limit;
        ops.truncate(limit as usize);
        // A push that committed between the two statements may have raised lastSeq.
        let last_seq = ops.last().map_or(last_seq, |o| o.seq.max(last_seq));
        Ok(PullPage { compacted_upto, snapshot_upto, last_seq, ops, more })
    }

    async fn put_snapshot(&self, account: &str, upto: i64, epoch: i64, blob: &[u8]) -> DbResult<SnapshotPut> {
        let r = self.query_one(
                "WITH a AS (UPDATE sync_accounts SET snapshot_upto = $2, snapshot_epoch = $3, snapshot = $4, \
                              compacted_upto = GREATEST(compacted_upto, LEAST($2, \
                                  (SELECT COALESCE(MIN(ack), 0) FROM sync_devices WHERE account = $1 AND status = 'active'))) \
                            WHERE account = $1 AND snapshot_upto < $2 AND $2 <= next_seq - 1 RETURNING compacted_upto), \
                 d AS (DELETE FROM sync_ops WHERE account = $1 AND seq <= (SELECT compacted_upto FROM a) RETURNING 1) \
                 SELECT (SELECT compacted_upto FROM a), (SELECT COUNT(*) FROM d)",
                &[&account, &upto, &epoch, &blob],
            )
            .await?;
        Ok(match r.get::<_, Option<i64>>(0) {
            Some(compacted_upto) => SnapshotPut::Ok { pruned: r.get(1), compacted_upto },
            None => SnapshotPut::Stale,
        })
    }

    async fn account_bytes(&self, account: &str) -> DbResult<(u64, u64)> {
        let r = self.query_one(
                "SELECT (SELECT COALESCE(SUM(octet_length(blob)), 0) FROM sync_ops WHERE account = $1)::bigint, \
                        (SELECT COALESCE(SUM(octet_length(snapshot)), 0) FROM sync_accounts WHERE account = $1)::bigint",
                &[&account],
            )
            .await?;
        Ok((r.get::<_, i64>(0).max(0) as u64, r.get::<_, i64>(1).max(0) as u64))
    }

    async fn snapshot(&self, account: &str) -> DbResult<Option<SnapshotRow>> {
        let r = self.query_opt("SELECT snapshot_upto, snapshot_epoch, snapshot FROM sync_accounts WHERE account = $1 AND snapshot IS NOT NULL", &[&account])
            .await?;
        Ok(r.map(|r| SnapshotRow {
            upto: r.get(0),
            epoch: r.get::<_, Option<i64>>(1).unwrap_or(0),
            blob: r.get(2),
        }))
    }

    async fn put_keys(
        &self,
        account: &str,
        epoch: i64,
        envelopes: &[(String, Vec<u8>)],
    ) -> DbResult<KeysPut> {
        let devices: Vec<&str> = envelopes.iter().map(|e| e.0.as_str()).collect();
        let blobs: Vec<&[u8]> = envelopes.iter().map(|e| e.1.as_slice()).collect();
        // One statement: checks that every envelope's device is active, raises the epoch
        // under the account row's lock (nothing when stale) and upserts the envelopes.
        let r = self.query_one(
                "WITH ok AS (SELECT COUNT(*) = cardinality($3::text[]) AS ok FROM sync_devices \
                             WHERE account = $1 AND status IN ('active', 'recovery') AND device = ANY($3::text[])), \
                 a AS (UPDATE sync_accounts SET epoch = GREATEST(epoch, $2) \
                       WHERE account = $1 AND epoch <= $2 AND (SELECT ok FROM ok) RETURNING 1), \
                 ins AS (INSERT INTO sync_keys(account, device, epoch, blob) \
                         SELECT $1, e.device, $2, e.blob FROM a, unnest($3::text[], $4::bytea[]) AS e(device, blob) \
                         ON CONFLICT (account, device, epoch) DO UPDATE SET blob = EXCLUDED.blob RETURNING 1) \
                 SELECT (SELECT COUNT(*) FROM a), (SELECT COUNT(*) FROM ins), (SELECT ok FROM ok), \
                        (SELECT epoch FROM sync_accounts WHERE account = $1)",
                &[&account, &epoch, &devices, &blobs],
            )
            .await?;
        let updated: i64 = r.get(0);
        let ok: bool = r.get::<_, Option<bool>>(2).unwrap_or(false);
        let current: i64 = r.get::<_, Option<i64>>(3).unwrap_or(0);
        Ok(if updated == 1 {
            KeysPut::Ok
        } else if current > epoch {
            KeysPut::StaleEpoch(current)
        } else if !ok {
            KeysPut::NotADevice
        } else {
            // A concurrent higher epoch won the row between the snapshot and the lock.
            KeysPut::StaleEpoch(current.max(epoch + 1))
        })
    }

    async fn keys(&self, account: &str, device: &str) -> DbResult<Vec<(i64, Vec<u8>)>> {
        let rows = self
            .query(
                "SELECT epoch, blob FROM sync_keys WHERE account = $1 AND device = $2 ORDER BY epoch",
                &[&account, &device],
            )
            .await?;
        Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
    }

    async fn pair_hello(&self, slot: &str, blob: &[u8], now: i64, cutoff: i64) -> DbResult<bool> {
        // Expired slots (this one included) are purged first, so an old name can be reused.
        self.execute("DELETE FROM sync_pairing WHERE created_at <= $1", &[&cutoff]).await?;
        let n = self.execute("INSERT INTO sync_pairing(slot, hello, welcome, created_at) VALUES ($1, $2, NULL, $3) ON CONFLICT DO NOTHING", &[&slot, &blob, &now])
            .await?;
        Ok(n == 1)
    }

    async fn pair_welcome(&self, slot: &str, blob: &[u8], cutoff: i64) -> DbResult<bool> {
        let n = self.execute(
                "UPDATE sync_pairing SET welcome = $2 WHERE slot = $1 AND hello IS NOT NULL AND welcome IS NULL AND created_at > $3",
                &[&slot, &blob, &cutoff],
            )
            .await?;
        Ok(n == 1)
    }

    async fn pair_get(
        &self,
        slot: &str,
        cutoff: i64,
    ) -> DbResult<Option<(Option<Vec<u8>>, Option<Vec<u8>>)>> {
        let r = self
            .query_opt(
                "SELECT hello, welcome FROM sync_pairing WHERE slot = $1 AND created_at > $2",
                &[&slot, &cutoff],
            )
            .await?;
        Ok(r.map(|r| (r.get(0), r.get(1))))
    }
}
