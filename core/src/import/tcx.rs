//! Garmin Training Center XML (TCX): activities with laps, track points, heart rate,
//! cadence (bike `Cadence` and run `RunCadence`), power and speed extensions, calories.
//! One activity per `<Activity>`; files with several (multisport) give several.

use super::derive::{derive, DeriveOptions};
use super::xml::{check_declaration, f64_of, parse_time, problem_at, strip_bom};
use super::{Parsed, Problem};
use crate::record::{Activity, Lap, Sport, TrackPoint};
use quick_xml::events::Event;
use quick_xml::Reader;

fn blank_point() -> TrackPoint {
    TrackPoint {
        t_ms: i64::MIN,
        lat: None,
        lon: None,
        altitude_m: None,
        distance_m: None,
        hr: None,
        cadence: None,
        power: None,
        speed_mps: None,
        temperature_c: None,
    }
}

struct Act {
    sport: Sport,
    id: Option<i64>,
    laps: Vec<Lap>,
    track: Vec<TrackPoint>,
    calories: f64,
    has_cal: bool,
    creator: Option<String>,
}

/// Parses a TCX document. `file_id` (sha256) is used when an activity has no `<Id>`.
pub fn parse(data: &[u8], file_id: &str, opts: &DeriveOptions) -> Result<Parsed, Problem> {
    let body = strip_bom(data);
    let bom = (data.len() - body.len()) as u64;
    let mut out = Parsed::default();
    if let Some(p) = check_declaration(data) {
        out.problems.push(p);
        out.damaged = true;
    }
    let mut r = Reader::from_reader(body);
    r.config_mut().trim_text(true);
    let mut buf = Vec::new();
    let mut stack: Vec<Vec<u8>> = Vec::new();
    let mut acts: Vec<Act> = Vec::new();
    let mut lap: Option<Lap> = None;
    let mut pt: Option<TrackPoint> = None;
    let (mut tps, mut laps_n, mut with_hr, mut with_cad, mut untimed) = (0u64, 0u64, 0u64, 0u64, 0u64);
    let mut saw_root = false;
    // lxml's count (MANIFEST) is of <Cadence> elements; RunCadence (extension) is kept too.
    let mut cad_elem = false;
    loop {
        let ev = r.read_event_into(&mut buf);
        match ev {
            Ok(Event::Start(ref e)) | Ok(Event::Empty(ref e)) => {
                let empty = matches!(ev, Ok(Event::Empty(_)));
                let local = e.local_name().as_ref().to_vec();
                match local.as_slice() {
                    b"TrainingCenterDatabase" => saw_root = true,
                    b"Activity" => {
                        let sport = e
                            .attributes()
                            .flatten()
                            .find(|a| a.key.local_name().as_ref() == b"Sport")
                            .and_then(|a| a.unescape_value().ok().map(|v| v.into_owned()))
                            .unwrap_or_default();
                        acts.push(Act {
                            sport: Sport::from_label(&sport),
                            id: None,
                            laps: vec![],
                            track: vec![],
                            calories: 0.0,
                            has_cal: false,
                            creator: None,
                        });
                    }
                    b"Lap" => {
                        laps_n += 1;
                        let start = e
                            .attributes()
                            .flatten()
                            .find(|a| a.key.local_name().as_ref() == b"StartTime")
                            .and_then(|a| a.unescape_value().ok().and_then(|v| parse_time(&v)));
                        lap = Some(Lap {
                            start_ms: start.unwrap_or(i64::MIN),
                            duration_s: 0.0,
                            distance_m: None,
                            avg_hr: None,
                            max_hr: None,
                            calories: None,
                        });
                    }
                    b"Trackpoint" => pt = Some(blank_point()),
                    _ => {}
                }
                if !empty {
                    stack.push(local);
                } else if local == b"Trackpoint" {
                    pt = None;
                    tps += 1;
                    untimed += 1;
                }
            }
            Ok(Event::End(_)) => {
                let Some(local) = stack.pop() else { continue };
                match local.as_slice() {
                    b"Trackpoint" => {
                        if let Some(p) = pt.take() {
                            tps += 1;
                            with_hr += u64::from(p.hr.is_some());
                            with_cad += u64::from(cad_elem);
                            cad_elem = false;
                            match acts.last_mut() {
                                Some(a) if p.t_ms != i64::MIN => a.track.push(p),
                                _ => untimed += 1,
                            }
                        }
                    }
                    b"Lap" => {
                        if let (Some(l), Some(a)) = (lap.take(), acts.last_mut()) {
                            if let Some(c) = l.calories {
                                a.calories += c;
                                a.has_cal = true;
                            }
                            if l.start_ms != i64::MIN {
                                a.laps.push(l);
                            }
                        }
                    }
                    _ => {}
                }
            }
            Ok(Event::Text(t)) => {
                let Ok(text) = t.unescape() else { continue };
                let n = stack.len();
                let top = stack.last().map(Vec::as_slice).unwrap_or_default();
                let parent =
                    n.checked_sub(2).and_then(|i| stack.get(i)).map(Vec::as_slice).unwrap_or_default();
                let v = f64_of(&text);
                if let Some(p) = pt.as_mut() {
                    match (parent, top) {
                        (b"Trackpoint", b"Time") => p.t_ms = parse_time(&text).unwrap_or(i64::MIN),
                        (b"Position", b"LatitudeDegrees") => p.lat = v.filter(|v| (-90.0..=90.0).contains(v)),
                        (b"Position", b"LongitudeDegrees") => {
                            p.lon = v.filter(|v| (-180.0..=180.0).contains(v))
                        }
                        (b"Trackpoint", b"AltitudeMeters") => {
                            p.altitude_m = v.filter(|v| (-1000.0..=10000.0).contains(v))
                        }
                        (b"Trackpoint", b"DistanceMeters") => p.distance_m = v.filter(|v| *v >= 0.0),
                        (b"HeartRateBpm", b"Value") => p.hr = v.filter(|v| *v > 0.0 && *v < 300.0),
                        (b"Trackpoint", b"Cadence") => {
                            cad_elem = true;
                            p.cadence = v.filter(|v| (0.0..400.0).contains(v));
                        }
                        (_, b"RunCadence") => p.cadence = v.filter(|v| (0.0..400.0).contains(v)),
                        (_, b"Watts") => p.power = v.filter(|v| (0.0..5000.0).contains(v)),
                        (_, b"Speed") => p.speed_mps = v.filter(|v| (0.0..200.0).contains(v)),
                        _ => {}
                    }
                } else if let Some(l) = lap.as_mut() {
                    match (parent, top) {
                        (b"Lap", b"TotalTimeSeconds") => {
                            l.duration_s = v.filter(|v| *v >= 0.0).unwrap_or(0.0)
                        }
                        (b"Lap", b"DistanceMeters") => l.distance_m = v.filter(|v| *v >= 0.0),
                        (b"Lap", b"Calories") => l.calories = v.filter(|v| *v >= 0.0),
                        (b"AverageHeartRateBpm", b"Value") => l.avg_hr = v.filter(|v| *v > 0.0),
                        (b"MaximumHeartRateBpm", b"Value") => l.max_hr = v.filter(|v| *v > 0.0),
                        _ => {}
                    }
                } else if let Some(a) = acts.last_mut() {
                    match (parent, top) {
                        (b"Activity", b"Id") => a.id = parse_time(&text),
                        (b"Creator", b"Name") if a.creator.is_none() => {
                            a.creator = Some(text.trim().to_string())
                        }
                        _ => {}
                    }
                }
            }
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(e) => {
                let p = problem_at(body, r.error_position() + bom, format!("XML syntax error: {e}"));
                if tps == 0 {
                    return Err(p);
                }
                out.problems.push(p);
                out.damaged = true;
                break;
            }
        }
        buf.clear();
    }
    if !saw_root {
        return Err(Problem::at_byte(0, "not a TCX document (no <TrainingCenterDatabase> element)"));
    }
    out.points = tps;
    for (k, v) in [
        ("trackpoints", tps),
        ("laps", laps_n),
        ("tp_with_hr", with_hr),
        ("tp_with_cadence", with_cad),
        ("activities", acts.len() as u64),
    ] {
        out.count(k, v);
    }
    if untimed > 0 {
        out.problems.push(Problem::general(format!(
            "{untimed} track points have no time and are not in the activity"
        )));
    }
    for (i, a) in acts.into_iter().enumerate() {
        let mut track = a.track;
        track.sort_by_key(|p| p.t_ms);
        let first_lap = a.laps.iter().map(|l| l.start_ms).min();
        let Some(start) = a.id.or(first_lap).or(track.first().map(|p| p.t_ms)) else { continue };
        let lap_end = a.laps.iter().map(|l| l.start_ms + (l.duration_s * 1000.0) as i64).max();
        let end = track.last().map(|p| p.t_ms).into_iter().chain(lap_end).max().unwrap_or(start).max(start);
        let lap_dist: Option<f64> = (!a.laps.is_empty() && a.laps.iter().all(|l| l.distance_m.is_some()))
            .then(|| a.laps.iter().filter_map(|l| l.distance_m).sum());
        let timer: f64 = a.laps.iter().map(|l| l.duration_s).sum();
        let mut act = Activity {
            id: String::new(),
            sport: a.sport,
            name: None,
            start_ms: start,
            elapsed_s: (end - start) as f64 / 1000.0,
            timer_s: (timer > 0.0).then_some(timer),
            distance_m: lap_dist,
            avg_hr: None,
            max_hr: a
                .laps
                .iter()
                .filter_map(|l| l.max_hr)
                .fold(None, |m: Option<f64>, v| Some(m.map_or(v, |m| m.max(v)))),
            calories: a.has_cal.then_some(a.calories),
            ascent_m: None,
            source: a.creator.filter(|c| !c.is_empty()).unwrap_or_else(|| "tcx".into()),
            source_id: match a.id {
                Some(t) => format!("tcx:{t}:{i}"),
                None => format!("tcx:{file_id}:{i}"),
            },
            also_from: vec![],
            laps: a.laps,
            metrics: Default::default(),
            track,
        };
        derive(&mut act, opts);
        out.batch.activities.push(act);
    }
    out.drop_invalid();
    Ok(out)
}
