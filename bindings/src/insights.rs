//! Insights through the bindings: the report for a day (trends, alerts with their
//! guideline, suggestions, signposts, fitness), the on/off settings, goals and charts.
//!
//! Mirrors of `phr_core::insights` types plus one `PhrRecord` impl block. Every rule and
//! every word shown to the person is written by phr-core; this file only converts. The
//! report's texts arrive here as catalogue labels and leave in English (the report is the
//! CLI-shaped view); the insights *screen* (`app_screens.rs`) passes the labels on, so the
//! apps show them in the person's language.

use crate::record::blocking;
use crate::record::PhrRecord;
use crate::types::CalendarDate;
use crate::PhrError;
use chrono::NaiveDate;
use phr_core::insights as core;
use phr_core::strings::English;

type R<T> = Result<T, PhrError>;

macro_rules! mirror {
    ($(#[$m:meta])* $name:ident = $core:path { $($v:ident),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
        pub enum $name { $($v),+ }
        impl From<$core> for $name {
            fn from(x: $core) -> Self { use $core as C; match x { $(C::$v => Self::$v),+ } }
        }
        impl From<$name> for $core {
            fn from(x: $name) -> Self { use $core as C; match x { $($name::$v => C::$v),+ } }
        }
    };
}

mirror!(
    /// A kind of alert, with its suggestions and signposts; each can be switched off.
    InsightCategory = core::AlertCategory {
        BloodPressure, Bmi, WeightChange, PhysicalActivity, Alcohol, Vaccinations, Medications, Fitness, Sleep, TestResults, Wellbeing,
    }
);
mirror!(
    /// How much an alert matters: `Urgent` means act today (e.g. severe hypertension).
    AlertSeverity = core::Severity { Info, Advice, Warning, Urgent }
);
mirror!(
    /// The metrics insights trends and charts.
    MetricKind = core::MetricKind {
        Weight, Bmi, BloodPressureSystolic, BloodPressureDiastolic, RestingHeartRate, Vo2Max, SleepDuration,
        SleepBedtime, Steps, ActiveMinutes, AlcoholUnits, Distance,
    }
);
mirror!(ChartTheme = core::Theme { Light, Dark });
mirror!(TrendDirection = core::trends::Direction { Rising, Falling, Steady });
mirror!(ChangeKind = core::ChangeKind { WeightGain, WeightLoss, Vo2MaxDecline, RestingHeartRateRise });
mirror!(
    /// How a week's training load was worked out (heart rate for all, some or no sessions).
    LoadMethod = core::fitness::LoadMethod { Trimp, Mixed, DurationOnly }
);

/// Plain-English name of a category for settings screens ("Blood pressure").
#[uniffi::export]
pub fn insight_category_label(category: InsightCategory) -> String {
    core::AlertCategory::from(category).label().to_string()
}

/// Plain-English name of a metric for chart titles ("Resting heart rate").
#[uniffi::export]
pub fn metric_kind_label(kind: MetricKind) -> String {
    core::MetricKind::from(kind).label().to_string()
}

/// The unit a metric is shown in ("kg", "mmHg").
#[uniffi::export]
pub fn metric_kind_unit(kind: MetricKind) -> String {
    core::MetricKind::from(kind).unit().to_string()
}

/// One number that led to an alert. `at_ms`: when it was measured (UTC ms), if it is one reading.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct TriggerDatum {
    pub label: String,
    pub value: f64,
    pub unit: String,
    pub at_ms: Option<i64>,
}

/// A gentle alert based on published UK guidance, which it names.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Alert {
    /// Stable key ("bp.home.stage1") for de-duplicating or snoozing.
    pub id: String,
    pub category: InsightCategory,
    pub severity: AlertSeverity,
    pub title: String,
    pub explanation: String,
    pub what_to_do: String,
    /// The guideline, e.g. "NICE NG136 (2019, updated 2023) Hypertension in adults ...".
    pub citation: String,
    pub citation_url: String,
    pub triggered_by: Vec<TriggerDatum>,
}

impl From<core::Alert> for Alert {
    fn from(a: core::Alert) -> Self {
        Alert {
            id: a.id,
            category: a.category.into(),
            severity: a.severity.into(),
            title: a.title.english(),
            explanation: a.explanation.english(),
            what_to_do: a.what_to_do.english(),
            citation: a.citation,
            citation_url: a.citation_url,
            triggered_by: a
                .triggered_by
                .into_iter()
                .map(|t| TriggerDatum {
                    label: t.label.english(),
                    value: t.value,
                    unit: t.unit,
                    at_ms: t.t.map(|s| s.saturating_mul(1000)),
                })
                .collect(),
        }
    }
}

