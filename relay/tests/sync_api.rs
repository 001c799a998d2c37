//! The sync API (issue 8) over plain HTTP: reqwest + ring signatures, the same suite against
//! SQLite and (with PHR_TEST_PG) PostgreSQL. The client side lives in phr-core; these tests
//! check the relay's half of the contract on its own.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout, clippy::print_stderr)] // test code: a failed unwrap is a failed test, and it prints what it measured

use data_encoding::{BASE64URL_NOPAD, HEXLOWER};
use phr_relay::{signing_input, Backend, Options};
use ring::rand::{SecureRandom, SystemRandom};
use ring::signature::{Ed25519KeyPair, KeyPair};
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Which {
    Sqlite,
    Postgres,
}

struct Relay {
    base: String,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Drop for Relay {
    fn drop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn serve(backend: Backend, opts: Options) -> Relay {
    let (tx, rx) = std::sync::mpsc::channel();
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let thread = std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let addr = listener.local_addr().unwrap();
            let app = phr_relay::app(backend, opts).await.unwrap();
            tx.send(format!("http://{addr}")).unwrap();
            axum::serve(listener, app)
                .with_graceful_shutdown(async move {
                    let _ = stop_rx.await;
                })
                .await
                .unwrap();
        });
    });
    let base = rx.recv_timeout(Duration::from_secs(30)).expect("relay started");
    Relay { base, stop: Some(stop_tx), thread: Some(thread) }
}

struct Running {
    which: Which,
    base: String,
    backend: Backend,
    _dir: tempfile::TempDir,
    relay: Option<Relay>,
    /// A second relay instance on the same PostgreSQL schema (scale-out), PostgreSQL only.
    second: Option<Relay>,
}

impl Drop for Running {
    fn drop(&mut self) {
        self.second.take();
        self.relay.take();
    }
}

fn start_with(which: Which, opts: Options) -> Option<Running> {
    let dir = tempfile::tempdir().unwrap();
    let backend = match which {
        Which::Sqlite => Backend::Sqlite(dir.path().join("relay.sqlite")),
        Which::Postgres => {
            match std::env::var("PHR_TEST_PG") {
                Ok(url) if !url.is_empty() => {
                    Backend::Postgres { url, schema: Some(format!("s_{}", HEXLOWER.encode(&random(8)))) }
                }
                _ => {
                    phr_testkit::missing("PHR_TEST_PG is not set: the PostgreSQL run (scripts/test-all.sh starts one and sets it)");
                    return None;
                }
            }
        }
    };
    let relay = serve(backend.clone(), opts.clone());
    let second = (which == Which::Postgres).then(|| serve(backend.clone(), opts));
    Some(Running { which, base: relay.base.clone(), backend, _dir: dir, relay: Some(relay), second })
}

/// The tests' devices are seconds old: the wait before a new device may ask for or confirm
/// a removal is off here, and on in `a_new_device_waits_before_it_removes_another`.
fn start(which: Which) -> Option<Running> {
    start_with(which, Options { new_device_wait: Some(Duration::ZERO), ..Options::default() })
}

impl Running {
    /// The instances to spread requests over (two on PostgreSQL).
    fn bases(&self) -> Vec<String> {
        let mut v = vec![self.base.clone()];
        if let Some(s) = &self.second {
            v.push(s.base.clone());
        }
        v
    }
}

