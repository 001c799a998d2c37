//! Slopes, rolling averages and change detection against hand-computed values.

use super::super::input::{MetricKind, SeriesPoint};
use super::super::settings::ChangeThresholds;
use super::super::trends::{self, ChangeKind, Direction};
use super::super::{evaluate, AlertCategory};
use super::{base_input, push, t_days_ago, today};

const D: i64 = 86_400;

fn pts(vals: &[(i64, f64)]) -> Vec<SeriesPoint> {
    vals.iter().map(|(day, v)| SeriesPoint { t: day * D, value: *v }).collect()
}

#[test]
fn slope_of_exact_line() {
    let f = trends::linear_fit(&pts(&[(0, 1.0), (1, 3.0), (2, 5.0)])).expect("fit");
    assert!((f.slope_per_day - 2.0).abs() < 1e-12);
    assert!((f.intercept - 1.0).abs() < 1e-12);
    assert!((f.r2 - 1.0).abs() < 1e-12);
}

#[test]
fn slope_hand_computed() {
    // x = 0..4, y = 2,4,5,4,5: mean x 2, mean y 4, Sxx 10, Sxy 6, Syy 6.
    // slope 0.6, intercept 4 - 0.6*2 = 2.8, r² = 36 / 60 = 0.6.
    let f = trends::linear_fit(&pts(&[(0, 2.0), (1, 4.0), (2, 5.0), (3, 4.0), (4, 5.0)])).expect("fit");
    assert!((f.slope_per_day - 0.6).abs() < 1e-12);
    assert!((f.intercept - 2.8).abs() < 1e-12);
    assert!((f.r2 - 0.6).abs() < 1e-12);
    assert_eq!(f.n, 5);
}

#[test]
fn slope_needs_two_distinct_times_and_ignores_nan() {
    assert!(trends::linear_fit(&[]).is_none());
    assert!(trends::linear_fit(&pts(&[(3, 1.0)])).is_none());
    assert!(trends::linear_fit(&pts(&[(3, 1.0), (3, 2.0)])).is_none());
    let f = trends::linear_fit(&pts(&[(0, 1.0), (1, f64::NAN), (2, 3.0), (3, f64::INFINITY)])).expect("fit");
    assert!((f.slope_per_day - 1.0).abs() < 1e-12);
}

#[test]
fn rolling_series_hand_computed() {
    // 2-day trailing window: a point drops out once it is 2 days old.
    let r = trends::rolling_series(&pts(&[(0, 1.0), (1, 2.0), (2, 3.0), (3, 4.0)]), 2.0);
    let v: Vec<f64> = r.iter().map(|p| p.value).collect();
    assert_eq!(v, vec![1.0, 1.5, 2.5, 3.5]);
}

#[test]
fn rolling_mean_over_7_and_30_days() {
    let mut input = base_input();
    for d in 0..30 {
        push(&mut input, MetricKind::Weight, d, 70.0 + d as f64); // today 70, 29 days ago 99
    }
    let w = input.points(MetricKind::Weight);
    // Last 7 days (today and the 6 before): 70..76, mean 73.
    assert_eq!(trends::rolling_mean(&w, today(), 7, 0), Some(73.0));
    // 30 days: 70..99, mean 84.5.
    assert_eq!(trends::rolling_mean(&w, today(), 30, 0), Some(84.5));
    // Weight falls by 1 kg a day going forward in time.
    let t = trends::trend(MetricKind::Weight, &w, today(), 30, 0).expect("trend");
    assert!((t.slope_per_day.unwrap() + 1.0).abs() < 1e-9);
    assert_eq!(t.direction, Direction::Falling);
    assert_eq!(t.n, 30);
    assert_eq!((t.min, t.max), (70.0, 99.0));
}

#[test]
fn trend_report_covers_standard_windows() {
    let mut input = base_input();
    for d in 0..100 {
        push(&mut input, MetricKind::Steps, d, 8000.0);
        push(&mut input, MetricKind::RestingHeartRate, d, 55.0);
    }
    let r = trends::trend_report(&input);
    for kind in [MetricKind::Steps, MetricKind::RestingHeartRate] {
        let windows: Vec<i64> = r.trends.iter().filter(|t| t.kind == kind).map(|t| t.window_days).collect();
        assert_eq!(windows, vec![7, 30, 90]);
    }
    let steps30 = r.trends.iter().find(|t| t.kind == MetricKind::Steps && t.window_days == 30).unwrap();
    assert_eq!(steps30.mean, 8000.0);
    assert_eq!(steps30.direction, Direction::Steady);
}

fn weight_input(first_week: f64, last_week: f64) -> super::super::input::InsightInput {
    let mut input = base_input();
    for d in 0..30 {
        let v = if d >= 23 {
            first_week
        } else if d <= 6 {
            last_week
        } else {
            (first_week + last_week) / 2.0
        };
        push(&mut input, MetricKind::Weight, d, v);
    }
    input
}

