//! The SMART-on-FHIR client against a real FHIR R4 server (tests/fhir-server, started by
//! scripts/fhir-server.sh, which sets PHR_FHIR_TEST_SERVER). Skips with a reason when it
//! is not running (fails under CI=true); scripts/test-all.sh always starts it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout, clippy::print_stderr)] // test code: a failed unwrap is a failed test, and it prints what it measured

use phr_core::crypto::RawKeyStore;
use phr_core::fhir::{self, smart};
use phr_core::record::SampleKind;
use phr_core::store::{ListOptions, DB_FILE};
use phr_core::Record;

fn server() -> Option<String> {
    phr_testkit::required_env("PHR_FHIR_TEST_SERVER", "scripts/test-all.sh, via scripts/fhir-server.sh,")
}

fn connect(record: &Record, base: &str) -> smart::Connection {
    let http = smart::http_client().unwrap();
    let cfg = smart::discover(&http, base).unwrap();
    assert!(cfg.code_challenge_methods_supported.iter().any(|m| m == "S256"));
    let req = smart::AuthRequest::new(base, &cfg, "http://127.0.0.1:9/callback").unwrap();
    let code = smart::authorize_without_login(&http, &req).unwrap();
    // A wrong PKCE verifier is refused by the server.
    let mut bad = req.clone();
    bad.pkce = smart::Pkce::new().unwrap();
    assert!(smart::exchange_code(&http, &bad, &code).is_err(), "codes are single-use and PKCE-checked");
    let code = smart::authorize_without_login(&http, &req).unwrap();
    let conn = smart::exchange_code(&http, &req, &code).unwrap();
    assert!(conn.patient.is_some());
    fhir::save_connection(record, &conn).unwrap();
    conn
}

fn new_record() -> (tempfile::TempDir, Record) {
    let dir = tempfile::tempdir().unwrap();
    let r = Record::create(&dir.path().join(DB_FILE), &RawKeyStore::new([3; 32])).unwrap();
    (dir, r)
}

#[test]
fn per_type_search_with_paging_then_everything_give_the_same_record() {
    let Some(origin) = server() else { return };
    let http = smart::http_client().unwrap();

    // Base without $everything: per-type searches, following Bundle.link next.
    let (_d, r) = new_record();
    connect(&r, &format!("{origin}/fhir/R4"));
    let (rep, stats) = fhir::pull_with_page_size(&r, &http, false, 5).unwrap();
    assert!(!stats.used_everything);
    assert!(stats.pages > smart::PULL_TYPES.len() as u32, "paged: {stats:?}");
    assert!(rep.outcome.added > 10, "{:?}", rep.outcome);
    let conditions = r.list_entries("conditions", ListOptions::default()).unwrap().len();
    assert!(conditions >= 5);
    assert!(
        !r.samples(SampleKind::Weight, i64::MIN, i64::MAX).unwrap().is_empty()
            || !r.samples(SampleKind::BloodPressureSystolic, i64::MIN, i64::MAX).unwrap().is_empty()
    );

    // A second pull changes nothing.
    let (again, _) = fhir::pull(&r, &http, false).unwrap();
    assert_eq!(
        (again.outcome.added, again.outcome.updated, again.outcome.retired),
        (0, 0, 0),
        "{:?}",
        again.outcome
    );

    // Refresh: a new access token works, and pulling still works.
    let mut conn: smart::Connection = r.setting(fhir::CONNECTION_SETTING).unwrap().unwrap();
    let old = conn.access_token.clone();
    smart::refresh(&http, &mut conn).unwrap();
    assert_ne!(conn.access_token, old);
    conn.expires_at_ms = 0; // force another refresh inside the pull
    fhir::save_connection(&r, &conn).unwrap();
    fhir::pull(&r, &http, false).unwrap();

    // Base with $everything: the same entries.
    let (_d2, r2) = new_record();
    connect(&r2, &format!("{origin}/fhir-ev/R4"));
    let (_, stats2) = fhir::pull(&r2, &http, false).unwrap();
    assert!(stats2.used_everything);
    for s in ["conditions", "vaccinations", "procedures", "identity"] {
        let a: Vec<_> =
            r.list_entries(s, ListOptions::default()).unwrap().into_iter().map(|e| e.value).collect();
        let b: Vec<_> =
            r2.list_entries(s, ListOptions::default()).unwrap().into_iter().map(|e| e.value).collect();
        assert_eq!(a.len(), b.len(), "{s}");
    }
    println!(
        "SMART pull: {} pages per-type, {} resources; $everything {} resources",
        stats.pages, stats.resources, stats2.resources
    );
}

#[test]
fn without_a_token_the_server_refuses() {
    let Some(origin) = server() else { return };
    let http = smart::http_client().unwrap();
    let resp = http.get(format!("{origin}/fhir/R4/Condition")).send().unwrap();
    assert_eq!(resp.status().as_u16(), 401);
    let (_d, r) = new_record();
    assert!(fhir::pull(&r, &http, false).is_err(), "no connection yet");
}
