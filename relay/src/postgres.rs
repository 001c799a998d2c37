//! PostgreSQL store for deployments with many relay instances. Every change is one
//! statement (so atomic without client-side transactions), so any connection can run any
//! request: the store keeps a small fixed pool of pipelined connections and hands them out
//! round-robin, with no check-out (ADR 0047). Each connection prepares a statement the
//! first time it runs it and reuses it after (one round trip per query instead of two).
//! Passcode counters use a conditional UPDATE ... RETURNING, which PostgreSQL serialises
//! per row, so parallel guesses cannot exceed the limit. Link lookups, one per share-link
//! fetch, go through `postgres_links.rs`, which lets fetches that arrive together
//! share a query (ADR 0051).

use crate::postgres_links::LinkLookups;
use crate::store::*;
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use tokio_postgres::types::ToSql;
use tokio_postgres::{Client, NoTls, Row, Statement};

/// Connections per relay instance unless configured (`--pg-pool`): enough for PostgreSQL
/// to use a few cores at once, few enough that many instances stay under its default
/// `max_connections` (100).
pub const DEFAULT_POOL: usize = 4;

/// One pipelined connection and the statements it has prepared.
pub(crate) struct Conn {
    client: Client,
    prepared: Mutex<HashMap<&'static str, Statement>>,
}

impl Conn {
    /// `sql` prepared on this connection, once.
    async fn statement(&self, sql: &'static str) -> Result<Statement, tokio_postgres::Error> {
        if let Some(s) = self.prepared.lock().unwrap_or_else(|p| p.into_inner()).get(sql) {
            return Ok(s.clone());
        }
        // Two requests may prepare the same statement at once: both work, one is kept.
        let s = self.client.prepare(sql).await?;
        self.prepared.lock().unwrap_or_else(|p| p.into_inner()).insert(sql, s.clone());
        Ok(s)
    }
}

pub struct PgStore {
    pool: Arc<Pool>,
    /// Link rows, looked up together when fetches arrive together ([`LinkLookups`]).
    links: LinkLookups,
}

/// The connections, shared by the store and its link-lookup task.
pub(crate) struct Pool {
    config: tokio_postgres::Config,
    schema: Option<String>,
    /// The pool; a slot is replaced when PostgreSQL has closed its connection (a restart).
    slots: Vec<tokio::sync::RwLock<Arc<Conn>>>,
    next: AtomicUsize,
}

