//! Issue 20 on the command line: a share with an employer or insurer shows what it would
//! reveal and why it may not be required, refuses shortcuts (`all`), and goes ahead only
//! with `--i-understand`; sensitive sections stay impossible; `--entries` shares single
//! entries instead of whole sections; a reply to a question reaches the owner with its
//! text, and the owner answers it once; the emergency card's link follows medications and
//! allergies without being made again.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout, clippy::print_stderr)] // test code: a failed unwrap is a failed test

mod common;
use common::*;

#[test]
fn an_employer_share_previews_and_needs_i_understand() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    ok(h, &["init"]);
    ok(h, &["add", "medications", "name=Ramipril", "dose=5 mg"]);
    ok(h, &["add", "medications", "name=Metformin"]);
    let base = ["share", "create", "--to", "Leeds Bakery Ltd", "--category", "employer", "--purpose", "work"];
    fn with<'a>(base: &[&'a str], extra: &[&'a str]) -> Vec<&'a str> {
        base.iter().chain(extra).copied().collect()
    }

    // No confirmation and no terminal to ask on: the preview, then a refusal; nothing shared.
    let err = fails(h, &with(&base, &["--sections", "medications", "--relay", "http://127.0.0.1:9"]));
    assert!(err.contains("What they would see"), "{err}");
    assert!(err.contains("Medications: every entry (2 in all)"), "{err}");
    assert!(err.contains("Equality Act 2010"), "why they may not require it: {err}");
    assert!(err.contains("never see sensitive sections"), "{err}");
    assert!(err.contains("--i-understand"), "{err}");
    let list: serde_json::Value = serde_json::from_str(&ok(h, &["--json", "share", "list"])).unwrap();
    assert_eq!(list, serde_json::json!([]), "nothing was shared");

    // The fewest sections: no `all` shortcut, and a sensitive section never, confirmed or not.
    let err = fails(h, &with(&base, &["--sections", "all", "--i-understand"]));
    assert!(err.contains("one by one"), "{err}");
    ok(h, &["section", "enable", "stress"]);
    let err = fails(h, &with(&base, &["--sections", "stress", "--i-understand"]));
    assert!(err.contains("never be shared with an employer"), "{err}");

    // Confirmed, and only one chosen entry.
    let Some(relay) = relay() else { return };
    let added = ok(h, &["add", "vaccinations", "vaccine=Hepatitis B", "date=2024-03-01"]);
    let vid = added.split_whitespace().nth(1).unwrap().to_string();
    let mut args = vec!["--json"];
    args.extend(with(&base, &["--entries", &vid[..8], "--i-understand", "--relay", &relay.url]));
    let out = phr(h, &args);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("only the entries you chose (1 in all)"), "{err}");
    let made: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(made["sections"], serde_json::json!(["vaccinations"]));
}

