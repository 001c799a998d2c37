//! The record store through its public API: entries, provenance rules, tombstones,
//! samples, keys, backups, and bad input that must change nothing.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout, clippy::print_stderr)] // test code: a failed unwrap is a failed test, and it prints what it measured

use chrono::NaiveDate;
use phr_core::crypto::{PassphraseKeyStore, RawKeyStore, RecoveryKeyStore};
use phr_core::record::*;
use phr_core::store::{ListOptions, DB_FILE};
use phr_core::{Error, Record};
use phr_tests::test_keystore;
use std::path::{Path, PathBuf};

fn new_record() -> (tempfile::TempDir, Record) {
    let dir = tempfile::tempdir().unwrap();
    let r = Record::create(&dir.path().join(DB_FILE), &test_keystore()).unwrap();
    (dir, r)
}

fn med(name: &str, dose: &str) -> EntryValue {
    EntryValue::Medication {
        name: name.into(),
        dose: Some(dose.into()),
        route: None,
        frequency: None,
        start: None,
        stop: None,
        reason: None,
        code: None,
    }
}

fn sha(path: &Path) -> Vec<u8> {
    ring::digest::digest(&ring::digest::SHA256, &std::fs::read(path).unwrap()).as_ref().to_vec()
}

fn all_files(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<_> =
        std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).filter(|p| p.is_file()).collect();
    v.sort();
    v
}

#[test]
fn new_record_has_every_core_section_on_and_optional_off() {
    let (_d, r) = new_record();
    let s = r.sections().unwrap();
    assert_eq!(s.len(), 27);
    for sec in &s {
        assert_eq!(sec.enabled, sec.class == SectionClass::Core, "{}", sec.id);
    }
    assert!(matches!(r.set_section_enabled("medications", false), Err(Error::Invalid { .. })));
    assert_eq!(r.section("illness_experience").unwrap().privacy, PrivacyLevel::Sensitive);
}

#[test]
fn add_edit_annotate_delete_undo_purge() {
    let (_d, r) = new_record();
    let e = r.add_entry("medications", med("Ramipril", "5 mg"), Provenance::User).unwrap();
    let e2 = r.edit_entry(&e.id, med("Ramipril", "10 mg")).unwrap();
    assert_eq!(e2.history.len(), 1);
    assert_eq!(e2.history[0].value, med("Ramipril", "5 mg"));
    assert!(e2.updated_at >= e.updated_at);
    let e3 = r.annotate(&e.id, AnnotationKind::NoLongerRelevant, None).unwrap();
    assert!(e3.is_no_longer_relevant());
    r.annotate(&e.id, AnnotationKind::Note, Some("dose went up after review".into())).unwrap();
    assert!(r.annotate(&e.id, AnnotationKind::Note, Some("  ".into())).is_err());

    r.delete_entry(&e.id).unwrap();
    assert!(r.list_entries("medications", ListOptions::default()).unwrap().is_empty());
    assert_eq!(
        r.list_entries("medications", ListOptions { include_deleted: true, include_hidden: false })
            .unwrap()
            .len(),
        1
    );
    assert!(r.edit_entry(&e.id, med("X", "1")).is_err(), "deleted entries are not edited");
    r.undo_delete(&e.id).unwrap();
    let back = r.entry(&e.id).unwrap();
    assert_eq!(back.annotations.len(), 2);
    assert_eq!(back.history.len(), 1);

    assert!(r.purge(&e.id).is_err(), "purge needs a deletion first");
    r.delete_entry(&e.id).unwrap();
    r.purge(&e.id).unwrap();
    assert!(matches!(r.entry(&e.id), Err(Error::NotFound { .. })));
}

