//! Phone data hubs: Health Connect (Android) and HealthKit (iOS) records mapped to our
//! sample kinds (in canonical units) and activities, and the one entry point the shells
//! call with what they read from the platform store.
//!
//! Deduplication against file imports of the same data:
//! - HealthKit vs an Apple Health export of the same phone: the export names each record's
//!   source (`sourceName`) and gives times to the second. The shell passes the HealthKit
//!   source's name; times are cut to the second here. So a reading arrives with the same
//!   kind, source and times as from the export, hence the same dedup key, and the store
//!   keeps one. Workouts get the export's source id (`apple:{source}:{start}`).
//! - Health Connect vs files from the same watch (FIT, GPX): different source names, so
//!   source priority (`import::priority`, the same check file imports use) drops incoming
//!   steps, distance and the like that overlap a better or tied source already stored, and
//!   the store merges a workout with a stored session of the same sport and time.
//!
//! Unknown record types are counted and reported, never an error; so are readings outside
//! a plausible range.

use crate::import::apple_health;
use crate::record::{Activity, Sample, SampleKind, Sport};
use crate::store::{ImportBatch, ImportLogEntry, ImportLogFile, Record};
use crate::Result;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlatformSource {
    HealthConnect,
    HealthKit,
}

impl PlatformSource {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::HealthConnect => "health_connect",
            Self::HealthKit => "healthkit",
        }
    }
}

/// One record as the shell read it from the platform store, flattened: a Health Connect
/// `HeartRateRecord` with 60 samples is 60 of these; a blood pressure reading carries
/// both numbers.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PlatformRecord {
    /// `StepsRecord`, `HKQuantityTypeIdentifierStepCount`, `ExerciseSessionRecord`,
    /// `HKWorkoutTypeIdentifier`, `HKCorrelationTypeIdentifierBloodPressure`...
    pub record_type: String,
    pub start_ms: i64,
    /// Same as `start_ms` for an instant reading.
    pub end_ms: i64,
    /// In `unit` (for blood pressure: the systolic number).
    pub value: f64,
    /// The platform's unit name (`kg`, `lb`, `count/min`, `mg/dL`, `percent`...); empty
    /// means our canonical unit.
    pub unit: String,
    /// Blood pressure: the diastolic number (same unit).
    pub diastolic: Option<f64>,
    /// Exercise or workout type (`EXERCISE_TYPE_RUNNING`, `HKWorkoutActivityTypeCycling`),
    /// or sleep stage (`STAGE_TYPE_DEEP`, `HKCategoryValueSleepAnalysisAsleepCore`).
    pub subtype: Option<String>,
    /// Workouts: distance in metres and energy in kcal, when known.
    pub distance_m: Option<f64>,
    pub energy_kcal: Option<f64>,
    /// HealthKit: the source's name (as an export's `sourceName`). Health Connect: the
    /// device's name if known, else the writing app's package name.
    pub source: String,
}

/// A type the core does not take, and how many records of it were passed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnknownType {
    pub record_type: String,
    pub count: u64,
}

/// What one call stored.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlatformIngestReport {
    pub samples_added: u64,
    /// Already in the record (from an earlier read or a file import of the same data).
    pub samples_duplicate: u64,
    /// Left out because a preferred device already covers that time.
    pub samples_overlapping: u64,
    pub activities_added: u64,
    /// Matched a session already stored from another source.
    pub activities_merged: u64,
    pub activities_unchanged: u64,
    /// Awake or in-bed sleep stages (not sleep), and similar records kept out on purpose.
    pub not_counted: u64,
    /// Values outside what a body can do, or in units we do not know.
    pub refused: u64,
    pub unknown: Vec<UnknownType>,
}

/// A mapped record: samples, an activity, or something left out on purpose.
#[derive(Clone, Debug, PartialEq)]
pub enum Mapped {
    Samples(Vec<Sample>),
    Activity(Box<Activity>),
    NotCounted,
    Refused,
    Unknown,
}

