//! Link rows looked up together on PostgreSQL (issue 19).
//!
//! Every SHL manifest fetch reads its link's row, so that a revoke or an expiry takes effect
//! at once on every instance. On PostgreSQL that was one query per fetch, and the relay
//! served a manifest at 0.4 of nginx's rate. Here a lookup that arrives while every lane is
//! busy waits in a queue. The next free lane takes the whole queue as one
//! `WHERE id = ANY($1)` query. Under load, many fetches share one round trip; when the relay
//! is idle, a lookup goes at once, alone.
//!
//! What does not change: a lookup is answered only by a query sent after it arrived. So it
//! sees every revoke committed before the fetch reached the relay, exactly as a query of its
//! own would (PostgreSQL's READ COMMITTED takes its snapshot when a statement starts).

use crate::postgres::{link_row, Pool};
use crate::store::{DbResult, LinkRow};
use std::collections::HashMap;
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot, Semaphore};

/// The most ids in one query: a bound on the statement, far above what a busy instance
/// gathers (one per waiting fetch).
const MAX_BATCH: usize = 512;

type Answer = Result<Option<LinkRow>, String>;
type Lookup = (String, oneshot::Sender<Answer>);

/// The handle the store keeps. The task it started ends when the handle is dropped.
pub(crate) struct LinkLookups {
    queue: mpsc::UnboundedSender<Lookup>,
}

impl LinkLookups {
    /// Starts the gathering task on the current runtime, with `lanes` queries in flight at most.
    pub(crate) fn start(pool: Arc<Pool>, lanes: usize) -> Self {
        let (queue, rx) = mpsc::unbounded_channel();
        tokio::spawn(gather(pool, rx, lanes.max(1)));
        Self { queue }
    }

    /// The row of link `id`, read after this call began.
    pub(crate) async fn get(&self, id: &str) -> DbResult<Option<LinkRow>> {
        let (reply, answer) = oneshot::channel();
        self.queue.send((id.to_string(), reply)).map_err(|_| "the link lookup task has stopped")?;
        Ok(answer.await.map_err(|_| "a link lookup was dropped")??)
    }
}

async fn gather(pool: Arc<Pool>, mut queue: mpsc::UnboundedReceiver<Lookup>, lanes: usize) {
    let lanes = Arc::new(Semaphore::new(lanes));
    while let Some(first) = queue.recv().await {
        // A free lane first: while every lane is busy, later lookups queue and join this batch.
        let Ok(lane) = lanes.clone().acquire_owned().await else { return };
        let mut batch: HashMap<String, Vec<oneshot::Sender<Answer>>> = HashMap::new();
        let (id, reply) = first;
        batch.entry(id).or_default().push(reply);
        while batch.len() < MAX_BATCH {
            let Ok((id, reply)) = queue.try_recv() else { break };
            batch.entry(id).or_default().push(reply);
        }
        let pool = pool.clone();
        tokio::spawn(async move {
            answer(&pool, batch).await;
            drop(lane);
        });
    }
}

/// One query for every id in `batch`; each waiting fetch gets its row, or none.
async fn answer(pool: &Pool, batch: HashMap<String, Vec<oneshot::Sender<Answer>>>) {
    let ids: Vec<&str> = batch.keys().map(String::as_str).collect();
    let rows = pool
        .query(
            "SELECT id, owner, created_at, exp, flag, status, pass_salt, pass_hash, max_attempts, attempts_used, files_version \
             FROM links WHERE id = ANY($1)",
            &[&ids],
        )
        .await;
    match rows {
        Ok(rows) => {
            let mut found: HashMap<String, LinkRow> =
                rows.iter().map(link_row).map(|l| (l.id.clone(), l)).collect();
            for (id, replies) in batch {
                let row = found.remove(&id);
                for reply in replies {
                    // A fetch that gave up (its client went away) no longer listens.
                    let _ = reply.send(Ok(row.clone()));
                }
            }
        }
        Err(e) => {
            let why = e.to_string();
            for reply in batch.into_values().flatten() {
                let _ = reply.send(Err(why.clone()));
            }
        }
    }
}
