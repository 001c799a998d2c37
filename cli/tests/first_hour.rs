//! Issue 14: a resident's first hour with `phr`. Short IDs, passphrase change and
//! recovery, errors that name the field and the accepted form, import exit codes, help
//! that tells the truth, where QR codes go, and the README's walk run as written.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout, clippy::print_stderr)] // test code: a failed unwrap is a failed test

mod common;
use common::*;
use std::path::Path;
use std::process::{Command, Output};

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

fn with_pass(home: &Path, args: &[&str], pass: &str, new: Option<&str>) -> Output {
    let mut env = vec![("PHR_PASSPHRASE", pass)];
    if let Some(n) = new {
        env.push(("PHR_NEW_PASSPHRASE", n));
    }
    phr_env(home, args, &env)
}

#[test]
fn passphrase_change_and_recovery_move_the_record_to_a_new_passphrase() {
    let dir = tempfile::tempdir().unwrap();
    let h = dir.path().join("record");
    let out = String::from_utf8(phr(&h, &["init", "--recovery-key"]).stdout).unwrap();
    let key =
        out.lines().map(str::trim).find(|l| l.len() > 30 && l.matches('-').count() > 5).unwrap().to_string();
    ok(&h, &["add", "medications", "name=Ramipril"]);

    // Change: the current passphrase must be right; then only the new one opens the record.
    let wrong = with_pass(&h, &["passphrase", "change"], "not the passphrase", Some("second passphrase"));
    assert!(!wrong.status.success());
    assert!(String::from_utf8_lossy(&wrong.stderr).contains("current passphrase does not unlock"));
    let changed = with_pass(&h, &["passphrase", "change"], PASS, Some("second passphrase"));
    assert!(changed.status.success(), "{}", String::from_utf8_lossy(&changed.stderr));
    assert!(!with_pass(&h, &["list"], PASS, None).status.success());
    assert!(String::from_utf8_lossy(&with_pass(&h, &["list"], "second passphrase", None).stdout)
        .contains("Ramipril"));

    // Forgotten passphrase: the recovery key restores the backup onto a new passphrase.
    let backup = dir.path().join("b.phrbackup");
    let b = with_pass(&h, &["backup", backup.to_str().unwrap()], "second passphrase", None);
    assert!(b.status.success());
    let restored = dir.path().join("restored");
    let r = with_pass(
        &restored,
        &["restore", backup.to_str().unwrap(), "--recovery-key", &key],
        "ignored",
        Some("third passphrase"),
    );
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    assert!(
        !with_pass(&restored, &["list"], "second passphrase", None).status.success(),
        "old passphrase still opens"
    );
    let listed = with_pass(&restored, &["list"], "third passphrase", None);
    assert!(String::from_utf8_lossy(&listed.stdout).contains("Ramipril"));
    assert!(ok(&h, &["passphrase", "--help"]).contains("change"));
}

