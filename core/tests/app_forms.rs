#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed unwrap is a failed test
//! Every section's form, filled with its own example values, adds an entry to a real
//! record; an edit from a form keeps history; errors come back per field.

use phr_core::app::forms::{self, Filled};
use phr_core::crypto::RawKeyStore;
use phr_core::record::{BuiltinSection, FieldDef, FieldType, Provenance};
use phr_core::store::{Record, DB_FILE};

fn record(dir: &std::path::Path) -> Record {
    Record::create(&dir.join(DB_FILE), &RawKeyStore::new([7; 32])).unwrap()
}

#[test]
fn every_sections_example_is_added_from_its_form() {
    let dir = tempfile::tempdir().unwrap();
    let r = record(dir.path());
    for b in BuiltinSection::ALL {
        r.set_section_enabled(b.slug(), true).unwrap();
    }
    let custom = r
        .create_section(
            "Migraine diary",
            vec![
                FieldDef {
                    name: "pain".into(),
                    field_type: FieldType::Number { unit: None },
                    required: true,
                },
                FieldDef { name: "when".into(), field_type: FieldType::Date, required: false },
                FieldDef { name: "aura".into(), field_type: FieldType::Bool, required: false },
                FieldDef { name: "helped".into(), field_type: FieldType::Text, required: false },
            ],
        )
        .unwrap();
    let free = r.create_section("Garden diary", vec![]).unwrap();
    let mut added = 0;
    for s in r.sections().unwrap() {
        for ty in forms::entry_types(&s) {
            let spec = forms::form_spec_for(&s, ty).unwrap();
            let example = forms::example(&spec);
            assert!(forms::validate(&s, Some(ty), &example).is_empty(), "{} {ty}", s.id);
            if s.builtin().is_some_and(BuiltinSection::is_singleton) && ty != spec.entry_types[0] {
                continue; // one live entry only
            }
            let e = r.add_entry_from_form(&s.id, Some(ty), &example).unwrap().unwrap();
            assert_eq!(e.section, s.id);
            assert_eq!(e.value.type_name(), ty);
            assert_eq!(e.provenance, Provenance::User);
            added += 1;
        }
    }
    assert!(added >= 27 + 2, "{added}");
    assert_eq!(r.list_entries(&custom.id, Default::default()).unwrap().len(), 1);
    assert_eq!(r.list_entries(&free.id, Default::default()).unwrap().len(), 1);
}

#[test]
fn edits_from_a_form_keep_history_and_errors_change_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let r = record(dir.path());
    let mut filled: Filled = [("name", "Ramipril"), ("dose", "5 mg")]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let e = r.add_entry_from_form("medications", None, &filled).unwrap().unwrap();
    filled.insert("dosage".into(), "10 mg".into());
    let errs = r.edit_entry_from_form(&e.id, &filled).unwrap().unwrap_err();
    assert_eq!((errs[0].key.as_str(), errs[0].suggestion.as_deref()), ("error.unknown_field", Some("dose")));
    assert!(r.entry(&e.id).unwrap().history.is_empty());

    let s = r.resolve_section("medications").unwrap();
    let mut edit = forms::form_values(&s, &r.entry(&e.id).unwrap().value);
    assert_eq!(edit.get("dose").map(String::as_str), Some("5 mg"));
    edit.insert("dose".into(), "10 mg".into());
    let after = r.edit_entry_from_form(&e.id, &edit).unwrap().unwrap();
    assert!(after.value.summary().contains("10 mg"));
    assert_eq!(after.history.len(), 1);

    // A switched-off section is a store error, not a form error.
    let weight: Filled = [("text".to_string(), "weighed myself".to_string())].into();
    assert!(r.add_entry_from_form("weight", None, &weight).is_err());
}
