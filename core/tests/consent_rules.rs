//! Consent rules: default deny, private never, sensitive only by name, employers and
//! insurers never see sensitive, illness-experience or mental-health content, and the
//! view says only that something was not shared.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout, clippy::print_stderr)] // test code: a failed unwrap is a failed test, and it prints what it measured

use chrono::{Duration, Utc};
use phr_core::consent::{
    self, AuditAction, Decision, DenyReason, GrantRequest, Recipient, RecipientCategory,
};
use phr_core::crypto::RawKeyStore;
use phr_core::record::{Code, ConditionStatus, EntryValue, PrivacyLevel, Provenance};
use phr_core::store::DB_FILE;
use phr_core::Record;

fn new_record() -> (tempfile::TempDir, Record) {
    let dir = tempfile::tempdir().unwrap();
    let r = Record::create(&dir.path().join(DB_FILE), &RawKeyStore::new([9; 32])).unwrap();
    (dir, r)
}

fn cond(name: &str, code: Option<&str>) -> EntryValue {
    EntryValue::Condition {
        name: name.into(),
        code: code.map(|c| Code { system: "http://snomed.info/sct".into(), code: c.into(), display: None }),
        onset: None,
        status: ConditionStatus::Active,
        notes: None,
    }
}

fn med(name: &str, reason: Option<&str>) -> EntryValue {
    EntryValue::Medication {
        name: name.into(),
        dose: None,
        route: None,
        frequency: None,
        start: None,
        stop: None,
        reason: reason.map(Into::into),
        code: None,
    }
}

fn note(text: &str) -> EntryValue {
    EntryValue::Note { date: None, title: None, text: text.into() }
}

fn to(cat: RecipientCategory, sections: &[&str]) -> GrantRequest {
    GrantRequest {
        recipient: Recipient { name: format!("{cat:?} recipient"), role: "role".into(), category: cat },
        sections: sections.iter().map(|s| s.to_string()).collect(),
        purpose: "test".into(),
        message: None,
        start: None,
        expiry: None,
        // The owner confirmed (the CLI and the apps ask first): what is tested here is what
        // a confirmation can never open.
        disclosure: consent::Disclosure { confirmed: true, ..Default::default() },
    }
}

fn allowed(r: &Record, id: &str) -> consent::ConsentedView {
    match consent::check(r, id, Utc::now()).unwrap() {
        Decision::Allowed(v) => v,
        Decision::Denied(d) => panic!("denied: {d:?}"),
    }
}

/// A record with clinical, mental-health and sensitive content.
fn filled() -> (tempfile::TempDir, Record) {
    let (d, r) = new_record();
    r.add_entry("conditions", cond("Type 2 diabetes", Some("44054006")), Provenance::User).unwrap();
    r.add_entry("conditions", cond("Low mood", Some("35489007")), Provenance::User).unwrap(); // depressive disorder, by code only
    r.add_entry("conditions", cond("Generalised anxiety", None), Provenance::User).unwrap(); // by keyword only
    r.add_entry("medications", med("Metformin 500 mg", None), Provenance::User).unwrap();
    r.add_entry("medications", med("Sertraline 50 mg", None), Provenance::User).unwrap(); // psychotropic by name
    r.add_entry("medications", med("Propranolol", Some("panic attacks")), Provenance::User).unwrap(); // by reason
    for s in ["stress", "illness_experience", "weight"] {
        r.set_section_enabled(s, true).unwrap();
    }
    r.add_entry("stress", note("Work has been hard since March"), Provenance::User).unwrap();
    r.add_entry("illness_experience", note("Living with diabetes feels lonely"), Provenance::User).unwrap();
    (d, r)
}

#[test]
fn default_deny_and_the_denial_is_audited() {
    let (_d, r) = new_record();
    assert!(matches!(
        consent::check(&r, "no-such-grant", Utc::now()).unwrap(),
        Decision::Denied(DenyReason::NoGrant)
    ));
    let log = r.audit_log().unwrap();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].action, AuditAction::Denied);
    assert!(r.grants().unwrap().is_empty());
}