#[test]
fn errors_name_the_field_and_what_it_accepts() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    init(h);
    // The issue's typo: refused, nothing stored, the nearest field named.
    let e = fails(h, &["add", "medications", "name=Ibuprofen", "dosage=200 mg"]);
    assert!(e.contains("field `dosage`") && e.contains("Did you mean `dose`?"), "{e}");
    assert!(!ok(h, &["list", "medications"]).contains("Ibuprofen"));
    // The same through --json-value.
    let e = fails(h, &["add", "medications", "--json-value", r#"{"name": "Ibuprofen", "dosage": "200 mg"}"#]);
    assert!(e.contains("Did you mean `dose`?"), "{e}");
    // A bad date names the field and the form.
    let e = fails(h, &["add", "conditions", "name=Asthma", "status=active", "onset=2024-13-45"]);
    assert!(e.contains("field `onset`") && e.contains("2024-03-17"), "{e}");
    // A bad choice lists the choices.
    let e = fails(h, &["add", "allergies", "substance=Nuts", "severity=awful", "kind=allergy"]);
    assert!(e.contains("field `severity`") && e.contains("mild, moderate, severe"), "{e}");
    // An unknown section lists the sections.
    let e = fails(h, &["add", "medicationz", "name=X"]);
    assert!(e.contains("medications") && e.contains("allergies") && e.contains("vaccinations"), "{e}");
    // Units: an obvious alias works, an unknown one lists the accepted units.
    ok(h, &["sample", "add", "body_temperature", "37.2", "--unit", "C"]);
    let e = fails(h, &["sample", "add", "body_temperature", "37.2", "--unit", "K"]);
    assert!(e.contains("°C") && e.contains("°F"), "{e}");
}

#[test]
fn an_unknown_csv_layout_can_be_mapped_with_the_flags_the_error_names() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    init(h);
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("my-scale.csv");
    std::fs::write(&csv, "When,Mass\n2024-03-01 07:00,82.4\n2024-03-02 07:00,82.1\n").unwrap();
    let csv = csv.to_str().unwrap();
    let out = phr(h, &["import", csv]);
    assert_eq!(code(&out), 1);
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(said.contains("--csv-time") && said.contains("--csv-column"), "{said}");
    // The flags it names exist and work.
    let out = phr(h, &["import", csv, "--csv-time", "When", "--csv-column", "Mass=weight:kg"]);
    assert_eq!(
        code(&out),
        0,
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let listed = ok(h, &["sample", "list", "weight", "--from", "2024-03-01", "--to", "2024-03-02"]);
    assert!(listed.contains("82.4") && listed.contains("82.1"), "{listed}");
}

#[test]
fn help_tells_the_truth() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let add = ok(h, &["add", "--help"]);
    assert!(add.contains("--json-value") && !add.contains("--json '"), "{add}");
    let demo = ok(h, &["demo", "--help"]);
    assert!(demo.contains("$PHR_HOME"), "{demo}");
    for cmd in ["show", "edit", "annotate", "hide", "unhide", "delete", "undo", "purge"] {
        let help = ok(h, &[cmd, "--help"]);
        let arg = help.lines().skip_while(|l| !l.starts_with("Arguments:")).nth(1).unwrap_or_default();
        assert!(arg.contains("6+ characters"), "phr {cmd} --help does not describe its ID: {help}");
    }
    for cmd in [&["share", "show"][..], &["share", "update"], &["share", "revoke"], &["device", "remove"]] {
        let help = ok(h, &[cmd, &["--help"]].concat());
        assert!(help.contains("6+ characters"), "phr {cmd:?} --help: {help}");
    }
    assert!(ok(h, &["share", "--help"]).contains("update"));
    // `fhir links` without --json: a sentence, not raw JSON.
    init(h);
    let links = ok(h, &["fhir", "links"]);
    assert!(links.starts_with("No links yet"), "{links}");
    let links: serde_json::Value = serde_json::from_str(&ok(h, &["--json", "fhir", "links"])).unwrap();
    assert_eq!(links, serde_json::json!([]));
}

#[test]
fn share_qr_codes_go_to_the_private_folder_unless_a_path_is_given() {
    let Some(relay) = relay() else { return };
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    init(h);
    ok(h, &["add", "allergies", "substance=Penicillin", "severity=severe", "kind=allergy"]);
    let cwd = tempfile::tempdir().unwrap();
    let share = |extra: &[&str]| {
        let mut args = vec!["--json", "share", "create", "--to", "Dr Patel", "--sections", "allergies"];
        args.extend(["--purpose", "review", "--relay", &relay.url]);
        args.extend(extra);
        let out = Command::new(env!("CARGO_BIN_EXE_phr"))
            .current_dir(cwd.path())
            .arg("--home")
            .arg(h)
            .args(&args)
            .env("PHR_PASSPHRASE", PASS)
            .env_remove("PHR_HOME")
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()
    };
    let made = share(&[]);
    let png = Path::new(made["qr_png"].as_str().unwrap()).to_path_buf();
    assert!(png.starts_with(h.join("shares")) && png.exists(), "{png:?}");
    assert_eq!(std::fs::read_dir(cwd.path()).unwrap().count(), 0, "nothing written to the current folder");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(h.join("shares")).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o700);
    }
    let chosen = cwd.path().join("for-dr-patel.png");
    let made = share(&["--qr", chosen.to_str().unwrap()]);
    assert_eq!(made["qr_png"].as_str().unwrap(), chosen.to_str().unwrap());
    assert!(chosen.exists());
    // The short grant id works for update and revoke; help says what the picture does.
    let id = made["grant_id"].as_str().unwrap();
    assert!(ok(h, &["share", "create", "--help"]).contains("opens the share like the link"));
    ok(h, &["share", "revoke", &id[..8]]);
}