/// Health Connect record type -> sample kind (exercise and sleep are handled apart).
pub fn health_connect_kind(record_type: &str) -> Option<SampleKind> {
    Some(match record_type.trim_end_matches("Record") {
        "Steps" => SampleKind::Steps,
        "HeartRate" => SampleKind::HeartRate,
        "RestingHeartRate" => SampleKind::RestingHeartRate,
        "Weight" => SampleKind::Weight,
        "Height" => SampleKind::Height,
        "BodyFat" => SampleKind::BodyFat,
        "BloodPressure" => SampleKind::BloodPressureSystolic,
        "Vo2Max" => SampleKind::Vo2Max,
        // RMSSD, where HealthKit gives SDNN: both are stored as heart rate variability
        // in ms, told apart by their source.
        "HeartRateVariabilityRmssd" => SampleKind::HeartRateVariability,
        "OxygenSaturation" => SampleKind::OxygenSaturation,
        "BloodGlucose" => SampleKind::BloodGlucose,
        "RespiratoryRate" => SampleKind::RespiratoryRate,
        "BodyTemperature" => SampleKind::BodyTemperature,
        "Distance" => SampleKind::Distance,
        "ActiveCaloriesBurned" => SampleKind::ActiveEnergy,
        "SleepSession" | "SleepStage" => SampleKind::SleepDuration,
        _ => return None,
    })
}

/// Health Connect's unit names -> ours (then [`SampleKind::to_canonical`]).
fn hc_unit(unit: &str) -> &str {
    match unit.trim() {
        "kilograms" | "kilogram" => "kg",
        "grams" | "gram" => "g",
        "pounds" | "pound" => "lb",
        "meters" | "metres" | "meter" | "metre" => "m",
        "kilometers" | "kilometres" => "km",
        "miles" => "mi",
        "percent" | "percentage" => "%",
        "celsius" => "°C",
        "fahrenheit" => "°F",
        "kilocalories" | "kcal" | "Cal" => "kcal",
        "kilojoules" => "kJ",
        "millimetersOfMercury" | "mmHg" => "mmHg",
        "bpm" | "beats/min" | "beatsPerMinute" => "bpm",
        "milliseconds" => "ms",
        "mmol/L" | "millimolesPerLiter" => "mmol/L",
        "mg/dL" | "milligramsPerDeciliter" => "mg/dL",
        "mL/kg/min" | "ml/kg/min" | "millilitersPerMinuteKilogram" => "mL/kg/min",
        "count" | "steps" => "count",
        "rpm" | "breaths/min" => "breaths/min",
        other => other,
    }
}

/// Health Connect exercise type (`EXERCISE_TYPE_RUNNING` or `RUNNING`) -> our sport.
pub fn health_connect_sport(exercise_type: &str) -> Sport {
    Sport::from_label(&health_connect_sport_label(exercise_type))
}

/// Health Connect's exercise names -> the labels `Sport::from_label` reads.
fn health_connect_sport_label(exercise_type: &str) -> String {
    let t = exercise_type.trim().trim_start_matches("EXERCISE_TYPE_").to_ascii_lowercase();
    match t.as_str() {
        "running" | "running_treadmill" => "running".into(),
        "biking" | "biking_stationary" => "cycling".into(),
        "walking" => "walking".into(),
        "hiking" => "hiking".into(),
        "swimming_pool" | "swimming_open_water" => "swimming".into(),
        "rowing" | "rowing_machine" => "rowing".into(),
        "strength_training" | "weightlifting" => "training".into(),
        "yoga" => "yoga".into(),
        "" | "other_workout" => "generic".into(),
        other => other.to_string(),
    }
}

/// Whether a sleep stage is sleep (light, deep, REM, or unspecified asleep). Awake, out of
/// bed and in bed are not. A session with no stage counts as sleep.
fn asleep(stage: Option<&str>) -> bool {
    let Some(s) = stage.map(str::trim).filter(|s| !s.is_empty()) else { return true };
    let s = s.trim_start_matches("STAGE_TYPE_").trim_start_matches("HKCategoryValueSleepAnalysis");
    // HealthKit's raw values: 0 in bed, 1 asleep (unspecified), 2 awake, 3 core, 4 deep, 5 REM.
    matches!(s, "1" | "3" | "4" | "5")
        || matches!(s.to_ascii_uppercase().as_str(), "SLEEPING" | "LIGHT" | "DEEP" | "REM")
        || s.starts_with("Asleep")
}

fn sample(kind: SampleKind, r: &PlatformRecord, value: f64, source: &str) -> Sample {
    Sample {
        kind,
        start_ms: r.start_ms,
        end_ms: r.end_ms.max(r.start_ms),
        value,
        source: source.to_string(),
        dedup_key: None,
    }
}

fn checked(s: Sample) -> Mapped {
    if s.validate().is_ok() {
        Mapped::Samples(vec![s])
    } else {
        Mapped::Refused
    }
}