#[test]
fn medical_record_entries_are_read_only_but_annotatable_and_hideable() {
    let (_d, r) = new_record();
    let gp = Provenance::MedicalRecord { system: "EMIS".into(), resource_id: "MedicationStatement/1".into() };
    let e = r.add_entry("medications", med("Metformin", "500 mg"), gp.clone()).unwrap();
    assert!(matches!(r.edit_entry(&e.id, med("Metformin", "1 g")), Err(Error::ReadOnlyEntry)));
    assert!(matches!(r.delete_entry(&e.id), Err(Error::ReadOnlyEntry)));
    r.annotate(&e.id, AnnotationKind::Note, Some("I take it once a day, not twice".into())).unwrap();
    r.set_hidden(&e.id, true).unwrap();
    assert!(r.list_entries("medications", ListOptions::default()).unwrap().is_empty());
    assert_eq!(r.entry(&e.id).unwrap().value, med("Metformin", "500 mg"));
    // The same source item cannot become two entries.
    assert!(r.add_entry("medications", med("Metformin", "500 mg"), gp.clone()).is_err());
    assert_eq!(r.find_by_source(&gp).unwrap().unwrap().id, e.id);
}

#[test]
fn sections_refuse_what_does_not_belong() {
    let (_d, r) = new_record();
    assert!(matches!(
        r.add_entry("no_such_section", med("X", "1"), Provenance::User),
        Err(Error::NotFound { what: "section" })
    ));
    assert!(r.add_entry("allergies", med("X", "1"), Provenance::User).is_err());
    let note = EntryValue::Note { date: None, title: None, text: "8 hours".into() };
    let e = r.add_entry("sleep", note.clone(), Provenance::User).unwrap_err().to_string();
    assert!(e.contains("switched off"), "{e}");
    r.set_section_enabled("sleep", true).unwrap();
    r.add_entry("sleep", note, Provenance::User).unwrap();
    // Singletons take one live entry.
    let bg = EntryValue::BloodGroup { group: BloodGroup::parse("A-").unwrap() };
    let first = r.add_entry("blood_group", bg.clone(), Provenance::User).unwrap();
    assert!(r.add_entry("blood_group", bg.clone(), Provenance::User).is_err());
    r.delete_entry(&first.id).unwrap();
    let second = r.add_entry("blood_group", bg, Provenance::User).unwrap();
    assert!(r.undo_delete(&first.id).is_err(), "undo may not create a second live blood group");
    assert_eq!(r.list_entries("blood_group", ListOptions::default()).unwrap()[0].id, second.id);
}

#[test]
fn custom_sections_and_privacy_persist_across_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(DB_FILE);
    let id = {
        let r = Record::create(&path, &test_keystore()).unwrap();
        let s = r
            .create_section(
                "Migraine diary",
                vec![FieldDef {
                    name: "pain".into(),
                    field_type: FieldType::Number { unit: None },
                    required: true,
                }],
            )
            .unwrap();
        assert!(r.create_section("migraine DIARY", vec![]).is_err());
        r.add_entry(
            &s.id,
            EntryValue::Custom { fields: [("pain".into(), FieldValue::Number(7.0))].into() },
            Provenance::User,
        )
        .unwrap();
        r.set_section_privacy("stress", PrivacyLevel::Private).unwrap();
        r.set_section_enabled("diet", true).unwrap();
        s.id
    };
    let r = Record::open(&path, &test_keystore()).unwrap();
    assert_eq!(r.resolve_section("migraine diary").unwrap().id, id);
    assert_eq!(r.list_entries(&id, ListOptions::default()).unwrap().len(), 1);
    assert_eq!(r.section("stress").unwrap().privacy, PrivacyLevel::Private);
    assert!(r.section("diet").unwrap().enabled);
}

