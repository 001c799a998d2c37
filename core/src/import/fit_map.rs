//! FIT -> the record: [`FitSummary`] to an [`ImportBatch`](crate::store::ImportBatch).
//!
//! * Sessions become activities (laps and the records inside the session as the track);
//!   a file with records but no session becomes one activity from its records.
//! * Monitoring: cumulative step counters become step intervals (differences between
//!   consecutive readings of one activity type; a drop means a new day), heart rate
//!   becomes heart-rate samples. `monitoring_hr_data` gives resting heart rate,
//!   `max_met_data` VO2max, `hrv_value` overnight HRV, `hrv` RR intervals (SDNN).
//! * Sleep levels become one sleep-duration sample per night (light + deep + REM).
//! * `weight_scale` -> weight and body fat; `blood_pressure` -> systolic, diastolic, pulse.
//! * The sample source is the device ("garmin fenix6x"), from `file_id`/`device_info`.
//!
//! Activity ids are stable across copies and re-exports of the same recording:
//! `fit:<manufacturer>:<serial>:<session start>` when the file names its device serial,
//! else `fit:<sha256 of the file>:<session index>`.

use super::derive::{derive, DeriveOptions};
use super::fit::{self, FitSummary};
use super::{Parsed, Problem};
use crate::record::{Activity, Lap, Sample, SampleKind, Sport, TrackPoint};

fn ms(s: i64) -> i64 {
    s.saturating_mul(1000)
}

/// The device name used as the sample source.
pub fn source_name(s: &FitSummary) -> String {
    let fid = s.file_id();
    let creator = s.device_info.iter().find(|d| d.device_index == Some(0));
    let manu = fid.and_then(|f| f.manufacturer_name).or(creator.and_then(|d| d.manufacturer_name));
    let prod = fid.and_then(|f| f.product_name.clone()).or(creator.and_then(|d| d.product_name.clone()));
    let name = match (manu, prod) {
        (Some(m), Some(p)) => format!("{m} {p}"),
        (Some(m), None) => m.to_string(),
        (None, Some(p)) => p,
        (None, None) => "fit device".to_string(),
    };
    name.replace('_', " ")
}

fn lap_of(l: &fit::Lap) -> Option<Lap> {
    let start = l.start_time?;
    Some(Lap {
        start_ms: ms(start),
        duration_s: l
            .total_elapsed_time
            .or_else(|| l.timestamp.map(|e| (e - start) as f64))
            .unwrap_or(0.0)
            .max(0.0),
        distance_m: l.total_distance,
        avg_hr: l.avg_heart_rate.map(f64::from),
        max_hr: l.max_heart_rate.map(f64::from),
        calories: l.total_calories.map(f64::from),
    })
}

fn point_of(r: &fit::Record) -> Option<TrackPoint> {
    let t = r.timestamp?;
    let valid = |v: f64, lo: f64, hi: f64| (v.is_finite() && v >= lo && v <= hi).then_some(v);
    Some(TrackPoint {
        t_ms: ms(t),
        lat: r.latitude.and_then(|v| valid(v, -90.0, 90.0)),
        lon: r.longitude.and_then(|v| valid(v, -180.0, 180.0)),
        altitude_m: r.altitude.and_then(|v| valid(v, -1000.0, 10000.0)),
        distance_m: r.distance.and_then(|v| valid(v, 0.0, 1e7)),
        hr: r.heart_rate.map(f64::from),
        cadence: r.cadence.map(f64::from),
        power: r.power.map(f64::from),
        speed_mps: r.speed.and_then(|v| valid(v, 0.0, 200.0)),
        temperature_c: r.temperature.map(f64::from),
    })
}

