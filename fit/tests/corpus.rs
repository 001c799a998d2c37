//! Differential test against the peer facts of tests/corpus/MANIFEST.tsv.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout, clippy::print_stderr)] // test code: a failed unwrap is a failed test, and it prints what it measured
mod common;

use std::collections::BTreeMap;

use fitstream::{self as fit, FieldKind, FitTime};

#[derive(Debug, Default)]
struct Peer {
    name: String,
    ok: bool,
    facts: BTreeMap<String, String>,
}

fn parse_peers(s: &str) -> Vec<Peer> {
    let mut out = Vec::new();
    for part in s.split(" | ") {
        let Some(open) = part.find('[') else { continue };
        let name = part[..open].to_string();
        let body = part[open + 1..].trim_end_matches(']');
        let (facts_s, ok) = match body.find(" peer_error:") {
            Some(i) => (&body[..i], false),
            None => (body.trim_end_matches(" ok"), body.ends_with(" ok")),
        };
        let mut facts = BTreeMap::new();
        for kv in facts_s.split(' ') {
            if let Some((k, v)) = kv.split_once('=') {
                facts.insert(k.to_string(), v.to_string());
            }
        }
        out.push(Peer { name, ok, facts });
    }
    out
}

/// Our facts, computed like the peers do.
fn our_facts(data: &[u8]) -> (BTreeMap<String, String>, fit::DecodeReport, bool) {
    let mut records = 0usize;
    let mut first: Option<i64> = None;
    let mut last: Option<i64> = None;
    let mut first_any: Option<FitTime> = None;
    let mut compressed = false;
    let mut dist_sum: Option<f64> = None;
    let mut max_hr: Option<u64> = None;
    let mut file_ids = Vec::new();
    let mut it = fit::SliceDecoder::new(data, fit::DecodeOptions::default());
    for m in it.by_ref() {
        match m.name {
            Some("record") => {
                records += 1;
                if m.compressed_timestamp {
                    compressed = true;
                }
                if first_any.is_none() {
                    first_any = m.timestamp;
                }
                // the peers read the record's own timestamp field (253)
                if let Some(t) = m.field(253).and_then(|f| f.time()).and_then(|t| t.unix()) {
                    if first.is_none() {
                        first = Some(t);
                    }
                    last = Some(t);
                }
                if let Some(hr) = m.u64("heart_rate") {
                    max_hr = Some(max_hr.map_or(hr, |x| x.max(hr)));
                }
            }
            Some("session") => {
                if let Some(d) = m.f64("total_distance") {
                    dist_sum = Some(dist_sum.unwrap_or(0.0) + d);
                }
            }
            Some("file_id") => {
                let manu = m
                    .field_by_name("manufacturer")
                    .map(|f| {
                        f.enum_name()
                            .map(|s| s.to_string())
                            .unwrap_or_else(|| f.value.as_u64().unwrap_or(0).to_string())
                    })
                    .unwrap_or_default();
                let prod = m
                    .fields
                    .iter()
                    .find(|f| f.name == Some("product"))
                    .map(|f| match f.kind {
                        FieldKind::SubField(_) => f
                            .enum_name()
                            .map(|s| s.to_string())
                            .unwrap_or_else(|| f.value.as_u64().unwrap_or(0).to_string()),
                        _ => f.value.as_u64().unwrap_or(0).to_string(),
                    })
                    .unwrap_or_else(|| "None".to_string());
                file_ids.push(format!("{manu}/{prod}"));
            }
            _ => {}
        }
    }
    let report = it.finish();
    let mut f = BTreeMap::new();
    f.insert("records".into(), records.to_string());
    f.insert("first_ts".into(), first.map(common::iso).unwrap_or_default());
    f.insert("last_ts".into(), last.map(common::iso).unwrap_or_default());
    f.insert("session_total_distance_m".into(), dist_sum.map(|d| format!("{:.2}", d)).unwrap_or_default());
    f.insert("max_hr".into(), max_hr.map(|h| h.to_string()).unwrap_or_default());
    f.insert("file_id".into(), file_ids.join(","));
    let _ = first_any;
    (f, report, compressed)
}

