//! Apple Health `export.zip` / `export.xml`, streamed (exports reach several GB).
//!
//! The XML is read through `xml::CleanReader` (drops the internal DTD subset, which some iOS
//! versions write malformed, and control characters XML forbids) into quick-xml, one
//! element at a time; nothing but the resulting samples is kept.
//!
//! Mapped `<Record type=...>`: BodyMass, HeartRate, RestingHeartRate, StepCount,
//! DistanceWalkingRunning, BloodPressureSystolic/Diastolic, VO2Max,
//! HeartRateVariabilitySDNN, ActiveEnergyBurned, SleepAnalysis (asleep stages, as
//! minutes), OxygenSaturation, BodyFatPercentage, Height, BodyTemperature,
//! RespiratoryRate, BloodGlucose, AppleExerciseTime (active minutes). Other types are
//! counted and reported as not imported. `<Workout>` becomes an activity, with its route
//! from inline `<Location>`s (old exports) or the referenced `workout-routes/*.gpx` in the
//! zip (new exports). iPhone and Watch counting the same steps: see [`super::priority`].

use super::derive::{derive, DeriveOptions};
use super::limits::{self, CappedReader, XmlRunGuard};
use super::xml::{attr_text, f64_of, for_each_raw_attr, parse_time, CleanReader};
use super::{Parsed, Problem};
use crate::record::{Activity, Sample, SampleKind, Sport, TrackPoint};
use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;
use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};
use std::io::{self, BufReader, Read, Seek};

pub(crate) fn kind_of(t: &str) -> Option<SampleKind> {
    let t = t
        .strip_prefix("HKQuantityTypeIdentifier")
        .or_else(|| t.strip_prefix("HKCategoryTypeIdentifier"))
        .unwrap_or(t);
    Some(match t {
        "BodyMass" => SampleKind::Weight,
        "HeartRate" => SampleKind::HeartRate,
        "RestingHeartRate" => SampleKind::RestingHeartRate,
        "StepCount" => SampleKind::Steps,
        "DistanceWalkingRunning" => SampleKind::Distance,
        "BloodPressureSystolic" => SampleKind::BloodPressureSystolic,
        "BloodPressureDiastolic" => SampleKind::BloodPressureDiastolic,
        "VO2Max" => SampleKind::Vo2Max,
        "HeartRateVariabilitySDNN" => SampleKind::HeartRateVariability,
        "ActiveEnergyBurned" => SampleKind::ActiveEnergy,
        "SleepAnalysis" => SampleKind::SleepDuration,
        "OxygenSaturation" => SampleKind::OxygenSaturation,
        "BodyFatPercentage" => SampleKind::BodyFat,
        "Height" => SampleKind::Height,
        "BodyTemperature" => SampleKind::BodyTemperature,
        "RespiratoryRate" => SampleKind::RespiratoryRate,
        "BloodGlucose" => SampleKind::BloodGlucose,
        "AppleExerciseTime" => SampleKind::ActiveMinutes,
        _ => return None,
    })
}

/// HealthKit value + unit -> the kind's canonical unit.
pub(crate) fn canonical(kind: SampleKind, value: f64, unit: &str) -> Option<f64> {
    let u = unit.trim();
    let v = match (kind, u) {
        (
            SampleKind::HeartRate | SampleKind::RestingHeartRate | SampleKind::RespiratoryRate,
            "count/min" | "count/s",
        ) => {
            if u == "count/s" {
                value * 60.0
            } else {
                value
            }
        }
        (SampleKind::Steps, "count") => value,
        (SampleKind::Vo2Max, _) if u.to_ascii_lowercase().starts_with("ml/") || u.starts_with("mL/") => value,
        (SampleKind::OxygenSaturation | SampleKind::BodyFat, "%") => {
            // HealthKit writes fractions (0.97) under "%".
            if value <= 1.0 {
                value * 100.0
            } else {
                value
            }
        }
        (SampleKind::ActiveEnergy, "Cal" | "kcal") => value,
        (SampleKind::BodyTemperature, "degC") => value,
        (SampleKind::BodyTemperature, "degF") => (value - 32.0) * 5.0 / 9.0,
        (SampleKind::Height, "ft") => value * 0.3048,
        (SampleKind::Height, "in") => value * 0.0254,
        (SampleKind::Distance, "ft") => value * 0.3048,
        (SampleKind::Distance, "yd") => value * 0.9144,
        (SampleKind::ActiveMinutes, "min") => value,
        (SampleKind::BloodGlucose, u) if u.starts_with("mmol") => value,
        _ => return kind.to_canonical(value, u).ok(),
    };
    Some(v)
}

