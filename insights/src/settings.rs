//! User settings for insights. Serde-serialisable so the store can persist them.
//!
//! Every alert category can be switched off; switching a category off removes
//! its alerts *and* the suggestions and signposts that would have followed.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::alerts::AlertCategory;

/// Thresholds for change detection (not guideline-based: the user may tune them).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ChangeThresholds {
    /// Flag weight gain of at least this many percent over `weight_window_days`.
    pub weight_gain_pct: f64,
    /// Flag weight loss of at least this many percent over `weight_window_days`.
    pub weight_loss_pct: f64,
    pub weight_window_days: i64,
    /// Window over which a VO2max decline is looked for (8 weeks by default).
    pub vo2max_window_days: i64,
    /// Least-squares decline (ml/kg/min per week) that counts as meaningful.
    pub vo2max_min_decline_per_week: f64,
    /// Flag a rise in resting heart rate of at least this many bpm over 30 days.
    pub resting_hr_rise_bpm: f64,
}

impl Default for ChangeThresholds {
    fn default() -> Self {
        ChangeThresholds {
            weight_gain_pct: 5.0,
            weight_loss_pct: 5.0,
            weight_window_days: 30,
            vo2max_window_days: 56,
            vo2max_min_decline_per_week: 0.25,
            resting_hr_rise_bpm: 8.0,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct InsightSettings {
    /// Master switch for alerts (the research participants wanted to be able to turn them off).
    pub alerts_enabled: bool,
    /// Categories the user has switched off.
    pub disabled_categories: BTreeSet<AlertCategory>,
    pub suggestions_enabled: bool,
    pub signposts_enabled: bool,
    /// Include services local to Leeds as well as national ones.
    pub include_leeds_services: bool,
    pub fitness_enabled: bool,
    /// Use the lower BMI thresholds NICE advises for people from Black, Asian
    /// and other minority ethnic backgrounds (23 and 27.5).
    pub bmi_ethnicity_adjusted: bool,
    /// How far back a clinic reading or a weight still counts as "current".
    pub lookback_days: i64,
    /// Home blood pressure: readings averaged over this many days.
    pub home_bp_average_days: i64,
    /// Home blood pressure: fewest readings needed before an average is used.
    pub min_home_bp_readings: usize,
    /// Warn this many days before a medication's stop date.
    pub medication_stop_warning_days: i64,
    /// Mention a medication that stopped up to this many days ago.
    pub medication_stopped_lookback_days: i64,
    /// Mention vaccinations due within this many days.
    pub vaccination_due_soon_days: i64,
    /// Weekly activity/alcohol checks need data on at least this many of the 7 days.
    pub min_days_with_data: usize,
    pub change: ChangeThresholds,
}

impl Default for InsightSettings {
    fn default() -> Self {
        InsightSettings {
            alerts_enabled: true,
            disabled_categories: BTreeSet::new(),
            suggestions_enabled: true,
            signposts_enabled: true,
            include_leeds_services: true,
            fitness_enabled: true,
            bmi_ethnicity_adjusted: false,
            lookback_days: 90,
            home_bp_average_days: 7,
            min_home_bp_readings: 1,
            medication_stop_warning_days: 7,
            medication_stopped_lookback_days: 30,
            vaccination_due_soon_days: 30,
            min_days_with_data: 4,
            change: ChangeThresholds::default(),
        }
    }
}

impl InsightSettings {
    /// Is this category switched on?
    pub fn category_enabled(&self, c: AlertCategory) -> bool {
        self.alerts_enabled && !self.disabled_categories.contains(&c)
    }

    pub fn disable(&mut self, c: AlertCategory) {
        self.disabled_categories.insert(c);
    }

    pub fn enable(&mut self, c: AlertCategory) {
        self.disabled_categories.remove(&c);
    }

    pub fn to_json(&self) -> String {
        // Serialising plain structs/enums/sets of unit variants cannot fail.
        serde_json::to_string(self).unwrap_or_default()
    }

    pub fn from_json(s: &str) -> Result<Self, serde_json::Error> {
        serde_json::from_str(s)
    }
}
