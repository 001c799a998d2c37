//! Gentle alerts based on published UK guidance. Each alert names its source.
//!
//! Tone: plain English, kind, not alarming. Alerts say what was seen, why it
//! matters in one line, and one clear next step.

use std::collections::BTreeSet;

use chrono::{Duration, NaiveDate};
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
    pub label: String,
    pub value: f64,
    pub unit: String,
    /// When it was measured (unix seconds), if it is a single reading.
    pub t: Option<i64>,
}

impl TriggerDatum {
    fn new(label: &str, value: f64, unit: &str, t: Option<i64>) -> Self {
        TriggerDatum { label: label.to_string(), value, unit: unit.to_string(), t }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Alert {
    /// Stable key (e.g. "bp.clinic.stage1") so a shell can de-duplicate or snooze.
    pub id: String,
    pub category: AlertCategory,
    pub severity: Severity,
    pub title: String,
    pub explanation: String,
    pub what_to_do: String,
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
    title: String,
    explanation: String,
    what_to_do: &str,
    source: Source,
    triggered_by: Vec<TriggerDatum>,
) -> Alert {
    Alert {
        id: id.to_string(),
        category,
        severity,
        title,
        explanation,
        what_to_do: what_to_do.to_string(),
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

// ---------- Blood pressure ----------

const BOOK_BP_CHECK: &str = "Book a blood pressure check at your GP practice or a pharmacy.";
const BP_STAGE2_TODO: &str = "Contact your GP practice in the next few days to arrange a blood pressure check. A pharmacy can also check it.";
const BP_SEVERE_TODO: &str = "Contact your GP today or call NHS 111. If you also have chest pain, difficulty breathing or sudden confusion, call 999.";

fn bp_alert(
    stage: BpStage,
    setting: BpSetting,
    sys: f64,
    dia: f64,
    n: usize,
    t: Option<i64>,
) -> Option<Alert> {
    let (where_, id_set, s1, s2) = match setting {
        BpSetting::Clinic => ("at a clinic", "clinic", guidance::CLINIC_STAGE1, guidance::CLINIC_STAGE2),
        BpSetting::Home => ("at home", "home", guidance::HOME_STAGE1, guidance::HOME_STAGE2),
    };
    let reading = match setting {
        BpSetting::Clinic => {
            format!("Your latest blood pressure reading {} was {:.0}/{:.0}.", where_, sys, dia)
        }
        BpSetting::Home => {
            let few = if n < 4 { " More readings over several days give a clearer picture." } else { "" };
            format!(
                "Your home readings over the last week average {:.0}/{:.0} ({} reading{}).{}",
                sys,
                dia,
                n,
                if n == 1 { "" } else { "s" },
                few
            )
        }
    };
    let triggered = vec![
        TriggerDatum::new("systolic (top number)", sys, "mmHg", t),
        TriggerDatum::new("diastolic (bottom number)", dia, "mmHg", t),
        TriggerDatum::new("readings used", n as f64, "readings", None),
    ];
    let a = match stage {
        BpStage::BelowThreshold => return None,
        BpStage::Stage1 => alert(
            &format!("bp.{id_set}.stage1"),
            AlertCategory::BloodPressure,
            Severity::Advice,
            "Your blood pressure is a little high".to_string(),
            format!(
                "{} That is at or above {:.0}/{:.0}, the level at which NICE advises checking for high blood pressure. High blood pressure rarely causes symptoms, and it is easy to check and treat.",
                reading, s1.systolic, s1.diastolic
            ),
            BOOK_BP_CHECK,
            guidance::NICE_NG136,
            triggered,
        ),
        BpStage::Stage2 => alert(
            &format!("bp.{id_set}.stage2"),
            AlertCategory::BloodPressure,
            Severity::Warning,
            "Your blood pressure is high".to_string(),
            format!(
                "{} That is at or above {:.0}/{:.0}, which NICE calls stage 2 high blood pressure. It is worth getting this looked at soon; treatment works well.",
                reading, s2.systolic, s2.diastolic
            ),
            BP_STAGE2_TODO,
            guidance::NICE_NG136,
            triggered,
        ),
        BpStage::Severe => alert(
            &format!("bp.{id_set}.severe"),
            AlertCategory::BloodPressure,
            Severity::Urgent,
            "Your blood pressure reading is very high".to_string(),
            format!(
                "{} A top number of 180 or more, or a bottom number of 120 or more, is very high. Please speak to a doctor today so they can check it again and decide what is needed.",
                reading
            ),
            BP_SEVERE_TODO,
            guidance::NICE_NG136,
            triggered,
        ),
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
    let datum = vec![TriggerDatum::new("BMI", bmi, "kg/m²", Some(latest.t))];
    let note = "BMI is only a rough guide: it does not tell muscle from fat.";
    let a = match band {
        BmiBand::Healthy => return Vec::new(),
        BmiBand::Underweight => alert(
            "bmi.underweight",
            AlertCategory::Bmi,
            Severity::Advice,
            "Your BMI is below the healthy range".to_string(),
            format!("Your latest BMI is {:.1}. Below 18.5 is described by the NHS as underweight. {}", bmi, note),
            "If you have lost weight without trying, or are worried about eating, speak to your GP practice.",
            source,
            datum,
        ),
        BmiBand::Overweight => alert(
            "bmi.overweight",
            AlertCategory::Bmi,
            Severity::Info,
            "Your BMI is a little above the healthy range".to_string(),
            format!(
                "Your latest BMI is {:.1}. The NHS describes {} to {} as overweight. Small, steady changes to food and activity make a real difference. {}",
                bmi,
                if adjusted { "23" } else { "25" },
                if adjusted { "27.4" } else { "29.9" },
                note
            ),
            "Try the free NHS Weight Loss Plan app, or ask your GP practice about local support.",
            source,
            datum,
        ),
        BmiBand::Obese => alert(
            "bmi.obese",
            AlertCategory::Bmi,
            Severity::Advice,
            "Your BMI is in the obese range".to_string(),
            format!(
                "Your latest BMI is {:.1}. The NHS describes {} to 39.9 as obese, which raises the chance of type 2 diabetes, heart disease and joint problems. Support is free and it works best with others alongside you. {}",
                bmi,
                if adjusted { "27.5" } else { "30" },
                note
            ),
            "Ask your GP practice about free weight management support near you.",
            source,
            datum,
        ),
        BmiBand::SeverelyObese => alert(
            "bmi.severely_obese",
            AlertCategory::Bmi,
            Severity::Advice,
            "Your BMI is 40 or above".to_string(),
            format!(
                "Your latest BMI is {:.1}. The NHS describes 40 or above as severely obese. Your GP practice can offer more support at this level, including specialist services. {}",
                bmi, note
            ),
            "Book an appointment with your GP practice to talk about support that suits you.",
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
        "A little more activity would help".to_string(),
        format!(
            "In the last 7 days you were active for about {:.0} minutes. The UK guidance for adults is at least 150 minutes a week of moderate activity (such as brisk walking or cycling), or 75 minutes of vigorous activity. Every bit counts, and more is better.",
            minutes
        ),
        "Try adding a 10-minute brisk walk to your day, or find a free local group such as parkrun.",
        guidance::CMO_ACTIVITY,
        vec![
            TriggerDatum::new("active minutes, last 7 days", minutes, "minutes", None),
            TriggerDatum::new("days with data", days as f64, "days", None),
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
        TriggerDatum::new("alcohol units, last 7 days", units, "units", None),
        TriggerDatum::new("drinking days", days as f64, "days", None),
    ];
    if units > guidance::WEEKLY_ALCOHOL_UNITS {
        vec![alert(
            "alcohol.above_14",
            AlertCategory::Alcohol,
            Severity::Advice,
            "You drank more than 14 units this week".to_string(),
            format!(
                "In the last 7 days you recorded {:.1} units. To keep health risks low, the UK Chief Medical Officers advise not regularly drinking more than 14 units a week (about 6 pints of average beer or 6 medium glasses of wine), spread over 3 or more days.",
                units
            ),
            "Try having several drink-free days each week. Drinkaware has a free app to track units, and Forward Leeds offers free, friendly support if you would like it.",
            guidance::CMO_ALCOHOL,
            data,
        )]
    } else if units >= guidance::WEEKLY_ALCOHOL_UNITS && days < guidance::ALCOHOL_MIN_SPREAD_DAYS {
        vec![alert(
            "alcohol.spread",
            AlertCategory::Alcohol,
            Severity::Info,
            "Spreading drinks out is kinder to your body".to_string(),
            format!(
                "In the last 7 days you recorded {:.1} units over {} day{}. If you drink as much as 14 units a week, the UK Chief Medical Officers advise spreading it evenly over 3 or more days, as heavy sessions raise the risks.",
                units,
                days,
                if days == 1 { "" } else { "s" }
            ),
            "Try spreading drinks over more days, with several drink-free days each week.",
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
        let data = vec![TriggerDatum::new("days overdue", days as f64, "days", None)];
        if due < input.today {
            out.push(alert(
                &format!("vaccination.overdue.{}", v.name.to_lowercase().replace(' ', "_")),
                AlertCategory::Vaccinations,
                Severity::Advice,
                format!("Your {} vaccination is due", v.name),
                format!(
                    "Your record shows the next {} dose was due on {}. Vaccines protect best when given on schedule, and it is usually fine to catch up late.",
                    v.name,
                    fmt_date(due)
                ),
                "Contact your GP practice to book it. Some vaccines are also available at pharmacies.",
                guidance::UKHSA_GREEN_BOOK,
                data,
            ));
        } else if soon.is_some_and(|s| due <= s) {
            out.push(alert(
                &format!("vaccination.due_soon.{}", v.name.to_lowercase().replace(' ', "_")),
                AlertCategory::Vaccinations,
                Severity::Info,
                format!("Your {} vaccination is due soon", v.name),
                format!("Your next {} dose is due on {}.", v.name, fmt_date(due)),
                "You may want to book it with your GP practice or a pharmacy.",
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
        let data = vec![TriggerDatum::new("days until stop date", days_left as f64, "days", None)];
        if days_left >= 0 && days_left <= s.medication_stop_warning_days {
            out.push(alert(
                &format!("medication.ending.{key}"),
                AlertCategory::Medications,
                Severity::Info,
                format!("{} is due to end soon", m.name),
                format!(
                    "Your record shows {} is due to stop on {}. If your doctor meant it to stop, there is nothing to do.",
                    m.name,
                    fmt_date(stop)
                ),
                "If you think you still need it, order a repeat prescription in good time or ask your GP practice or pharmacist.",
                guidance::NHS_MEDICINES,
                data,
            ));
        } else if days_left < 0 && -days_left <= s.medication_stopped_lookback_days {
            out.push(alert(
                &format!("medication.ended.{key}"),
                AlertCategory::Medications,
                Severity::Info,
                format!("{} has reached its stop date", m.name),
                format!(
                    "Your record shows {} stopped on {}. If that was the plan, there is nothing to do.",
                    m.name,
                    fmt_date(stop)
                ),
                "If you are still taking it or think you still need it, ask your GP practice or pharmacist.",
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
                TriggerDatum::new("from", c.from, c.metric.unit(), None),
                TriggerDatum::new("to", c.to, c.metric.unit(), None),
                TriggerDatum::new("change", c.magnitude, match c.kind {
                    ChangeKind::WeightGain | ChangeKind::WeightLoss => "%",
                    ChangeKind::Vo2MaxDecline => "ml/kg/min per week",
                    ChangeKind::RestingHeartRateRise => "bpm",
                }, None),
            ];
            match c.kind {
                ChangeKind::WeightGain => alert(
                    "change.weight_gain",
                    AlertCategory::WeightChange,
                    Severity::Info,
                    "Your weight has gone up recently".to_string(),
                    format!("{} Weight can change for lots of reasons; catching a change early makes it easier to manage.", c.description),
                    "Have a look at the NHS healthy weight advice, or ask your GP practice about local support if you would like help.",
                    guidance::NHS_HEALTHY_WEIGHT,
                    data,
                ),
                ChangeKind::WeightLoss => alert(
                    "change.weight_loss",
                    AlertCategory::WeightChange,
                    Severity::Advice,
                    "Your weight has gone down recently".to_string(),
                    format!("{} If you have been trying to lose weight, well done.", c.description),
                    "If you have lost weight without trying, speak to your GP practice.",
                    guidance::NHS_WEIGHT_LOSS,
                    data,
                ),
                ChangeKind::Vo2MaxDecline => alert(
                    "change.vo2max_decline",
                    AlertCategory::Fitness,
                    Severity::Info,
                    "Your fitness score has been dipping".to_string(),
                    format!("{} A busy spell, illness or less training can all do this, and it usually comes back with regular activity.", c.description),
                    "Aim for at least 150 minutes of moderate activity a week, with some that gets you breathing hard.",
                    guidance::CMO_ACTIVITY,
                    data,
                ),
                ChangeKind::RestingHeartRateRise => alert(
                    "change.resting_hr_rise",
                    AlertCategory::Fitness,
                    Severity::Info,
                    "Your resting heart rate has risen".to_string(),
                    format!("{} Illness, stress, poor sleep, alcohol or a break from exercise can all raise it.", c.description),
                    "If you feel unwell or it stays high, speak to your GP practice or call NHS 111.",
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
        format!("{} recent test result{} outside the usual range", out_of_range.len(), if out_of_range.len() == 1 { " was" } else { "s were" }),
        format!(
            "{}. A result a little outside the reference range is common and often means nothing, but it is worth knowing what it means for you.",
            names.join(", ")
        ),
        "The GP practice or clinic that asked for the test usually gets in touch if a result needs action. If you have not heard from them, or feel unwell, ask them.",
        guidance::NHS_TEST_RESULTS,
        out_of_range.iter().filter_map(|r| r.value.map(|v| TriggerDatum::new(&r.test, v, r.unit.as_deref().unwrap_or(""), None))).collect(),
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