macro_rules! both {
    ($($name:ident),* $(,)?) => {
        mod sqlite { $( #[test] fn $name() { if let Some(r) = super::start(super::Which::Sqlite) { super::$name(r) } } )* }
        mod postgres { $( #[test] fn $name() { if let Some(r) = super::start(super::Which::Postgres) { super::$name(r) } } )* }
    };
}

both!(
    a_signed_sync_request_is_accepted_once,
    account_is_created_by_its_first_device_only,
    adding_a_device_needs_an_active_signer,
    removed_device_is_locked_out_for_good,
    removal_needs_a_second_device_or_the_recovery_key,
    only_the_recovery_key_replaces_itself,
    accounts_are_isolated,
    push_is_idempotent,
    pull_pages_in_seq_order,
    concurrent_pushes_are_pulled_exactly_once,
    keys_raise_the_epoch_and_stale_pushes_are_refused,
    keys_are_visible_only_to_their_device,
    snapshot_prunes_up_to_the_slowest_active_device,
    pairing_slots_are_write_once_and_expire,
    storage_holds_only_ids_keys_and_ciphertext_as_sent,
    bad_input_is_a_400_never_a_panic,
);

fn random(n: usize) -> Vec<u8> {
    let mut b = vec![0u8; n];
    SystemRandom::new().fill(&mut b).unwrap();
    b
}

fn new_account() -> String {
    BASE64URL_NOPAD.encode(&random(32))
}

fn http() -> reqwest::blocking::Client {
    reqwest::blocking::Client::builder().timeout(Duration::from_secs(60)).build().unwrap()
}

struct Device {
    key: Ed25519KeyPair,
    id: String,
    xkey: String,
    http: reqwest::blocking::Client,
}

impl Device {
    fn new() -> Device {
        let pkcs8 = Ed25519KeyPair::generate_pkcs8(&SystemRandom::new()).unwrap();
        let key = Ed25519KeyPair::from_pkcs8(pkcs8.as_ref()).unwrap();
        let id = BASE64URL_NOPAD.encode(key.public_key().as_ref());
        Device { key, id, xkey: BASE64URL_NOPAD.encode(&random(32)), http: http() }
    }

    /// A signed request; `path` is the path and query the signature covers.
    fn raw(&self, base: &str, method: &str, path: &str, body: &[u8]) -> (u16, Value) {
        self.raw_on(&self.http, base, method, path, body)
    }

    fn raw_on(
        &self,
        http: &reqwest::blocking::Client,
        base: &str,
        method: &str,
        path: &str,
        body: &[u8],
    ) -> (u16, Value) {
        let now = phr_core::share::relay::request_time_ms();
        let sig = self.key.sign(&signing_input(method, path, now, body));
        let r = http
            .request(reqwest::Method::from_bytes(method.as_bytes()).unwrap(), format!("{base}{path}"))
            .header("x-phr-owner", &self.id)
            .header("x-phr-time", now.to_string())
            .header("x-phr-sig", BASE64URL_NOPAD.encode(sig.as_ref()))
            .header("content-type", "application/json")
            .body(body.to_vec())
            .send()
            .unwrap();
        let s = r.status().as_u16();
        let text = r.text().unwrap();
        (s, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    fn call(&self, base: &str, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        let b = body.map(|v| serde_json::to_vec(&v).unwrap()).unwrap_or_default();
        self.raw(base, method, path, &b)
    }

    fn add(&self, base: &str, account: &str, d: &Device) -> (u16, Value) {
        self.call(
            base,
            "POST",
            &format!("/sync/{account}/devices"),
            Some(json!({"device": d.id, "xkey": d.xkey})),
        )
    }

    /// Asks to remove `target` (202, pending), then `confirmer` confirms it; returns the
    /// confirmation's status.
    fn remove(&self, base: &str, account: &str, confirmer: &Device, target: &Device) -> u16 {
        let path = format!("/sync/{account}/devices/{}", target.id);
        let (s, v) = self.call(base, "DELETE", &path, None);
        assert_eq!((s, v["status"].as_str()), (202, Some("pending")), "{v}");
        confirmer.call(base, "DELETE", &path, None).0
    }

    fn push(&self, base: &str, account: &str, epoch: u32, ops: &[(String, Vec<u8>)]) -> (u16, Value) {
        let ops: Vec<Value> =
            ops.iter().map(|(id, b)| json!({"id": id, "blob": BASE64URL_NOPAD.encode(b)})).collect();
        self.call(base, "POST", &format!("/sync/{account}/ops"), Some(json!({"epoch": epoch, "ops": ops})))
    }

    fn pull(&self, base: &str, account: &str, after: i64, limit: i64) -> (u16, Value) {
        self.call(base, "GET", &format!("/sync/{account}/ops?after={after}&limit={limit}"), None)
    }

    /// Pulls from `after` to the end; returns the ops `(seq, id, blob)` and the final cursor.
    fn pull_all(
        &self,
        base: &str,
        account: &str,
        mut after: i64,
        limit: i64,
    ) -> (Vec<(i64, String, Vec<u8>)>, i64) {
        let mut out = Vec::new();
        loop {
            let (s, v) = self.pull(base, account, after, limit);
            assert_eq!(s, 200, "{v}");
            assert_eq!(v["snapshotRequired"], false, "{v}");
            for o in v["ops"].as_array().unwrap() {
                let seq = o["seq"].as_i64().unwrap();
                assert!(seq > after, "seq {seq} not after {after}");
                after = seq;
                out.push((
                    seq,
                    o["id"].as_str().unwrap().to_string(),
                    BASE64URL_NOPAD.decode(o["blob"].as_str().unwrap().as_bytes()).unwrap(),
                ));
            }
            if v["more"] != true {
                return (out, after);
            }
        }
    }
}

fn ops(prefix: &str, n: usize, size: usize) -> Vec<(String, Vec<u8>)> {
    (0..n).map(|i| (format!("{prefix}-{i}"), random(size))).collect()
}

fn assert_err(got: (u16, Value), status: u16, code: &str) {
    assert_eq!((got.0, got.1["error"].as_str()), (status, Some(code)), "{}", got.1);
}

/// An account with the given number of devices (the first created it).
fn account_with(base: &str, n: usize) -> (String, Vec<Device>) {
    let account = new_account();
    let devs: Vec<Device> = (0..n).map(|_| Device::new()).collect();
    assert_eq!(devs[0].add(base, &account, &devs[0]), (201, json!({"created": true})));
    for d in &devs[1..] {
        assert_eq!(devs[0].add(base, &account, d), (201, json!({"created": false})));
    }
    (account, devs)
}

fn account_is_created_by_its_first_device_only(r: Running) {
    let base = &r.base;
    let account = new_account();
    let (a, b) = (Device::new(), Device::new());
    // Nobody may open an account in someone else's name.
    assert_err(a.add(base, &account, &b), 403, "not_a_device");
    assert_err(a.call(base, "GET", &format!("/sync/{account}/devices"), None), 403, "not_a_device");
    assert_eq!(a.add(base, &account, &a), (201, json!({"created": true})));
    assert_eq!(a.add(base, &account, &a), (200, json!({"created": false})), "idempotent");
    let (s, v) = a.call(base, "GET", &format!("/sync/{account}/devices"), None);
    assert_eq!(s, 200);
    let list = v.as_array().unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["device"], a.id.as_str());
    assert_eq!(list[0]["xkey"], a.xkey.as_str());
    assert_eq!(list[0]["status"], "active");
    assert!(list[0]["addedAt"].as_i64().unwrap() > 1_700_000_000_000);
    assert!(list[0]["removedAt"].is_null());
    // Once the account exists, signing for yourself is not enough.
    assert_err(b.add(base, &account, &b), 403, "not_a_device");
    // Unsigned requests are refused before anything else.
    let st = http()
        .post(format!("{base}/sync/{account}/devices"))
        .body(json!({"device": b.id, "xkey": b.xkey}).to_string())
        .send()
        .unwrap();
    assert_eq!(st.status().as_u16(), 401);
    // A signature made by another key than the one claimed.
    let now = phr_core::share::relay::request_time_ms();
    let path = format!("/sync/{account}/devices");
    let sig = b.key.sign(&signing_input("GET", &path, now, b""));
    let st = http()
        .get(format!("{base}{path}"))
        .header("x-phr-owner", &a.id)
        .header("x-phr-time", now.to_string())
        .header("x-phr-sig", BASE64URL_NOPAD.encode(sig.as_ref()))
        .send()
        .unwrap();
    assert_eq!(st.status().as_u16(), 401);
}

fn adding_a_device_needs_an_active_signer(r: Running) {
    let base = &r.base;
    let (account, devs) = account_with(base, 2);
    let (c, d, stranger) = (Device::new(), Device::new(), Device::new());
    // Any active device may add: the second device adds a third.
    assert_eq!(devs[1].add(base, &account, &c), (201, json!({"created": false})));
    assert_eq!(devs[1].add(base, &account, &c), (200, json!({"created": false})));
    assert_err(stranger.add(base, &account, &d), 403, "not_a_device");
    assert_err(stranger.add(base, &account, &stranger), 403, "not_a_device");
    let (_, v) = c.call(base, "GET", &format!("/sync/{account}/devices"), None);
    let ids: HashSet<&str> = v.as_array().unwrap().iter().map(|d| d["device"].as_str().unwrap()).collect();
    assert_eq!(ids, HashSet::from([devs[0].id.as_str(), devs[1].id.as_str(), c.id.as_str()]));
}

/// A captured request cannot be sent again (the relay keeps seen signatures for the
/// 5-minute window), even though pushes are idempotent anyway.
fn a_signed_sync_request_is_accepted_once(r: Running) {
    let base = &r.base;
    let (account, devs) = account_with(base, 1);
    let path = format!("/sync/{account}/ops?after=0&limit=10");
    let now = phr_core::share::relay::request_time_ms();
    let sig = devs[0].key.sign(&signing_input("GET", &path, now, b""));
    let send = || {
        http()
            .get(format!("{base}{path}"))
            .header("x-phr-owner", &devs[0].id)
            .header("x-phr-time", now.to_string())
            .header("x-phr-sig", BASE64URL_NOPAD.encode(sig.as_ref()))
            .send()
            .unwrap()
    };
    assert_eq!(send().status().as_u16(), 200);
    let again = send();
    assert_eq!(again.status().as_u16(), 401);
    assert_eq!(again.json::<Value>().unwrap()["error"], "replayed_request");
}

fn removed_device_is_locked_out_for_good(r: Running) {
    let base = &r.base;
    let (account, devs) = account_with(base, 3);
    let (a, b, c) = (&devs[0], &devs[1], &devs[2]);
    assert_eq!(b.push(base, &account, 0, &ops("b", 2, 16)).0, 200);
    assert_eq!(a.remove(base, &account, c, b), 204);
    // Removing again is harmless; an unknown device is 404.
    assert_eq!(a.call(base, "DELETE", &format!("/sync/{account}/devices/{}", b.id), None).0, 204);
    assert_err(
        a.call(base, "DELETE", &format!("/sync/{account}/devices/{}", Device::new().id), None),
        404,
        "not_found",
    );
    for (m, p, body) in [
        ("GET", format!("/sync/{account}/ops?after=0"), None),
        (
            "POST",
            format!("/sync/{account}/ops"),
            Some(json!({"epoch": 0, "ops": [{"id": "x", "blob": "AAAA"}]})),
        ),
        ("GET", format!("/sync/{account}/keys"), None),
        ("POST", format!("/sync/{account}/keys"), Some(json!({"epoch": 1, "envelopes": []}))),
        ("GET", format!("/sync/{account}/devices"), None),
        ("GET", format!("/sync/{account}/snapshot"), None),
        ("PUT", format!("/sync/{account}/snapshot"), Some(json!({"upto": 2, "epoch": 0, "blob": "AAAA"}))),
        ("DELETE", format!("/sync/{account}/devices/{}", a.id), None),
    ] {
        assert_err(b.call(base, m, &p, body), 403, "device_removed");
    }
    assert_err(b.add(base, &account, b), 403, "device_removed");
    assert_err(b.add(base, &account, &Device::new()), 403, "device_removed");
    // A removed key can never come back, whoever adds it.
    assert_err(a.add(base, &account, b), 409, "device_removed");
    assert_err(c.add(base, &account, b), 409, "device_removed");
    let (_, v) = a.call(base, "GET", &format!("/sync/{account}/devices"), None);
    let row = v.as_array().unwrap().iter().find(|d| d["device"] == b.id.as_str()).unwrap().clone();
    assert_eq!(row["status"], "removed");
    assert!(row["removedAt"].as_i64().unwrap() >= row["addedAt"].as_i64().unwrap());
    // A device never removes itself (so it cannot take itself and the others out in one go).
    assert_err(
        c.call(base, "DELETE", &format!("/sync/{account}/devices/{}", c.id), None),
        403,
        "cannot_remove_self",
    );
    assert_eq!(c.pull(base, &account, 0, 10).0, 200);
    assert_eq!(a.pull(base, &account, 0, 10).0, 200);
}

/// A recovery identity as the core derives it from the printed key: here just another key pair.
fn register_recovery(base: &str, account: &str, by: &Device) -> Device {
    let rk = Device::new();
    let (s, v) = by.call(
        base,
        "PUT",
        &format!("/sync/{account}/recovery"),
        Some(json!({"device": rk.id, "xkey": rk.xkey})),
    );
    assert_eq!(s, 204, "{v}");
    rk
}

/// The thief who pairs a second phone to the stolen one (issue 18, ADR 0048): a device added
/// less than the wait ago can neither ask for nor confirm a removal, and says how long is
/// left; a request made by an older device waits for it; the recovery key is never held up.
fn a_new_device_waits_before_it_removes_another(which: Which) {
    let wait = Duration::from_secs(2);
    let Some(r) = start_with(which, Options { new_device_wait: Some(wait), ..Options::default() }) else {
        return;
    };
    let base = &r.base;
    let (account, devs) = account_with(base, 2);
    let (a, b) = (&devs[0], &devs[1]);
    let path = |t: &Device| format!("/sync/{account}/devices/{}", t.id);
    // Seconds old: b may not even ask.
    let (s, v) = b.call(base, "DELETE", &path(a), None);
    assert_eq!((s, v["error"].as_str()), (403, Some("device_too_new")), "{v}");
    let left = v["retryAfter"].as_i64().unwrap();
    assert!((1..=2).contains(&left), "{v}");
    std::thread::sleep(wait + Duration::from_millis(200));
    // A third device joins now; b (old enough) asks; the newcomer's confirmation is refused
    // and the request stands.
    let c = Device::new();
    assert_eq!(a.add(base, &account, &c).0, 201);
    assert_eq!(b.call(base, "DELETE", &path(a), None).0, 202);
    assert_err(c.call(base, "DELETE", &path(a), None), 403, "device_too_new");
    let (_, v) = b.call(base, "GET", &format!("/sync/{account}/devices"), None);
    let row = v.as_array().unwrap().iter().find(|x| x["device"] == a.id.as_str()).unwrap().clone();
    assert_eq!(
        (row["status"].as_str(), row["removalRequestedBy"].as_str()),
        (Some("active"), Some(b.id.as_str()))
    );
    // The recovery key removes at once, whatever the devices' age.
    let rk = register_recovery(base, &account, a);
    assert_eq!(rk.call(base, "DELETE", &path(&c), None).0, 204);
    assert_err(c.pull(base, &account, 0, 10), 403, "device_removed");
    // Once c would have waited too, an old enough device confirms b's request.
    std::thread::sleep(wait);
    let d = Device::new();
    assert_eq!(rk.add(base, &account, &d).0, 201);
    assert_err(d.call(base, "DELETE", &path(a), None), 403, "device_too_new");
    assert_eq!(b.call(base, "DELETE", &path(a), None).0, 202, "b renews its own request");
    std::thread::sleep(wait + Duration::from_millis(200));
    assert_eq!(d.call(base, "DELETE", &path(a), None).0, 204, "d, now old enough, confirms");
    assert_err(a.pull(base, &account, 0, 10), 403, "device_removed");
}

#[test]
fn sqlite_a_new_device_waits_before_it_removes_another() {
    a_new_device_waits_before_it_removes_another(Which::Sqlite);
}

#[test]
fn postgres_a_new_device_waits_before_it_removes_another() {
    a_new_device_waits_before_it_removes_another(Which::Postgres);
}

/// The thief with one unlocked phone (issue 18): it can ask, never remove; asking twice
/// from the same phone is still asking; the target cannot confirm its own removal; a second
/// device confirms; the recovery key removes alone; a request dies with its asker.
fn removal_needs_a_second_device_or_the_recovery_key(r: Running) {
    let base = &r.base;
    // On PostgreSQL a second instance serves the same database: the request and its
    // confirmation reach different instances, as behind a load balancer.
    let other = r.bases().last().cloned().unwrap();
    let (account, devs) = account_with(base, 4);
    let (a, b, c, d) = (&devs[0], &devs[1], &devs[2], &devs[3]);
    let path = |t: &Device| format!("/sync/{account}/devices/{}", t.id);
    // b alone: asking, again and again (on either instance), never removes a.
    for i in 0..3 {
        let base = if i == 1 { &other } else { base };
        let (s, v) = b.call(base, "DELETE", &path(a), None);
        assert_eq!((s, v["status"].as_str()), (202, Some("pending")), "{v}");
        assert!(v["expiresAt"].as_i64().unwrap() > 0);
    }
    assert_eq!(a.pull(base, &account, 0, 10).0, 200, "a is still a device");
    // Every device sees who asked (so the owner can confirm, or not, on another one).
    let (_, v) = c.call(&other, "GET", &format!("/sync/{account}/devices"), None);
    let row = v.as_array().unwrap().iter().find(|x| x["device"] == a.id.as_str()).unwrap().clone();
    assert_eq!(row["removalRequestedBy"], b.id.as_str());
    assert_eq!(row["status"], "active");
    // The target cannot "confirm" its own removal, nor remove the asker in one go.
    assert_err(a.call(base, "DELETE", &path(a), None), 403, "cannot_remove_self");
    // A second device confirms, on the other instance: a is out.
    assert_eq!(c.call(&other, "DELETE", &path(a), None).0, 204);
    assert_err(a.pull(base, &account, 0, 10), 403, "device_removed");
    // A request dies with its asker: b asks for d, b is removed (c asks, d confirms), then
    // c's DELETE of d only asks again.
    assert_eq!(b.call(base, "DELETE", &path(d), None).0, 202);
    assert_eq!(c.remove(base, &account, d, b), 204);
    let (s, v) = c.call(base, "DELETE", &path(d), None);
    assert_eq!((s, v["status"].as_str()), (202, Some("pending")), "{v}");
    assert_eq!(d.pull(base, &account, 0, 10).0, 200, "d is still a device");
    // Now c and d are left: c lost, the owner holds d alone and removes c with the recovery key.
    let rk = register_recovery(base, &account, d);
    assert_eq!(rk.call(base, "DELETE", &path(c), None).0, 204);
    assert_err(c.pull(base, &account, 0, 10), 403, "device_removed");
    // The recovery key is not a device: no ops, no snapshot; it cannot be removed by a device.
    assert_err(rk.pull(base, &account, 0, 10), 403, "not_a_device");
    assert_err(rk.push(base, &account, 0, &ops("r", 1, 8)), 403, "not_a_device");
    assert_err(d.call(base, "DELETE", &path(&rk), None), 404, "not_found");
    // It brings a device back (a new key; the removed one stays removed) and sees the list.
    let back = Device::new();
    assert_eq!(rk.add(base, &account, &back).0, 201);
    assert_err(rk.add(base, &account, a), 409, "device_removed");
    assert_eq!(back.pull(base, &account, 0, 10).0, 200);
    let (s, v) = rk.call(base, "GET", &format!("/sync/{account}/devices"), None);
    assert_eq!(s, 200);
    let active: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| x["status"] == "active")
        .map(|x| x["device"].as_str().unwrap())
        .collect();
    assert_eq!(active, vec![d.id.as_str(), back.id.as_str()]);
    // It may be given key envelopes and read its own.
    let env = json!({"epoch": 1, "envelopes": [{"device": rk.id, "blob": "AAAA"}]});
    assert_eq!(d.call(base, "POST", &format!("/sync/{account}/keys"), Some(env)).0, 204);
    assert_eq!(
        rk.call(base, "GET", &format!("/sync/{account}/keys"), None),
        (200, json!([{"epoch": 1, "blob": "AAAA"}]))
    );
}

fn only_the_recovery_key_replaces_itself(r: Running) {
    let base = &r.base;
    let (account, devs) = account_with(base, 2);
    let (a, b) = (&devs[0], &devs[1]);
    let rk = register_recovery(base, &account, a);
    let set = |by: &Device, k: &Device| {
        by.call(
            base,
            "PUT",
            &format!("/sync/{account}/recovery"),
            Some(json!({"device": k.id, "xkey": k.xkey})),
        )
    };
    // The same one again is fine (every device registers what the record says).
    assert_eq!(set(b, &rk).0, 204);
    // A stolen phone cannot swap in a recovery key of its own.
    assert_err(set(b, &Device::new()), 409, "recovery_set");
    // The recovery key can (the owner made a new one).
    let rk2 = Device::new();
    assert_eq!(set(&rk, &rk2).0, 204);
    assert_err(rk.call(base, "GET", &format!("/sync/{account}/devices"), None), 403, "not_a_device");
    assert_eq!(rk2.call(base, "GET", &format!("/sync/{account}/devices"), None).0, 200);
    // A device key cannot be made the recovery key.
    assert_err(set(&rk2, b), 400, "bad_device");
    // Strangers cannot set it.
    assert_err(set(&Device::new(), &Device::new()), 403, "not_a_device");
}

fn accounts_are_isolated(r: Running) {
    let base = &r.base;
    let (acc_a, da) = account_with(base, 1);
    let (acc_b, db) = account_with(base, 1);
    assert_eq!(db[0].push(base, &acc_b, 0, &ops("secret", 3, 32)).0, 200);
    let a = &da[0];
    let nowhere = new_account();
    for account in [&acc_b, &nowhere] {
        for (m, p, body) in [
            ("GET", format!("/sync/{account}/ops?after=0"), None),
            (
                "POST",
                format!("/sync/{account}/ops"),
                Some(json!({"epoch": 0, "ops": [{"id": "x", "blob": "AAAA"}]})),
            ),
            ("GET", format!("/sync/{account}/keys"), None),
            (
                "POST",
                format!("/sync/{account}/keys"),
                Some(json!({"epoch": 5, "envelopes": [{"device": a.id, "blob": "AAAA"}]})),
            ),
            ("GET", format!("/sync/{account}/devices"), None),
            ("GET", format!("/sync/{account}/snapshot"), None),
            (
                "PUT",
                format!("/sync/{account}/snapshot"),
                Some(json!({"upto": 1, "epoch": 0, "blob": "AAAA"})),
            ),
            ("DELETE", format!("/sync/{account}/devices/{}", db[0].id), None),
        ] {
            assert_err(a.call(base, m, &p, body), 403, "not_a_device");
        }
        assert_err(a.add(base, account, &Device::new()), 403, "not_a_device");
    }
    // B's log is untouched and A's is empty.
    let (got, _) = db[0].pull_all(base, &acc_b, 0, 100);
    assert_eq!(got.len(), 3);
    assert_eq!(db[0].pull(base, &acc_b, 0, 10).1["lastSeq"], 3);
    assert_eq!(a.pull(base, &acc_a, 0, 10).1["lastSeq"], 0);
    assert_eq!(
        db[0].call(base, "GET", &format!("/sync/{acc_b}/devices"), None).1.as_array().unwrap().len(),
        1
    );
}

fn push_is_idempotent(r: Running) {
    let base = &r.base;
    let (account, devs) = account_with(base, 2);
    let first = ops("op", 3, 100);
    let (s, v) = devs[0].push(base, &account, 0, &first);
    assert_eq!((s, v.clone()), (200, json!({"accepted": 3, "duplicates": 0, "lastSeq": 3})), "{v}");
    // A retried push (say, the answer was lost) adds nothing.
    assert_eq!(
        devs[0].push(base, &account, 0, &first).1,
        json!({"accepted": 0, "duplicates": 3, "lastSeq": 3})
    );
    // The same ids from another device are duplicates too; a new one is appended.
    let mut mixed = first.clone();
    mixed.push(("op-new".into(), random(10)));
    mixed.push(("op-new".into(), random(10)));
    assert_eq!(
        devs[1].push(base, &account, 0, &mixed).1,
        json!({"accepted": 1, "duplicates": 4, "lastSeq": 4})
    );
    let (got, cursor) = devs[1].pull_all(base, &account, 0, 1000);
    assert_eq!(cursor, 4);
    assert_eq!(got.iter().map(|o| o.0).collect::<Vec<_>>(), vec![1, 2, 3, 4]);
    for (i, (id, blob)) in first.iter().enumerate() {
        assert_eq!((&got[i].1, &got[i].2), (id, blob), "the first copy is kept, byte for byte");
    }
    assert_eq!(got[3].1, "op-new");
    assert_eq!(&got[3].2, &mixed[3].1, "the first of two same ids in one push wins");
    let (_, v) = devs[1].pull(base, &account, 0, 1);
    assert_eq!(v["ops"][0]["epoch"], 0);
}

fn pull_pages_in_seq_order(r: Running) {
    let base = &r.base;
    let (account, devs) = account_with(base, 2);
    let mut pushed = Vec::new();
    for batch in 0..5 {
        let o = ops(&format!("b{batch}"), 7, 50);
        assert_eq!(devs[batch % 2].push(base, &account, 0, &o).0, 200);
        pushed.extend(o);
    }
    let (s, v) = devs[0].pull(base, &account, 0, 10);
    assert_eq!(s, 200);
    assert_eq!(v["ops"].as_array().unwrap().len(), 10);
    assert_eq!(
        (v["more"].clone(), v["lastSeq"].clone(), v["snapshotUpto"].clone(), v["snapshotRequired"].clone()),
        (json!(true), json!(35), json!(0), json!(false))
    );
    let (got, cursor) = devs[0].pull_all(base, &account, 0, 10);
    assert_eq!(cursor, 35);
    assert!(got.windows(2).all(|w| w[0].0 < w[1].0));
    assert_eq!(
        got.iter().map(|o| (o.1.clone(), o.2.clone())).collect::<Vec<_>>(),
        pushed,
        "push order is kept"
    );
    // Exact page boundary: the last full page says no more.
    let (_, v) = devs[0].pull(base, &account, 25, 10);
    assert_eq!((v["ops"].as_array().unwrap().len(), v["more"].clone()), (10, json!(false)));
    // Past the end, and the default limit.
    let (_, v) = devs[0].pull(base, &account, 35, 10);
    assert_eq!((v["ops"].as_array().unwrap().len(), v["more"].clone()), (0, json!(false)));
    let (_, v) = devs[0].pull(base, &account, 1000, 10);
    assert_eq!((v["ops"].as_array().unwrap().len(), v["lastSeq"].clone()), (0, json!(35)));
    let (s, v) = devs[0].call(base, "GET", &format!("/sync/{account}/ops"), None);
    assert_eq!((s, v["ops"].as_array().unwrap().len()), (200, 35));
    let (s, v) = devs[0].call(base, "GET", &format!("/sync/{account}/ops?after=30"), None);
    assert_eq!((s, v["ops"][0]["seq"].clone()), (200, json!(31)));
}

fn concurrent_pushes_are_pulled_exactly_once(r: Running) {
    const PUSHERS: usize = 4;
    const BATCHES: usize = 25;
    const PER: usize = 8;
    let bases = r.bases();
    let (account, devs) = account_with(&r.base, PUSHERS + 1);
    let devs: Vec<Arc<Device>> = devs.into_iter().map(Arc::new).collect();
    let done = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut pushers = Vec::new();
    for (i, d) in devs[..PUSHERS].iter().enumerate() {
        let (d, account, base, done) =
            (d.clone(), account.clone(), bases[i % bases.len()].clone(), done.clone());
        pushers.push(std::thread::spawn(move || {
            for b in 0..BATCHES {
                let (s, v) = d.push(&base, &account, 0, &ops(&format!("d{i}-b{b}"), PER, 64));
                assert_eq!((s, v["accepted"].as_i64()), (200, Some(PER as i64)), "{v}");
            }
            done.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        }));
    }
    // A reader pulls while they push: a cursor that only moves forward must still see every
    // op exactly once (no seq may become visible before a smaller one).
    let reader = devs[PUSHERS].clone();
    let mut seen = Vec::new();
    let mut cursor = 0;
    let mut rounds = 0;
    loop {
        let finished = done.load(std::sync::atomic::Ordering::SeqCst) == PUSHERS;
        let base = &bases[rounds % bases.len()];
        rounds += 1;
        let (got, c) = reader.pull_all(base, &account, cursor, 7);
        cursor = c;
        seen.extend(got);
        if finished {
            break;
        }
    }
    for p in pushers {
        p.join().unwrap();
    }
    let (tail, _) = reader.pull_all(&r.base, &account, cursor, 100);
    assert!(
        tail.is_empty(),
        "ops appeared behind the reader's cursor: {:?}",
        tail.iter().map(|o| o.0).collect::<Vec<_>>()
    );
    assert!(seen.windows(2).all(|w| w[0].0 < w[1].0));
    let ids: HashSet<&str> = seen.iter().map(|o| o.1.as_str()).collect();
    assert_eq!((seen.len(), ids.len()), (PUSHERS * BATCHES * PER, PUSHERS * BATCHES * PER), "every op once");
    assert_eq!(seen.last().unwrap().0, (PUSHERS * BATCHES * PER) as i64, "no gaps when no id repeats");
    // Each pusher's batches keep their order.
    let mut last: BTreeMap<usize, i64> = BTreeMap::new();
    for (seq, id, _) in &seen {
        let dev: usize = id[1..id.find('-').unwrap()].parse().unwrap();
        assert!(last.insert(dev, *seq).is_none_or(|prev| prev < *seq));
    }
    eprintln!(
        "{:?}: {} ops from {PUSHERS} pushers over {} instance(s), reader took {rounds} rounds",
        r.which,
        seen.len(),
        bases.len()
    );
}

fn keys_raise_the_epoch_and_stale_pushes_are_refused(r: Running) {
    let base = &r.base;
    let (account, devs) = account_with(base, 3);
    let (a, b, c) = (&devs[0], &devs[1], &devs[2]);
    assert_eq!(a.push(base, &account, 0, &ops("e0", 2, 8)).0, 200);
    // c is removed; the key is rotated to epoch 1 for a and b only.
    assert_eq!(a.remove(base, &account, b, c), 204);
    let env = |d: &Device| json!({"device": d.id, "blob": BASE64URL_NOPAD.encode(&random(80))});
    assert_err(
        a.call(
            base,
            "POST",
            &format!("/sync/{account}/keys"),
            Some(json!({"epoch": 1, "envelopes": [env(a), env(b), env(c)]})),
        ),
        400,
        "not_a_device",
    );
    assert_err(
        a.call(
            base,
            "POST",
            &format!("/sync/{account}/keys"),
            Some(json!({"epoch": 1, "envelopes": [env(a), env(&Device::new())]})),
        ),
        400,
        "not_a_device",
    );
    // Nothing changed by the refused posts.
    assert_eq!(b.push(base, &account, 0, &ops("still0", 1, 8)).0, 200);
    assert_eq!(
        a.call(
            base,
            "POST",
            &format!("/sync/{account}/keys"),
            Some(json!({"epoch": 1, "envelopes": [env(a), env(b)]}))
        )
        .0,
        204
    );
    let (s, v) = b.push(base, &account, 0, &ops("late", 2, 8));
    assert_eq!((s, v.clone()), (409, json!({"error": "stale_epoch", "epoch": 1})), "{v}");
    assert_eq!(b.push(base, &account, 1, &ops("late", 2, 8)).1["accepted"], 2);
    // A newer epoch than the account's is fine for a push (the keys may be in flight).
    assert_eq!(b.push(base, &account, 7, &ops("ahead", 1, 8)).0, 200);
    // Keys for an older epoch are refused; the same epoch again is an upsert.
    let (s, v) = a.call(
        base,
        "POST",
        &format!("/sync/{account}/keys"),
        Some(json!({"epoch": 0, "envelopes": [env(a)]})),
    );
    assert_eq!((s, v), (409, json!({"error": "stale_epoch", "epoch": 1})));
    assert_eq!(
        a.call(
            base,
            "POST",
            &format!("/sync/{account}/keys"),
            Some(json!({"epoch": 1, "envelopes": [env(a), env(b)]}))
        )
        .0,
        204
    );
    let (_, v) = a.pull(base, &account, 0, 100);
    let epochs: Vec<i64> =
        v["ops"].as_array().unwrap().iter().map(|o| o["epoch"].as_i64().unwrap()).collect();
    assert_eq!(epochs, vec![0, 0, 0, 1, 1, 7]);
}

fn keys_are_visible_only_to_their_device(r: Running) {
    let base = &r.base;
    let (account, devs) = account_with(base, 2);
    let (a, b) = (&devs[0], &devs[1]);
    assert_eq!(a.call(base, "GET", &format!("/sync/{account}/keys"), None), (200, json!([])));
    let blobs: Vec<Vec<u8>> = (0..4).map(|_| random(90)).collect();
    let e = |d: &Device, i: usize| json!({"device": d.id, "blob": BASE64URL_NOPAD.encode(&blobs[i])});
    assert_eq!(
        a.call(
            base,
            "POST",
            &format!("/sync/{account}/keys"),
            Some(json!({"epoch": 0, "envelopes": [e(a, 0), e(b, 1)]}))
        )
        .0,
        204
    );
    assert_eq!(
        b.call(
            base,
            "POST",
            &format!("/sync/{account}/keys"),
            Some(json!({"epoch": 3, "envelopes": [e(b, 3), e(a, 2)]}))
        )
        .0,
        204
    );
    let want = |i: usize, j: usize| json!([{"epoch": 0, "blob": BASE64URL_NOPAD.encode(&blobs[i])}, {"epoch": 3, "blob": BASE64URL_NOPAD.encode(&blobs[j])}]);
    assert_eq!(a.call(base, "GET", &format!("/sync/{account}/keys"), None), (200, want(0, 2)));
    assert_eq!(b.call(base, "GET", &format!("/sync/{account}/keys"), None), (200, want(1, 3)));
    // Upsert of an envelope at the current epoch; a device added later sees only its own.
    assert_eq!(
        a.call(
            base,
            "POST",
            &format!("/sync/{account}/keys"),
            Some(json!({"epoch": 3, "envelopes": [e(b, 0)]}))
        )
        .0,
        204
    );
    assert_eq!(b.call(base, "GET", &format!("/sync/{account}/keys"), None), (200, want(1, 0)));
    let c = Device::new();
    assert_eq!(a.add(base, &account, &c).0, 201);
    assert_eq!(c.call(base, "GET", &format!("/sync/{account}/keys"), None), (200, json!([])));
    // A removed device's envelopes are dropped with it.
    assert_eq!(a.remove(base, &account, &c, b), 204);
    assert_err(b.call(base, "GET", &format!("/sync/{account}/keys"), None), 403, "device_removed");
}

fn snapshot_prunes_up_to_the_slowest_active_device(r: Running) {
    let base = &r.base;
    let (account, devs) = account_with(base, 3);
    let (a, b, c) = (&devs[0], &devs[1], &devs[2]);
    assert_err(a.call(base, "GET", &format!("/sync/{account}/snapshot"), None), 404, "no_snapshot");
    // Nothing to snapshot yet: upto must be within the log.
    assert_err(
        a.call(
            base,
            "PUT",
            &format!("/sync/{account}/snapshot"),
            Some(json!({"upto": 1, "epoch": 0, "blob": "AAAA"})),
        ),
        409,
        "stale_snapshot",
    );
    let all = ops("s", 30, 40);
    assert_eq!(a.push(base, &account, 0, &all).1["lastSeq"], 30);
    // a holds everything, b holds up to 10, c up to 20.
    a.pull_all(base, &account, 0, 1000);
    assert_eq!(a.pull(base, &account, 30, 10).0, 200);
    assert_eq!(b.pull(base, &account, 0, 10).0, 200);
    assert_eq!(b.pull(base, &account, 10, 10).0, 200);
    assert_eq!(c.pull(base, &account, 20, 5).0, 200);
    let snap = random(500);
    let put = |d: &Device, upto: i64, blob: &[u8]| {
        d.call(
            base,
            "PUT",
            &format!("/sync/{account}/snapshot"),
            Some(json!({"upto": upto, "epoch": 0, "blob": BASE64URL_NOPAD.encode(blob)})),
        )
    };
    assert_err(put(a, 31, &snap), 409, "stale_snapshot");
    assert_eq!(put(a, 30, &snap), (200, json!({"pruned": 10, "compactedUpto": 10})));
    assert_err(put(a, 30, &snap), 409, "stale_snapshot");
    assert_err(put(a, 25, &snap), 409, "stale_snapshot");
    let (s, v) = c.call(base, "GET", &format!("/sync/{account}/snapshot"), None);
    assert_eq!((s, v), (200, json!({"upto": 30, "epoch": 0, "blob": BASE64URL_NOPAD.encode(&snap)})));
    // Behind the compacted part: the snapshot is required (and the op list is empty).
    let (s, v) = b.pull(base, &account, 5, 10);
    assert_eq!(
        (s, v),
        (200, json!({"snapshotRequired": true, "snapshotUpto": 30, "lastSeq": 30, "ops": [], "more": false}))
    );
    // At the compacted bound the log goes on.
    let (got, _) = b.pull_all(base, &account, 10, 100);
    assert_eq!(got.first().map(|o| o.0), Some(11));
    assert_eq!(got.len(), 20);
    // b (now acked at 30) is removed; c is the slowest active device; then everyone catches up.
    assert_eq!(a.push(base, &account, 0, &ops("t", 10, 40)).1["lastSeq"], 40);
    assert_eq!(a.remove(base, &account, c, b), 204);
    assert_eq!(a.pull(base, &account, 40, 10).0, 200);
    assert_eq!(c.pull(base, &account, 35, 10).0, 200);
    let snap2 = random(600);
    assert_eq!(put(c, 40, &snap2), (200, json!({"pruned": 25, "compactedUpto": 35})));
    assert_eq!(c.pull(base, &account, 40, 10).0, 200);
    // A new device starts from the snapshot; its ack (0) holds pruning back until it pulls.
    let d = Device::new();
    assert_eq!(a.add(base, &account, &d).0, 201);
    assert_eq!(a.push(base, &account, 0, &ops("u", 5, 40)).1["lastSeq"], 45);
    assert_eq!(put(a, 45, &random(10)), (200, json!({"pruned": 0, "compactedUpto": 35})));
    assert_eq!(d.pull(base, &account, 0, 10).1["snapshotRequired"], true);
    let (_, v) = d.call(base, "GET", &format!("/sync/{account}/snapshot"), None);
    assert_eq!(v["upto"], 45);
    let (got, _) = d.pull_all(base, &account, 45, 10);
    assert!(got.is_empty());
}

fn pairing_slots_are_write_once_and_expire(r: Running) {
    let base = &r.base;
    let c = http();
    let slot = HEXLOWER.encode(&random(32));
    let put = |slot: &str, what: &str, blob: &[u8]| {
        c.put(format!("{base}/sync/pair/{slot}/{what}"))
            .json(&json!({"blob": BASE64URL_NOPAD.encode(blob)}))
            .send()
            .unwrap()
            .status()
            .as_u16()
    };
    let get = |slot: &str| {
        let r = c.get(format!("{base}/sync/pair/{slot}")).send().unwrap();
        (r.status().as_u16(), r.json::<Value>().unwrap_or(Value::Null))
    };
    assert_eq!(get(&slot).0, 404);
    assert_eq!(put(&slot, "welcome", b"too early"), 409);
    let (hello, welcome) = (random(200), random(300));
    assert_eq!(put(&slot, "hello", &hello), 201);
    assert_eq!(put(&slot, "hello", b"second"), 409);
    assert_eq!(get(&slot), (200, json!({"hello": BASE64URL_NOPAD.encode(&hello), "welcome": null})));
    assert_eq!(put(&slot, "welcome", &welcome), 201);
    assert_eq!(put(&slot, "welcome", b"again"), 409);
    assert_eq!(
        get(&slot),
        (200, json!({"hello": BASE64URL_NOPAD.encode(&hello), "welcome": BASE64URL_NOPAD.encode(&welcome)}))
    );
    // Size limit and slot shape.
    let other = HEXLOWER.encode(&random(32));
    assert_eq!(put(&other, "hello", &random(64 * 1024)), 201);
    assert_eq!(put(&HEXLOWER.encode(&random(32)), "hello", &random(64 * 1024 + 1)), 400);
    for bad in [slot.to_uppercase(), slot[..63].to_string(), format!("{slot}0"), "zz".repeat(32)] {
        assert_eq!(put(&bad, "hello", b"x"), 400, "{bad}");
        assert_eq!(get(&bad).0, 400);
    }

    // Expiry, on a relay whose slots live 1.5 s.
    let short =
        start_with(r.which, Options { pairing_ttl: Some(Duration::from_millis(1500)), ..Default::default() })
            .unwrap();
    let b2 = &short.base;
    let put2 = |what: &str, blob: &[u8]| {
        c.put(format!("{b2}/sync/pair/{slot}/{what}"))
            .json(&json!({"blob": BASE64URL_NOPAD.encode(blob)}))
            .send()
            .unwrap()
            .status()
            .as_u16()
    };
    assert_eq!(put2("hello", b"h1"), 201);
    assert_eq!(c.get(format!("{b2}/sync/pair/{slot}")).send().unwrap().status().as_u16(), 200);
    std::thread::sleep(Duration::from_millis(1700));
    assert_eq!(c.get(format!("{b2}/sync/pair/{slot}")).send().unwrap().status().as_u16(), 404);
    assert_eq!(put2("welcome", b"w1"), 409, "an expired slot takes no welcome");
    assert_eq!(put2("hello", b"h2"), 201, "an expired slot is purged and may be opened again");
    let v: Value = c.get(format!("{b2}/sync/pair/{slot}")).send().unwrap().json().unwrap();
    assert_eq!(v, json!({"hello": BASE64URL_NOPAD.encode(b"h2"), "welcome": null}));
    assert_eq!(phr_relay::sync_routes::PAIRING_TTL, Duration::from_secs(600));
}

/// Printable ASCII runs of at least `min` bytes.
fn printable_runs(bytes: &[u8], min: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = Vec::new();
    for &b in bytes.iter().chain(std::iter::once(&0u8)) {
        if (0x20..0x7f).contains(&b) {
            cur.push(b);
        } else {
            if cur.len() >= min {
                out.push(String::from_utf8(cur.clone()).unwrap());
            }
            cur.clear();
        }
    }
    out
}

fn storage_holds_only_ids_keys_and_ciphertext_as_sent(r: Running) {
    const SENTINEL: &str = "Zxqvorimab SENTINEL-7731";
    let base = &r.base;
    let (account, devs) = account_with(base, 2);
    let (a, b) = (&devs[0], &devs[1]);
    let pushed = ops("op", 40, 300);
    // Fields the relay does not know are dropped, never stored.
    let wire: Vec<Value> = pushed
        .iter()
        .map(|(id, blob)| json!({"id": id, "blob": BASE64URL_NOPAD.encode(blob), "note": SENTINEL}))
        .collect();
    assert_eq!(
        a.call(
            base,
            "POST",
            &format!("/sync/{account}/ops"),
            Some(json!({"epoch": 0, "ops": wire, "comment": SENTINEL}))
        )
        .1["accepted"],
        40
    );
    let env: Vec<(String, Vec<u8>)> = vec![(a.id.clone(), random(120)), (b.id.clone(), random(120))];
    let envs: Vec<Value> = env
        .iter()
        .map(|(d, blob)| json!({"device": d, "blob": BASE64URL_NOPAD.encode(blob), "label": SENTINEL}))
        .collect();
    assert_eq!(
        a.call(base, "POST", &format!("/sync/{account}/keys"), Some(json!({"epoch": 1, "envelopes": envs})))
            .0,
        204
    );
    // Both devices hold everything (an ack is the `after` of a pull).
    for d in [a, b] {
        let (_, cursor) = d.pull_all(base, &account, 0, 1000);
        assert_eq!(d.pull(base, &account, cursor, 10).0, 200);
    }
    let snap = random(700);
    assert_eq!(
        a.call(
            base,
            "PUT",
            &format!("/sync/{account}/snapshot"),
            Some(json!({"upto": 20, "epoch": 1, "blob": BASE64URL_NOPAD.encode(&snap), "x": SENTINEL}))
        )
        .0,
        200
    );
    let slot = HEXLOWER.encode(&random(32));
    let hello = random(256);
    assert_eq!(
        http()
            .put(format!("{base}/sync/pair/{slot}/hello"))
            .json(&json!({"blob": BASE64URL_NOPAD.encode(&hello), "x": SENTINEL}))
            .send()
            .unwrap()
            .status()
            .as_u16(),
        201
    );

    match &r.backend {
        Backend::Sqlite(path) => {
            // Blobs are stored as the bytes the client sent (decoded base64url), nothing added.
            let db = rusqlite::Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
                .unwrap();
            let mut st = db.prepare("SELECT id, blob FROM sync_ops WHERE account = ?1 ORDER BY seq").unwrap();
            let rows: Vec<(String, Vec<u8>)> = st
                .query_map([&account], |r| Ok((r.get(0)?, r.get(1)?)))
                .unwrap()
                .map(Result::unwrap)
                .collect();
            assert_eq!(rows, pushed[20..].to_vec(), "ops after the snapshot, exactly as sent");
            let mut st =
                db.prepare("SELECT device, blob FROM sync_keys WHERE account = ?1 ORDER BY device").unwrap();
            let mut keys: Vec<(String, Vec<u8>)> = st
                .query_map([&account], |r| Ok((r.get(0)?, r.get(1)?)))
                .unwrap()
                .map(Result::unwrap)
                .collect();
            let mut want = env.clone();
            want.sort();
            keys.sort();
            assert_eq!(keys, want);
            let stored_snap: Vec<u8> = db
                .query_row("SELECT snapshot FROM sync_accounts WHERE account = ?1", [&account], |r| r.get(0))
                .unwrap();
            assert_eq!(stored_snap, snap);
            let stored_hello: Vec<u8> = db
                .query_row("SELECT hello FROM sync_pairing WHERE slot = ?1", [&slot], |r| r.get(0))
                .unwrap();
            assert_eq!(stored_hello, hello);
            // Everything readable in the file (and its WAL) is an id, a public key, a status
            // word, or the schema: no request text, no base64 of a blob, no sentinel.
            let mut schema: Vec<String> = Vec::new();
            let mut st =
                db.prepare("SELECT type, name, tbl_name, COALESCE(sql, '') FROM sqlite_master").unwrap();
            for row in
                st.query_map([], |r| Ok([r.get::<_, String>(0)?, r.get(1)?, r.get(2)?, r.get(3)?])).unwrap()
            {
                schema.extend(row.unwrap());
            }
            let mut bytes = std::fs::read(path).unwrap();
            if let Ok(w) = std::fs::read(format!("{}-wal", path.display())) {
                bytes.extend(w);
            }
            let hay = String::from_utf8_lossy(&bytes);
            assert!(!hay.contains("SENTINEL-7731") && !hay.contains("Zxqvorimab"));
            assert!(!hay.contains(&BASE64URL_NOPAD.encode(&pushed[30].1)[..40]), "a blob stored as text");
            assert!(!hay.contains("\"blob\"") && !hay.contains("\"ops\""), "request JSON stored");
            let mut tokens: Vec<String> = vec![
                account.clone(),
                a.id.clone(),
                a.xkey.clone(),
                b.id.clone(),
                b.xkey.clone(),
                slot.clone(),
                "active".into(),
                "removed".into(),
            ];
            tokens.extend(pushed.iter().map(|p| p.0.clone()));
            tokens.extend(schema.iter().filter(|s| !s.is_empty()).cloned());
            // The replay cache: SHA-256 (hex) of each signature seen in the last 5 minutes.
            let seen: Vec<String> = {
                let mut st = db.prepare("SELECT id FROM seen_requests").unwrap();
                st.query_map([], |r| r.get(0)).unwrap().map(|r| r.unwrap()).collect()
            };
            assert!(
                seen.iter().all(|h| h.len() == 64 && h.chars().all(|c| c.is_ascii_hexdigit())),
                "the replay cache holds only hashes"
            );
            tokens.extend(seen);
            tokens.sort_by_key(|t| std::cmp::Reverse(t.len()));
            for run in printable_runs(&bytes, 24) {
                // Schema text, give or take a few bytes of the record around it.
                let n = run.len();
                if (0..=4).any(|i| (0..=4).any(|j| schema.iter().any(|s| s.contains(&run[i..n - j])))) {
                    continue;
                }
                let mut rest = run.clone();
                for t in &tokens {
                    rest = rest.replace(t.as_str(), "");
                }
                // What is left next to a token is a few bytes of record headers or ciphertext.
                assert!(
                    rest.len() < 16,
                    "unexplained readable text in the relay's file: {run:?} (left: {rest:?})"
                );
            }
        }
        Backend::Postgres { url, schema } => {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            rt.block_on(async {
                let (c, conn) = tokio_postgres::connect(url, tokio_postgres::NoTls).await.unwrap();
                tokio::spawn(conn);
                let s = schema.as_deref().unwrap();
                let rows = c
                    .query(
                        &format!("SELECT id, blob FROM {s}.sync_ops WHERE account = $1 ORDER BY seq"),
                        &[&account],
                    )
                    .await
                    .unwrap();
                let rows: Vec<(String, Vec<u8>)> = rows.iter().map(|r| (r.get(0), r.get(1))).collect();
                assert_eq!(rows, pushed[20..].to_vec());
                let snap_row: Vec<u8> = c
                    .query_one(
                        &format!("SELECT snapshot FROM {s}.sync_accounts WHERE account = $1"),
                        &[&account],
                    )
                    .await
                    .unwrap()
                    .get(0);
                assert_eq!(snap_row, snap);
                let mut text = String::new();
                for t in ["sync_accounts", "sync_devices", "sync_ops", "sync_keys", "sync_pairing"] {
                    for row in c.query(&format!("SELECT t::text FROM {s}.{t} t"), &[]).await.unwrap() {
                        text.push_str(&row.get::<_, String>(0));
                    }
                }
                assert!(!text.contains("SENTINEL-7731") && !text.contains("Zxqvorimab"));
                assert!(
                    !text.contains(&BASE64URL_NOPAD.encode(&pushed[30].1)[..40]),
                    "a blob stored as text"
                );
                assert!(!text.contains("\"blob\""));
            });
        }
    }
}

fn bad_input_is_a_400_never_a_panic(r: Running) {
    let base = &r.base;
    let (account, devs) = account_with(base, 1);
    let a = &devs[0];
    let ops_path = format!("/sync/{account}/ops");
    let cases: Vec<(&str, String, Vec<u8>, &str)> = vec![
        ("POST", ops_path.clone(), b"not json".to_vec(), "bad_json"),
        ("POST", ops_path.clone(), br#"{"epoch": -1, "ops": [{"id": "a", "blob": "AAAA"}]}"#.to_vec(), "bad_json"),
        ("POST", ops_path.clone(), br#"{"epoch": 99999999999, "ops": [{"id": "a", "blob": "AAAA"}]}"#.to_vec(), "bad_json"),
        ("POST", ops_path.clone(), br#"{"epoch": 0, "ops": {}}"#.to_vec(), "bad_json"),
        ("POST", ops_path.clone(), br#"{"epoch": 0, "ops": []}"#.to_vec(), "bad_ops"),
        ("POST", ops_path.clone(), br#"{"epoch": 0, "ops": [{"id": "a", "blob": "not base64!"}]}"#.to_vec(), "bad_base64"),
        ("POST", ops_path.clone(), br#"{"epoch": 0, "ops": [{"id": "a", "blob": "AAA="}]}"#.to_vec(), "bad_base64"),
        ("POST", ops_path.clone(), br#"{"epoch": 0, "ops": [{"id": "", "blob": "AAAA"}]}"#.to_vec(), "bad_id"),
        ("POST", ops_path.clone(), format!(r#"{{"epoch": 0, "ops": [{{"id": "{}", "blob": "AAAA"}}]}}"#, "x".repeat(101)).into_bytes(), "bad_id"),
        ("POST", ops_path.clone(), br#"{"epoch": 0, "ops": [{"id": "a\u0000b", "blob": "AAAA"}]}"#.to_vec(), "bad_id"),
        ("POST", ops_path.clone(), serde_json::to_vec(&json!({"epoch": 0, "ops": (0..1001).map(|i| json!({"id": i.to_string(), "blob": ""})).collect::<Vec<_>>()})).unwrap(), "bad_ops"),
        ("GET", format!("{ops_path}?after=-1"), vec![], "bad_after"),
        ("GET", format!("{ops_path}?after=abc"), vec![], "bad_after"),
        ("GET", format!("{ops_path}?after=99999999999999999999999"), vec![], "bad_after"),
        ("GET", format!("{ops_path}?after=1&limit=0"), vec![], "bad_limit"),
        ("GET", format!("{ops_path}?limit=1001"), vec![], "bad_limit"),
        ("GET", format!("{ops_path}?limit=18446744073709551616"), vec![], "bad_limit"),
        ("GET", format!("{ops_path}?limit=-5"), vec![], "bad_limit"),
        ("PUT", format!("/sync/{account}/snapshot"), br#"{"upto": 1, "epoch": 0, "blob": "@@"}"#.to_vec(), "bad_base64"),
        ("PUT", format!("/sync/{account}/snapshot"), br#"{"upto": "1", "epoch": 0, "blob": ""}"#.to_vec(), "bad_json"),
        ("POST", format!("/sync/{account}/keys"), br#"{"epoch": 1, "envelopes": [{"device": "short", "blob": "AAAA"}]}"#.to_vec(), "not_a_device"),
        ("POST", format!("/sync/{account}/keys"), format!(r#"{{"epoch": 1, "envelopes": [{{"device": "{}", "blob": "%%"}}]}}"#, a.id).into_bytes(), "bad_base64"),
        ("POST", format!("/sync/{account}/devices"), br#"{"device": "abc", "xkey": "abc"}"#.to_vec(), "bad_device"),
        ("POST", format!("/sync/{account}/devices"), format!(r#"{{"device": "{}", "xkey": "{}A"}}"#, a.id, a.xkey).into_bytes(), "bad_xkey"),
        ("POST", format!("/sync/{account}/devices"), b"[]".to_vec(), "bad_json"),
        ("GET", "/sync/short/ops".into(), vec![], "bad_account"),
        ("GET", format!("/sync/{}/ops", "a".repeat(65)), vec![], "bad_account"),
        ("GET", "/sync/abcdefghijklmnop%2Fqrstu/ops".into(), vec![], "bad_account"),
        ("GET", "/sync/abcdefghijklmnopq%FF/devices".into(), vec![], "bad_account"),
        ("DELETE", format!("/sync/{account}/devices/%FF%FE"), vec![], "bad_device"),
    ];
    for (m, p, body, code) in cases {
        let got = a.raw(base, m, &p, &body);
        assert_eq!((got.0, got.1["error"].as_str()), (400, Some(code)), "{m} {p}: {}", got.1);
    }
    // A body over the limit is refused with a JSON error, not a dropped connection.
    let big = vec![b' '; 17 * 1024 * 1024];
    // (On its own connection: the relay closes it without reading the rest.)
    assert_err(a.raw_on(&http(), base, "POST", &ops_path, &big), 413, "too_large");
    // The log is untouched by all of it.
    assert_eq!(a.pull(base, &account, 0, 10).1["lastSeq"], 0);
}
