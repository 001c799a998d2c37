//! Measurements: time-series samples (weight, blood pressure, heart rate, steps...).
//!
//! Each kind has one canonical unit; importers convert on the way in so rollups never mix
//! kilograms with stones.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SampleKind {
    Weight,
    BodyFat,
    Height,
    BloodPressureSystolic,
    BloodPressureDiastolic,
    HeartRate,
    RestingHeartRate,
    HeartRateVariability,
    Steps,
    Distance,
    ActiveEnergy,
    ActiveMinutes,
    Vo2Max,
    SleepDuration,
    BloodGlucose,
    OxygenSaturation,
    RespiratoryRate,
    BodyTemperature,
    AlcoholUnits,
}

impl SampleKind {
    pub const ALL: [SampleKind; 19] = [
        Self::Weight,
        Self::BodyFat,
        Self::Height,
        Self::BloodPressureSystolic,
        Self::BloodPressureDiastolic,
        Self::HeartRate,
        Self::RestingHeartRate,
        Self::HeartRateVariability,
        Self::Steps,
        Self::Distance,
        Self::ActiveEnergy,
        Self::ActiveMinutes,
        Self::Vo2Max,
        Self::SleepDuration,
        Self::BloodGlucose,
        Self::OxygenSaturation,
        Self::RespiratoryRate,
        Self::BodyTemperature,
        Self::AlcoholUnits,
    ];