#[test]
fn samples_dedup_rollup_and_range() {
    let (_d, r) = new_record();
    let day = |d: u32, h: i64| {
        NaiveDate::from_ymd_opt(2026, 3, d)
            .unwrap()
            .and_hms_opt(0, 0, 0)
            .unwrap()
            .and_utc()
            .timestamp_millis()
            + h * 3_600_000
    };
    let batch = vec![
        Sample::instant(SampleKind::Weight, day(1, 7), 80.0, "scale"),
        Sample::instant(SampleKind::Weight, day(1, 19), 81.0, "scale"),
        Sample::instant(SampleKind::Weight, day(2, 7), 79.5, "scale"),
        Sample::instant(SampleKind::Weight, day(1, 8), 82.0, "phone"),
    ];
    assert_eq!(r.ingest_samples(&batch).unwrap(), IngestReport { added: 4, duplicates: 0 });
    // Importing again adds nothing.
    assert_eq!(r.ingest_samples(&batch).unwrap(), IngestReport { added: 0, duplicates: 4 });
    // Explicit dedup keys: the same reading under another timestamp is still a duplicate.
    let mut keyed = Sample::instant(SampleKind::Weight, day(2, 9), 79.0, "scale");
    keyed.dedup_key = Some("withings:123".into());
    assert_eq!(r.ingest_samples(&[keyed.clone()]).unwrap().added, 1);
    keyed.start_ms += 1000;
    keyed.end_ms += 1000;
    assert_eq!(r.ingest_samples(&[keyed]).unwrap().duplicates, 1);

    let d1 = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
    let d2 = NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
    let roll = r.daily_rollups(SampleKind::Weight, d1, d2).unwrap();
    assert_eq!(roll.len(), 2);
    assert_eq!(
        (roll[0].count, roll[0].min, roll[0].max, roll[0].sum, roll[0].last),
        (3, 80.0, 82.0, 243.0, 81.0)
    );
    assert_eq!((roll[1].count, roll[1].last), (2, 79.0));
    let in_range = r.samples(SampleKind::Weight, day(1, 7), day(1, 19)).unwrap();
    assert_eq!(in_range.iter().map(|s| s.value).collect::<Vec<_>>(), vec![80.0, 82.0]);
    assert!(r.samples(SampleKind::Steps, i64::MIN, i64::MAX).unwrap().is_empty());

    // A bad sample fails the whole batch and names its position; nothing lands.
    let bad = vec![
        Sample::instant(SampleKind::Weight, day(5, 7), 80.0, "scale"),
        Sample::instant(SampleKind::Weight, day(5, 8), -3.0, "scale"),
    ];
    let e = r.ingest_samples(&bad).unwrap_err().to_string();
    assert!(e.contains("sample 1 of the batch"), "{e}");
    assert!(r.samples(SampleKind::Weight, day(5, 0), day(6, 0)).unwrap().is_empty());
}

#[test]
fn wrong_key_is_refused_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(DB_FILE);
    let pass = PassphraseKeyStore::new("a long enough passphrase").unwrap();
    drop(Record::create(&path, &pass).unwrap());
    let before = sha(&path);
    let wrong = PassphraseKeyStore::new("not the passphrase").unwrap();
    assert!(matches!(Record::open(&path, &wrong), Err(Error::WrongKey)));
    assert!(
        matches!(Record::open(&path, &RawKeyStore::new([1; 32])), Err(Error::WrongKey)),
        "no platform wrap exists"
    );
    assert_eq!(before, sha(&path));
    Record::open(&path, &pass).unwrap();
}

#[test]
fn corrupt_database_gives_a_clear_error_and_no_panic() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(DB_FILE);
    std::fs::write(
        &path,
        b"this is not a database, just some text that is long enough to look like a header......",
    )
    .unwrap();
    let before = sha(&path);
    let e = Record::open(&path, &test_keystore()).unwrap_err();
    assert!(matches!(e, Error::Corrupt(_)), "{e}");
    assert!(e.to_string().contains("damaged") || e.to_string().contains("not a PHR database"), "{e}");
    assert_eq!(before, sha(&path));

    // A real record with one sealed value flipped: reading it fails cleanly.
    let path2 = dir.path().join("second.phr");
    let r = Record::create(&path2, &test_keystore()).unwrap();
    let e = r
        .add_entry(
            "allergies",
            EntryValue::Allergy {
                substance: "Latex".into(),
                reaction: None,
                severity: Some(Severity::Mild),
                kind: AllergyKind::Allergy,
                status: Default::default(),
                code: None,
            },
            Provenance::User,
        )
        .unwrap();
    drop(r);
    let c = rusqlite::Connection::open(&path2).unwrap();
    c.execute("UPDATE entries SET body = CAST(zeroblob(length(body)) AS BLOB) WHERE id = ?1", [&e.id])
        .unwrap();
    drop(c);
    let r = Record::open(&path2, &test_keystore()).unwrap();
    assert!(matches!(r.entry(&e.id), Err(Error::Undecryptable)));
    assert!(r.list_entries("allergies", ListOptions::default()).is_err());
}

