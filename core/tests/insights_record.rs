//! Insights from a real encrypted record: the Record -> InsightInput mapping, the demo's
//! report, settings and goals that survive closing and reopening the file, and no network.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout, clippy::print_stderr)] // test code: a failed unwrap is a failed test, and it prints what it measured

use chrono::{Duration, NaiveDate};
use phr_core::crypto::RawKeyStore;
use phr_core::insights::{self, AlertCategory, BpSetting, Goal, MetricKind, Severity};
use phr_core::record::{EntryValue, Provenance, Sample, SampleKind};
use phr_core::store::DB_FILE;
use phr_core::strings::English;
use phr_core::Record;
use std::path::Path;

fn ks() -> RawKeyStore {
    RawKeyStore::new([7; 32])
}

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 25).unwrap()
}

fn demo(dir: &Path) -> Record {
    let r = Record::create(&dir.join(DB_FILE), &ks()).unwrap();
    phr_core::demo::fill(&r, today()).unwrap();
    r
}

fn reopen(dir: &Path) -> Record {
    Record::open(&dir.join(DB_FILE), &ks()).unwrap()
}

fn ms(d: NaiveDate, h: u32, m: u32) -> i64 {
    d.and_hms_opt(h, m, 0).unwrap().and_utc().timestamp_millis()
}

#[test]
fn demo_record_maps_onto_insight_input() {
    let dir = tempfile::tempdir().unwrap();
    let r = demo(dir.path());
    let input = r.insight_input(today()).unwrap();
    assert_eq!(input.today, today());
    assert_eq!(input.utc_offset_s, 0, "late November is GMT");
    assert_eq!(input.height_m, Some(1.63));
    assert_eq!(input.profile.age_years, Some(63), "born 17 April 1963");
    // A year of daily weights as rollups (366 days ingested, the first is outside 365 days back).
    let weights = &input.rollups[&MetricKind::Weight];
    assert!((365..=366).contains(&weights.len()), "{}", weights.len());
    assert!(input.points(MetricKind::Weight).last().unwrap().value > 80.0);
    // Blood pressure: paired raw readings for the alert window, all from the home cuff.
    assert!((90..=93).contains(&input.blood_pressure.len()), "{}", input.blood_pressure.len());
    assert!(input.blood_pressure.iter().all(|b| b.setting == BpSetting::Home && b.systolic > b.diastolic));
    // ...and rollups only before that window, so trends never count a day twice.
    let first_paired = input.blood_pressure.iter().map(|b| b.t).min().unwrap();
    let last_rollup = input.rollups[&MetricKind::BloodPressureSystolic].last().unwrap().day;
    assert!(last_rollup.and_hms_opt(23, 59, 59).unwrap().and_utc().timestamp() < first_paired);
    // Entries.
    assert!(input
        .medications
        .iter()
        .any(|m| m.name == "Doxycycline" && m.stop_date == Some(today() + Duration::days(2))));
    assert!(input.medications.iter().any(|m| m.name == "Ramipril" && m.stop_date.is_none()));
    assert_eq!(input.vaccinations.len(), 3);
    assert!(input
        .life_events
        .iter()
        .any(|e| e.label == "Ramipril up to 10 mg" && e.date == today() - Duration::days(165)));
    assert!(
        input.rollups.contains_key(&MetricKind::Vo2Max)
            && input.rollups.contains_key(&MetricKind::ActiveMinutes)
    );
}

#[test]
fn demo_report_shows_the_expected_alerts_with_citations() {
    let dir = tempfile::tempdir().unwrap();
    let r = demo(dir.path());
    let rep = r.insight_report(today()).unwrap();
    let find = |c: AlertCategory| {
        rep.alerts
            .iter()
            .find(|a| a.category == c)
            .unwrap_or_else(|| panic!("no {c:?} alert in {:#?}", rep.alerts))
    };
    let bp = find(AlertCategory::BloodPressure);
    assert!(bp.citation.contains("NG136") && bp.id.contains("home"), "{bp:?}");
    assert!(bp.severity >= Severity::Advice);
    assert!(find(AlertCategory::Bmi).citation.contains("BMI"));
    assert!(find(AlertCategory::PhysicalActivity).citation.contains("Physical Activity"));
    assert!(find(AlertCategory::Medications).title.english().contains("Doxycycline"));
    assert!(find(AlertCategory::Vaccinations).title.english().contains("Influenza"));
    let vo2 = find(AlertCategory::Fitness);
    assert_eq!(vo2.id, "change.vo2max_decline");
    // Suggestions and signposts follow the alerts.
    assert!(rep.suggestions.iter().any(|s| s.category == AlertCategory::BloodPressure));
    assert!(
        rep.signposts.iter().any(|s| s.id == "blood-pressure-uk"),
        "{:?}",
        rep.signposts.iter().map(|s| &s.id).collect::<Vec<_>>()
    );
    // Trends: weight rising over 90 days, systolic lower now than a year ago.
    let w90 = rep.trends.trends.iter().find(|t| t.kind == MetricKind::Weight && t.window_days == 90).unwrap();
    assert!(w90.slope_per_day.unwrap() > 0.0);
    let sys7 = rep
        .trends
        .trends
        .iter()
        .find(|t| t.kind == MetricKind::BloodPressureSystolic && t.window_days == 7)
        .unwrap();
    assert!(sys7.mean < 145.0, "{sys7:?}");
}

