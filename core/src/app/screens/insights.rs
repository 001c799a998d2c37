//! The insights screen: alert and suggestion cards with the guidance they rest on, the
//! category switches, goals, trends and a fitness summary (VO2 max, this week, streaks).
//!
//! Everything comes from [`Record::insight_report`] (phr-insights), which already honours
//! the switches; this file orders and formats it. The wording of an alert or suggestion is
//! the insights crate's own (plain English, tested there); labels around it are keys.

use super::Label;
use crate::insights::fitness::GoalProgress;
use crate::insights::trends::Direction;
use crate::insights::{
    AlertCategory, FitnessSummary, Goal, InsightReport, InsightSettings, MetricKind, Severity, Trend,
};
use crate::store::Record;
use crate::Result;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One card: an alert (with severity) or a suggestion.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InsightCard {
    /// Stable id (the alert's own id, or `suggestion.<category>.<n>`).
    pub id: String,
    /// `alert` or `suggestion`.
    pub kind: String,
    /// The category's slug (`blood_pressure`) and its label key.
    pub category: String,
    pub category_key: String,
    /// `info`, `advice`, `warning`, `urgent` (suggestions are `info`).
    pub severity: String,
    pub severity_key: String,
    pub title: Label,
    /// The explanation, sentence by sentence (the shells join them with a space).
    pub body: Vec<Label>,
    /// What to do about it.
    pub guidance: Label,
    /// The guideline it rests on ("NICE NG136 ...") and where to read it; empty for
    /// suggestions without one.
    pub source: String,
    pub source_url: String,
    /// "Based on {source}", ready for the shell.
    pub source_label: Label,
}

/// A category switch as the settings part of the screen draws it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CategorySwitch {
    pub category: String,
    pub label_key: String,
    pub on: bool,
}

/// A goal with its progress.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GoalCard {
    /// `target_weight`, `weekly_distance`, `resting_heart_rate`, `weekly_active_minutes`.
    pub kind: String,
    pub label_key: String,
    /// Formatted with its unit (`72.5 kg`), or `None` before there is data.
    pub current: Option<String>,
    pub target: String,
    /// 0 to 100.
    pub percent: Option<u8>,
    pub achieved: bool,
    pub message: Label,
}

/// One metric's trend over 30 days (or the window there is data for).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrendLine {
    /// The metric's slug (`weight`, `resting_hr`) and its label key.
    pub metric: String,
    pub label_key: String,
    /// Average over the window, formatted with its unit.
    pub average: String,
    pub window_days: i64,
    /// `rising`, `falling` or `steady`, and its key.
    pub direction: String,
    pub direction_key: String,
    /// Signed percentage change over the window (`+2.1%`), when known.
    pub change: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PersonalBestLine {
    pub label: Label,
    pub value: String,
    pub date: String,
}

/// Fitness at a glance.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FitnessCard {
    /// VO2 max over 90 days, when there are readings.
    pub vo2max: Option<TrendLine>,
    pub sessions_this_week: u32,
    /// `3 h 20 min`.
    pub time_this_week: String,
    /// `21.4 km`.
    pub distance_this_week: String,
    pub current_streak_days: u32,
    pub longest_streak_days: u32,
    pub personal_bests: Vec<PersonalBestLine>,
}

/// The insights screen.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InsightsScreen {
    /// The master switch; when off there are no cards, only the switches.
    pub alerts_on: bool,
    /// Most serious first, then by category order, then by id.
    pub cards: Vec<InsightCard>,
    pub switches: Vec<CategorySwitch>,
    pub goals: Vec<GoalCard>,
    pub trends: Vec<TrendLine>,
    /// `None` when fitness is switched off.
    pub fitness: Option<FitnessCard>,
}

/// `blood-pressure` -> `blood_pressure`: catalogue keys and slugs use underscores.
fn snake(slug: &str) -> String {
    slug.replace('-', "_")
}

pub fn category_slug(c: AlertCategory) -> String {
    snake(c.slug())
}

pub fn category_key(c: AlertCategory) -> String {
    format!("insight_category.{}", category_slug(c))
}

pub fn severity_slug(s: Severity) -> &'static str {
    match s {
        Severity::Info => "info",
        Severity::Advice => "advice",
        Severity::Warning => "warning",
        Severity::Urgent => "urgent",
    }
}

fn metric_slug(m: MetricKind) -> String {
    snake(m.slug())
}

/// A value with its unit, at the precision people read it.
fn with_unit(m: MetricKind, v: f64) -> String {
    let unit = m.unit();
    match m {
        MetricKind::Steps => format!("{v:.0} {unit}"),
        MetricKind::SleepDuration => format!("{v:.1} h"),
        _ => format!("{v:.1} {unit}"),
    }
}

fn trend_line(t: &Trend) -> TrendLine {
    let direction = match t.direction {
        Direction::Rising => "rising",
        Direction::Falling => "falling",
        Direction::Steady => "steady",
    };
    TrendLine {
        metric: metric_slug(t.kind),
        label_key: format!("metric.{}", metric_slug(t.kind)),
        average: with_unit(t.kind, t.mean),
        window_days: t.window_days,
        direction: direction.to_string(),
        direction_key: format!("trend.{direction}"),
        change: t.change_pct.filter(|c| c.is_finite()).map(|c| format!("{c:+.1}%")),
    }
}

/// For each metric, the 30-day trend, or the longest window it has.
fn pick_trends(trends: &[Trend], preferred: i64) -> Vec<TrendLine> {
    let mut out: Vec<TrendLine> = vec![];
    let mut seen: Vec<MetricKind> = vec![];
    for t in trends {
        if seen.contains(&t.kind) {
            continue;
        }
        let same: Vec<&Trend> = trends.iter().filter(|x| x.kind == t.kind).collect();
        let best = same
            .iter()
            .find(|x| x.window_days == preferred)
            .or_else(|| same.iter().max_by_key(|x| x.window_days))
            .copied()
            .unwrap_or(t);
        seen.push(t.kind);
        out.push(trend_line(best));
    }
    out
}

