//! `phr strava connect|sync|status` end to end against the local server that follows the
//! Strava API v3 contract (the same one the core tests use): tokens sealed in the record
//! and never printed, refresh when expired, the sync cursor, idempotent syncs.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout, clippy::print_stderr)] // test code: a failed unwrap is a failed test, and it prints what it measured

#[path = "../../core/tests/strava_server/mod.rs"]
mod strava_server;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::{Arc, Mutex};
use strava_server::*;

const PASS: &str = "a test passphrase for strava";
const SECRET: &str = "client-secret-for-the-strava-app";

fn phr(home: &Path, url: &str, args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_phr"))
        .arg("--home")
        .arg(home)
        .args(args)
        .env("PHR_PASSPHRASE", PASS)
        .env("PHR_STRAVA_URL", url)
        .env_remove("PHR_HOME")
        .env_remove("STRAVA_CLIENT_ID")
        .env_remove("STRAVA_CLIENT_SECRET")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

const SECRETS: [&str; 5] = [ACCESS_1, REFRESH_1, ACCESS_2, REFRESH_2, SECRET];

/// Runs phr, asserts success, and that no token or the client secret is in its output.
fn ok(home: &Path, url: &str, args: &[&str], stdin: &str) -> (String, String) {
    let out = phr(home, url, args, stdin);
    let (o, e) = (String::from_utf8(out.stdout).unwrap(), String::from_utf8(out.stderr).unwrap());
    assert!(out.status.success(), "phr {args:?} failed: {e}");
    for s in SECRETS {
        assert!(!o.contains(s) && !e.contains(s), "phr {args:?} printed a secret");
    }
    (o, e)
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .unwrap()
        .flat_map(|e| {
            let p = e.unwrap().path();
            if p.is_dir() {
                files_under(&p)
            } else {
                vec![p]
            }
        })
        .collect()
}

fn count(state: &Arc<Mutex<ServerState>>, what: &str) -> usize {
    state.lock().unwrap().requests.iter().filter(|r| r.contains(what)).count()
}

#[test]
fn connect_sync_refresh_cursor_and_sealed_tokens() {
    let state = Arc::new(Mutex::new(ServerState::default()));
    // The code exchange hands out an access token that has already expired.
    state.lock().unwrap().code_token_expires_at = 1_000;
    for (i, day) in [1, 2, 3].iter().enumerate() {
        state.lock().unwrap().activities.push(strava_activity(
            500 + i as i64,
            &format!("2024-06-{day:02}T07:00:00Z"),
            1800,
            "Run",
        ));
    }
    let (url, server) = serve(state.clone());
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("rec");
    ok(&home, &url, &["init"], "");

    // Not connected yet: sync says so.
    let out = phr(&home, &url, &["strava", "sync"], "");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("not connected"));

    // connect without --code: prints the authorize URL, reads the pasted redirect address.
    let pasted = format!("http://localhost/exchange_token?code={GOOD_CODE}&scope=read,activity:read_all\n");
    let (o, e) =
        ok(&home, &url, &["strava", "connect", "--client-id", "1234", "--client-secret", SECRET], &pasted);
    assert!(
        e.contains(&format!(
            "{url}/oauth/authorize?client_id=1234&redirect_uri=http%3A%2F%2Flocalhost%2Fexchange_token"
        )),
        "{e}"
    );
    assert!(o.contains("Connected to Strava (athlete 134815)"), "{o}");
    // A bad code fails clearly and keeps the connection made above.
    let bad = phr(
        &home,
        &url,
        &["strava", "connect", "--client-id", "1234", "--client-secret", SECRET, "--code", "bad-code"],
        "",
    );
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("refused the credentials"));
    let (st, _) = ok(&home, &url, &["--json", "strava", "status"], "");
    let st: serde_json::Value = serde_json::from_str(&st).unwrap();
    assert_eq!((st["connected"].as_bool(), st["athlete_id"].as_i64()), (Some(true), Some(134815)));

    // First sync: the stored (expired) token is refreshed first; credentials come from the record.
    let (o, _) = ok(&home, &url, &["--json", "strava", "sync"], "");
    let rep: serde_json::Value = serde_json::from_str(&o).unwrap();
    assert_eq!(
        (rep["activities_added"].as_u64(), rep["streams_fetched"].as_u64()),
        (Some(3), Some(3)),
        "{rep}"
    );
    assert_eq!(count(&state, "grant_type=refresh_token"), 1);
    assert!(
        count(&state, &format!("client_secret={SECRET}")) >= 2,
        "the stored client secret was used for the refresh"
    );

    // Two newer activities; the next sync asks only for what came after the cursor.
    for (i, day) in [4, 5].iter().enumerate() {
        state.lock().unwrap().activities.push(strava_activity(
            600 + i as i64,
            &format!("2024-06-{day:02}T07:00:00Z"),
            1800,
            "Ride",
        ));
    }
    let (o, _) = ok(&home, &url, &["strava", "sync", "--no-streams"], "");
    assert!(o.contains("2 activities seen, 2 added"), "{o}");
    let june3 = chrono::DateTime::parse_from_rfc3339("2024-06-03T07:00:00Z").unwrap().timestamp();
    assert_eq!(count(&state, &format!("after={june3}")), 1, "the cursor is the latest start seen");
    assert_eq!(
        count(&state, "grant_type=refresh_token"),
        1,
        "the refreshed token was stored and is still valid"
    );

    // Idempotent: nothing new, nothing added.
    let (o, _) = ok(&home, &url, &["strava", "sync"], "");
    assert!(o.contains("0 activities seen, 0 added"), "{o}");
    let (acts, _) = ok(&home, &url, &["--json", "activities"], "");
    assert_eq!(serde_json::from_str::<serde_json::Value>(&acts).unwrap().as_array().unwrap().len(), 5);

    // Sealed at rest: no token or secret anywhere under the home folder (db, WAL, ...).
    for f in files_under(&home) {
        let bytes = std::fs::read(&f).unwrap();
        for s in SECRETS {
            assert!(
                !bytes.windows(s.len()).any(|w| w == s.as_bytes()),
                "{s} in plaintext in {}",
                f.display()
            );
        }
    }
    shutdown(&url);
    server.join().unwrap();
}
