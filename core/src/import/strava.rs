//! Strava API v3: OAuth2 (authorization code, refresh), athlete activities with paging,
//! activity streams, rate limits. This module is the only importer that touches the
//! network, and only when its client is called.
//!
//! The HTTP layer is a [`Transport`] trait; [`ReqwestTransport`] (blocking reqwest over
//! rustls) is the real one. Blocking, not async: imports are synchronous, run on a
//! background thread in the shells, and commit one transaction per activity; see
//! docs/adr/0006-import-pipeline.md.
//!
//! Rate limits: every response's `X-RateLimit-Limit` / `X-RateLimit-Usage`
//! ("15min,daily") is recorded. Before a request that would go over, and on a 429, the
//! client follows its [`RatePolicy`]: `Stop` returns [`crate::Error::RateLimited`]; `Wait`
//! sleeps to the next 15-minute boundary (Strava's windows reset at :00, :15, :30, :45)
//! when that is within `max_wait_s`, and reports the wait. A spent daily limit always stops.

use super::derive::{derive, DeriveOptions};
use super::{Parsed, Problem};
use crate::net;
use crate::progress::{CancelToken, ProgressListener};
use crate::record::{Activity, Lap, Sport, TrackPoint};
use crate::store::ImportBatch;
use crate::{Error, Record, Result, SecretString};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::time::Duration;

pub const DEFAULT_BASE_URL: &str = "https://www.strava.com";
pub const STREAM_KEYS: &str = "time,heartrate,latlng,distance,altitude,cadence,watts,velocity_smooth,temp";

/// The service name in errors ([`crate::Error::Network`], `Unauthorized`, `RateLimited`,
/// `NotConnected`): Strava's failures are kinds of the core's one error type.
pub const SERVICE: &str = "Strava";

fn bad_json(what: &str, reason: impl std::fmt::Display) -> Error {
    Error::Invalid { field: SERVICE, reason: format!("{what}: {reason}") }
}

/// A request, as the transport sees it. Headers carry the bearer token and the form the
/// client secret and refresh token, so `Debug` shows only their names.
#[derive(Clone, PartialEq)]
pub struct HttpRequest {
    pub method: &'static str,
    pub url: String,
    pub headers: Vec<(String, String)>,
    /// `application/x-www-form-urlencoded` body, for POST.
    pub form: Vec<(String, String)>,
}

impl std::fmt::Debug for HttpRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names = |v: &[(String, String)]| v.iter().map(|(k, _)| k.clone()).collect::<Vec<_>>();
        f.debug_struct("HttpRequest")
            .field("method", &self.method)
            .field("url", &self.url)
            .field("headers", &names(&self.headers))
            .field("form", &names(&self.form))
            .finish()
    }
}

#[derive(Clone, Debug, Default)]
pub struct HttpResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl HttpResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// The HTTP layer (a test or a shell can supply its own): Strava's API cannot be called
/// from tests, so this is the one client with a seam. A transport failure is
/// [`crate::Error::Network`]; any HTTP status is an `Ok` response.
pub trait Transport: Send + Sync {
    fn send(&self, req: &HttpRequest) -> Result<HttpResponse>;
}

/// The real transport: a [`crate::net`] client.
pub struct ReqwestTransport {
    client: reqwest::blocking::Client,
}

impl ReqwestTransport {
    pub fn new() -> Result<Self> {
        Ok(ReqwestTransport { client: net::client(SERVICE, Duration::from_secs(30))? })
    }
}

impl Transport for ReqwestTransport {
    fn send(&self, req: &HttpRequest) -> Result<HttpResponse> {
        let mut b = match req.method {
            "POST" => self.client.post(&req.url).form(&req.form),
            _ => self.client.get(&req.url),
        };
        for (k, v) in &req.headers {
            b = b.header(k, v);
        }
        let resp = b.send().map_err(|e| net::transport_error(SERVICE, "the request failed", &e))?;
        let status = resp.status().as_u16();
        let headers = resp
            .headers()
            .iter()
            .filter_map(|(k, v)| Some((k.as_str().to_string(), v.to_str().ok()?.to_string())))
            .collect();
        let body = net::read_body(SERVICE, "the answer", resp)?;
        Ok(HttpResponse { status, headers, body })
    }
}

