//! Activities: a run, a ride, a swim. One per real-world session, whichever app sent it.

use crate::sport::Sport;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Lap {
    pub start_ms: i64,
    pub duration_s: f64,
    #[serde(default)]
    pub distance_m: Option<f64>,
    #[serde(default)]
    pub avg_hr: Option<f64>,
    #[serde(default)]
    pub max_hr: Option<f64>,
    #[serde(default)]
    pub calories: Option<f64>,
}

/// One point of a recorded route.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrackPoint {
    pub t_ms: i64,
    #[serde(default)]
    pub lat: Option<f64>,
    #[serde(default)]
    pub lon: Option<f64>,
    #[serde(default)]
    pub altitude_m: Option<f64>,
    #[serde(default)]
    pub distance_m: Option<f64>,
    #[serde(default)]
    pub hr: Option<f64>,
    #[serde(default)]
    pub cadence: Option<f64>,
    #[serde(default)]
    pub power: Option<f64>,
    #[serde(default)]
    pub speed_mps: Option<f64>,
    #[serde(default)]
    pub temperature_c: Option<f64>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Activity {
    /// Assigned by the store; empty on the way in.
    #[serde(default)]
    pub id: String,
    /// Stored as [`Sport::as_str`] ("running", "trail_running", ...), as before the enum.
    pub sport: Sport,
    #[serde(default)]
    pub name: Option<String>,
    pub start_ms: i64,
    /// Elapsed seconds from start to finish (pauses included).
    pub elapsed_s: f64,
    /// Moving/timer seconds (pauses excluded), when the source knows.
    #[serde(default)]
    pub timer_s: Option<f64>,
    #[serde(default)]
    pub distance_m: Option<f64>,
    #[serde(default)]
    pub avg_hr: Option<f64>,
    #[serde(default)]
    pub max_hr: Option<f64>,
    #[serde(default)]
    pub calories: Option<f64>,
    #[serde(default)]
    pub ascent_m: Option<f64>,
    /// The app or device ("garmin fenix 6", "strava").
    pub source: String,
    /// The source's own id ("strava:123", file hash + session index): re-imports match it.
    pub source_id: String,
    /// Other sources that sent the same activity (cross-source dedup keeps one).
    #[serde(default)]
    pub also_from: Vec<String>,
    #[serde(default)]
    pub laps: Vec<Lap>,
    /// Derived metrics (zones, training load, pace...) by name, filled by importers.
    #[serde(default)]
    pub metrics: std::collections::BTreeMap<String, f64>,
    /// The route and per-second data, when there is one. Stored sealed and compressed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub track: Vec<TrackPoint>,
}

impl Activity {
    pub fn end_ms(&self) -> i64 {
        self.start_ms + (self.elapsed_s * 1000.0) as i64
    }

    pub fn validate(&self) -> crate::Result<()> {
        if self.source.trim().is_empty() || self.source_id.trim().is_empty() {
            return Err(crate::ModelError::invalid("activity", "source and source id are required"));
        }
        if !self.elapsed_s.is_finite() || self.elapsed_s < 0.0 || self.elapsed_s > 30.0 * 86_400.0 {
            return Err(crate::ModelError::invalid("activity duration", "must be between 0 and 30 days"));
        }
        for v in [self.distance_m, self.avg_hr, self.max_hr, self.calories, self.ascent_m, self.timer_s]
            .into_iter()
            .flatten()
        {
            if !v.is_finite() || v < 0.0 {
                return Err(crate::ModelError::invalid(
                    "activity",
                    "numbers must be finite and not negative",
                ));
            }
        }
        Ok(())
    }
}
