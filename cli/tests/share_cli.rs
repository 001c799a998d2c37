//! Issue 20 on the command line: a share with an employer or insurer shows what it would
//! reveal and why it may not be required, refuses shortcuts (`all`), and goes ahead only
//! with `--i-understand`; sensitive sections stay impossible; `--entries` shares single
//! entries instead of whole sections.
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
