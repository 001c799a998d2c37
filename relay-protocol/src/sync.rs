//! The sync API's JSON bodies (`/sync/{account}/...`), one definition for the relay
//! (`phr-relay`'s `sync_routes.rs`) and the core's client (`phr_core::sync::relay_api`).
//! Blobs are base64url without padding: sealed ops, snapshots and key envelopes the relay
//! cannot open.

use serde::{Deserialize, Serialize};

/// `POST /devices`: a device joins the account.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewDevice {
    /// The device's Ed25519 public key (base64url): its identity on the relay.
    pub device: String,
    /// Its X25519 public key, for sealing keys to it.
    pub xkey: String,
}

/// `GET /devices`: one row.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeviceRow {
    pub device: String,
    pub xkey: String,
    /// "active" | "removed" | "recovery" (the account's recovery key: not a device, but
    /// it may add and remove devices; ADR 0048)
    pub status: String,
    pub added_at: i64,
    #[serde(default)]
    pub removed_at: Option<i64>,
    /// Another device asked to remove this one and waits for a confirmation on a third
    /// device (the asking device's key).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub removal_requested_by: Option<String>,
}

/// The answer to `DELETE /devices/{device}` when it only asked: the removal waits for a
/// confirmation on another device (202).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RemovalPending {
    /// "pending"
    pub status: String,
    /// Until when (ms since 1970) another device can confirm it.
    pub expires_at: i64,
}

/// An op as the relay stores and hands it out.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WireOp {
    pub id: String,
    pub epoch: u32,
    /// base64url of the sealed op.
    pub blob: String,
}

/// One op of a push; the push names the epoch for all of them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushOp {
    pub id: String,
    pub blob: String,
}

/// `POST /ops`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushRequest {
    pub epoch: u32,
    pub ops: Vec<PushOp>,
}

/// The answer to a push (a stale epoch is a 409 with `{"error": "stale_epoch", "epoch"}`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PushAnswer {
    pub accepted: u64,
    pub duplicates: u64,
    #[serde(default)]
    pub last_seq: i64,
}

/// One op of a pull page, with its place in the account's log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PulledOp {
    pub seq: i64,
    #[serde(flatten)]
    pub op: WireOp,
}

/// `GET /ops?after=&limit=`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PullPage {
    /// The ops after `after` were compacted away: start from the snapshot.
    #[serde(default)]
    pub snapshot_required: bool,
    #[serde(default)]
    pub ops: Vec<PulledOp>,
    #[serde(default)]
    pub more: bool,
    #[serde(default)]
    pub snapshot_upto: i64,
    #[serde(default)]
    pub last_seq: i64,
}

/// `PUT /snapshot` and `GET /snapshot`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snapshot {
    pub upto: i64,
    pub epoch: u32,
    pub blob: String,
}

/// `GET /keys`: one envelope sealed to the asking device.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyEnvelope {
    pub epoch: u32,
    pub blob: String,
}

/// One envelope of `POST /keys`, sealed to `device`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceKey {
    pub device: String,
    pub blob: String,
}

/// `POST /keys`: an epoch's key, sealed to each device.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PutKeys {
    pub epoch: u32,
    pub envelopes: Vec<DeviceKey>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pull_page_reads_as_the_relay_writes_it() {
        let json = r#"{"snapshotRequired":false,"ops":[{"seq":3,"id":"d-1","epoch":2,"blob":"AAAA"}],
            "more":true,"snapshotUpto":0,"lastSeq":3}"#;
        let page: PullPage = serde_json::from_str(json).unwrap();
        assert_eq!(page.ops[0].op, WireOp { id: "d-1".into(), epoch: 2, blob: "AAAA".into() });
        assert!(page.more && page.last_seq == 3);
        let back = serde_json::to_value(&page).unwrap();
        assert_eq!(back["ops"][0]["seq"], 3);
        assert_eq!(back["ops"][0]["epoch"], 2, "the op's fields sit beside seq, not nested");
    }

    #[test]
    fn a_push_names_its_epoch_once() {
        let p = PushRequest { epoch: 4, ops: vec![PushOp { id: "d-1".into(), blob: "AAAA".into() }] };
        assert_eq!(serde_json::to_string(&p).unwrap(), r#"{"epoch":4,"ops":[{"id":"d-1","blob":"AAAA"}]}"#);
    }
}
