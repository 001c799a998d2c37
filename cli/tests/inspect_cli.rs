//! `phr inspect FILE` end to end: files this test writes (FIT with developer fields and a
//! big-endian definition, GPX, TCX, Apple Health, CSV), damaged ones, and every corpus
//! file checked against the peers' facts in tests/corpus/MANIFEST.tsv.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout, clippy::print_stderr)] // test code: a failed unwrap is a failed test, and it prints what it measured

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Runs `phr --home HOME inspect ...` with no passphrase at all: inspect must not need one.
fn phr(home: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_phr"))
        .arg("--home")
        .arg(home)
        .arg("inspect")
        .args(args)
        .env_remove("PHR_PASSPHRASE")
        .env_remove("PHR_HOME")
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap()
}

fn inspect_json(home: &Path, file: &Path) -> Value {
    let out = phr(home, &["--json", file.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "inspect {} failed: {err}", file.display());
    serde_json::from_slice(&out.stdout).unwrap()
}

fn fit_crc(data: &[u8]) -> u16 {
    const T: [u16; 16] = [
        0x0000, 0xCC01, 0xD801, 0x1400, 0xF001, 0x3C00, 0x2800, 0xE401, 0xA001, 0x6C00, 0x7800, 0xB401,
        0x5000, 0x9C01, 0x8801, 0x4400,
    ];
    let mut crc = 0u16;
    for &b in data {
        for nib in [b & 0xF, b >> 4] {
            let tmp = T[(crc & 0xF) as usize];
            crc = ((crc >> 4) & 0x0FFF) ^ tmp ^ T[nib as usize];
        }
    }
    crc
}

const FIT_EPOCH: u32 = 631_065_600;
/// 2024-05-01T07:00:00Z
const T0_UNIX: u32 = 1_714_546_800;

/// A FIT activity written by hand: file_id, a developer field described before use, and
/// five records in a big-endian definition carrying heart rate and the developer field.
fn fit_file() -> Vec<u8> {
    let mut d = Vec::new();
    // file_id (local 0, little-endian): type=activity, manufacturer=garmin, time_created.
    d.extend([0x40, 0, 0, 0, 0, 3, 0, 1, 0x00, 1, 2, 0x84, 4, 4, 0x86]);
    d.push(0x00);
    d.push(4);
    d.extend(1u16.to_le_bytes());
    d.extend((T0_UNIX - FIT_EPOCH).to_le_bytes());
    // developer_data_id (local 1, global 207): developer_data_index = 0.
    d.extend([0x41, 0, 0, 207, 0, 1, 3, 1, 0x02]);
    d.extend([0x01, 0]);
    // field_description (local 2, global 206): index 0, field 0, uint8, "doughnuts", "count".
    d.extend([0x42, 0, 0, 206, 0, 5, 0, 1, 0x02, 1, 1, 0x02, 2, 1, 0x02, 3, 16, 0x07, 8, 8, 0x07]);
    d.extend([0x02, 0, 0, 2]);
    let mut name = b"doughnuts".to_vec();
    name.resize(16, 0);
    d.extend(name);
    let mut units = b"count".to_vec();
    units.resize(8, 0);
    d.extend(units);
    // record (local 3, global 20), big-endian, with one developer field.
    d.extend([0x63, 0, 1, 0, 20, 2, 253, 4, 0x86, 3, 1, 0x02, 1, 0, 1, 0]);
    for i in 0..5u32 {
        d.push(0x03);
        d.extend((T0_UNIX - FIT_EPOCH + i).to_be_bytes());
        d.push(100 + i as u8);
        d.push(i as u8);
    }
    let mut f = vec![14, 0x20];
    f.extend(2132u16.to_le_bytes());
    f.extend((d.len() as u32).to_le_bytes());
    f.extend(b".FIT");
    let hc = fit_crc(&f);
    f.extend(hc.to_le_bytes());
    f.extend(&d);
    let c = fit_crc(&f);
    f.extend(c.to_le_bytes());
    f
}

fn count_of(messages: &Value, name: &str) -> u64 {
    messages
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["name"] == name)
        .map_or(0, |m| m["count"].as_u64().unwrap())
}

fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

#[test]
fn fit_messages_developer_fields_crc_and_time_range() {
    let dir = tmp();
    let home = dir.path().join("home");
    std::fs::create_dir(&home).unwrap();
    let file = dir.path().join("ride.fit");
    std::fs::write(&file, fit_file()).unwrap();

    let j = inspect_json(&home, &file);
    assert_eq!(j["format"], "fit");
    assert_eq!(j["damaged"], false);
    let fit = &j["fit"];
    assert_eq!(fit["crc_ok"], true, "{j}");
    assert_eq!(count_of(&fit["messages"], "record"), 5);
    assert_eq!(count_of(&fit["messages"], "file_id"), 1);
    assert_eq!(count_of(&fit["messages"], "field_description"), 1);
    assert_eq!(count_of(&fit["messages"], "developer_data_id"), 1);
    let dev = &fit["developer_fields"][0];
    assert_eq!(
        (dev["name"].as_str(), dev["units"].as_str(), dev["count"].as_u64()),
        (Some("doughnuts"), Some("count"), Some(5))
    );
    assert_eq!(fit["files"][0]["file_crc"], "ok");
    assert_eq!(j["first_utc"], "2024-05-01T07:00:00Z");
    assert_eq!(j["last_utc"], "2024-05-01T07:00:04Z");
    assert_eq!(j["points"], 5);

    // The human form says the same things.
    let out = phr(&home, &[file.to_str().unwrap()]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("record") && text.contains("x5"), "{text}");
    assert!(text.contains("doughnuts [count]"), "{text}");
    assert!(text.contains("2024-05-01T07:00:00Z .. 2024-05-01T07:00:04Z"), "{text}");

    // Inspect never creates or opens a record: the home folder stays empty.
    assert_eq!(std::fs::read_dir(&home).unwrap().count(), 0);
}

#[test]
fn fit_bad_crc_and_truncation_are_reported_not_fatal() {
    let dir = tmp();
    let mut bytes = fit_file();
    let n = bytes.len();
    bytes[n - 1] ^= 0xFF;
    let bad_crc = dir.path().join("bad-crc.fit");
    std::fs::write(&bad_crc, &bytes).unwrap();
    let j = inspect_json(dir.path(), &bad_crc);
    assert_eq!(j["fit"]["crc_ok"], false);
    assert!(j["fit"]["files"][0]["file_crc"].as_str().unwrap().starts_with("mismatch"), "{j}");
    assert_eq!(count_of(&j["fit"]["messages"], "record"), 5, "a CRC mismatch loses no data");
    assert!(
        j["problems"].as_array().unwrap().iter().any(|p| p["reason"].as_str().unwrap().contains("CRC")),
        "{j}"
    );

    let cut = dir.path().join("cut.fit");
    std::fs::write(&cut, &fit_file()[..n - 8]).unwrap();
    let j = inspect_json(dir.path(), &cut);
    assert_eq!(j["damaged"], true);
    let records = count_of(&j["fit"]["messages"], "record");
    assert!(records > 0 && records < 5, "records before the cut are kept: {records}");
    assert!(
        j["problems"].as_array().unwrap().iter().any(|p| p["offset"].is_u64()),
        "the damage has a byte offset: {j}"
    );
}