/// A metric over one window (7, 30 or 90 days).
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Trend {
    pub kind: MetricKind,
    pub window_days: i64,
    /// Days (or readings) in the window.
    pub n: u64,
    pub mean: f64,
    pub min: f64,
    pub max: f64,
    pub slope_per_day: Option<f64>,
    /// Slope over the window as a percentage of the mean.
    pub change_pct: Option<f64>,
    pub direction: TrendDirection,
}

#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct SleepRegularity {
    pub window_days: i64,
    pub nights: u64,
    pub mean_duration_h: Option<f64>,
    pub duration_sd_h: Option<f64>,
    pub bedtime_sd_min: Option<f64>,
    /// Mean bedtime in minutes after midnight.
    pub mean_bedtime_min: Option<f64>,
}

/// A notable change (weight up 5% in 30 days, VO2max falling over 8 weeks...).
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct ChangeEvent {
    pub kind: ChangeKind,
    pub metric: MetricKind,
    pub window_days: i64,
    /// The value at the start and at the end of the window.
    pub from_value: f64,
    pub to_value: f64,
    /// Percent for weight, ml/kg/min per week for VO2max, bpm for heart rate.
    pub magnitude: f64,
    pub description: String,
}

#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct TrendReport {
    pub trends: Vec<Trend>,
    pub sleep: Option<SleepRegularity>,
    pub changes: Vec<ChangeEvent>,
}

impl From<core::TrendReport> for TrendReport {
    fn from(t: core::TrendReport) -> Self {
        TrendReport {
            trends: t
                .trends
                .into_iter()
                .map(|t| Trend {
                    kind: t.kind.into(),
                    window_days: t.window_days,
                    n: t.n as u64,
                    mean: t.mean,
                    min: t.min,
                    max: t.max,
                    slope_per_day: t.slope_per_day,
                    change_pct: t.change_pct,
                    direction: t.direction.into(),
                })
                .collect(),
            sleep: t.sleep.map(|s| SleepRegularity {
                window_days: s.window_days,
                nights: s.nights as u64,
                mean_duration_h: s.mean_duration_h,
                duration_sd_h: s.duration_sd_h,
                bedtime_sd_min: s.bedtime_sd_min,
                mean_bedtime_min: s.mean_bedtime_min,
            }),
            changes: t
                .changes
                .into_iter()
                .map(|c| ChangeEvent {
                    kind: c.kind.into(),
                    metric: c.metric.into(),
                    window_days: c.window_days,
                    from_value: c.from,
                    to_value: c.to,
                    magnitude: c.magnitude,
                    description: c.description.english(),
                })
                .collect(),
        }
    }
}

/// A small thing to try, with the services (signpost ids) that go with it.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Suggestion {
    pub category: InsightCategory,
    pub text: String,
    pub signpost_ids: Vec<String>,
}

/// A real national or Leeds service that can help. Shown, never contacted.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Signpost {
    pub id: String,
    pub name: String,
    pub helps_with: String,
    pub url: String,
    pub phone: Option<String>,
    /// "national" or "Leeds".
    pub area: String,
    pub categories: Vec<InsightCategory>,
    /// Shown only alongside an urgent alert (NHS 111).
    pub urgent_only: bool,
    pub verified: bool,
    pub note: String,
}

impl From<core::Signpost> for Signpost {
    fn from(s: core::Signpost) -> Self {
        Signpost {
            id: s.id,
            name: s.name,
            helps_with: s.helps_with,
            url: s.url,
            phone: s.phone,
            area: s.area,
            categories: s.categories.into_iter().map(Into::into).collect(),
            urgent_only: s.urgent_only,
            verified: s.verified,
            note: s.note,
        }
    }
}

/// A goal the owner sets.
#[derive(Debug, Clone, PartialEq, uniffi::Enum)]
pub enum Goal {
    /// Reach `target_kg`; `start_kg` defaults to the earliest weight on record.
    TargetWeight {
        target_kg: f64,
        #[uniffi(default = None)]
        start_kg: Option<f64>,
    },
    /// Cover this many kilometres each week (Monday to Sunday).
    WeeklyDistance {
        km: f64,
    },
    RestingHeartRate {
        target_bpm: f64,
        #[uniffi(default = None)]
        start_bpm: Option<f64>,
    },
    WeeklyActiveMinutes {
        minutes: f64,
    },
}

