//! Rolling averages, least-squares slopes, sleep regularity and change detection.
//!
//! All functions ignore non-finite values and never panic on empty input.

use chrono::{Duration, NaiveDate};
use phr_model::Label;
use serde::{Deserialize, Serialize};

use super::input::{day_start_t, local_day, InsightInput, MetricKind, SeriesPoint};
use super::settings::ChangeThresholds;

const DAY: f64 = 86_400.0;

/// The standard windows trends are reported over.
pub const STANDARD_WINDOWS: [i64; 3] = [7, 30, 90];

/// Finite values only, sorted by time.
pub fn clean(points: &[SeriesPoint]) -> Vec<SeriesPoint> {
    let mut v: Vec<SeriesPoint> = points.iter().copied().filter(|p| p.value.is_finite()).collect();
    v.sort_by_key(|p| p.t);
    v
}

pub fn mean(values: &[f64]) -> Option<f64> {
    let v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return None;
    }
    let m = v.iter().sum::<f64>() / v.len() as f64;
    m.is_finite().then_some(m)
}

/// Population standard deviation.
pub fn std_dev(values: &[f64]) -> Option<f64> {
    let v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    if v.len() < 2 {
        return None;
    }
    let m = mean(&v)?;
    let var = v.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / v.len() as f64;
    let sd = var.sqrt();
    sd.is_finite().then_some(sd)
}

/// Result of an ordinary least-squares line through (days, value).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LinearFit {
    /// Change in value per day.
    pub slope_per_day: f64,
    /// Fitted value at the first point's time.
    pub intercept: f64,
    pub n: usize,
    /// Coefficient of determination (0..1); 1 when all points lie on the line.
    pub r2: f64,
}

/// Least-squares fit with x measured in days since the first point.
/// Needs at least two points at different times.
pub fn linear_fit(points: &[SeriesPoint]) -> Option<LinearFit> {
    let pts = clean(points);
    if pts.len() < 2 {
        return None;
    }
    let t0 = pts[0].t;
    // i128: timestamps at the extremes of i64 must not overflow.
    let xs: Vec<f64> = pts.iter().map(|p| (p.t as i128 - t0 as i128) as f64 / DAY).collect();
    let ys: Vec<f64> = pts.iter().map(|p| p.value).collect();
    let n = pts.len() as f64;
    let mx = xs.iter().sum::<f64>() / n;
    let my = ys.iter().sum::<f64>() / n;
    let sxx: f64 = xs.iter().map(|x| (x - mx) * (x - mx)).sum();
    if sxx.is_nan() || sxx <= 0.0 {
        return None;
    }
    let sxy: f64 = xs.iter().zip(&ys).map(|(x, y)| (x - mx) * (y - my)).sum();
    let slope = sxy / sxx;
    let intercept = my - slope * mx;
    let syy: f64 = ys.iter().map(|y| (y - my) * (y - my)).sum();
    let r2 = if syy > 0.0 { (sxy * sxy / (sxx * syy)).clamp(0.0, 1.0) } else { 1.0 };
    (slope.is_finite() && intercept.is_finite()).then_some(LinearFit {
        slope_per_day: slope,
        intercept,
        n: pts.len(),
        r2,
    })
}

/// Points whose local day lies in the `days`-day window ending on `end` (inclusive).
pub fn window(points: &[SeriesPoint], end: NaiveDate, days: i64, utc_offset_s: i32) -> Vec<SeriesPoint> {
    if days <= 0 {
        return Vec::new();
    }
    let Some(start) = end.checked_sub_signed(Duration::days(days - 1)) else {
        return Vec::new();
    };
    clean(points)
        .into_iter()
        .filter(|p| matches!(local_day(p.t, utc_offset_s), Some(d) if d >= start && d <= end))
        .collect()
}

/// Mean of the values in the window ending on `end`.
pub fn rolling_mean(points: &[SeriesPoint], end: NaiveDate, days: i64, utc_offset_s: i32) -> Option<f64> {
    let w = window(points, end, days, utc_offset_s);
    mean(&w.iter().map(|p| p.value).collect::<Vec<_>>())
}