impl PgStore {
    /// Connects `pool` connections (at least one) and brings the schema up to date
    /// ([`crate::migrate`]). `schema` (tests) puts the tables in their own schema. The
    /// connections show in `pg_stat_activity` as `app_name` unless the URL names one.
    pub async fn connect(url: &str, schema: Option<&str>, pool: usize, app_name: &str) -> DbResult<Self> {
        if let Some(s) = schema {
            if !s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                return Err("schema name must be alphanumeric".into());
            }
        }
        let mut config: tokio_postgres::Config = url.parse()?;
        if config.get_application_name().is_none() {
            config.application_name(app_name);
        }
        let mut first = Self::open(&config, schema, true).await?;
        crate::migrate::postgres(&mut first).await?;
        let mut slots = vec![tokio::sync::RwLock::new(Arc::new(Conn::new(first)))];
        for _ in 1..pool.max(1) {
            let c = Self::open(&config, schema, false).await?;
            slots.push(tokio::sync::RwLock::new(Arc::new(Conn::new(c))));
        }
        let pool =
            Arc::new(Pool { config, schema: schema.map(str::to_string), slots, next: AtomicUsize::new(0) });
        // Link queries in flight: half the connections. Fewer lanes make bigger batches under
        // load (2 lanes: about 6 fetches per query at 23,000 fetches/s); the rest of the pool
        // stays free for sync and the owner's calls.
        let links = LinkLookups::start(pool.clone(), pool.slots.len() / 2);
        Ok(Self { pool, links })
    }

    async fn open(
        config: &tokio_postgres::Config,
        schema: Option<&str>,
        create_schema: bool,
    ) -> DbResult<Client> {
        let (client, conn) = config.connect(NoTls).await?;
        tokio::spawn(async move {
            if let Err(e) = conn.await {
                tracing::error!("postgres connection ended: {e}");
            }
        });
        if let Some(s) = schema {
            let create =
                if create_schema { format!("CREATE SCHEMA IF NOT EXISTS {s}; ") } else { String::new() };
            client.batch_execute(&format!("{create}SET search_path TO {s};")).await?;
        }
        // Every statement here is a lookup or change by key, whose best plan does not depend on
        // the values. PostgreSQL would still plan `id = ANY($1)` and the access log's `unnest`
        // afresh on each run (its custom plans look cheaper than the generic one): about a quarter
        // of its CPU per manifest fetch under load. Before PostgreSQL 12 the setting does not exist.
        if let Err(e) = client.batch_execute("SET plan_cache_mode = force_generic_plan").await {
            tracing::warn!("postgres: plan_cache_mode not set ({e}); statements are planned per run");
        }
        Ok(client)
    }

    pub(crate) async fn query_one(&self, sql: &'static str, params: &[&(dyn ToSql + Sync)]) -> DbResult<Row> {
        self.pool.query_one(sql, params).await
    }

    pub(crate) async fn query_opt(
        &self,
        sql: &'static str,
        params: &[&(dyn ToSql + Sync)],
    ) -> DbResult<Option<Row>> {
        self.pool.query_opt(sql, params).await
    }

    pub(crate) async fn query(
        &self,
        sql: &'static str,
        params: &[&(dyn ToSql + Sync)],
    ) -> DbResult<Vec<Row>> {
        self.pool.query(sql, params).await
    }

    pub(crate) async fn execute(&self, sql: &'static str, params: &[&(dyn ToSql + Sync)]) -> DbResult<u64> {
        self.pool.execute(sql, params).await
    }
}

impl Pool {
    /// The next connection of the pool, opened again if PostgreSQL closed it (restarted,
    /// or the network dropped): the request that met the closed connection failed (500,
    /// which clients retry); the next one on that slot reconnects.
    pub(crate) async fn conn(&self) -> DbResult<Arc<Conn>> {
        let slot = &self.slots[self.next.fetch_add(1, Ordering::Relaxed) % self.slots.len()];
        {
            let c = slot.read().await;
            if !c.client.is_closed() {
                return Ok(c.clone());
            }
        }
        let mut w = slot.write().await;
        if w.client.is_closed() {
            *w = Arc::new(Conn::new(PgStore::open(&self.config, self.schema.as_deref(), false).await?));
            tracing::warn!("reconnected to PostgreSQL");
        }
        Ok(w.clone())
    }

    pub(crate) async fn query_one(&self, sql: &'static str, params: &[&(dyn ToSql + Sync)]) -> DbResult<Row> {
        let c = self.conn().await?;
        Ok(c.client.query_one(&c.statement(sql).await?, params).await?)
    }

    pub(crate) async fn query_opt(
        &self,
        sql: &'static str,
        params: &[&(dyn ToSql + Sync)],
    ) -> DbResult<Option<Row>> {
        let c = self.conn().await?;
        Ok(c.client.query_opt(&c.statement(sql).await?, params).await?)
    }

    pub(crate) async fn query(
        &self,
        sql: &'static str,
        params: &[&(dyn ToSql + Sync)],
    ) -> DbResult<Vec<Row>> {
        let c = self.conn().await?;
        Ok(c.client.query(&c.statement(sql).await?, params).await?)
    }

    pub(crate) async fn execute(&self, sql: &'static str, params: &[&(dyn ToSql + Sync)]) -> DbResult<u64> {
        let c = self.conn().await?;
        Ok(c.client.execute(&c.statement(sql).await?, params).await?)
    }
}