#[test]
fn sealed_values_cannot_be_swapped_between_rows() {
    let (d, r) = new_record();
    let a = r.add_entry("medications", med("Aspirin", "75 mg"), Provenance::User).unwrap();
    let b = r.add_entry("medications", med("Atorvastatin", "20 mg"), Provenance::User).unwrap();
    drop(r);
    let c = rusqlite::Connection::open(d.path().join(DB_FILE)).unwrap();
    c.execute(
        "UPDATE entries SET body = (SELECT body FROM entries WHERE id = ?1) WHERE id = ?2",
        [&a.id, &b.id],
    )
    .unwrap();
    drop(c);
    let r = Record::open(&d.path().join(DB_FILE), &test_keystore()).unwrap();
    assert!(matches!(r.entry(&b.id), Err(Error::Undecryptable)));
    assert_eq!(r.entry(&a.id).unwrap().value, med("Aspirin", "75 mg"));
}

#[test]
fn backup_restores_everything_with_passphrase_or_recovery_key() {
    let dir = tempfile::tempdir().unwrap();
    let pass = PassphraseKeyStore::new("a long enough passphrase").unwrap();
    let r = Record::create(&dir.path().join("a").join(DB_FILE), &pass).unwrap();
    phr_core::demo::fill(&r, NaiveDate::from_ymd_opt(2026, 11, 25).unwrap()).unwrap();
    let rk = r.create_recovery_key().unwrap();
    let backup = dir.path().join("record.phrbackup");
    r.backup(&backup).unwrap();
    let original = strip_times(serde_json::to_value(r.export().unwrap()).unwrap());

    let restored = Record::restore(&backup, &dir.path().join("b"), &pass).unwrap();
    assert_eq!(strip_times(serde_json::to_value(restored.export().unwrap()).unwrap()), original);
    let by_recovery = Record::restore(&backup, &dir.path().join("c"), &RecoveryKeyStore::new(rk)).unwrap();
    assert_eq!(by_recovery.id(), r.id());
    // Restoring over an existing record is refused.
    assert!(matches!(Record::restore(&backup, &dir.path().join("b"), &pass), Err(Error::RecordExists)));
    // The wrong passphrase opens nothing and creates nothing.
    let wrong = PassphraseKeyStore::new("not the passphrase").unwrap();
    assert!(matches!(Record::restore(&backup, &dir.path().join("d"), &wrong), Err(Error::WrongKey)));
    assert!(!dir.path().join("d").join(DB_FILE).exists());
}

fn strip_times(mut v: serde_json::Value) -> serde_json::Value {
    v.as_object_mut().unwrap().remove("exported_at");
    v
}

