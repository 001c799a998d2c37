//! Issue 18: the relay logs (tracing, stderr, default `info`) a line per request and never
//! what was sent: a real relay process is driven with a sentinel in every field a client
//! fills (passcode, recipient, content type, bodies, op ids, bad JSON), and its log must show
//! the request lines but not the sentinel, nor a whole link id.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout, clippy::print_stderr)] // test code: a failed unwrap is a failed test, and it prints what it measured

mod common;

use common::process::spawn;
use common::{post_json, Signer};
use data_encoding::BASE64URL_NOPAD;
use serde_json::json;
use std::process::Stdio;

const SENTINEL: &str = "SENTINEL7f3a91";

#[test]
fn request_lines_are_logged_and_what_was_sent_is_not() {
    let logdir = tempfile::tempdir().unwrap();
    let logpath = logdir.path().join("relay.log");
    let log = std::fs::File::create(&logpath).unwrap();
    let relay = spawn(&[], &[("RUST_LOG", "info")], Stdio::from(log));
    let base = format!("http://{}", relay.addr);
    let owner = Signer::new();

    let jwe = phr_core::share::jwe::encrypt(&[5u8; 32], SENTINEL.as_bytes(), None).unwrap();
    let (s, v, _) = owner.call(
        &base,
        "POST",
        "/api/links",
        Some(json!({"files": [{"contentType": format!("application/{SENTINEL}"), "jwe": jwe}],
                    "flag": "P", "passcode": format!("{SENTINEL}-pass"), "maxAttempts": 3})),
    );
    assert_eq!(s, 201, "{v}");
    let id = v["id"].as_str().unwrap().to_string();
    let url = format!("{base}/shl/{id}");
    let recipient = format!("Dr {SENTINEL}");
    assert_eq!(post_json(&url, json!({"recipient": recipient, "passcode": "wrong"})).0, 401);
    let (s, m) = post_json(&url, json!({"recipient": recipient, "passcode": format!("{SENTINEL}-pass")}));
    assert_eq!(s, 200, "{m}");
    let reply = phr_core::share::jwe::encrypt(&[5u8; 32], SENTINEL.as_bytes(), None).unwrap();
    let reply_url = format!("{url}/reply");
    assert_eq!(
        post_json(
            &reply_url,
            json!({"recipient": recipient, "passcode": format!("{SENTINEL}-pass"), "jwe": reply})
        )
        .0,
        201
    );
    // Bad input carrying the sentinel: refused, and not echoed into the log.
    assert_eq!(post_json(&url, json!({"recipient": 5, "note": SENTINEL})).0, 400);
    let (s, _, _) = owner.call(
        &base,
        "POST",
        "/api/links",
        Some(json!({"files": [{"contentType": "x", "jwe": SENTINEL}]})),
    );
    assert_eq!(s, 400);
    // Sync: an op id and blob with the sentinel.
    let account = format!("acct-logs-{}", common::uuid_hex());
    let xkey = BASE64URL_NOPAD.encode(&[3u8; 32]);
    let dev = Signer::new();
    assert_eq!(
        dev.call(
            &base,
            "POST",
            &format!("/sync/{account}/devices"),
            Some(json!({"device": dev.id(), "xkey": xkey}))
        )
        .0,
        201
    );
    let (s, v, _) = dev.call(
        &base,
        "POST",
        &format!("/sync/{account}/ops"),
        Some(json!({"epoch": 0, "ops": [{"id": SENTINEL, "blob": BASE64URL_NOPAD.encode(SENTINEL.as_bytes())}]})),
    );
    assert_eq!(s, 200, "{v}");
    assert_eq!(dev.call(&base, "GET", &format!("/sync/{account}/ops?after=0"), None).0, 200);

    std::thread::sleep(std::time::Duration::from_millis(300));
    drop(relay);
    let text = std::fs::read_to_string(&logpath).unwrap();
    println!("{text}");
    assert!(text.contains("listening on"), "{text}");
    for line in
        ["method=POST path=/api/links status=201", "path=/shl/", "status=401", "status=200", "path=/sync/"]
    {
        assert!(text.contains(line), "no {line:?} in the log:\n{text}");
    }
    assert!(!text.contains(SENTINEL), "the sentinel reached the log:\n{text}");
    assert!(!text.contains(&id), "a whole link id reached the log:\n{text}");
    assert!(!text.contains(&account), "a whole account id reached the log:\n{text}");
}
