//! Every guideline threshold tested just below, at and just above.

use super::super::alerts::{self, Alert, AlertCategory, Severity};
use super::super::input::{BpSetting, Medication, MetricKind, Vaccination};
use super::super::trends::TrendReport;
use super::{base_input, bp, date, english, paragraph, push, today};

const NG136: &str = "NICE NG136 (2019, updated 2023) Hypertension in adults";
const NHS_BMI: &str = "NHS: BMI healthy weight calculator";
const CMO_PA: &str = "UK Chief Medical Officers' Physical Activity Guidelines (2019)";
const CMO_ALC: &str = "UK Chief Medical Officers' low risk drinking guidelines (2016)";
const GREEN_BOOK: &str = "UK Health Security Agency: Green Book / routine immunisation schedule";

fn bp_alerts(readings: &[(f64, f64, BpSetting)]) -> Vec<Alert> {
    let mut input = base_input();
    for (i, (s, d, set)) in readings.iter().enumerate() {
        input.blood_pressure.push(bp(1 + i as i64 % 3, *s, *d, *set));
    }
    alerts::evaluate_alerts(&input, &TrendReport::default())
}

/// The single BP alert's id suffix ("stage1", "stage2", "severe") or "none".
fn bp_stage(sys: f64, dia: f64, set: BpSetting) -> String {
    let a = bp_alerts(&[(sys, dia, set)]);
    assert!(a.len() <= 1, "one reading gives at most one alert: {a:?}");
    match a.first() {
        None => "none".to_string(),
        Some(a) => {
            assert_eq!(a.category, AlertCategory::BloodPressure);
            assert!(a.citation.starts_with(NG136), "citation: {}", a.citation);
            assert!(!paragraph(&a.explanation).is_empty() && !english(&a.what_to_do).is_empty());
            assert!(!a.triggered_by.is_empty());
            a.id.rsplit('.').next().unwrap_or("").to_string()
        }
    }
}

// NICE NG136 1.2: clinic stage 1 is >= 140/90.
#[test]
fn nice_ng136_clinic_stage1_systolic_139_140_141() {
    assert_eq!(bp_stage(139.0, 80.0, BpSetting::Clinic), "none");
    assert_eq!(bp_stage(140.0, 80.0, BpSetting::Clinic), "stage1");
    assert_eq!(bp_stage(141.0, 80.0, BpSetting::Clinic), "stage1");
}

#[test]
fn nice_ng136_clinic_stage1_diastolic_89_90_91() {
    assert_eq!(bp_stage(130.0, 89.0, BpSetting::Clinic), "none");
    assert_eq!(bp_stage(130.0, 90.0, BpSetting::Clinic), "stage1");
    assert_eq!(bp_stage(130.0, 91.0, BpSetting::Clinic), "stage1");
}

#[test]
fn nice_ng136_clinic_stage1_advice_says_book_a_check() {
    let a = bp_alerts(&[(142.0, 85.0, BpSetting::Clinic)]);
    assert_eq!(a[0].severity, Severity::Advice);
    assert_eq!(english(&a[0].what_to_do), "Book a blood pressure check at your GP practice or a pharmacy.");
}

// NICE NG136: clinic stage 2 is >= 160/100.
#[test]
fn nice_ng136_clinic_stage2_systolic_159_160_161() {
    assert_eq!(bp_stage(159.0, 80.0, BpSetting::Clinic), "stage1");
    assert_eq!(bp_stage(160.0, 80.0, BpSetting::Clinic), "stage2");
    assert_eq!(bp_stage(161.0, 80.0, BpSetting::Clinic), "stage2");
}

#[test]
fn nice_ng136_clinic_stage2_diastolic_99_100_101() {
    assert_eq!(bp_stage(130.0, 99.0, BpSetting::Clinic), "stage1");
    assert_eq!(bp_stage(130.0, 100.0, BpSetting::Clinic), "stage2");
    assert_eq!(bp_stage(130.0, 101.0, BpSetting::Clinic), "stage2");
}

// NICE NG136: HBPM/ABPM average stage 1 is >= 135/85.
#[test]
fn nice_ng136_home_stage1_systolic_134_135_136() {
    assert_eq!(bp_stage(134.0, 80.0, BpSetting::Home), "none");
    assert_eq!(bp_stage(135.0, 80.0, BpSetting::Home), "stage1");
    assert_eq!(bp_stage(136.0, 80.0, BpSetting::Home), "stage1");
}

#[test]
fn nice_ng136_home_stage1_diastolic_84_85_86() {
    assert_eq!(bp_stage(120.0, 84.0, BpSetting::Home), "none");
    assert_eq!(bp_stage(120.0, 85.0, BpSetting::Home), "stage1");
    assert_eq!(bp_stage(120.0, 86.0, BpSetting::Home), "stage1");
}