/// OAuth tokens (stored sealed in the record by [`super::strava_account`]; they grant
/// access to the account, so they are [`crate::Secret`]s and `Debug` does not show them).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Tokens {
    #[serde(serialize_with = "phr_secret::expose")]
    pub access_token: SecretString,
    #[serde(serialize_with = "phr_secret::expose")]
    pub refresh_token: SecretString,
    /// Unix seconds.
    pub expires_at: i64,
    #[serde(default)]
    pub athlete_id: Option<i64>,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum RatePolicy {
    Stop,
    Wait { max_wait_s: u64 },
}

/// Last seen limits and usage: (15-minute, daily).
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct RateState {
    pub limit: (u64, u64),
    pub usage: (u64, u64),
}

fn pair(s: &str) -> Option<(u64, u64)> {
    let (a, b) = s.split_once(',')?;
    Some((a.trim().parse().ok()?, b.trim().parse().ok()?))
}

/// What a sync did.
#[derive(Clone, Debug, Default, Serialize)]
pub struct SyncReport {
    pub activities_seen: u64,
    pub activities_added: u64,
    pub activities_merged: u64,
    pub activities_unchanged: u64,
    pub streams_fetched: u64,
    pub pages: u64,
    /// Seconds spent waiting for the rate-limit window.
    pub waited_s: u64,
    /// Latest activity start seen (unix s): pass as `after` next time.
    pub latest_start: Option<i64>,
    /// Why the sync stopped early (rate limit, cancel), if it did.
    pub stopped: Option<String>,
    pub rate: RateState,
}

pub struct StravaClient<T: Transport> {
    pub base_url: String,
    client_id: String,
    client_secret: SecretString,
    tokens: Option<Tokens>,
    transport: T,
    pub policy: RatePolicy,
    pub rate: Option<RateState>,
    /// Total seconds waited for rate limits.
    pub waited_s: u64,
    sleeper: Box<dyn Fn(Duration) + Send + Sync>,
    clock: Box<dyn Fn() -> i64 + Send + Sync>,
}

impl<T: Transport> StravaClient<T> {
    pub fn new(transport: T, client_id: &str, client_secret: &str) -> Self {
        StravaClient {
            base_url: DEFAULT_BASE_URL.into(),
            client_id: client_id.into(),
            client_secret: client_secret.into(),
            tokens: None,
            transport,
            policy: RatePolicy::Stop,
            rate: None,
            waited_s: 0,
            sleeper: Box::new(std::thread::sleep),
            clock: Box::new(|| chrono::Utc::now().timestamp()),
        }
    }
    pub fn with_base_url(mut self, url: &str) -> Self {
        self.base_url = url.trim_end_matches('/').to_string();
        self
    }
    pub fn with_tokens(mut self, t: Tokens) -> Self {
        self.tokens = Some(t);
        self
    }
    /// For tests: replace sleeping and the clock.
    pub fn with_time(
        mut self,
        sleeper: impl Fn(Duration) + Send + Sync + 'static,
        clock: impl Fn() -> i64 + Send + Sync + 'static,
    ) -> Self {
        self.sleeper = Box::new(sleeper);
        self.clock = Box::new(clock);
        self
    }
    pub fn tokens(&self) -> Option<&Tokens> {
        self.tokens.as_ref()
    }

