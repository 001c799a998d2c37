//! Gentle alerts based on published UK guidance. Each alert names its source.
//!
//! Tone: plain English, kind, not alarming. Alerts say what was seen, why it
//! matters in one line, and one clear next step.

use std::collections::BTreeSet;

use chrono::{Duration, NaiveDate};
use phr_model::Label;
use serde::{Deserialize, Serialize};

use super::guidance::{self, BmiBand, BpStage, Source};
use super::input::{local_day, BpPoint, BpSetting, InsightInput, MetricKind};
use super::trends::{self, ChangeEvent, ChangeKind, TrendReport};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum AlertCategory {
    BloodPressure,
    Bmi,
    WeightChange,
    PhysicalActivity,
    Alcohol,
    Vaccinations,
    Medications,
    Fitness,
    Sleep,
    /// Test results (usually from the medical record) outside their reference range.
    TestResults,
    /// No alerts are raised for wellbeing; it carries signposts (e.g. Samaritans) and can be switched off too.
    Wellbeing,
}

impl AlertCategory {
    pub const ALL: [AlertCategory; 11] = [
        AlertCategory::BloodPressure,
        AlertCategory::Bmi,
        AlertCategory::WeightChange,
        AlertCategory::PhysicalActivity,
        AlertCategory::Alcohol,
        AlertCategory::Vaccinations,
        AlertCategory::Medications,
        AlertCategory::Fitness,
        AlertCategory::Sleep,
        AlertCategory::TestResults,
        AlertCategory::Wellbeing,
    ];

