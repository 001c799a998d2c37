//! The `phr` binary end to end: the demo, the sentinel scan, and bad input that must
//! give a clear error and change nothing.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout, clippy::print_stderr)] // test code: a failed unwrap is a failed test, and it prints what it measured

mod common;
use common::*;
use std::path::{Path, PathBuf};
use std::process::Command;

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(files_under(&p));
        } else {
            out.push(p);
        }
    }
    out
}

fn strings(v: &serde_json::Value, out: &mut Vec<String>) {
    match v {
        serde_json::Value::String(s) => out.push(s.clone()),
        serde_json::Value::Array(a) => a.iter().for_each(|x| strings(x, out)),
        serde_json::Value::Object(o) => o.values().for_each(|x| strings(x, out)),
        _ => {}
    }
}

fn is_uuid(s: &str) -> bool {
    uuid::Uuid::parse_str(s.strip_prefix("custom:").unwrap_or(s)).is_ok()
}

fn db_hash(home: &Path) -> Vec<u8> {
    std::fs::read(home.join("record.phr")).unwrap()
}

/// The issue's sentinel scan: after `demo` and `export --json`, no string value of the
/// export (names, medications, notes...) appears in any file under the home folder,
/// including the WAL and an encrypted backup.
#[test]
fn sentinel_no_exported_string_appears_on_disk() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    ok(h, &["demo"]);
    // Also write values through every kind of path: custom section, annotation, edit.
    ok(h, &["section", "create", "Sentinel diary", "--field", "mood:text!"]);
    ok(h, &["add", "sentinel diary", "mood=SENTINEL-CUSTOM-FIELD-7f3a"]);
    let added = ok(h, &["add", "medications", "name=SENTINEL-MEDICATION-91bc", "dose=SENTINEL-DOSE-11"]);
    let id = added.split_whitespace().nth(1).unwrap().to_string();
    ok(h, &["annotate", &id, "--note", "SENTINEL-ANNOTATION-5e2d"]);
    ok(h, &["edit", &id, "dose=SENTINEL-DOSE-22"]);
    ok(h, &["backup", h.join("backup.phrbackup").to_str().unwrap()]);

    let export: serde_json::Value = serde_json::from_str(&ok(h, &["export"])).unwrap();
    let mut all = Vec::new();
    strings(&export, &mut all);
    // Skip: random ids (plaintext by design), enum tags and units shorter than 6 bytes
    // (could match by chance in ciphertext), and timestamps (stored as integers).
    let needles: Vec<String> = all
        .into_iter()
        .filter(|s| s.len() >= 6 && !is_uuid(s) && chrono::DateTime::parse_from_rfc3339(s).is_err())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    for must in [
        "Margaret",
        "Okafor",
        "Ramipril",
        "Penicillin",
        "SENTINEL-CUSTOM-FIELD-7f3a",
        "SENTINEL-ANNOTATION-5e2d",
        "SENTINEL-DOSE-11",
        "Sentinel diary",
    ] {
        assert!(
            needles.iter().any(|n| n.contains(must)),
            "the export lacks {must}: the scan would prove nothing"
        );
    }
    let files = files_under(h);
    assert!(files.iter().any(|f| f.ends_with("backup.phrbackup")));
    assert!(files.iter().any(|f| f.ends_with("record.phr")));
    let mut scanned = 0usize;
    for f in &files {
        let bytes = std::fs::read(f).unwrap();
        scanned += bytes.len();
        let lower = bytes.to_ascii_lowercase();
        for n in &needles {
            let found = bytes.windows(n.len()).any(|w| w == n.as_bytes())
                || lower.windows(n.len()).any(|w| w == n.to_ascii_lowercase().as_bytes());
            assert!(!found, "{n:?} found in plaintext in {}", f.display());
        }
    }
    println!("sentinel scan: {} strings x {} files ({scanned} bytes): no hits", needles.len(), files.len());
}

