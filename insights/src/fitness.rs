//! Fitness numbers for people who train: weekly load, personal bests, streaks
//! and progress towards goals.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, Duration, NaiveDate};
use phr_model::Label;
use serde::{Deserialize, Serialize};

use super::input::{local_day, Activity, Goal, InsightInput, MetricKind, Sport};
use super::trends;

/// How a week's load was worked out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum LoadMethod {
    /// Banister TRIMP from average heart rate for every session.
    Trimp,
    /// Some sessions had no heart rate; those count minutes x 1.0 (a moderate session).
    Mixed,
    /// No heart rate at all: minutes only.
    DurationOnly,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WeekLoad {
    /// Monday of the week.
    pub week_start: NaiveDate,
    pub sessions: usize,
    pub minutes: f64,
    pub distance_km: f64,
    pub load: f64,
    pub method: LoadMethod,
}

/// Heart rate reserve fraction (0..1) used by TRIMP.
fn hr_reserve(avg: f64, rest: f64, max: f64) -> Option<f64> {
    if !(avg.is_finite() && rest.is_finite() && max.is_finite()) || max <= rest {
        return None;
    }
    Some(((avg - rest) / (max - rest)).clamp(0.0, 1.0))
}

/// Banister TRIMP for one session: minutes x HRr x 0.64 x e^(1.92 x HRr).
/// (The 0.64/1.92 weighting is the commonly used male constant; the female one is
/// 0.86/1.67. We use one weighting for everyone; see NOTES.md.)
pub fn trimp(duration_min: f64, avg_hr: f64, rest_hr: f64, max_hr: f64) -> Option<f64> {
    let r = hr_reserve(avg_hr, rest_hr, max_hr)?;
    let v = duration_min * r * 0.64 * (1.92 * r).exp();
    (v.is_finite() && duration_min >= 0.0).then_some(v)
}

fn valid_activity(a: &Activity) -> bool {
    a.duration_s.is_finite() && a.duration_s > 0.0 && a.duration_s < 7.0 * 86_400.0
}

fn monday_of(d: NaiveDate) -> NaiveDate {
    d.checked_sub_signed(Duration::days(d.weekday().num_days_from_monday() as i64)).unwrap_or(d)
}

pub fn max_hr(input: &InsightInput) -> f64 {
    input
        .profile
        .max_hr
        .filter(|m| m.is_finite() && (120.0..=230.0).contains(m))
        .or_else(|| input.profile.age_years.filter(|a| (10..=100).contains(a)).map(|a| 220.0 - a as f64))
        .unwrap_or(190.0)
}

pub fn resting_hr(input: &InsightInput) -> f64 {
    input
        .points(MetricKind::RestingHeartRate)
        .iter()
        .rev()
        .map(|p| p.value)
        .find(|v| (25.0..=120.0).contains(v))
        .unwrap_or(60.0)
}

