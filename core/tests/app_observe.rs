#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed unwrap is a failed test
//! Change observation: an observer hears, once per committed write, which areas of the
//! record changed, after the change is readable, and no more once it is removed.

use phr_core::crypto::RawKeyStore;
use phr_core::record::{EntryValue, Provenance, Sample, SampleKind};
use phr_core::store::{Changed, ListOptions, Record, RecordArea, RecordObserver, DB_FILE};
use std::sync::{Arc, Mutex, OnceLock};

/// Records what it hears, and what the record showed at that moment.
#[derive(Default)]
struct Screen {
    heard: Mutex<Vec<Changed>>,
    record: OnceLock<Arc<Record>>,
    allergies_seen: Mutex<Vec<usize>>,
}

impl RecordObserver for Screen {
    fn record_changed(&self, changed: Changed) {
        self.heard.lock().unwrap().push(changed);
        if let Some(r) = self.record.get() {
            // A screen refreshes by reading: the write must already be visible.
            let n = r.list_entries("allergies", ListOptions::default()).unwrap().len();
            self.allergies_seen.lock().unwrap().push(n);
        }
    }
}

fn take(s: &Screen) -> Vec<Vec<RecordArea>> {
    s.heard.lock().unwrap().drain(..).map(|c| c.areas()).collect()
}

#[test]
fn observers_hear_each_committed_write_with_its_areas() {
    let dir = tempfile::tempdir().unwrap();
    let r = Arc::new(Record::create(&dir.path().join(DB_FILE), &RawKeyStore::new([7; 32])).unwrap());
    let screen = Arc::new(Screen::default());
    screen.record.set(r.clone()).ok();
    let id = r.observe(screen.clone());

    let e = r
        .add_entry(
            "allergies",
            EntryValue::Allergy {
                substance: "Penicillin".into(),
                reaction: None,
                severity: Some(phr_core::record::Severity::Severe),
                kind: phr_core::record::AllergyKind::Allergy,
                status: Default::default(),
                code: None,
            },
            Provenance::User,
        )
        .unwrap();
    assert_eq!(take(&screen), vec![vec![RecordArea::Entries]]);
    assert_eq!(
        *screen.allergies_seen.lock().unwrap(),
        vec![1],
        "the observer ran before the commit was visible"
    );

    r.annotate(&e.id, phr_core::record::AnnotationKind::Note, Some("since childhood".into())).unwrap();
    assert_eq!(take(&screen), vec![vec![RecordArea::Entries]]);

    let samples: Vec<Sample> = (0..100)
        .map(|i| Sample::instant(SampleKind::Weight, 1_735_689_600_000 + i * 86_400_000, 80.0, "scale"))
        .collect();
    r.ingest_samples(&samples).unwrap();
    let heard = take(&screen);
    assert_eq!(heard.len(), 1, "one ingest is one transaction, so one notice: {heard:?}");
    assert!(heard[0].contains(&RecordArea::Samples), "{heard:?}");

    r.set_section_enabled("weight", true).unwrap();
    assert!(take(&screen).iter().any(|a| a.contains(&RecordArea::Sections)));

    r.set_setting("ui.test", &true).unwrap();
    assert!(take(&screen).iter().any(|a| a.contains(&RecordArea::Settings)));

    r.create_recovery_key().unwrap();
    assert!(take(&screen).iter().any(|a| a.contains(&RecordArea::Keys)));

    // Reads are not changes.
    r.list_entries("allergies", ListOptions::default()).unwrap();
    r.sections().unwrap();
    assert!(take(&screen).is_empty());

    assert!(r.unobserve(id));
    assert!(!r.unobserve(id), "removing twice reports it was not there");
    r.delete_entry(&e.id).unwrap();
    assert!(take(&screen).is_empty(), "a removed observer still heard a change");
}

#[test]
fn cached_section_overviews_follow_every_committed_change() {
    let dir = tempfile::tempdir().unwrap();
    let r = Record::create(&dir.path().join(DB_FILE), &RawKeyStore::new([8; 32])).unwrap();
    let add = |name: &str| {
        r.add_entry(
            "medications",
            EntryValue::Medication {
                name: name.into(),
                dose: None,
                route: None,
                frequency: None,
                start: None,
                stop: None,
                reason: None,
                code: None,
            },
            Provenance::User,
        )
        .unwrap()
    };
    assert_eq!(r.section_overview("medications", 3).unwrap().0, 0);
    let a = add("Ramipril");
    assert_eq!(r.section_overview("medications", 3).unwrap().0, 1, "an add must show at once");
    let (n, latest) = r.section_overview("medications", 3).unwrap();
    assert_eq!((n, latest[0].id.as_str()), (1, a.id.as_str()), "a second read answers the same");
    r.set_hidden(&a.id, true).unwrap();
    assert_eq!(r.section_overview("medications", 3).unwrap().0, 0, "hiding must show at once");
    r.set_hidden(&a.id, false).unwrap();
    add("Metformin");
    assert_eq!(r.section_overview("medications", 3).unwrap().0, 2);
}