#[test]
fn demo_without_home_uses_a_fresh_temp_folder() {
    let out = Command::new(env!("CARGO_BIN_EXE_phr"))
        .arg("demo")
        .env_remove("PHR_HOME")
        .env_remove("PHR_PASSPHRASE")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("Penicillin") && text.contains("Ramipril") && text.contains("Last 30 days"),
        "{text}"
    );
    let dir = text.lines().find_map(|l| l.strip_prefix("The demo record is in ")).unwrap();
    assert!(Path::new(dir).join("record.phr").is_file());
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn everyday_commands_work() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    ok(h, &["init"]);
    let sections = ok(h, &["section", "list"]);
    assert!(sections.contains("medications") && sections.contains("off"));
    ok(h, &["section", "enable", "weight"]);
    ok(h, &["section", "privacy", "weight", "private"]);
    let js: serde_json::Value = serde_json::from_str(&ok(h, &["--json", "section", "list"])).unwrap();
    let weight = js.as_array().unwrap().iter().find(|s| s["id"] == "weight").unwrap();
    assert_eq!((weight["enabled"].as_bool(), weight["privacy"].as_str()), (Some(true), Some("private")));

    ok(
        h,
        &[
            "add",
            "identity",
            "given_name=Sam",
            "family_name=Lee",
            "nhs_number=943 476 5919",
            "date_of_birth=1999-02-03",
        ],
    );
    let added: serde_json::Value = serde_json::from_str(&ok(
        h,
        &[
            "--json",
            "add",
            "allergies",
            "--json-value",
            r#"{"type":"allergy","substance":"Peanuts","severity":"severe","kind":"allergy"}"#,
        ],
    ))
    .unwrap();
    let id = added["id"].as_str().unwrap();
    ok(h, &["edit", id, "reaction=anaphylaxis"]);
    let shown = ok(h, &["show", id]);
    assert!(shown.contains("anaphylaxis") && shown.contains("was until"), "{shown}");
    ok(h, &["delete", id]);
    assert!(!ok(h, &["list", "allergies"]).contains("Peanuts"));
    assert!(ok(h, &["list", "allergies", "--all"]).contains("Peanuts"));
    ok(h, &["undo", id]);
    assert!(ok(h, &["list", "allergies"]).contains("Peanuts"));

    ok(h, &["sample", "add", "weight", "11", "--unit", "st", "--at", "2026-11-01"]);
    let again = ok(h, &["sample", "add", "weight", "11", "--unit", "st", "--at", "2026-11-01"]);
    assert!(again.contains("1 already there"), "{again}");
    let daily = ok(h, &["sample", "list", "weight", "--from", "2026-10-30", "--to", "2026-11-02", "--daily"]);
    assert!(daily.contains("2026-11-01") && daily.contains("69.9"), "{daily}");
}

#[test]
fn bad_input_gives_a_clear_error_and_changes_nothing() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    ok(h, &["demo"]);
    let before = db_hash(h);

    let e = fails(h, &["add", "identity", "given_name=A", "family_name=B", "nhs_number=943 476 5918"]);
    assert!(e.contains("check digit"), "{e}");
    assert!(
        !e.contains("943 476 5918") && !e.contains("9434765918"),
        "the error must not echo the NHS number: {e}"
    );

    let e = fails(h, &["add", "no-such-section", "text=x"]);
    assert!(e.contains("no section called") && e.contains("medications"), "{e}");
    let e = fails(h, &["add", "blood_group", "group=Q+"]);
    assert!(e.contains("blood group"), "{e}");
    let e = fails(h, &["add", "medications", "dose=5mg"]);
    assert!(e.contains("name"), "{e}");
    let e = fails(h, &["sample", "add", "weight", "80", "--unit", "mmHg"]);
    assert!(e.contains("not a unit"), "{e}");
    let e = fails(h, &["show", "not-an-id"]);
    assert!(e.contains("entry not found"), "{e}");

    let out = Command::new(env!("CARGO_BIN_EXE_phr"))
        .arg("--home")
        .arg(h)
        .args(["list"])
        .env("PHR_PASSPHRASE", "the wrong passphrase")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("does not unlock"));
    assert!(before == db_hash(h), "a failed command changed the database");

    // A truncated backup: clear error naming the position; the target stays empty.
    let backup = h.join("b.phrbackup");
    ok(h, &["backup", backup.to_str().unwrap()]);
    let bytes = std::fs::read(&backup).unwrap();
    std::fs::write(&backup, &bytes[..bytes.len() / 2]).unwrap();
    let target = tempfile::tempdir().unwrap();
    let e = fails(target.path(), &["restore", backup.to_str().unwrap()]);
    assert!(e.contains("damaged or truncated at byte"), "{e}");
    assert!(files_under(target.path()).is_empty());

    // A corrupt database file.
    let broken = tempfile::tempdir().unwrap();
    std::fs::write(broken.path().join("record.phr"), vec![0x5a; 8192]).unwrap();
    let e = fails(broken.path(), &["list"]);
    assert!(e.contains("damaged"), "{e}");
    assert!(std::fs::read(broken.path().join("record.phr")).unwrap() == vec![0x5a; 8192]);
}

