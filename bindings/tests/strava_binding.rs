#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed unwrap is a failed test
//! The apps' Strava calls (phr-ffi) against the local server that follows the Strava API v3
//! contract (Strava itself cannot run here): authorize address, connect with the browser's
//! redirect and its state, sync, status; a wrong state is refused before any network.

#[path = "../../core/tests/strava_server/mod.rs"]
mod strava_server;

use phr_ffi::{strava_authorize_url, PhrError, PhrRecord, StravaApp};
use std::sync::{Arc, Mutex};
use strava_server::*;

struct Key([u8; 32]);
impl phr_ffi::KeyStore for Key {
    fn wrap(&self, data_key: Vec<u8>) -> Result<Vec<u8>, phr_ffi::KeyStoreError> {
        Ok(data_key.iter().zip(self.0.iter().cycle()).map(|(a, b)| a ^ b).collect())
    }
    fn unwrap(&self, wrapped: Vec<u8>) -> Result<Vec<u8>, phr_ffi::KeyStoreError> {
        self.wrap(wrapped)
    }
}

fn block<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_multi_thread().build().unwrap().block_on(f)
}

#[test]
fn strava_connects_from_the_browser_redirect_and_syncs_once() {
    let state = Arc::new(Mutex::new(ServerState::default()));
    for (i, day) in [1, 2].iter().enumerate() {
        state.lock().unwrap().activities.push(strava_activity(
            700 + i as i64,
            &format!("2024-06-{day:02}T07:00:00Z"),
            1800,
            "Run",
        ));
    }
    let (url, _server) = serve(state.clone());
    let app = || StravaApp {
        client_id: "1234".into(),
        client_secret: "app-secret".into(),
        base_url: Some(url.clone()),
    };
    let dir = tempfile::tempdir().unwrap();
    let rec =
        PhrRecord::create(dir.path().join("r.phr").to_string_lossy().into(), Arc::new(Key([7; 32]))).unwrap();

    let auth = strava_authorize_url(app(), "phr://strava".into(), "s-123".into()).unwrap();
    assert!(auth.starts_with(&format!("{url}/oauth/authorize?")) && auth.contains("state=s-123"), "{auth}");
    assert!(!block(rec.strava_status()).unwrap().connected);

    let back = format!("phr://strava?state=s-123&code={GOOD_CODE}&scope=read,activity:read_all");
    let before = state.lock().unwrap().requests.len();
    let wrong = block(rec.strava_connect(app(), back.replace("s-123", "forged"), "s-123".into()));
    assert!(matches!(wrong, Err(PhrError::InvalidInput { .. })), "{wrong:?}");
    assert_eq!(state.lock().unwrap().requests.len(), before, "a forged state reached Strava");

    assert!(block(rec.strava_connect(app(), back, "s-123".into())).unwrap().connected);
    let first = block(rec.strava_sync(app(), false, None, None)).unwrap();
    assert_eq!((first.activities_seen, first.activities_added), (2, 2), "{first:?}");
    let again = block(rec.strava_sync(app(), false, None, None)).unwrap();
    assert_eq!(again.activities_added, 0, "{again:?}");
    let st = block(rec.strava_status()).unwrap();
    assert!(st.connected && st.last_sync.is_some());
    shutdown(&url);
}