fn workout(r: &PlatformRecord, sport: Sport, source: &str, source_id: String) -> Mapped {
    let a = Activity {
        id: String::new(),
        sport,
        name: None,
        start_ms: r.start_ms,
        elapsed_s: (r.end_ms - r.start_ms).max(0) as f64 / 1000.0,
        timer_s: None,
        distance_m: r.distance_m,
        avg_hr: None,
        max_hr: None,
        calories: r.energy_kcal,
        ascent_m: None,
        source: source.to_string(),
        source_id,
        also_from: vec![],
        laps: vec![],
        metrics: Default::default(),
        track: vec![],
    };
    if a.validate().is_ok() {
        Mapped::Activity(Box::new(a))
    } else {
        Mapped::Refused
    }
}

/// Maps one Health Connect record.
pub fn map_health_connect(r: &PlatformRecord) -> Mapped {
    let source = if r.source.trim().is_empty() { "Health Connect" } else { r.source.trim() };
    let ty = r.record_type.trim();
    if ty.trim_end_matches("Record") == "ExerciseSession" {
        let sport = health_connect_sport(r.subtype.as_deref().unwrap_or(""));
        let id = format!("health_connect:{source}:{}", r.start_ms);
        return workout(r, sport, source, id);
    }
    let Some(kind) = health_connect_kind(ty) else { return Mapped::Unknown };
    if kind == SampleKind::SleepDuration {
        if !asleep(r.subtype.as_deref()) {
            return Mapped::NotCounted;
        }
        return checked(sample(kind, r, (r.end_ms - r.start_ms) as f64 / 60_000.0, source));
    }
    let unit = if r.unit.trim().is_empty() { kind.unit() } else { hc_unit(&r.unit) };
    let Ok(v) = kind.to_canonical(r.value, unit) else { return Mapped::Refused };
    if kind == SampleKind::BloodPressureSystolic {
        let Some(dia) = r.diastolic else { return Mapped::Refused };
        let Ok(d) = kind.to_canonical(dia, unit) else { return Mapped::Refused };
        let pair = [
            sample(SampleKind::BloodPressureSystolic, r, v, source),
            sample(SampleKind::BloodPressureDiastolic, r, d, source),
        ];
        if pair.iter().any(|s| s.validate().is_err()) {
            return Mapped::Refused;
        }
        return Mapped::Samples(pair.to_vec());
    }
    checked(sample(kind, r, v, source))
}

/// Whole seconds, as an Apple Health export writes times.
fn to_second(ms: i64) -> i64 {
    ms.div_euclid(1000) * 1000
}

/// Maps one HealthKit sample, workout or blood pressure correlation.
pub fn map_healthkit(r: &PlatformRecord) -> Mapped {
    let source = if r.source.trim().is_empty() { "Apple Health" } else { r.source.trim() };
    let mut r = r.clone();
    r.start_ms = to_second(r.start_ms);
    r.end_ms = to_second(r.end_ms).max(r.start_ms);
    let ty = r.record_type.trim();
    if ty == "HKWorkoutTypeIdentifier" || ty.starts_with("HKWorkoutActivityType") {
        let kind = r.subtype.clone().filter(|s| !s.is_empty()).unwrap_or_else(|| ty.to_string());
        let id = format!("apple:{source}:{}", r.start_ms);
        return workout(&r, Sport::from_label(&kind), source, id);
    }
    if ty == "HKCorrelationTypeIdentifierBloodPressure" {
        let Some(dia) = r.diastolic else { return Mapped::Refused };
        let unit = if r.unit.is_empty() { "mmHg" } else { r.unit.as_str() };
        let (Some(s), Some(d)) = (
            apple_health::canonical(SampleKind::BloodPressureSystolic, r.value, unit),
            apple_health::canonical(SampleKind::BloodPressureDiastolic, dia, unit),
        ) else {
            return Mapped::Refused;
        };
        let pair = [
            sample(SampleKind::BloodPressureSystolic, &r, s, source),
            sample(SampleKind::BloodPressureDiastolic, &r, d, source),
        ];
        if pair.iter().any(|s| s.validate().is_err()) {
            return Mapped::Refused;
        }
        return Mapped::Samples(pair.to_vec());
    }
    let Some(kind) = apple_health::kind_of(ty) else { return Mapped::Unknown };
    if kind == SampleKind::SleepDuration {
        if !asleep(r.subtype.as_deref()) {
            return Mapped::NotCounted;
        }
        return checked(sample(kind, &r, (r.end_ms - r.start_ms) as f64 / 60_000.0, source));
    }
    let unit = if r.unit.trim().is_empty() { kind.unit() } else { r.unit.as_str() };
    match apple_health::canonical(kind, r.value, unit) {
        Some(v) => checked(sample(kind, &r, v, source)),
        None => Mapped::Refused,
    }
}