/// Trailing rolling mean at every point: the mean of all points in the
/// `window_days` (in seconds, `window_days * 86400`) up to and including it.
pub fn rolling_series(points: &[SeriesPoint], window_days: f64) -> Vec<SeriesPoint> {
    let pts = clean(points);
    if window_days.is_nan() || window_days <= 0.0 || !window_days.is_finite() {
        return Vec::new();
    }
    let span = ((window_days * DAY) as i64).max(1);
    let mut out = Vec::with_capacity(pts.len());
    let mut lo = 0usize;
    let mut sum = 0.0;
    for (i, p) in pts.iter().enumerate() {
        sum += p.value;
        while lo < i && pts[lo].t <= p.t.saturating_sub(span) {
            sum -= pts[lo].value;
            lo += 1;
        }
        let n = (i + 1 - lo) as f64;
        out.push(SeriesPoint { t: p.t, value: sum / n });
    }
    out
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Direction {
    Rising,
    Falling,
    Steady,
}

/// A metric's summary over one window.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Trend {
    pub kind: MetricKind,
    pub window_days: i64,
    pub n: usize,
    pub mean: f64,
    pub min: f64,
    pub max: f64,
    /// Least-squares slope per day (None with fewer than two distinct times).
    pub slope_per_day: Option<f64>,
    /// Slope x window length, as a percentage of the mean.
    pub change_pct: Option<f64>,
    pub direction: Direction,
}

/// Relative slope below which a trend is called steady (1% of the mean per window).
const STEADY_PCT: f64 = 1.0;

pub fn trend(
    kind: MetricKind,
    points: &[SeriesPoint],
    end: NaiveDate,
    days: i64,
    utc_offset_s: i32,
) -> Option<Trend> {
    let w = window(points, end, days, utc_offset_s);
    if w.is_empty() {
        return None;
    }
    let vals: Vec<f64> = w.iter().map(|p| p.value).collect();
    let m = mean(&vals)?;
    let min = vals.iter().copied().fold(f64::INFINITY, f64::min);
    let max = vals.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let fit = linear_fit(&w);
    let slope = fit.map(|f| f.slope_per_day);
    let change_pct = slope.and_then(|s| {
        let c = s * days as f64 / m.abs() * 100.0;
        (m != 0.0 && c.is_finite()).then_some(c)
    });
    let direction = match change_pct {
        Some(c) if c >= STEADY_PCT => Direction::Rising,
        Some(c) if c <= -STEADY_PCT => Direction::Falling,
        _ => Direction::Steady,
    };
    Some(Trend {
        kind,
        window_days: days,
        n: w.len(),
        mean: m,
        min,
        max,
        slope_per_day: slope,
        change_pct,
        direction,
    })
}

/// How regular someone's sleep is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SleepRegularity {
    pub window_days: i64,
    pub nights: usize,
    pub mean_duration_h: Option<f64>,
    /// Standard deviation of sleep duration, hours.
    pub duration_sd_h: Option<f64>,
    /// Standard deviation of bedtime, minutes.
    pub bedtime_sd_min: Option<f64>,
    /// Mean bedtime as minutes after midnight (may exceed 1440 for after-midnight bedtimes; wrapped).
    pub mean_bedtime_min: Option<f64>,
}

/// Bedtime as minutes after local noon, so 22:00 and 01:00 are 600 and 780
/// (no wrap-around problem for ordinary night-time bedtimes).
pub fn bedtime_minutes_after_noon(t: i64, utc_offset_s: i32) -> f64 {
    let local = t as i128 + utc_offset_s as i128;
    let since_noon = (local - 12 * 3600).rem_euclid(86_400);
    since_noon as f64 / 60.0
}