    /// The page to send the user to; Strava redirects back with `?code=...`.
    pub fn authorize_url(&self, redirect_uri: &str, state: &str) -> String {
        let mut url = format!("{}/oauth/authorize?", self.base_url);
        url.push_str(
            &url::form_urlencoded::Serializer::new(String::new())
                .extend_pairs([
                    ("client_id", self.client_id.as_str()),
                    ("redirect_uri", redirect_uri),
                    ("response_type", "code"),
                    ("approval_prompt", "auto"),
                    ("scope", "read,activity:read_all"),
                    ("state", state),
                ])
                .finish(),
        );
        url
    }

    fn token_request(&mut self, form: Vec<(String, String)>) -> Result<Tokens> {
        let req = HttpRequest {
            method: "POST",
            url: format!("{}/oauth/token", self.base_url),
            headers: vec![],
            form,
        };
        let resp = self.transport.send(&req)?;
        match resp.status {
            200 => {}
            400 | 401 | 403 => return Err(Error::Unauthorized { service: SERVICE }),
            s => return Err(net::status_error(SERVICE, "the token request", s)),
        }
        let v: Value = serde_json::from_slice(&resp.body).map_err(|e| bad_json("the token", e))?;
        let get = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
        let t = Tokens {
            access_token: get("access_token").ok_or_else(|| bad_json("the token", "no access_token"))?.into(),
            refresh_token: get("refresh_token")
                .map(SecretString::new)
                .or_else(|| self.tokens.as_ref().map(|t| t.refresh_token.clone()))
                .unwrap_or_default(),
            expires_at: v.get("expires_at").and_then(Value::as_i64).unwrap_or(0),
            athlete_id: v
                .pointer("/athlete/id")
                .and_then(Value::as_i64)
                .or_else(|| self.tokens.as_ref().and_then(|t| t.athlete_id)),
        };
        self.tokens = Some(t.clone());
        Ok(t)
    }

    /// Exchanges the authorization code from the redirect for tokens.
    pub fn exchange_code(&mut self, code: &str) -> Result<Tokens> {
        let form = vec![
            ("client_id".into(), self.client_id.clone()),
            ("client_secret".into(), self.client_secret.expose_secret().clone()),
            ("code".into(), code.into()),
            ("grant_type".into(), "authorization_code".into()),
        ];
        self.token_request(form)
    }

    /// Refreshes the access token with the refresh token.
    pub fn refresh(&mut self) -> Result<Tokens> {
        let rt = self.tokens.as_ref().ok_or(Error::NotConnected { service: SERVICE })?.refresh_token.clone();
        let form = vec![
            ("client_id".into(), self.client_id.clone()),
            ("client_secret".into(), self.client_secret.expose_secret().clone()),
            ("grant_type".into(), "refresh_token".into()),
            ("refresh_token".into(), rt.expose_secret().clone()),
        ];
        self.token_request(form)
    }

    fn note_rate(&mut self, resp: &HttpResponse) {
        if let (Some(l), Some(u)) =
            (resp.header("X-RateLimit-Limit").and_then(pair), resp.header("X-RateLimit-Usage").and_then(pair))
        {
            self.rate = Some(RateState { limit: l, usage: u });
        }
    }

    /// Waits (or refuses) when the last seen usage is at a limit.
    fn respect_limits(&mut self, forced: bool) -> Result<()> {
        let Some(r) = self.rate else {
            if forced {
                return self.wait_or_stop(RateState::default(), false);
            }
            return Ok(());
        };
        let daily = r.limit.1 > 0 && r.usage.1 >= r.limit.1;
        let short = r.limit.0 > 0 && r.usage.0 >= r.limit.0;
        if daily || short || forced {
            return self.wait_or_stop(r, daily);
        }
        Ok(())
    }

