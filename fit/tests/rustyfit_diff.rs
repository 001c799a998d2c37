//! Differential test against the `rustyfit` crate: on every good corpus file that both
//! decoders read without error, the same `record` messages with the same field values
//! (timestamp, position, heart rate, cadence, power, speed, distance, altitude, ... every
//! numeric field, expanded components included), compared after scaling.
//!
//! Tolerance: exact, except one raw unit of the target field for values produced by
//! component expansion. rustyfit stores an expanded value back as a raw integer
//! (`((v / scale - offset + offset') * scale') as u64`), truncating when float rounding
//! lands just under an integer (1.234 m/s can come back as 1233 mm/s); we keep the float.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout, clippy::print_stderr)] // test code: a failed unwrap is a failed test, and it prints what it compared
mod common;

use std::collections::BTreeMap;

use fitstream::{self as fit, BaseType, FieldKind, FitTime, FitValue};
use rustyfit::proto::{Message, Value};
use rustyfit::{DecoderEvent, StreamingIterator};

const RECORD: u16 = 20;

/// One record's numeric fields: field number -> (physical values, tolerance, expanded).
type Fields = BTreeMap<u8, (Vec<f64>, f64, bool)>;

fn profile_scale(num: u8) -> (f64, f64) {
    fit::message_profile(RECORD).and_then(|m| m.field(num)).map_or((1.0, 0.0), |p| (p.scale, p.offset))
}

/// A field that components of other record fields expand into (speed -> enhanced_speed...).
fn component_target(num: u8) -> bool {
    fit::message_profile(RECORD).is_some_and(|m| {
        m.fields.iter().any(|f| {
            f.components.iter().any(|c| c.target == num)
                || f.subfields.iter().any(|s| s.components.iter().any(|c| c.target == num))
        })
    })
}

fn profile_array(num: u8) -> bool {
    fit::message_profile(RECORD).and_then(|m| m.field(num)).is_some_and(|p| p.array)
}

/// Raw FIT timestamp of a time.
fn raw_time(t: FitTime) -> f64 {
    match t {
        FitTime::Utc(u) => (u - fit::FIT_EPOCH_UNIX) as f64,
        FitTime::Relative(r) => r as f64,
    }
}

fn ours(m: &fit::FitMessage) -> Fields {
    let mut out = Fields::new();
    for f in &m.fields {
        let vals = match f.kind {
            // Already physical.
            FieldKind::Expanded => {
                let (scale, _) = profile_scale(f.num);
                (f.f64s(), 1.0 / scale, true)
            }
            // Raw: scaled like the main field (rustyfit does not apply sub-field scales). A
            // component target the file wrote itself: rustyfit overwrites it with the
            // (truncated) expansion, so one raw unit of tolerance there too.
            _ => {
                let (s, o) = profile_scale(f.num);
                let tol = if component_target(f.num) { 1.0 / s } else { 0.0 };
                (f.value.numbers().into_iter().map(|v| v / s - o).collect(), tol, false)
            }
        };
        if !vals.0.is_empty() {
            out.insert(f.num, vals);
        }
    }
    if let Some(t) = m.timestamp {
        out.insert(253, (vec![raw_time(t)], 0.0, false));
    }
    out
}

/// Numbers of a rustyfit value, invalid elements (by the field's base type) left out.
fn their_numbers(v: &Value, base: u8) -> Vec<f64> {
    let inv = BaseType::from_byte(base).map_or(u64::MAX, |b| b.invalid_bits());
    // A byte array is invalid only when every byte is 0xFF: its elements are all kept.
    let inv = if base & 0x1F == 0x0D { 0x1_0000 } else { inv };
    let mask = |bits: u64, w: u32| if w == 64 { bits } else { bits & ((1u64 << w) - 1) };
    let ok = |bits: u64, w: u32| mask(bits, w) != mask(inv, w);
    let int = |x: i64, w: u32| ok(x as u64, w).then_some(x as f64);
    let uint = |x: u64, w: u32| ok(x, w).then_some(x as f64);
    let f32v = |x: f32| (ok(x.to_bits() as u64, 32) && !x.is_nan()).then_some(x as f64);
    let f64v = |x: f64| (ok(x.to_bits(), 64) && !x.is_nan()).then_some(x);
    match v {
        Value::Int8(x) => int(*x as i64, 8).into_iter().collect(),
        Value::Uint8(x) => uint(*x as u64, 8).into_iter().collect(),
        Value::Int16(x) => int(*x as i64, 16).into_iter().collect(),
        Value::Uint16(x) => uint(*x as u64, 16).into_iter().collect(),
        Value::Int32(x) => int(*x as i64, 32).into_iter().collect(),
        Value::Uint32(x) => uint(*x as u64, 32).into_iter().collect(),
        Value::Int64(x) => int(*x, 64).into_iter().collect(),
        Value::Uint64(x) => uint(*x, 64).into_iter().collect(),
        Value::Float32(x) => f32v(*x).into_iter().collect(),
        Value::Float64(x) => f64v(*x).into_iter().collect(),
        Value::ArrayInt8(a) => a.iter().filter_map(|x| int(*x as i64, 8)).collect(),
        Value::ArrayUint8(a) => a.iter().filter_map(|x| uint(*x as u64, 8)).collect(),
        Value::ArrayInt16(a) => a.iter().filter_map(|x| int(*x as i64, 16)).collect(),
        Value::ArrayUint16(a) => a.iter().filter_map(|x| uint(*x as u64, 16)).collect(),
        Value::ArrayInt32(a) => a.iter().filter_map(|x| int(*x as i64, 32)).collect(),
        Value::ArrayUint32(a) => a.iter().filter_map(|x| uint(*x as u64, 32)).collect(),
        Value::ArrayInt64(a) => a.iter().filter_map(|x| int(*x, 64)).collect(),
        Value::ArrayUint64(a) => a.iter().filter_map(|x| uint(*x, 64)).collect(),
        Value::ArrayFloat32(a) => a.iter().filter_map(|x| f32v(*x)).collect(),
        Value::ArrayFloat64(a) => a.iter().filter_map(|x| f64v(*x)).collect(),
        _ => Vec::new(),
    }
}