/// Training load per week for the last `weeks` weeks (oldest first), including empty weeks.
pub fn weekly_load(input: &InsightInput, weeks: usize) -> Vec<WeekLoad> {
    let (rest, max) = (resting_hr(input), max_hr(input));
    let this_monday = monday_of(input.today);
    let mut out = Vec::new();
    for i in (0..weeks).rev() {
        let Some(start) = this_monday.checked_sub_signed(Duration::weeks(i as i64)) else { continue };
        let end = start.checked_add_signed(Duration::days(7)).unwrap_or(NaiveDate::MAX);
        let mut w = WeekLoad {
            week_start: start,
            sessions: 0,
            minutes: 0.0,
            distance_km: 0.0,
            load: 0.0,
            method: LoadMethod::Trimp,
        };
        let (mut with_hr, mut without_hr) = (0, 0);
        for a in input.activities.iter().filter(|a| valid_activity(a)) {
            let Some(d) = local_day(a.start, input.utc_offset_s) else { continue };
            if d < start || d >= end {
                continue;
            }
            let minutes = a.duration_s / 60.0;
            w.sessions += 1;
            w.minutes += minutes;
            w.distance_km += a.distance_m.filter(|m| m.is_finite() && *m >= 0.0).unwrap_or(0.0) / 1000.0;
            match a.avg_hr.and_then(|hr| trimp(minutes, hr, rest, max)) {
                Some(t) => {
                    w.load += t;
                    with_hr += 1;
                }
                None => {
                    w.load += minutes;
                    without_hr += 1;
                }
            }
        }
        w.method = match (with_hr, without_hr) {
            (_, 0) => LoadMethod::Trimp,
            (0, _) => LoadMethod::DurationOnly,
            _ => LoadMethod::Mixed,
        };
        out.push(w);
    }
    out
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PersonalBest {
    /// Which best, as a catalogue key (`best.fastest_5k`).
    pub label: Label,
    /// Seconds for time-based bests, metres for distance-based ones.
    pub value: f64,
    pub unit: String,
    pub activity_start: i64,
}

/// Personal bests from whole activities: fastest 5k and 10k (estimated from the
/// average pace of runs at least that long) and the longest distance per sport.
pub fn personal_bests(activities: &[Activity]) -> Vec<PersonalBest> {
    let mut out = Vec::new();
    for (key, dist) in [("best.fastest_5k", 5000.0), ("best.fastest_10k", 10_000.0)] {
        let best = activities
            .iter()
            .filter(|a| a.sport == Sport::Run && valid_activity(a))
            .filter_map(|a| {
                let d = a.distance_m.filter(|d| d.is_finite() && *d >= dist)?;
                let secs = a.duration_s / d * dist;
                // Faster than the 5k world record pace is a data error.
                (secs.is_finite() && secs > dist * 0.15).then_some((secs, a.start))
            })
            .min_by(|a, b| a.0.total_cmp(&b.0));
        if let Some((secs, start)) = best {
            out.push(PersonalBest {
                label: Label::new(key),
                value: secs,
                unit: "s".to_string(),
                activity_start: start,
            });
        }
    }
    let mut longest: BTreeMap<Sport, (f64, i64)> = BTreeMap::new();
    for a in activities.iter().filter(|a| valid_activity(a)) {
        if let Some(d) = a.distance_m.filter(|d| d.is_finite() && *d > 0.0 && *d < 2_000_000.0) {
            let e = longest.entry(a.sport).or_insert((0.0, a.start));
            if d > e.0 {
                *e = (d, a.start);
            }
        }
    }
    for (sport, (d, start)) in longest {
        let key = match sport {
            Sport::Run => "best.longest_run",
            Sport::Walk => "best.longest_walk",
            Sport::Cycle => "best.longest_ride",
            Sport::Swim => "best.longest_swim",
            Sport::Other => "best.longest_activity",
        };
        out.push(PersonalBest {
            label: Label::new(key),
            value: d,
            unit: "m".to_string(),
            activity_start: start,
        });
    }
    out
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Streaks {
    /// Consecutive active days ending today or yesterday.
    pub current_days: u32,
    pub longest_days: u32,
    /// Consecutive active weeks (Mon-Sun) ending this week or last week.
    pub current_weeks: u32,
    pub longest_weeks: u32,
}

/// Days with an activity or with active minutes recorded.
pub fn active_days(input: &InsightInput) -> BTreeSet<NaiveDate> {
    let mut days: BTreeSet<NaiveDate> = input
        .activities
        .iter()
        .filter(|a| valid_activity(a))
        .filter_map(|a| local_day(a.start, input.utc_offset_s))
        .collect();
    days.extend(
        input.daily_values(MetricKind::ActiveMinutes).into_iter().filter(|(_, v)| *v > 0.0).map(|(d, _)| d),
    );
    days.retain(|d| *d <= input.today);
    days
}

fn runs(sorted: &[NaiveDate], step_days: i64) -> (u32, Option<(NaiveDate, u32)>) {
    // Returns (longest run, last run (its end, its length)).
    let mut longest = 0u32;
    let mut cur = 0u32;
    let mut prev: Option<NaiveDate> = None;
    for d in sorted {
        cur = match prev {
            Some(p) if (*d - p).num_days() == step_days => cur + 1,
            _ => 1,
        };
        longest = longest.max(cur);
        prev = Some(*d);
    }
    (longest, prev.map(|p| (p, cur)))
}

pub fn streaks(input: &InsightInput) -> Streaks {
    let days: Vec<NaiveDate> = active_days(input).into_iter().collect();
    let (longest_days, last) = runs(&days, 1);
    let current_days = match last {
        Some((end, n)) if (input.today - end).num_days() <= 1 => n,
        _ => 0,
    };
    let weeks: Vec<NaiveDate> =
        days.iter().map(|d| monday_of(*d)).collect::<BTreeSet<_>>().into_iter().collect();
    let (longest_weeks, last_w) = runs(&weeks, 7);
    let this_week = monday_of(input.today);
    let current_weeks = match last_w {
        Some((end, n)) if (this_week - end).num_days() <= 7 => n,
        _ => 0,
    };
    Streaks { current_days, longest_days, current_weeks, longest_weeks }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GoalProgress {
    pub goal: Goal,
    pub current: Option<f64>,
    pub target: f64,
    /// 0.0 .. 1.0 of the way there (None when there is no data yet).
    pub fraction: Option<f64>,
    pub achieved: bool,
    /// Where the person stands, as a catalogue key.
    pub message: Label,
}

fn progress_between(start: f64, current: f64, target: f64) -> f64 {
    if (target - start).abs() < 1e-9 {
        return if (current - target).abs() < 1e-9 { 1.0 } else { 0.0 };
    }
    ((current - start) / (target - start)).clamp(0.0, 1.0)
}

pub fn goal_progress(input: &InsightInput) -> Vec<GoalProgress> {
    let week_start = monday_of(input.today);
    let this_week = weekly_load(input, 1);
    input
        .goals
        .iter()
        .map(|g| match g {
            Goal::TargetWeight { target_kg, start_kg } => {
                let w: Vec<f64> =
                    input.points(MetricKind::Weight).iter().map(|p| p.value).filter(|v| *v > 0.0).collect();
                let current = trends::rolling_mean(
                    &input.points(MetricKind::Weight),
                    input.today,
                    7,
                    input.utc_offset_s,
                )
                .or(w.last().copied());
                let start = start_kg.filter(|s| s.is_finite()).or(w.first().copied());
                let fraction = match (start, current) {
                    (Some(s), Some(c)) => Some(progress_between(s, c, *target_kg)),
                    _ => None,
                };
                let achieved = fraction.is_some_and(|f| f >= 1.0);
                let message = match current {
                    Some(c) => Label::new("goal.weight.progress")
                        .arg("now", format!("{c:.1}"))
                        .arg("goal", format!("{target_kg:.1}")),
                    None => Label::new("goal.weight.no_data"),
                };
                GoalProgress { goal: g.clone(), current, target: *target_kg, fraction, achieved, message }
            }
            Goal::WeeklyDistance { km } => {
                let done = this_week.first().map(|w| w.distance_km).unwrap_or(0.0);
                let fraction = if *km > 0.0 { Some((done / km).clamp(0.0, 1.0)) } else { None };
                GoalProgress {
                    goal: g.clone(),
                    current: Some(done),
                    target: *km,
                    fraction,
                    achieved: *km > 0.0 && done >= *km,
                    message: Label::new("goal.distance.progress")
                        .arg("done", format!("{done:.1}"))
                        .arg("goal", format!("{km:.1}"))
                        .arg("since", week_start.format("%a %-d %b").to_string()),
                }
            }
            Goal::WeeklyActiveMinutes { minutes } => {
                let done = this_week.first().map(|w| w.minutes).unwrap_or(0.0);
                let fraction = if *minutes > 0.0 { Some((done / minutes).clamp(0.0, 1.0)) } else { None };
                GoalProgress {
                    goal: g.clone(),
                    current: Some(done),
                    target: *minutes,
                    fraction,
                    achieved: *minutes > 0.0 && done >= *minutes,
                    message: Label::new("goal.minutes.progress")
                        .arg("done", format!("{done:.0}"))
                        .arg("goal", format!("{minutes:.0}")),
                }
            }
            Goal::RestingHeartRate { target_bpm, start_bpm } => {
                let pts = input.points(MetricKind::RestingHeartRate);
                let current = trends::rolling_mean(&pts, input.today, 7, input.utc_offset_s)
                    .or(pts.last().map(|p| p.value));
                let start = start_bpm.filter(|s| s.is_finite()).or(pts.first().map(|p| p.value));
                let fraction = match (start, current) {
                    (Some(s), Some(c)) => Some(progress_between(s, c, *target_bpm)),
                    _ => None,
                };
                GoalProgress {
                    goal: g.clone(),
                    current,
                    target: *target_bpm,
                    fraction,
                    achieved: current.is_some_and(|c| c <= *target_bpm),
                    message: match current {
                        Some(c) => Label::new("goal.resting_hr.progress")
                            .arg("now", format!("{c:.0}"))
                            .arg("goal", format!("{target_bpm:.0}")),
                        None => Label::new("goal.resting_hr.no_data"),
                    },
                }
            }
        })
        .collect()
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FitnessSummary {
    pub weekly_load: Vec<WeekLoad>,
    pub personal_bests: Vec<PersonalBest>,
    pub streaks: Streaks,
    pub goals: Vec<GoalProgress>,
}

pub fn fitness_summary(input: &InsightInput) -> FitnessSummary {
    FitnessSummary {
        weekly_load: weekly_load(input, 8),
        personal_bests: personal_bests(&input.activities),
        streaks: streaks(input),
        goals: goal_progress(input),
    }
}