    pub fn slug(self) -> &'static str {
        match self {
            Self::Weight => "weight",
            Self::BodyFat => "body_fat",
            Self::Height => "height",
            Self::BloodPressureSystolic => "bp_systolic",
            Self::BloodPressureDiastolic => "bp_diastolic",
            Self::HeartRate => "heart_rate",
            Self::RestingHeartRate => "resting_heart_rate",
            Self::HeartRateVariability => "hrv",
            Self::Steps => "steps",
            Self::Distance => "distance",
            Self::ActiveEnergy => "active_energy",
            Self::ActiveMinutes => "active_minutes",
            Self::Vo2Max => "vo2max",
            Self::SleepDuration => "sleep_duration",
            Self::BloodGlucose => "blood_glucose",
            Self::OxygenSaturation => "spo2",
            Self::RespiratoryRate => "respiratory_rate",
            Self::BodyTemperature => "body_temperature",
            Self::AlcoholUnits => "alcohol_units",
        }
    }

    pub fn from_slug(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.slug() == s)
    }

    /// The canonical unit values are stored in.
    pub fn unit(self) -> &'static str {
        match self {
            Self::Weight => "kg",
            Self::BodyFat | Self::OxygenSaturation => "%",
            Self::Height | Self::Distance => "m",
            Self::BloodPressureSystolic | Self::BloodPressureDiastolic => "mmHg",
            Self::HeartRate | Self::RestingHeartRate => "bpm",
            Self::HeartRateVariability => "ms",
            Self::Steps => "count",
            Self::ActiveEnergy => "kcal",
            Self::ActiveMinutes | Self::SleepDuration => "min",
            Self::Vo2Max => "mL/kg/min",
            Self::BloodGlucose => "mmol/L",
            Self::RespiratoryRate => "breaths/min",
            Self::BodyTemperature => "°C",
            Self::AlcoholUnits => "units",
        }
    }

    /// Whether a day's value is the sum of its samples (steps) or a level (weight).
    pub fn is_cumulative(self) -> bool {
        matches!(
            self,
            Self::Steps
                | Self::Distance
                | Self::ActiveEnergy
                | Self::ActiveMinutes
                | Self::SleepDuration
                | Self::AlcoholUnits
        )
    }

    /// A plausible physical range; values outside are refused as input errors.
    fn plausible(self) -> (f64, f64) {
        match self {
            Self::Weight => (0.2, 700.0),
            Self::BodyFat | Self::OxygenSaturation => (0.0, 100.0),
            Self::Height => (0.2, 2.8),
            Self::BloodPressureSystolic | Self::BloodPressureDiastolic => (10.0, 350.0),
            Self::HeartRate | Self::RestingHeartRate => (10.0, 300.0),
            Self::HeartRateVariability => (0.0, 3000.0),
            Self::Steps => (0.0, 1_000_000.0),
            Self::Distance => (0.0, 2_000_000.0),
            Self::ActiveEnergy => (0.0, 50_000.0),
            Self::ActiveMinutes | Self::SleepDuration => (0.0, 1440.0 * 7.0),
            Self::Vo2Max => (5.0, 100.0),
            Self::BloodGlucose => (0.0, 100.0),
            Self::RespiratoryRate => (0.0, 120.0),
            Self::BodyTemperature => (20.0, 45.0),
            Self::AlcoholUnits => (0.0, 1000.0),
        }
    }

    /// Other spellings of the canonical unit (`C` for `°C`: no `°` key on most keyboards).
    fn unit_aliases(self) -> &'static [&'static str] {
        match self {
            Self::BodyTemperature => &["C", "degC", "celsius"],
            Self::Steps => &["steps"],
            Self::HeartRate | Self::RestingHeartRate => &["bpm", "/min"],
            Self::BloodPressureSystolic | Self::BloodPressureDiastolic => &["mmhg"],
            _ => &[],
        }
    }

    /// Every unit [`Self::to_canonical`] takes for this kind, the canonical one first
    /// (what an error lists when a unit is refused).
    pub fn accepted_units(self) -> Vec<&'static str> {
        let converted: &[&str] = match self {
            Self::Weight => &["lb", "st", "g"],
            Self::Height => &["cm", "km"],
            Self::Distance => &["cm", "km", "mi"],
            Self::SleepDuration | Self::ActiveMinutes => &["h", "s"],
            Self::BloodGlucose => &["mg/dL"],
            Self::BodyTemperature => &["°F", "F"],
            Self::ActiveEnergy => &["kJ"],
            _ => &[],
        };
        let mut out = vec![self.unit()];
        out.extend(self.unit_aliases().iter().filter(|a| **a != self.unit()));
        out.extend(converted);
        out
    }

    /// Converts `value` in `unit` to this kind's canonical unit.
    pub fn to_canonical(self, value: f64, unit: &str) -> crate::Result<f64> {
        let u = unit.trim();
        let v = match (self, u) {
            (_, u) if u == self.unit() || self.unit_aliases().contains(&u) => value,
            (Self::Weight, "lb" | "lbs") => value * 0.453_592_37,
            (Self::Weight, "st") => value * 6.350_293_18,
            (Self::Weight, "g") => value / 1000.0,
            (Self::Height | Self::Distance, "cm") => value / 100.0,
            (Self::Height | Self::Distance, "km") => value * 1000.0,
            (Self::Distance, "mi") => value * 1609.344,
            (Self::SleepDuration | Self::ActiveMinutes, "h") => value * 60.0,
            (Self::SleepDuration | Self::ActiveMinutes, "s") => value / 60.0,
            (Self::BloodGlucose, "mg/dL") => value / 18.0,
            (Self::BodyTemperature, "°F" | "F") => (value - 32.0) * 5.0 / 9.0,
            (Self::ActiveEnergy, "kJ") => value / 4.184,
            (Self::Steps, "steps") => value,
            _ => {
                return Err(crate::ModelError::Invalid {
                    field: "unit",
                    reason: format!(
                        "{u:?} is not a unit for {}; use one of: {}",
                        self.slug(),
                        self.accepted_units().join(", ")
                    ),
                });
            }
        };
        Ok(v)
    }

    pub fn check_value(self, value: f64) -> crate::Result<()> {
        let (lo, hi) = self.plausible();
        if !value.is_finite() || value < lo || value > hi {
            return Err(crate::ModelError::Invalid {
                field: "sample value",
                reason: format!(
                    "outside the possible range for {} ({lo} to {hi} {})",
                    self.slug(),
                    self.unit()
                ),
            });
        }
        Ok(())
    }
}

