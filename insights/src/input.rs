//! Plain input structs handed to the insights module by the store.
//!
//! Everything here is pure data: the store decrypts and aggregates, the
//! insights module only reads. No I/O happens in this module.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, NaiveTime};
use serde::{Deserialize, Serialize};

use super::settings::InsightSettings;

/// One measurement at a point in time (unix seconds, UTC).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SeriesPoint {
    pub t: i64,
    pub value: f64,
}

impl SeriesPoint {
    pub fn new(t: i64, value: f64) -> Self {
        SeriesPoint { t, value }
    }
}

/// Where a blood pressure reading was taken. NICE NG136 uses different
/// thresholds for clinic readings and for home (HBPM) / ambulatory (ABPM)
/// averages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum BpSetting {
    Clinic,
    Home,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BpPoint {
    pub t: i64,
    pub systolic: f64,
    pub diastolic: f64,
    pub setting: BpSetting,
}

/// The day's rollup the store keeps beside each sealed chunk.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct DailyRollup {
    pub day: NaiveDate,
    pub count: u64,
    pub min: f64,
    pub max: f64,
    pub sum: f64,
    pub last: f64,
}

impl DailyRollup {
    /// Mean of the day's samples, if the rollup is usable.
    pub fn mean(&self) -> Option<f64> {
        if self.count == 0 || !self.sum.is_finite() {
            return None;
        }
        let m = self.sum / self.count as f64;
        m.is_finite().then_some(m)
    }
}

/// How a metric's daily rollups should be turned into one value per day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DailyAggregate {
    /// Average of the day's samples (weight, heart rate, VO2max, ...).
    Mean,
    /// Total for the day (steps, active minutes, alcohol units, distance).
    Sum,
}

/// The kinds of metric the insights module knows about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum MetricKind {
    /// Body weight, kilograms.
    Weight,
    /// Body mass index, kg/m².
    Bmi,
    /// Systolic blood pressure, mmHg (for charts/trends; alerts use `BpPoint`).
    BloodPressureSystolic,
    /// Diastolic blood pressure, mmHg.
    BloodPressureDiastolic,
    /// Resting heart rate, beats per minute.
    RestingHeartRate,
    /// Estimated VO2max, ml/kg/min.
    Vo2Max,
    /// Sleep duration per night, hours (t = time the sleep started).
    SleepDuration,
    /// Bedtime: t = the moment the person went to bed; value is ignored.
    SleepBedtime,
    /// Steps per sample (summed per day).
    Steps,
    /// Minutes of at least moderate activity (summed per day).
    ActiveMinutes,
    /// UK alcohol units (1 unit = 10 ml / 8 g pure alcohol), summed per day.
    AlcoholUnits,
    /// Distance covered, metres (summed per day).
    Distance,
}

impl MetricKind {
    pub const ALL: [MetricKind; 12] = [
        MetricKind::Weight,
        MetricKind::Bmi,
        MetricKind::BloodPressureSystolic,
        MetricKind::BloodPressureDiastolic,
        MetricKind::RestingHeartRate,
        MetricKind::Vo2Max,
        MetricKind::SleepDuration,
        MetricKind::SleepBedtime,
        MetricKind::Steps,
        MetricKind::ActiveMinutes,
        MetricKind::AlcoholUnits,
        MetricKind::Distance,
    ];