fn attrs(e: &BytesStart<'_>) -> BTreeMap<Vec<u8>, String> {
    e.attributes()
        .flatten()
        .filter_map(|a| Some((a.key.local_name().as_ref().to_vec(), a.unescape_value().ok()?.into_owned())))
        .collect()
}

/// The attributes of a `<Record>` that we read. A record has about nine attributes and
/// an export has millions of records, so this picks the six it needs in one pass
/// ([`for_each_raw_attr`]), borrowing them from the parser's buffer (allocating only for
/// escaped values) and never decoding the rest (`device` is long and full of `&lt;`).
#[derive(Default)]
struct RecordAttrs<'a> {
    ty: Cow<'a, str>,
    source: Option<Cow<'a, str>>,
    unit: Option<Cow<'a, str>>,
    start: Option<Cow<'a, str>>,
    end: Option<Cow<'a, str>>,
    value: Option<Cow<'a, str>>,
}

fn record_attrs<'a>(e: &'a BytesStart<'a>) -> RecordAttrs<'a> {
    let mut raw: [Option<&'a [u8]>; 6] = [None; 6];
    // The last value of a name wins, as below.
    let plain = for_each_raw_attr(e.attributes_raw(), |name, value| {
        let slot = match name {
            b"type" => 0,
            b"sourceName" => 1,
            b"unit" => 2,
            b"startDate" => 3,
            b"endDate" => 4,
            b"value" => 5,
            _ => return,
        };
        raw[slot] = Some(value);
    });
    if !plain {
        return record_attrs_through_quick_xml(e);
    }
    let [ty, source, unit, start, end, value] = raw.map(|v| v.and_then(attr_text));
    RecordAttrs { ty: ty.unwrap_or_default(), source, unit, start, end, value }
}

/// [`record_attrs`] for a tag that is not plainly well formed: quick-xml's reading.
fn record_attrs_through_quick_xml<'a>(e: &'a BytesStart<'a>) -> RecordAttrs<'a> {
    let mut r = RecordAttrs::default();
    // Duplicate-name checks off: they cost a list per element, and the last value wins.
    // Names compared whole: HealthKit writes them without a namespace prefix.
    for a in e.attributes().with_checks(false).flatten() {
        let slot = match a.key.as_ref() {
            b"type" => {
                r.ty = a.unescape_value().unwrap_or_default();
                continue;
            }
            b"sourceName" => &mut r.source,
            b"unit" => &mut r.unit,
            b"startDate" => &mut r.start,
            b"endDate" => &mut r.end,
            b"value" => &mut r.value,
            _ => continue,
        };
        *slot = a.unescape_value().ok();
    }
    r
}

fn get<'a>(a: &'a BTreeMap<Vec<u8>, String>, k: &str) -> Option<&'a str> {
    a.get(k.as_bytes()).map(String::as_str)
}

/// What the streamed pass produced; `routes` are (activity index, zip path) to fill.
pub struct AppleParse {
    pub parsed: Parsed,
    pub routes: Vec<(usize, String)>,
}

/// Samples per part when streaming: ~50k samples are a few MB in memory.
pub const STREAM_CHUNK: usize = 50_000;

/// Parses an `export.xml` into one in-memory result (small files, `inspect`): samples
/// resolved by source priority and checked for plausibility.
pub fn parse_reader<R: Read>(input: R, opts: &DeriveOptions) -> Result<AppleParse, Problem> {
    let mut all = Vec::new();
    let mut ap = stream_reader(input, opts, STREAM_CHUNK, &mut |part| {
        all.extend(part);
        Ok(())
    })?;
    ap.parsed.batch.samples = all;
    finish_samples(&mut ap.parsed);
    Ok(ap)
}

/// Source priority inside the file, then the plausibility check.
fn finish_samples(p: &mut Parsed) {
    let dropped = super::priority::resolve(&mut p.batch.samples);
    if dropped > 0 {
        p.count("overlapping_samples_dropped", dropped);
    }
    p.drop_invalid();
}