impl From<Goal> for core::Goal {
    fn from(g: Goal) -> Self {
        match g {
            Goal::TargetWeight { target_kg, start_kg } => Self::TargetWeight { target_kg, start_kg },
            Goal::WeeklyDistance { km } => Self::WeeklyDistance { km },
            Goal::RestingHeartRate { target_bpm, start_bpm } => {
                Self::RestingHeartRate { target_bpm, start_bpm }
            }
            Goal::WeeklyActiveMinutes { minutes } => Self::WeeklyActiveMinutes { minutes },
        }
    }
}

impl From<core::Goal> for Goal {
    fn from(g: core::Goal) -> Self {
        match g {
            core::Goal::TargetWeight { target_kg, start_kg } => Self::TargetWeight { target_kg, start_kg },
            core::Goal::WeeklyDistance { km } => Self::WeeklyDistance { km },
            core::Goal::RestingHeartRate { target_bpm, start_bpm } => {
                Self::RestingHeartRate { target_bpm, start_bpm }
            }
            core::Goal::WeeklyActiveMinutes { minutes } => Self::WeeklyActiveMinutes { minutes },
        }
    }
}

#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct WeekLoad {
    /// Monday of the week.
    pub week_start: CalendarDate,
    pub sessions: u64,
    pub minutes: f64,
    pub distance_km: f64,
    pub load: f64,
    pub method: LoadMethod,
}

#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct PersonalBest {
    pub label: String,
    /// Seconds for time-based bests, metres for distance-based ones.
    pub value: f64,
    pub unit: String,
    pub activity_start_ms: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Streaks {
    pub current_days: u32,
    pub longest_days: u32,
    pub current_weeks: u32,
    pub longest_weeks: u32,
}

#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct GoalProgress {
    pub goal: Goal,
    pub current: Option<f64>,
    pub target: f64,
    /// 0.0 ..= 1.0 of the way there; None without data.
    pub fraction: Option<f64>,
    pub achieved: bool,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct FitnessSummary {
    /// The last 8 weeks, oldest first.
    pub weekly_load: Vec<WeekLoad>,
    pub personal_bests: Vec<PersonalBest>,
    pub streaks: Streaks,
    pub goals: Vec<GoalProgress>,
}

impl From<core::FitnessSummary> for FitnessSummary {
    fn from(f: core::FitnessSummary) -> Self {
        FitnessSummary {
            weekly_load: f
                .weekly_load
                .into_iter()
                .map(|w| WeekLoad {
                    week_start: w.week_start.into(),
                    sessions: w.sessions as u64,
                    minutes: w.minutes,
                    distance_km: w.distance_km,
                    load: w.load,
                    method: w.method.into(),
                })
                .collect(),
            personal_bests: f
                .personal_bests
                .into_iter()
                .map(|p| PersonalBest {
                    label: p.label.english(),
                    value: p.value,
                    unit: p.unit,
                    activity_start_ms: p.activity_start.saturating_mul(1000),
                })
                .collect(),
            streaks: Streaks {
                current_days: f.streaks.current_days,
                longest_days: f.streaks.longest_days,
                current_weeks: f.streaks.current_weeks,
                longest_weeks: f.streaks.longest_weeks,
            },
            goals: f
                .goals
                .into_iter()
                .map(|g| GoalProgress {
                    goal: g.goal.into(),
                    current: g.current,
                    target: g.target,
                    fraction: g.fraction,
                    achieved: g.achieved,
                    message: g.message.english(),
                })
                .collect(),
        }
    }
}

/// Everything insights has to say about the record on one day.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct InsightReport {
    pub day: CalendarDate,
    pub trends: TrendReport,
    pub alerts: Vec<Alert>,
    pub suggestions: Vec<Suggestion>,
    pub signposts: Vec<Signpost>,
    /// None when the fitness summary is switched off.
    pub fitness: Option<FitnessSummary>,
}

/// One category on a settings screen.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct InsightCategoryState {
    pub category: InsightCategory,
    pub label: String,
    /// Switched on by the owner (alerts also need `alerts_enabled`).
    pub enabled: bool,
}

