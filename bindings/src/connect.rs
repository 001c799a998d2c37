//! Connecting the record to where data already lives, from the apps: the GP record over
//! SMART-on-FHIR (`phr fhir connect | pull | links`). Each step starts only from the
//! owner's tap; the sign-in happens in the platform browser (Custom Tabs,
//! ASWebAuthenticationSession), never in the app.

use crate::fhir::{FhirImportReport, SourceLink};
use crate::record::{blocking, PhrRecord};
use crate::PhrError;
use phr_core::fhir::{self, smart};
use std::sync::Arc;

type R<T> = Result<T, PhrError>;

/// A sign-in under way: the address to open in the browser, and (kept inside) the PKCE
/// verifier and state that only this session knows. Hand it back to
/// [`PhrRecord::smart_finish`] with the address the browser came back to.
#[derive(uniffi::Object)]
pub struct SmartSession {
    request: smart::AuthRequest,
}

impl std::fmt::Debug for SmartSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmartSession").finish_non_exhaustive()
    }
}

#[uniffi::export]
impl SmartSession {
    /// Open this in the browser; the GP system asks the owner to sign in and approve.
    pub fn authorize_url(&self) -> String {
        self.request.url.clone()
    }

    /// Where the browser will come back to (the app's registered redirect).
    pub fn redirect_uri(&self) -> String {
        self.request.redirect_uri.clone()
    }
}

/// What a pull from the GP record fetched and did to the record.
#[derive(Debug, uniffi::Record)]
pub struct FhirPullReport {
    /// Whether the server answered `$everything` (else one search per resource type).
    pub used_everything: bool,
    pub pages: u32,
    pub resources: u64,
    pub import: FhirImportReport,
}

#[uniffi::export(async_runtime = "tokio")]
impl PhrRecord {
    /// Step one of connecting the GP record: reads the server's SMART configuration at
    /// `base_url` and prepares a sign-in that returns to `redirect_uri`.
    pub async fn smart_begin(&self, base_url: String, redirect_uri: String) -> R<Arc<SmartSession>> {
        blocking(move || {
            let http = smart::http_client()?;
            let cfg = smart::discover(&http, &base_url)?;
            let request = smart::AuthRequest::new(&base_url, &cfg, &redirect_uri)?;
            Ok(Arc::new(SmartSession { request }))
        })
        .await
    }

    /// Step two: `redirect_url` is the address the browser came back to. Checks its state,
    /// exchanges the code (with the PKCE verifier) for tokens and keeps them sealed in the
    /// record. Returns the server's base address. Nothing is fetched yet.
    pub async fn smart_finish(&self, session: Arc<SmartSession>, redirect_url: String) -> R<String> {
        let inner = self.inner.clone();
        blocking(move || {
            let http = smart::http_client()?;
            let code = session.request.code_from_redirect(&redirect_url)?;
            let conn = smart::exchange_code(&http, &session.request, &code)?;
            fhir::save_connection(&inner, &conn)?;
            Ok(conn.base.clone())
        })
        .await
    }

    /// Fetches the whole GP record over the saved connection (refreshing the sign-in when
    /// it has expired) and merges it into the record. `force`: import again even what is
    /// unchanged.
    pub async fn fhir_pull(&self, force: bool) -> R<FhirPullReport> {
        let inner = self.inner.clone();
        blocking(move || {
            let http = smart::http_client()?;
            let (report, stats) = fhir::pull(&inner, &http, force)?;
            Ok(FhirPullReport {
                used_everything: stats.used_everything,
                pages: stats.pages,
                resources: stats.resources as u64,
                import: report.into(),
            })
        })
        .await
    }

    /// The owner's own entries linked to the GP record's, with any disagreement to check.
    pub async fn fhir_links(&self) -> R<Vec<SourceLink>> {
        let inner = self.inner.clone();
        blocking(move || Ok(inner.source_links()?.into_iter().map(Into::into).collect())).await
    }
}

// ---- Strava (phr strava connect | sync | status) ----

/// The Strava API application the app is registered as (its id and secret ship with the
/// app build; `base_url` is Strava's API unless a test points it elsewhere).
#[derive(Debug, uniffi::Record)]
pub struct StravaApp {
    pub client_id: String,
    pub client_secret: String,
    pub base_url: Option<String>,
}

/// Whether a Strava account is connected, and when it last synced.
#[derive(Debug, uniffi::Record)]
pub struct StravaStatus {
    pub connected: bool,
    pub athlete_id: Option<i64>,
    /// Unix seconds of the last sync.
    pub last_sync: Option<i64>,
}