/// The README's "first ten minutes" block, one command a line (comments dropped).
fn readme_walk() -> Vec<String> {
    let readme = std::fs::read_to_string(phr_testkit::repo_root().join("README.md")).unwrap();
    let section = readme.split("## Your first ten minutes").nth(1).expect("README has no first ten minutes");
    let block = section.split("```sh\n").nth(1).unwrap().split("```").next().unwrap();
    block
        .lines()
        .map(|l| l.split(" # ").next().unwrap().trim().to_string())
        .filter(|l| !l.is_empty())
        .collect()
}

#[test]
fn every_command_of_the_readme_walk_runs() {
    let walk = readme_walk();
    assert!(walk.len() >= 10, "{walk:?}");
    assert!(walk.iter().any(|l| l.starts_with("phr passphrase change")));
    let home = tempfile::tempdir().unwrap();
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_phr")).parent().unwrap().to_path_buf();
    let path = format!("{}:{}", bin_dir.display(), std::env::var("PATH").unwrap_or_default());
    let mut exports = String::new();
    let mut last_id: Option<String> = None;
    for line in &walk {
        if line.starts_with("export ") {
            exports.push_str(line);
            exports.push_str("; ");
            continue;
        }
        assert!(line.starts_with("phr "), "the walk runs only phr: {line}");
        let line = match &last_id {
            Some(id) => line.replace(" ID ", &format!(" {id} ")).replace(" ID", &format!(" {id}")),
            None => line.clone(),
        };
        let out = Command::new("sh")
            .arg("-c")
            .arg(format!("{exports}{line}"))
            .env("HOME", home.path())
            .env("PATH", &path)
            .env("PHR_PASSPHRASE", PASS)
            .env("PHR_NEW_PASSPHRASE", "the new passphrase of the walk")
            .env_remove("PHR_HOME")
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "README line `{line}` failed: {}{stdout}",
            String::from_utf8_lossy(&out.stderr)
        );
        // `phr list` prints "  <8 hex>  summary": the next `ID` is the first of them.
        if let Some(id) = stdout.lines().find_map(|l| {
            let w = l.split_whitespace().next()?;
            (l.starts_with("  ") && w.len() == 8 && w.chars().all(|c| c.is_ascii_hexdigit()))
                .then(|| w.to_string())
        }) {
            last_id = Some(id);
        }
    }
    assert!(home.path().join("my-record").join("record.phr").exists());
    assert!(home.path().join("record.phrbackup").exists());
}

#[test]
fn device_remove_takes_the_short_id_that_device_list_shows() {
    let Some(relay) = relay() else { return };
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    init(h);
    ok(h, &["device", "start", "--relay", &relay.url]);
    let listed = ok(h, &["device", "list"]);
    let id = listed.split_whitespace().next().unwrap().to_string();
    // The prefix resolves to this device, which the core then refuses to remove: proof that
    // the short ID was understood (before, it was "device not found").
    let e = fails(h, &["device", "remove", &id[..6]]);
    assert!(e.contains("is this device"), "{e}");
    assert!(fails(h, &["device", "remove", "zzzzzz"]).contains("device not found"));
}
