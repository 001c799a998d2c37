//! Issue 14: a resident's first hour with `phr`. Short IDs, passphrase change and
//! recovery, errors that name the field and the accepted form, import exit codes, help
//! that tells the truth, where QR codes go, and the README's walk run as written.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout, clippy::print_stderr)] // test code: a failed unwrap is a failed test

use std::path::Path;
use std::process::{Command, Output};

const PASS: &str = "a test passphrase for the cli";

fn phr_env(home: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_phr"));
    c.arg("--home").arg(home).args(args).env("PHR_PASSPHRASE", PASS).env_remove("PHR_HOME");
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().unwrap()
}

fn phr(home: &Path, args: &[&str]) -> Output {
    phr_env(home, args, &[])
}

fn ok(home: &Path, args: &[&str]) -> String {
    let out = phr(home, args);
    assert!(out.status.success(), "phr {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

fn fails(home: &Path, args: &[&str]) -> String {
    let out = phr(home, args);
    assert!(!out.status.success(), "phr {args:?} should fail");
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(!err.contains("panicked"), "phr {args:?} panicked: {err}");
    err
}

fn init(home: &Path) {
    ok(home, &["init"]);
}

/// The full ID `phr add` prints ("Added: <id>  ...").
fn added_id(out: &str) -> String {
    out.split_whitespace().nth(1).unwrap().to_string()
}

#[test]
fn the_eight_character_ids_of_phr_list_work_everywhere_an_id_is_taken() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    init(h);
    let id = added_id(&ok(h, &["add", "medications", "name=Ramipril", "dose=5 mg"]));
    let short = &id[..8];
    assert!(ok(h, &["list", "medications"]).contains(short));
    assert!(ok(h, &["show", short]).contains("Ramipril"));
    assert!(ok(h, &["edit", short, "dose=10 mg"]).contains("10 mg"));
    ok(h, &["annotate", short, "--note", "taken in the morning"]);
    assert!(ok(h, &["hide", short]).contains("hidden"));
    ok(h, &["unhide", short]);
    assert!(ok(h, &["delete", short]).contains("deleted"));
    ok(h, &["undo", &id[..6]]);
    ok(h, &["delete", short]);
    ok(h, &["purge", short]);
    assert!(fails(h, &["show", short]).contains("not found"));
    // Too short to be safe: says how many characters it needs.
    let other = added_id(&ok(h, &["add", "medications", "name=Aspirin"]));
    assert!(fails(h, &["show", &other[..4]]).contains("at least 6"));
}

const WALK_GPX: &str = r#"<?xml version="1.0"?><gpx version="1.1" creator="t" xmlns="http://www.topografix.com/GPX/1/1"><trk><trkseg>
<trkpt lat="53.80" lon="-1.55"><time>2024-05-01T07:00:00Z</time></trkpt>
<trkpt lat="53.81" lon="-1.55"><time>2024-05-01T07:10:00Z</time></trkpt>
<trkpt lat="53.82" lon="-1.55"><time>2024-05-01T07:20:00Z</time></trkpt></trkseg></trk></gpx>"#;

const EMPTY_GPX: &str = r#"<?xml version="1.0"?><gpx version="1.1" creator="t" xmlns="http://www.topografix.com/GPX/1/1"><wpt lat="53.8" lon="-1.5"><name>home</name></wpt></gpx>"#;

fn code(out: &Output) -> i32 {
    out.status.code().unwrap()
}

#[test]
fn import_exit_codes_say_whether_everything_was_read() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    init(h);
    let dir = tempfile::tempdir().unwrap();
    let file = |name: &str, body: &[u8]| {
        let p = dir.path().join(name);
        std::fs::write(&p, body).unwrap();
        p.to_str().unwrap().to_string()
    };
    let walk = file("walk.gpx", WALK_GPX.as_bytes());
    let empty = file("waypoints.gpx", EMPTY_GPX.as_bytes());
    let bin = file("noise.bin", &[0xde, 0xad, 0xbe, 0xef, 0, 1, 2, 3]);
    let csv = file("noise.csv", b"\x00\x01\x02 not a table\n");

    // Nothing readable at all: 1, and it says so.
    let out = phr(h, &["import", &bin, &csv]);
    assert_eq!(code(&out), 1, "{}", String::from_utf8_lossy(&out.stdout));
    assert!(String::from_utf8_lossy(&out.stderr).contains("nothing was imported"));
    // A GPX that imports nothing is not "ok".
    let out = phr(h, &["import", &empty]);
    assert_eq!(code(&out), 1, "{}", String::from_utf8_lossy(&out.stdout));
    assert!(!String::from_utf8_lossy(&out.stdout).starts_with("ok"));
    // One good file among bad ones: 2.
    let out = phr(h, &["import", &walk, &bin]);
    assert_eq!(code(&out), 2, "{}", String::from_utf8_lossy(&out.stderr));
    // Every file read: 0.
    let out = phr(h, &["import", &walk]);
    assert_eq!(code(&out), 0, "{}", String::from_utf8_lossy(&out.stderr));
    // Documented where a user looks.
    let help = ok(h, &["import", "--help"]);
    assert!(help.contains("Exit codes") && help.contains("2 = some files"), "{help}");
}
