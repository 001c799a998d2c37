//! A realistic demo resident, used by `phr demo`, the bindings' samples and tests.
//!
//! Every core section is filled, several optional ones are switched on, and a year of
//! daily weight, blood pressure and resting heart rate readings is ingested. The data is
//! invented (the NHS number is from the range reserved for testing, 999 xxx xxxx).

use crate::record::*;
use crate::{Record, Result};
use chrono::{Datelike, Duration, NaiveDate, NaiveTime};

/// What [`fill`] wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DemoReport {
    pub entries: usize,
    pub samples: u64,
    pub sections_enabled: Vec<String>,
}

/// A tiny deterministic generator so the demo looks the same every run.
struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> f64 {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 11) as f64) / ((1u64 << 53) as f64)
    }
    /// Roughly normal noise (sum of uniforms), mean 0, sd ~1.
    fn noise(&mut self) -> f64 {
        (0..6).map(|_| self.next()).sum::<f64>() - 3.0
    }
}

#[expect(clippy::expect_used, reason = "every call below passes a real calendar date")]
fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    // Cannot fail: every call below passes a real calendar date.
    NaiveDate::from_ymd_opt(y, m, day).expect("valid demo date")
}

fn s(x: &str) -> String {
    x.to_string()
}

fn some(x: &str) -> Option<String> {
    Some(x.to_string())
}