/// Maps a decoded FIT file. `sha256` identifies the file when it names no device serial.
pub fn map_summary(s: &FitSummary, sha256: &str, opts: &DeriveOptions) -> Parsed {
    let mut out = Parsed { points: s.records.len() as u64, ..Default::default() };
    for d in &s.report.damage {
        out.problems
            .push(Problem::at_byte(d.offset, format!("{} ({} bytes skipped)", d.reason, d.bytes_skipped)));
    }
    // A CRC mismatch alone loses nothing we can see; skipped bytes do.
    out.damaged = s.report.damage.iter().any(|d| d.bytes_skipped > 0)
        || (s.report.chained_files == 0 && s.report.messages > 0);
    for (k, n) in [
        ("records", s.records.len()),
        ("sessions", s.sessions.len()),
        ("laps", s.laps.len()),
        ("monitoring", s.monitoring.len()),
        ("sleep_levels", s.sleep_levels.len()),
        ("hrv", s.hrv.len()),
        ("weight_scale", s.weight_scale.len()),
        ("blood_pressure", s.blood_pressure.len()),
        ("device_info", s.device_info.len()),
    ] {
        if n > 0 {
            out.count(k, n as u64);
        }
    }
    let source = source_name(s);
    let fid = s.file_id();
    let serial = fid
        .and_then(|f| f.serial_number)
        .or_else(|| s.device_info.iter().find(|d| d.device_index == Some(0)).and_then(|d| d.serial_number));
    let key = |start: i64, i: usize| match (serial, fid.and_then(|f| f.manufacturer)) {
        (Some(sn), m) => format!("fit:{}:{sn}:{start}", m.unwrap_or(0)),
        (None, _) => format!("fit:{sha256}:{i}"),
    };
    let uptime_only = s.records.iter().filter(|r| r.timestamp.is_none()).count();
    if uptime_only > 0 {
        out.problems.push(Problem::general(format!(
            "{uptime_only} records carry only device uptime, not a date; they are not placed on the calendar"
        )));
    }
    let points: Vec<TrackPoint> = s.records.iter().filter_map(point_of).collect();

    // Activities.
    let mut sessions: Vec<&fit::Session> = s.sessions.iter().filter(|x| x.start_time.is_some()).collect();
    sessions.sort_by_key(|x| x.start_time);
    for (i, sess) in sessions.iter().enumerate() {
        let start = sess.start_time.unwrap_or_default();
        let elapsed = sess
            .total_elapsed_time
            .or_else(|| sess.timestamp.map(|e| (e - start) as f64))
            .unwrap_or(0.0)
            .max(0.0);
        let end = ms(start) + (elapsed * 1000.0) as i64;
        // Records of this session: inside its time span (a second of slack either side).
        let track: Vec<TrackPoint> =
            points.iter().filter(|p| p.t_ms >= ms(start) - 1000 && p.t_ms <= end + 1000).copied().collect();
        let laps: Vec<Lap> = s
            .laps
            .iter()
            .filter(|l| l.start_time.is_some_and(|t| ms(t) >= ms(start) - 1000 && ms(t) <= end))
            .filter_map(lap_of)
            .collect();
        let mut a = Activity {
            id: String::new(),
            sport: Sport::from_fit(sess.sport, sess.sub_sport),
            name: None,
            start_ms: ms(start),
            elapsed_s: elapsed,
            timer_s: sess.total_timer_time,
            distance_m: sess.total_distance,
            avg_hr: sess.avg_heart_rate.map(f64::from),
            max_hr: sess.max_heart_rate.map(f64::from),
            calories: sess.total_calories.map(f64::from),
            ascent_m: None,
            source: source.clone(),
            source_id: key(start, i),
            also_from: vec![],
            laps,
            metrics: Default::default(),
            track,
        };
        derive(&mut a, opts);
        out.batch.activities.push(a);
    }
    let is_activity_file = fid.and_then(|f| f.file_type).is_none_or(|t| t == "activity");
    if sessions.is_empty() && points.len() >= 2 && is_activity_file {
        // No session (cut-off recording, or a device that writes none): one activity from records.
        let start = points[0].t_ms;
        let end = points.iter().map(|p| p.t_ms).max().unwrap_or(start);
        let sport = s.laps.first().map_or(Sport::Generic, |l| Sport::from_fit(l.sport, l.sub_sport));
        let mut a = Activity {
            id: String::new(),
            sport,
            name: None,
            start_ms: start,
            elapsed_s: (end - start) as f64 / 1000.0,
            timer_s: None,
            distance_m: None,
            avg_hr: None,
            max_hr: None,
            calories: None,
            ascent_m: None,
            source: source.clone(),
            source_id: key(start / 1000, 0),
            also_from: vec![],
            laps: s.laps.iter().filter_map(lap_of).collect(),
            metrics: Default::default(),
            track: points.clone(),
        };
        derive(&mut a, opts);
        out.problems.push(Problem::general(
            "no session summary in the file: the activity was rebuilt from its records",
        ));
        out.batch.activities.push(a);
    }

    // Samples.
    let samples = &mut out.batch.samples;
    let mut push = |kind: SampleKind, start_s: i64, end_s: i64, v: f64| {
        samples.push(Sample {
            kind,
            start_ms: ms(start_s),
            end_ms: ms(end_s),
            value: v,
            source: source.clone(),
            dedup_key: None,
        });
    };
    // Monitoring: cumulative counters per activity type.
    let mut last_steps: std::collections::HashMap<&str, (i64, u32)> = Default::default();
    for m in &s.monitoring {
        let Some(t) = m.timestamp else { continue };
        if let Some(hr) = m.heart_rate.filter(|h| *h > 0) {
            push(SampleKind::HeartRate, t, t, f64::from(hr));
        }
        if let Some(st) = m.steps {
            let at = m.activity_type.unwrap_or("generic");
            if let Some((pt, ps)) = last_steps.get(at).copied() {
                if st > ps && t > pt {
                    push(SampleKind::Steps, pt, t, f64::from(st - ps));
                }
            }
            last_steps.insert(at, (t, st));
        }
    }
    for (t, v) in &s.resting_hr {
        push(SampleKind::RestingHeartRate, *t, *t, f64::from(*v));
    }
    for (t, v) in &s.vo2max {
        push(SampleKind::Vo2Max, *t, *t, *v);
    }
    for (t, v) in &s.hrv_values {
        push(SampleKind::HeartRateVariability, *t, *t, *v);
    }
    // RR intervals -> one SDNN per file (needs at least 30 beats).
    let rr: Vec<f64> =
        s.hrv.iter().flat_map(|h| h.rr_s.iter().copied()).filter(|v| *v > 0.25 && *v < 2.5).collect();
    if rr.len() >= 30 {
        let t0 = s.hrv.iter().find_map(|h| h.after_timestamp);
        let t1 = s.hrv.iter().rev().find_map(|h| h.after_timestamp);
        if let (Some(a), Some(b)) = (t0, t1) {
            let mean = rr.iter().sum::<f64>() / rr.len() as f64;
            let sd = (rr.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (rr.len() - 1) as f64).sqrt();
            push(SampleKind::HeartRateVariability, a, b.max(a), sd * 1000.0);
        }
    }
    // Sleep: each level lasts until the next one; a gap over 2 h starts a new night.
    let mut levels: Vec<(i64, &str)> = s
        .sleep_levels
        .iter()
        .filter_map(|l| Some((l.timestamp?, l.level_name.unwrap_or("unmeasurable"))))
        .collect();
    levels.sort_by_key(|l| l.0);
    let mut night: Option<(i64, i64, f64)> = None;
    for w in levels.windows(2) {
        let ((t, lvl), (t2, _)) = (w[0], w[1]);
        let dur = (t2 - t) as f64;
        if dur > 7200.0 {
            if let Some((a, b, asleep)) = night.take() {
                push(SampleKind::SleepDuration, a, b, asleep / 60.0);
            }
            continue;
        }
        let n = night.get_or_insert((t, t2, 0.0));
        n.1 = t2;
        if matches!(lvl, "light" | "deep" | "rem") {
            n.2 += dur;
        }
    }
    if let Some((a, b, asleep)) = night {
        push(SampleKind::SleepDuration, a, b, asleep / 60.0);
    }
    for w in &s.weight_scale {
        let Some(t) = w.timestamp else { continue };
        if let Some(kg) = w.weight_kg {
            push(SampleKind::Weight, t, t, kg);
        }
        if let Some(f) = w.percent_fat {
            push(SampleKind::BodyFat, t, t, f);
        }
    }
    for b in &s.blood_pressure {
        let Some(t) = b.timestamp else { continue };
        if let Some(v) = b.systolic_mmhg {
            push(SampleKind::BloodPressureSystolic, t, t, f64::from(v));
        }
        if let Some(v) = b.diastolic_mmhg {
            push(SampleKind::BloodPressureDiastolic, t, t, f64::from(v));
        }
        if let Some(v) = b.heart_rate {
            push(SampleKind::HeartRate, t, t, f64::from(v));
        }
    }
    let timeless = s.weight_scale.iter().filter(|w| w.timestamp.is_none()).count()
        + s.blood_pressure.iter().filter(|b| b.timestamp.is_none()).count();
    if timeless > 0 {
        out.problems.push(Problem::general(format!(
            "{timeless} scale or cuff readings have no date and were left out"
        )));
    }
    out.drop_invalid();
    out
}

/// Decodes and maps FIT bytes.
pub fn parse(data: &[u8], opts: &DeriveOptions) -> Parsed {
    let summary = fit::summarize(data);
    let mut p = map_summary(&summary, &super::sha256_hex(data), opts);
    if summary.report.messages == 0 {
        p.damaged = true;
        if p.problems.is_empty() {
            p.problems.push(Problem::at_byte(0, "no FIT messages could be read"));
        }
    }
    p
}
