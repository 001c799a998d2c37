//! Issue 18, the command line: odd `--expires` values are clear errors (no panic), the
//! import report's sample counts add up to what the record stored, and a GPX that imports
//! nothing is not reported "ok".
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout, clippy::print_stderr)] // test code: a failed unwrap is a failed test

mod common;
use common::*;

fn init() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let out = phr(dir.path(), &["init"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    dir
}

#[test]
fn odd_expiries_are_clear_errors_not_panics() {
    let home = init();
    for bad in ["7é", "100000000d", "99999999999999999s"] {
        let out = phr(
            home.path(),
            &["share", "create", "--to", "Dr A", "--sections", "all", "--purpose", "care", "--expires", bad],
        );
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{bad}");
        assert!(!err.contains("panicked"), "{bad}: {err}");
        assert!(err.contains("--expires"), "{bad}: names the option: {err}");
    }
}

const APPLE: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<HealthData locale="en_GB">
 <Record type="HKQuantityTypeIdentifierHeartRate" sourceName="Watch" unit="count/min" startDate="2024-05-01 08:00:00 +0000" endDate="2024-05-01 08:00:00 +0000" value="61"/>
 <Record type="HKQuantityTypeIdentifierHeartRate" sourceName="Watch" unit="count/min" startDate="2024-05-01 08:01:00 +0000" endDate="2024-05-01 08:01:00 +0000" value="62"/>
 <Record type="HKQuantityTypeIdentifierHeartRate" sourceName="Watch" unit="count/min" startDate="2024-05-01 08:01:00 +0000" endDate="2024-05-01 08:01:00 +0000" value="62"/>
 <Record type="HKQuantityTypeIdentifierHeartRate" sourceName="Watch" unit="count/min" startDate="2024-05-01 08:02:00 +0000" endDate="2024-05-01 08:02:00 +0000" value="4000"/>
 <Record type="HKQuantityTypeIdentifierHeartRate" sourceName="Watch" unit="count/min" startDate="2024-05-01 08:03:00 +0000" endDate="2024-05-01 08:03:00 +0000" value="64"/>
</HealthData>
"#;

#[test]
fn the_import_report_says_stored_and_skipped_and_they_add_up() {
    let home = init();
    let xml = home.path().join("export.xml");
    std::fs::write(&xml, APPLE).unwrap();
    let json = phr(home.path(), &["import", "--json", xml.to_str().unwrap()]);
    let report: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let file = &report["files"][0];
    let (read, stored, dup) = (
        file["samples"].as_u64().unwrap(),
        file["outcome"]["samples"]["added"].as_u64().unwrap(),
        file["outcome"]["samples"]["duplicates"].as_u64().unwrap(),
    );
    assert_eq!((read, stored, dup), (5, 3, 1), "{file}");
    // What the record holds is what "stored" said.
    let list = phr(
        home.path(),
        &["sample", "list", "heart_rate", "--from", "2024-05-01", "--to", "2024-05-01", "--json"],
    );
    let held: serde_json::Value = serde_json::from_slice(&list.stdout).unwrap();
    assert_eq!(held.as_array().map(Vec::len), Some(stored as usize), "{held}");
    // Again, in words: nothing new stored, every reading named as a duplicate or left out.
    let text = phr(home.path(), &["import", xml.to_str().unwrap()]);
    let out = String::from_utf8_lossy(&text.stdout);
    assert!(out.contains("samples 5 read: 0 stored, 4 duplicates skipped, 1 left out"), "{out}");
    assert!(out.contains("samples 0 stored, 4 duplicates skipped"), "{out}");
}

#[test]
fn a_gpx_that_imports_nothing_is_not_ok() {
    let home = init();
    let cases = [
        (
            "waypoints.gpx",
            r#"<?xml version="1.0"?><gpx version="1.1" creator="t" xmlns="http://www.topografix.com/GPX/1/1"><wpt lat="53.8" lon="-1.5"><name>Cafe</name></wpt></gpx>"#,
        ),
        (
            "empty_track.gpx",
            r#"<?xml version="1.0"?><gpx version="1.1" creator="t" xmlns="http://www.topografix.com/GPX/1/1"><trk><name>Run</name><trkseg></trkseg></trk></gpx>"#,
        ),
        (
            "no_times.gpx",
            r#"<?xml version="1.0"?><gpx version="1.1" creator="t" xmlns="http://www.topografix.com/GPX/1/1"><trk><trkseg><trkpt lat="53.8" lon="-1.5"/><trkpt lat="53.81" lon="-1.51"/></trkseg></trk></gpx>"#,
        ),
    ];
    for (name, body) in cases {
        let p = home.path().join(name);
        std::fs::write(&p, body).unwrap();
        let out = phr(home.path(), &["import", p.to_str().unwrap()]);
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(!out.status.success(), "{name}: exit {:?}: {text}", out.status.code());
        assert!(!text.starts_with("ok"), "{name}: {text}");
    }
}
