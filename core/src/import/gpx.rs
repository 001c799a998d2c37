//! GPX 1.0 / 1.1 with Garmin's TrackPointExtension (hr, cad, atemp) and the common
//! un-namespaced variants (heartrate, cadence, power, temp), streamed with quick-xml.
//!
//! All timed track points of a file form one activity (a recorded outing); routes and
//! waypoints are counted but are plans, not activities. Times may be `Z` or offsets;
//! zone-less times are taken as UTC. A syntax error after some points gives a partial
//! result with the byte offset and line; before any point, an error.

use super::derive::{derive, haversine_m, DeriveOptions};
use super::xml::{check_declaration, f64_of, parse_time, problem_at, strip_bom};
use super::{Parsed, Problem};
use crate::record::{Activity, Sport, TrackPoint};
use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

#[derive(Clone, Copy, PartialEq)]
enum Pt {
    Trk,
    Rte,
    Wpt,
}

/// gpxpy's 2-D distance (what MANIFEST's `length_2d_m` is): flat-earth approximation for
/// points within 0.2 degrees, haversine beyond.
pub fn gpxpy_distance(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    if (lat1 - lat2).abs() > 0.2 || (lon1 - lon2).abs() > 0.2 {
        let r = 6_378_137.0;
        let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
        let a = ((p2 - p1) / 2.0).sin().powi(2)
            + p1.cos() * p2.cos() * ((lon2 - lon1).to_radians() / 2.0).sin().powi(2);
        return r * 2.0 * a.sqrt().atan2((1.0 - a).sqrt());
    }
    let one_degree = 2.0 * std::f64::consts::PI * 6_378_137.0 / 360.0;
    let coef = lat1.to_radians().cos();
    let x = lat1 - lat2;
    let y = (lon1 - lon2) * coef;
    (x * x + y * y).sqrt() * one_degree
}

fn attr(e: &BytesStart<'_>, name: &[u8]) -> Result<Option<String>, String> {
    for a in e.attributes() {
        let a = a.map_err(|e| format!("bad attribute: {e}"))?;
        if a.key.local_name().as_ref() == name {
            return Ok(Some(
                a.unescape_value().map_err(|e| format!("bad attribute value: {e}"))?.into_owned(),
            ));
        }
    }
    Ok(None)
}

fn new_point(e: &BytesStart<'_>) -> Result<TrackPoint, String> {
    let lat = attr(e, b"lat")?.as_deref().and_then(f64_of).filter(|v| (-90.0..=90.0).contains(v));
    let lon = attr(e, b"lon")?.as_deref().and_then(f64_of).filter(|v| (-180.0..=180.0).contains(v));
    Ok(TrackPoint {
        t_ms: i64::MIN,
        lat,
        lon,
        altitude_m: None,
        distance_m: None,
        hr: None,
        cadence: None,
        power: None,
        speed_mps: None,
        temperature_c: None,
    })
}