#[test]
fn switching_a_category_off_survives_reopening_the_record() {
    let dir = tempfile::tempdir().unwrap();
    {
        let r = demo(dir.path());
        let before = r.insight_report(today()).unwrap();
        assert!(before.alerts.iter().any(|a| a.category == AlertCategory::BloodPressure));
        assert!(before.suggestions.iter().any(|s| s.category == AlertCategory::BloodPressure));
        let s = r.set_insight_category_enabled(AlertCategory::BloodPressure, false).unwrap();
        assert!(!s.category_enabled(AlertCategory::BloodPressure));
        let mut s = r.insight_settings().unwrap();
        s.suggestions_enabled = false;
        r.set_insight_settings(&s).unwrap();
    } // dropped: the file is closed
    let r = reopen(dir.path());
    let s = r.insight_settings().unwrap();
    assert!(s.disabled_categories.contains(&AlertCategory::BloodPressure) && !s.suggestions_enabled);
    let after = r.insight_report(today()).unwrap();
    assert!(after.alerts.iter().all(|a| a.category != AlertCategory::BloodPressure), "{:#?}", after.alerts);
    assert!(after.suggestions.is_empty());
    assert!(after.signposts.iter().all(|p| p.id != "blood-pressure-uk"));
    // Other categories are untouched.
    assert!(after.alerts.iter().any(|a| a.category == AlertCategory::Bmi));
    // And it can be switched back on, which also persists.
    r.set_insight_category_enabled(AlertCategory::BloodPressure, true).unwrap();
    drop(r);
    let r = reopen(dir.path());
    assert!(r
        .insight_report(today())
        .unwrap()
        .alerts
        .iter()
        .any(|a| a.category == AlertCategory::BloodPressure));
}

#[test]
fn every_category_switch_removes_its_alerts_from_the_demo() {
    let dir = tempfile::tempdir().unwrap();
    let r = demo(dir.path());
    let all = r.insight_report(today()).unwrap();
    let cats: std::collections::BTreeSet<AlertCategory> = all.alerts.iter().map(|a| a.category).collect();
    assert!(cats.len() >= 5, "{cats:?}");
    for c in cats {
        r.set_insight_category_enabled(c, false).unwrap();
        let rep = r.insight_report(today()).unwrap();
        assert!(rep.alerts.iter().all(|a| a.category != c), "{c:?} still alerts");
        assert!(rep.suggestions.iter().all(|s| s.category != c), "{c:?} still suggests");
        assert!(rep.alerts.len() < all.alerts.len());
        r.set_insight_category_enabled(c, true).unwrap();
    }
    let mut s = r.insight_settings().unwrap();
    s.alerts_enabled = false;
    r.set_insight_settings(&s).unwrap();
    let rep = r.insight_report(today()).unwrap();
    assert!(rep.alerts.is_empty() && rep.suggestions.is_empty() && rep.signposts.is_empty());
}

#[test]
fn goals_are_kept_in_the_record_and_show_progress() {
    let dir = tempfile::tempdir().unwrap();
    {
        let r = demo(dir.path());
        assert!(r.goals().unwrap().is_empty());
        r.set_goal(Goal::TargetWeight { target_kg: 75.0, start_kg: Some(82.0) }).unwrap();
        r.set_goal(Goal::WeeklyActiveMinutes { minutes: 150.0 }).unwrap();
        // Setting the same kind again replaces it.
        let goals = r.set_goal(Goal::TargetWeight { target_kg: 74.0, start_kg: Some(82.0) }).unwrap();
        assert_eq!(goals.len(), 2);
    }
    let r = reopen(dir.path());
    let goals = r.goals().unwrap();
    assert!(goals.contains(&Goal::TargetWeight { target_kg: 74.0, start_kg: Some(82.0) }));
    let fit = r.insight_report(today()).unwrap().fitness.unwrap();
    let w = fit.goals.iter().find(|g| matches!(g.goal, Goal::TargetWeight { .. })).unwrap();
    assert_eq!(w.target, 74.0);
    assert!(w.current.unwrap() > 80.0 && !w.achieved);
}