/// The owner's insight switches, as saved in the record.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct InsightSettings {
    /// Master switch for every alert.
    pub alerts_enabled: bool,
    pub suggestions_enabled: bool,
    pub signposts_enabled: bool,
    pub include_leeds_services: bool,
    pub fitness_enabled: bool,
    /// Every category, in a fixed order.
    pub categories: Vec<InsightCategoryState>,
}

impl From<core::InsightSettings> for InsightSettings {
    fn from(s: core::InsightSettings) -> Self {
        InsightSettings {
            alerts_enabled: s.alerts_enabled,
            suggestions_enabled: s.suggestions_enabled,
            signposts_enabled: s.signposts_enabled,
            include_leeds_services: s.include_leeds_services,
            fitness_enabled: s.fitness_enabled,
            categories: core::AlertCategory::ALL
                .into_iter()
                .map(|c| InsightCategoryState {
                    category: c.into(),
                    label: c.label().to_string(),
                    enabled: !s.disabled_categories.contains(&c),
                })
                .collect(),
        }
    }
}

/// The switches that are not one category.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum InsightSwitch {
    Alerts,
    Suggestions,
    Signposts,
    FitnessSummary,
    LeedsServices,
}

fn day(d: CalendarDate) -> R<NaiveDate> {
    d.try_into()
}

fn range(from: CalendarDate, to: CalendarDate) -> R<(NaiveDate, NaiveDate)> {
    let (f, t) = (day(from)?, day(to)?);
    if f > t {
        return Err(PhrError::InvalidInput { field: "date range".into() });
    }
    Ok((f, t))
}

#[uniffi::export(async_runtime = "tokio")]
impl PhrRecord {
    /// The insights report for `day` (trends over a year back, alerts citing their
    /// guideline, suggestions, signposts, fitness), honouring the saved switches.
    /// Worked out on the device; nothing is sent anywhere.
    pub async fn insight_report(&self, day: CalendarDate) -> R<InsightReport> {
        let inner = self.inner.clone();
        blocking(move || {
            let today = self::day(day)?;
            let r = inner.insight_report(today)?;
            Ok(InsightReport {
                day,
                trends: r.trends.into(),
                alerts: r.alerts.into_iter().map(Into::into).collect(),
                suggestions: r
                    .suggestions
                    .into_iter()
                    .map(|s| Suggestion {
                        category: s.category.into(),
                        text: s.text.english(),
                        signpost_ids: s.signpost_ids,
                    })
                    .collect(),
                signposts: r.signposts.into_iter().map(Into::into).collect(),
                fitness: r.fitness.map(Into::into),
            })
        })
        .await
    }

    pub async fn insight_settings(&self) -> R<InsightSettings> {
        let inner = self.inner.clone();
        blocking(move || Ok(inner.insight_settings()?.into())).await
    }

    /// Switches one category (its alerts, suggestions and signposts) on or off. Saved in
    /// the record: it stays so after reopening.
    pub async fn set_insight_category_enabled(
        &self,
        category: InsightCategory,
        enabled: bool,
    ) -> R<InsightSettings> {
        let inner = self.inner.clone();
        blocking(move || Ok(inner.set_insight_category_enabled(category.into(), enabled)?.into())).await
    }

    /// Switches all alerts, suggestions, signposts, the fitness summary or the Leeds
    /// services on or off. Saved in the record.
    pub async fn set_insight_switch(&self, switch: InsightSwitch, enabled: bool) -> R<InsightSettings> {
        let inner = self.inner.clone();
        blocking(move || {
            let mut s = inner.insight_settings()?;
            match switch {
                InsightSwitch::Alerts => s.alerts_enabled = enabled,
                InsightSwitch::Suggestions => s.suggestions_enabled = enabled,
                InsightSwitch::Signposts => s.signposts_enabled = enabled,
                InsightSwitch::FitnessSummary => s.fitness_enabled = enabled,
                InsightSwitch::LeedsServices => s.include_leeds_services = enabled,
            }
            inner.set_insight_settings(&s)?;
            Ok(s.into())
        })
        .await
    }

    /// The services listed for one category (a browse screen); empty when the category
    /// or signposts are switched off.
    pub async fn signposts_for_category(&self, category: InsightCategory) -> R<Vec<Signpost>> {
        let inner = self.inner.clone();
        blocking(move || {
            let s = inner.insight_settings()?;
            Ok(core::signposts::signposts_for_category(category.into(), &s)
                .into_iter()
                .map(Into::into)
                .collect())
        })
        .await
    }