    fn wait_or_stop(&mut self, r: RateState, daily: bool) -> Result<()> {
        let now = (self.clock)();
        let to_window = (900 - now.rem_euclid(900)) as u64;
        let retry = if daily { (86_400 - now.rem_euclid(86_400)) as u64 } else { to_window };
        let err = || Error::RateLimited {
            service: SERVICE,
            usage: format!("{},{}", r.usage.0, r.usage.1),
            limit: format!("{},{}", r.limit.0, r.limit.1),
            retry_after_s: retry,
        };
        match self.policy {
            RatePolicy::Wait { max_wait_s } if !daily && to_window <= max_wait_s => {
                log::info!("strava rate limit: waiting {to_window} s");
                (self.sleeper)(Duration::from_secs(to_window));
                self.waited_s += to_window;
                if let Some(st) = self.rate.as_mut() {
                    st.usage.0 = 0;
                }
                Ok(())
            }
            _ => Err(err()),
        }
    }

    fn get(&mut self, path_query: &str, what: &str) -> Result<Value> {
        self.get_maybe(path_query, what, false)?.ok_or_else(|| net::status_error(SERVICE, what, 404))
    }

    /// GET, with `None` for a 404 when `missing_ok`.
    fn get_maybe(&mut self, path_query: &str, what: &str, missing_ok: bool) -> Result<Option<Value>> {
        let now = (self.clock)();
        if self.tokens.as_ref().ok_or(Error::NotConnected { service: SERVICE })?.expires_at <= now + 60 {
            self.refresh()?;
        }
        self.respect_limits(false)?;
        let mut retried_auth = false;
        let mut retried_429 = false;
        loop {
            let token =
                self.tokens.as_ref().map(|t| t.access_token.expose_secret().as_str()).unwrap_or_default();
            let req = HttpRequest {
                method: "GET",
                url: format!("{}/api/v3{path_query}", self.base_url),
                headers: vec![("Authorization".into(), format!("Bearer {token}"))],
                form: vec![],
            };
            let resp = self.transport.send(&req)?;
            self.note_rate(&resp);
            match resp.status {
                200 => return serde_json::from_slice(&resp.body).map(Some).map_err(|e| bad_json(what, e)),
                401 if !retried_auth => {
                    retried_auth = true;
                    self.refresh()?;
                }
                401 | 403 => return Err(Error::Unauthorized { service: SERVICE }),
                404 if missing_ok => return Ok(None),
                429 if !retried_429 => {
                    retried_429 = true;
                    self.respect_limits(true)?;
                }
                429 => {
                    let r = self.rate.unwrap_or_default();
                    return Err(Error::RateLimited {
                        service: SERVICE,
                        usage: format!("{},{}", r.usage.0, r.usage.1),
                        limit: format!("{},{}", r.limit.0, r.limit.1),
                        retry_after_s: 900,
                    });
                }
                s => return Err(net::status_error(SERVICE, what, s)),
            }
        }
    }

    /// GET /athlete/activities (summary activities, newest first by default).
    pub fn list_activities(&mut self, after: Option<i64>, page: u32, per_page: u32) -> Result<Vec<Value>> {
        let mut q = format!("/athlete/activities?page={page}&per_page={per_page}");
        if let Some(a) = after {
            q.push_str(&format!("&after={a}"));
        }
        match self.get(&q, "the activity list")? {
            Value::Array(v) => Ok(v),
            _ => Err(bad_json("the activity list", "not a list")),
        }
    }

    /// GET /activities/{id}/streams keyed by type; `None` when Strava has none for it.
    pub fn streams(&mut self, id: i64) -> Result<Option<Value>> {
        let q = format!("/activities/{id}/streams?keys={STREAM_KEYS}&key_by_type=true");
        self.get_maybe(&q, "activity streams", true)
    }

