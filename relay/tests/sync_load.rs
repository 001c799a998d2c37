//! Bounded sync load on 127.0.0.1 (issue 8): 200 simulated devices in 50 accounts (4 each),
//! each doing ROUNDS rounds of push (20 ops of 1 KiB random blobs) + pull to the end, all at
//! once on one tokio runtime; against PostgreSQL (PHR_TEST_PG) and then SQLite for
//! comparison. Prints throughput and p50/p99 latency per endpoint; see docs/benchmarks.md.
//!   eval "$(bash scripts/relay-pg.sh start)"
//!   cargo test -p phr-relay --test sync_load -- --nocapture
//! PHR_SYNC_LOAD_ROUNDS (default 5) sets the rounds; PHR_SYNC_LOAD_INSTANCES (default 1) runs
//! that many relay instances on the one PostgreSQL database, devices spread over them.
//! Open loop (issue 19): PHR_SYNC_LOAD_RATE=100,200,400 paces the rounds so the devices
//! together offer about that many requests a second (a round is a push and its pull; device
//! i starts its round r at (r * 200 + i) * 2 / rate s, or at once when it is late), one run
//! per rate, and names the first rate at which a p99 crosses 50 ms.
//! PHR_SYNC_LOAD_BASES=http://a,http://b runs against relays already running (a release
//! build, or nginx in front of two instances) instead of in-process ones; then
//! PHR_SYNC_LOAD_LABEL names them and PHR_TEST_PG is not needed.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout, clippy::print_stderr)] // test code: a failed unwrap is a failed test, and it prints what it measured

use data_encoding::BASE64URL_NOPAD;
use phr_relay::{signing_input, Backend, Options};
use ring::rand::{SecureRandom, SystemRandom};
use ring::signature::{Ed25519KeyPair, KeyPair};
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::{Duration, Instant};

const ACCOUNTS: usize = 50;
const PER_ACCOUNT: usize = 4;
const OPS_PER_PUSH: usize = 20;
const BLOB: usize = 1024;
const PULL_LIMIT: usize = 500;

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