impl Conn {
    fn new(client: Client) -> Self {
        Self { client, prepared: Mutex::new(HashMap::new()) }
    }
}

pub(crate) fn link_row(r: &Row) -> LinkRow {
    LinkRow {
        id: r.get(0),
        owner: r.get(1),
        created_at: r.get(2),
        exp: r.get(3),
        flag: r.get(4),
        status: r.get(5),
        pass_salt: r.get(6),
        pass_hash: r.get(7),
        max_attempts: r.get(8),
        attempts_used: r.get(9),
        files_version: r.get(10),
    }
}

impl Store for PgStore {
    async fn first_use(&self, request_id: &str, keep_until_ms: i64, now_ms: i64) -> DbResult<bool> {
        self.execute("DELETE FROM seen_requests WHERE keep_until < $1", &[&now_ms]).await?;
        // The primary key makes this atomic across instances: exactly one insert wins.
        let n = self
            .execute(
                "INSERT INTO seen_requests(id, keep_until) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING",
                &[&request_id, &keep_until_ms],
            )
            .await?;
        Ok(n == 1)
    }

    async fn sweep_expired(&self, now_ms: i64) -> DbResult<u64> {
        let r = self
            .query_one(
                "WITH u AS (UPDATE links SET status = 'expired' \
                   WHERE status = 'active' AND exp IS NOT NULL AND exp * 1000 <= $1::bigint RETURNING id), \
                 f AS (DELETE FROM files WHERE link_id IN (SELECT id FROM u)), \
                 p AS (DELETE FROM passcode_failures WHERE link_id IN (SELECT id FROM u)), \
                 r AS (DELETE FROM sync_removals WHERE expires_at <= $1::bigint) \
                 SELECT COUNT(*) FROM u",
                &[&now_ms],
            )
            .await?;
        Ok(r.get::<_, i64>(0).max(0) as u64)
    }

    async fn owner_bytes(&self, owner: &str, except: Option<&str>) -> DbResult<u64> {
        let r = self
            .query_one(
                "SELECT COALESCE(SUM(octet_length(f.content_type) + octet_length(f.jwe)), 0)::bigint \
                 FROM files f JOIN links l ON l.id = f.link_id \
                 WHERE l.owner = $1 AND l.status = 'active' AND l.id IS DISTINCT FROM $2",
                &[&owner, &except],
            )
            .await?;
        Ok(r.get::<_, i64>(0).max(0) as u64)
    }

    async fn create_link(&self, row: &LinkRow, files: &[(String, String)]) -> DbResult<()> {
        let ns: Vec<i64> = (0..files.len() as i64).collect();
        let cts: Vec<String> = files.iter().map(|f| f.0.clone()).collect();
        let jwes: Vec<String> = files.iter().map(|f| f.1.clone()).collect();
        self.execute(
                "WITH l AS (INSERT INTO links(id, owner, created_at, exp, flag, status, pass_salt, pass_hash, max_attempts, attempts_used) \
                 VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,0) RETURNING id) \
                 INSERT INTO files(link_id, n, content_type, jwe) SELECT l.id, f.n, f.ct, f.jwe FROM l, unnest($10::bigint[], $11::text[], $12::text[]) AS f(n, ct, jwe)",
                &[&row.id, &row.owner, &row.created_at, &row.exp, &row.flag, &row.status, &row.pass_salt, &row.pass_hash, &row.max_attempts, &ns, &cts, &jwes],
            )
            .await?;
        Ok(())
    }

    async fn link(&self, id: &str) -> DbResult<Option<LinkRow>> {
        self.links.get(id).await
    }

    async fn files(&self, id: &str) -> DbResult<Vec<(String, String)>> {
        let rows =
            self.query("SELECT content_type, jwe FROM files WHERE link_id = $1 ORDER BY n", &[&id]).await?;
        Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
    }