fn theirs(m: &Message) -> Fields {
    let mut out = Fields::new();
    for f in &m.fields {
        let (s, o) = profile_scale(f.num);
        let vals: Vec<f64> = their_numbers(&f.value, f.base_type.0).into_iter().map(|v| v / s - o).collect();
        if !vals.is_empty() {
            out.insert(f.num, (vals, 0.0, false));
        }
    }
    out
}

/// rustyfit's record messages, or None when it fails on the file.
fn rustyfit_records(data: &[u8]) -> Option<Vec<Message>> {
    let mut dec = rustyfit::Decoder::new();
    let mut stream = dec.stream(data);
    let mut out = Vec::new();
    while let Some(ev) = stream.next() {
        match ev {
            Ok(DecoderEvent::Message(m)) if m.num.0 == RECORD => out.push(m.clone()),
            Ok(_) => {}
            Err(_) => return None,
        }
    }
    Some(out)
}

fn same(a: &[f64], b: &[f64], tol: f64) -> bool {
    a.len() == b.len()
        && a.iter().zip(b).all(|(x, y)| (x - y).abs() <= tol + 1e-9 * x.abs().max(y.abs()).max(1.0))
}

#[test]
fn records_match_rustyfit() {
    let Some(dir) = common::corpus_dir() else { return };
    let mut paths: Vec<_> = std::fs::read_dir(dir.join("fit"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x.eq_ignore_ascii_case("fit")))
        .collect();
    paths.sort();
    let (mut compared, mut records, mut values, mut skipped) = (0, 0, 0, Vec::new());
    let (mut failures, mut documented) = (Vec::new(), Vec::new());
    for p in &paths {
        let name = p.file_name().unwrap().to_string_lossy().to_string();
        let data = std::fs::read(p).unwrap();
        let (msgs, report) = fit::decode(&data);
        assert!(report.damage.is_empty(), "{name}: a good file decoded with damage: {:?}", report.damage);
        let Some(theirs_recs) = rustyfit_records(&data) else {
            skipped.push(name);
            continue;
        };
        compared += 1;
        let ours_recs: Vec<&fit::FitMessage> = msgs.iter().filter(|m| m.global_num == RECORD).collect();
        if ours_recs.len() != theirs_recs.len() {
            failures.push(format!("{name}: {} records, rustyfit {}", ours_recs.len(), theirs_recs.len()));
            continue;
        }
        for (i, (a, b)) in ours_recs.iter().zip(&theirs_recs).enumerate() {
            records += 1;
            let (a, b) = (ours(a), theirs(b));
            let nums: Vec<u8> = a.keys().chain(b.keys()).copied().collect();
            for num in nums {
                // compressed_speed_distance's raw bytes: rustyfit drops a trailing 0 byte and
                // keeps an all-0xFF (invalid) array; what they expand into is compared instead.
                if num == 8 {
                    continue;
                }
                match (a.get(&num), b.get(&num)) {
                    (Some((x, tol, _)), Some((y, _, _))) if same(x, y, *tol) => values += 1,
                    // A field the profile does not make an array, written by the file with
                    // several elements: rustyfit reads the first, we keep them all.
                    (Some((x, tol, _)), Some((y, _, _)))
                        if x.len() > 1 && y.len() == 1 && !profile_array(num) && same(&x[..1], y, *tol) =>
                    {
                        values += 1;
                        documented
                            .push(format!("{name}: field {num}: ours all elements, rustyfit the first"));
                    }
                    // rustyfit does not expand compressed_speed_distance (field 8) into speed
                    // and distance in every record (fitparse__compressed-speed-distance.fit).
                    (Some((_, _, true)), None) if a.contains_key(&8) => {
                        documented.push(format!("{name}: field {num}: expanded by us only"));
                    }
                    (x, y) => {
                        failures.push(format!("{name}: record {i} field {num}: ours {x:?}, rustyfit {y:?}"));
                    }
                }
            }
        }
    }
    println!(
        "rustyfit: {compared} files compared ({records} records, {values} field values equal), {} skipped (rustyfit failed: {})",
        skipped.len(),
        skipped.join(", ")
    );
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for d in &documented {
        *counts.entry(d.as_str()).or_default() += 1;
    }
    for (d, n) in counts {
        println!("documented difference ({n} records): {d}");
    }
    failures.dedup_by(|a, b| a.split(": record").next() == b.split(": record").next());
    assert!(compared >= 80, "only {compared} files compared");
    assert!(
        failures.is_empty(),
        "{} files differ; first difference of each:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn value_helpers_skip_invalid_elements() {
    // uint8 0xFF and sint16 0x7FFF are invalid; the rest are kept.
    assert_eq!(their_numbers(&Value::ArrayUint8(vec![1, 0xFF, 3].into()), 0x02), vec![1.0, 3.0]);
    assert_eq!(their_numbers(&Value::Int16(0x7FFF), 0x83), Vec::<f64>::new());
    assert_eq!(their_numbers(&Value::Int16(-5), 0x83), vec![-5.0]);
    let _ = FitValue::UInt(0); // the types this test compares
}