    pub async fn goals(&self) -> R<Vec<Goal>> {
        let inner = self.inner.clone();
        blocking(move || Ok(inner.goals()?.into_iter().map(Into::into).collect())).await
    }

    /// Sets a goal, replacing an earlier one of the same kind; returns all goals.
    /// An unreachable or non-finite target: `InvalidInput(field = "goal")`.
    pub async fn set_goal(&self, goal: Goal) -> R<Vec<Goal>> {
        let inner = self.inner.clone();
        blocking(move || Ok(inner.set_goal(goal.into())?.into_iter().map(Into::into).collect())).await
    }

    pub async fn clear_goals(&self) -> R<()> {
        let inner = self.inner.clone();
        blocking(move || Ok(inner.set_goals(&[])?)).await
    }

    /// An SVG chart (phone-shaped, 420 x 340) of one metric over `from..=to`: its target band, alert
    /// markers when that category is on, and life events along the time axis.
    pub async fn insight_chart(
        &self,
        kind: MetricKind,
        from: CalendarDate,
        to: CalendarDate,
        theme: ChartTheme,
    ) -> R<String> {
        let inner = self.inner.clone();
        blocking(move || {
            let (f, t) = range(from, to)?;
            Ok(inner.insight_chart_sized(kind.into(), f, t, theme.into(), core::chart::PHONE_CHART)?)
        })
        .await
    }

    /// A compact sparkline SVG of one metric's daily values over `from..=to`.
    pub async fn insight_sparkline(
        &self,
        kind: MetricKind,
        from: CalendarDate,
        to: CalendarDate,
        theme: ChartTheme,
        width: u32,
        height: u32,
    ) -> R<String> {
        let inner = self.inner.clone();
        blocking(move || {
            let (f, t) = range(from, to)?;
            Ok(inner.insight_sparkline(kind.into(), f, t, theme.into(), width, height)?)
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs one of the async calls to completion, as a Kotlin `runBlocking` would.
    fn block<F: std::future::Future>(f: F) -> F::Output {
        tokio::runtime::Builder::new_multi_thread().build().unwrap().block_on(f)
    }

    #[test]
    fn every_category_round_trips() {
        for c in core::AlertCategory::ALL {
            assert_eq!(core::AlertCategory::from(InsightCategory::from(c)), c);
        }
        for k in core::MetricKind::ALL {
            assert_eq!(core::MetricKind::from(MetricKind::from(k)), k);
        }
    }

    #[test]
    fn demo_report_cites_nice_and_a_switched_off_category_stays_off_after_reopening() {
        use phr_core::crypto::{RecoveryKey, RecoveryKeyStore};
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.phr");
        let ks = RecoveryKeyStore::new(RecoveryKey::generate().unwrap());
        let today = CalendarDate { year: 2026, month: 11, day: 1 };
        {
            let rec = PhrRecord { inner: std::sync::Arc::new(phr_core::Record::create(&path, &ks).unwrap()) };
            phr_core::demo::fill(&rec.inner, today.try_into().unwrap()).unwrap();
            let r = block(rec.insight_report(today)).unwrap();
            let bp: Vec<_> =
                r.alerts.iter().filter(|a| a.category == InsightCategory::BloodPressure).collect();
            assert!(!bp.is_empty(), "{:?}", r.alerts.iter().map(|a| &a.id).collect::<Vec<_>>());
            assert!(bp.iter().all(|a| a.citation.contains("NICE NG136")));
            assert!(r.suggestions.iter().any(|s| s.category == InsightCategory::BloodPressure));
            let s = block(rec.set_insight_category_enabled(InsightCategory::BloodPressure, false)).unwrap();
            assert!(
                !s.categories.iter().find(|c| c.category == InsightCategory::BloodPressure).unwrap().enabled
            );
        }
        let rec = PhrRecord { inner: std::sync::Arc::new(phr_core::Record::open(&path, &ks).unwrap()) };
        let r = block(rec.insight_report(today)).unwrap();
        assert!(r.alerts.iter().all(|a| a.category != InsightCategory::BloodPressure));
        assert!(r.suggestions.iter().all(|s| s.category != InsightCategory::BloodPressure));
        assert!(!r.alerts.is_empty(), "other categories still speak");
    }
}