#[test]
fn weight_up_5_percent_in_30_days_is_detected() {
    let th = ChangeThresholds::default();
    let input = weight_input(80.0, 84.0); // exactly +5%
    let c = trends::detect_weight_change(&input.points(MetricKind::Weight), today(), 0, &th)
        .expect("+5% detected");
    assert_eq!(c.kind, ChangeKind::WeightGain);
    assert_eq!(c.magnitude, 5.0);
    assert_eq!((c.from, c.to), (80.0, 84.0));
    let report = evaluate(&input);
    assert!(report
        .alerts
        .iter()
        .any(|a| a.category == AlertCategory::WeightChange && a.id == "change.weight_gain"));

    let input = weight_input(80.0, 83.9); // +4.875%: below the threshold
    assert!(trends::detect_weight_change(&input.points(MetricKind::Weight), today(), 0, &th).is_none());
}

#[test]
fn weight_threshold_is_configurable_and_loss_detected() {
    let th = ChangeThresholds { weight_gain_pct: 3.0, ..ChangeThresholds::default() };
    let input = weight_input(80.0, 82.5); // +3.125%
    assert!(trends::detect_weight_change(&input.points(MetricKind::Weight), today(), 0, &th).is_some());
    let input = weight_input(80.0, 76.0); // -5%
    let c = trends::detect_weight_change(
        &input.points(MetricKind::Weight),
        today(),
        0,
        &ChangeThresholds::default(),
    )
    .unwrap();
    assert_eq!(c.kind, ChangeKind::WeightLoss);
}

fn vo2(per_week: f64, weeks: i64) -> Vec<SeriesPoint> {
    (0..=weeks)
        .map(|w| SeriesPoint { t: t_days_ago(7 * (weeks - w), 8), value: 48.0 + per_week * w as f64 })
        .collect()
}

#[test]
fn vo2max_falling_over_8_weeks_is_detected() {
    let th = ChangeThresholds::default();
    let c = trends::detect_vo2max_decline(&vo2(-0.5, 8), today(), 0, &th).expect("decline");
    assert_eq!(c.kind, ChangeKind::Vo2MaxDecline);
    assert!((c.magnitude + 0.5).abs() < 1e-9, "slope -0.5 per week, got {}", c.magnitude);
    assert!((c.from - 48.0).abs() < 1e-9 && (c.to - 44.0).abs() < 1e-9);
}

#[test]
fn vo2max_small_or_rising_or_short_is_not_flagged() {
    let th = ChangeThresholds::default();
    assert!(trends::detect_vo2max_decline(&vo2(-0.1, 8), today(), 0, &th).is_none(), "too small to matter");
    assert!(trends::detect_vo2max_decline(&vo2(0.5, 8), today(), 0, &th).is_none());
    assert!(
        trends::detect_vo2max_decline(&vo2(-1.0, 3), today(), 0, &th).is_none(),
        "3 weeks of data is too short"
    );
}

#[test]
fn sleep_regularity_hand_computed() {
    let mut input = base_input();
    // Bedtimes 22:00, 23:00, 00:00, 01:00: 600, 660, 720, 780 minutes after noon; sd = sqrt(4500).
    for (i, hour) in [(4, 22), (3, 23), (1, 0), (0, 1)] {
        input
            .series
            .entry(MetricKind::SleepBedtime)
            .or_default()
            .push(SeriesPoint { t: t_days_ago(i, hour), value: 0.0 });
    }
    for (d, h) in [(4, 7.0), (3, 8.0), (2, 6.0), (1, 9.0)] {
        push(&mut input, MetricKind::SleepDuration, d, h);
    }
    let s = trends::sleep_regularity(&input, 30).expect("sleep");
    assert!((s.bedtime_sd_min.unwrap() - 4500f64.sqrt()).abs() < 1e-9);
    // Durations 7,8,6,9: mean 7.5, sd sqrt(1.25).
    assert!((s.mean_duration_h.unwrap() - 7.5).abs() < 1e-12);
    assert!((s.duration_sd_h.unwrap() - 1.25f64.sqrt()).abs() < 1e-12);
    // Mean bedtime 690 minutes after noon = 23:30.
    assert!((s.mean_bedtime_min.unwrap() - (23.0 * 60.0 + 30.0)).abs() < 1e-9);
}

#[test]
fn rollups_fill_days_without_raw_samples() {
    use super::super::input::DailyRollup;
    let mut input = base_input();
    input.rollups.insert(
        MetricKind::Steps,
        vec![DailyRollup {
            day: today() - chrono::Duration::days(1),
            count: 3,
            min: 1000.0,
            max: 5000.0,
            sum: 9000.0,
            last: 5000.0,
        }],
    );
    input.rollups.insert(
        MetricKind::Weight,
        vec![DailyRollup { day: today(), count: 2, min: 70.0, max: 72.0, sum: 142.0, last: 72.0 }],
    );
    assert_eq!(input.daily_values(MetricKind::Steps).values().copied().collect::<Vec<_>>(), vec![9000.0]);
    assert_eq!(input.points(MetricKind::Weight)[0].value, 71.0);
}