#[test]
fn xml_and_csv_formats() {
    let dir = tmp();
    let gpx = dir.path().join("walk.gpx");
    std::fs::write(
        &gpx,
        r#"<?xml version="1.0"?><gpx version="1.1" creator="t" xmlns="http://www.topografix.com/GPX/1/1"
 xmlns:gpxtpx="http://www.garmin.com/xmlschemas/TrackPointExtension/v1"><trk><trkseg>
<trkpt lat="53.80" lon="-1.55"><time>2024-05-01T07:00:00Z</time><extensions><gpxtpx:TrackPointExtension><gpxtpx:hr>120</gpxtpx:hr></gpxtpx:TrackPointExtension></extensions></trkpt>
<trkpt lat="53.81" lon="-1.55"><time>2024-05-01T07:10:00Z</time></trkpt>
<trkpt lat="53.82" lon="-1.55"><time>2024-05-01T07:20:00+01:00</time></trkpt></trkseg></trk></gpx>"#,
    )
    .unwrap();
    let j = inspect_json(dir.path(), &gpx);
    assert_eq!(j["format"], "gpx");
    assert_eq!(j["points"], 3);
    assert_eq!(j["activities"].as_array().unwrap().len(), 1);
    // The +01:00 point is 06:20 UTC: the range is in UTC.
    assert_eq!(j["first_utc"], "2024-05-01T06:20:00Z");
    assert_eq!(j["last_utc"], "2024-05-01T07:10:00Z");

    let tcx = dir.path().join("run.tcx");
    std::fs::write(
        &tcx,
        r#"<?xml version="1.0"?><TrainingCenterDatabase xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2"><Activities>
<Activity Sport="Running"><Id>2024-05-02T06:00:00Z</Id><Lap StartTime="2024-05-02T06:00:00Z"><TotalTimeSeconds>120</TotalTimeSeconds><DistanceMeters>400</DistanceMeters><Calories>30</Calories><Track>
<Trackpoint><Time>2024-05-02T06:00:00Z</Time><HeartRateBpm><Value>130</Value></HeartRateBpm><Cadence>80</Cadence></Trackpoint>
<Trackpoint><Time>2024-05-02T06:02:00Z</Time><HeartRateBpm><Value>150</Value></HeartRateBpm></Trackpoint>
</Track></Lap></Activity></Activities></TrainingCenterDatabase>"#,
    )
    .unwrap();
    let j = inspect_json(dir.path(), &tcx);
    assert_eq!(j["format"], "tcx");
    assert_eq!(j["points"], 2);
    assert_eq!(j["activities"][0]["laps"], 1);
    assert_eq!(j["last_utc"], "2024-05-02T06:02:00Z");

    let apple = dir.path().join("export.xml");
    std::fs::write(
        &apple,
        r#"<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE HealthData [ <!ELEMENT HealthData (Record)*> <!ATTLIST Record type CDATA #REQUIRED> ]>
<HealthData locale="en_GB">
 <Record type="HKQuantityTypeIdentifierStepCount" sourceName="Sam's iPhone" unit="count" startDate="2024-05-01 08:00:00 +0100" endDate="2024-05-01 08:10:00 +0100" value="500"/>
 <Record type="HKQuantityTypeIdentifierHeartRate" sourceName="Sam's Apple Watch" unit="count/min" startDate="2024-05-01 09:00:00 +0100" endDate="2024-05-01 09:00:00 +0100" value="64"/>
 <Record type="HKQuantityTypeIdentifierDietaryWater" sourceName="App" unit="mL" startDate="2024-05-01 10:00:00 +0100" endDate="2024-05-01 10:00:00 +0100" value="250"/>
</HealthData>"#,
    )
    .unwrap();
    let j = inspect_json(dir.path(), &apple);
    assert_eq!(j["format"], "apple_health");
    assert_eq!(j["counts"]["records"], 3);
    assert_eq!(j["samples"]["steps"], 1);
    assert_eq!(j["samples"]["heart_rate"], 1);
    assert_eq!(j["first_utc"], "2024-05-01T07:00:00Z");
    assert!(
        j["problems"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["reason"].as_str().unwrap().contains("DietaryWater")),
        "{j}"
    );

    let csv = dir.path().join("withings.csv");
    std::fs::copy(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../core/tests/import_fixtures/withings_bp.csv"),
        &csv,
    )
    .unwrap();
    let j = inspect_json(dir.path(), &csv);
    assert_eq!(j["format"], "csv");
    assert!(j["samples"]["bp_systolic"].as_u64().unwrap() > 0, "{j}");
}