#[test]
fn truncated_or_altered_backup_is_refused_and_leaves_home_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let r = Record::create(&dir.path().join("a").join(DB_FILE), &test_keystore()).unwrap();
    phr_core::demo::fill(&r, NaiveDate::from_ymd_opt(2026, 11, 25).unwrap()).unwrap();
    let backup = dir.path().join("b.phrbackup");
    r.backup(&backup).unwrap();
    let bytes = std::fs::read(&backup).unwrap();
    let home = dir.path().join("restore-here");
    std::fs::create_dir_all(&home).unwrap();
    let cuts = [0, 5, 8, 11, 40, bytes.len() / 3, bytes.len() / 2, bytes.len() - 17, bytes.len() - 1];
    for cut in cuts {
        std::fs::write(&backup, &bytes[..cut]).unwrap();
        let e = Record::restore(&backup, &home, &test_keystore()).unwrap_err();
        assert!(matches!(e, Error::BackupDamaged { .. }), "cut at {cut}: {e}");
        assert!(all_files(&home).is_empty(), "cut at {cut}: restore left files behind");
    }
    // A flipped bit inside a segment, and bytes appended after the end.
    let mut flipped = bytes.clone();
    let at = bytes.len() - 100;
    flipped[at] ^= 0x40;
    std::fs::write(&backup, &flipped).unwrap();
    assert!(matches!(Record::restore(&backup, &home, &test_keystore()), Err(Error::BackupDamaged { .. })));
    let mut longer = bytes.clone();
    longer.extend_from_slice(b"extra");
    std::fs::write(&backup, &longer).unwrap();
    assert!(matches!(Record::restore(&backup, &home, &test_keystore()), Err(Error::BackupDamaged { .. })));
    assert!(all_files(&home).is_empty());
    // The intact file still restores.
    std::fs::write(&backup, &bytes).unwrap();
    Record::restore(&backup, &home, &test_keystore()).unwrap();
}

#[test]
fn readers_run_beside_the_writer() {
    let (_d, r) = new_record();
    let r = std::sync::Arc::new(r);
    let writer = {
        let r = r.clone();
        std::thread::spawn(move || {
            for i in 0..200i64 {
                r.ingest_samples(&[Sample::instant(
                    SampleKind::Steps,
                    phr_tests::T0 + i * 60_000,
                    10.0,
                    "phone",
                )])
                .unwrap();
            }
        })
    };
    let mut last = 0;
    while !writer.is_finished() {
        let n = r.samples(SampleKind::Steps, i64::MIN, i64::MAX).unwrap().len();
        assert!(n >= last, "a reader saw the count go backwards");
        last = n;
    }
    writer.join().unwrap();
    assert_eq!(r.samples(SampleKind::Steps, i64::MIN, i64::MAX).unwrap().len(), 200);
}

/// Sentinel scan while the record is open: the WAL and shared-memory files hold recent
/// writes here, so they are scanned as well as the database file.
#[test]
fn sentinel_values_never_reach_disk_while_the_record_is_open() {
    let (d, r) = new_record();
    let marks = [
        "SENTINEL-NAME-a1",
        "SENTINEL-MED-b2",
        "SENTINEL-NOTE-c3",
        "SENTINEL-SECTION-d4",
        "SENTINEL-FIELD-e5",
        "SENTINEL-SOURCE-f6",
        "SENTINEL-SETTING-g7",
    ];
    r.add_entry(
        "identity",
        EntryValue::Identity {
            given_name: marks[0].into(),
            family_name: "X".into(),
            date_of_birth: None,
            nhs_number: None,
            address: None,
            gp_practice: None,
        },
        Provenance::User,
    )
    .unwrap();
    let m = r
        .add_entry(
            "medications",
            med(marks[1], "1 mg"),
            Provenance::Import { source: marks[5].into(), source_id: Some(marks[5].into()) },
        )
        .unwrap();
    r.annotate(&m.id, AnnotationKind::Note, Some(marks[2].into())).unwrap();
    let s = r
        .create_section(
            marks[3],
            vec![FieldDef { name: marks[4].into(), field_type: FieldType::Text, required: false }],
        )
        .unwrap();
    r.add_entry(
        &s.id,
        EntryValue::Custom { fields: [(marks[4].into(), FieldValue::Text(marks[4].into()))].into() },
        Provenance::User,
    )
    .unwrap();
    r.ingest_samples(&[Sample::instant(SampleKind::Weight, phr_tests::T0, 70.0, marks[5])]).unwrap();
    r.set_setting("insights", &serde_json::json!({"note": marks[6]})).unwrap();
    let files = all_files(d.path());
    assert!(files.iter().any(|f| f.to_string_lossy().ends_with("-wal")), "expected a live WAL: {files:?}");
    for f in &files {
        let bytes = std::fs::read(f).unwrap();
        for mark in marks {
            assert!(!bytes.windows(mark.len()).any(|w| w == mark.as_bytes()), "{mark} in {}", f.display());
        }
    }
    // And the values really are in the record.
    assert_eq!(r.entry(&m.id).unwrap().annotations[0].text.as_deref(), Some(marks[2]));
}