/// Streams an `export.xml`, handing samples to `on_samples` in parts of at most `chunk`
/// (unchecked: the receiver resolves priority and drops implausible ones). Memory stays
/// bounded whatever the file size: one part, the workouts (few; their routes are kept),
/// and the set of record type names. The returned batch holds the workouts only.
pub fn stream_reader<R: Read>(
    input: R,
    opts: &DeriveOptions,
    chunk: usize,
    on_samples: &mut dyn FnMut(Vec<Sample>) -> Result<(), Problem>,
) -> Result<AppleParse, Problem> {
    let chunk = chunk.max(1);
    let mut pending: Vec<Sample> = Vec::new();
    // quick-xml buffers one text or tag whole: the guard bounds that (a 1 GB run of spaces).
    let guarded = XmlRunGuard::new(input, limits::MAX_XML_RUN_BYTES);
    let mut r = Reader::from_reader(BufReader::with_capacity(256 * 1024, CleanReader::new(guarded)));
    r.config_mut().trim_text(true);
    let mut out = Parsed::default();
    let mut routes = Vec::new();
    let mut buf = Vec::new();
    // Per open element, whether it is a <Workout>: a flag, not the name (no allocation per
    // element; an export has millions).
    let mut depth_stack: Vec<bool> = Vec::new();
    let mut records = 0u64;
    let mut types: BTreeSet<String> = BTreeSet::new();
    // The type of the previous record and its kind: exports list a type's records
    // together, so most records skip the set and the name match.
    let mut last_type: (String, Option<SampleKind>) = (String::new(), None);
    let mut skipped: BTreeMap<String, u64> = BTreeMap::new();
    let mut bad = 0u64;
    let mut workouts = 0u64;
    let mut saw_root = false;
    let mut workout: Option<Activity> = None;
    let mut workout_route: Option<String> = None;
    loop {
        let ev = r.read_event_into(&mut buf);
        match ev {
            Ok(Event::Start(ref e)) | Ok(Event::Empty(ref e)) => {
                let empty = matches!(ev, Ok(Event::Empty(_)));
                let local = e.local_name();
                let is_workout = local.as_ref() == b"Workout";
                match local.as_ref() {
                    b"HealthData" => saw_root = true,
                    b"Record" => {
                        records += 1;
                        let a = record_attrs(e);
                        if last_type.0 != a.ty.as_ref() {
                            if !types.contains(a.ty.as_ref()) {
                                types.insert(a.ty.to_string());
                            }
                            last_type.0.clear();
                            last_type.0.push_str(&a.ty);
                            last_type.1 = kind_of(&a.ty);
                        }
                        match record_sample(&a, last_type.1) {
                            Some(Ok(s)) => {
                                pending.push(s);
                                if pending.len() >= chunk {
                                    on_samples(std::mem::take(&mut pending))?;
                                }
                            }
                            Some(Err(())) => bad += 1,
                            None => *skipped.entry(a.ty.into_owned()).or_default() += 1,
                        }
                    }
                    b"Workout" => {
                        workouts += 1;
                        let a = attrs(e);
                        workout = workout_of(&a);
                        if workout.is_none() {
                            bad += 1;
                        }
                        workout_route = None;
                    }
                    b"WorkoutStatistics" => {
                        if let Some(w) = workout.as_mut() {
                            let a = attrs(e);
                            let unit = get(&a, "unit").unwrap_or("");
                            match get(&a, "type").and_then(kind_of) {
                                Some(SampleKind::Distance) if w.distance_m.is_none() => {
                                    w.distance_m = get(&a, "sum")
                                        .and_then(f64_of)
                                        .and_then(|v| SampleKind::Distance.to_canonical(v, unit).ok());
                                }
                                Some(SampleKind::ActiveEnergy) if w.calories.is_none() => {
                                    w.calories = get(&a, "sum")
                                        .and_then(f64_of)
                                        .and_then(|v| canonical(SampleKind::ActiveEnergy, v, unit));
                                }
                                Some(SampleKind::HeartRate) => {
                                    w.avg_hr = get(&a, "average").and_then(f64_of);
                                    w.max_hr = get(&a, "maximum").and_then(f64_of);
                                }
                                _ => {}
                            }
                        }
                    }
                    b"Location" => {
                        if let Some(w) = workout.as_mut() {
                            let a = attrs(e);
                            if let Some(t) = get(&a, "date").and_then(parse_time) {
                                out.points += 1;
                                w.track.push(TrackPoint {
                                    t_ms: t,
                                    lat: get(&a, "latitude")
                                        .and_then(f64_of)
                                        .filter(|v| (-90.0..=90.0).contains(v)),
                                    lon: get(&a, "longitude")
                                        .and_then(f64_of)
                                        .filter(|v| (-180.0..=180.0).contains(v)),
                                    altitude_m: get(&a, "altitude").and_then(f64_of),
                                    distance_m: None,
                                    hr: None,
                                    cadence: None,
                                    power: None,
                                    speed_mps: get(&a, "speed").and_then(f64_of).filter(|v| *v >= 0.0),
                                    temperature_c: None,
                                });
                            }
                        }
                    }
                    b"FileReference" if workout.is_some() => {
                        workout_route = attrs(e).remove(b"path".as_slice());
                    }
                    _ => {}
                }
                if !empty {
                    depth_stack.push(is_workout);
                } else if is_workout {
                    finish_workout(&mut out, &mut routes, workout.take(), workout_route.take(), opts);
                }
            }
            Ok(Event::End(_)) => {
                if depth_stack.pop() == Some(true) {
                    finish_workout(&mut out, &mut routes, workout.take(), workout_route.take(), opts);
                }
            }
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(e) => {
                let p = Problem::at_byte(r.error_position(), format!("XML syntax error: {e}"));
                if !saw_root || (records == 0 && workouts == 0) {
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
        return Err(Problem::at_byte(0, "not an Apple Health export (no <HealthData> element)"));
    }
    out.count("records", records);
    out.count("types", types.len() as u64);
    out.count("workouts", workouts);
    if bad > 0 {
        out.problems.push(Problem::general(format!(
            "{bad} records or workouts had unreadable dates, values or units and were left out"
        )));
    }
    if !skipped.is_empty() {
        let list: Vec<String> = skipped
            .iter()
            .map(|(t, n)| {
                format!(
                    "{} x{n}",
                    t.trim_start_matches("HKQuantityTypeIdentifier")
                        .trim_start_matches("HKCategoryTypeIdentifier")
                )
            })
            .collect();
        out.problems.push(Problem::general(format!("record types not imported: {}", list.join(", "))));
    }
    if !pending.is_empty() {
        on_samples(pending)?;
    }
    Ok(AppleParse { parsed: out, routes })
}

fn finish_workout(
    out: &mut Parsed,
    routes: &mut Vec<(usize, String)>,
    w: Option<Activity>,
    route: Option<String>,
    opts: &DeriveOptions,
) {
    let Some(mut w) = w else { return };
    w.track.sort_by_key(|p| p.t_ms);
    derive(&mut w, opts);
    if let Some(r) = route {
        routes.push((out.batch.activities.len(), r));
    }
    out.batch.activities.push(w);
}

/// The sample a record holds; `kind` is [`kind_of`] its type (None: a type not imported).
fn record_sample(a: &RecordAttrs<'_>, kind: Option<SampleKind>) -> Option<Result<Sample, ()>> {
    let kind = kind?;
    Some((|| {
        let start = a.start.as_deref().and_then(parse_time).ok_or(())?;
        let end = a.end.as_deref().and_then(parse_time).unwrap_or(start).max(start);
        let source = a
            .source
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .unwrap_or("Apple Health")
            .to_string();
        let value = if kind == SampleKind::SleepDuration {
            // Only asleep stages count; InBed and Awake do not.
            if !a.value.as_deref().unwrap_or("").contains("Asleep") {
                return Err(());
            }
            (end - start) as f64 / 60_000.0
        } else {
            let v = a.value.as_deref().and_then(f64_of).ok_or(())?;
            canonical(kind, v, a.unit.as_deref().unwrap_or("")).ok_or(())?
        };
        Ok(Sample { kind, start_ms: start, end_ms: end, value, source, dedup_key: None })
    })())
}

fn workout_of(a: &BTreeMap<Vec<u8>, String>) -> Option<Activity> {
    let start = get(a, "startDate").and_then(parse_time)?;
    let end = get(a, "endDate").and_then(parse_time).unwrap_or(start).max(start);
    let source =
        get(a, "sourceName").map(str::trim).filter(|s| !s.is_empty()).unwrap_or("Apple Health").to_string();
    let dur = get(a, "duration").and_then(f64_of).map(|d| match get(a, "durationUnit").unwrap_or("min") {
        "s" | "sec" => d,
        "hr" | "h" => d * 3600.0,
        _ => d * 60.0,
    });
    let distance = get(a, "totalDistance")
        .and_then(f64_of)
        .and_then(|d| SampleKind::Distance.to_canonical(d, get(a, "totalDistanceUnit").unwrap_or("km")).ok());
    let cal = get(a, "totalEnergyBurned").and_then(f64_of).and_then(|v| {
        canonical(SampleKind::ActiveEnergy, v, get(a, "totalEnergyBurnedUnit").unwrap_or("kcal"))
    });
    Some(Activity {
        id: String::new(),
        sport: Sport::from_label(get(a, "workoutActivityType").unwrap_or("")),
        name: None,
        start_ms: start,
        elapsed_s: (end - start) as f64 / 1000.0,
        timer_s: dur.filter(|d| *d >= 0.0),
        distance_m: distance.filter(|d| *d >= 0.0),
        avg_hr: None,
        max_hr: None,
        calories: cal.filter(|c| *c >= 0.0),
        ascent_m: None,
        source_id: format!("apple:{source}:{start}"),
        source,
        also_from: vec![],
        laps: vec![],
        metrics: Default::default(),
        track: vec![],
    })
}

/// Parses an `export.zip` into one in-memory result (see [`parse_reader`]).
pub fn parse_zip<R: Read + Seek>(zip: R, opts: &DeriveOptions) -> Result<Parsed, Problem> {
    let mut all = Vec::new();
    let mut p = stream_zip(zip, opts, STREAM_CHUNK, &mut |part| {
        all.extend(part);
        Ok(())
    })?;
    p.batch.samples = all;
    finish_samples(&mut p);
    Ok(p)
}

/// Streams an `export.zip`: the `export.xml` inside, decompressed as it is read, samples
/// handed out in parts as in [`stream_reader`]; then the workout routes it references.
pub fn stream_zip<R: Read + Seek>(
    zip: R,
    opts: &DeriveOptions,
    chunk: usize,
    on_samples: &mut dyn FnMut(Vec<Sample>) -> Result<(), Problem>,
) -> Result<Parsed, Problem> {
    let mut z =
        zip::ZipArchive::new(zip).map_err(|e| Problem::at_byte(0, format!("not a readable zip: {e}")))?;
    let names: Vec<String> = z.file_names().map(str::to_string).collect();
    let xml = names
        .iter()
        .find(|n| n.ends_with("export.xml") && !n.ends_with("export_cda.xml"))
        .ok_or_else(|| Problem::general("the zip has no export.xml (is it an Apple Health export?)"))?
        .clone();
    let prefix = xml.trim_end_matches("export.xml").to_string();
    let mut ap = {
        let entry = z.by_name(&xml).map_err(|e| Problem::general(format!("{xml}: {e}")))?;
        stream_reader(CappedReader::new(entry, limits::MAX_ZIP_TOTAL_BYTES), opts, chunk, on_samples)?
    };
    for (i, path) in std::mem::take(&mut ap.routes) {
        let rel = path.trim_start_matches('/');
        let name = [format!("{prefix}{rel}"), rel.to_string()].into_iter().find(|n| names.contains(n));
        let Some(name) = name else {
            ap.parsed.problems.push(Problem::general(format!("workout route {rel} is not in the zip")));
            continue;
        };
        let bytes = match z
            .by_name(&name)
            .map_err(io::Error::from)
            .and_then(|f| limits::read_capped(f, limits::MAX_FILE_BYTES))
        {
            Ok(b) => b,
            Err(e) => {
                ap.parsed.problems.push(Problem::general(format!("{name}: {e}")));
                continue;
            }
        };
        match super::gpx::parse(&bytes, "route", opts) {
            Ok(g) => {
                if let (Some(w), Some(route)) =
                    (ap.parsed.batch.activities.get_mut(i), g.batch.activities.into_iter().next())
                {
                    if w.track.is_empty() {
                        ap.parsed.points += route.track.len() as u64;
                        w.track = route.track;
                        w.metrics.clear();
                        derive(w, opts);
                    }
                }
            }
            Err(p) => ap.parsed.problems.push(Problem { reason: format!("{name}: {}", p.reason), ..p }),
        }
    }
    Ok(ap.parsed)
}