// NICE NG136: HBPM/ABPM average stage 2 is >= 150/95.
#[test]
fn nice_ng136_home_stage2_systolic_149_150_151() {
    assert_eq!(bp_stage(149.0, 80.0, BpSetting::Home), "stage1");
    assert_eq!(bp_stage(150.0, 80.0, BpSetting::Home), "stage2");
    assert_eq!(bp_stage(151.0, 80.0, BpSetting::Home), "stage2");
}

#[test]
fn nice_ng136_home_stage2_diastolic_94_95_96() {
    assert_eq!(bp_stage(120.0, 94.0, BpSetting::Home), "stage1");
    assert_eq!(bp_stage(120.0, 95.0, BpSetting::Home), "stage2");
    assert_eq!(bp_stage(120.0, 96.0, BpSetting::Home), "stage2");
}

#[test]
fn nice_ng136_home_average_uses_mean_of_week() {
    // 130/80 and 140/90 average 135/85: exactly stage 1 at home.
    let a = bp_alerts(&[(130.0, 80.0, BpSetting::Home), (140.0, 90.0, BpSetting::Home)]);
    assert_eq!(a.len(), 1);
    assert_eq!(a[0].id, "bp.home.stage1");
    let a = bp_alerts(&[(130.0, 80.0, BpSetting::Home), (139.0, 89.0, BpSetting::Home)]);
    assert!(a.is_empty(), "134.5/84.5 is below 135/85: {a:?}");
}

// NICE NG136 1.5.2: severe hypertension is clinic systolic >= 180 or diastolic >= 120.
#[test]
fn nice_ng136_severe_systolic_179_180_181() {
    assert_eq!(bp_stage(179.0, 90.0, BpSetting::Clinic), "stage2");
    assert_eq!(bp_stage(180.0, 90.0, BpSetting::Clinic), "severe");
    assert_eq!(bp_stage(181.0, 90.0, BpSetting::Clinic), "severe");
}

#[test]
fn nice_ng136_severe_diastolic_119_120_121() {
    assert_eq!(bp_stage(150.0, 119.0, BpSetting::Clinic), "stage2");
    assert_eq!(bp_stage(150.0, 120.0, BpSetting::Clinic), "severe");
    assert_eq!(bp_stage(150.0, 121.0, BpSetting::Clinic), "severe");
}

#[test]
fn nice_ng136_severe_is_urgent_and_says_gp_today_or_111() {
    let a = bp_alerts(&[(182.0, 100.0, BpSetting::Clinic)]);
    assert_eq!(a[0].severity, Severity::Urgent);
    assert!(english(&a[0].what_to_do).starts_with("Contact your GP today or call NHS 111"));
    assert!(a[0].citation.starts_with(NG136));
}

#[test]
fn bp_clinic_and_home_agreeing_gives_one_alert() {
    let a = bp_alerts(&[(145.0, 85.0, BpSetting::Clinic), (140.0, 80.0, BpSetting::Home)]);
    assert_eq!(a.len(), 1, "{a:?}");
    let a = bp_alerts(&[(145.0, 85.0, BpSetting::Clinic), (155.0, 80.0, BpSetting::Home)]);
    assert_eq!(a.len(), 1);
    assert_eq!(a[0].id, "bp.home.stage2", "the more serious one is kept");
}

#[test]
fn bp_old_and_implausible_readings_are_ignored() {
    let mut input = base_input();
    input.blood_pressure.push(bp(200, 170.0, 100.0, BpSetting::Clinic)); // older than 90 days
    input.blood_pressure.push(bp(1, f64::NAN, 100.0, BpSetting::Clinic));
    input.blood_pressure.push(bp(1, 900.0, 100.0, BpSetting::Clinic));
    assert!(alerts::evaluate_alerts(&input, &TrendReport::default()).is_empty());
}

// ---------- NHS BMI bands ----------

fn bmi_alert(bmi: f64, adjusted: bool) -> Option<Alert> {
    let mut input = base_input();
    input.settings.bmi_ethnicity_adjusted = adjusted;
    push(&mut input, MetricKind::Bmi, 2, bmi);
    let a = alerts::evaluate_alerts(&input, &TrendReport::default());
    assert!(a.len() <= 1);
    a.into_iter().next()
}

fn bmi_id(bmi: f64) -> String {
    match bmi_alert(bmi, false) {
        None => "healthy".to_string(),
        Some(a) => {
            assert_eq!(a.citation, NHS_BMI);
            assert_eq!(a.category, AlertCategory::Bmi);
            a.id.trim_start_matches("bmi.").to_string()
        }
    }
}

