//! Suggestions (small things to try) and signposts (real services that can help).
//!
//! The list of services lives in `signposts.json`, compiled in with
//! `include_str!`. Both are shown only when enabled, and only for categories
//! the user has not switched off.

use std::collections::BTreeSet;

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
    pub text: String,
    /// Signposts that go with it (ids into `all_signposts`).
    pub signpost_ids: Vec<String>,
}

fn suggestion(category: AlertCategory, text: &str, ids: &[&str]) -> Suggestion {
    Suggestion { category, text: text.to_string(), signpost_ids: ids.iter().map(|s| s.to_string()).collect() }
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
                out.push(suggestion(c, "Cutting down on salt and alcohol, and moving more, can lower blood pressure within weeks.", &["nhs-live-well", "blood-pressure-uk"]));
                out.push(suggestion(c, "If you measure at home, sit quietly for 5 minutes first and take two readings a minute apart.", &["blood-pressure-uk"]));
            }
            AlertCategory::Bmi | AlertCategory::WeightChange => {
                out.push(suggestion(
                    c,
                    "Swap one sugary drink or snack a day for water or fruit.",
                    &["nhs-better-health", "one-you-leeds"],
                ));
                out.push(suggestion(
                    c,
                    "A 12-week plan with weekly goals works better than a crash diet.",
                    &["nhs-better-health"],
                ));
            }
            AlertCategory::PhysicalActivity => {
                out.push(suggestion(
                    c,
                    "Break activity into 10-minute chunks: a brisk walk at lunch counts.",
                    &["nhs-live-well", "couch-to-5k"],
                ));
                out.push(suggestion(c, "Join a free Saturday parkrun: walking it is welcome.", &["parkrun"]));
            }
            AlertCategory::Alcohol => {
                out.push(suggestion(c, "Have several drink-free days each week.", &["drinkaware"]));
                out.push(suggestion(
                    c,
                    "Try smaller glasses or lower-strength drinks.",
                    &["drinkaware", "forward-leeds"],
                ));
            }
            AlertCategory::Vaccinations => {
                out.push(suggestion(
                    c,
                    "Ask about any vaccines you are due when you next contact your GP practice or pharmacy.",
                    &["nhs-vaccinations"],
                ));
            }
            AlertCategory::Medications => {
                out.push(suggestion(
                    c,
                    "Order repeat prescriptions a week before you run out.",
                    &["nhs-app-prescriptions"],
                ));
            }
            AlertCategory::Fitness => {
                out.push(suggestion(
                    c,
                    "Add one session a week that gets you breathing hard, such as intervals or hills.",
                    &["couch-to-5k", "parkrun"],
                ));
            }
            AlertCategory::Sleep => {
                out.push(suggestion(
                    c,
                    "Going to bed and getting up at about the same time each day helps sleep.",
                    &["nhs-live-well"],
                ));
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
