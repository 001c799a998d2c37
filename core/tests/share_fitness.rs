//! Fitness in shares (issue 20): a grant of the exercise section carries VO2max, heart
//! rate variability, resting heart rate, weekly training load and the activities as FHIR
//! Observations; routes only when the owner ticks them; employers never get more than the
//! rules allow, and only after the owner confirmed.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)] // test code: a failed unwrap is a failed test

use chrono::Utc;
use phr_core::consent::{self, Decision, Disclosure, GrantRequest, Recipient, RecipientCategory};
use phr_core::crypto::RawKeyStore;
use phr_core::record::{Activity, Sample, SampleKind, Sport, TrackPoint};
use phr_core::store::{ImportBatch, DB_FILE};
use phr_core::Record;
use serde_json::Value;

const DAY_MS: i64 = 86_400_000;

fn record_with_fitness(dir: &std::path::Path) -> Record {
    let r = Record::create(&dir.join(DB_FILE), &RawKeyStore::new([4; 32])).unwrap();
    let today = Utc::now().timestamp_millis() / DAY_MS * DAY_MS;
    let s = |kind, days: i64, value| Sample {
        kind,
        start_ms: today - days * DAY_MS + 3_600_000,
        end_ms: today - days * DAY_MS + 3_600_000,
        value,
        source: "garmin".into(),
        dedup_key: None,
    };
    let mut samples = Vec::new();
    for d in 0..60 {
        samples.push(s(SampleKind::Vo2Max, d, 52.0 - d as f64 * 0.05));
        samples.push(s(SampleKind::HeartRateVariability, d, 61.0));
        samples.push(s(SampleKind::RestingHeartRate, d, 48.0));
        samples.push(s(SampleKind::Steps, d, 9000.0));
    }
    let run = |i: i64, trimp: f64| Activity {
        id: String::new(),
        sport: Sport::Running,
        name: Some("Morning run past my house".into()),
        start_ms: today - i * DAY_MS + 7 * 3_600_000,
        elapsed_s: 3600.0,
        timer_s: Some(3500.0),
        distance_m: Some(10_000.0),
        avg_hr: Some(150.0),
        max_hr: Some(175.0),
        calories: None,
        ascent_m: None,
        source: "garmin".into(),
        source_id: format!("garmin:{i}"),
        also_from: vec![],
        laps: vec![],
        metrics: [("trimp".to_string(), trimp)].into_iter().collect(),
        track: (0..5)
            .map(|k| TrackPoint {
                t_ms: today - i * DAY_MS + 7 * 3_600_000 + k * 1000,
                lat: Some(51.5 + k as f64 * 0.001),
                lon: Some(-0.12),
                altitude_m: None,
                distance_m: None,
                hr: None,
                cadence: None,
                power: None,
                speed_mps: None,
                temperature_c: None,
            })
            .collect(),
    };
    r.import(&ImportBatch { samples, activities: vec![run(2, 80.0), run(9, 95.5)], entries: vec![] })
        .unwrap();
    r.set_section_enabled("exercise", true).unwrap();
    r
}

fn request(category: RecipientCategory, sections: &[&str], disclosure: Disclosure) -> GrantRequest {
    GrantRequest {
        recipient: Recipient { name: "Dr Lee".into(), role: "GP".into(), category },
        sections: sections.iter().map(|s| s.to_string()).collect(),
        purpose: "review".into(),
        message: None,
        start: None,
        expiry: None,
        disclosure,
    }
}

fn bundle_for(r: &Record, req: GrantRequest) -> Value {
    let g = consent::create_grant(r, req).unwrap();
    let Decision::Allowed(v) = consent::check(r, &g.id, Utc::now()).unwrap() else { panic!("refused") };
    phr_core::share::bundle::fhir_bundle(&v)
}

fn observations<'a>(b: &'a Value, loinc: &str) -> Vec<&'a Value> {
    b["entry"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["resource"])
        .filter(|o| o["resourceType"] == "Observation" && o["code"]["coding"][0]["code"] == loinc)
        .collect()
}

