//! Connecting the record to where data already lives, from the apps: the GP record over
//! SMART-on-FHIR (`phr fhir connect | pull | links`). Each step starts only from the
//! owner's tap; the sign-in happens in the platform browser (Custom Tabs,
//! ASWebAuthenticationSession), never in the app.

use crate::fhir::{FhirImportReport, FieldConflict, SourceLink};
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

fn link(l: phr_core::store::SourceLink) -> SourceLink {
    SourceLink {
        user_entry: l.user_entry,
        source_entry: l.source_entry,
        section: l.section,
        system: l.system,
        conflicts: l
            .conflicts
            .into_iter()
            .map(|c| FieldConflict { field: c.field, yours: c.yours, source: c.source })
            .collect(),
    }
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
        blocking(move || Ok(inner.source_links()?.into_iter().map(link).collect())).await
    }
}