#[test]
fn a_reader_that_stops_early_gets_no_panic() {
    // `phr export | head -1`: the pipe closes after the first line; phr must stop quietly.
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    ok(h, &["demo"]);
    let mut child = Command::new(env!("CARGO_BIN_EXE_phr"))
        .arg("--home")
        .arg(h)
        .arg("export")
        .env("PHR_PASSPHRASE", PASS)
        .env_remove("PHR_HOME")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut first = [0u8; 1];
    std::io::Read::read_exact(&mut stdout, &mut first).unwrap();
    drop(stdout); // the reader goes away, like `head -1`
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("panicked"), "phr export panicked on a closed pipe: {err}");
    assert!(out.status.success(), "phr export on a closed pipe: {:?} {err}", out.status);
}

#[test]
fn insights_off_help_lists_every_category() {
    let home = tempfile::tempdir().unwrap();
    let help = ok(home.path(), &["insights", "off", "--help"]);
    for slug in [
        "blood-pressure",
        "bmi",
        "weight-change",
        "activity",
        "alcohol",
        "vaccinations",
        "medications",
        "fitness",
        "sleep",
        "test-results",
        "wellbeing",
        "alerts",
        "suggestions",
        "signposts",
        "fitness-summary",
        "leeds-services",
    ] {
        assert!(help.contains(slug), "`phr insights off --help` does not list {slug}:\n{help}");
    }
    // Each listed name is accepted.
    ok(home.path(), &["init"]);
    ok(home.path(), &["insights", "off", "test-results"]);
    ok(home.path(), &["insights", "on", "test-results"]);
}

#[test]
fn every_sections_form_example_is_added_through_phr_add() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    ok(h, &["init"]);
    ok(h, &["section", "create", "Migraine diary", "--field", "pain:number", "--field", "when:date"]);
    let sections: serde_json::Value = serde_json::from_str(&ok(h, &["--json", "section", "list"])).unwrap();
    let mut added = 0;
    for s in sections.as_array().unwrap() {
        let id = s["id"].as_str().unwrap();
        if s["enabled"] == false {
            ok(h, &["section", "enable", id]);
        }
        let spec: serde_json::Value = serde_json::from_str(&ok(h, &["--json", "form", id])).unwrap();
        let fields = spec["fields"].as_array().unwrap();
        assert!(!fields.is_empty(), "{id}");
        let mut args = vec!["--json".to_string(), "add".to_string(), id.to_string()];
        for f in fields {
            let ex = f["example"].as_str().unwrap();
            if !ex.is_empty() {
                args.push(format!("{}={ex}", f["id"].as_str().unwrap()));
            }
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let e: serde_json::Value = serde_json::from_str(&ok(h, &args)).unwrap();
        assert_eq!(e["value"]["type"], spec["entry_type"], "{id}");
        added += 1;
    }
    assert_eq!(added, 28);
    let human = ok(h, &["form", "medications"]);
    assert!(human.contains("required") && human.contains("Metformin"), "{human}");
    let e = fails(h, &["add", "medications", "name=X", "dosage=5 mg"]);
    assert!(e.contains("Did you mean `dose`?"), "{e}");
}
