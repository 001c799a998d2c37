//! Typed extraction: plain structs for health and fitness apps, built from decoded messages.
//!
//! Times are Unix seconds (UTC). A FIT time below 0x10000000 is "seconds since device
//! power-on"; such times are not turned into dates: the `timestamp` is `None` and the
//! relative value is kept in `uptime_s` where a struct has it.

use std::io::Read;

use super::decoder::{DecodeOptions, ReaderDecoder, SliceDecoder};
use super::types::*;

/// Degrees per semicircle.
pub const SEMICIRCLE_DEG: f64 = 180.0 / 2_147_483_648.0;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct FileId {
    pub file_type: Option<&'static str>,
    pub manufacturer: Option<u16>,
    pub manufacturer_name: Option<&'static str>,
    pub product: Option<u16>,
    /// Profile name of the product (garmin_product etc.) or the file's product_name string.
    pub product_name: Option<String>,
    pub serial_number: Option<u32>,
    pub time_created: Option<i64>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Record {
    pub timestamp: Option<i64>,
    /// Seconds since power-on when the file only has a relative time.
    pub uptime_s: Option<u32>,
    pub heart_rate: Option<u8>,
    pub cadence: Option<u8>,
    /// m/s (enhanced_speed preferred).
    pub speed: Option<f64>,
    /// m.
    pub distance: Option<f64>,
    /// m (enhanced_altitude preferred).
    pub altitude: Option<f64>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    /// W.
    pub power: Option<u16>,
    /// °C.
    pub temperature: Option<i8>,
}

/// A lap or a session.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Session {
    pub start_time: Option<i64>,
    /// End (the message timestamp).
    pub timestamp: Option<i64>,
    /// s.
    pub total_elapsed_time: Option<f64>,
    /// s.
    pub total_timer_time: Option<f64>,
    /// m.
    pub total_distance: Option<f64>,
    pub avg_heart_rate: Option<u8>,
    pub max_heart_rate: Option<u8>,
    /// kcal.
    pub total_calories: Option<u16>,
    pub sport: Option<&'static str>,
    pub sub_sport: Option<&'static str>,
}

