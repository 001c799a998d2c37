//! Suggestions (small things to try) and signposts (real services that can help).
//!
//! The list of services lives in `signposts.json`, compiled in with
//! `include_str!`. Both are shown only when enabled, and only for categories
//! the user has not switched off.

use std::collections::BTreeSet;

use phr_model::Label;
use serde::{Deserialize, Serialize};

use super::alerts::{Alert, AlertCategory, Severity};
use super::settings::InsightSettings;
use super::trends::TrendReport;

const SIGNPOSTS_JSON: &str = include_str!("signposts.json");

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Signpost {
    pub id: String,
    pub name: String,
    pub helps_with: String,
    pub url: String,
    pub phone: Option<String>,
    /// "national" or "Leeds".
    pub area: String,
    pub categories: Vec<AlertCategory>,
    /// Shown only alongside an urgent alert (e.g. NHS 111).
    #[serde(default)]
    pub urgent_only: bool,
    /// Whether the details were confirmed when the list was compiled (see `note`).
    pub verified: bool,
    pub note: String,
}

impl Signpost {
    pub fn is_leeds(&self) -> bool {
        self.area.eq_ignore_ascii_case("leeds")
    }
}

/// Every service in the list (for a browse screen). Empty if the embedded file
/// were ever malformed (a test guards against that).
pub fn all_signposts() -> Vec<Signpost> {
    serde_json::from_str(SIGNPOSTS_JSON).unwrap_or_default()
}

/// Browse list for one category, honouring settings.
pub fn signposts_for_category(category: AlertCategory, settings: &InsightSettings) -> Vec<Signpost> {
    if !settings.signposts_enabled || settings.disabled_categories.contains(&category) {
        return Vec::new();
    }
    all_signposts()
        .into_iter()
        .filter(|s| !s.urgent_only && s.categories.contains(&category))
        .filter(|s| settings.include_leeds_services || !s.is_leeds())
        .collect()
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Suggestion {
    pub category: AlertCategory,
    /// The suggestion's catalogue key (`core/strings/en.json`).
    pub text: Label,
    /// Signposts that go with it (ids into `all_signposts`).
    pub signpost_ids: Vec<String>,
}

fn suggestion(category: AlertCategory, key: &str, ids: &[&str]) -> Suggestion {
    Suggestion { category, text: Label::new(key), signpost_ids: ids.iter().map(|s| s.to_string()).collect() }
}

/// Small, doable suggestions for the categories that have alerts, plus sleep
/// regularity. Nothing for switched-off categories.
pub fn suggestions(alerts: &[Alert], trends: &TrendReport, settings: &InsightSettings) -> Vec<Suggestion> {
    if !settings.suggestions_enabled {
        return Vec::new();
    }
    let mut cats: BTreeSet<AlertCategory> = alerts.iter().map(|a| a.category).collect();
    let irregular_sleep = trends.sleep.as_ref().is_some_and(|s| {
        s.nights >= 5
            && (s.bedtime_sd_min.is_some_and(|b| b > 60.0) || s.duration_sd_h.is_some_and(|d| d > 1.5))
    });
    if irregular_sleep {
        cats.insert(AlertCategory::Sleep);
    }
    let mut out = Vec::new();
    for c in cats {
        if !settings.category_enabled(c) {
            continue;
        }
        match c {
            AlertCategory::BloodPressure => {
                out.push(suggestion(c, "suggestion.bp.salt", &["nhs-live-well", "blood-pressure-uk"]));
                out.push(suggestion(c, "suggestion.bp.measure", &["blood-pressure-uk"]));
            }
            AlertCategory::Bmi | AlertCategory::WeightChange => {
                out.push(suggestion(c, "suggestion.weight.swap", &["nhs-better-health", "one-you-leeds"]));
                out.push(suggestion(c, "suggestion.weight.plan", &["nhs-better-health"]));
            }
            AlertCategory::PhysicalActivity => {
                out.push(suggestion(c, "suggestion.activity.chunks", &["nhs-live-well", "couch-to-5k"]));
                out.push(suggestion(c, "suggestion.activity.parkrun", &["parkrun"]));
            }
            AlertCategory::Alcohol => {
                out.push(suggestion(c, "suggestion.alcohol.free_days", &["drinkaware"]));
                out.push(suggestion(c, "suggestion.alcohol.smaller", &["drinkaware", "forward-leeds"]));
            }
            AlertCategory::Vaccinations => {
                out.push(suggestion(c, "suggestion.vaccinations.ask", &["nhs-vaccinations"]));
            }
            AlertCategory::Medications => {
                out.push(suggestion(c, "suggestion.medications.repeat", &["nhs-app-prescriptions"]));
            }
            AlertCategory::Fitness => {
                out.push(suggestion(c, "suggestion.fitness.hard_session", &["couch-to-5k", "parkrun"]));
            }
            AlertCategory::Sleep => {
                out.push(suggestion(c, "suggestion.sleep.regular", &["nhs-live-well"]));
            }
            // The alert itself says who to ask; there is no lifestyle advice for a lab value.
            AlertCategory::TestResults | AlertCategory::Wellbeing => {}
        }
    }
    out
}

/// Services matching the categories that have alerts or suggestions, national
/// first then Leeds. NHS 111 appears only with an urgent alert.
pub fn signposts(alerts: &[Alert], suggestions: &[Suggestion], settings: &InsightSettings) -> Vec<Signpost> {
    if !settings.signposts_enabled {
        return Vec::new();
    }
    let cats: BTreeSet<AlertCategory> = alerts
        .iter()
        .map(|a| a.category)
        .chain(suggestions.iter().map(|s| s.category))
        .filter(|c| settings.category_enabled(*c))
        .collect();
    let urgent =
        alerts.iter().any(|a| a.severity == Severity::Urgent && settings.category_enabled(a.category));
    let mut out: Vec<Signpost> = all_signposts()
        .into_iter()
        .filter(|s| s.categories.iter().any(|c| cats.contains(c)))
        .filter(|s| !s.urgent_only || urgent)
        .filter(|s| settings.include_leeds_services || !s.is_leeds())
        .collect();
    out.sort_by_key(|s| (!s.urgent_only, s.is_leeds()));
    out
}