#[test]
fn unreadable_files_fail_with_the_file_name_and_no_panic() {
    let dir = tmp();
    let txt = dir.path().join("notes.txt");
    std::fs::write(&txt, "hello").unwrap();
    for (file, words) in [(txt, "not a format"), (dir.path().join("missing.fit"), "cannot open")] {
        let out = phr(dir.path(), &[file.to_str().unwrap()]);
        assert!(!out.status.success());
        let err = String::from_utf8(out.stderr).unwrap();
        assert!(!err.contains("panicked"), "{err}");
        assert!(err.contains(file.file_name().unwrap().to_str().unwrap()) && err.contains(words), "{err}");
    }
}

fn fact<'a>(peers: &'a str, parser: &str, key: &str) -> Option<&'a str> {
    let body = peers.split(" | ").find(|p| p.starts_with(&format!("{parser}[")))?;
    if body.contains("peer_error") {
        return None;
    }
    body.split([' ', '[', ']']).find_map(|kv| kv.strip_prefix(&format!("{key}="))).filter(|v| !v.is_empty())
}

/// Every corpus file (not the broken ones): inspect succeeds, and its counts agree with
/// the peers: FIT record messages with fitdecode, Apple Health records and workouts with
/// lxml.iterparse, TCX track points with lxml.
#[test]
fn corpus_files_agree_with_peer_counts() {
    let Some(root) = phr_testkit::corpus() else { return };
    let manifest = std::fs::read_to_string(root.join("MANIFEST.tsv")).unwrap();
    let home = tmp();
    let mut checked = 0;
    for line in manifest.lines().skip(1) {
        let cols: Vec<&str> = line.split('\t').collect();
        let (file, peers) = (cols[0], cols[6]);
        if file.contains("/broken/") || file.starts_with("strava/") {
            continue;
        }
        if file.starts_with("csv/") {
            // Power-meter and HRV app CSVs: some are layouts we do not read (clean error).
            let out = phr(home.path(), &["--json", root.join(file).to_str().unwrap()]);
            assert!(!String::from_utf8_lossy(&out.stderr).contains("panicked"), "{file}");
            continue;
        }
        let j = inspect_json(home.path(), &root.join(file));
        if file.starts_with("fit/") {
            if let Some(n) = fact(peers, "fitdecode", "records") {
                assert_eq!(
                    count_of(&j["fit"]["messages"], "record").to_string(),
                    n,
                    "{file}: record messages"
                );
            }
            if let (Some(first), Some(last)) =
                (fact(peers, "fitdecode", "first_ts"), fact(peers, "fitdecode", "last_ts"))
            {
                // Our range spans every message (file_id, events...), so it contains the records'.
                assert!(
                    j["first_utc"].as_str().unwrap() <= first && j["last_utc"].as_str().unwrap() >= last,
                    "{file}: {} .. {} vs {first} .. {last}",
                    j["first_utc"],
                    j["last_utc"]
                );
            }
        } else if file.starts_with("apple_health/") {
            assert_eq!(
                j["counts"]["records"].to_string(),
                fact(peers, "iterparse", "records").unwrap(),
                "{file}"
            );
            assert_eq!(
                j["counts"]["workouts"].to_string(),
                fact(peers, "iterparse", "workouts").unwrap(),
                "{file}"
            );
        } else if file.starts_with("tcx/") {
            if let Some(n) = fact(peers, "lxml", "trackpoints") {
                assert_eq!(j["points"].to_string(), n, "{file}: trackpoints");
            }
        }
        checked += 1;
    }
    assert!(checked > 100, "only {checked} corpus files inspected");
}
