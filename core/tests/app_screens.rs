#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed unwrap is a failed test
//! Screen models over a real record: what each screen draws, in order, with the actions
//! the owner is allowed.

use phr_core::app::forms::Filled;
use phr_core::app::screens::{self, EntryAction};
use phr_core::app::strings;
use phr_core::crypto::RawKeyStore;
use phr_core::record::{AnnotationKind, EntryValue, Provenance};
use phr_core::store::{Record, DB_FILE};

fn filled(pairs: &[(&str, &str)]) -> Filled {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

#[test]
fn home_section_and_entry_screens() {
    let dir = tempfile::tempdir().unwrap();
    let r = Record::create(&dir.path().join(DB_FILE), &RawKeyStore::new([5; 32])).unwrap();

    let home = screens::home(&r).unwrap();
    assert!(home.attention.contains(&"attention.add_identity".to_string()));
    assert!(home.sections.iter().all(|c| c.count == 0));

    let a = r
        .add_entry_from_form("medications", None, &filled(&[("name", "Ramipril"), ("dose", "5 mg")]))
        .unwrap()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(5));
    let b = r.add_entry_from_form("medications", None, &filled(&[("name", "Metformin")])).unwrap().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(5));
    let gp = r
        .add_entry(
            "medications",
            EntryValue::Medication {
                name: "Atorvastatin".into(),
                dose: None,
                route: None,
                frequency: None,
                start: None,
                stop: None,
                reason: None,
                code: None,
            },
            Provenance::MedicalRecord { system: "gp".into(), resource_id: "m1".into() },
        )
        .unwrap();
    r.add_entry_from_form("identity", None, &filled(&[("given_name", "Sam"), ("family_name", "Lee")]))
        .unwrap()
        .unwrap();

    let home = screens::home(&r).unwrap();
    assert!(!home.attention.contains(&"attention.add_identity".to_string()));
    let first_empty = home.sections.iter().position(|c| c.count == 0).unwrap();
    assert!(home.sections[..first_empty].iter().all(|c| c.count > 0), "filled sections come first");
    let meds = home.sections.iter().find(|c| c.id == "medications").unwrap();
    assert_eq!(meds.count, 3);
    assert_eq!(meds.latest[0].id, gp.id, "newest first");

    // Edit one, annotate it, delete another.
    r.edit_entry_from_form(&a.id, &filled(&[("name", "Ramipril"), ("dose", "10 mg")])).unwrap().unwrap();
    r.annotate(&a.id, AnnotationKind::Note, Some("makes me cough".into())).unwrap();
    r.delete_entry(&b.id).unwrap();

    let section = screens::section_detail(&r, "medications", false).unwrap();
    assert_eq!(section.entries.len(), 2);
    assert!(section.can_add);
    let all = screens::section_detail(&r, "medications", true).unwrap();
    assert_eq!(all.entries.len(), 3);
    assert!(all.entries.last().unwrap().deleted, "deleted entries come last");
    let identity = screens::section_detail(&r, "identity", false).unwrap();
    assert!(!identity.can_add, "one identity entry only");

    let detail = screens::entry_detail(&r, &a.id).unwrap();
    assert_eq!(detail.history.len(), 1);
    assert!(detail.history[0].summary.contains("5 mg"));
    assert_eq!(detail.fields[0].label_key, "field.medication.name");
    assert_eq!(detail.fields.iter().find(|f| f.label_key == "field.medication.dose").unwrap().value, "10 mg");
    assert_eq!(detail.annotations[0].text.as_deref(), Some("makes me cough"));
    assert_eq!(detail.provenance.key, "provenance.user");
    assert!(detail.actions.contains(&EntryAction::Edit));

    let gp_detail = screens::entry_detail(&r, &gp.id).unwrap();
    assert_eq!(strings::text(&gp_detail.provenance.key), "From your GP record");
    assert!(
        !gp_detail.actions.contains(&EntryAction::Edit) && !gp_detail.actions.contains(&EntryAction::Delete)
    );
    assert!(gp_detail.actions.contains(&EntryAction::Hide));

    let gone = screens::entry_detail(&r, &b.id).unwrap();
    assert!(gone.deleted);
    assert_eq!(gone.actions, vec![EntryAction::Undo, EntryAction::Purge]);

    // Every key a screen can hand out is in the catalogue.
    let cat = strings::catalogue();
    for a in [
        EntryAction::Edit,
        EntryAction::Delete,
        EntryAction::Undo,
        EntryAction::Purge,
        EntryAction::Annotate,
        EntryAction::Hide,
        EntryAction::Unhide,
    ] {
        let key = format!("action.{}", serde_json::to_value(a).unwrap().as_str().unwrap());
        assert!(cat.contains_key(&key), "{key}");
    }
    for key in [
        "provenance.user",
        "provenance.import",
        "provenance.medical_record",
        "annotation.note",
        "annotation.no_longer_relevant",
        "attention.add_contact",
    ] {
        assert!(cat.contains_key(key), "{key}");
    }
    assert_eq!(
        screens::format_date(chrono::DateTime::from_timestamp(1_776_000_000, 0).unwrap()),
        "12 Apr 2026"
    );
}