#[test]
fn clinic_readings_and_sleep_and_activities_are_mapped() {
    let dir = tempfile::tempdir().unwrap();
    let r = Record::create(&dir.path().join(DB_FILE), &ks()).unwrap();
    let t = today();
    let day = t - Duration::days(3);
    r.ingest_samples(&[
        Sample::instant(SampleKind::BloodPressureSystolic, ms(day, 10, 0), 182.0, "Chapeltown surgery"),
        Sample::instant(SampleKind::BloodPressureDiastolic, ms(day, 10, 0), 100.0, "Chapeltown surgery"),
        Sample {
            kind: SampleKind::SleepDuration,
            start_ms: ms(day, 23, 0),
            end_ms: ms(day + Duration::days(1), 6, 30),
            value: 450.0,
            source: "watch".into(),
            dedup_key: None,
        },
        Sample::instant(SampleKind::Height, ms(t - Duration::days(900), 9, 0), 1.80, "GP"),
    ])
    .unwrap();
    let input = r.insight_input(t).unwrap();
    assert_eq!(input.blood_pressure.len(), 1);
    assert_eq!(input.blood_pressure[0].setting, BpSetting::Clinic);
    // Height is taken from the latest reading however old.
    assert_eq!(input.height_m, Some(1.8));
    // Sleep: minutes become hours; the bedtime is the sample's start.
    let sleep = input.daily_values(MetricKind::SleepDuration);
    assert_eq!(sleep.values().copied().collect::<Vec<_>>(), vec![7.5]);
    assert_eq!(input.series[&MetricKind::SleepBedtime][0].t, ms(day, 23, 0) / 1000);
    // Severe clinic reading -> urgent NG136 alert.
    let rep = insights::evaluate(&input);
    let a = rep.alerts.first().unwrap();
    assert_eq!((a.category, a.severity), (AlertCategory::BloodPressure, Severity::Urgent), "{a:?}");
    assert!(a.citation.contains("NG136"));
    // A life event outside the chart's range is not drawn; one inside is.
    r.add_entry(
        "life_events",
        EntryValue::LifeEvent {
            date: t - Duration::days(400),
            title: "Moved to Leeds".into(),
            details: None,
        },
        Provenance::User,
    )
    .unwrap();
    r.add_entry(
        "life_events",
        EntryValue::LifeEvent {
            date: t - Duration::days(2),
            title: "Started amlodipine".into(),
            details: None,
        },
        Provenance::User,
    )
    .unwrap();
    let svg = r
        .insight_chart(MetricKind::BloodPressureSystolic, t - Duration::days(30), t, insights::Theme::Light)
        .unwrap();
    assert!(svg.contains("Started amlodipine") && !svg.contains("Moved to Leeds"));
}

/// Sockets this process has open (Linux); None elsewhere.
fn open_sockets() -> Option<usize> {
    let fds = std::fs::read_dir("/proc/self/fd").ok()?;
    Some(
        fds.filter_map(|e| std::fs::read_link(e.ok()?.path()).ok())
            .filter(|l| l.to_string_lossy().starts_with("socket:"))
            .count(),
    )
}

/// Nothing in insights touches the network: the builder's source names no networking
/// API, and building the demo's report, its charts and the settings round trip opens
/// no socket (checked on Linux through /proc/self/fd).
#[test]
fn insights_from_the_demo_record_use_no_network() {
    let src = include_str!("../src/store/insights_input.rs");
    let needles: Vec<String> = [
        ["std::", "net"],
        ["Tcp", "Stream"],
        ["Udp", "Socket"],
        ["req", "west"],
        ["hy", "per::"],
        ["ure", "q::"],
        ["to", "kio"],
    ]
    .iter()
    .map(|p| p.concat())
    .collect();
    for n in &needles {
        assert!(!src.contains(n.as_str()), "insights_input.rs mentions {n}");
    }
    let dir = tempfile::tempdir().unwrap();
    let r = demo(dir.path());
    let before = open_sockets();
    let rep = r.insight_report(today()).unwrap();
    r.set_insight_category_enabled(AlertCategory::Alcohol, false).unwrap();
    let svg = r
        .insight_chart(MetricKind::Weight, today() - Duration::days(365), today(), insights::Theme::Dark)
        .unwrap();
    let after = open_sockets();
    assert!(!rep.alerts.is_empty() && svg.contains("<svg"));
    if let (Some(b), Some(a)) = (before, after) {
        assert_eq!(a, b, "a socket was opened while building insights");
    } else {
        phr_testkit::missing("no /proc/self/fd on this platform: the socket count was not made");
    }
}
