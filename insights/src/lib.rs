//! Insights: trends, gentle alerts, suggestions, signposts, fitness and charts.
//!
//! Pure: no I/O, no network, no database. The store hands over an
//! [`InsightInput`]; [`evaluate`] returns an [`InsightReport`]. Everything can be
//! switched off through [`InsightSettings`].

pub mod alerts;
pub mod chart;
pub mod fitness;
pub mod guidance;
pub mod input;
pub mod settings;
pub mod signposts;
pub mod trends;

#[cfg(test)]
mod tests;

use serde::{Deserialize, Serialize};

pub use self::alerts::{Alert, AlertCategory, Severity, TriggerDatum};
pub use self::chart::{ChartSpec, Marker, MarkerKind, TargetBand, Theme};
pub use self::fitness::FitnessSummary;
pub use self::input::uk_utc_offset_s;
pub use self::input::{
    Activity, BpPoint, BpSetting, DailyRollup, Goal, InsightInput, LifeEvent, Medication, MetricKind,
    Profile, SeriesPoint, Sport, Vaccination,
};
pub use self::settings::{ChangeThresholds, InsightSettings};
pub use self::signposts::{Signpost, Suggestion};
pub use self::trends::{ChangeEvent, ChangeKind, Trend, TrendReport};

/// Everything insights has to say about one record on one day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InsightReport {
    pub trends: TrendReport,
    pub alerts: Vec<Alert>,
    pub suggestions: Vec<Suggestion>,
    pub signposts: Vec<Signpost>,
    /// None when fitness is switched off.
    pub fitness: Option<FitnessSummary>,
}

/// Work out trends, alerts, suggestions, signposts and fitness numbers.
/// Never panics; ignores non-finite or implausible values.
pub fn evaluate(input: &InsightInput) -> InsightReport {
    let trends = trends::trend_report(input);
    let alerts = alerts::evaluate_alerts(input, &trends);
    let suggestions = signposts::suggestions(&alerts, &trends, &input.settings);
    let signposts = signposts::signposts(&alerts, &suggestions, &input.settings);
    let fitness = input.settings.fitness_enabled.then(|| fitness::fitness_summary(input));
    InsightReport { trends, alerts, suggestions, signposts, fitness }
}