#[test]
fn a_reply_is_shown_with_its_text_and_answered_once() {
    let Some(relay) = relay() else { return };
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    ok(h, &["init"]);
    ok(h, &["add", "medications", "name=Ramipril", "dose=5 mg"]);
    let made: serde_json::Value = serde_json::from_str(&ok(
        h,
        &[
            "--json",
            "share",
            "create",
            "--to",
            "Pharmacist Li",
            "--sections",
            "medications",
            "--purpose",
            "advice",
            "--message",
            "Is this dose right?",
            "--relay",
            &relay.url,
        ],
    ))
    .unwrap();
    let id = made["grant_id"].as_str().unwrap().to_string();
    let err = fails(h, &["share", "answer", &id[..8], "Thanks"]);
    assert!(err.contains("There is no reply to answer yet."), "{err}");

    // The recipient replies from the viewer: encrypted under the link's key.
    let link = phr_core::share::ShlPayload::parse(made["viewer_url"].as_str().unwrap()).unwrap();
    let key = link.key_bytes().unwrap();
    let body = br#"{"from":"Pharmacist Li","text":"Yes, keep to 5 mg."}"#;
    let jwe = phr_core::share::jwe::encrypt(&key, body, Some("application/json")).unwrap();
    let sent = reqwest::blocking::Client::new()
        .post(format!("{}/reply", link.url))
        .json(&serde_json::json!({"recipient": "Pharmacist Li", "jwe": jwe}))
        .send()
        .unwrap();
    assert_eq!(sent.status().as_u16(), 201);

    let synced = ok(h, &["share", "sync"]);
    assert!(synced.contains("Reply from Pharmacist Li") && synced.contains("Yes, keep to 5 mg."), "{synced}");
    let audit = ok(h, &["audit"]);
    assert!(audit.contains("Pharmacist Li") && audit.contains("reply: Yes, keep to 5 mg."), "{audit}");

    let done = ok(h, &["share", "answer", &id[..8], "Thank you, I will."]);
    assert!(done.contains("Answer sent"), "{done}");
    let err = fails(h, &["share", "answer", &id[..8], "One more thing"]);
    assert!(err.contains("You have already answered. You can answer once."), "{err}");
    let list = ok(h, &["share", "list"]);
    assert!(list.contains("Yes, keep to 5 mg.") && list.contains("Your answer"), "{list}");
    assert!(list.contains("Thank you, I will.") && !list.contains("One more thing"), "{list}");
    assert!(ok(h, &["audit"]).contains("answer: Thank you, I will."));
}

/// The manifest a viewer would fetch, each file decrypted with the link's key.
fn fetch_decrypted(viewer_url: &str) -> Vec<String> {
    let link = phr_core::share::ShlPayload::parse(viewer_url).unwrap();
    let key = link.key_bytes().unwrap();
    let m: serde_json::Value = reqwest::blocking::Client::new()
        .post(&link.url)
        .json(&serde_json::json!({"recipient": "Paramedic"}))
        .send()
        .unwrap()
        .json()
        .unwrap();
    m["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let plain = phr_core::share::jwe::decrypt(&key, f["embedded"].as_str().unwrap()).unwrap();
            String::from_utf8(plain).unwrap()
        })
        .collect()
}

/// Makes the emergency card (a long-term link sharing the emergency sections) on `relay_url`
/// and returns its viewer URL.
fn emergency_card(h: &std::path::Path, relay_url: &str) -> String {
    let made: serde_json::Value = serde_json::from_str(&ok(
        h,
        &[
            "--json",
            "share",
            "create",
            "--to",
            "Emergency care",
            "--sections",
            "emergency",
            "--purpose",
            "emergency",
            "--expires",
            "never",
            "--long-term",
            "--relay",
            relay_url,
        ],
    ))
    .unwrap();
    made["viewer_url"].as_str().unwrap().to_string()
}

#[test]
fn the_emergency_link_follows_medications_and_allergies() {
    let Some(relay) = relay() else { return };
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    ok(h, &["init"]);
    ok(h, &["add", "allergies", "substance=Penicillin", "severity=severe", "kind=allergy"]);
    let url = &emergency_card(h, &relay.url);
    assert!(!fetch_decrypted(url)[0].contains("Apixaban"));

    // A new medication: the same link now carries it, without `share update` or a new card.
    let out = phr(h, &["add", "medications", "name=Apixaban", "dose=5 mg"]);
    assert!(out.status.success());
    let note = String::from_utf8_lossy(&out.stderr);
    assert!(note.contains("emergency card's link now shows your latest changes"), "{note}");
    assert!(fetch_decrypted(url)[0].contains("Apixaban"));

    // Deleting the allergy takes it off the link too.
    let list: serde_json::Value = serde_json::from_str(&ok(h, &["--json", "list", "allergies"])).unwrap();
    let id = list.to_string();
    let id = id.split("\"id\":\"").nth(1).unwrap().split('"').next().unwrap().to_string();
    assert!(fetch_decrypted(url)[0].contains("Penicillin"));
    ok(h, &["delete", &id]);
    assert!(!fetch_decrypted(url)[0].contains("Penicillin"));

    // A write elsewhere leaves the link alone (and contacts no one).
    let out = phr(h, &["add", "conditions", "name=Asthma", "status=active"]);
    assert!(!String::from_utf8_lossy(&out.stderr).contains("emergency card"));
}