/// Parses a GPX document. `id` names the file in activity ids (its sha256).
pub fn parse(data: &[u8], id: &str, opts: &DeriveOptions) -> Result<Parsed, Problem> {
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
    let mut cur: Option<(Pt, TrackPoint)> = None;
    let mut track: Vec<TrackPoint> = Vec::new();
    let (mut tracks, mut trkpts, mut rtepts, mut wpts, mut untimed) = (0u64, 0u64, 0u64, 0u64, 0u64);
    let mut length = 0.0f64;
    let mut seg_last: Option<(f64, f64)> = None;
    let mut saw_gpx = false;
    let mut creator: Option<String> = None;
    let mut name: Option<String> = None;
    let mut sport: Option<Sport> = None;
    let mut finish =
        |cur: Option<(Pt, TrackPoint)>, track: &mut Vec<TrackPoint>, seg_last: &mut Option<(f64, f64)>| {
            let Some((kind, p)) = cur else { return };
            match kind {
                Pt::Trk => {
                    trkpts += 1;
                    if let (Some(la), Some(lo)) = (p.lat, p.lon) {
                        if let Some((pla, plo)) = *seg_last {
                            length += gpxpy_distance(pla, plo, la, lo);
                        }
                        *seg_last = Some((la, lo));
                    }
                    if p.t_ms == i64::MIN {
                        untimed += 1;
                    } else {
                        track.push(p);
                    }
                }
                Pt::Rte => rtepts += 1,
                Pt::Wpt => wpts += 1,
            }
        };
    loop {
        let ev = r.read_event_into(&mut buf);
        match ev {
            Ok(Event::Start(ref e)) | Ok(Event::Empty(ref e)) => {
                let empty = matches!(ev, Ok(Event::Empty(_)));
                let local = e.local_name().as_ref().to_vec();
                let pos = r.buffer_position();
                let res: Result<(), String> = (|| {
                    match local.as_slice() {
                        b"gpx" => {
                            saw_gpx = true;
                            creator = attr(e, b"creator")?;
                        }
                        b"trk" => tracks += 1,
                        b"trkseg" => seg_last = None,
                        b"trkpt" => cur = Some((Pt::Trk, new_point(e)?)),
                        b"rtept" => cur = Some((Pt::Rte, new_point(e)?)),
                        b"wpt" => cur = Some((Pt::Wpt, new_point(e)?)),
                        _ => {}
                    }
                    Ok(())
                })();
                if let Err(reason) = res {
                    let p = problem_at(body, pos + bom, reason);
                    if trkpts == 0 && track.is_empty() {
                        return Err(p);
                    }
                    out.problems.push(p);
                    out.damaged = true;
                    break;
                }
                if empty {
                    if matches!(local.as_slice(), b"trkpt" | b"rtept" | b"wpt") {
                        finish(cur.take(), &mut track, &mut seg_last);
                    }
                } else {
                    stack.push(local);
                }
            }
            Ok(Event::End(_)) => {
                if let Some(local) = stack.pop() {
                    if matches!(local.as_slice(), b"trkpt" | b"rtept" | b"wpt") {
                        finish(cur.take(), &mut track, &mut seg_last);
                    }
                }
            }
            Ok(Event::Text(t)) => {
                let Ok(text) = t.unescape() else { continue };
                let top = stack.last().map(Vec::as_slice).unwrap_or_default();
                let parent = stack
                    .len()
                    .checked_sub(2)
                    .and_then(|i| stack.get(i))
                    .map(Vec::as_slice)
                    .unwrap_or_default();
                if let Some((_, p)) = cur.as_mut() {
                    let v = f64_of(&text);
                    match top {
                        b"time" if matches!(parent, b"trkpt" | b"rtept" | b"wpt") => {
                            if let Some(t) = parse_time(&text) {
                                p.t_ms = t;
                            }
                        }
                        b"ele" => p.altitude_m = v.filter(|v| (-1000.0..=10000.0).contains(v)),
                        b"hr" | b"heartrate" | b"HeartRateBpm" => p.hr = v.filter(|v| *v > 0.0 && *v < 300.0),
                        b"cad" | b"cadence" => p.cadence = v.filter(|v| *v >= 0.0 && *v < 400.0),
                        b"atemp" | b"temp" | b"temperature" => {
                            p.temperature_c = v.filter(|v| (-80.0..=80.0).contains(v))
                        }
                        b"power" | b"watts" => p.power = v.filter(|v| *v >= 0.0 && *v < 5000.0),
                        b"speed" => p.speed_mps = v.filter(|v| *v >= 0.0 && *v < 200.0),
                        _ => {}
                    }
                } else if parent == b"trk" {
                    match top {
                        b"name" if name.is_none() => {
                            name = Some(text.trim().to_string()).filter(|s| !s.is_empty())
                        }
                        b"type" if sport.is_none() => sport = Some(Sport::from_label(&text)),
                        _ => {}
                    }
                }
            }
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(e) => {
                let p = problem_at(body, r.error_position() + bom, format!("XML syntax error: {e}"));
                if !saw_gpx || (trkpts == 0 && rtepts == 0 && wpts == 0) {
                    return Err(p);
                }
                out.problems.push(p);
                out.damaged = true;
                break;
            }
        }
        buf.clear();
    }
    if !saw_gpx {
        return Err(Problem::at_byte(0, "not a GPX document (no <gpx> element)"));
    }
    out.points = trkpts;
    for (k, v) in [
        ("tracks", tracks),
        ("track_points", trkpts),
        ("route_points", rtepts),
        ("waypoints", wpts),
        ("length_2d_m", length.round() as u64),
    ] {
        out.count(k, v);
    }
    if untimed > 0 && !track.is_empty() {
        out.problems.push(Problem::general(format!(
            "{untimed} track points have no time and are not in the activity"
        )));
    }
    track.sort_by_key(|p| p.t_ms);
    if track.len() >= 2 {
        let start = track[0].t_ms;
        let end = track.last().map_or(start, |p| p.t_ms);
        let mut a = Activity {
            id: String::new(),
            sport: sport.unwrap_or(Sport::Generic),
            name,
            start_ms: start,
            elapsed_s: (end - start) as f64 / 1000.0,
            timer_s: None,
            distance_m: None,
            avg_hr: None,
            max_hr: None,
            calories: None,
            ascent_m: None,
            source: creator
                .map(|c| c.trim().to_string())
                .filter(|c| !c.is_empty())
                .unwrap_or_else(|| "gpx".into()),
            source_id: format!("gpx:{id}"),
            also_from: vec![],
            laps: vec![],
            metrics: Default::default(),
            track,
        };
        derive(&mut a, opts);
        out.batch.activities.push(a);
    }
    let _ = haversine_m; // the activity's own distance uses the haversine in `derive`
    out.drop_invalid();
    Ok(out)
}
