//! The relay's behaviour, run against SQLite and (with PHR_TEST_PG) PostgreSQL: the same
//! suite for both backends.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout, clippy::print_stderr)] // test code: a failed unwrap is a failed test, and it prints what it measured

mod common;

use common::*;
use phr_core::consent::{AuditAction, GrantRequest, Recipient, RecipientCategory};
use phr_core::record::{EntryValue, Provenance};
use phr_core::share::relay::{signing_input, HttpRelay, RelayApi};
use phr_core::share::{self, jwe, ShareOptions};
use serde_json::json;

const SENTINEL: &str = "Zxqvorimab SENTINEL-7731";

fn med(record: &phr_core::Record) {
    let v = EntryValue::Medication {
        name: SENTINEL.into(),
        dose: Some("5 mg".into()),
        route: None,
        frequency: Some("daily".into()),
        start: None,
        stop: None,
        reason: None,
        code: None,
    };
    record.add_entry("medications", v, Provenance::User).unwrap();
}

fn req(sections: &[&str], purpose: &str, expiry_secs: Option<i64>) -> GrantRequest {
    GrantRequest {
        recipient: Recipient {
            name: "Dr Ada Okafor".into(),
            role: "GP".into(),
            category: RecipientCategory::HealthProfessional,
        },
        sections: sections.iter().map(|s| s.to_string()).collect(),
        purpose: purpose.into(),
        message: (purpose == "advice").then(|| "Is this dose still right for me?".into()),
        start: None,
        expiry: expiry_secs.map(|s| chrono::Utc::now() + chrono::Duration::seconds(s)),
        disclosure: Default::default(),
    }
}