fn run(source: &str, source_id: &str, start_ms: i64, elapsed_s: f64) -> Activity {
    Activity {
        id: String::new(),
        sport: "running".into(),
        name: None,
        start_ms,
        elapsed_s,
        timer_s: None,
        distance_m: Some(10_000.0),
        avg_hr: Some(150.0),
        max_hr: None,
        calories: None,
        ascent_m: None,
        source: source.into(),
        source_id: source_id.into(),
        also_from: vec![],
        laps: vec![],
        metrics: Default::default(),
        track: vec![TrackPoint {
            t_ms: start_ms,
            lat: Some(53.8),
            lon: Some(-1.55),
            altitude_m: None,
            distance_m: None,
            hr: Some(120.0),
            cadence: None,
            power: None,
            speed_mps: None,
            temperature_c: None,
        }],
    }
}

#[test]
fn import_batches_are_atomic_idempotent_and_merge_the_same_session() {
    use phr_core::store::ImportBatch;
    let (_d, r) = new_record();
    let t = phr_tests::T0 + 8 * 3_600_000;
    let gp = Provenance::Import { source: "garmin".into(), source_id: Some("fit:abc:0".into()) };
    let batch = ImportBatch {
        samples: vec![Sample::instant(SampleKind::HeartRate, t, 120.0, "garmin")],
        activities: vec![run("garmin fenix 6", "fit:abc:0", t, 3000.0)],
        entries: vec![(
            "vaccinations".into(),
            EntryValue::Vaccination {
                vaccine: "Flu".into(),
                date: NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
                dose: None,
                next_due: None,
                code: None,
            },
            gp,
        )],
    };
    let first = r.import(&batch).unwrap();
    assert_eq!((first.samples.added, first.activities_added, first.entries_added), (1, 1, 1));
    let again = r.import(&batch).unwrap();
    assert_eq!(
        (again.samples.added, again.activities_added, again.activities_unchanged, again.entries_unchanged),
        (0, 0, 1, 1)
    );

    // The same run from Strava, 40 s later and 30 s longer: linked, not duplicated.
    let mut strava = run("strava", "strava:987", t + 40_000, 3030.0);
    strava.name = Some("Morning run".into());
    let merged = r.import(&ImportBatch { activities: vec![strava.clone()], ..Default::default() }).unwrap();
    assert_eq!(merged.activities_merged, 1);
    let all = r.activities(i64::MIN, i64::MAX).unwrap();
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].also_from, vec!["strava".to_string()]);
    assert_eq!(
        all[0].name.as_deref(),
        Some("Morning run"),
        "missing fields are filled from the second source"
    );
    assert_eq!(r.activity(&all[0].id).unwrap().track.len(), 1);
    assert_eq!(
        r.import(&ImportBatch { activities: vec![strava], ..Default::default() })
            .unwrap()
            .activities_unchanged,
        1
    );
    // A different session the same day is its own activity.
    assert_eq!(
        r.import(&ImportBatch {
            activities: vec![run("strava", "strava:988", t + 6 * 3_600_000, 1800.0)],
            ..Default::default()
        })
        .unwrap()
        .activities_added,
        1
    );

    // One bad sample: the whole batch (activity included) is refused.
    let bad = ImportBatch {
        samples: vec![Sample::instant(SampleKind::HeartRate, t, 900.0, "garmin")],
        activities: vec![run("garmin", "fit:new:0", t + 86_400_000, 100.0)],
        entries: vec![],
    };
    assert!(r.import(&bad).is_err());
    assert_eq!(r.activities(i64::MIN, i64::MAX).unwrap().len(), 2);
}