    pub fn label(self) -> &'static str {
        match self {
            AlertCategory::BloodPressure => "Blood pressure",
            AlertCategory::Bmi => "Weight and BMI",
            AlertCategory::WeightChange => "Weight changes",
            AlertCategory::PhysicalActivity => "Being active",
            AlertCategory::Alcohol => "Alcohol",
            AlertCategory::Vaccinations => "Vaccinations",
            AlertCategory::Medications => "Medicines",
            AlertCategory::Fitness => "Fitness",
            AlertCategory::Sleep => "Sleep",
            AlertCategory::TestResults => "Test results",
            AlertCategory::Wellbeing => "Wellbeing and support",
        }
    }

    /// Short name for commands and settings screens: "blood-pressure", "bmi", ...
    pub fn slug(self) -> &'static str {
        match self {
            AlertCategory::BloodPressure => "blood-pressure",
            AlertCategory::Bmi => "bmi",
            AlertCategory::WeightChange => "weight-change",
            AlertCategory::PhysicalActivity => "activity",
            AlertCategory::Alcohol => "alcohol",
            AlertCategory::Vaccinations => "vaccinations",
            AlertCategory::Medications => "medications",
            AlertCategory::Fitness => "fitness",
            AlertCategory::Sleep => "sleep",
            AlertCategory::TestResults => "test-results",
            AlertCategory::Wellbeing => "wellbeing",
        }
    }

    /// Accepts the slug, the variant name or the label, ignoring case, spaces,
    /// dashes and underscores ("blood_pressure", "BloodPressure", "Blood pressure").
    pub fn from_name(name: &str) -> Option<AlertCategory> {
        let norm = |s: &str| {
            s.chars().filter(|c| c.is_ascii_alphanumeric()).collect::<String>().to_ascii_lowercase()
        };
        let n = norm(name);
        if n.is_empty() {
            return None;
        }
        AlertCategory::ALL.into_iter().find(|c| {
            n == norm(c.slug())
                || n == norm(&format!("{c:?}"))
                || n == norm(c.label())
                || (*c == AlertCategory::Medications && n == "medicines")
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Severity {
    Info,
    Advice,
    Warning,
    Urgent,
}

/// One number that led to an alert.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TriggerDatum {
    pub label: Label,
    pub value: f64,
    pub unit: String,
    /// When it was measured (unix seconds), if it is a single reading.
    pub t: Option<i64>,
}

impl TriggerDatum {
    fn new(label: Label, value: f64, unit: &str, t: Option<i64>) -> Self {
        TriggerDatum { label, value, unit: unit.to_string(), t }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Alert {
    /// Stable key (e.g. "bp.clinic.stage1") so a shell can de-duplicate or snooze.
    pub id: String,
    pub category: AlertCategory,
    pub severity: Severity,
    /// The wording, as catalogue keys (`core/strings/en.json`): a title, the explanation
    /// sentence by sentence, and one next step.
    pub title: Label,
    pub explanation: Vec<Label>,
    pub what_to_do: Label,
    /// The guideline this alert rests on, e.g. "NICE NG136 (2019, updated 2023) ...".
    pub citation: String,
    pub citation_url: String,
    pub triggered_by: Vec<TriggerDatum>,
}

#[allow(clippy::too_many_arguments)]
fn alert(
    id: &str,
    category: AlertCategory,
    severity: Severity,
    title: Label,
    explanation: Vec<Label>,
    what_to_do: Label,
    source: Source,
    triggered_by: Vec<TriggerDatum>,
) -> Alert {
    Alert {
        id: id.to_string(),
        category,
        severity,
        title,
        explanation,
        what_to_do,
        citation: source.citation.to_string(),
        citation_url: source.url.to_string(),
        triggered_by,
    }
}

fn since(today: NaiveDate, days: i64) -> NaiveDate {
    today.checked_sub_signed(Duration::days(days.max(0))).unwrap_or(NaiveDate::MIN)
}

fn fmt_date(d: NaiveDate) -> String {
    d.format("%-d %B %Y").to_string()
}

fn l(key: &str) -> Label {
    Label::new(key)
}

/// A number as the wording shows it, with `places` decimals.
fn num(x: f64, places: usize) -> String {
    format!("{x:.places$}")
}

// ---------- Blood pressure ----------

fn bp_alert(
    stage: BpStage,
    setting: BpSetting,
    sys: f64,
    dia: f64,
    n: usize,
    t: Option<i64>,
) -> Option<Alert> {
    let (s1, s2) = match setting {
        BpSetting::Clinic => (guidance::CLINIC_STAGE1, guidance::CLINIC_STAGE2),
        BpSetting::Home => (guidance::HOME_STAGE1, guidance::HOME_STAGE2),
    };
    let pair = |key: &str| l(key).arg("sys", num(sys, 0)).arg("dia", num(dia, 0));
    let mut explanation = match setting {
        BpSetting::Clinic => vec![pair("alert.bp.reading_clinic")],
        BpSetting::Home if n == 1 => vec![pair("alert.bp.reading_home_one")],
        BpSetting::Home => vec![pair("alert.bp.reading_home").arg("n", n.to_string())],
    };
    if setting == BpSetting::Home && n < 4 {
        explanation.push(l("alert.bp.few_readings"));
    }
    // Say which number crossed the line: "average 130/85 ... at or above 135/85" read as a
    // contradiction when only the bottom number (85) had reached it.
    let crossed = |t: guidance::BpThreshold, keys: [&str; 3]| {
        let key = match (sys >= t.systolic, dia >= t.diastolic) {
            (true, true) => keys[0],
            (true, false) => keys[1],
            _ => keys[2],
        };
        l(key).arg("sys", num(t.systolic, 0)).arg("dia", num(t.diastolic, 0))
    };
    let triggered = vec![
        TriggerDatum::new(l("alert.datum.systolic"), sys, "mmHg", t),
        TriggerDatum::new(l("alert.datum.diastolic"), dia, "mmHg", t),
        TriggerDatum::new(l("alert.datum.readings_used"), n as f64, "readings", None),
    ];
    let a = match stage {
        BpStage::BelowThreshold => return None,
        BpStage::Stage1 => {
            explanation
                .push(crossed(s1, ["alert.bp.stage1.both", "alert.bp.stage1.top", "alert.bp.stage1.bottom"]));
            explanation.push(l("alert.bp.stage1.why"));
            alert(
                if setting == BpSetting::Clinic { "bp.clinic.stage1" } else { "bp.home.stage1" },
                AlertCategory::BloodPressure,
                Severity::Advice,
                l("alert.bp.stage1.title"),
                explanation,
                l("alert.bp.stage1.todo"),
                guidance::NICE_NG136,
                triggered,
            )
        }
        BpStage::Stage2 => {
            explanation
                .push(crossed(s2, ["alert.bp.stage2.both", "alert.bp.stage2.top", "alert.bp.stage2.bottom"]));
            explanation.push(l("alert.bp.stage2.why"));
            alert(
                if setting == BpSetting::Clinic { "bp.clinic.stage2" } else { "bp.home.stage2" },
                AlertCategory::BloodPressure,
                Severity::Warning,
                l("alert.bp.stage2.title"),
                explanation,
                l("alert.bp.stage2.todo"),
                guidance::NICE_NG136,
                triggered,
            )
        }
        BpStage::Severe => {
            explanation.push(l("alert.bp.severe.why"));
            explanation.push(l("alert.bp.severe.next"));
            alert(
                if setting == BpSetting::Clinic { "bp.clinic.severe" } else { "bp.home.severe" },
                AlertCategory::BloodPressure,
                Severity::Urgent,
                l("alert.bp.severe.title"),
                explanation,
                l("alert.bp.severe.todo"),
                guidance::NICE_NG136,
                triggered,
            )
        }
    };
    Some(a)
}

/// The home average NICE-style: mean of home readings over the last
/// `home_bp_average_days` up to the latest home reading.
pub fn home_bp_average(readings: &[BpPoint], days: i64) -> Option<(f64, f64, usize, i64)> {
    let home: Vec<&BpPoint> = readings.iter().filter(|b| b.setting == BpSetting::Home).collect();
    let last_t = home.iter().map(|b| b.t).max()?;
    let from = last_t.saturating_sub(days.max(1).saturating_mul(86_400));
    let used: Vec<&&BpPoint> = home.iter().filter(|b| b.t > from).collect();
    let n = used.len();
    if n == 0 {
        return None;
    }
    let s = used.iter().map(|b| b.systolic).sum::<f64>() / n as f64;
    let d = used.iter().map(|b| b.diastolic).sum::<f64>() / n as f64;
    Some((s, d, n, last_t))
}

pub fn blood_pressure_alerts(input: &InsightInput) -> Vec<Alert> {
    let s = &input.settings;
    let cutoff = since(input.today, s.lookback_days);
    let recent: Vec<BpPoint> = input
        .valid_bp()
        .into_iter()
        .filter(|b| matches!(local_day(b.t, input.utc_offset_s), Some(d) if d >= cutoff && d <= input.today))
        .collect();
    let mut out = Vec::new();
    if let Some(c) = recent.iter().filter(|b| b.setting == BpSetting::Clinic).max_by_key(|b| b.t) {
        let stage = guidance::classify_bp(c.systolic, c.diastolic, BpSetting::Clinic);
        out.extend(bp_alert(stage, BpSetting::Clinic, c.systolic, c.diastolic, 1, Some(c.t)));
    }
    if let Some((sys, dia, n, t)) = home_bp_average(&recent, s.home_bp_average_days) {
        if n >= s.min_home_bp_readings.max(1) {
            let stage = guidance::classify_bp(sys, dia, BpSetting::Home);
            out.extend(bp_alert(stage, BpSetting::Home, sys, dia, n, if n == 1 { Some(t) } else { None }));
        }
    }
    // If both clinic and home raise the same concern, keep only the more serious one.
    if out.len() == 2 {
        out.sort_by_key(|a| std::cmp::Reverse(a.severity));
        if out[0].severity == out[1].severity {
            // Same level: keep both only if they disagree in kind; here they agree, keep the clinic one.
            out.retain(|a| a.id.contains("clinic"));
        } else {
            out.truncate(1);
        }
    }
    out
}

// ---------- BMI ----------

pub fn bmi_alerts(input: &InsightInput) -> Vec<Alert> {
    let cutoff = since(input.today, input.settings.lookback_days);
    let pts = trends::bmi_points(input);
    let Some(latest) = pts
        .iter()
        .filter(|p| p.value > 5.0 && p.value < 150.0)
        .filter(|p| matches!(local_day(p.t, input.utc_offset_s), Some(d) if d >= cutoff && d <= input.today))
        .max_by_key(|p| p.t)
    else {
        return Vec::new();
    };
    let adjusted = input.settings.bmi_ethnicity_adjusted;
    let band = guidance::classify_bmi(latest.value, adjusted);
    let source = if adjusted && matches!(band, BmiBand::Overweight | BmiBand::Obese) {
        guidance::NICE_PH46
    } else {
        guidance::NHS_BMI
    };
    let bmi = latest.value;
    let datum = vec![TriggerDatum::new(l("alert.datum.bmi"), bmi, "kg/m²", Some(latest.t))];
    let latest_bmi = l("alert.bmi.latest").arg("bmi", num(bmi, 1));
    let rough_guide = l("alert.bmi.rough_guide");
    let a = match band {
        BmiBand::Healthy => return Vec::new(),
        BmiBand::Underweight => alert(
            "bmi.underweight",
            AlertCategory::Bmi,
            Severity::Advice,
            l("alert.bmi.underweight.title"),
            vec![latest_bmi, l("alert.bmi.underweight.band"), rough_guide],
            l("alert.bmi.underweight.todo"),
            source,
            datum,
        ),
        BmiBand::Overweight => alert(
            "bmi.overweight",
            AlertCategory::Bmi,
            Severity::Info,
            l("alert.bmi.overweight.title"),
            vec![
                latest_bmi,
                l("alert.bmi.overweight.band")
                    .arg("from", if adjusted { "23" } else { "25" })
                    .arg("to", if adjusted { "27.4" } else { "29.9" }),
                l("alert.bmi.overweight.why"),
                rough_guide,
            ],
            l("alert.bmi.overweight.todo"),
            source,
            datum,
        ),
        BmiBand::Obese => alert(
            "bmi.obese",
            AlertCategory::Bmi,
            Severity::Advice,
            l("alert.bmi.obese.title"),
            vec![
                latest_bmi,
                l("alert.bmi.obese.band").arg("from", if adjusted { "27.5" } else { "30" }),
                l("alert.bmi.obese.why"),
                l("alert.bmi.obese.support"),
                rough_guide,
            ],
            l("alert.bmi.obese.todo"),
            source,
            datum,
        ),
        BmiBand::SeverelyObese => alert(
            "bmi.severely_obese",
            AlertCategory::Bmi,
            Severity::Advice,
            l("alert.bmi.severely_obese.title"),
            vec![
                latest_bmi,
                l("alert.bmi.severely_obese.band"),
                l("alert.bmi.severely_obese.support"),
                rough_guide,
            ],
            l("alert.bmi.severely_obese.todo"),
            source,
            datum,
        ),
    };
    vec![a]
}

// ---------- Weekly windows (activity, alcohol) ----------

/// The 7 complete days before today (today is still in progress).
pub fn last_full_week(today: NaiveDate) -> (NaiveDate, NaiveDate) {
    (since(today, 7), since(today, 1))
}

/// Active minutes per day in the last full week: the ActiveMinutes series where
/// recorded, otherwise the total duration of recorded activities that day.
pub fn weekly_active_minutes(input: &InsightInput) -> (f64, usize) {
    let (from, to) = last_full_week(input.today);
    let recorded = input.daily_values(MetricKind::ActiveMinutes);
    let mut from_activities: std::collections::BTreeMap<NaiveDate, f64> = Default::default();
    for a in &input.activities {
        if !(a.duration_s.is_finite() && a.duration_s > 0.0 && a.duration_s < 86_400.0 * 2.0) {
            continue;
        }
        if let Some(d) = local_day(a.start, input.utc_offset_s) {
            *from_activities.entry(d).or_insert(0.0) += a.duration_s / 60.0;
        }
    }
    let mut days = BTreeSet::new();
    let mut total = 0.0;
    let mut d = from;
    while d <= to {
        if let Some(v) = recorded.get(&d).filter(|v| **v >= 0.0) {
            total += v;
            days.insert(d);
        } else if let Some(v) = from_activities.get(&d) {
            total += v;
            days.insert(d);
        }
        d = match d.succ_opt() {
            Some(n) => n,
            None => break,
        };
    }
    (total, days.len())
}

pub fn activity_alerts(input: &InsightInput) -> Vec<Alert> {
    let (minutes, days) = weekly_active_minutes(input);
    if days < input.settings.min_days_with_data || minutes >= guidance::WEEKLY_ACTIVE_MINUTES {
        return Vec::new();
    }
    vec![alert(
        "activity.below_150",
        AlertCategory::PhysicalActivity,
        Severity::Advice,
        l("alert.activity.title"),
        vec![
            l("alert.activity.minutes").arg("minutes", num(minutes, 0)),
            l("alert.activity.guidance"),
            l("alert.activity.every_bit"),
        ],
        l("alert.activity.todo"),
        guidance::CMO_ACTIVITY,
        vec![
            TriggerDatum::new(l("alert.datum.active_minutes"), minutes, "minutes", None),
            TriggerDatum::new(l("alert.datum.days_with_data"), days as f64, "days", None),
        ],
    )]
}

/// Units in the last full week and the number of days with any drinking.
pub fn weekly_alcohol_units(input: &InsightInput) -> Option<(f64, usize)> {
    let (from, to) = last_full_week(input.today);
    let daily = input.daily_values(MetricKind::AlcoholUnits);
    let week: Vec<f64> = daily.range(from..=to).map(|(_, v)| *v).filter(|v| *v >= 0.0).collect();
    if week.is_empty() {
        return None;
    }
    let total = week.iter().sum::<f64>();
    let drinking_days = week.iter().filter(|v| **v > 0.0).count();
    Some((total, drinking_days))
}

pub fn alcohol_alerts(input: &InsightInput) -> Vec<Alert> {
    let Some((units, days)) = weekly_alcohol_units(input) else {
        return Vec::new();
    };
    let data = vec![
        TriggerDatum::new(l("alert.datum.alcohol_units"), units, "units", None),
        TriggerDatum::new(l("alert.datum.drinking_days"), days as f64, "days", None),
    ];
    if units > guidance::WEEKLY_ALCOHOL_UNITS {
        vec![alert(
            "alcohol.above_14",
            AlertCategory::Alcohol,
            Severity::Advice,
            l("alert.alcohol.above_14.title"),
            vec![
                l("alert.alcohol.units").arg("units", num(units, 1)),
                l("alert.alcohol.above_14.guidance"),
                l("alert.alcohol.above_14.amount"),
            ],
            l("alert.alcohol.above_14.todo"),
            guidance::CMO_ALCOHOL,
            data,
        )]
    } else if units >= guidance::WEEKLY_ALCOHOL_UNITS && days < guidance::ALCOHOL_MIN_SPREAD_DAYS {
        vec![alert(
            "alcohol.spread",
            AlertCategory::Alcohol,
            Severity::Info,
            l("alert.alcohol.spread.title"),
            vec![
                l(if days == 1 { "alert.alcohol.units_one_day" } else { "alert.alcohol.units_days" })
                    .arg("units", num(units, 1))
                    .arg("days", days.to_string()),
                l("alert.alcohol.spread.guidance"),
            ],
            l("alert.alcohol.spread.todo"),
            guidance::CMO_ALCOHOL,
            data,
        )]
    } else {
        Vec::new()
    }
}

// ---------- Vaccinations and medicines ----------

pub fn vaccination_alerts(input: &InsightInput) -> Vec<Alert> {
    let mut out = Vec::new();
    let soon =
        input.today.checked_add_signed(Duration::days(input.settings.vaccination_due_soon_days.max(0)));
    for v in &input.vaccinations {
        let Some(due) = v.next_due else { continue };
        let days = (input.today - due).num_days();
        let data = vec![TriggerDatum::new(l("alert.datum.days_overdue"), days as f64, "days", None)];
        if due < input.today {
            out.push(alert(
                &format!("vaccination.overdue.{}", v.name.to_lowercase().replace(' ', "_")),
                AlertCategory::Vaccinations,
                Severity::Advice,
                l("alert.vaccination.overdue.title").arg("vaccine", &v.name),
                vec![
                    l("alert.vaccination.overdue.when").arg("vaccine", &v.name).arg("date", fmt_date(due)),
                    l("alert.vaccination.overdue.why"),
                ],
                l("alert.vaccination.overdue.todo"),
                guidance::UKHSA_GREEN_BOOK,
                data,
            ));
        } else if soon.is_some_and(|s| due <= s) {
            out.push(alert(
                &format!("vaccination.due_soon.{}", v.name.to_lowercase().replace(' ', "_")),
                AlertCategory::Vaccinations,
                Severity::Info,
                l("alert.vaccination.due_soon.title").arg("vaccine", &v.name),
                vec![l("alert.vaccination.due_soon.when").arg("vaccine", &v.name).arg("date", fmt_date(due))],
                l("alert.vaccination.due_soon.todo"),
                guidance::UKHSA_GREEN_BOOK,
                data,
            ));
        }
    }
    out
}

pub fn medication_alerts(input: &InsightInput) -> Vec<Alert> {
    let s = &input.settings;
    let mut out = Vec::new();
    for m in &input.medications {
        let Some(stop) = m.stop_date else { continue };
        let days_left = (stop - input.today).num_days();
        let key = m.name.to_lowercase().replace(' ', "_");
        let data = vec![TriggerDatum::new(l("alert.datum.days_until_stop"), days_left as f64, "days", None)];
        if days_left >= 0 && days_left <= s.medication_stop_warning_days {
            out.push(alert(
                &format!("medication.ending.{key}"),
                AlertCategory::Medications,
                Severity::Info,
                l("alert.medication.ending.title").arg("medicine", &m.name),
                vec![
                    l("alert.medication.ending.when").arg("medicine", &m.name).arg("date", fmt_date(stop)),
                    l("alert.medication.ending.planned"),
                ],
                l("alert.medication.ending.todo"),
                guidance::NHS_MEDICINES,
                data,
            ));
        } else if days_left < 0 && -days_left <= s.medication_stopped_lookback_days {
            out.push(alert(
                &format!("medication.ended.{key}"),
                AlertCategory::Medications,
                Severity::Info,
                l("alert.medication.ended.title").arg("medicine", &m.name),
                vec![
                    l("alert.medication.ended.when").arg("medicine", &m.name).arg("date", fmt_date(stop)),
                    l("alert.medication.ended.planned"),
                ],
                l("alert.medication.ended.todo"),
                guidance::NHS_MEDICINES,
                data,
            ));
        }
    }
    out
}

// ---------- Alerts from detected changes ----------

pub fn change_alerts(changes: &[ChangeEvent]) -> Vec<Alert> {
    changes
        .iter()
        .map(|c| {
            let data = vec![
                TriggerDatum::new(l("alert.datum.from"), c.from, c.metric.unit(), None),
                TriggerDatum::new(l("alert.datum.to"), c.to, c.metric.unit(), None),
                TriggerDatum::new(
                    l("alert.datum.change"),
                    c.magnitude,
                    match c.kind {
                        ChangeKind::WeightGain | ChangeKind::WeightLoss => "%",
                        ChangeKind::Vo2MaxDecline => "ml/kg/min per week",
                        ChangeKind::RestingHeartRateRise => "bpm",
                    },
                    None,
                ),
            ];
            match c.kind {
                ChangeKind::WeightGain => alert(
                    "change.weight_gain",
                    AlertCategory::WeightChange,
                    Severity::Info,
                    l("alert.change.weight_gain.title"),
                    vec![c.description.clone(), l("alert.change.weight_gain.why")],
                    l("alert.change.weight_gain.todo"),
                    guidance::NHS_HEALTHY_WEIGHT,
                    data,
                ),
                ChangeKind::WeightLoss => alert(
                    "change.weight_loss",
                    AlertCategory::WeightChange,
                    Severity::Advice,
                    l("alert.change.weight_loss.title"),
                    vec![c.description.clone(), l("alert.change.weight_loss.why")],
                    l("alert.change.weight_loss.todo"),
                    guidance::NHS_WEIGHT_LOSS,
                    data,
                ),
                ChangeKind::Vo2MaxDecline => alert(
                    "change.vo2max_decline",
                    AlertCategory::Fitness,
                    Severity::Info,
                    l("alert.change.vo2max_decline.title"),
                    vec![c.description.clone(), l("alert.change.vo2max_decline.why")],
                    l("alert.change.vo2max_decline.todo"),
                    guidance::CMO_ACTIVITY,
                    data,
                ),
                ChangeKind::RestingHeartRateRise => alert(
                    "change.resting_hr_rise",
                    AlertCategory::Fitness,
                    Severity::Info,
                    l("alert.change.resting_hr_rise.title"),
                    vec![c.description.clone(), l("alert.change.resting_hr_rise.why")],
                    l("alert.change.resting_hr_rise.todo"),
                    guidance::CMO_ACTIVITY,
                    data,
                ),
            }
        })
        .collect()
}

/// Recent results outside their reference range (by the numbers, or as the lab flagged
/// them). The record cannot judge a result; it points the owner to who can.
pub fn test_result_alerts(input: &InsightInput) -> Vec<Alert> {
    let cutoff = since(input.today, input.settings.lookback_days);
    let out_of_range: Vec<&super::input::TestResult> = input
        .test_results
        .iter()
        .filter(|r| r.date.is_some_and(|d| d >= cutoff && d <= input.today) && r.outside_range())
        .collect();
    if out_of_range.is_empty() {
        return Vec::new();
    }
    let names: Vec<&str> = out_of_range.iter().map(|r| r.test.as_str()).collect();
    vec![alert(
        "results.outside_range",
        AlertCategory::TestResults,
        Severity::Advice,
        l(if out_of_range.len() == 1 { "alert.results.title_one" } else { "alert.results.title" })
            .arg("n", out_of_range.len().to_string()),
        vec![l("alert.results.which").arg("tests", names.join(", ")), l("alert.results.why")],
        l("alert.results.todo"),
        guidance::NHS_TEST_RESULTS,
        out_of_range
            .iter()
            .filter_map(|r| {
                r.value.map(|v| {
                    TriggerDatum::new(
                        l("alert.datum.test").arg("test", &r.test),
                        v,
                        r.unit.as_deref().unwrap_or(""),
                        None,
                    )
                })
            })
            .collect(),
    )]
}

/// All alerts for the input, with switched-off categories removed, most serious first.
pub fn evaluate_alerts(input: &InsightInput, trend_report: &TrendReport) -> Vec<Alert> {
    let s = &input.settings;
    if !s.alerts_enabled {
        return Vec::new();
    }
    let mut out = Vec::new();
    let on = |c| s.category_enabled(c);
    if on(AlertCategory::BloodPressure) {
        out.extend(blood_pressure_alerts(input));
    }
    if on(AlertCategory::Bmi) {
        out.extend(bmi_alerts(input));
    }
    if on(AlertCategory::PhysicalActivity) {
        out.extend(activity_alerts(input));
    }
    if on(AlertCategory::Alcohol) {
        out.extend(alcohol_alerts(input));
    }
    if on(AlertCategory::Vaccinations) {
        out.extend(vaccination_alerts(input));
    }
    if on(AlertCategory::Medications) {
        out.extend(medication_alerts(input));
    }
    if on(AlertCategory::TestResults) {
        out.extend(test_result_alerts(input));
    }
    out.extend(change_alerts(&trend_report.changes));
    out.retain(|a| s.category_enabled(a.category));
    out.sort_by(|a, b| b.severity.cmp(&a.severity).then(a.category.cmp(&b.category)).then(a.id.cmp(&b.id)));
    out
}
