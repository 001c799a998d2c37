//! Starts a relay on 127.0.0.1 in its own thread and runtime, over SQLite or PostgreSQL.
//! PostgreSQL tests run when PHR_TEST_PG holds a connection string (scripts/test-all.sh
//! starts a throwaway cluster); otherwise they say so and pass.
#![allow(dead_code)]

pub mod devices;
pub mod process;

use phr_core::crypto::RawKeyStore;
use phr_core::Record;
use phr_relay::Backend;
use std::path::PathBuf;

#[derive(Clone, Copy, Debug)]
pub enum Which {
    Sqlite,
    Postgres,
}

pub struct Running {
    pub base: String,
    pub backend: Backend,
    pub dir: tempfile::TempDir,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Running {
    /// Stops serving, keeping the storage (and the folder) for another instance.
    pub fn stop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// A relay for tests whose devices are seconds old: the wait before a new device may remove
/// another (ADR 0048) is off. [`start_opts`] with `Options::default()` keeps it.
pub fn start(which: Which) -> Option<Running> {
    start_opts(
        which,
        phr_relay::Options { new_device_wait: Some(std::time::Duration::ZERO), ..Default::default() },
    )
}

/// [`start`] with relay options (limits, quotas).
pub fn start_opts(which: Which, opts: phr_relay::Options) -> Option<Running> {
    let dir = tempfile::tempdir().unwrap();
    let backend = match which {
        Which::Sqlite => Backend::Sqlite(dir.path().join("relay.sqlite")),
        Which::Postgres => {
            match std::env::var("PHR_TEST_PG") {
                Ok(url) if !url.is_empty() => {
                    let schema = format!("t_{}", uuid_hex());
                    Backend::Postgres { url, schema: Some(schema) }
                }
                _ => {
                    phr_testkit::missing("PHR_TEST_PG is not set: the PostgreSQL run (scripts/test-all.sh starts one and sets it)");
                    return None;
                }
            }
        }
    };
    Some(start_on_opts(backend, dir, opts))
}

/// A relay over an existing backend (a second instance sharing the first one's storage).
pub fn start_on(backend: Backend, dir: tempfile::TempDir) -> Running {
    start_on_opts(backend, dir, Default::default())
}

pub fn start_on_opts(backend: Backend, dir: tempfile::TempDir, opts: phr_relay::Options) -> Running {
    let (tx, rx) = std::sync::mpsc::channel();
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let b = backend.clone();
    let thread = std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let addr = listener.local_addr().unwrap();
            let app = phr_relay::app(b, opts).await.unwrap();
            tx.send(format!("http://{addr}")).unwrap();
            axum::serve(listener, app.into_make_service_with_connect_info::<std::net::SocketAddr>())
                .with_graceful_shutdown(async move {
                    let _ = stop_rx.await;
                })
                .await
                .unwrap();
        });
    });
    let base = rx.recv_timeout(std::time::Duration::from_secs(30)).expect("relay started");
    Running { base, backend, dir, stop: Some(stop_tx), thread: Some(thread) }
}

pub fn uuid_hex() -> String {
    let mut b = [0u8; 8];
    ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut b).unwrap();
    b.iter().map(|x| format!("{x:02x}")).collect()
}

pub fn record(dir: &std::path::Path, name: &str) -> Record {
    Record::create(&dir.join(name).join("record.phr"), &RawKeyStore::new([7u8; 32])).unwrap()
}

/// Everything the relay stores, as text: the SQLite file and its WAL, or every row of
/// every relay table in PostgreSQL (what pg_dump would write for them).
pub fn storage_text(r: &Running) -> Vec<u8> {
    match &r.backend {
        Backend::Sqlite(p) => {
            let mut out = std::fs::read(p).unwrap();
            let wal = PathBuf::from(format!("{}-wal", p.display()));
            if let Ok(w) = std::fs::read(wal) {
                out.extend(w);
            }
            out
        }
        Backend::Postgres { url, schema } => {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            rt.block_on(async {
                let (c, conn) = tokio_postgres::connect(url, tokio_postgres::NoTls).await.unwrap();
                tokio::spawn(conn);
                let s = schema.as_deref().unwrap();
                let mut out = Vec::new();
                for t in ["links", "files", "access_log", "replies"] {
                    for row in c.query(&format!("SELECT t::text FROM {s}.{t} t"), &[]).await.unwrap() {
                        out.extend(row.get::<_, String>(0).into_bytes());
                    }
                }
                out
            })
        }
    }
}

/// Runs `sql` (one or more statements) on PostgreSQL at `url`: fault-injection set-up.
pub fn pg_batch(url: &str, sql: &str) -> Result<(), tokio_postgres::Error> {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let (c, conn) = tokio_postgres::connect(url, tokio_postgres::NoTls).await?;
        tokio::spawn(conn);
        c.batch_execute(sql).await
    })
}

pub fn post_json(url: &str, body: serde_json::Value) -> (u16, serde_json::Value) {
    let r = reqwest::blocking::Client::new().post(url).json(&body).send().unwrap();
    let s = r.status().as_u16();
    (s, r.json().unwrap_or(serde_json::Value::Null))
}

/// A signing key for owner and sync requests, and blocking signed calls.
pub struct Signer {
    pub key: ring::signature::Ed25519KeyPair,
    client: reqwest::blocking::Client,
}

impl Signer {
    pub fn new() -> Self {
        let pkcs8 =
            ring::signature::Ed25519KeyPair::generate_pkcs8(&ring::rand::SystemRandom::new()).unwrap();
        let key = ring::signature::Ed25519KeyPair::from_pkcs8(pkcs8.as_ref()).unwrap();
        Self { key, client: reqwest::blocking::Client::new() }
    }

    pub fn id(&self) -> String {
        phr_relay_protocol::owner_id(&self.key)
    }

    /// `(status, JSON body or Null, Retry-After)`.
    pub fn call(
        &self,
        base: &str,
        method: &str,
        path: &str,
        body: Option<serde_json::Value>,
    ) -> (u16, serde_json::Value, Option<String>) {
        let bytes = body.map(|b| serde_json::to_vec(&b).unwrap()).unwrap_or_default();
        let t = phr_relay_protocol::request_time_ms();
        let h = phr_relay_protocol::sign(&self.key, method, path, t, &bytes);
        let mut r = self.client.request(method.parse().unwrap(), format!("{base}{path}"));
        for (k, v) in h.pairs() {
            r = r.header(k, v);
        }
        if !bytes.is_empty() {
            r = r.header("content-type", "application/json").body(bytes);
        }
        let resp = r.send().unwrap();
        let status = resp.status().as_u16();
        let retry = resp.headers().get("retry-after").map(|v| v.to_str().unwrap().to_string());
        (status, resp.json().unwrap_or(serde_json::Value::Null), retry)
    }
}