// NHS: under 18.5 is underweight; 18.5 to 24.9 healthy.
#[test]
fn nhs_bmi_underweight_boundary_18_49_18_5_18_51() {
    assert_eq!(bmi_id(18.49), "underweight");
    assert_eq!(bmi_id(18.5), "healthy");
    assert_eq!(bmi_id(18.51), "healthy");
}

// NHS: 25 to 29.9 overweight.
#[test]
fn nhs_bmi_overweight_boundary_24_9_25_25_1() {
    assert_eq!(bmi_id(24.9), "healthy");
    assert_eq!(bmi_id(24.99), "healthy");
    assert_eq!(bmi_id(25.0), "overweight");
    assert_eq!(bmi_id(25.1), "overweight");
}

// NHS: 30 to 39.9 obese.
#[test]
fn nhs_bmi_obese_boundary_29_9_30_30_1() {
    assert_eq!(bmi_id(29.9), "overweight");
    assert_eq!(bmi_id(30.0), "obese");
    assert_eq!(bmi_id(30.1), "obese");
}

// NHS: 40 or above severely obese.
#[test]
fn nhs_bmi_severe_boundary_39_9_40_40_1() {
    assert_eq!(bmi_id(39.9), "obese");
    assert_eq!(bmi_id(40.0), "severely_obese");
    assert_eq!(bmi_id(40.1), "severely_obese");
}

#[test]
fn nhs_bmi_from_weight_and_height() {
    // 76.5625 kg / 1.75 m² = 25.0 exactly: overweight.
    let mut input = base_input();
    input.height_m = Some(1.75);
    push(&mut input, MetricKind::Weight, 1, 76.5625);
    let a = alerts::evaluate_alerts(&input, &TrendReport::default());
    assert_eq!(a.len(), 1);
    assert_eq!(a[0].id, "bmi.overweight");
    assert!((a[0].triggered_by[0].value - 25.0).abs() < 1e-12);
    assert_eq!(a[0].citation, NHS_BMI);
}

// NICE PH46: lower action points 23 and 27.5 when the user opts in.
#[test]
fn nice_ph46_adjusted_bmi_boundaries() {
    assert!(bmi_alert(22.9, true).is_none());
    let a = bmi_alert(23.0, true).expect("23 is overweight with adjusted thresholds");
    assert_eq!(a.id, "bmi.overweight");
    assert!(a.citation.starts_with("NICE PH46"));
    assert_eq!(bmi_alert(27.4, true).map(|a| a.id), Some("bmi.overweight".into()));
    assert_eq!(bmi_alert(27.5, true).map(|a| a.id), Some("bmi.obese".into()));
}

// ---------- UK CMOs: 150 minutes a week ----------

fn activity_alert(total: f64) -> Option<Alert> {
    let mut input = base_input();
    // 7 full days before today: six days of 20 minutes and the rest on the seventh (exact sums).
    for d in 1..=6 {
        push(&mut input, MetricKind::ActiveMinutes, d, 20.0);
    }
    push(&mut input, MetricKind::ActiveMinutes, 7, total - 120.0);
    let a = alerts::evaluate_alerts(&input, &TrendReport::default());
    a.into_iter().find(|a| a.category == AlertCategory::PhysicalActivity)
}

#[test]
fn uk_cmo_2019_activity_149_150_151_minutes() {
    let a = activity_alert(149.0).expect("149 minutes is below 150");
    assert_eq!(a.citation, CMO_PA);
    assert_eq!(a.severity, Severity::Advice);
    assert!((a.triggered_by[0].value - 149.0).abs() < 1e-9);
    assert!(activity_alert(150.0).is_none(), "150 minutes meets the guideline");
    assert!(activity_alert(151.0).is_none());
}

#[test]
fn uk_cmo_2019_activity_needs_enough_days_of_data() {
    let mut input = base_input();
    for d in 1..=3 {
        push(&mut input, MetricKind::ActiveMinutes, d, 10.0);
    }
    assert!(alerts::activity_alerts(&input).is_empty(), "3 days of data is too little to judge a week");
}

#[test]
fn uk_cmo_2019_activity_today_is_not_counted() {
    let mut input = base_input();
    for d in 1..=7 {
        push(&mut input, MetricKind::ActiveMinutes, d, 20.0); // 140 in the full week
    }
    push(&mut input, MetricKind::ActiveMinutes, 0, 60.0); // today: still in progress
    assert_eq!(alerts::weekly_active_minutes(&input).0, 140.0);
}

// ---------- UK CMOs: 14 units a week ----------

fn alcohol(units_per_day: &[(i64, f64)]) -> Vec<Alert> {
    let mut input = base_input();
    for (d, u) in units_per_day {
        push(&mut input, MetricKind::AlcoholUnits, *d, *u);
    }
    alerts::evaluate_alerts(&input, &TrendReport::default())
}