pub fn sleep_regularity(input: &InsightInput, days: i64) -> Option<SleepRegularity> {
    let dur = window(&input.points(MetricKind::SleepDuration), input.today, days, input.utc_offset_s);
    let bed = window(&input.points(MetricKind::SleepBedtime), input.today, days, input.utc_offset_s);
    if dur.is_empty() && bed.is_empty() {
        return None;
    }
    let durations: Vec<f64> = dur.iter().map(|p| p.value).filter(|v| *v >= 0.0 && *v <= 24.0).collect();
    let bedtimes: Vec<f64> =
        bed.iter().map(|p| bedtime_minutes_after_noon(p.t, input.utc_offset_s)).collect();
    let mean_bed = mean(&bedtimes).map(|m| (m + 720.0) % 1440.0);
    Some(SleepRegularity {
        window_days: days,
        nights: durations.len().max(bedtimes.len()),
        mean_duration_h: mean(&durations),
        duration_sd_h: std_dev(&durations),
        bedtime_sd_min: std_dev(&bedtimes),
        mean_bedtime_min: mean_bed,
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ChangeKind {
    WeightGain,
    WeightLoss,
    Vo2MaxDecline,
    RestingHeartRateRise,
}

/// A notable change found in a series.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChangeEvent {
    pub kind: ChangeKind,
    pub metric: MetricKind,
    pub window_days: i64,
    pub from: f64,
    pub to: f64,
    /// Percentage for weight, ml/kg/min per week for VO2max, bpm for heart rate.
    pub magnitude: f64,
    /// What changed, as a catalogue key with the numbers filled in.
    pub description: Label,
}

/// Mean of the values in the first and last `edge_days` of the window.
fn edge_means(w: &[SeriesPoint], edge_days: i64) -> Option<(f64, f64)> {
    let first_t = w.first()?.t;
    let last_t = w.last()?.t;
    if (last_t as i128 - first_t as i128) < edge_days as i128 * 86_400 {
        return None; // too short to compare a start with an end
    }
    let span = edge_days * 86_400;
    let start: Vec<f64> = w.iter().filter(|p| p.t < first_t.saturating_add(span)).map(|p| p.value).collect();
    let end: Vec<f64> = w.iter().filter(|p| p.t > last_t.saturating_sub(span)).map(|p| p.value).collect();
    Some((mean(&start)?, mean(&end)?))
}

/// Weight change over the window: mean of the first week vs mean of the last week.
pub fn detect_weight_change(
    points: &[SeriesPoint],
    today: NaiveDate,
    utc_offset_s: i32,
    th: &ChangeThresholds,
) -> Option<ChangeEvent> {
    let days = th.weight_window_days.max(2);
    let w: Vec<SeriesPoint> =
        window(points, today, days, utc_offset_s).into_iter().filter(|p| p.value > 0.0).collect();
    let edge = (days / 4).clamp(1, 7);
    let (from, to) = edge_means(&w, edge)?;
    let pct = (to - from) * 100.0 / from;
    if !pct.is_finite() {
        return None;
    }
    if pct >= th.weight_gain_pct {
        Some(ChangeEvent {
            kind: ChangeKind::WeightGain,
            metric: MetricKind::Weight,
            window_days: days,
            from,
            to,
            magnitude: pct,
            description: Label::new("trend.weight_up")
                .arg("from", format!("{from:.1}"))
                .arg("to", format!("{to:.1}"))
                .arg("days", days.to_string())
                .arg("pct", format!("{pct:.1}")),
        })
    } else if -pct >= th.weight_loss_pct {
        Some(ChangeEvent {
            kind: ChangeKind::WeightLoss,
            metric: MetricKind::Weight,
            window_days: days,
            from,
            to,
            magnitude: pct,
            description: Label::new("trend.weight_down")
                .arg("from", format!("{from:.1}"))
                .arg("to", format!("{to:.1}"))
                .arg("days", days.to_string())
                .arg("pct", format!("{:.1}", -pct)),
        })
    } else {
        None
    }
}

/// VO2max falling over the window: a negative least-squares slope whose size is at
/// least `vo2max_min_decline_per_week`, with readings spanning at least three
/// quarters of the window and at least three readings.
pub fn detect_vo2max_decline(
    points: &[SeriesPoint],
    today: NaiveDate,
    utc_offset_s: i32,
    th: &ChangeThresholds,
) -> Option<ChangeEvent> {
    let days = th.vo2max_window_days.max(7);
    // Inclusive of the reading exactly `days` ago (8 weeks back to today).
    let w = window(points, today, days + 1, utc_offset_s);
    if w.len() < 3 {
        return None;
    }
    let span_days = (w.last()?.t as i128 - w.first()?.t as i128) as f64 / DAY;
    if span_days < days as f64 * 0.75 {
        return None;
    }
    let fit = linear_fit(&w)?;
    let per_week = fit.slope_per_day * 7.0;
    if per_week <= -th.vo2max_min_decline_per_week {
        let from = fit.intercept;
        let to = fit.intercept + fit.slope_per_day * span_days;
        Some(ChangeEvent {
            kind: ChangeKind::Vo2MaxDecline,
            metric: MetricKind::Vo2Max,
            window_days: days,
            from,
            to,
            magnitude: per_week,
            description: Label::new("trend.vo2max_down")
                .arg("per_week", format!("{:.1}", -per_week))
                .arg("weeks", (days / 7).to_string())
                .arg("from", format!("{from:.1}"))
                .arg("to", format!("{to:.1}")),
        })
    } else {
        None
    }
}

/// Resting heart rate up by at least the threshold (first week vs last week of 30 days).
pub fn detect_resting_hr_rise(
    points: &[SeriesPoint],
    today: NaiveDate,
    utc_offset_s: i32,
    th: &ChangeThresholds,
) -> Option<ChangeEvent> {
    let w: Vec<SeriesPoint> =
        window(points, today, 30, utc_offset_s).into_iter().filter(|p| p.value > 0.0).collect();
    let (from, to) = edge_means(&w, 7)?;
    let rise = to - from;
    (rise >= th.resting_hr_rise_bpm).then(|| ChangeEvent {
        kind: ChangeKind::RestingHeartRateRise,
        metric: MetricKind::RestingHeartRate,
        window_days: 30,
        from,
        to,
        magnitude: rise,
        description: Label::new("trend.resting_hr_up")
            .arg("from", format!("{from:.0}"))
            .arg("to", format!("{to:.0}")),
    })
}

/// Everything trend-related in one place.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct TrendReport {
    pub trends: Vec<Trend>,
    pub sleep: Option<SleepRegularity>,
    pub changes: Vec<ChangeEvent>,
}

/// Kinds reported as trends (bedtime is covered by sleep regularity).
pub const TREND_KINDS: [MetricKind; 11] = [
    MetricKind::Weight,
    MetricKind::Bmi,
    MetricKind::BloodPressureSystolic,
    MetricKind::BloodPressureDiastolic,
    MetricKind::RestingHeartRate,
    MetricKind::Vo2Max,
    MetricKind::SleepDuration,
    MetricKind::Steps,
    MetricKind::ActiveMinutes,
    MetricKind::AlcoholUnits,
    MetricKind::Distance,
];

/// BMI points: the recorded BMI series, or weight / height² when height is known.
pub fn bmi_points(input: &InsightInput) -> Vec<SeriesPoint> {
    let recorded = input.points(MetricKind::Bmi);
    if !recorded.is_empty() {
        return recorded;
    }
    match input.valid_height_m() {
        Some(h) => input
            .points(MetricKind::Weight)
            .into_iter()
            .filter(|p| p.value > 0.0)
            .map(|p| SeriesPoint { t: p.t, value: p.value / (h * h) })
            .collect(),
        None => Vec::new(),
    }
}

/// Blood pressure readings as series for trends and charts.
fn bp_points(input: &InsightInput, systolic: bool) -> Vec<SeriesPoint> {
    let mut v = input.points(if systolic {
        MetricKind::BloodPressureSystolic
    } else {
        MetricKind::BloodPressureDiastolic
    });
    v.extend(
        input
            .valid_bp()
            .iter()
            .map(|b| SeriesPoint { t: b.t, value: if systolic { b.systolic } else { b.diastolic } }),
    );
    v.sort_by_key(|p| p.t);
    v
}

/// The series used for trends of a kind: daily totals for summed kinds, raw
/// points otherwise (BMI derived from weight, BP merged with `BpPoint`s).
pub fn trend_points(input: &InsightInput, kind: MetricKind) -> Vec<SeriesPoint> {
    match kind {
        MetricKind::Bmi => bmi_points(input),
        MetricKind::BloodPressureSystolic => bp_points(input, true),
        MetricKind::BloodPressureDiastolic => bp_points(input, false),
        k if k.daily_aggregate() == super::input::DailyAggregate::Sum => input
            .daily_values(k)
            .into_iter()
            .map(|(d, v)| SeriesPoint { t: day_start_t(d, input.utc_offset_s) + 12 * 3600, value: v })
            .collect(),
        k => input.points(k),
    }
}

pub fn trend_report(input: &InsightInput) -> TrendReport {
    let mut trends = Vec::new();
    for kind in TREND_KINDS {
        let pts = trend_points(input, kind);
        if pts.is_empty() {
            continue;
        }
        for days in STANDARD_WINDOWS {
            if let Some(t) = trend(kind, &pts, input.today, days, input.utc_offset_s) {
                trends.push(t);
            }
        }
    }
    let th = &input.settings.change;
    let off = input.utc_offset_s;
    let changes = [
        detect_weight_change(&input.points(MetricKind::Weight), input.today, off, th),
        detect_vo2max_decline(&input.points(MetricKind::Vo2Max), input.today, off, th),
        detect_resting_hr_rise(&input.points(MetricKind::RestingHeartRate), input.today, off, th),
    ]
    .into_iter()
    .flatten()
    .collect();
    TrendReport { trends, sleep: sleep_regularity(input, 30), changes }
}