    async fn list_links(&self, owner: &str) -> DbResult<Vec<LinkSummary>> {
        let rows = self.query(
                "SELECT id, status, flag, exp, created_at, (SELECT COUNT(*) FROM access_log a WHERE a.link_id = l.id AND a.outcome = 'served') \
                 FROM links l WHERE owner = $1 ORDER BY created_at, id",
                &[&owner],
            )
            .await?;
        Ok(rows
            .iter()
            .map(|r| LinkSummary {
                id: r.get(0),
                status: r.get(1),
                flag: r.get(2),
                exp: r.get(3),
                created_at: r.get(4),
                fetches: r.get(5),
            })
            .collect())
    }

    async fn replace_files(&self, owner: &str, id: &str, files: &[(String, String)]) -> DbResult<bool> {
        let ns: Vec<i64> = (0..files.len() as i64).collect();
        let cts: Vec<String> = files.iter().map(|f| f.0.clone()).collect();
        let jwes: Vec<String> = files.iter().map(|f| f.1.clone()).collect();
        // One statement (no client-side transactions here). The upsert and the delete touch
        // disjoint rows (n below / at or above the new count), so neither sees the other.
        let r = self.query_one(
                "WITH l AS (UPDATE links SET files_version = files_version + 1 WHERE id = $1 AND owner = $2 AND status = 'active' RETURNING id),                  u AS (INSERT INTO files(link_id, n, content_type, jwe) SELECT l.id, f.n, f.ct, f.jwe FROM l, unnest($3::bigint[], $4::text[], $5::text[]) AS f(n, ct, jwe)                        ON CONFLICT (link_id, n) DO UPDATE SET content_type = EXCLUDED.content_type, jwe = EXCLUDED.jwe),                  d AS (DELETE FROM files WHERE link_id IN (SELECT id FROM l) AND n >= $6)                  SELECT COUNT(*) FROM l",
                &[&id, &owner, &ns, &cts, &jwes, &(files.len() as i64)],
            )
            .await?;
        Ok(r.get::<_, i64>(0) > 0)
    }

    async fn revoke(&self, owner: &str, id: &str) -> DbResult<bool> {
        let r = self
            .query_one(
                "WITH u AS (UPDATE links SET status = 'revoked' WHERE id = $1 AND owner = $2 RETURNING id), \
                 d AS (DELETE FROM files WHERE link_id IN (SELECT id FROM u)) SELECT COUNT(*) FROM u",
                &[&id, &owner],
            )
            .await?;
        Ok(r.get::<_, i64>(0) > 0)
    }

    async fn reserve_attempt(
        &self,
        id: &str,
        client: &str,
        max: i64,
        now: i64,
    ) -> DbResult<Result<i64, i64>> {
        // One statement: PostgreSQL serialises the upsert per row, so parallel guesses from
        // one client each see the previous one's count and block.
        let r = self.query_opt(
                "INSERT INTO passcode_failures AS p (link_id, client, failures, blocked_until) \
                 VALUES ($1, $2, 1, CASE WHEN 1 >= $3::bigint THEN $4::bigint + 60000 ELSE 0 END) \
                 ON CONFLICT (link_id, client) DO UPDATE SET failures = p.failures + 1, \
                   blocked_until = CASE WHEN p.failures + 1 >= $3 \
                     THEN $4 + LEAST(60000::bigint << LEAST(GREATEST(p.failures + 1 - $3, 0), 20)::int, 86400000) \
                     ELSE 0 END \
                 WHERE p.blocked_until <= $4 RETURNING failures",
                &[&id, &client, &max, &now],
            )
            .await?;
        match r {
            Some(r) => Ok(Ok(r.get(0))),
            None => Ok(Err(self.client_attempts(id, client).await?.1)),
        }
    }