fn goal_card(g: &GoalProgress) -> GoalCard {
    let (kind, unit) = match g.goal {
        Goal::TargetWeight { .. } => ("target_weight", "kg"),
        Goal::WeeklyDistance { .. } => ("weekly_distance", "km"),
        Goal::RestingHeartRate { .. } => ("resting_heart_rate", "bpm"),
        Goal::WeeklyActiveMinutes { .. } => ("weekly_active_minutes", "min"),
    };
    GoalCard {
        kind: kind.to_string(),
        label_key: format!("goal.{kind}"),
        current: g.current.filter(|v| v.is_finite()).map(|v| format!("{v:.1} {unit}")),
        target: format!("{:.1} {unit}", g.target),
        percent: g.fraction.filter(|f| f.is_finite()).map(|f| (f.clamp(0.0, 1.0) * 100.0).round() as u8),
        achieved: g.achieved,
        message: g.message.clone(),
    }
}

fn hours_minutes(minutes: f64) -> String {
    let m = minutes.max(0.0).round() as i64;
    match (m / 60, m % 60) {
        (0, m) => format!("{m} min"),
        (h, 0) => format!("{h} h"),
        (h, m) => format!("{h} h {m} min"),
    }
}

fn fitness_card(f: &FitnessSummary, trends: &[Trend]) -> FitnessCard {
    let week = f.weekly_load.last();
    let vo2: Vec<Trend> = trends.iter().filter(|t| t.kind == MetricKind::Vo2Max).cloned().collect();
    FitnessCard {
        vo2max: pick_trends(&vo2, 90).into_iter().next(),
        sessions_this_week: week.map_or(0, |w| u32::try_from(w.sessions).unwrap_or(u32::MAX)),
        time_this_week: hours_minutes(week.map_or(0.0, |w| w.minutes)),
        distance_this_week: format!("{:.1} km", week.map_or(0.0, |w| w.distance_km)),
        current_streak_days: f.streaks.current_days,
        longest_streak_days: f.streaks.longest_days,
        personal_bests: f
            .personal_bests
            .iter()
            .map(|p| PersonalBestLine {
                label: p.label.clone(),
                value: if p.unit == "s" {
                    let s = p.value.max(0.0).round() as i64;
                    format!("{}:{:02}:{:02}", s / 3600, (s % 3600) / 60, s % 60)
                } else if p.unit == "m" {
                    format!("{:.1} km", p.value / 1000.0)
                } else {
                    format!("{:.1} {}", p.value, p.unit)
                },
                date: DateTime::from_timestamp(p.activity_start, 0)
                    .map(super::format_date)
                    .unwrap_or_default(),
            })
            .collect(),
    }
}

fn cards(report: &InsightReport) -> Vec<InsightCard> {
    let order = |c: AlertCategory| AlertCategory::ALL.iter().position(|x| *x == c).unwrap_or(usize::MAX);
    let mut alerts: Vec<_> = report.alerts.iter().collect();
    alerts.sort_by(|a, b| {
        b.severity.cmp(&a.severity).then(order(a.category).cmp(&order(b.category))).then(a.id.cmp(&b.id))
    });
    let mut out: Vec<InsightCard> = alerts
        .into_iter()
        .map(|a| InsightCard {
            id: a.id.clone(),
            kind: "alert".into(),
            category: category_slug(a.category),
            category_key: category_key(a.category),
            severity: severity_slug(a.severity).into(),
            severity_key: format!("severity.{}", severity_slug(a.severity)),
            title: a.title.clone(),
            body: a.explanation.clone(),
            guidance: a.what_to_do.clone(),
            source: a.citation.clone(),
            source_url: a.citation_url.clone(),
            source_label: Label::new("insight.based_on").arg("source", a.citation.clone()),
        })
        .collect();
    let mut n: std::collections::BTreeMap<AlertCategory, usize> = Default::default();
    for s in &report.suggestions {
        let i = n.entry(s.category).or_default();
        *i += 1;
        out.push(InsightCard {
            id: format!("suggestion.{}.{i}", category_slug(s.category)),
            kind: "suggestion".into(),
            category: category_slug(s.category),
            category_key: category_key(s.category),
            severity: "info".into(),
            severity_key: "severity.info".into(),
            title: Label::new("insight.suggestion_title"),
            body: Vec::new(),
            guidance: s.text.clone(),
            source: String::new(),
            source_url: String::new(),
            source_label: Label::new("insight.no_source"),
        });
    }
    out
}

pub fn switches(settings: &InsightSettings) -> Vec<CategorySwitch> {
    AlertCategory::ALL
        .into_iter()
        .map(|c| CategorySwitch {
            category: category_slug(c),
            label_key: category_key(c),
            on: settings.alerts_enabled && !settings.disabled_categories.contains(&c),
        })
        .collect()
}

pub fn insights_screen(record: &Record, now: DateTime<Utc>) -> Result<InsightsScreen> {
    let report = record.insight_report(now.date_naive())?;
    let settings = record.insight_settings()?;
    let goals = report.fitness.as_ref().map(|f| f.goals.iter().map(goal_card).collect()).unwrap_or_default();
    Ok(InsightsScreen {
        alerts_on: settings.alerts_enabled,
        cards: cards(&report),
        switches: switches(&settings),
        goals,
        trends: pick_trends(&report.trends.trends, 30),
        fitness: report.fitness.as_ref().map(|f| fitness_card(f, &report.trends.trends)),
    })
}