/// What a Strava sync did. `stopped` says why it ended early (a rate limit, a cancel);
/// what was imported is kept, and the next sync carries on.
#[derive(Debug, uniffi::Record)]
pub struct StravaSyncReport {
    pub activities_seen: u64,
    pub activities_added: u64,
    pub activities_merged: u64,
    pub activities_unchanged: u64,
    pub streams_fetched: u64,
    pub stopped: Option<String>,
}

fn strava_client(
    app: &StravaApp,
) -> R<phr_core::import::strava::StravaClient<phr_core::import::strava::ReqwestTransport>> {
    use phr_core::import::strava::{ReqwestTransport, StravaClient, DEFAULT_BASE_URL};
    Ok(StravaClient::new(ReqwestTransport::new()?, &app.client_id, &app.client_secret)
        .with_base_url(app.base_url.as_deref().unwrap_or(DEFAULT_BASE_URL)))
}

fn status(s: phr_core::import::strava_account::ConnectionStatus) -> StravaStatus {
    StravaStatus { connected: s.connected, athlete_id: s.athlete_id, last_sync: s.last_sync }
}

/// The Strava sign-in address to open in the browser; `state` is a random value the app
/// keeps and checks when the browser comes back to `redirect_uri`. Offline.
#[uniffi::export]
pub fn strava_authorize_url(app: StravaApp, redirect_uri: String, state: String) -> R<String> {
    crate::error::guard(|| Ok(strava_client(&app)?.authorize_url(&redirect_uri, &state)))
}

#[uniffi::export(async_runtime = "tokio")]
impl PhrRecord {
    /// Finishes connecting Strava: `redirect_url` is where the browser came back to (or
    /// just its code); its `state` must be the one the app made. The tokens are kept sealed
    /// in the record.
    pub async fn strava_connect(
        &self,
        app: StravaApp,
        redirect_url: String,
        state: String,
    ) -> R<StravaStatus> {
        use phr_core::import::strava_account as account;
        let inner = self.inner.clone();
        blocking(move || {
            let code = account::code_from_paste(&redirect_url, &state)
                .map_err(|_| PhrError::InvalidInput { field: "redirect".into() })?;
            let mut client = strava_client(&app)?;
            Ok(status(account::connect(&inner, &mut client, &app.client_id, &app.client_secret, &code)?))
        })
        .await
    }

    /// Imports the activities added on Strava since the last sync (refreshing the sign-in
    /// when it expired). `streams`: also fetch each one's GPS and heart-rate streams.
    pub async fn strava_sync(
        &self,
        app: StravaApp,
        streams: bool,
        listener: Option<Arc<dyn crate::ProgressListener>>,
        cancel: Option<Arc<crate::CancelHandle>>,
    ) -> R<StravaSyncReport> {
        use phr_core::import::strava_account::{self as account, AppCredentials};
        let inner = self.inner.clone();
        let cancel = cancel.unwrap_or_default();
        let guard = crate::progress::CancelOnDrop::new(cancel.clone());
        let out = blocking(move || {
            let creds = AppCredentials {
                client_id: Some(app.client_id.clone()),
                client_secret: Some(app.client_secret.as_str().into()),
            };
            let conn = account::connection(&inner, &creds)?;
            let mut client = strava_client(&app)?.with_tokens(conn.tokens.clone());
            let progress = listener.map(crate::progress::ForeignProgress);
            let noop = phr_core::progress::NoProgress;
            let p: &dyn phr_core::progress::ProgressListener = match &progress {
                Some(p) => p,
                None => &noop,
            };
            let r = account::sync(
                &inner,
                &mut client,
                conn,
                streams,
                &phr_core::import::derive::DeriveOptions::default(),
                p,
                &cancel.token(),
            )?;
            Ok(StravaSyncReport {
                activities_seen: r.activities_seen,
                activities_added: r.activities_added,
                activities_merged: r.activities_merged,
                activities_unchanged: r.activities_unchanged,
                streams_fetched: r.streams_fetched,
                stopped: r.stopped,
            })
        })
        .await;
        guard.disarm();
        out
    }

    /// Whether Strava is connected (offline: read from the record).
    pub async fn strava_status(&self) -> R<StravaStatus> {
        let inner = self.inner.clone();
        blocking(move || Ok(status(phr_core::import::strava_account::status(&inner)?))).await
    }
}