    /// Pulls activities (after `after`, unix s) with their streams into the record: one
    /// transaction per activity, so a stop (rate limit, cancel) keeps what landed.
    pub fn sync(
        &mut self,
        record: &Record,
        after: Option<i64>,
        with_streams: bool,
        opts: &DeriveOptions,
        progress: &dyn ProgressListener,
        cancel: &CancelToken,
    ) -> Result<SyncReport> {
        let mut rep = SyncReport::default();
        let per_page = 100;
        let mut page = 1;
        let stop = |rep: &mut SyncReport, e: Error| -> Result<()> {
            match e {
                Error::RateLimited { .. } => {
                    rep.stopped = Some(e.to_string());
                    Ok(())
                }
                other => Err(other),
            }
        };
        'pages: loop {
            if cancel.is_cancelled() {
                rep.stopped = Some("cancelled".into());
                break;
            }
            let list = match self.list_activities(after, page, per_page) {
                Ok(l) => l,
                Err(e) => {
                    stop(&mut rep, e)?;
                    break;
                }
            };
            rep.pages += 1;
            if list.is_empty() {
                break;
            }
            for summary in &list {
                if cancel.is_cancelled() {
                    rep.stopped = Some("cancelled".into());
                    break 'pages;
                }
                rep.activities_seen += 1;
                progress.on_progress("activities", rep.activities_seen, 0);
                let Some(id) = summary.get("id").and_then(Value::as_i64) else { continue };
                let manual = summary.get("manual").and_then(Value::as_bool).unwrap_or(false);
                let streams = if with_streams && !manual {
                    match self.streams(id) {
                        Ok(Some(s)) => {
                            rep.streams_fetched += 1;
                            Some(s)
                        }
                        Ok(None) => None,
                        Err(e) => {
                            stop(&mut rep, e)?;
                            break 'pages;
                        }
                    }
                } else {
                    None
                };
                let Some(a) = activity_from_json(summary, streams.as_ref(), opts) else { continue };
                rep.latest_start = Some(rep.latest_start.unwrap_or(i64::MIN).max(a.start_ms / 1000));
                let out = record.import(&ImportBatch { activities: vec![a], ..Default::default() })?;
                rep.activities_added += out.activities_added;
                rep.activities_merged += out.activities_merged;
                rep.activities_unchanged += out.activities_unchanged;
            }
            if (list.len() as u32) < per_page {
                break;
            }
            page += 1;
        }
        rep.waited_s = self.waited_s;
        rep.rate = self.rate.unwrap_or_default();
        Ok(rep)
    }
}

/// A stream by key, whether keyed by type (`{"time": {"data": [...]}}` or
/// `{"time": [...]}`) or a list (`[{"type": "time", "data": [...]}]`).
fn stream<'a>(s: &'a Value, key: &str) -> Option<&'a Vec<Value>> {
    match s {
        Value::Object(m) => match m.get(key)? {
            Value::Array(a) => Some(a),
            o => o.get("data")?.as_array(),
        },
        Value::Array(items) => {
            items.iter().find(|i| i.get("type").and_then(Value::as_str) == Some(key))?.get("data")?.as_array()
        }
        _ => None,
    }
}

fn track_from_streams(start_ms: i64, s: &Value) -> Vec<TrackPoint> {
    let Some(time) = stream(s, "time") else { return vec![] };
    let num = |key: &str, i: usize| {
        stream(s, key).and_then(|v| v.get(i)).and_then(Value::as_f64).filter(|v| v.is_finite())
    };
    let latlng = stream(s, "latlng");
    time.iter()
        .enumerate()
        .filter_map(|(i, t)| {
            let t = t.as_f64()?;
            let ll = latlng.and_then(|v| v.get(i)).and_then(Value::as_array);
            let coord = |j: usize| ll.and_then(|p| p.get(j)).and_then(Value::as_f64);
            Some(TrackPoint {
                t_ms: start_ms + (t * 1000.0) as i64,
                lat: coord(0).filter(|v| (-90.0..=90.0).contains(v)),
                lon: coord(1).filter(|v| (-180.0..=180.0).contains(v)),
                altitude_m: num("altitude", i),
                distance_m: num("distance", i).filter(|v| *v >= 0.0),
                hr: num("heartrate", i).filter(|v| *v > 0.0),
                cadence: num("cadence", i),
                power: num("watts", i),
                speed_mps: num("velocity_smooth", i).filter(|v| *v >= 0.0),
                temperature_c: num("temp", i),
            })
        })
        .collect()
}