pub type Lap = Session;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct MonitoringSample {
    /// Full time: from `timestamp`, or `timestamp_16` accumulated on the last full time.
    pub timestamp: Option<i64>,
    pub activity_type: Option<&'static str>,
    /// Cumulative steps (the `cycles` field for walking/running activity types).
    pub steps: Option<u32>,
    /// Cumulative cycles for other activity types (strokes, ...).
    pub cycles: Option<f64>,
    pub heart_rate: Option<u8>,
    /// kcal.
    pub active_calories: Option<u16>,
    /// kcal (cumulative).
    pub calories: Option<u16>,
    /// m (cumulative).
    pub distance: Option<f64>,
    pub intensity: Option<u8>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct SleepLevel {
    pub timestamp: Option<i64>,
    pub level: Option<u8>,
    /// "unmeasurable", "awake", "light", "deep", "rem".
    pub level_name: Option<&'static str>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct HrvRecord {
    /// Last full time stamp seen before this message (hrv messages carry none).
    pub after_timestamp: Option<i64>,
    /// RR intervals in seconds (invalid entries dropped).
    pub rr_s: Vec<f64>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct WeightScale {
    pub timestamp: Option<i64>,
    pub weight_kg: Option<f64>,
    pub percent_fat: Option<f64>,
    pub percent_hydration: Option<f64>,
    pub visceral_fat_mass_kg: Option<f64>,
    pub bone_mass_kg: Option<f64>,
    pub muscle_mass_kg: Option<f64>,
    pub basal_met_kcal: Option<f64>,
    pub active_met_kcal: Option<f64>,
    pub physique_rating: Option<u8>,
    pub metabolic_age: Option<u8>,
    pub visceral_fat_rating: Option<u8>,
    pub bmi: Option<f64>,
    pub user_profile_index: Option<u16>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct BloodPressure {
    pub timestamp: Option<i64>,
    pub systolic_mmhg: Option<u16>,
    pub diastolic_mmhg: Option<u16>,
    pub mean_arterial_mmhg: Option<u16>,
    pub heart_rate: Option<u8>,
    pub status: Option<&'static str>,
    pub user_profile_index: Option<u16>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct DeviceInfo {
    pub timestamp: Option<i64>,
    pub device_index: Option<u8>,
    pub manufacturer: Option<u16>,
    pub manufacturer_name: Option<&'static str>,
    pub product: Option<u16>,
    pub product_name: Option<String>,
    pub serial_number: Option<u32>,
    pub software_version: Option<f64>,
    pub battery_status: Option<&'static str>,
}

/// What a health or fitness app usually takes from a FIT file.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FitSummary {
    pub file_ids: Vec<FileId>,
    pub records: Vec<Record>,
    pub laps: Vec<Lap>,
    pub sessions: Vec<Session>,
    pub monitoring: Vec<MonitoringSample>,
    pub sleep_levels: Vec<SleepLevel>,
    pub hrv: Vec<HrvRecord>,
    pub weight_scale: Vec<WeightScale>,
    pub blood_pressure: Vec<BloodPressure>,
    pub device_info: Vec<DeviceInfo>,
    /// (unix s, bpm) from `monitoring_hr_data` (resting heart rate, daily).
    pub resting_hr: Vec<(i64, u8)>,
    /// (unix s, mL/kg/min) from `max_met_data` (the device's VO2max estimate).
    pub vo2max: Vec<(i64, f64)>,
    /// (unix s, ms) from `hrv_value` (overnight HRV, RMSSD).
    pub hrv_values: Vec<(i64, f64)>,
    pub report: DecodeReport,
}

impl FitSummary {
    pub fn file_id(&self) -> Option<&FileId> {
        self.file_ids.first()
    }
}

fn u8f(m: &FitMessage, n: &str) -> Option<u8> {
    m.u64(n).and_then(|v| u8::try_from(v).ok())
}
fn u16f(m: &FitMessage, n: &str) -> Option<u16> {
    m.u64(n).and_then(|v| u16::try_from(v).ok())
}
fn u32f(m: &FitMessage, n: &str) -> Option<u32> {
    m.u64(n).and_then(|v| u32::try_from(v).ok())
}
fn time_f(m: &FitMessage, n: &str) -> Option<i64> {
    m.field_by_name(n).and_then(|f| f.time()).and_then(|t| t.unix())
}
fn enum_f(m: &FitMessage, n: &str) -> Option<&'static str> {
    m.field_by_name(n).and_then(|f| f.enum_name())
}
fn product_name(m: &FitMessage) -> Option<String> {
    // A matching sub-field (garmin_product, favero_product, ...) gives the profile name.
    if let Some(f) = m.fields.iter().find(|f| f.name == Some("product")) {
        if let Some(n) = f.enum_name() {
            return Some(n.to_string());
        }
    }
    m.field_by_name("product_name").and_then(|f| f.value.as_str()).map(|s| s.to_string())
}
fn product(m: &FitMessage) -> Option<u16> {
    m.fields
        .iter()
        .find(|f| f.name == Some("product"))
        .and_then(|f| f.value.as_u64())
        .and_then(|v| u16::try_from(v).ok())
}

/// Builds a [`FitSummary`] from messages pushed one by one (streaming).
#[derive(Debug, Default)]
pub struct SummaryBuilder {
    s: FitSummary,
    /// Last full raw FIT time (for timestamp_16).
    last_raw: Option<u32>,
    last_file: Option<u32>,
}

impl SummaryBuilder {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn push(&mut self, m: &FitMessage) {
        if self.last_file != Some(m.file_index) {
            self.last_file = Some(m.file_index);
            self.last_raw = None;
        }
        let ts_unix = m.timestamp.and_then(|t| t.unix());
        if let Some(t) = m.timestamp {
            self.last_raw = Some(match t {
                FitTime::Utc(u) => (u - FIT_EPOCH_UNIX) as u32,
                FitTime::Relative(r) => r,
            });
        }
        let s = &mut self.s;
        match m.name {
            Some("file_id") => s.file_ids.push(FileId {
                file_type: enum_f(m, "type"),
                manufacturer: u16f(m, "manufacturer"),
                manufacturer_name: enum_f(m, "manufacturer"),
                product: product(m),
                product_name: product_name(m),
                serial_number: u32f(m, "serial_number"),
                time_created: time_f(m, "time_created"),
            }),
            Some("record") => {
                let lat = m.field_by_name("position_lat").and_then(|f| f.value.as_i64());
                let lon = m.field_by_name("position_long").and_then(|f| f.value.as_i64());
                s.records.push(Record {
                    timestamp: ts_unix,
                    uptime_s: match m.timestamp {
                        Some(FitTime::Relative(r)) => Some(r),
                        _ => None,
                    },
                    heart_rate: u8f(m, "heart_rate"),
                    cadence: u8f(m, "cadence"),
                    speed: m.f64("enhanced_speed").or_else(|| m.f64("speed")),
                    distance: m.f64("distance"),
                    altitude: m.f64("enhanced_altitude").or_else(|| m.f64("altitude")),
                    latitude: lat.map(|v| v as f64 * SEMICIRCLE_DEG),
                    longitude: lon.map(|v| v as f64 * SEMICIRCLE_DEG),
                    power: u16f(m, "power"),
                    temperature: m
                        .field_by_name("temperature")
                        .and_then(|f| f.value.as_i64())
                        .and_then(|v| i8::try_from(v).ok()),
                });
            }
            Some(n @ ("lap" | "session")) => {
                let x = Session {
                    start_time: time_f(m, "start_time"),
                    timestamp: ts_unix,
                    total_elapsed_time: m.f64("total_elapsed_time"),
                    total_timer_time: m.f64("total_timer_time"),
                    total_distance: m.f64("total_distance"),
                    avg_heart_rate: u8f(m, "avg_heart_rate"),
                    max_heart_rate: u8f(m, "max_heart_rate"),
                    total_calories: u16f(m, "total_calories"),
                    sport: enum_f(m, "sport"),
                    sub_sport: enum_f(m, "sub_sport"),
                };
                if n == "lap" {
                    s.laps.push(x)
                } else {
                    s.sessions.push(x)
                }
            }
            Some("monitoring") => {
                let mut ts = ts_unix;
                if ts.is_none() {
                    if let (Some(t16), Some(last)) = (m.u64("timestamp_16"), self.last_raw) {
                        let t16 = t16 as u32 & 0xFFFF;
                        let full = last.wrapping_add(t16.wrapping_sub(last & 0xFFFF) & 0xFFFF);
                        self.last_raw = Some(full);
                        ts = FitTime::from_raw(full).unix();
                    }
                }
                let cyc = m.fields.iter().find(|f| f.name == Some("cycles"));
                let steps = cyc
                    .filter(|f| f.kind == FieldKind::SubField("steps"))
                    .and_then(|f| f.f64())
                    .map(|v| v as u32);
                let cycles = cyc.filter(|f| f.kind != FieldKind::SubField("steps")).and_then(|f| f.f64());
                s.monitoring.push(MonitoringSample {
                    timestamp: ts,
                    activity_type: enum_f(m, "activity_type"),
                    steps,
                    cycles,
                    heart_rate: u8f(m, "heart_rate"),
                    active_calories: u16f(m, "active_calories"),
                    calories: u16f(m, "calories"),
                    distance: m.f64("distance"),
                    intensity: m.field_by_name("intensity").and_then(|f| f.f64()).map(|v| v as u8),
                });
            }
            Some("sleep_level") => s.sleep_levels.push(SleepLevel {
                timestamp: ts_unix,
                level: u8f(m, "sleep_level"),
                level_name: enum_f(m, "sleep_level"),
            }),
            Some("hrv") => {
                let rr = m.field_by_name("time").map(|f| f.f64s()).unwrap_or_default();
                s.hrv.push(HrvRecord {
                    after_timestamp: self.last_raw.and_then(|r| FitTime::from_raw(r).unix()),
                    rr_s: rr,
                });
            }
            Some("weight_scale") => s.weight_scale.push(WeightScale {
                timestamp: ts_unix,
                // weight 0xFFFE means "calculating": left out.
                weight_kg: m
                    .field_by_name("weight")
                    .filter(|f| f.value.as_u64() != Some(0xFFFE))
                    .and_then(|f| f.f64()),
                percent_fat: m.f64("percent_fat"),
                percent_hydration: m.f64("percent_hydration"),
                visceral_fat_mass_kg: m.f64("visceral_fat_mass"),
                bone_mass_kg: m.f64("bone_mass"),
                muscle_mass_kg: m.f64("muscle_mass"),
                basal_met_kcal: m.f64("basal_met"),
                active_met_kcal: m.f64("active_met"),
                physique_rating: u8f(m, "physique_rating"),
                metabolic_age: u8f(m, "metabolic_age"),
                visceral_fat_rating: u8f(m, "visceral_fat_rating"),
                bmi: m.f64("bmi"),
                user_profile_index: u16f(m, "user_profile_index"),
            }),
            Some("blood_pressure") => s.blood_pressure.push(BloodPressure {
                timestamp: ts_unix,
                systolic_mmhg: u16f(m, "systolic_pressure"),
                diastolic_mmhg: u16f(m, "diastolic_pressure"),
                mean_arterial_mmhg: u16f(m, "mean_arterial_pressure"),
                heart_rate: u8f(m, "heart_rate"),
                status: enum_f(m, "status"),
                user_profile_index: u16f(m, "user_profile_index"),
            }),
            Some("device_info") => s.device_info.push(DeviceInfo {
                timestamp: ts_unix,
                device_index: u8f(m, "device_index"),
                manufacturer: u16f(m, "manufacturer"),
                manufacturer_name: enum_f(m, "manufacturer"),
                product: product(m),
                product_name: product_name(m),
                serial_number: u32f(m, "serial_number"),
                software_version: m.f64("software_version"),
                battery_status: enum_f(m, "battery_status"),
            }),
            Some("monitoring_hr_data") => {
                let v = u8f(m, "resting_heart_rate").or_else(|| u8f(m, "current_day_resting_heart_rate"));
                if let (Some(t), Some(v)) = (ts_unix, v) {
                    s.resting_hr.push((t, v));
                }
            }
            Some("max_met_data") => {
                let t = time_f(m, "update_time").or(ts_unix);
                if let (Some(t), Some(v)) = (t, m.f64("vo2_max")) {
                    s.vo2max.push((t, v));
                }
            }
            Some("hrv_value") => {
                if let (Some(t), Some(v)) = (ts_unix, m.f64("value")) {
                    s.hrv_values.push((t, v));
                }
            }
            _ => {}
        }
    }

    pub fn finish(mut self, report: DecodeReport) -> FitSummary {
        self.s.report = report;
        self.s
    }
}

/// Decode a slice and extract a [`FitSummary`] (messages are not kept).
pub fn summarize(data: &[u8]) -> FitSummary {
    let mut b = SummaryBuilder::new();
    let mut it = SliceDecoder::new(data, DecodeOptions::default());
    while let Some(m) = it.next_ref() {
        b.push(m);
    }
    b.finish(it.finish())
}

/// Streaming version of [`summarize`].
pub fn summarize_reader<R: Read>(r: R) -> FitSummary {
    let mut b = SummaryBuilder::new();
    let mut it = ReaderDecoder::new(r, DecodeOptions::default());
    while let Some(m) = it.next_ref() {
        b.push(m);
    }
    b.finish(it.finish())
}