macro_rules! both {
    ($($name:ident),* $(,)?) => {
        mod sqlite { $( #[test] fn $name() { if let Some(r) = super::start(super::Which::Sqlite) { super::$name(r) } } )* }
        mod postgres { $( #[test] fn $name() { if let Some(r) = super::start(super::Which::Postgres) { super::$name(r) } } )* }
    };
}

both!(
    replayed_requests_are_refused_across_instances,
    share_fetch_revoke_and_audit,
    owners_are_isolated_and_signatures_checked,
    passcode_attempts_lock_the_link,
    the_owner_lets_them_try_the_passcode_again,
    parallel_guesses_never_exceed_the_limit,
    expired_link_is_refused,
    advice_reply_reaches_the_record,
    long_files_are_served_by_location,
    tampered_ciphertext_is_refused,
    a_long_term_link_is_brought_up_to_date_in_place,
    every_concurrent_fetch_is_logged_in_order
);

/// The access log is written in batches off the request path (log_writer): 200 fetches from
/// 8 viewers at once are all there when the owner asks, each viewer's in the order it made them.
fn every_concurrent_fetch_is_logged_in_order(r: Running) {
    let rec = record(r.dir.path(), "a");
    med(&rec);
    let relay = HttpRelay::for_record(&rec, &r.base).unwrap();
    let out = share::create_share(
        &rec,
        req(&["medications"], "review", Some(3600)),
        ShareOptions::default(),
        &relay,
    )
    .unwrap();
    let viewers: Vec<_> = (0..8)
        .map(|v| {
            let url = out.payload.url.clone();
            std::thread::spawn(move || {
                for i in 0..25 {
                    let (s, m) = post_json(&url, json!({"recipient": format!("viewer {v} fetch {i:02}")}));
                    assert_eq!(s, 200, "{m}");
                }
            })
        })
        .collect();
    for v in viewers {
        v.join().unwrap();
    }
    let links = relay.list_links().unwrap();
    assert_eq!(links[0].fetches, 200, "every fetch counted");
    let log = relay.access_log(&links[0].id, 0).unwrap();
    assert_eq!(log.len(), 200);
    assert!(log.windows(2).all(|w| w[0].seq < w[1].seq));
    for v in 0..8 {
        let mine: Vec<&str> = log
            .iter()
            .filter(|e| e.recipient.starts_with(&format!("viewer {v} ")))
            .map(|e| e.recipient.as_str())
            .collect();
        let want: Vec<String> = (0..25).map(|i| format!("viewer {v} fetch {i:02}")).collect();
        assert_eq!(mine, want, "viewer {v}'s fetches in order");
    }
}

fn share_fetch_revoke_and_audit(r: Running) {
    let rec = record(r.dir.path(), "a");
    med(&rec);
    let relay = HttpRelay::for_record(&rec, &r.base).unwrap();
    let out = share::create_share(
        &rec,
        req(&["medications", "allergies"], "review my tablets", Some(3600)),
        ShareOptions { passcode: Some("4417".into()), ..Default::default() },
        &relay,
    )
    .unwrap();
    assert_eq!(out.payload.flag.as_deref(), Some("P"));
    assert!(out.payload.exp.is_some());

    let (s, m) = post_json(&out.payload.url, json!({"recipient": "Dr Okafor", "passcode": "4417"}));
    assert_eq!(s, 200, "{m}");
    let jwe_text = m["files"][0]["embedded"].as_str().unwrap();
    assert_eq!(m["files"][0]["contentType"], "application/fhir+json");
    let plain = jwe::decrypt(&out.payload.key_bytes().unwrap(), jwe_text).unwrap();
    assert!(String::from_utf8(plain).unwrap().contains(SENTINEL));

    // The relay never holds a record value, nor the key.
    let stored = storage_text(&r);
    let hay = String::from_utf8_lossy(&stored);
    assert!(!hay.contains("SENTINEL-7731") && !hay.contains("Zxqvorimab"), "record value on the relay");
    assert!(!hay.contains(out.payload.key.expose_secret().as_str()), "link key on the relay");
    assert!(!hay.contains("4417"), "passcode in clear on the relay");

    let links = relay.list_links().unwrap();
    assert_eq!(links.len(), 1);
    assert_eq!(links[0].fetches, 1);

    share::revoke_share(&rec, &out.grant.id, Some(&relay)).unwrap();
    let (s, m) = post_json(&out.payload.url, json!({"recipient": "Dr Okafor", "passcode": "4417"}));
    assert_eq!((s, m["error"].as_str()), (404, Some("revoked")));
    // Content is gone from storage.
    let stored = storage_text(&r);
    let ciphertext = jwe_text.split('.').nth(3).unwrap();
    assert!(
        !String::from_utf8_lossy(&stored).contains(&ciphertext[..40]),
        "revoked content still in storage"
    );

    let rep = share::sync_from_relay(&rec, &relay).unwrap();
    assert_eq!(rep.access_events, 2);
    let log = rec.audit_log().unwrap();
    let actions: Vec<_> = log.iter().map(|e| e.action.clone()).collect();
    assert!(actions.contains(&AuditAction::RemoteFetch));
    assert!(actions.contains(&AuditAction::RemoteRefused));
    assert!(log.iter().any(|e| e.action == AuditAction::RemoteFetch && e.actor == "Dr Okafor"));
    assert!(rec.verify_audit().unwrap().ok);
    // A second sync brings nothing new.
    assert_eq!(share::sync_from_relay(&rec, &relay).unwrap().access_events, 0);
}

fn signed(
    method: &str,
    url: &str,
    path: &str,
    key: &ring::signature::Ed25519KeyPair,
    claimed_owner: &str,
    time: i64,
) -> u16 {
    let sig = key.sign(&signing_input(method, path, time, b""));
    let c = reqwest::blocking::Client::new();
    let m = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
    c.request(m, url)
        .header("x-phr-owner", claimed_owner)
        .header("x-phr-time", time.to_string())
        .header("x-phr-sig", data_encoding::BASE64URL_NOPAD.encode(sig.as_ref()))
        .send()
        .unwrap()
        .status()
        .as_u16()
}

/// Sends a request signed at `time` exactly as given; (status, error code).
fn send_signed(
    base: &str,
    method: &str,
    path: &str,
    key: &ring::signature::Ed25519KeyPair,
    time: i64,
) -> (u16, String) {
    let owner = phr_core::share::relay::owner_id(key);
    let sig = key.sign(&signing_input(method, path, time, b""));
    let r = reqwest::blocking::Client::new()
        .request(reqwest::Method::from_bytes(method.as_bytes()).unwrap(), format!("{base}{path}"))
        .header("x-phr-owner", owner)
        .header("x-phr-time", time.to_string())
        .header("x-phr-sig", data_encoding::BASE64URL_NOPAD.encode(sig.as_ref()))
        .send()
        .unwrap();
    let status = r.status().as_u16();
    let body: serde_json::Value = r.json().unwrap_or_default();
    (status, body["error"].as_str().unwrap_or_default().to_string())
}

fn replayed_requests_are_refused_across_instances(r: Running) {
    let a = record(r.dir.path(), "a");
    med(&a);
    let ra = HttpRelay::for_record(&a, &r.base).unwrap();
    let out =
        share::create_share(&a, req(&["medications"], "care", None), ShareOptions::default(), &ra).unwrap();
    let id = out.grant.link.as_ref().unwrap().link_id.clone();
    let key = phr_core::share::relay::device_key(&a).unwrap();
    let now = chrono::Utc::now().timestamp_millis();
    // A second relay instance on the same storage (same SQLite file / same PostgreSQL).
    let second = start_on(r.backend.clone(), tempfile::tempdir().unwrap());

    assert_eq!(send_signed(&r.base, "GET", "/api/links", &key, now).0, 200);
    // The very same signed request again, inside the 5-minute window: to either instance.
    assert_eq!(send_signed(&r.base, "GET", "/api/links", &key, now), (401, "replayed_request".into()));
    assert_eq!(send_signed(&second.base, "GET", "/api/links", &key, now), (401, "replayed_request".into()));
    // A new request (another time) is fine, on the other instance too.
    assert_eq!(send_signed(&second.base, "GET", "/api/links", &key, now + 1).0, 200);
    // A captured revocation cannot be replayed either, and the link stays revoked once.
    let path = format!("/api/links/{id}");
    assert_eq!(send_signed(&second.base, "DELETE", &path, &key, now + 2).0, 204);
    assert_eq!(send_signed(&r.base, "DELETE", &path, &key, now + 2), (401, "replayed_request".into()));
    // The owner's own client never trips over it, however fast it sends.
    for _ in 0..20 {
        ra.list_links().unwrap();
    }
}

fn owners_are_isolated_and_signatures_checked(r: Running) {
    let a = record(r.dir.path(), "a");
    let b = record(r.dir.path(), "b");
    med(&a);
    let ra = HttpRelay::for_record(&a, &r.base).unwrap();
    let rb = HttpRelay::for_record(&b, &r.base).unwrap();
    let out =
        share::create_share(&a, req(&["medications"], "care", None), ShareOptions::default(), &ra).unwrap();
    let id = out.grant.link.as_ref().unwrap().link_id.clone();

    // Wrong owner: B sees nothing of A's, cannot read A's log or revoke A's link.
    assert!(rb.list_links().unwrap().is_empty());
    assert!(rb.access_log(&id, 0).is_err());
    assert!(rb.replies(&id, 0).is_err());
    assert!(!rb.revoke_link(&id).unwrap());
    assert_eq!(
        post_json(&out.payload.url, json!({"recipient": "x"})).0,
        200,
        "B's attempt must not have revoked A's link"
    );

    // Wrong device key: B signs while claiming to be A.
    let ka = phr_core::share::relay::device_key(&a).unwrap();
    let kb = phr_core::share::relay::device_key(&b).unwrap();
    let a_id = phr_core::share::relay::owner_id(&ka);
    let now = chrono::Utc::now().timestamp_millis();
    let path = format!("/api/links/{id}");
    assert_eq!(signed("DELETE", &format!("{}{path}", r.base), &path, &kb, &a_id, now), 401);
    assert_eq!(signed("GET", &format!("{}/api/links", r.base), "/api/links", &kb, &a_id, now), 401);
    // A signature for another path does not carry over.
    let sig = ka.sign(&signing_input("GET", "/api/links", now, b""));
    let st = reqwest::blocking::Client::new()
        .delete(format!("{}{path}", r.base))
        .header("x-phr-owner", &a_id)
        .header("x-phr-time", now.to_string())
        .header("x-phr-sig", data_encoding::BASE64URL_NOPAD.encode(sig.as_ref()))
        .send()
        .unwrap()
        .status();
    assert_eq!(st.as_u16(), 401);
    // A stale request (replayed after the window) is refused.
    assert_eq!(
        signed("GET", &format!("{}/api/links", r.base), "/api/links", &ka, &a_id, now - 10 * 60 * 1000),
        401
    );
    // No signature at all.
    assert_eq!(reqwest::blocking::get(format!("{}/api/links", r.base)).unwrap().status().as_u16(), 401);
    // The genuine owner still can.
    assert_eq!(signed("GET", &format!("{}/api/links", r.base), "/api/links", &ka, &a_id, now), 200);
    assert!(ra.revoke_link(&id).unwrap());
}

/// The recipient is held back after wrong passcodes and phones the owner: the owner's sharing
/// screen counts the wrong tries and offers "Let them try again"; after it, the same address
/// gets in with the right passcode, the audit log says so, and the count starts again.
fn the_owner_lets_them_try_the_passcode_again(r: Running) {
    use phr_core::app::screens::sharing_screen;
    let rec = record(r.dir.path(), "a");
    med(&rec);
    let relay = HttpRelay::for_record(&rec, &r.base).unwrap();
    let out = share::create_share(
        &rec,
        req(&["medications"], "care", Some(3600)),
        ShareOptions { passcode: Some("right-one".into()), max_attempts: Some(2), ..Default::default() },
        &relay,
    )
    .unwrap();
    let id = out.grant.id.clone();
    let url = &out.payload.url;
    let row = |rec: &phr_core::Record| {
        sharing_screen(rec, chrono::Utc::now()).unwrap().grants.into_iter().find(|g| g.id == id).unwrap()
    };
    assert!(!row(&rec).can_reset_passcode_tries, "nothing to reset yet");
    for _ in 0..3 {
        post_json(url, json!({"recipient": "Dr Ada Okafor", "passcode": "rihgt-one"}));
    }
    let (s, m) = post_json(url, json!({"recipient": "Dr Ada Okafor", "passcode": "right-one"}));
    assert_eq!((s, m["error"].as_str()), (429, Some("too_many_attempts")));

    share::sync_from_relay(&rec, &relay).unwrap();
    let held = row(&rec);
    assert_eq!(
        held.wrong_passcodes, 2,
        "the relay logs the wrong tries it checked, not those it refused unread"
    );
    assert!(held.can_reset_passcode_tries);
    assert!(held.wrong_passcodes_label.as_ref().unwrap().key == "share.wrong_passcodes");

    // Another owner's key cannot do it for them.
    let stranger = record(r.dir.path(), "b");
    let theirs = HttpRelay::for_record(&stranger, &r.base).unwrap();
    assert!(!theirs.reset_passcode_tries(&out.grant.link.as_ref().unwrap().link_id).unwrap());

    share::reset_passcode_tries(&rec, &id, &relay).unwrap();
    let (s, m) = post_json(url, json!({"recipient": "Dr Ada Okafor", "passcode": "right-one"}));
    assert_eq!(s, 200, "{m}");
    share::sync_from_relay(&rec, &relay).unwrap();
    let after = row(&rec);
    assert_eq!((after.wrong_passcodes, after.can_reset_passcode_tries), (0, false));
    assert!(after.wrong_passcodes_label.is_none());
    assert_eq!(after.openings, 1);
    assert!(rec
        .audit_log()
        .unwrap()
        .iter()
        .any(|e| e.action == AuditAction::PasscodeTriesReset && e.grant_id.as_deref() == Some(id.as_str())));

    // Not for a share that has ended.
    share::revoke_share(&rec, &id, Some(&relay)).unwrap();
    assert!(share::reset_passcode_tries(&rec, &id, &relay).is_err());
}

fn passcode_attempts_lock_the_link(r: Running) {
    let rec = record(r.dir.path(), "a");
    med(&rec);
    let relay = HttpRelay::for_record(&rec, &r.base).unwrap();
    let out = share::create_share(
        &rec,
        req(&["medications"], "care", None),
        ShareOptions { passcode: Some("right-one".into()), max_attempts: Some(3), ..Default::default() },
        &relay,
    )
    .unwrap();
    let url = &out.payload.url;
    let (s, m) = post_json(url, json!({"recipient": "x"}));
    assert_eq!(
        (s, m["error"].as_str()),
        (401, Some("passcode_required")),
        "a missing passcode is not a guess"
    );
    for left in [2, 1, 0] {
        let (s, m) = post_json(url, json!({"recipient": "x", "passcode": "wrong"}));
        assert_eq!(s, 401);
        assert_eq!(m["remainingAttempts"], left);
    }
    let (s, m) = post_json(url, json!({"recipient": "x", "passcode": "right-one"}));
    // This client now waits, even with the right passcode (another client does not: tests/lockout.rs).
    assert_eq!(
        (s, m["error"].as_str()),
        (429, Some("too_many_attempts")),
        "backed off even for the right passcode"
    );
    assert!(m["retryAfter"].as_i64().unwrap() > 0);
    // A right passcode before the limit does not use up an attempt.
    let out2 = share::create_share(
        &rec,
        req(&["medications"], "care", None),
        ShareOptions { passcode: Some("right-one".into()), max_attempts: Some(2), ..Default::default() },
        &relay,
    )
    .unwrap();
    for _ in 0..4 {
        assert_eq!(post_json(&out2.payload.url, json!({"recipient": "x", "passcode": "right-one"})).0, 200);
    }
    assert_eq!(
        post_json(&out2.payload.url, json!({"recipient": "x", "passcode": "nope"})).1["remainingAttempts"],
        1
    );
}

fn parallel_guesses_never_exceed_the_limit(r: Running) {
    let rec = record(r.dir.path(), "a");
    med(&rec);
    let relay = HttpRelay::for_record(&rec, &r.base).unwrap();
    let out = share::create_share(
        &rec,
        req(&["medications"], "care", None),
        ShareOptions { passcode: Some("0000-right".into()), max_attempts: Some(5), ..Default::default() },
        &relay,
    )
    .unwrap();
    let url = out.payload.url.clone();
    let handles: Vec<_> = (0..16)
        .map(|i| {
            let url = url.clone();
            std::thread::spawn(move || {
                post_json(&url, json!({"recipient": "guesser", "passcode": format!("guess-{i}")})).0
            })
        })
        .collect();
    let codes: Vec<u16> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    assert_eq!(codes.iter().filter(|c| **c == 401).count(), 5, "{codes:?}");
    assert_eq!(codes.iter().filter(|c| **c == 429).count(), 11, "{codes:?}");
}

fn expired_link_is_refused(r: Running) {
    let rec = record(r.dir.path(), "a");
    med(&rec);
    let relay = HttpRelay::for_record(&rec, &r.base).unwrap();
    let out =
        share::create_share(&rec, req(&["medications"], "care", Some(2)), ShareOptions::default(), &relay)
            .unwrap();
    assert_eq!(post_json(&out.payload.url, json!({"recipient": "x"})).0, 200);
    std::thread::sleep(std::time::Duration::from_millis(2600));
    let (s, m) = post_json(&out.payload.url, json!({"recipient": "x"}));
    assert_eq!((s, m["error"].as_str()), (404, Some("expired")));
    // The core's own check refuses too, and says so in the audit log.
    match phr_core::consent::check(&rec, &out.grant.id, chrono::Utc::now()).unwrap() {
        phr_core::consent::Decision::Denied(reason) => {
            assert_eq!(reason, phr_core::consent::DenyReason::Expired)
        }
        _ => panic!("expired grant allowed"),
    }
}

fn advice_reply_reaches_the_record(r: Running) {
    let rec = record(r.dir.path(), "a");
    med(&rec);
    let relay = HttpRelay::for_record(&rec, &r.base).unwrap();
    let out = share::create_share(
        &rec,
        req(&["medications"], "advice", Some(3600)),
        ShareOptions { passcode: Some("2580".into()), ..Default::default() },
        &relay,
    )
    .unwrap();
    let key = out.payload.key_bytes().unwrap();
    let (_, m) = post_json(&out.payload.url, json!({"recipient": "Pharmacist Li", "passcode": "2580"}));
    let bundle =
        String::from_utf8(jwe::decrypt(&key, m["files"][0]["embedded"].as_str().unwrap()).unwrap()).unwrap();
    assert!(bundle.contains("Is this dose still right for me?"));
    let reply = jwe::encrypt(
        &key,
        br#"{"from":"Pharmacist Li","text":"Yes, keep taking it in the morning."}"#,
        Some("application/json"),
    )
    .unwrap();
    // Nothing to answer before a reply came.
    let err = share::answer::answer_reply(&rec, &out.grant.id, "Thank you", &relay).unwrap_err();
    assert!(matches!(err, phr_core::Error::Invalid { field: "no_reply", .. }), "{err}");
    let url = format!("{}/reply", out.payload.url);
    assert_eq!(
        post_json(&url, json!({"recipient": "Pharmacist Li", "passcode": "bad", "jwe": reply})).0,
        401
    );
    assert_eq!(
        post_json(&url, json!({"recipient": "Pharmacist Li", "passcode": "2580", "jwe": reply})).0,
        201
    );
    // A reply not made with the link's key is dropped by the core.
    let forged = jwe::encrypt(&[9u8; 32], br#"{"text":"forged"}"#, None).unwrap();
    assert_eq!(post_json(&url, json!({"recipient": "someone", "passcode": "2580", "jwe": forged})).0, 201);
    let rep = share::sync_from_relay(&rec, &relay).unwrap();
    assert_eq!(rep.replies, 1);
    let g = rec.grant(&out.grant.id).unwrap().unwrap();
    assert_eq!(g.replies.len(), 1);
    assert_eq!(g.replies[0].text, "Yes, keep taking it in the morning.");
    // The audit log says who replied and what (it is sealed in the record).
    let log = rec.audit_log().unwrap();
    let got = log.iter().find(|e| e.action == AuditAction::ReplyReceived).unwrap();
    assert_eq!(got.actor, "Pharmacist Li");
    assert_eq!(got.detail, "reply: Yes, keep taking it in the morning.");
    assert!(!String::from_utf8_lossy(&storage_text(&r)).contains("keep taking"));
    let db = std::fs::read(r.dir.path().join("a").join("record.phr")).unwrap();
    assert!(!String::from_utf8_lossy(&db).contains("keep taking"), "reply text in clear in the record file");

    // The owner answers once: published to the link under its key, refused a second time.
    let g = share::answer::answer_reply(&rec, &out.grant.id, "  Thank you, I will.  ", &relay).unwrap();
    assert_eq!(g.answer.as_ref().unwrap().text, "Thank you, I will.");
    assert_eq!(g.answer.as_ref().unwrap().to.from, "Pharmacist Li");
    let err = share::answer::answer_reply(&rec, &out.grant.id, "And again", &relay).unwrap_err();
    assert!(matches!(err, phr_core::Error::Invalid { field: "already_answered", .. }), "{err}");
    assert!(rec.audit_log().unwrap().iter().any(|e| e.action == AuditAction::AnswerSent
        && e.actor == "Dr Ada Okafor"
        && e.detail == "answer: Thank you, I will."));
    let answer_in = |m: &serde_json::Value| {
        let files = m["files"].as_array().unwrap();
        assert_eq!(files.len(), 2, "the record and the answer");
        let c: serde_json::Value =
            serde_json::from_slice(&jwe::decrypt(&key, files[1]["embedded"].as_str().unwrap()).unwrap())
                .unwrap();
        assert_eq!(c["resourceType"], "Communication");
        assert_eq!(c["inResponseTo"][0]["reference"], "#reply");
        assert_eq!(c["contained"][0]["payload"][0]["contentString"], "Yes, keep taking it in the morning.");
        c["payload"][0]["contentString"].as_str().unwrap().to_string()
    };
    let (s, m) = post_json(&out.payload.url, json!({"recipient": "Pharmacist Li", "passcode": "2580"}));
    assert_eq!(s, 200);
    assert_eq!(answer_in(&m), "Thank you, I will.");
    assert!(!String::from_utf8_lossy(&storage_text(&r)).contains("I will"), "answer in clear on the relay");
    // Bringing the link up to date keeps the answer.
    share::update_share(&rec, &out.grant.id, &relay).unwrap();
    let (_, m) = post_json(&out.payload.url, json!({"recipient": "Pharmacist Li", "passcode": "2580"}));
    assert_eq!(answer_in(&m), "Thank you, I will.");
    // Only a request for advice can be answered.
    let care =
        share::create_share(&rec, req(&["medications"], "care", Some(3600)), ShareOptions::default(), &relay)
            .unwrap();
    let err = share::answer::answer_reply(&rec, &care.grant.id, "Hello", &relay).unwrap_err();
    assert!(matches!(err, phr_core::Error::Invalid { field: "answer", .. }), "{err}");
}

fn long_files_are_served_by_location(r: Running) {
    let rec = record(r.dir.path(), "a");
    med(&rec);
    let relay = HttpRelay::for_record(&rec, &r.base).unwrap();
    let out = share::create_share(&rec, req(&["medications"], "care", None), ShareOptions::default(), &relay)
        .unwrap();
    let (s, m) = post_json(&out.payload.url, json!({"recipient": "x", "embeddedLengthMax": 10}));
    assert_eq!(s, 200);
    assert!(m["files"][0].get("embedded").is_none());
    let loc = m["files"][0]["location"].as_str().unwrap();
    let resp = reqwest::blocking::get(loc).unwrap();
    assert_eq!(resp.headers()["content-type"], "application/jose");
    let body = resp.text().unwrap();
    assert!(String::from_utf8(jwe::decrypt(&out.payload.key_bytes().unwrap(), &body).unwrap())
        .unwrap()
        .contains(SENTINEL));
    // A forged ticket does not open it.
    let forged = format!("{}x", loc);
    assert_eq!(reqwest::blocking::get(forged).unwrap().status().as_u16(), 404);
}

fn tampered_ciphertext_is_refused(r: Running) {
    let rec = record(r.dir.path(), "a");
    med(&rec);
    let relay = HttpRelay::for_record(&rec, &r.base).unwrap();
    let out = share::create_share(&rec, req(&["medications"], "care", None), ShareOptions::default(), &relay)
        .unwrap();
    let (_, m) = post_json(&out.payload.url, json!({"recipient": "x"}));
    let j = m["files"][0]["embedded"].as_str().unwrap().to_string();
    let key = out.payload.key_bytes().unwrap();
    let parts: Vec<&str> = j.split('.').collect();
    let mut ct = parts[3].as_bytes().to_vec();
    ct[5] = if ct[5] == b'A' { b'B' } else { b'A' };
    let tampered = format!("{}..{}.{}.{}", parts[0], parts[2], String::from_utf8(ct).unwrap(), parts[4]);
    assert!(jwe::decrypt(&key, &tampered).is_err());
    let other_header = format!(
        "{}..{}.{}.{}",
        data_encoding::BASE64URL_NOPAD.encode(br#"{"alg":"dir","enc":"A256GCM"}"#),
        parts[2],
        parts[3],
        parts[4]
    );
    assert!(jwe::decrypt(&key, &other_header).is_err(), "the header is authenticated");
}

/// The emergency card: a long-term link keeps its URL, key and passcode while its content
/// follows the record; only its owner can replace it, and not once it is revoked.
fn a_long_term_link_is_brought_up_to_date_in_place(r: Running) {
    let rec = record(r.dir.path(), "a");
    let other = record(r.dir.path(), "b");
    med(&rec);
    let relay = HttpRelay::for_record(&rec, &r.base).unwrap();
    let out = share::create_share(
        &rec,
        req(&["medications", "allergies"], "emergency card", None),
        ShareOptions { passcode: Some("2468".into()), long_term: true, ..Default::default() },
        &relay,
    )
    .unwrap();
    assert_eq!(out.payload.flag.as_deref(), Some("LP"));
    let open = || {
        let (s, m) = post_json(&out.payload.url, json!({"recipient": "A&E", "passcode": "2468"}));
        assert_eq!(s, 200, "{m}");
        String::from_utf8(
            jwe::decrypt(&out.payload.key_bytes().unwrap(), m["files"][0]["embedded"].as_str().unwrap())
                .unwrap(),
        )
        .unwrap()
    };
    let before = open();
    assert!(before.contains(SENTINEL) && !before.contains("Latex"));

    let allergy = EntryValue::Allergy {
        substance: "Latex".into(),
        reaction: Some("hives".into()),
        severity: Some(phr_core::record::Severity::Severe),
        kind: phr_core::record::AllergyKind::Allergy,
        status: Default::default(),
        code: None,
    };
    rec.add_entry("allergies", allergy, Provenance::User).unwrap();
    let updated = share::update_share(&rec, &out.grant.id, &relay).unwrap();
    assert_eq!(updated.shlink, out.shlink, "same link, same QR code");
    let after = open();
    assert!(after.contains(SENTINEL) && after.contains("Latex"), "the new allergy is on the card");
    let stored = String::from_utf8_lossy(&storage_text(&r)).to_string();
    assert!(
        !stored.contains("Latex") && !stored.contains("Zxqvorimab"),
        "the relay still holds ciphertext only"
    );

    // Another owner cannot replace it (it looks like no link at all).
    let theirs = HttpRelay::for_record(&other, &r.base).unwrap();
    let jwe_text = jwe::encrypt(&[9u8; 32], b"{}", Some(share::FHIR_JSON)).unwrap();
    let forged = [phr_core::share::relay::NewFile { content_type: share::FHIR_JSON.into(), jwe: jwe_text }];
    assert!(!theirs.replace_files(&updated.grant.link.as_ref().unwrap().link_id, &forged).unwrap());
    assert!(open().contains("Latex"), "unchanged by the forged update");
    // The relay takes only compact JWEs (it checks the shape, never the content).
    let link_id = updated.grant.link.as_ref().unwrap().link_id.clone();
    let plain = [phr_core::share::relay::NewFile {
        content_type: share::FHIR_JSON.into(),
        jwe: "{\"not\": \"encrypted\"}".into(),
    }];
    assert!(relay.replace_files(&link_id, &plain).is_err(), "400 files_must_be_compact_jwe");
    assert!(relay.replace_files(&link_id, &[]).is_err(), "a link needs a file");
    assert!(open().contains("Latex"), "unchanged by the refused updates");

    // A section made private since the grant leaves the card at the next update.
    rec.set_section_privacy("allergies", phr_core::record::PrivacyLevel::Private).unwrap();
    share::update_share(&rec, &out.grant.id, &relay).unwrap();
    let private = open();
    assert!(private.contains(SENTINEL) && !private.contains("Latex"), "private sections are never shared");

    share::revoke_share(&rec, &out.grant.id, Some(&relay)).unwrap();
    assert!(share::update_share(&rec, &out.grant.id, &relay).is_err(), "a revoked link is not brought back");
    assert_eq!(post_json(&out.payload.url, json!({"recipient": "A&E", "passcode": "2468"})).0, 404);
}