/// Fills an empty record with the demo resident; `today` anchors the year of samples.
pub fn fill(record: &Record, today: NaiveDate) -> Result<DemoReport> {
    let mut report = DemoReport::default();
    for opt in [
        "weight",
        "blood_pressure",
        "exercise",
        "sleep",
        "alcohol_smoking",
        "diet",
        "stress",
        "end_of_life_wishes",
        "family_history",
    ] {
        record.set_section_enabled(opt, true)?;
        report.sections_enabled.push(opt.to_string());
    }
    let user = Provenance::User;
    let gp = |id: &str| Provenance::MedicalRecord { system: s("Leeds GP record (demo)"), resource_id: s(id) };
    let snomed = |code: &str, display: &str| {
        Some(Code { system: s("http://snomed.info/sct"), code: s(code), display: some(display) })
    };
    let dmd = |code: &str, display: &str| {
        Some(Code { system: s("https://dmd.nhs.uk"), code: s(code), display: some(display) })
    };

    let entries: Vec<(&str, EntryValue, Provenance)> = vec![
        (
            "identity",
            EntryValue::Identity {
                given_name: s("Margaret"),
                family_name: s("Okafor"),
                date_of_birth: Some(d(1963, 4, 17)),
                nhs_number: Some(NhsNumber::parse("999 000 0018")?),
                address: some("12 Harehills Lane, Leeds LS8"),
                gp_practice: some("Chapeltown Family Surgery"),
            },
            user.clone(),
        ),
        (
            "contacts",
            EntryValue::Contact {
                name: s("Daniel Okafor"),
                relationship: s("son"),
                phone: some("07700 900123"),
                next_of_kin: true,
                emergency_contact: true,
            },
            user.clone(),
        ),
        (
            "contacts",
            EntryValue::Contact {
                name: s("Grace Whitfield"),
                relationship: s("neighbour"),
                phone: some("0113 496 0456"),
                next_of_kin: false,
                emergency_contact: true,
            },
            user.clone(),
        ),
        (
            "emergency_info",
            EntryValue::EmergencyInfo {
                text: s(
                    "Type 2 diabetes on metformin. Penicillin allergy (rash, swelling). Had a TIA in 2023.",
                ),
            },
            user.clone(),
        ),
        (
            "conditions",
            EntryValue::Condition {
                name: s("Essential hypertension"),
                code: snomed("59621000", "Essential hypertension"),
                onset: Some(d(2019, 6, 3)),
                status: ConditionStatus::Active,
                notes: None,
            },
            gp("Condition/htn-1"),
        ),
        (
            "conditions",
            EntryValue::Condition {
                name: s("Type 2 diabetes mellitus"),
                code: snomed("44054006", "Diabetes mellitus type 2"),
                onset: Some(d(2017, 2, 20)),
                status: ConditionStatus::Active,
                notes: None,
            },
            gp("Condition/t2dm-1"),
        ),
        (
            "conditions",
            EntryValue::Condition {
                name: s("Childhood asthma"),
                code: snomed("195967001", "Asthma"),
                // Childhood, year not known: no onset rather than a made-up date.
                onset: None,
                status: ConditionStatus::Resolved,
                notes: some("No inhaler since my twenties"),
            },
            user.clone(),
        ),
        (
            "medications",
            EntryValue::Medication {
                name: s("Ramipril"),
                dose: some("5 mg"),
                route: some("oral"),
                frequency: some("once daily"),
                start: Some(d(2019, 7, 1)),
                stop: None,
                reason: some("high blood pressure"),
                code: dmd("318900001", "Ramipril 5mg capsules"),
            },
            gp("MedicationStatement/ramipril"),
        ),
        (
            "medications",
            EntryValue::Medication {
                name: s("Metformin"),
                dose: some("500 mg"),
                route: some("oral"),
                frequency: some("twice daily with meals"),
                start: Some(d(2017, 3, 1)),
                stop: None,
                reason: some("type 2 diabetes"),
                code: dmd("325278005", "Metformin 500mg tablets"),
            },
            gp("MedicationStatement/metformin"),
        ),
        (
            "medications",
            EntryValue::Medication {
                name: s("Clopidogrel"),
                dose: some("75 mg"),
                route: some("oral"),
                frequency: some("once daily"),
                start: Some(d(2023, 9, 14)),
                stop: None,
                reason: some("after TIA"),
                code: None,
            },
            user.clone(),
        ),
        (
            "medications",
            EntryValue::Medication {
                name: s("Doxycycline"),
                dose: some("100 mg"),
                route: some("oral"),
                frequency: some("once daily"),
                start: Some(today - Duration::days(5)),
                stop: Some(today + Duration::days(2)),
                reason: some("chest infection"),
                code: None,
            },
            user.clone(),
        ),
        (
            "social_prescriptions",
            EntryValue::SocialPrescription {
                activity: s("Walking group, Roundhay Park"),
                provider: some("Leeds social prescribing link worker"),
                start: Some(d(2024, 3, 1)),
                stop: None,
                reason: some("activity and company after the TIA"),
            },
            user.clone(),
        ),
        (
            "procedures",
            EntryValue::Procedure {
                name: s("Cataract surgery, left eye"),
                date: Some(d(2021, 11, 8)),
                location: some("St James's University Hospital"),
                code: snomed("110473004", "Cataract surgery"),
                notes: None,
            },
            gp("Procedure/cataract-l"),
        ),
        (
            "life_events",
            EntryValue::LifeEvent {
                date: d(2023, 9, 12),
                title: s("Transient ischaemic attack (mini-stroke)"),
                details: some("Right arm weakness for 20 minutes; seen at Leeds General Infirmary"),
            },
            user.clone(),
        ),
        (
            "life_events",
            EntryValue::LifeEvent { date: d(2019, 7, 1), title: s("Started ramipril"), details: None },
            user.clone(),
        ),
        (
            "life_events",
            EntryValue::LifeEvent {
                date: today - Duration::days(165),
                title: s("Ramipril up to 10 mg"),
                details: some("Dose increased at the practice nurse's blood pressure review"),
            },
            user.clone(),
        ),
        (
            "organ_donation",
            EntryValue::OrganDonation { decision: OrganDonationDecision::OptIn, registered: true },
            user.clone(),
        ),
        (
            "allergies",
            EntryValue::Allergy {
                substance: s("Penicillin"),
                reaction: some("rash and lip swelling"),
                severity: Some(Severity::Severe),
                kind: AllergyKind::Allergy,
                status: AllergyStatus::Active,
                code: snomed("764146007", "Penicillin"),
            },
            gp("AllergyIntolerance/pen"),
        ),
        (
            "allergies",
            EntryValue::Allergy {
                substance: s("Lactose"),
                reaction: some("bloating"),
                severity: Some(Severity::Mild),
                kind: AllergyKind::Intolerance,
                status: AllergyStatus::Active,
                code: None,
            },
            user.clone(),
        ),
        ("blood_group", EntryValue::BloodGroup { group: BloodGroup::parse("O+")? }, user.clone()),
        (
            "vaccinations",
            EntryValue::Vaccination {
                vaccine: s("Influenza (seasonal)"),
                date: d(2025, 10, 9),
                dose: None,
                next_due: Some(d(2026, 10, 1)),
                code: None,
            },
            user.clone(),
        ),
        (
            "vaccinations",
            EntryValue::Vaccination {
                vaccine: s("COVID-19 autumn booster"),
                date: d(2025, 10, 9),
                dose: some("booster"),
                next_due: None,
                code: None,
            },
            user.clone(),
        ),
        (
            "vaccinations",
            EntryValue::Vaccination {
                vaccine: s("Pneumococcal (PPV23)"),
                date: d(2023, 2, 2),
                dose: None,
                next_due: None,
                code: None,
            },
            user.clone(),
        ),
        (
            "dental",
            EntryValue::CheckUp {
                date: d(2026, 5, 20),
                practice: some("Roundhay Dental Care"),
                summary: s("Check-up, one filling replaced"),
                next_due: Some(d(2026, 11, 20)),
            },
            user.clone(),
        ),
        (
            "optician",
            EntryValue::CheckUp {
                date: d(2025, 8, 14),
                practice: some("Leeds city centre opticians"),
                summary: s("Diabetic eye screening clear; reading glasses +2.00"),
                next_due: Some(d(2026, 8, 14)),
            },
            user.clone(),
        ),
        (
            "exercise",
            EntryValue::Note {
                date: Some(today - Duration::days(30)),
                title: some("Goal"),
                text: s("Walk 7,000 steps a day and join parkrun walking at Temple Newsam"),
            },
            user.clone(),
        ),
        (
            "sleep",
            EntryValue::Note {
                date: None,
                title: None,
                text: s("Usually 6 hours; wake at night to use the toilet"),
            },
            user.clone(),
        ),
        (
            "alcohol_smoking",
            EntryValue::Note {
                date: None,
                title: some("Smoking"),
                text: s("Stopped smoking in 2010; about 6 units of alcohol a week"),
            },
            user.clone(),
        ),
        (
            "diet",
            EntryValue::Note {
                date: None,
                title: None,
                text: s("Trying to cut down on rice portions and sugary drinks"),
            },
            user.clone(),
        ),
        (
            "stress",
            EntryValue::Note {
                date: Some(today - Duration::days(60)),
                title: None,
                text: s("Worried about money since reducing work hours"),
            },
            user.clone(),
        ),
        (
            "end_of_life_wishes",
            EntryValue::Note {
                date: None,
                title: None,
                text: s("I would like to be cared for at home if possible; Daniel knows my wishes"),
            },
            user.clone(),
        ),
        (
            "family_history",
            EntryValue::FamilyHistory {
                relative: s("mother"),
                condition: s("stroke"),
                age_at_onset: Some(71),
            },
            user.clone(),
        ),
        (
            "family_history",
            EntryValue::FamilyHistory {
                relative: s("father"),
                condition: s("type 2 diabetes"),
                age_at_onset: Some(55),
            },
            user.clone(),
        ),
    ];
    let mut asthma_id = None;
    for (section, value, prov) in entries {
        let is_asthma = matches!(&value, EntryValue::Condition { name, .. } if name == "Childhood asthma");
        let e = record.add_entry(section, value, prov)?;
        if is_asthma {
            asthma_id = Some(e.id);
        }
        report.entries += 1;
    }
    if let Some(id) = asthma_id {
        record.annotate(&id, AnnotationKind::NoLongerRelevant, some("Grew out of it"))?;
    }

    // A year of daily readings: weight creeping up, blood pressure improving after a
    // dose change (day 200, the "Ramipril up to 10 mg" life event), resting heart rate
    // steady, too few active minutes, and a watch fitness score (VO2max) dipping lately.
    let mut rng = Lcg(0x5eed_1eed5);
    let mut samples = Vec::with_capacity(366 * 4);
    let start = today - Duration::days(365);
    for i in 0..=365i64 {
        let day = start + Duration::days(i);
        let morning =
            day.and_time(NaiveTime::from_hms_opt(7, 30, 0).unwrap_or_default()).and_utc().timestamp_millis()
                + (rng.next() * 1_800_000.0) as i64;
        let t = i as f64 / 365.0;
        samples.push(Sample::instant(
            SampleKind::Weight,
            morning,
            round1(78.0 + 4.0 * t + 0.4 * rng.noise()),
            "Withings Body+ scale",
        ));
        let bp_shift = if i > 200 { 12.0 } else { 0.0 };
        samples.push(Sample::instant(
            SampleKind::BloodPressureSystolic,
            morning + 600_000,
            (148.0 - bp_shift + 5.0 * rng.noise()).round(),
            "Omron M3 cuff",
        ));
        samples.push(Sample::instant(
            SampleKind::BloodPressureDiastolic,
            morning + 600_000,
            (92.0 - bp_shift / 2.0 + 3.0 * rng.noise()).round(),
            "Omron M3 cuff",
        ));
        samples.push(Sample::instant(
            SampleKind::RestingHeartRate,
            morning,
            (66.0 + 2.0 * rng.noise()).round(),
            "Garmin vivoactive 4",
        ));
        samples.push(Sample {
            kind: SampleKind::Steps,
            start_ms: morning,
            end_ms: morning + 14 * 3_600_000,
            value: (5200.0 + 1800.0 * rng.noise()).max(300.0).round(),
            source: s("Garmin vivoactive 4"),
            dedup_key: None,
        });
        // Walking-group days aside, about 15 active minutes a day: short of 150 a week.
        let active = if day.weekday() == chrono::Weekday::Tue {
            55.0
        } else {
            (12.0 + 6.0 * rng.noise()).max(0.0).round()
        };
        samples.push(Sample {
            kind: SampleKind::ActiveMinutes,
            start_ms: morning + 3_600_000,
            end_ms: morning + 3_600_000 + (active as i64) * 60_000,
            value: active,
            source: s("Garmin vivoactive 4"),
            dedup_key: None,
        });
        // The watch's fitness estimate every third day over the last 12 weeks: dipping.
        if i >= 365 - 84 && i % 3 == 0 {
            let weeks_in = (i - (365 - 84)) as f64 / 7.0;
            samples.push(Sample::instant(
                SampleKind::Vo2Max,
                morning + 7_200_000,
                round1(27.5 - 0.35 * weeks_in + 0.2 * rng.noise()),
                "Garmin vivoactive 4",
            ));
        }
    }
    samples.push(Sample::instant(
        SampleKind::Height,
        start.and_time(NaiveTime::from_hms_opt(9, 0, 0).unwrap_or_default()).and_utc().timestamp_millis(),
        1.63,
        "GP practice",
    ));
    report.samples = record.ingest_samples(&samples)?.added;
    Ok(report)
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}
