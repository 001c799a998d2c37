//! Issue 18, open hosting: a real JWE shape check, a storage quota per owner key and per
//! sync account, and a request rate per key; on SQLite and (with PHR_TEST_PG) PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout, clippy::print_stderr)] // test code: a failed unwrap is a failed test, and it prints what it measured

mod common;

use common::{start_opts, Signer, Which};
use data_encoding::BASE64URL_NOPAD;
use phr_core::share::jwe;
use phr_relay::Options;
use serde_json::json;

fn real_jwe(bytes: usize) -> String {
    jwe::encrypt(&[5u8; 32], &vec![b'x'; bytes], Some("application/fhir+json")).unwrap()
}

fn link(files: &[String]) -> serde_json::Value {
    json!({"files": files.iter().map(|j| json!({"contentType": "application/fhir+json", "jwe": j})).collect::<Vec<_>>(), "flag": ""})
}

fn jwe_shape_is_checked(which: Which) {
    let Some(r) = start_opts(which, Options::default()) else { return };
    let me = Signer::new();
    for bad in ["a.b.c.d.", "....", "a.b.c.d.e"] {
        let (s, v, _) = me.call(&r.base, "POST", "/api/links", Some(link(&[bad.to_string()])));
        assert_eq!((s, v["error"].as_str()), (400, Some("files_must_be_compact_jwe")), "{bad}");
    }
    // The right header but no ciphertext, or a tag of the wrong length.
    let good = real_jwe(10);
    let parts: Vec<&str> = good.split('.').collect();
    for bad in [
        format!("{}..{}..{}", parts[0], parts[2], parts[4]),
        format!("{}..{}.{}.{}", parts[0], parts[2], parts[3], BASE64URL_NOPAD.encode(&[1u8; 8])),
    ] {
        assert_eq!(me.call(&r.base, "POST", "/api/links", Some(link(&[bad]))).0, 400);
    }
    assert_eq!(me.call(&r.base, "POST", "/api/links", Some(link(&[good]))).0, 201);
}

fn link_quota_per_owner(which: Which) {
    let opts = Options { link_quota: Some(1024 * 1024), ..Default::default() };
    let Some(r) = start_opts(which, opts) else { return };
    let (me, other) = (Signer::new(), Signer::new());
    let file = real_jwe(300 * 1024);
    let mut ids = Vec::new();
    for _ in 0..2 {
        let (s, v, _) = me.call(&r.base, "POST", "/api/links", Some(link(std::slice::from_ref(&file))));
        assert_eq!(s, 201, "{v}");
        ids.push(v["id"].as_str().unwrap().to_string());
    }
    let (s, v, _) = me.call(&r.base, "POST", "/api/links", Some(link(std::slice::from_ref(&file))));
    assert_eq!((s, v["error"].as_str()), (413, Some("quota_exceeded")), "{v}");
    assert_eq!(v["quota"], 1024 * 1024);
    assert!(v["used"].as_u64().unwrap() > 2 * 300 * 1024);
    // Another key has its own quota.
    assert_eq!(other.call(&r.base, "POST", "/api/links", Some(link(std::slice::from_ref(&file)))).0, 201);
    // Replacing a link's files counts the new files instead of the old ones.
    let path = format!("/api/links/{}/files", ids[0]);
    assert_eq!(
        me.call(
            &r.base,
            "PUT",
            &path,
            Some(json!({"files": [{"contentType": "application/fhir+json", "jwe": real_jwe(350 * 1024)}]}))
        )
        .0,
        204
    );
    // Revoking frees the room.
    assert_eq!(me.call(&r.base, "DELETE", &format!("/api/links/{}", ids[1]), None).0, 204);
    assert_eq!(me.call(&r.base, "POST", "/api/links", Some(link(&[file]))).0, 201);
}

fn sync_quota_per_account(which: Which) {
    let opts = Options { sync_quota: Some(64 * 1024), ..Default::default() };
    let Some(r) = start_opts(which, opts) else { return };
    let dev = Signer::new();
    let account = format!("acct-quota-{}", common::uuid_hex());
    let xkey = BASE64URL_NOPAD.encode(&[3u8; 32]);
    let (s, v, _) = dev.call(
        &r.base,
        "POST",
        &format!("/sync/{account}/devices"),
        Some(json!({"device": dev.id(), "xkey": xkey})),
    );
    assert_eq!(s, 201, "{v}");
    let blob = |n: usize| BASE64URL_NOPAD.encode(&vec![7u8; n]);
    let ops = format!("/sync/{account}/ops");
    let (s, v, _) = dev.call(
        &r.base,
        "POST",
        &ops,
        Some(json!({"epoch": 0, "ops": [{"id": "a", "blob": blob(40 * 1024)}]})),
    );
    assert_eq!(s, 200, "{v}");
    let (s, v, _) = dev.call(
        &r.base,
        "POST",
        &ops,
        Some(json!({"epoch": 0, "ops": [{"id": "b", "blob": blob(40 * 1024)}]})),
    );
    assert_eq!((s, v["error"].as_str()), (413, Some("quota_exceeded")), "{v}");
    // A snapshot is measured on its own, so a full account can still compact.
    let snap = format!("/sync/{account}/snapshot");
    let (s, v, _) =
        dev.call(&r.base, "PUT", &snap, Some(json!({"upto": 1, "epoch": 0, "blob": blob(50 * 1024)})));
    assert_eq!(s, 200, "{v}");
    let (s, v, _) =
        dev.call(&r.base, "PUT", &snap, Some(json!({"upto": 1, "epoch": 0, "blob": blob(70 * 1024)})));
    assert_eq!((s, v["error"].as_str()), (413, Some("quota_exceeded")), "{v}");
}

fn rate_per_key(which: Which) {
    let opts = Options { rate_per_minute: Some(60), rate_burst: Some(5), ..Default::default() };
    let Some(r) = start_opts(which, opts) else { return };
    let (me, other) = (Signer::new(), Signer::new());
    for _ in 0..5 {
        assert_eq!(me.call(&r.base, "GET", "/api/links", None).0, 200);
    }
    let (s, v, retry) = me.call(&r.base, "GET", "/api/links", None);
    assert_eq!((s, v["error"].as_str()), (429, Some("rate_limited")));
    assert_eq!(retry.as_deref(), Some("1"));
    assert_eq!(other.call(&r.base, "GET", "/api/links", None).0, 200, "another key is not slowed");
    std::thread::sleep(std::time::Duration::from_millis(1100));
    assert_eq!(me.call(&r.base, "GET", "/api/links", None).0, 200, "the bucket refills");
}

macro_rules! both {
    ($($f:ident),*) => {
        mod sqlite { $(#[test] fn $f() { super::$f(super::Which::Sqlite) })* }
        mod postgres { $(#[test] fn $f() { super::$f(super::Which::Postgres) })* }
    };
}
both!(jwe_shape_is_checked, link_quota_per_owner, sync_quota_per_account, rate_per_key);