fn same(key: &str, ours: &str, theirs: &str) -> bool {
    if key == "session_total_distance_m" && !ours.is_empty() && !theirs.is_empty() {
        let (a, b): (f64, f64) = (ours.parse().unwrap_or(f64::NAN), theirs.parse().unwrap_or(f64::NAN));
        return (a - b).abs() <= 0.011;
    }
    // fitdecode writes "0" for a session total of 0 with 2 decimals dropped
    if key == "session_total_distance_m" && ours == "0.00" && theirs == "0" {
        return true;
    }
    ours == theirs
}

#[test]
fn corpus_matches_peer_facts() {
    let Some(dir) = common::corpus_dir() else { return };
    let manifest = std::fs::read_to_string(dir.join("MANIFEST.tsv")).unwrap();
    let keys = ["records", "first_ts", "last_ts", "session_total_distance_m", "max_hr", "file_id"];
    let (mut files, mut exact, mut documented, mut broken_ok) = (0, 0, 0, 0);
    let mut failures = Vec::new();
    for line in manifest.lines().skip(1) {
        let cols: Vec<&str> = line.split('\t').collect();
        if cols.len() < 7 || !cols[0].starts_with("fit/") {
            continue;
        }
        let path = dir.join(cols[0]);
        let Ok(data) = std::fs::read(&path) else {
            failures.push(format!("{}: missing file", cols[0]));
            continue;
        };
        let broken = cols[0].starts_with("fit/broken/");
        files += 1;
        let peers = parse_peers(cols[6]);
        let (ours, report, compressed) = our_facts(&data);
        let mut diffs = Vec::new();
        let mut doc = Vec::new();
        for key in keys {
            let ok_peers: Vec<&Peer> = peers.iter().filter(|p| p.ok && p.facts.contains_key(key)).collect();
            // Reference: all ok peers agreeing; else the Garmin SDK; else (broken) all peers agreeing.
            let reference: Option<String> = {
                let vals: Vec<&String> = ok_peers.iter().map(|p| &p.facts[key]).collect();
                if !vals.is_empty() && vals.iter().all(|v| *v == vals[0]) {
                    Some(vals[0].clone())
                } else if let Some(g) = ok_peers.iter().find(|p| p.name == "garmin_sdk") {
                    Some(g.facts[key].clone())
                } else if ok_peers.is_empty() {
                    let all: Vec<&String> = peers.iter().filter_map(|p| p.facts.get(key)).collect();
                    if !all.is_empty() && all.iter().all(|v| *v == all[0]) {
                        Some(all[0].clone())
                    } else {
                        None
                    }
                } else {
                    None
                }
            };
            let Some(reference) = reference else { continue };
            let mine = &ours[key];
            if same(key, mine, &reference) {
                continue;
            }
            // Documented choices (NOTES.md):
            if compressed && (key == "first_ts" || key == "last_ts") && reference.is_empty() {
                doc.push(format!(
                    "{key}: peers give none for compressed-timestamp records, we give {mine:?}"
                ));
                continue;
            }
            if broken && cols[0].contains("empty-activities") && key != "file_id" {
                doc.push(format!(
                    "{key}: header data_size=0, we read to end of input: {mine:?} vs peers {reference:?}"
                ));
                continue;
            }
            diffs.push(format!("{key}: ours={mine:?} peers={reference:?}"));
        }
        if broken {
            // must give partial results plus a damage report (or a CRC report)
            let flagged = !report.damage.is_empty() || !report.file_crc_ok;
            let semantically_broken = cols[0].contains("broken-dates")
                || cols[0].contains("broken-start-latlng")
                || cols[0].contains("inverted-times");
            if flagged || semantically_broken {
                broken_ok += 1;
            } else {
                diffs.push("broken file decoded without any damage report".into());
            }
        } else if !report.damage.is_empty() {
            diffs.push(format!("unexpected damage: {:?}", report.damage));
        }
        if diffs.is_empty() {
            if doc.is_empty() {
                exact += 1;
                println!("MATCH    {}", cols[0]);
            } else {
                documented += 1;
                println!("DOC      {} -- {}", cols[0], doc.join("; "));
            }
        } else {
            println!("MISMATCH {} -- {}", cols[0], diffs.join("; "));
            failures.push(format!("{}: {}", cols[0], diffs.join("; ")));
        }
    }
    println!("corpus: {files} FIT files, {exact} exact matches, {documented} documented differences, {} mismatches, {broken_ok} broken files flagged", failures.len());
    assert!(files > 0);
    assert!(failures.is_empty(), "{} mismatches:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn corpus_reader_equals_slice() {
    let Some(dir) = common::corpus_dir() else {
        return;
    };
    let mut n = 0;
    for sub in ["fit", "fit/broken"] {
        for e in std::fs::read_dir(dir.join(sub)).unwrap() {
            let p = e.unwrap().path();
            if !p.is_file() || p.metadata().unwrap().len() > 600_000 {
                continue;
            }
            let data = std::fs::read(&p).unwrap();
            let (a, ra) = fit::decode(&data);
            // a reader that returns 7 bytes at a time
            struct Dribble<'a>(&'a [u8]);
            impl std::io::Read for Dribble<'_> {
                fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                    let k = buf.len().min(7).min(self.0.len());
                    buf[..k].copy_from_slice(&self.0[..k]);
                    self.0 = &self.0[k..];
                    Ok(k)
                }
            }
            let mut b = Vec::new();
            let rb = fit::decode_reader(Dribble(&data), fit::DecodeOptions::default(), |m| b.push(m));
            assert_eq!(a.len(), b.len(), "{}", p.display());
            if let Some(i) = (0..a.len()).find(|&i| a[i] != b[i]) {
                panic!("{}: message {i} differs:\n slice  {:?}\n reader {:?}", p.display(), a[i], b[i]);
            }
            assert_eq!(ra, rb, "{}", p.display());
            n += 1;
        }
    }
    println!("reader == slice on {n} files");
}

