//! `phr insights`, `phr goal`, `phr chart` and the demo's insights, end to end.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout, clippy::print_stderr)] // test code: a failed unwrap is a failed test, and it prints what it measured

mod common;
use common::*;

#[test]
fn demo_shows_insights_and_writes_charts_outside_the_record_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("home");
    let charts = tmp.path().join("charts");
    let out = ok(&home, &["demo", "--charts", charts.to_str().unwrap()]);
    assert!(out.contains("Insights") && out.contains("NICE NG136"), "{out}");
    for name in
        ["weight.svg", "blood_pressure.svg", "vo2max.svg", "weight_sparkline.svg", "blood_pressure_dark.svg"]
    {
        let p = charts.join(name);
        assert!(out.contains(p.to_str().unwrap()), "{name} not listed: {out}");
        let svg = std::fs::read_to_string(&p).unwrap();
        assert!(svg.starts_with("<svg") && svg.contains("</svg>"), "{name}");
    }
    // Charts are plaintext: none in the record's folder.
    let in_home: Vec<_> = std::fs::read_dir(&home)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(in_home.iter().all(|n| !n.ends_with(".svg")), "{in_home:?}");
}

#[test]
fn insights_report_switches_and_settings() {
    let tmp = tempfile::tempdir().unwrap();
    let h = tmp.path();
    ok(h, &["demo", "--charts", h.join("c").to_str().unwrap()]);

    let text = ok(h, &["insights"]);
    assert!(text.contains("What to do:") && text.contains("Source: NICE NG136"), "{text}");
    assert!(text.contains("Suggestions") && text.contains("Where to get support"), "{text}");

    let js: serde_json::Value = serde_json::from_str(&ok(h, &["--json", "insights"])).unwrap();
    let alerts = js["report"]["alerts"].as_array().unwrap();
    assert!(alerts
        .iter()
        .any(|a| a["category"] == "BloodPressure" && a["citation"].as_str().unwrap().contains("NG136")));
    assert!(alerts.iter().all(|a| a["what_to_do"].as_str().is_some_and(|s| !s.is_empty())));

    // Off: gone from the report, and still off in a new process (the setting is in the record).
    assert!(ok(h, &["insights", "off", "blood-pressure"]).contains("off"));
    let js: serde_json::Value = serde_json::from_str(&ok(h, &["--json", "insights"])).unwrap();
    assert!(js["report"]["alerts"].as_array().unwrap().iter().all(|a| a["category"] != "BloodPressure"));
    assert!(js["report"]["suggestions"].as_array().unwrap().iter().all(|s| s["category"] != "BloodPressure"));
    let settings = ok(h, &["insights", "settings"]);
    assert!(settings.lines().any(|l| l.contains("off") && l.contains("blood-pressure")), "{settings}");

    // Suggestions and signposts are shown only when switched on.
    ok(h, &["insights", "off", "suggestions"]);
    ok(h, &["insights", "off", "signposts"]);
    let text = ok(h, &["insights"]);
    assert!(!text.contains("Suggestions") && !text.contains("Where to get support"), "{text}");
    assert!(text.contains("Alerts"), "{text}");
    ok(h, &["insights", "on", "Blood pressure"]);
    assert!(ok(h, &["insights"]).contains("NICE NG136"));

    let bad = phr(h, &["insights", "off", "astrology"]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("unknown insight category"));
}

#[test]
fn goals_and_charts_from_the_command_line() {
    let tmp = tempfile::tempdir().unwrap();
    let h = tmp.path();
    ok(h, &["demo", "--charts", h.join("c").to_str().unwrap()]);
    ok(h, &["goal", "set", "weight", "75"]);
    ok(h, &["goal", "set", "active-minutes", "150"]);
    let goals = ok(h, &["goal", "list"]);
    assert!(goals.contains("75") && goals.lines().count() == 2, "{goals}");
    assert!(!phr(h, &["goal", "set", "weight", "-3"]).status.success());

    let today = chrono::Utc::now().date_naive();
    let from = (today - chrono::Duration::days(200)).to_string();
    let out = h.join("out").join("w.svg");
    ok(h, &["chart", "weight", "--from", &from, "--to", &today.to_string(), "--out", out.to_str().unwrap()]);
    let svg = std::fs::read_to_string(&out).unwrap();
    assert!(
        svg.contains("Weight (kg)") && svg.contains("Ramipril up to 10 mg"),
        "chart lacks axis label or life event"
    );
    let spark = h.join("s.svg");
    ok(h, &["chart", "bp", "--sparkline", "--dark", "--out", spark.to_str().unwrap()]);
    assert!(std::fs::read_to_string(&spark).unwrap().contains("<svg"));
    let bad = phr(h, &["chart", "horoscope", "--out", spark.to_str().unwrap()]);
    assert!(!bad.status.success() && String::from_utf8_lossy(&bad.stderr).contains("unknown chart"));
}

#[test]
fn chart_takes_the_sample_kind_names_and_lists_them_when_unknown() {
    let tmp = tempfile::tempdir().unwrap();
    let h = tmp.path();
    ok(h, &["demo", "--charts", h.join("c").to_str().unwrap()]);
    // The names `phr sample add` uses draw the same charts.
    for name in
        ["bp_systolic", "bp_diastolic", "resting_heart_rate", "sleep_duration", "active_minutes", "weight"]
    {
        let out = h.join(format!("{name}.svg"));
        ok(h, &["chart", name, "--out", out.to_str().unwrap()]);
        assert!(std::fs::read_to_string(&out).unwrap().contains("<svg"), "{name}");
    }
    // The older chart names still work.
    let old = h.join("old.svg");
    ok(h, &["chart", "blood-pressure", "--out", old.to_str().unwrap()]);
    // Unknown: fails and lists the valid names, in the one form.
    let bad = phr(h, &["chart", "blood-sugar", "--out", h.join("x.svg").to_str().unwrap()]);
    assert!(!bad.status.success());
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(err.contains("bp_systolic") && err.contains("resting_heart_rate"), "{err}");
    assert!(!err.contains("blood-pressure") && !err.contains("resting-hr"), "{err}");
    let help = ok(h, &["chart", "--help"]);
    assert!(help.contains("bp_systolic") && !help.contains("blood-pressure"), "{help}");
    // Goals take the same names and list them in that form.
    ok(h, &["goal", "set", "resting_heart_rate", "58"]);
    let bad = phr(h, &["goal", "set", "resting-pulse", "58"]);
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(
        !bad.status.success() && err.contains("resting_heart_rate") && !err.contains("resting-hr"),
        "{err}"
    );
}

/// Issue 14: the alert said "average 130/85 ... at or above 135/85", which reads as a
/// contradiction. It now names the number that reached the level.
#[test]
fn the_blood_pressure_alert_names_the_number_that_reached_the_level() {
    let tmp = tempfile::tempdir().unwrap();
    let h = tmp.path();
    ok(h, &["init"]);
    let today = chrono::Utc::now().date_naive();
    for d in 1..=4 {
        let at = format!("{}T08:00:00Z", today - chrono::Duration::days(d));
        ok(h, &["sample", "add", "bp_systolic", "130", "--at", &at]);
        ok(h, &["sample", "add", "bp_diastolic", "85", "--at", &at]);
    }
    let text = ok(h, &["insights"]);
    assert!(text.contains("average 130/85 (4 readings)"), "{text}");
    assert!(text.contains("The bottom number is at or above 85,"), "{text}");
    assert!(!text.contains("135/85"), "no threshold pair the reading is below: {text}");
}