/// One measurement. Times are UTC milliseconds since the Unix epoch; `end_ms == start_ms`
/// for an instant reading. `value` is in the kind's canonical unit.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Sample {
    pub kind: SampleKind,
    pub start_ms: i64,
    pub end_ms: i64,
    pub value: f64,
    /// Device or app that measured it ("withings-scale", "garmin fenix 6").
    pub source: String,
    /// Identifies the same reading arriving twice. Defaults to kind + source + times.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dedup_key: Option<String>,
}

impl Sample {
    pub fn instant(kind: SampleKind, at_ms: i64, value: f64, source: &str) -> Self {
        Self { kind, start_ms: at_ms, end_ms: at_ms, value, source: source.to_string(), dedup_key: None }
    }

    pub fn validate(&self) -> crate::Result<()> {
        self.kind.check_value(self.value)?;
        if self.end_ms < self.start_ms {
            return Err(crate::ModelError::invalid("sample time", "ends before it starts"));
        }
        // 1900..2200: anything else is a unit mistake (seconds given as milliseconds).
        const LO: i64 = -2_208_988_800_000;
        const HI: i64 = 7_258_118_400_000;
        if self.start_ms < LO || self.end_ms > HI {
            return Err(crate::ModelError::invalid(
                "sample time",
                "outside 1900-2200 (seconds given where milliseconds were expected?)",
            ));
        }
        if self.source.trim().is_empty() {
            return Err(crate::ModelError::invalid("sample source", "must not be empty"));
        }
        Ok(())
    }
}

/// A day's summary of one kind: what charts and trends read instead of raw samples.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DailyRollup {
    pub day: chrono::NaiveDate,
    pub count: u64,
    pub min: f64,
    pub max: f64,
    pub sum: f64,
    /// The value of the latest sample that day.
    pub last: f64,
}

impl DailyRollup {
    pub fn mean(&self) -> f64 {
        if self.count == 0 {
            0.0
        } else {
            self.sum / self.count as f64
        }
    }
}

/// What one ingest call did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IngestReport {
    pub added: u64,
    pub duplicates: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_convert_to_canonical() {
        assert!((SampleKind::Weight.to_canonical(11.0, "st").unwrap() - 69.853).abs() < 0.001);
        assert!((SampleKind::BloodGlucose.to_canonical(90.0, "mg/dL").unwrap() - 5.0).abs() < 1e-9);
        assert!(SampleKind::Weight.to_canonical(1.0, "mmHg").is_err());
    }

    #[test]
    fn every_accepted_unit_converts_and_a_refused_one_lists_them() {
        for k in SampleKind::ALL {
            for u in k.accepted_units() {
                assert!(k.to_canonical(1.0, u).is_ok(), "{} {u}", k.slug());
            }
        }
        assert_eq!(SampleKind::BodyTemperature.to_canonical(37.0, "C").unwrap(), 37.0);
        let e = SampleKind::BodyTemperature.to_canonical(37.0, "K").unwrap_err().to_string();
        assert!(e.contains("°C, C,") && e.contains("°F"), "{e}");
    }

    #[test]
    fn implausible_values_are_refused() {
        assert!(Sample::instant(SampleKind::Weight, 0, 82.0, "scale").validate().is_ok());
        assert!(Sample::instant(SampleKind::Weight, 0, f64::NAN, "scale").validate().is_err());
        assert!(Sample::instant(SampleKind::Weight, 0, 8200.0, "scale").validate().is_err());
        assert!(Sample::instant(SampleKind::Weight, 1_700_000_000_000_000, 82.0, "scale")
            .validate()
            .is_err());
        assert!(Sample::instant(SampleKind::Weight, 0, 82.0, " ").validate().is_err());
    }
}
