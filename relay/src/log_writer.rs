//! The SHL access log, written off the request path (issue 19): a manifest fetch hands its
//! log entry to one writer task per relay instance and answers at once; the writer inserts
//! what has queued up, gathered for a moment (`GATHER`), in one statement (PostgreSQL) or
//! one transaction (SQLite). A
//! failed batch is retried, then reported. Readers of the log in this instance call
//! [`LogWriter::flush`] first, so an owner sees every fetch this instance has answered;
//! another instance's entries arrive within `GATHER` and the time of one batch.

use crate::store::{LogEntry, Store};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};

/// Entries queued before a request waits for room (backpressure only under overload).
const QUEUE: usize = 16_384;
/// Most entries written in one statement.
const BATCH: usize = 1_024;
/// Tries per batch before its entries are dropped with an error line.
const TRIES: u32 = 5;
/// How long a batch that is not full waits for more entries before it is written. Writing
/// whatever had queued at once gave a busy relay one small transaction every few requests,
/// and their locks, WAL appends and page writes were a quarter of its time per fetch.
const GATHER: Duration = Duration::from_millis(20);

enum Msg {
    Entry(LogEntry),
    Flush(oneshot::Sender<()>),
}

#[derive(Clone)]
pub struct LogWriter {
    tx: mpsc::Sender<Msg>,
}

impl LogWriter {
    /// Starts the writer task; it ends once every `LogWriter` is dropped and the queue is written.
    pub fn start<S: Store>(store: Arc<S>) -> Self {
        let (tx, rx) = mpsc::channel(QUEUE);
        tokio::spawn(write_loop(store, rx));
        Self { tx }
    }

    /// Queues one entry.
    pub async fn record(&self, link_id: &str, at: i64, recipient: &str, outcome: &'static str) {
        let e = LogEntry { link_id: link_id.to_string(), at, recipient: recipient.to_string(), outcome };
        if self.tx.send(Msg::Entry(e)).await.is_err() {
            tracing::error!("access log: the writer has stopped");
        }
    }

    /// Returns once every entry queued before the call is written (or given up on).
    pub async fn flush(&self) {
        let (done, wait) = oneshot::channel();
        if self.tx.send(Msg::Flush(done)).await.is_ok() {
            let _ = wait.await;
        }
    }
}

async fn write_loop<S: Store>(store: Arc<S>, mut rx: mpsc::Receiver<Msg>) {
    let mut msgs = Vec::with_capacity(BATCH);
    while rx.recv_many(&mut msgs, BATCH).await > 0 {
        // An owner reading the log (a flush) never waits for the gathering.
        if msgs.len() < BATCH && !msgs.iter().any(|m| matches!(m, Msg::Flush(_))) {
            tokio::time::sleep(GATHER).await;
            while msgs.len() < BATCH {
                match rx.try_recv() {
                    Ok(m) => msgs.push(m),
                    Err(_) => break,
                }
            }
        }
        let mut entries = Vec::with_capacity(msgs.len());
        let mut flushes = Vec::new();
        for m in msgs.drain(..) {
            match m {
                Msg::Entry(e) => entries.push(e),
                Msg::Flush(f) => flushes.push(f),
            }
        }
        if !entries.is_empty() {
            write(&*store, &entries).await;
        }
        for f in flushes {
            let _ = f.send(());
        }
    }
}

async fn write<S: Store>(store: &S, entries: &[LogEntry]) {
    let mut wait = Duration::from_millis(50);
    for attempt in 1..=TRIES {
        match store.log_many(entries).await {
            Ok(()) => return,
            Err(e) if attempt == TRIES => {
                tracing::error!("access log: {} entries not written: {e}", entries.len());
            }
            Err(e) => {
                tracing::warn!("access log: write failed, retrying: {e}");
                tokio::time::sleep(wait).await;
                wait *= 2;
            }
        }
    }
}