pub fn map_record(source: PlatformSource, r: &PlatformRecord) -> Mapped {
    match source {
        PlatformSource::HealthConnect => map_health_connect(r),
        PlatformSource::HealthKit => map_healthkit(r),
    }
}

impl Record {
    /// Converts and stores what a shell read from Health Connect or HealthKit, in one
    /// transaction, deduplicated against earlier reads and file imports (module docs), and
    /// notes the run in the import history.
    pub fn ingest_platform_records(
        &self,
        source: PlatformSource,
        records: &[PlatformRecord],
    ) -> Result<PlatformIngestReport> {
        let mut report = PlatformIngestReport::default();
        let mut batch = ImportBatch::default();
        let mut unknown: BTreeMap<String, u64> = BTreeMap::new();
        for r in records {
            match map_record(source, r) {
                Mapped::Samples(s) => batch.samples.extend(s),
                Mapped::Activity(a) => batch.activities.push(*a),
                Mapped::NotCounted => report.not_counted += 1,
                Mapped::Refused => report.refused += 1,
                Mapped::Unknown => *unknown.entry(r.record_type.clone()).or_default() += 1,
            }
        }
        report.unknown =
            unknown.into_iter().map(|(record_type, count)| UnknownType { record_type, count }).collect();
        report.samples_overlapping = crate::import::bulk::resolve_against_record(self, &mut batch.samples)?;
        let outcome = self.import(&batch)?;
        report.samples_added = outcome.samples.added;
        report.samples_duplicate = outcome.samples.duplicates;
        report.activities_added = outcome.activities_added;
        report.activities_merged = outcome.activities_merged;
        report.activities_unchanged = outcome.activities_unchanged;
        let mut log = ImportLogEntry {
            at_ms: chrono::Utc::now().timestamp_millis(),
            origin: source.as_str().to_string(),
            ..Default::default()
        };
        log.push_file(ImportLogFile {
            name: crate::app::strings::text(&format!("import.origin.{}", source.as_str())).to_string(),
            format: source.as_str().to_string(),
            status: "ok".into(),
            samples_added: report.samples_added,
            samples_duplicate: report.samples_duplicate,
            activities_added: report.activities_added,
            activities_merged: report.activities_merged,
            entries_added: 0,
            problems: report.refused + report.unknown.iter().map(|u| u.count).sum::<u64>(),
        });
        if let Err(e) = self.log_import(&log) {
            log::warn!("could not write the import history: {e}");
        }
        Ok(report)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(ty: &str, value: f64, unit: &str) -> PlatformRecord {
        PlatformRecord {
            record_type: ty.into(),
            start_ms: 1_767_258_000_123,
            end_ms: 1_767_258_000_123,
            value,
            unit: unit.into(),
            source: "Pixel Watch 2".into(),
            ..Default::default()
        }
    }

    fn one(m: Mapped) -> Sample {
        match m {
            Mapped::Samples(mut s) if s.len() == 1 => s.remove(0),
            other => panic!("expected one sample, got {other:?}"),
        }
    }

    #[test]
    fn health_connect_types_map_with_units() {
        let w = one(map_health_connect(&rec("WeightRecord", 176.4, "pounds")));
        assert_eq!(w.kind, SampleKind::Weight);
        assert!((w.value - 80.01).abs() < 0.01, "{}", w.value);
        let g = one(map_health_connect(&rec("BloodGlucoseRecord", 99.0, "mg/dL")));
        assert_eq!(g.kind, SampleKind::BloodGlucose);
        assert!((g.value - 5.5).abs() < 1e-9);
        let t = one(map_health_connect(&rec("BodyTemperatureRecord", 98.6, "fahrenheit")));
        assert!((t.value - 37.0).abs() < 1e-9);
        assert_eq!(one(map_health_connect(&rec("Vo2MaxRecord", 41.5, "mL/kg/min"))).kind, SampleKind::Vo2Max);
        assert_eq!(
            one(map_health_connect(&rec("HeartRateVariabilityRmssdRecord", 38.0, "milliseconds"))).kind,
            SampleKind::HeartRateVariability
        );
        assert_eq!(one(map_health_connect(&rec("OxygenSaturationRecord", 97.0, "percent"))).value, 97.0);
        assert_eq!(one(map_health_connect(&rec("StepsRecord", 5321.0, "count"))).kind, SampleKind::Steps);
        assert_eq!(one(map_health_connect(&rec("RestingHeartRateRecord", 58.0, "bpm"))).value, 58.0);
        let mut bp = rec("BloodPressureRecord", 142.0, "millimetersOfMercury");
        bp.diastolic = Some(91.0);
        let Mapped::Samples(pair) = map_health_connect(&bp) else { panic!() };
        assert_eq!(
            pair.iter().map(|s| (s.kind, s.value)).collect::<Vec<_>>(),
            vec![(SampleKind::BloodPressureSystolic, 142.0), (SampleKind::BloodPressureDiastolic, 91.0)]
        );
        bp.diastolic = None;
        assert_eq!(map_health_connect(&bp), Mapped::Refused, "half a blood pressure is refused");
        assert_eq!(map_health_connect(&rec("HeartRateRecord", 900.0, "bpm")), Mapped::Refused);
        assert_eq!(map_health_connect(&rec("MenstruationFlowRecord", 1.0, "")), Mapped::Unknown);
    }

    #[test]
    fn sleep_stages_count_only_sleep() {
        let mut s = rec("SleepSessionRecord", 0.0, "");
        s.end_ms = s.start_ms + 90 * 60_000;
        s.subtype = Some("STAGE_TYPE_DEEP".into());
        assert_eq!(one(map_health_connect(&s)).value, 90.0);
        s.subtype = Some("STAGE_TYPE_AWAKE".into());
        assert_eq!(map_health_connect(&s), Mapped::NotCounted);
        s.subtype = None;
        assert_eq!(one(map_health_connect(&s)).kind, SampleKind::SleepDuration);
        s.record_type = "HKCategoryTypeIdentifierSleepAnalysis".into();
        s.subtype = Some("HKCategoryValueSleepAnalysisAsleepREM".into());
        assert_eq!(one(map_healthkit(&s)).value, 90.0);
        s.subtype = Some("0".into());
        assert_eq!(map_healthkit(&s), Mapped::NotCounted, "in bed is not asleep");
        s.subtype = Some("4".into());
        assert!(matches!(map_healthkit(&s), Mapped::Samples(_)));
    }

    #[test]
    fn healthkit_types_map_like_the_export() {
        let hr = one(map_healthkit(&rec("HKQuantityTypeIdentifierHeartRate", 1.2, "count/s")));
        assert_eq!((hr.kind, hr.value), (SampleKind::HeartRate, 72.0));
        assert_eq!(hr.start_ms % 1000, 0, "cut to the second, as in an export");
        let spo2 = one(map_healthkit(&rec("HKQuantityTypeIdentifierOxygenSaturation", 0.97, "%")));
        assert!((spo2.value - 97.0).abs() < 1e-9, "HealthKit writes fractions under %");
        let kg = one(map_healthkit(&rec("HKQuantityTypeIdentifierBodyMass", 12.0, "st")));
        assert!((kg.value - 76.2).abs() < 0.01);
        assert_eq!(
            one(map_healthkit(&rec("HKQuantityTypeIdentifierHeartRateVariabilitySDNN", 45.0, "ms"))).kind,
            SampleKind::HeartRateVariability
        );
        assert_eq!(one(map_healthkit(&rec("HKQuantityTypeIdentifierVO2Max", 39.0, "mL/min·kg"))).value, 39.0);
        let mut bp = rec("HKCorrelationTypeIdentifierBloodPressure", 128.0, "mmHg");
        bp.diastolic = Some(82.0);
        assert!(matches!(map_healthkit(&bp), Mapped::Samples(v) if v.len() == 2));
        let mut run = rec("HKWorkoutTypeIdentifier", 0.0, "");
        run.subtype = Some("HKWorkoutActivityTypeRunning".into());
        run.end_ms = run.start_ms + 30 * 60_000;
        run.distance_m = Some(5000.0);
        let Mapped::Activity(a) = map_healthkit(&run) else { panic!() };
        assert_eq!((a.sport.as_str(), a.distance_m), ("running", Some(5000.0)));
        assert_eq!(a.source_id, format!("apple:Pixel Watch 2:{}", 1_767_258_000_000i64));
        assert_eq!(
            map_healthkit(&rec("HKQuantityTypeIdentifierDietaryCaffeine", 80.0, "mg")),
            Mapped::Unknown
        );
        let mut ex = rec("ExerciseSessionRecord", 0.0, "");
        ex.subtype = Some("EXERCISE_TYPE_BIKING".into());
        ex.end_ms = ex.start_ms + 3_600_000;
        assert!(matches!(map_health_connect(&ex), Mapped::Activity(a) if a.sport == "cycling"));
    }
}