#[test]
fn every_read_is_audited_with_who_and_what() {
    let (_d, r) = filled();
    let g =
        consent::create_grant(&r, to(RecipientCategory::HealthProfessional, &["conditions", "medications"]))
            .unwrap();
    allowed(&r, &g.id);
    let log = r.audit_log().unwrap();
    let read = log.iter().find(|e| e.action == AuditAction::Read).unwrap();
    assert_eq!(read.actor, "HealthProfessional recipient");
    assert_eq!(read.grant_id.as_deref(), Some(g.id.as_str()));
    assert_eq!(read.sections, vec!["conditions".to_string(), "medications".to_string()]);
    assert_eq!(log[0].action, AuditAction::GrantCreated);
}

#[test]
fn private_sections_are_never_shared() {
    let (_d, r) = filled();
    r.set_section_privacy("medications", PrivacyLevel::Private).unwrap();
    let e =
        consent::create_grant(&r, to(RecipientCategory::HealthProfessional, &["medications"])).unwrap_err();
    assert!(e.to_string().contains("private"), "{e}");
    // Made private after the grant: withheld at read time, and the view says only that.
    r.set_section_privacy("medications", PrivacyLevel::Shareable).unwrap();
    let g =
        consent::create_grant(&r, to(RecipientCategory::HealthProfessional, &["medications", "conditions"]))
            .unwrap();
    r.set_section_privacy("medications", PrivacyLevel::Private).unwrap();
    let v = allowed(&r, &g.id);
    assert_eq!(v.sections.iter().map(|s| s.slug.as_str()).collect::<Vec<_>>(), vec!["conditions"]);
    assert!(v.some_not_shared);
    // "all" never picks up a private or sensitive section.
    let all = consent::create_grant(&r, to(RecipientCategory::FamilyOrCarer, &["all"])).unwrap();
    assert!(!all.sections.contains(&"medications".to_string()));
    assert!(!all.sections.contains(&"stress".to_string()));
    assert!(all.sections.contains(&"weight".to_string()));
}

#[test]
fn sensitive_sections_only_when_named() {
    let (_d, r) = filled();
    let all = consent::create_grant(&r, to(RecipientCategory::HealthProfessional, &["all"])).unwrap();
    assert!(!all.sections.iter().any(|s| s == "stress" || s == "illness_experience"));
    let named = consent::create_grant(&r, to(RecipientCategory::HealthProfessional, &["stress"])).unwrap();
    let v = allowed(&r, &named.id);
    assert_eq!(
        v.sections[0].entries.len(),
        1,
        "a health professional may see a sensitive section named explicitly"
    );
}

#[test]
fn employers_and_insurers_never_get_sensitive_or_mental_health() {
    for cat in [RecipientCategory::Employer, RecipientCategory::Insurer] {
        let (_d, r) = filled();
        for s in ["stress", "illness_experience", "alcohol_smoking"] {
            assert!(consent::create_grant(&r, to(cat, &[s])).is_err(), "{cat:?} got {s}");
        }
        // Even when the owner marks illness experience shareable, it stays out.
        r.set_section_privacy("illness_experience", PrivacyLevel::Shareable).unwrap();
        assert!(consent::create_grant(&r, to(cat, &["illness_experience"])).is_err());
        // The fewest sections: no `all` or `emergency` shortcut, each section named.
        for shortcut in ["all", "emergency"] {
            let e = consent::create_grant(&r, to(cat, &[shortcut])).unwrap_err();
            assert!(matches!(e, phr_core::Error::Invalid { field: "share.preview.name_each", .. }), "{e}");
        }

        let g = consent::create_grant(&r, to(cat, &["conditions", "medications"])).unwrap();
        let v = allowed(&r, &g.id);
        let text = serde_json::to_string(&v).unwrap();
        for bad in ["Low mood", "anxiety", "Sertraline", "Propranolol", "panic"] {
            assert!(!text.contains(bad), "{cat:?} saw {bad}");
        }
        assert!(text.contains("Type 2 diabetes") && text.contains("Metformin"));
        assert!(v.some_not_shared);
        // The bundle says only that something was not shared: no names, no counts.
        let bundle = phr_core::share::bundle::fhir_bundle(&v).to_string();
        assert!(bundle.contains("Some sections were not shared."));
        for bad in ["Low mood", "Sertraline", "stress", "illness", "mental"] {
            assert!(!bundle.contains(bad), "bundle leaks {bad}");
        }
        // A section that was sensitive-safe at grant time but later made sensitive is withheld.
        r.set_section_privacy("conditions", PrivacyLevel::Sensitive).unwrap();
        let v = allowed(&r, &g.id);
        assert_eq!(v.sections.iter().map(|s| s.slug.as_str()).collect::<Vec<_>>(), vec!["medications"]);
    }
}

