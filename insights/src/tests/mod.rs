//! Tests for the insights crate. Paths use `super::super` (never `crate::`)
//! as they did when insights was a module of phr-core.

mod charts;
mod fitness_tests;
mod props;
mod settings_tests;
mod thresholds;
mod trend_tests;
mod uk_time;

use chrono::{NaiveDate, NaiveTime};
use phr_model::Label;

use super::input::{BpPoint, BpSetting, InsightInput, MetricKind, SeriesPoint};

pub(super) fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid test date")
}

/// The fixed "today" used by the tests.
pub(super) fn today() -> NaiveDate {
    date(2025, 3, 15)
}

/// Unix seconds at `hour`:00 UTC, `days_ago` days before today.
pub(super) fn t_days_ago(days_ago: i64, hour: u32) -> i64 {
    let d = today() - chrono::Duration::days(days_ago);
    d.and_time(NaiveTime::from_hms_opt(hour, 0, 0).expect("valid hour")).and_utc().timestamp()
}

pub(super) fn base_input() -> InsightInput {
    InsightInput::new(today())
}

pub(super) fn bp(days_ago: i64, sys: f64, dia: f64, setting: BpSetting) -> BpPoint {
    BpPoint { t: t_days_ago(days_ago, 9), systolic: sys, diastolic: dia, setting }
}

pub(super) fn push(input: &mut InsightInput, kind: MetricKind, days_ago: i64, value: f64) {
    input.series.entry(kind).or_default().push(SeriesPoint { t: t_days_ago(days_ago, 12), value });
}

/// The core's catalogue, read here only to check what the wording says: the insights crate
/// returns keys, and the English lives in one file in the core.
const CATALOGUE: &str = include_str!("../../../core/strings/en.json");

/// A label in English, as the CLI and the shells show it. A missing key fails the test.
pub(super) fn english(label: &Label) -> String {
    let cat: std::collections::BTreeMap<String, String> = serde_json::from_str(CATALOGUE).expect("catalogue");
    let text = cat.get(&label.key).unwrap_or_else(|| panic!("{} is not in core/strings/en.json", label.key));
    label.fill(text)
}

/// Sentences in English, joined as a paragraph.
pub(super) fn paragraph(labels: &[Label]) -> String {
    labels.iter().map(english).collect::<Vec<_>>().join(" ")
}