/// A Strava (summary or detailed) activity JSON, with optional streams, as an activity.
pub fn activity_from_json(v: &Value, streams: Option<&Value>, opts: &DeriveOptions) -> Option<Activity> {
    let id = v.get("id").and_then(Value::as_i64)?;
    let start = v.get("start_date").and_then(Value::as_str).and_then(super::xml::parse_time)?;
    let f = |k: &str| v.get(k).and_then(Value::as_f64).filter(|x| x.is_finite() && *x >= 0.0);
    let sport = v
        .get("sport_type")
        .and_then(Value::as_str)
        .or_else(|| v.get("type").and_then(Value::as_str))
        .unwrap_or("");
    let laps = v
        .get("laps")
        .and_then(Value::as_array)
        .map(|ls| {
            ls.iter()
                .filter_map(|l| {
                    Some(Lap {
                        start_ms: l
                            .get("start_date")
                            .and_then(Value::as_str)
                            .and_then(super::xml::parse_time)?,
                        duration_s: l.get("elapsed_time").and_then(Value::as_f64).unwrap_or(0.0).max(0.0),
                        distance_m: l.get("distance").and_then(Value::as_f64),
                        avg_hr: l.get("average_heartrate").and_then(Value::as_f64),
                        max_hr: l.get("max_heartrate").and_then(Value::as_f64),
                        calories: None,
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    let mut a = Activity {
        id: String::new(),
        sport: Sport::from_label(sport),
        name: v.get("name").and_then(Value::as_str).map(str::to_string),
        start_ms: start,
        elapsed_s: f("elapsed_time").unwrap_or(0.0),
        timer_s: f("moving_time"),
        distance_m: f("distance"),
        avg_hr: f("average_heartrate"),
        max_hr: f("max_heartrate"),
        calories: f("calories"),
        ascent_m: f("total_elevation_gain"),
        source: "strava".into(),
        source_id: format!("strava:{id}"),
        also_from: vec![],
        laps,
        metrics: Default::default(),
        track: streams.map(|s| track_from_streams(start, s)).unwrap_or_default(),
    };
    derive(&mut a, opts);
    Some(a)
}

/// A saved Strava JSON file: an activity (imported), a route (skipped: a plan) or a
/// stream set without its activity (skipped: it has no start time).
pub fn parse_json(data: &[u8], opts: &DeriveOptions) -> super::bulk::ParseResult {
    use super::bulk::ParseResult;
    let v: Value = match serde_json::from_slice(data) {
        Ok(v) => v,
        Err(e) => {
            let off = super::xml::line_of(data, 0);
            let _ = off;
            return ParseResult::Failed(Problem {
                offset: None,
                line: Some(e.line() as u64),
                reason: format!("not valid JSON: {e}"),
            });
        }
    };
    if stream(&v, "time").is_some() || stream(&v, "distance").is_some() && v.get("id").is_none() {
        let n = stream(&v, "time").or_else(|| stream(&v, "distance")).map_or(0, Vec::len);
        return ParseResult::Skipped(format!(
            "a Strava stream set ({n} points) without its activity: no start time to place it"
        ));
    }
    if v.get("id").is_some() && v.get("start_date").is_none() && v.get("segments").is_some()
        || v.get("type").is_some_and(Value::is_number)
    {
        return ParseResult::Skipped("a Strava route (a plan, not an activity)".into());
    }
    if v.get("id").is_none() || v.get("start_date").is_none() {
        return ParseResult::Skipped("JSON that is not a Strava activity".into());
    }
    match activity_from_json(&v, None, opts) {
        Some(a) => {
            let mut p = Parsed { points: a.track.len() as u64, ..Default::default() };
            p.count("activities", 1);
            p.batch.activities.push(a);
            p.drop_invalid();
            ParseResult::Parsed(p)
        }
        None => {
            ParseResult::Failed(Problem::general("a Strava activity without a readable id or start_date"))
        }
    }
}