    pub fn unit(self) -> &'static str {
        match self {
            MetricKind::Weight => "kg",
            MetricKind::Bmi => "kg/m²",
            MetricKind::BloodPressureSystolic | MetricKind::BloodPressureDiastolic => "mmHg",
            MetricKind::RestingHeartRate => "bpm",
            MetricKind::Vo2Max => "ml/kg/min",
            MetricKind::SleepDuration => "hours",
            MetricKind::SleepBedtime => "clock time",
            MetricKind::Steps => "steps",
            MetricKind::ActiveMinutes => "minutes",
            MetricKind::AlcoholUnits => "units",
            MetricKind::Distance => "m",
        }
    }

    /// Plain-English name for screens and chart titles.
    pub fn label(self) -> &'static str {
        match self {
            MetricKind::Weight => "Weight",
            MetricKind::Bmi => "Body mass index (BMI)",
            MetricKind::BloodPressureSystolic => "Blood pressure (top number)",
            MetricKind::BloodPressureDiastolic => "Blood pressure (bottom number)",
            MetricKind::RestingHeartRate => "Resting heart rate",
            MetricKind::Vo2Max => "Fitness score (VO2 max)",
            MetricKind::SleepDuration => "Sleep",
            MetricKind::SleepBedtime => "Bedtime",
            MetricKind::Steps => "Steps",
            MetricKind::ActiveMinutes => "Active minutes",
            MetricKind::AlcoholUnits => "Alcohol",
            MetricKind::Distance => "Distance",
        }
    }

    /// Short name for commands: "weight", "bmi", "blood-pressure", "resting-hr", ...
    pub fn slug(self) -> &'static str {
        match self {
            MetricKind::Weight => "weight",
            MetricKind::Bmi => "bmi",
            MetricKind::BloodPressureSystolic => "blood-pressure",
            MetricKind::BloodPressureDiastolic => "blood-pressure-diastolic",
            MetricKind::RestingHeartRate => "resting-hr",
            MetricKind::Vo2Max => "vo2max",
            MetricKind::SleepDuration => "sleep",
            MetricKind::SleepBedtime => "bedtime",
            MetricKind::Steps => "steps",
            MetricKind::ActiveMinutes => "active-minutes",
            MetricKind::AlcoholUnits => "alcohol",
            MetricKind::Distance => "distance",
        }
    }

    /// The one name people type and see (help, errors, README): the stored sample kind's
    /// name where the metric charts one (`bp_systolic`, as `phr sample add` takes), else
    /// the metric's own (`bmi`, `bedtime`). [`Self::from_name`] takes it and the older slugs.
    pub fn name(self) -> &'static str {
        match self {
            MetricKind::Weight => "weight",
            MetricKind::Bmi => "bmi",
            MetricKind::BloodPressureSystolic => "bp_systolic",
            MetricKind::BloodPressureDiastolic => "bp_diastolic",
            MetricKind::RestingHeartRate => "resting_heart_rate",
            MetricKind::Vo2Max => "vo2max",
            MetricKind::SleepDuration => "sleep_duration",
            MetricKind::SleepBedtime => "bedtime",
            MetricKind::Steps => "steps",
            MetricKind::ActiveMinutes => "active_minutes",
            MetricKind::AlcoholUnits => "alcohol_units",
            MetricKind::Distance => "distance",
        }
    }

    /// Accepts [`Self::name`], the slug or the variant name, ignoring case, dashes and
    /// underscores, plus a few everyday aliases ("bp", "rhr", "resting-heart-rate").
    pub fn from_name(name: &str) -> Option<MetricKind> {
        let norm = |s: &str| {
            s.chars().filter(|c| c.is_ascii_alphanumeric()).collect::<String>().to_ascii_lowercase()
        };
        let n = norm(name);
        match n.as_str() {
            "" => None,
            "bp" | "bloodpressuresystolic" | "systolic" => Some(MetricKind::BloodPressureSystolic),
            "diastolic" => Some(MetricKind::BloodPressureDiastolic),
            "rhr" | "restingheartrate" => Some(MetricKind::RestingHeartRate),
            "sleepduration" => Some(MetricKind::SleepDuration),
            "alcoholunits" => Some(MetricKind::AlcoholUnits),
            _ => MetricKind::ALL
                .into_iter()
                .find(|k| n == norm(k.name()) || n == norm(k.slug()) || n == norm(&format!("{k:?}"))),
        }
    }

    pub fn daily_aggregate(self) -> DailyAggregate {
        match self {
            MetricKind::Steps
            | MetricKind::ActiveMinutes
            | MetricKind::AlcoholUnits
            | MetricKind::Distance => DailyAggregate::Sum,
            _ => DailyAggregate::Mean,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Vaccination {
    pub name: String,
    pub given: NaiveDate,
    pub next_due: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Medication {
    pub name: String,
    pub stop_date: Option<NaiveDate>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Sport {
    Run,
    Walk,
    Cycle,
    Swim,
    Other,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Activity {
    /// Start, unix seconds UTC.
    pub start: i64,
    pub duration_s: f64,
    pub distance_m: Option<f64>,
    pub avg_hr: Option<f64>,
    pub sport: Sport,
}

/// A test result from the `test_results` section.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TestResult {
    pub date: Option<NaiveDate>,
    pub test: String,
    pub value: Option<f64>,
    pub unit: Option<String>,
    pub low: Option<f64>,
    pub high: Option<f64>,
    /// As the lab put it: "High", "L", "Abnormal", ...
    pub interpretation: Option<String>,
}

impl TestResult {
    /// Below `low`, above `high`, or flagged by the lab (HL7 interpretation codes and words).
    pub fn outside_range(&self) -> bool {
        let by_number =
            self.value.is_some_and(|v| self.low.is_some_and(|l| v < l) || self.high.is_some_and(|h| v > h));
        let flagged = self.interpretation.as_deref().is_some_and(|i| {
            let i = i.trim().to_ascii_lowercase();
            matches!(i.as_str(), "h" | "l" | "hh" | "ll" | "a" | "aa" | "hu" | "lu")
                || ["high", "low", "abnormal", "critical"].iter().any(|w| i.contains(w))
        });
        by_number || flagged
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LifeEvent {
    pub date: NaiveDate,
    pub label: String,
}

/// A goal the user sets for themselves.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Goal {
    /// Reach a target weight (kg). `start_kg` is the weight when the goal was set;
    /// if absent the earliest weight on record is used.
    TargetWeight { target_kg: f64, start_kg: Option<f64> },
    /// Cover this many kilometres each week (Monday to Sunday).
    WeeklyDistance { km: f64 },
    /// Bring resting heart rate down to this many beats per minute.
    RestingHeartRate { target_bpm: f64, start_bpm: Option<f64> },
    /// Be active for this many minutes each week.
    WeeklyActiveMinutes { minutes: f64 },
}

impl Goal {
    /// A goal must be a finite, positive target within what a person can reach (a typo
    /// such as 7000 kg, or NaN from a form, is refused rather than stored). The reason
    /// is for the owner; the store turns it into its error type.
    pub fn validate(&self) -> Result<(), &'static str> {
        let ok = |v: f64, lo: f64, hi: f64| v.is_finite() && (lo..=hi).contains(&v);
        let fine = match *self {
            Goal::TargetWeight { target_kg, start_kg } => {
                ok(target_kg, 20.0, 400.0) && start_kg.is_none_or(|s| ok(s, 20.0, 400.0))
            }
            Goal::WeeklyDistance { km } => ok(km, 0.1, 2000.0),
            Goal::RestingHeartRate { target_bpm, start_bpm } => {
                ok(target_bpm, 25.0, 120.0) && start_bpm.is_none_or(|s| ok(s, 25.0, 200.0))
            }
            Goal::WeeklyActiveMinutes { minutes } => ok(minutes, 1.0, 10_080.0),
        };
        if fine {
            Ok(())
        } else {
            Err("the target is outside what a person can reach")
        }
    }
}

/// Optional facts that sharpen the fitness numbers.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Profile {
    pub age_years: Option<u32>,
    /// Measured maximum heart rate, if known (otherwise 220 - age, otherwise 190).
    pub max_hr: Option<f64>,
}

/// Everything `evaluate` needs. Built by the store; no I/O here.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InsightInput {
    /// Raw samples per metric kind.
    #[serde(default)]
    pub series: BTreeMap<MetricKind, Vec<SeriesPoint>>,
    /// Daily rollups per metric kind (used where raw samples are absent for a day).
    #[serde(default)]
    pub rollups: BTreeMap<MetricKind, Vec<DailyRollup>>,
    #[serde(default)]
    pub blood_pressure: Vec<BpPoint>,
    /// Height in metres, if known.
    pub height_m: Option<f64>,
    #[serde(default)]
    pub vaccinations: Vec<Vaccination>,
    #[serde(default)]
    pub medications: Vec<Medication>,
    #[serde(default)]
    pub activities: Vec<Activity>,
    #[serde(default)]
    pub life_events: Vec<LifeEvent>,
    /// From the `test_results` section.
    #[serde(default)]
    pub test_results: Vec<TestResult>,
    #[serde(default)]
    pub goals: Vec<Goal>,
    #[serde(default)]
    pub profile: Profile,
    /// Offset of the user's local time from UTC in seconds (Leeds: 0 in winter,
    /// 3600 during British Summer Time). Used to place samples on days and to
    /// read bedtimes.
    #[serde(default)]
    pub utc_offset_s: i32,
    pub today: NaiveDate,
    #[serde(default)]
    pub settings: InsightSettings,
}

impl InsightInput {
    pub fn new(today: NaiveDate) -> Self {
        InsightInput {
            series: BTreeMap::new(),
            rollups: BTreeMap::new(),
            blood_pressure: Vec::new(),
            height_m: None,
            vaccinations: Vec::new(),
            medications: Vec::new(),
            activities: Vec::new(),
            life_events: Vec::new(),
            test_results: Vec::new(),
            goals: Vec::new(),
            profile: Profile::default(),
            utc_offset_s: 0,
            today,
            settings: InsightSettings::default(),
        }
    }

    /// Height if it is plausible for an adult (0.5 m to 2.8 m), else None.
    pub fn valid_height_m(&self) -> Option<f64> {
        self.height_m.filter(|h| h.is_finite() && (0.5..=2.8).contains(h))
    }

    /// Clean samples for a kind: finite values only, sorted by time, with
    /// daily rollups filling days that have no raw samples (as one point at
    /// local noon holding the day's mean or sum).
    pub fn points(&self, kind: MetricKind) -> Vec<SeriesPoint> {
        let mut out: Vec<SeriesPoint> = self
            .series
            .get(&kind)
            .map(|v| v.iter().copied().filter(|p| p.value.is_finite()).collect())
            .unwrap_or_default();
        if let Some(rollups) = self.rollups.get(&kind) {
            let raw_days: std::collections::BTreeSet<NaiveDate> =
                out.iter().filter_map(|p| local_day(p.t, self.utc_offset_s)).collect();
            for r in rollups {
                if raw_days.contains(&r.day) {
                    continue;
                }
                let v = match kind.daily_aggregate() {
                    DailyAggregate::Mean => r.mean(),
                    DailyAggregate::Sum => (r.count > 0 && r.sum.is_finite()).then_some(r.sum),
                };
                if let Some(v) = v {
                    let t = day_start_t(r.day, self.utc_offset_s) + 12 * 3600;
                    out.push(SeriesPoint { t, value: v });
                }
            }
        }
        out.sort_by_key(|p| p.t);
        out
    }

    /// One value per local day (mean or sum, depending on the kind).
    pub fn daily_values(&self, kind: MetricKind) -> BTreeMap<NaiveDate, f64> {
        let mut acc: BTreeMap<NaiveDate, (f64, u32)> = BTreeMap::new();
        for p in self.points(kind) {
            if let Some(d) = local_day(p.t, self.utc_offset_s) {
                let e = acc.entry(d).or_insert((0.0, 0));
                e.0 += p.value;
                e.1 += 1;
            }
        }
        acc.into_iter()
            .filter_map(|(d, (s, n))| {
                let v = match kind.daily_aggregate() {
                    DailyAggregate::Sum => s,
                    DailyAggregate::Mean => s / n as f64,
                };
                v.is_finite().then_some((d, v))
            })
            .collect()
    }

    /// Plausible blood pressure readings only, sorted by time.
    pub fn valid_bp(&self) -> Vec<BpPoint> {
        let mut v: Vec<BpPoint> = self
            .blood_pressure
            .iter()
            .copied()
            .filter(|b| {
                b.systolic.is_finite()
                    && b.diastolic.is_finite()
                    && (40.0..=350.0).contains(&b.systolic)
                    && (20.0..=250.0).contains(&b.diastolic)
            })
            .collect();
        v.sort_by_key(|b| b.t);
        v
    }
}

/// The local calendar day of a unix timestamp, or None if out of range.
pub fn local_day(t: i64, utc_offset_s: i32) -> Option<NaiveDate> {
    let shifted = t.checked_add(utc_offset_s as i64)?;
    DateTime::from_timestamp(shifted, 0).map(|d| d.date_naive())
}

/// The UK's offset from UTC on `day`, in seconds: 0 (GMT) or 3600 (BST). The offset in
/// force at noon UTC, so a change day (the clocks move at 01:00 UTC) counts as its new
/// offset. From the IANA time zone database (`Europe/London`), not a hand-written rule,
/// so a future change to UK summer time arrives with a chrono-tz update.
pub fn uk_utc_offset_s(day: NaiveDate) -> i32 {
    use chrono::{Offset, TimeZone};
    let noon = day.and_time(NaiveTime::MIN) + chrono::Duration::hours(12);
    chrono_tz::Europe::London.offset_from_utc_datetime(&noon).fix().local_minus_utc()
}

/// Unix seconds at local midnight starting `day`.
pub fn day_start_t(day: NaiveDate, utc_offset_s: i32) -> i64 {
    day.and_time(NaiveTime::MIN).and_utc().timestamp() - utc_offset_s as i64
}