#[test]
fn broken_files_partial_results() {
    let Some(dir) = common::corpus_dir() else {
        return;
    };
    let cases: &[(&str, usize, &str)] = &[
        ("fitparse__activity-filecrc.fit", 14, "file CRC mismatch"),
        ("fitparse__activity-settings-corruptheader.fit", 14, "not a FIT file header"),
        ("fitparse__activity-unexpected-eof.fit", 14, "unexpected end of input"),
        ("fitparse__nick.fit", 14391, "record extends past"),
        ("fitparse__strava-android-app-201.10-b1218918.fit", 473, "undefined local message 11"),
    ];
    for (name, records, reason) in cases {
        let data = std::fs::read(dir.join("fit/broken").join(name)).unwrap();
        let s = fit::summarize(&data);
        assert_eq!(s.records.len(), *records, "{name}");
        assert!(
            s.report.damage.iter().any(|d| d.reason.to_string().contains(reason)),
            "{name}: {:?}",
            s.report.damage
        );
        for d in &s.report.damage {
            println!("{name}: {d}");
        }
    }
    // not FIT at all
    let s = fit::summarize(b"this is not a fit file at all, sorry");
    assert!(s.records.is_empty());
    assert_eq!(s.report.damage[0].reason, fit::DamageReason::NotFitHeader);
    assert_eq!(s.report.damage[0].bytes_skipped, 36);
}

/// The borrowed paths (`decode_each`, `next_ref` of both drivers), which reuse one message's
/// vectors for the next, give exactly the owned messages, on every corpus file.
#[test]
fn corpus_borrowed_equals_owned() {
    let Some(dir) = common::corpus_dir() else {
        return;
    };
    let mut n = 0;
    for sub in ["fit", "fit/broken"] {
        for e in std::fs::read_dir(dir.join(sub)).unwrap() {
            let p = e.unwrap().path();
            if !p.is_file() {
                continue;
            }
            let data = std::fs::read(&p).unwrap();
            let (owned, report) = fit::decode(&data);
            let mut lent = Vec::new();
            let lent_report =
                fit::decode_each(&data, fit::DecodeOptions::default(), |m| lent.push(m.clone()));
            assert_eq!(owned.len(), lent.len(), "{}", p.display());
            if let Some(i) = (0..owned.len()).find(|&i| owned[i] != lent[i]) {
                panic!("{}: message {i} differs:\n owned {:?}\n lent  {:?}", p.display(), owned[i], lent[i]);
            }
            assert_eq!(report, lent_report, "{}", p.display());
            let mut reader = fit::ReaderDecoder::new(&data[..], fit::DecodeOptions::default());
            let mut i = 0;
            while let Some(m) = reader.next_ref() {
                assert_eq!(m, &owned[i], "{}: reader message {i}", p.display());
                i += 1;
            }
            assert_eq!(i, owned.len(), "{}", p.display());
            assert_eq!(reader.finish(), report, "{}", p.display());
            n += 1;
        }
    }
    assert!(n > 90, "only {n} files");
    println!("borrowed == owned on {n} files");
}