    async fn release_attempt(&self, id: &str, client: &str) -> DbResult<()> {
        self.execute("DELETE FROM passcode_failures WHERE link_id = $1 AND client = $2", &[&id, &client])
            .await?;
        Ok(())
    }

    async fn client_attempts(&self, id: &str, client: &str) -> DbResult<(i64, i64)> {
        let r = self
            .query_opt(
                "SELECT failures, blocked_until FROM passcode_failures WHERE link_id = $1 AND client = $2",
                &[&id, &client],
            )
            .await?;
        Ok(r.map(|r| (r.get(0), r.get(1))).unwrap_or((0, 0)))
    }

    async fn reset_attempts(&self, owner: &str, id: &str) -> DbResult<bool> {
        let r = self.query_one(
                "WITH o AS (SELECT id FROM links WHERE id = $1 AND owner = $2), \
                 d AS (DELETE FROM passcode_failures WHERE link_id IN (SELECT id FROM o)) SELECT COUNT(*) FROM o",
                &[&id, &owner],
            )
            .await?;
        Ok(r.get::<_, i64>(0) > 0)
    }

    async fn log(&self, id: &str, at: i64, recipient: &str, outcome: &str) -> DbResult<()> {
        self.execute(
            "INSERT INTO access_log(link_id, at, recipient, outcome) VALUES ($1, $2, $3, $4)",
            &[&id, &at, &recipient, &outcome],
        )
        .await?;
        Ok(())
    }

    async fn log_many(&self, entries: &[LogEntry]) -> DbResult<()> {
        let ids: Vec<&str> = entries.iter().map(|e| e.link_id.as_str()).collect();
        let ats: Vec<i64> = entries.iter().map(|e| e.at).collect();
        let recipients: Vec<&str> = entries.iter().map(|e| e.recipient.as_str()).collect();
        let outcomes: Vec<&str> = entries.iter().map(|e| e.outcome).collect();
        // One statement; ORDER BY keeps the entries' order in `seq`.
        self.execute(
            "INSERT INTO access_log(link_id, at, recipient, outcome) \
             SELECT l, a, r, o FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[]) \
               WITH ORDINALITY AS e(l, a, r, o, n) ORDER BY n",
            &[&ids, &ats, &recipients, &outcomes],
        )
        .await?;
        Ok(())
    }

    async fn access_log(&self, owner: &str, id: &str, after: i64) -> DbResult<Option<Vec<AccessEvent>>> {
        if self.query_opt("SELECT 1 FROM links WHERE id = $1 AND owner = $2", &[&id, &owner]).await?.is_none()
        {
            return Ok(None);
        }
        let rows = self.query("SELECT seq, at, recipient, outcome FROM access_log WHERE link_id = $1 AND seq > $2 ORDER BY seq", &[&id, &after]).await?;
        Ok(Some(
            rows.iter()
                .map(|r| AccessEvent { seq: r.get(0), at: r.get(1), recipient: r.get(2), outcome: r.get(3) })
                .collect(),
        ))
    }

    async fn add_reply(&self, id: &str, at: i64, jwe: &str) -> DbResult<()> {
        self.execute("INSERT INTO replies(link_id, at, jwe) VALUES ($1, $2, $3)", &[&id, &at, &jwe]).await?;
        Ok(())
    }

    async fn replies(&self, owner: &str, id: &str, after: i64) -> DbResult<Option<Vec<ReplyRow>>> {
        if self.query_opt("SELECT 1 FROM links WHERE id = $1 AND owner = $2", &[&id, &owner]).await?.is_none()
        {
            return Ok(None);
        }
        let rows = self
            .query(
                "SELECT seq, at, jwe FROM replies WHERE link_id = $1 AND seq > $2 ORDER BY seq",
                &[&id, &after],
            )
            .await?;
        Ok(Some(rows.iter().map(|r| ReplyRow { seq: r.get(0), at: r.get(1), jwe: r.get(2) }).collect()))
    }
}