/// One relay instance with its own 2-thread runtime, as `phr-relay serve` would run it.
fn serve(backend: Backend) -> Relay {
    let (tx, rx) = std::sync::mpsc::channel();
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let thread = std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let addr = listener.local_addr().unwrap();
            let app = phr_relay::app(backend, Options::default()).await.unwrap();
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

fn random(n: usize) -> Vec<u8> {
    let mut b = vec![0u8; n];
    SystemRandom::new().fill(&mut b).unwrap();
    b
}

struct Device {
    key: Ed25519KeyPair,
    id: String,
    xkey: String,
    account: String,
    base: String,
}

impl Device {
    async fn call(
        &self,
        http: &reqwest::Client,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> (u16, Value, f64) {
        let body = body.map(|v| serde_json::to_vec(&v).unwrap()).unwrap_or_default();
        let now = phr_core::share::relay::request_time_ms();
        let sig = self.key.sign(&signing_input(method.as_str(), path, now, &body));
        let t = Instant::now();
        let r = http
            .request(method, format!("{}{path}", self.base))
            .header("x-phr-owner", &self.id)
            .header("x-phr-time", now.to_string())
            .header("x-phr-sig", BASE64URL_NOPAD.encode(sig.as_ref()))
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        let s = r.status().as_u16();
        let bytes = r.bytes().await.unwrap();
        let ms = t.elapsed().as_secs_f64() * 1000.0;
        (s, serde_json::from_slice(&bytes).unwrap_or(Value::Null), ms)
    }
}

#[derive(Default)]
struct Lat {
    push: Vec<f64>,
    pull: Vec<f64>,
}

struct Report {
    secs: f64,
    ops_pushed: usize,
    ops_pulled: usize,
    push: Vec<f64>,
    pull: Vec<f64>,
}

fn q(v: &[f64], p: f64) -> f64 {
    v[((v.len() as f64 - 1.0) * p).round() as usize]
}

impl Report {
    fn requests(&self) -> usize {
        self.push.len() + self.pull.len()
    }
    fn print(&self, name: &str) {
        println!(
            "{name}: {:.1} s, {} ops pushed ({:.0} ops/s), {} ops pulled ({:.0} ops/s), {} requests ({:.0} req/s)",
            self.secs,
            self.ops_pushed,
            self.ops_pushed as f64 / self.secs,
            self.ops_pulled,
            self.ops_pulled as f64 / self.secs,
            self.requests(),
            self.requests() as f64 / self.secs
        );
        for (e, v) in [
            ("POST /sync/{account}/ops (push 20 x 1 KiB)", &self.push),
            ("GET  /sync/{account}/ops (pull, limit 500)", &self.pull),
        ] {
            println!(
                "  {e}: {} requests, p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
                v.len(),
                q(v, 0.5),
                q(v, 0.99),
                v.last().unwrap()
            );
        }
    }
}

async fn run(bases: Vec<String>, rounds: usize, rate: Option<f64>) -> Report {
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(ACCOUNTS * PER_ACCOUNT)
        .timeout(Duration::from_secs(120))
        .build()
        .unwrap();
    // Set-up (not measured): each account's first device creates it and adds the other three.
    let mut devices: Vec<Arc<Device>> = Vec::new();
    for a in 0..ACCOUNTS {
        let account = BASE64URL_NOPAD.encode(&random(32));
        let group: Vec<Device> = (0..PER_ACCOUNT)
            .map(|i| {
                let pkcs8 = Ed25519KeyPair::generate_pkcs8(&SystemRandom::new()).unwrap();
                let key = Ed25519KeyPair::from_pkcs8(pkcs8.as_ref()).unwrap();
                let id = BASE64URL_NOPAD.encode(key.public_key().as_ref());
                let base = bases[(a * PER_ACCOUNT + i) % bases.len()].clone();
                Device { key, id, xkey: BASE64URL_NOPAD.encode(&random(32)), account: account.clone(), base }
            })
            .collect();
        for d in &group {
            let (s, v, _) = group[0]
                .call(
                    &http,
                    reqwest::Method::POST,
                    &format!("/sync/{account}/devices"),
                    Some(json!({"device": d.id, "xkey": d.xkey})),
                )
                .await;
            assert_eq!(s, 201, "{v}");
        }
        devices.extend(group.into_iter().map(Arc::new));
    }
    // Payloads are made up front so the clock measures the relay, not the generator.
    let payloads: Vec<Vec<Value>> = devices
        .iter()
        .enumerate()
        .map(|(n, _)| {
            (0..rounds)
                .map(|r| {
                    let ops: Vec<Value> = (0..OPS_PER_PUSH).map(|k| json!({"id": format!("d{n}-r{r}-{k}"), "blob": BASE64URL_NOPAD.encode(&random(BLOB))})).collect();
                    json!({"epoch": 0, "ops": ops})
                })
                .collect()
        })
        .collect();
    // What each account must end with: every op id its devices pushed, once.
    let mut expected: std::collections::HashMap<String, std::collections::BTreeSet<String>> =
        Default::default();
    for (d, bodies) in devices.iter().zip(&payloads) {
        let set = expected.entry(d.account.clone()).or_default();
        for b in bodies {
            for o in b["ops"].as_array().unwrap() {
                set.insert(o["id"].as_str().unwrap().to_string());
            }
        }
    }

    let start = Instant::now();
    let paced_from = tokio::time::Instant::now();
    let n_devices = devices.len();
    let mut tasks = Vec::new();
    for (i, (d, bodies)) in devices.iter().cloned().zip(payloads).enumerate() {
        let http = http.clone();
        tasks.push(tokio::spawn(async move {
            let mut lat = Lat::default();
            let mut cursor = 0i64;
            let mut pulled: Vec<String> = Vec::new();
            let ops_path = format!("/sync/{}/ops", d.account);
            for (r, body) in bodies.into_iter().enumerate() {
                if let Some(rate) = rate {
                    let slot = (r * n_devices + i) as f64 * 2.0 / rate;
                    tokio::time::sleep_until(paced_from + Duration::from_secs_f64(slot)).await;
                }
                let (s, v, ms) = d.call(&http, reqwest::Method::POST, &ops_path, Some(body)).await;
                assert_eq!((s, v["accepted"].as_u64()), (200, Some(OPS_PER_PUSH as u64)), "{v}");
                lat.push.push(ms);
                loop {
                    let (s, v, ms) = d
                        .call(
                            &http,
                            reqwest::Method::GET,
                            &format!("{ops_path}?after={cursor}&limit={PULL_LIMIT}"),
                            None,
                        )
                        .await;
                    assert_eq!(s, 200, "{v}");
                    lat.pull.push(ms);
                    for o in v["ops"].as_array().unwrap() {
                        let seq = o["seq"].as_i64().unwrap();
                        assert!(seq > cursor);
                        cursor = seq;
                        pulled.push(o["id"].as_str().unwrap_or_default().to_string());
                    }
                    if v["more"] != true {
                        break;
                    }
                }
            }
            (lat, pulled, cursor)
        }));
    }
    let mut push = Vec::new();
    let mut pull = Vec::new();
    let mut ops_pulled = 0;
    let mut ends = Vec::new();
    for t in tasks {
        let (l, ids, c) = t.await.unwrap();
        push.extend(l.push);
        pull.extend(l.pull);
        ops_pulled += ids.len();
        ends.push((ids, c));
    }
    let secs = start.elapsed().as_secs_f64();
    // Every device ends up with every op of its account exactly once: what it pulled during
    // the run plus a final pull from its cursor (ops pushed after its last round).
    let per_account = PER_ACCOUNT * rounds * OPS_PER_PUSH;
    for (d, (mut ids, mut cursor)) in devices.iter().zip(ends) {
        loop {
            let (s, v, _) = d
                .call(
                    &http,
                    reqwest::Method::GET,
                    &format!("/sync/{}/ops?after={cursor}&limit={PULL_LIMIT}", d.account),
                    None,
                )
                .await;
            assert_eq!(s, 200);
            for o in v["ops"].as_array().unwrap() {
                let seq = o["seq"].as_i64().unwrap();
                assert!(seq > cursor);
                cursor = seq;
                ids.push(o["id"].as_str().unwrap_or_default().to_string());
            }
            if v["more"] != true {
                break;
            }
        }
        assert_eq!((ids.len(), cursor), (per_account, per_account as i64), "a device missed or repeated ops");
        // Exactly once: no id twice, and the ids are exactly those its account's devices pushed.
        let set: std::collections::BTreeSet<String> = ids.iter().cloned().collect();
        assert_eq!(set.len(), ids.len(), "a device received an op twice");
        assert!(set == expected[&d.account], "a device's ops differ from those pushed to its account");
    }
    push.sort_by(f64::total_cmp);
    pull.sort_by(f64::total_cmp);
    Report { secs, ops_pushed: devices.len() * rounds * OPS_PER_PUSH, ops_pulled, push, pull }
}

fn env_list(name: &str) -> Vec<String> {
    std::env::var(name)
        .unwrap_or_default()
        .split(',')
        .map(|x| x.trim().to_string())
        .filter(|x| !x.is_empty())
        .collect()
}

/// One run per offered rate (or one unpaced run), with a summary line per run.
fn sweep(client: &tokio::runtime::Runtime, name: &str, bases: &[String], rounds: usize) -> Vec<Report> {
    // 0 in the list: all at once (closed loop), as without a rate.
    let rates: Vec<Option<f64>> = match env_list("PHR_SYNC_LOAD_RATE") {
        v if v.is_empty() => vec![None],
        v => v
            .iter()
            .map(|r| Some(r.parse::<f64>().expect("PHR_SYNC_LOAD_RATE: numbers")).filter(|x| *x > 0.0))
            .collect(),
    };
    if rates.iter().any(Option::is_some) {
        // Connections opened and statements prepared before anything is measured.
        let _ = client.block_on(run(bases.to_vec(), 1, Some(200.0)));
    }
    let mut out = Vec::new();
    let mut crossed = None;
    let mut under = None;
    for rate in rates {
        let r = client.block_on(run(bases.to_vec(), rounds, rate));
        let label = match rate {
            Some(x) => format!("{name}, offered {x:.0} req/s"),
            None => format!("{name}, all at once"),
        };
        r.print(&label);
        println!(
            "  summary | {} | offered {} | achieved {:.0} req/s | push p50 {:.1} p99 {:.1} ms | pull p50 {:.1} p99 {:.1} ms",
            name,
            rate.map_or("-".to_string(), |x| format!("{x:.0}")),
            r.requests() as f64 / r.secs,
            q(&r.push, 0.5),
            q(&r.push, 0.99),
            q(&r.pull, 0.5),
            q(&r.pull, 0.99)
        );
        let over = q(&r.push, 0.99) > 50.0 || q(&r.pull, 0.99) > 50.0;
        if crossed.is_none() && rate.is_some() && over {
            crossed = rate;
        }
        if let (Some(x), false) = (rate, over) {
            under = Some(under.map_or(x, |u: f64| u.max(x)));
        }
        out.push(r);
    }
    if let Some(x) = crossed {
        println!("{name}: p99 first crosses 50 ms at an offered {x:.0} req/s");
    }
    if let Some(x) = under {
        println!("{name}: highest offered rate with push and pull p99 under 50 ms: {x:.0} req/s");
    }
    out
}

#[test]
fn two_hundred_devices_sync_at_once() {
    let rounds: usize =
        std::env::var("PHR_SYNC_LOAD_ROUNDS").ok().and_then(|s| s.parse().ok()).unwrap_or(5).clamp(1, 50);
    let client = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    println!(
        "sync load: {} devices in {ACCOUNTS} accounts, {rounds} rounds of push {OPS_PER_PUSH} x {BLOB} B + pull to the end (limit {PULL_LIMIT})",
        ACCOUNTS * PER_ACCOUNT
    );
    let external = env_list("PHR_SYNC_LOAD_BASES");
    if !external.is_empty() {
        let label = std::env::var("PHR_SYNC_LOAD_LABEL").unwrap_or_else(|_| "external relay".into());
        sweep(&client, &label, &external, rounds);
        return;
    }
    let Ok(url) = std::env::var("PHR_TEST_PG").map(|u| u.trim().to_string()).and_then(|u| {
        if u.is_empty() {
            Err(std::env::VarError::NotPresent)
        } else {
            Ok(u)
        }
    }) else {
        phr_testkit::missing("PHR_TEST_PG is not set: the sync load test measures the PostgreSQL backend (scripts/test-all.sh sets it)");
        return;
    };
    let instances: usize =
        std::env::var("PHR_SYNC_LOAD_INSTANCES").ok().and_then(|s| s.parse().ok()).unwrap_or(1).clamp(1, 8);

    let schema = format!("load_{}", data_encoding::HEXLOWER.encode(&random(6)));
    let pg_backend = Backend::Postgres { url, schema: Some(schema) };
    let relays: Vec<Relay> = (0..instances).map(|_| serve(pg_backend.clone())).collect();
    let pg_name = format!("PostgreSQL ({instances} relay instance{})", if instances == 1 { "" } else { "s" });
    let pg = sweep(&client, &pg_name, &relays.iter().map(|r| r.base.clone()).collect::<Vec<_>>(), rounds);
    drop(relays);

    let dir = tempfile::tempdir().unwrap();
    let relay = serve(Backend::Sqlite(dir.path().join("relay.sqlite")));
    let lite = sweep(&client, "SQLite (1 relay instance)", std::slice::from_ref(&relay.base), rounds);
    drop(relay);

    for (pg, lite) in pg.iter().zip(&lite) {
        println!(
            "ratio PostgreSQL/SQLite: throughput {:.2}, push p99 {:.2}, pull p99 {:.2}",
            (pg.requests() as f64 / pg.secs) / (lite.requests() as f64 / lite.secs),
            q(&pg.push, 0.99) / q(&lite.push, 0.99),
            q(&pg.pull, 0.99) / q(&lite.pull, 0.99)
        );
    }
}
