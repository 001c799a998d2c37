//! Switching things off really switches them off; settings survive serde_json.

use std::collections::BTreeSet;

use super::super::alerts::AlertCategory;
use super::super::input::{BpSetting, InsightInput, Medication, MetricKind, Vaccination};
use super::super::settings::InsightSettings;
use super::super::signposts;
use super::super::{evaluate, SeriesPoint};
use super::{base_input, bp, date, push, t_days_ago, today};

/// An input that raises something in (almost) every category.
pub(super) fn busy_input() -> InsightInput {
    let mut input = base_input();
    input.height_m = Some(1.75);
    input.blood_pressure.push(bp(2, 185.0, 95.0, BpSetting::Clinic));
    for d in 0..30 {
        let w = if d >= 23 {
            92.0
        } else if d <= 6 {
            97.0
        } else {
            94.5
        };
        push(&mut input, MetricKind::Weight, d, w);
    }
    for d in 1..=7 {
        push(&mut input, MetricKind::ActiveMinutes, d, 10.0);
        push(&mut input, MetricKind::AlcoholUnits, d, 4.0);
    }
    for w in 0..=8 {
        input
            .series
            .entry(MetricKind::Vo2Max)
            .or_default()
            .push(SeriesPoint { t: t_days_ago(7 * (8 - w), 8), value: 45.0 - 0.6 * w as f64 });
    }
    for (i, h) in [21, 1, 23, 2, 20, 0, 22].iter().enumerate() {
        input
            .series
            .entry(MetricKind::SleepBedtime)
            .or_default()
            .push(SeriesPoint { t: t_days_ago(i as i64 + 1, *h), value: 0.0 });
    }
    input.vaccinations.push(Vaccination {
        name: "Tetanus".into(),
        given: date(2010, 1, 1),
        next_due: Some(date(2025, 1, 1)),
    });
    input
        .medications
        .push(Medication { name: "Ramipril".into(), stop_date: Some(today() + chrono::Duration::days(3)) });
    input
}

#[test]
fn busy_input_raises_every_alerting_category() {
    let r = evaluate(&busy_input());
    let cats: BTreeSet<AlertCategory> = r.alerts.iter().map(|a| a.category).collect();
    for c in [
        AlertCategory::BloodPressure,
        AlertCategory::Bmi,
        AlertCategory::WeightChange,
        AlertCategory::PhysicalActivity,
        AlertCategory::Alcohol,
        AlertCategory::Vaccinations,
        AlertCategory::Medications,
        AlertCategory::Fitness,
    ] {
        assert!(cats.contains(&c), "missing {c:?} in {cats:?}");
    }
    assert!(
        r.suggestions.iter().any(|s| s.category == AlertCategory::Sleep),
        "irregular bedtimes give a sleep suggestion"
    );
    assert_eq!(r.alerts[0].severity, super::super::Severity::Urgent, "most serious first");
    assert!(r.signposts.iter().any(|s| s.id == "nhs-111"), "urgent alert brings NHS 111");
    assert!(r.signposts.iter().any(|s| s.id == "forward-leeds"));
    for a in &r.alerts {
        assert!(!a.citation.is_empty() && !a.citation_url.is_empty(), "{} has no citation", a.id);
    }
}

#[test]
fn turning_each_category_off_removes_its_alerts_suggestions_and_signposts() {
    let all = signposts::all_signposts();
    for c in AlertCategory::ALL {
        let mut input = busy_input();
        input.settings.disable(c);
        let r = evaluate(&input);
        assert!(r.alerts.iter().all(|a| a.category != c), "{c:?} alert still shown");
        assert!(r.suggestions.iter().all(|s| s.category != c), "{c:?} suggestion still shown");
        // A service that only serves this category must be gone.
        for s in &r.signposts {
            assert!(
                !(s.categories.len() == 1 && s.categories[0] == c),
                "{} still shown with {c:?} off",
                s.id
            );
        }
        assert!(signposts::signposts_for_category(c, &input.settings).is_empty());
        // Other categories are unaffected.
        let other = all.iter().any(|s| !s.categories.is_empty());
        assert!(other);
    }
}

#[test]
fn alcohol_off_removes_forward_leeds_and_drinkaware() {
    let mut input = busy_input();
    input.settings.disable(AlertCategory::Alcohol);
    let r = evaluate(&input);
    assert!(!r.signposts.iter().any(|s| s.id == "forward-leeds" || s.id == "drinkaware"));
}

#[test]
fn master_switches() {
    let mut input = busy_input();
    input.settings.alerts_enabled = false;
    let r = evaluate(&input);
    assert!(r.alerts.is_empty() && r.suggestions.is_empty() && r.signposts.is_empty());

    let mut input = busy_input();
    input.settings.suggestions_enabled = false;
    let r = evaluate(&input);
    assert!(!r.alerts.is_empty() && r.suggestions.is_empty() && !r.signposts.is_empty());

    let mut input = busy_input();
    input.settings.signposts_enabled = false;
    let r = evaluate(&input);
    assert!(!r.suggestions.is_empty() && r.signposts.is_empty());

    let mut input = busy_input();
    input.settings.include_leeds_services = false;
    let r = evaluate(&input);
    assert!(!r.signposts.is_empty() && r.signposts.iter().all(|s| !s.is_leeds()));

    let mut input = busy_input();
    input.settings.fitness_enabled = false;
    assert!(evaluate(&input).fitness.is_none());
}

#[test]
fn settings_round_trip_through_serde_json() {
    let mut s = InsightSettings::default();
    s.disable(AlertCategory::Alcohol);
    s.disable(AlertCategory::Bmi);
    s.suggestions_enabled = false;
    s.change.weight_gain_pct = 3.5;
    let json = s.to_json();
    assert!(json.contains("\"Alcohol\""));
    let back = InsightSettings::from_json(&json).expect("parse");
    assert_eq!(back, s);
    // Missing fields (an older saved copy) fall back to defaults.
    assert_eq!(InsightSettings::from_json("{}").unwrap(), InsightSettings::default());
    let partial = InsightSettings::from_json(r#"{"disabled_categories":["Vaccinations"]}"#).unwrap();
    assert!(!partial.category_enabled(AlertCategory::Vaccinations));
    assert!(partial.category_enabled(AlertCategory::BloodPressure));
    // The whole input also round-trips (the store may cache it).
    let input = busy_input();
    let j = serde_json::to_string(&input).unwrap();
    let back: InsightInput = serde_json::from_str(&j).unwrap();
    assert_eq!(back, input);
}

#[test]
fn signposts_file_is_well_formed() {
    let all = signposts::all_signposts();
    assert!(all.len() >= 15, "{}", all.len());
    let ids: BTreeSet<&str> = all.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids.len(), all.len(), "ids are unique");
    for s in &all {
        assert!(s.url.starts_with("https://"), "{}", s.id);
        assert!(s.area == "national" || s.area == "Leeds", "{}", s.id);
        assert!(!s.helps_with.is_empty() && !s.note.is_empty());
    }
    for must in ["nhs-111", "samaritans", "forward-leeds", "leeds-mind", "carers-leeds", "drinkaware"] {
        assert!(ids.contains(must), "{must}");
    }
    assert_eq!(all.iter().find(|s| s.id == "samaritans").unwrap().phone.as_deref(), Some("116 123"));
    // Every signpost a suggestion points at exists.
    let r = evaluate(&busy_input());
    for sug in &r.suggestions {
        for id in &sug.signpost_ids {
            assert!(ids.contains(id.as_str()), "suggestion points at unknown {id}");
        }
    }
}