#[test]
fn an_exercise_share_carries_fitness_and_activities_without_routes() {
    let d = tempfile::tempdir().unwrap();
    let r = record_with_fitness(d.path());
    let b =
        bundle_for(&r, request(RecipientCategory::HealthProfessional, &["exercise"], Disclosure::default()));

    let vo2 = observations(&b, "60842-2");
    assert_eq!(vo2.len(), 60, "one VO2max a day");
    assert_eq!(vo2[59]["valueQuantity"]["value"], 52.0, "oldest first, today last");
    assert_eq!(vo2[0]["valueQuantity"]["code"], "mL/(min.kg)");
    assert_eq!(observations(&b, "80404-7").len(), 60, "heart rate variability");
    assert_eq!(observations(&b, "80404-7")[0]["valueQuantity"]["code"], "ms");
    assert_eq!(observations(&b, "40443-4").len(), 60, "resting heart rate");

    let acts = observations(&b, "73985-4");
    assert_eq!(acts.len(), 2);
    let a = acts[1];
    assert_eq!(a["valueCodeableConcept"]["text"], "running");
    assert_eq!(a["component"][0]["code"]["coding"][0]["code"], "55411-3");
    assert_eq!(a["component"][0]["valueQuantity"]["value"], 58.3, "moving time in minutes");
    assert_eq!(a["component"][1]["valueQuantity"]["value"], 10_000.0);
    assert!(a["effectivePeriod"]["start"].as_str().is_some());
    assert_eq!(a["meta"]["tag"][0]["code"], "device", "provenance for the recipient");
    let text = b.to_string();
    assert!(!text.contains("GeoJSON") && !text.contains("51.501"), "no route unless ticked");
    assert!(!text.contains("past my house"), "the activity's own name is not shared");

    let load: Vec<&Value> = b["entry"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["resource"])
        .filter(|o| o["code"]["text"] == "Weekly training load (TRIMP)")
        .collect();
    let total: f64 = load.iter().map(|o| o["valueQuantity"]["value"].as_f64().unwrap()).sum();
    assert!((total - 175.5).abs() < 1e-9, "weekly sums of TRIMP: {total}");

    if let Some(v) = phr_testkit::validate_fhir_bundle(&text) {
        println!("{v}");
    }
}

#[test]
fn routes_are_shared_only_when_the_owner_ticks_them() {
    let d = tempfile::tempdir().unwrap();
    let r = record_with_fitness(d.path());
    let b = bundle_for(
        &r,
        request(
            RecipientCategory::HealthProfessional,
            &["exercise"],
            Disclosure { include_tracks: true, ..Default::default() },
        ),
    );
    let acts = observations(&b, "73985-4");
    let note = acts[0]["note"][0]["text"].as_str().unwrap();
    assert!(note.contains("LineString") && note.contains("51.501"), "{note}");
    if let Some(v) = phr_testkit::validate_fhir_bundle(&b.to_string()) {
        println!("{v}");
    }
}

#[test]
fn employers_need_a_confirmation_and_never_get_what_is_forbidden() {
    let d = tempfile::tempdir().unwrap();
    let r = record_with_fitness(d.path());
    r.set_section_enabled("stress", true).unwrap();
    let err =
        consent::create_grant(&r, request(RecipientCategory::Employer, &["exercise"], Disclosure::default()))
            .unwrap_err();
    assert!(err.to_string().contains("confirmation"), "{err}");
    let confirmed = Disclosure { confirmed: true, ..Default::default() };
    // Confirming does not open what an employer may never receive.
    assert!(consent::create_grant(&r, request(RecipientCategory::Insurer, &["stress"], confirmed.clone()))
        .is_err());
    let b = bundle_for(&r, request(RecipientCategory::Employer, &["exercise"], confirmed));
    assert_eq!(observations(&b, "60842-2").len(), 60);
}

#[test]
fn the_preview_says_what_is_revealed_and_why_an_employer_may_not_require_it() {
    use phr_core::consent::preview::disclosure_preview;
    let d = tempfile::tempdir().unwrap();
    let r = record_with_fitness(d.path());
    let tracks = Disclosure { include_tracks: true, ..Default::default() };
    let p =
        disclosure_preview(&r, &request(RecipientCategory::Employer, &["exercise"], tracks.clone())).unwrap();
    let keys: Vec<&str> = p.lines.iter().map(|l| l.key.as_str()).collect();
    assert_eq!(
        keys,
        [
            "share.preview.exercise",
            "share.preview.tracks",
            "share.preview.why_employer",
            "share.preview.never",
            "share.preview.fewest"
        ]
    );
    assert!(p.needs_confirmation);
    assert_eq!(p.sections, ["exercise"]);
    assert!(r.grants().unwrap().is_empty(), "a preview stores nothing");
    let gp = disclosure_preview(&r, &request(RecipientCategory::HealthProfessional, &["exercise"], tracks))
        .unwrap();
    assert!(!gp.needs_confirmation);
    assert_eq!(gp.lines.len(), 2, "no employer wording for a GP");
    // Every key is in the catalogue.
    for l in &p.lines {
        assert_ne!(phr_core::strings::text(&l.key), l.key.as_str(), "{} missing from en.json", l.key);
    }
}