/// A medication added while the relay could not be reached: the card keeps what it showed,
/// the owner is told, and the next `phr share sync` sends it (then nothing is owed).
#[test]
fn an_emergency_card_update_missed_offline_is_sent_at_the_next_check() {
    let Some(mut relay) = relay() else { return };
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    ok(h, &["init"]);
    ok(h, &["add", "medications", "name=Ramipril", "dose=2.5 mg"]);
    let url = emergency_card(h, &relay.url);

    relay.down_while(|| {
        let out = phr(h, &["add", "medications", "name=Apixaban", "dose=5 mg"]);
        assert!(out.status.success(), "the write stands without the relay");
        let note = String::from_utf8_lossy(&out.stderr);
        assert!(note.contains("could not be updated") && note.contains("next `phr sync`"), "{note}");
        let list = ok(h, &["share", "list"]);
        assert!(list.contains("This link still shows an earlier version"), "{list}");
    });
    let before = fetch_decrypted(&url)[0].clone();
    assert!(
        before.contains("Ramipril") && !before.contains("Apixaban"),
        "the card still shows what it showed"
    );

    let out = phr(h, &["share", "sync"]);
    assert!(out.status.success());
    let note = String::from_utf8_lossy(&out.stderr);
    assert!(note.contains("emergency card's link now shows your latest changes"), "{note}");
    assert!(fetch_decrypted(&url)[0].contains("Apixaban"));
    assert!(!ok(h, &["share", "list"]).contains("earlier version"));

    // Nothing is owed any more: the next check leaves the card alone.
    let out = phr(h, &["--json", "share", "sync"]);
    assert!(!String::from_utf8_lossy(&out.stderr).contains("emergency card"));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["cards_updated"], 0);
    assert_eq!(report["cards_owed"], 0);
}

/// A recipient held back after wrong passcodes: `phr share list` says how many wrong tries
/// the relay saw and names the command; `phr share reset-tries` lets them in again.
#[test]
fn the_owner_lets_them_try_the_passcode_again() {
    let Some(relay) = relay() else { return };
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    ok(h, &["init"]);
    ok(h, &["add", "medications", "name=Ramipril", "dose=5 mg"]);
    let out = common::phr_env(
        h,
        &[
            "--json",
            "share",
            "create",
            "--to",
            "Dr Ng",
            "--sections",
            "medications",
            "--purpose",
            "care",
            "--passcode",
            "--relay",
            &relay.url,
        ],
        &[("PHR_SHARE_PASSCODE", "right-one")],
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let made: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let id = made["grant_id"].as_str().unwrap().to_string();
    let link = phr_core::share::ShlPayload::parse(made["viewer_url"].as_str().unwrap()).unwrap();
    let fetch = |passcode: &str| {
        reqwest::blocking::Client::new()
            .post(&link.url)
            .json(&serde_json::json!({"recipient": "Dr Ng", "passcode": passcode}))
            .send()
            .unwrap()
            .status()
            .as_u16()
    };
    let statuses: Vec<u16> = (0..6).map(|_| fetch("rihgt-one")).collect();
    assert_eq!(statuses, [401, 401, 401, 401, 401, 429], "five tries, then held back");
    assert_eq!(fetch("right-one"), 429);

    ok(h, &["share", "sync"]);
    let list = ok(h, &["share", "list"]);
    assert!(list.contains("Someone typed a wrong passcode 5 times. If it was Dr Ng"), "{list}");
    assert!(list.contains(&format!("phr share reset-tries {}", &id[..8])), "{list}");
    let done = ok(h, &["share", "reset-tries", &id[..8]]);
    assert!(done.contains("They can type the passcode again now."), "{done}");
    assert_eq!(fetch("right-one"), 200);
    assert!(ok(h, &["audit"]).contains("passcodetriesreset"));
    assert!(!ok(h, &["share", "list"]).contains("wrong passcode"), "the count starts again");
}
