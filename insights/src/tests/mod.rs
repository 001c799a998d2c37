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
