//! The relay's request bodies: every JSON type it deserialises from a client, and the
//! signed-header check over arbitrary input.
#![no_main]
use libfuzzer_sys::fuzz_target;
use phr_relay_protocol::sync::{NewDevice, PushRequest, PutKeys, Snapshot};
use phr_relay_protocol::{NewFiles, NewLink};

fuzz_target!(|data: &[u8]| {
    let _ = serde_json::from_slice::<NewLink>(data);
    let _ = serde_json::from_slice::<NewFiles>(data);
    let _ = serde_json::from_slice::<NewDevice>(data);
    let _ = serde_json::from_slice::<PushRequest>(data);
    let _ = serde_json::from_slice::<PutKeys>(data);
    let _ = serde_json::from_slice::<Snapshot>(data);
});