#[test]
fn uk_cmo_2016_alcohol_13_9_14_14_1_units() {
    let spread =
        |total: f64| alcohol(&[(1, total / 4.0), (3, total / 4.0), (5, total / 4.0), (6, total / 4.0)]);
    assert!(spread(13.9).is_empty());
    assert!(spread(14.0).is_empty(), "14 units spread over 4 days is within the guideline");
    let a = spread(14.1);
    assert_eq!(a.len(), 1);
    assert_eq!(a[0].id, "alcohol.above_14");
    assert_eq!(a[0].citation, CMO_ALC);
    assert!((a[0].triggered_by[0].value - 14.1).abs() < 1e-9);
}

#[test]
fn uk_cmo_2016_alcohol_14_units_in_two_days_suggests_spreading() {
    let a = alcohol(&[(2, 7.0), (3, 7.0)]);
    assert_eq!(a.len(), 1);
    assert_eq!(a[0].id, "alcohol.spread");
    assert_eq!(a[0].severity, Severity::Info);
    assert_eq!(a[0].citation, CMO_ALC);
    assert!(alcohol(&[(2, 5.0), (3, 5.0), (4, 4.0)]).is_empty(), "three days is enough spread");
}

#[test]
fn uk_cmo_2016_alcohol_outside_week_not_counted() {
    assert!(alcohol(&[(8, 20.0), (0, 20.0)]).is_empty());
}

// ---------- UKHSA Green Book: vaccinations ----------

#[test]
fn ukhsa_green_book_overdue_vaccination() {
    let mut input = base_input();
    input.vaccinations.push(Vaccination {
        name: "Tetanus booster".into(),
        given: date(2015, 1, 1),
        next_due: Some(today() - chrono::Duration::days(1)),
    });
    input.vaccinations.push(Vaccination {
        name: "Flu".into(),
        given: date(2024, 10, 1),
        next_due: Some(today()),
    });
    input.vaccinations.push(Vaccination { name: "MMR".into(), given: date(1995, 1, 1), next_due: None });
    input.vaccinations.push(Vaccination {
        name: "Shingles".into(),
        given: date(2024, 1, 1),
        next_due: Some(today() + chrono::Duration::days(31)),
    });
    let a = alerts::evaluate_alerts(&input, &TrendReport::default());
    assert_eq!(a.len(), 2, "{a:?}");
    let overdue = a.iter().find(|a| a.id.starts_with("vaccination.overdue")).expect("overdue alert");
    assert!(english(&overdue.title).contains("Tetanus"));
    assert_eq!(overdue.severity, Severity::Advice);
    assert_eq!(overdue.citation, GREEN_BOOK);
    let soon = a
        .iter()
        .find(|a| a.id.starts_with("vaccination.due_soon"))
        .expect("due today counts as due soon, not overdue");
    assert!(english(&soon.title).contains("Flu"));
}

// ---------- Medicines near or past their stop date ----------

#[test]
fn medication_stop_date_windows() {
    let mut input = base_input();
    let d = |n: i64| Some(today() + chrono::Duration::days(n));
    input.medications.push(Medication { name: "Ramipril".into(), stop_date: d(7) });
    input.medications.push(Medication { name: "Amoxicillin".into(), stop_date: d(-1) });
    input.medications.push(Medication { name: "Sertraline".into(), stop_date: d(8) });
    input.medications.push(Medication { name: "Old".into(), stop_date: d(-31) });
    input.medications.push(Medication { name: "Ongoing".into(), stop_date: None });
    let a = alerts::evaluate_alerts(&input, &TrendReport::default());
    let ids: Vec<&str> = a.iter().map(|a| a.id.as_str()).collect();
    assert_eq!(a.len(), 2, "{ids:?}");
    assert!(ids.contains(&"medication.ending.ramipril"));
    assert!(ids.contains(&"medication.ended.amoxicillin"));
    assert!(a.iter().all(|a| !a.citation.is_empty()));
}

// Issue 14: "average 130/85 ... at or above 135/85" read as a contradiction. The alert now
// names the number that reached the level.
#[test]
fn bp_alert_names_the_number_that_reached_the_level() {
    let home = [(130.0, 85.0, BpSetting::Home); 4];
    let a = bp_alerts(&home);
    let text = paragraph(&a[0].explanation);
    assert!(text.contains("average 130/85"), "{text}");
    assert!(text.contains("The bottom number is at or above 85,"), "{text}");
    assert!(!text.contains("135/85"), "no pair the reading is below: {text}");

    let top = paragraph(&bp_alerts(&[(145.0, 80.0, BpSetting::Clinic)])[0].explanation);
    assert!(top.contains("The top number is at or above 140,"), "{top}");
    let both = paragraph(&bp_alerts(&[(165.0, 105.0, BpSetting::Clinic)])[0].explanation);
    assert!(both.contains("Both numbers are at or above 160/100,"), "{both}");
}