#[test]
fn health_professionals_see_mental_health_entries_in_named_sections() {
    let (_d, r) = filled();
    let g =
        consent::create_grant(&r, to(RecipientCategory::HealthProfessional, &["conditions", "medications"]))
            .unwrap();
    let v = allowed(&r, &g.id);
    assert_eq!(v.sections[0].entries.len(), 3);
    assert!(!v.some_not_shared);
}

#[test]
fn revoked_expired_and_future_grants_are_denied() {
    let (_d, r) = filled();
    let g = consent::create_grant(&r, to(RecipientCategory::FamilyOrCarer, &["medications"])).unwrap();
    allowed(&r, &g.id);
    consent::revoke_grant(&r, &g.id).unwrap();
    assert!(matches!(consent::check(&r, &g.id, Utc::now()).unwrap(), Decision::Denied(DenyReason::Revoked)));

    let mut req = to(RecipientCategory::SocialCare, &["medications"]);
    req.expiry = Some(Utc::now() + Duration::days(7));
    let g = consent::create_grant(&r, req).unwrap();
    assert!(matches!(
        consent::check(&r, &g.id, Utc::now() + Duration::days(8)).unwrap(),
        Decision::Denied(DenyReason::Expired)
    ));
    allowed(&r, &g.id);

    let mut req = to(RecipientCategory::SocialCare, &["medications"]);
    req.start = Some(Utc::now() + Duration::days(1));
    let g = consent::create_grant(&r, req).unwrap();
    assert!(matches!(
        consent::check(&r, &g.id, Utc::now()).unwrap(),
        Decision::Denied(DenyReason::NotYetValid)
    ));

    let log = r.audit_log().unwrap();
    assert_eq!(log.iter().filter(|e| e.action == AuditAction::Denied).count(), 3);
    assert!(log.iter().any(|e| e.action == AuditAction::GrantRevoked));
    assert!(r.verify_audit().unwrap().ok);
}

#[test]
fn hidden_and_deleted_entries_are_not_shared() {
    let (_d, r) = new_record();
    let a = r.add_entry("medications", med("Aspirin", None), Provenance::User).unwrap();
    let b = r.add_entry("medications", med("Ramipril", None), Provenance::User).unwrap();
    r.add_entry("medications", med("Atorvastatin", None), Provenance::User).unwrap();
    r.set_hidden(&a.id, true).unwrap();
    r.delete_entry(&b.id).unwrap();
    let g = consent::create_grant(&r, to(RecipientCategory::HealthProfessional, &["medications"])).unwrap();
    let v = allowed(&r, &g.id);
    let text = serde_json::to_string(&v).unwrap();
    assert!(text.contains("Atorvastatin") && !text.contains("Aspirin") && !text.contains("Ramipril"));
}

#[test]
fn grants_are_sealed_at_rest() {
    let (d, r) = new_record();
    let mut req = to(RecipientCategory::HealthProfessional, &["medications"]);
    req.recipient.name = "Dr SENTINEL-Grantee".into();
    req.purpose = "SENTINEL-PURPOSE".into();
    consent::create_grant(&r, req).unwrap();
    drop(r);
    let bytes = std::fs::read(d.path().join(DB_FILE)).unwrap();
    let hay = String::from_utf8_lossy(&bytes);
    assert!(!hay.contains("SENTINEL-Grantee") && !hay.contains("SENTINEL-PURPOSE"));
}

#[test]
fn categories_parse() {
    assert_eq!(RecipientCategory::parse("family").unwrap(), RecipientCategory::FamilyOrCarer);
    assert_eq!(
        RecipientCategory::parse("Health professional").unwrap(),
        RecipientCategory::HealthProfessional
    );
    assert!(RecipientCategory::parse("landlord").is_err());
}
