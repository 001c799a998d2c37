#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed unwrap is a failed test
//! Screen models over a real record: what each screen draws, in order, with the actions
//! the owner is allowed.

use phr_core::app::forms::Filled;
use phr_core::app::screens::{self, English, EntryAction};
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

// ---- insights, sharing, devices, imports, settings; the notifications plan ----

use chrono::{DateTime, Duration, Utc};
use phr_core::app::notifications::{notifications_due, NotificationKind};
use phr_core::app::preferences::{preferences, set_preferences, AppPreferences};
use phr_core::consent::{self, GrantRequest, Recipient, RecipientCategory};
use phr_core::insights::{AlertCategory, Goal};
use phr_core::share::relay::{AccessEvent, LinkSummary, NewFile, NewLink, RelayApi, RelayReply};
use phr_core::share::{self, ShareOptions};

/// A demo resident (every core section, a year of readings) in a fresh record.
fn demo_record() -> (tempfile::TempDir, Record, DateTime<Utc>) {
    let dir = tempfile::tempdir().unwrap();
    let r = Record::create(&dir.path().join(DB_FILE), &RawKeyStore::new([7; 32])).unwrap();
    let now = Utc::now();
    phr_core::demo::fill(&r, now.date_naive()).unwrap();
    (dir, r, now)
}

fn request(name: &str, sections: &[&str], purpose: &str, expiry: Option<DateTime<Utc>>) -> GrantRequest {
    GrantRequest {
        recipient: Recipient {
            name: name.into(),
            role: "GP".into(),
            category: RecipientCategory::HealthProfessional,
        },
        sections: sections.iter().map(|s| s.to_string()).collect(),
        purpose: purpose.into(),
        message: (purpose == "advice").then(|| "Is my blood pressure all right?".to_string()),
        start: None,
        expiry,
        disclosure: Default::default(),
    }
}

#[test]
fn insights_screen_orders_cards_and_respects_switches() {
    let (_dir, r, now) = demo_record();
    let screen = screens::insights_screen(&r, now).unwrap();
    assert!(screen.alerts_on);
    assert_eq!(screen.switches.len(), AlertCategory::ALL.len());
    assert!(screen.switches.iter().all(|s| s.on));
    assert!(!screen.cards.is_empty(), "the demo resident has something to say");
    let rank = |s: &str| ["urgent", "warning", "advice", "info"].iter().position(|x| *x == s).unwrap();
    let alerts: Vec<_> = screen.cards.iter().filter(|c| c.kind == "alert").collect();
    assert!(alerts.windows(2).all(|w| rank(&w[0].severity) <= rank(&w[1].severity)), "most serious first");
    for c in &alerts {
        assert!(
            !c.source.is_empty() && c.source_url.starts_with("https://"),
            "{} has its guidance source",
            c.id
        );
        assert!(c.source_label.english().starts_with("Based on "));
    }
    let first_suggestion = screen.cards.iter().position(|c| c.kind == "suggestion");
    if let Some(i) = first_suggestion {
        assert!(screen.cards[i..].iter().all(|c| c.kind == "suggestion"), "alerts before suggestions");
    }
    let weight = screen.trends.iter().find(|t| t.metric == "weight").expect("a weight trend");
    assert!(weight.average.ends_with(" kg"));
    assert_eq!(weight.window_days, 30);
    assert!(screen.fitness.is_some());

    // Every key the screen hands out is in the catalogue.
    let cat = strings::catalogue();
    for c in &screen.cards {
        for k in [&c.category_key, &c.severity_key, &c.source_label.key] {
            assert!(cat.contains_key(k.as_str()), "{k}");
        }
    }
    for s in &screen.switches {
        assert!(cat.contains_key(&s.label_key), "{}", s.label_key);
    }
    for t in &screen.trends {
        assert!(cat.contains_key(&t.label_key) && cat.contains_key(&t.direction_key), "{}", t.label_key);
    }

    // Switch off the category of the first alert: its cards go, its switch shows off.
    let off = alerts[0].category.clone();
    let category = AlertCategory::ALL.into_iter().find(|c| c.slug().replace('-', "_") == off).unwrap();
    r.set_insight_category_enabled(category, false).unwrap();
    let screen = screens::insights_screen(&r, now).unwrap();
    assert!(screen.cards.iter().all(|c| c.category != off));
    assert!(!screen.switches.iter().find(|s| s.category == off).unwrap().on);

    // A goal shows with its unit.
    r.set_goal(Goal::TargetWeight { target_kg: 70.0, start_kg: None }).unwrap();
    let screen = screens::insights_screen(&r, now).unwrap();
    let goal = screen.goals.iter().find(|g| g.kind == "target_weight").unwrap();
    assert_eq!(goal.target, "70.0 kg");
    assert!(cat.contains_key(&goal.label_key));

    // Alerts off: no alert cards, every switch off.
    let mut s = r.insight_settings().unwrap();
    s.alerts_enabled = false;
    r.set_insight_settings(&s).unwrap();
    let screen = screens::insights_screen(&r, now).unwrap();
    assert!(screen.cards.iter().all(|c| c.kind != "alert"));
    assert!(screen.switches.iter().all(|s| !s.on));
}

/// A relay that publishes, reports two openings and one reply.
struct FakeRelay {
    key: std::sync::Mutex<Option<Vec<u8>>>,
}

impl RelayApi for FakeRelay {
    fn base_url(&self) -> &str {
        "https://relay.test"
    }
    fn create_link(&self, _link: &NewLink) -> phr_core::Result<String> {
        Ok(format!("link-{}", uuid_like()))
    }
    fn revoke_link(&self, _id: &str) -> phr_core::Result<bool> {
        Ok(true)
    }
    fn replace_files(&self, _id: &str, _files: &[NewFile]) -> phr_core::Result<bool> {
        Ok(true)
    }
    fn list_links(&self) -> phr_core::Result<Vec<LinkSummary>> {
        Ok(vec![])
    }
    fn access_log(&self, _id: &str, after: i64) -> phr_core::Result<Vec<AccessEvent>> {
        let at = Utc::now().timestamp_millis();
        let ev = |seq, outcome: &str| AccessEvent {
            seq,
            at: at - 1000 * (3 - seq),
            recipient: "Dr Shah".into(),
            outcome: outcome.into(),
        };
        Ok([ev(1, "served"), ev(2, "wrong_passcode"), ev(3, "served")]
            .into_iter()
            .filter(|e| e.seq > after)
            .collect())
    }
    fn reset_passcode_tries(&self, _id: &str) -> phr_core::Result<bool> {
        Ok(true)
    }
    fn replies(&self, _id: &str, after: i64) -> phr_core::Result<Vec<RelayReply>> {
        let Some(key) = self.key.lock().unwrap().clone() else { return Ok(vec![]) };
        if after >= 1 {
            return Ok(vec![]);
        }
        let body = br#"{"from":"Dr Shah","text":"Your readings look fine. Check again in a month."}"#;
        Ok(vec![RelayReply {
            seq: 1,
            at: Utc::now().timestamp_millis(),
            jwe: share::jwe::encrypt(&key, body, None).unwrap(),
        }])
    }
}

fn uuid_like() -> u128 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(1);
    u128::from(N.fetch_add(1, Ordering::SeqCst))
}

#[test]
fn sharing_screen_statuses_expiry_openings_and_replies() {
    let (_dir, r, now) = demo_record();
    let relay = FakeRelay { key: std::sync::Mutex::new(None) };
    let soon = consent::create_grant(
        &r,
        request("Leeds physio", &["exercise"], "care", Some(now + Duration::days(1))),
    )
    .unwrap();
    let later =
        consent::create_grant(&r, request("Sister", &["contacts"], "family", Some(now + Duration::days(20))))
            .unwrap();
    let stopped = consent::create_grant(&r, request("Old clinic", &["allergies"], "care", None)).unwrap();
    consent::revoke_grant(&r, &stopped.id).unwrap();
    let advice = share::create_share(
        &r,
        request("Dr Shah", &["blood_pressure"], "advice", Some(now + Duration::days(10))),
        ShareOptions::default(),
        &relay,
    )
    .unwrap();
    let key = data_encoding::BASE64URL_NOPAD
        .decode(advice.grant.link.as_ref().unwrap().key.expose_secret().as_bytes())
        .unwrap();
    *relay.key.lock().unwrap() = Some(key);
    share::sync_from_relay(&r, &relay).unwrap();

    // Seen five days on: the physio share has ended, the others run on.
    let later_now = now + Duration::days(5);
    let screen = screens::sharing_screen(&r, later_now).unwrap();
    let ids: Vec<&str> = screen.grants.iter().map(|g| g.id.as_str()).collect();
    assert_eq!(ids, vec![advice.grant.id.as_str(), later.id.as_str(), soon.id.as_str(), stopped.id.as_str()]);
    assert_eq!(screen.active, 2);
    let g = |id: &str| screen.grants.iter().find(|g| g.id == id).unwrap();

    let a = g(&advice.grant.id);
    assert_eq!(a.status, "active");
    assert_eq!(a.expiry_label.english(), "Ends in 5 days.");
    assert_eq!(a.openings, 2, "two served fetches; a wrong passcode is not an opening");
    assert_eq!(a.wrong_passcodes, 1);
    assert_eq!(
        a.wrong_passcodes_label.as_ref().map(|l| l.english()).as_deref(),
        Some("Someone typed a wrong passcode once. If it was Dr Shah, they can try again.")
    );
    assert!(!a.can_reset_passcode_tries, "this link has no passcode, so nobody is held back");
    assert!(a.last_opened.is_some());
    assert!(a.has_link);
    assert_eq!(a.question.as_deref(), Some("Is my blood pressure all right?"));
    assert_eq!(a.replies.len(), 1);
    assert_eq!(a.replies[0].text, "Your readings look fine. Check again in a month.");
    assert_eq!(a.sections, vec!["Blood pressure".to_string()]);
    // A reply and no answer yet: the answer box is offered; once answered it is gone and the
    // answer shows instead.
    assert!(a.can_answer && a.answer.is_none());
    assert!(screen.grants.iter().filter(|x| x.id != a.id).all(|x| !x.can_answer), "only advice is answered");
    share::answer::answer_reply(&r, &advice.grant.id, "Thank you, I will.", &relay).unwrap();
    let after = screens::sharing_screen(&r, later_now).unwrap();
    let a2 = after.grants.iter().find(|x| x.id == advice.grant.id).unwrap();
    assert!(!a2.can_answer);
    assert_eq!(a2.answer.as_ref().map(|x| x.text.as_str()), Some("Thank you, I will."));

    let ended = g(&soon.id);
    assert_eq!(ended.status, "expired");
    assert!(!ended.can_revoke);
    assert!(ended.expiry_label.english().starts_with("Ended on "));
    let revoked = g(&stopped.id);
    assert_eq!(revoked.status, "revoked");
    assert_eq!(revoked.expiry_label.key, "share.stopped_on");
    assert_eq!(strings::text(&revoked.status_key), "Stopped");
    assert_eq!(g(&later.id).expiry_label.english(), "Ends in 15 days.");
    let cat = strings::catalogue();
    for row in &screen.grants {
        for k in [&row.status_key, &row.category_key, &row.expiry_label.key] {
            assert!(cat.contains_key(k.as_str()), "{k}");
        }
    }
}

#[test]
fn imports_devices_and_settings_screens() {
    let (dir, r, now) = demo_record();
    let imports = screens::imports_screen(&r, now).unwrap();
    assert!(imports.imports.is_empty());
    assert_eq!(imports.empty_key.as_deref(), Some("import.none_yet"));

    let csv = include_bytes!("import_fixtures/withings_weight.csv");
    let name = "/storage/emulated/0/Download/zz-sentinel-withings.csv";
    let first = phr_core::import::bulk::import_bytes(&r, name, csv, &Default::default());
    assert!(first.outcome.samples.added > 0);
    std::thread::sleep(std::time::Duration::from_millis(5));
    phr_core::import::bulk::import_bytes(&r, name, csv, &Default::default());
    let imports = screens::imports_screen(&r, now).unwrap();
    assert_eq!(imports.imports.len(), 2);
    let (newest, oldest) = (&imports.imports[0], &imports.imports[1]);
    assert_eq!(newest.readings_added, 0, "the second import of the same file added nothing");
    assert_eq!(oldest.readings_added, first.outcome.samples.added);
    assert_eq!(oldest.files[0].name, "zz-sentinel-withings.csv", "the file name only, no folders");
    assert_eq!(oldest.files[0].status, "ok");
    assert_eq!(oldest.when_label.key, "time.today");
    assert!(oldest.summary.english().starts_with("Readings added: "), "{}", oldest.summary.english());
    // The history is sealed like everything else: the name is not in the file in clear.
    drop(r);
    for f in ["record.phr", "record.phr-wal"] {
        if let Ok(bytes) = std::fs::read(dir.path().join(f)) {
            assert!(!bytes.windows(11).any(|w| w == b"zz-sentinel"), "{f} holds the file name in clear");
        }
    }
    let r = Record::open(&dir.path().join(DB_FILE), &RawKeyStore::new([7; 32])).unwrap();

    let devices = screens::devices_screen(&r, now).unwrap();
    assert!(!devices.sync_set_up);
    assert_eq!(devices.hint_key, "devices.set_up_sync");
    assert_eq!(devices.last_sync_label.key, "sync.never");

    let settings = screens::settings_screen(&r, now).unwrap();
    assert!(!settings.recovery_key_made);
    assert_eq!(settings.last_backup, None);
    assert_eq!(settings.last_backup_label.english(), "No backup yet.");
    assert!(!settings.medication_reminders, "reminders are off until the owner turns them on");
    assert_eq!(settings.reminder_time, "09:00");
    let first_off = settings.sections.iter().position(|s| !s.enabled).unwrap();
    assert!(settings.sections[first_off..].iter().all(|s| !s.enabled), "switched-on sections first");

    r.create_recovery_key().unwrap();
    let backups = tempfile::tempdir().unwrap();
    r.backup(&backups.path().join("b.phrbackup")).unwrap();
    r.set_section_privacy("stress", phr_core::record::PrivacyLevel::Private).unwrap();
    set_preferences(
        &r,
        &AppPreferences { medication_reminders: true, reminder_hour: 20, ..Default::default() },
    )
    .unwrap();
    r.set_insight_category_enabled(AlertCategory::Alcohol, false).unwrap();
    let settings = screens::settings_screen(&r, now + Duration::days(3)).unwrap();
    assert!(settings.recovery_key_made);
    assert_eq!(settings.recovery_key_made_on.as_deref(), Some(screens::format_date(Utc::now()).as_str()));
    assert_eq!(settings.last_backup_label.english(), "3 days ago");
    assert!(settings.medication_reminders);
    assert_eq!(settings.reminder_time, "20:00");
    let stress = settings.sections.iter().find(|s| s.id == "stress").unwrap();
    assert_eq!((stress.privacy.as_str(), strings::text(&stress.privacy_key)), ("private", "Only you"));
    assert!(!settings.categories.iter().find(|c| c.category == "alcohol").unwrap().on);
    assert!(settings.categories.iter().find(|c| c.category == "blood_pressure").unwrap().on);
    assert!(set_preferences(&r, &AppPreferences { reminder_hour: 24, ..Default::default() }).is_err());
}

#[test]
fn notifications_respect_every_switch_and_say_nothing_private() {
    let (dir, r, now) = demo_record();
    let kinds = |r: &Record| -> Vec<NotificationKind> {
        notifications_due(r, now).unwrap().into_iter().map(|n| n.kind).collect()
    };
    let plan = notifications_due(&r, now).unwrap();
    let alerts: Vec<_> = plan.iter().filter(|n| n.kind == NotificationKind::Alert).collect();
    assert!(!alerts.is_empty(), "the demo resident has an alert");
    assert!(alerts.iter().all(|n| n.screen == "insights" && n.target_id.is_some()));
    // Defaults: no medicine reminders; the recovery key and backup nudges are there.
    assert!(!plan
        .iter()
        .any(|n| matches!(n.kind, NotificationKind::MedicationReminder | NotificationKind::MedicationStop)));
    assert!(plan.iter().any(|n| n.kind == NotificationKind::RecoveryKey));
    assert!(plan.iter().any(|n| n.kind == NotificationKind::Backup));
    assert!(plan.windows(2).all(|w| w[0].at_ms <= w[1].at_ms), "soonest first");
    assert!(plan.iter().all(|n| n.at_ms >= now.timestamp_millis() - 1000));

    // Stable ids: planning again gives the same ids.
    let again: Vec<String> = notifications_due(&r, now).unwrap().into_iter().map(|n| n.id).collect();
    assert_eq!(again, plan.iter().map(|n| n.id.clone()).collect::<Vec<_>>());

    // Per category: switch off the category behind the alerts, they go.
    let report = r.insight_report(now.date_naive()).unwrap();
    for a in &report.alerts {
        r.set_insight_category_enabled(a.category, false).unwrap();
    }
    assert!(!kinds(&r).contains(&NotificationKind::Alert));
    for a in &report.alerts {
        r.set_insight_category_enabled(a.category, true).unwrap();
    }
    assert!(kinds(&r).contains(&NotificationKind::Alert));
    let mut s = r.insight_settings().unwrap();
    s.alerts_enabled = false;
    r.set_insight_settings(&s).unwrap();
    assert!(!kinds(&r).contains(&NotificationKind::Alert), "the master switch");

    // Medicine reminders once turned on: a daily one, and a note the day before a stop date.
    set_preferences(&r, &AppPreferences { medication_reminders: true, ..Default::default() }).unwrap();
    let plan = notifications_due(&r, now).unwrap();
    let daily = plan.iter().find(|n| n.kind == NotificationKind::MedicationReminder).unwrap();
    assert!(daily.daily);
    assert_eq!(daily.target_id.as_deref(), Some("medications"));
    let stop = plan.iter().find(|n| n.kind == NotificationKind::MedicationStop).unwrap();
    // Doxycycline stops in two days: the note comes tomorrow.
    let at = DateTime::from_timestamp_millis(stop.at_ms).unwrap();
    assert_eq!(at.date_naive(), now.date_naive() + Duration::days(1));

    // A share ending within two days, only while share reminders are on.
    consent::create_grant(&r, request("Sister", &["contacts"], "family", Some(now + Duration::days(1))))
        .unwrap();
    consent::create_grant(&r, request("Far off", &["contacts"], "family", Some(now + Duration::days(90))))
        .unwrap();
    // (Grants start when made, a little after `now`.)
    let now = Utc::now();
    let ending: Vec<_> = notifications_due(&r, now)
        .unwrap()
        .into_iter()
        .filter(|n| n.kind == NotificationKind::ShareEnding)
        .collect();
    assert_eq!(ending.len(), 1, "only the share ending soon");
    assert_eq!(ending[0].at_ms, now.timestamp_millis(), "already within two days: now");
    assert_eq!(ending[0].screen, "sharing");
    let mut p = preferences(&r).unwrap();
    p.share_reminders = false;
    set_preferences(&r, &p).unwrap();
    assert!(!kinds(&r).contains(&NotificationKind::ShareEnding));

    // Recovery key and backup: gone once made; the backup nudge returns at 30 days.
    r.create_recovery_key().unwrap();
    let backups = tempfile::tempdir().unwrap();
    r.backup(&backups.path().join("b.phrbackup")).unwrap();
    let k = kinds(&r);
    assert!(!k.contains(&NotificationKind::RecoveryKey));
    let backup = notifications_due(&r, now + Duration::days(10))
        .unwrap()
        .into_iter()
        .find(|n| n.kind == NotificationKind::Backup)
        .unwrap();
    let at = DateTime::from_timestamp_millis(backup.at_ms).unwrap();
    assert!((at - (Utc::now() + Duration::days(30))).num_minutes().abs() < 5, "at the 30-day mark");
    p.safety_reminders = false;
    set_preferences(&r, &p).unwrap();
    assert!(!notifications_due(&r, now + Duration::days(40))
        .unwrap()
        .iter()
        .any(|n| n.kind == NotificationKind::Backup));

    // Lock-screen safe: no medicine, person or value in any text, whatever is planned.
    set_preferences(&r, &AppPreferences { medication_reminders: true, ..Default::default() }).unwrap();
    let mut s = r.insight_settings().unwrap();
    s.alerts_enabled = true;
    r.set_insight_settings(&s).unwrap();
    let cat = strings::catalogue();
    for n in notifications_due(&r, now).unwrap() {
        assert!(n.title.args.is_empty() && n.body.args.is_empty(), "{}: nothing filled in", n.id);
        assert!(cat.contains_key(&n.title.key) && cat.contains_key(&n.body.key), "{}", n.id);
        let text = format!("{} {}", n.title.english(), n.body.english()).to_lowercase();
        for word in ["doxycycline", "ramipril", "sister", "blood pressure", "mmhg", "margaret"] {
            assert!(!text.contains(word), "{}: {text}", n.id);
        }
    }
    drop(dir);
}

#[test]
fn platform_reads_do_not_double_count_file_imports() {
    use phr_core::app::platform_hub::{PlatformRecord, PlatformSource};
    use phr_core::record::SampleKind;
    let dir = tempfile::tempdir().unwrap();
    let r = Record::create(&dir.path().join(DB_FILE), &RawKeyStore::new([9; 32])).unwrap();
    let watch = "Margaret\u{2019}s Apple Watch";
    // An Apple Health export: steps, a heart rate and a run, from the watch.
    let export = format!(
        "<?xml version=\"1.0\"?>\n<HealthData locale=\"en_GB\">\
<Record type=\"HKQuantityTypeIdentifierStepCount\" sourceName=\"{watch}\" unit=\"count\" startDate=\"2026-03-02 08:00:00 +0000\" endDate=\"2026-03-02 08:10:00 +0000\" value=\"1200\"/>\
<Record type=\"HKQuantityTypeIdentifierHeartRate\" sourceName=\"{watch}\" unit=\"count/min\" startDate=\"2026-03-02 08:05:00 +0000\" endDate=\"2026-03-02 08:05:00 +0000\" value=\"112\"/>\
<Workout workoutActivityType=\"HKWorkoutActivityTypeRunning\" duration=\"30\" durationUnit=\"min\" totalDistance=\"5\" totalDistanceUnit=\"km\" sourceName=\"{watch}\" startDate=\"2026-03-02 07:50:00 +0000\" endDate=\"2026-03-02 08:20:00 +0000\"/>\
</HealthData>"
    );
    let f = phr_core::import::bulk::import_bytes(&r, "export.xml", export.as_bytes(), &Default::default());
    assert_eq!((f.outcome.samples.added, f.outcome.activities_added), (2, 1), "{:?}", f.problems);

    // HealthKit read of the same watch: same readings with sub-second times, plus one new.
    let t = |s: &str| chrono::DateTime::parse_from_rfc3339(s).unwrap().timestamp_millis();
    let hk = |ty: &str, a: &str, b: &str, v: f64, unit: &str| PlatformRecord {
        record_type: ty.into(),
        start_ms: t(a) + 431,
        end_ms: t(b) + 431,
        value: v,
        unit: unit.into(),
        source: watch.into(),
        ..Default::default()
    };
    let mut run = hk("HKWorkoutTypeIdentifier", "2026-03-02T07:50:00Z", "2026-03-02T08:20:00Z", 0.0, "");
    run.subtype = Some("HKWorkoutActivityTypeRunning".into());
    run.distance_m = Some(5000.0);
    let reads = vec![
        hk(
            "HKQuantityTypeIdentifierStepCount",
            "2026-03-02T08:00:00Z",
            "2026-03-02T08:10:00Z",
            1200.0,
            "count",
        ),
        hk(
            "HKQuantityTypeIdentifierHeartRate",
            "2026-03-02T08:05:00Z",
            "2026-03-02T08:05:00Z",
            112.0,
            "count/min",
        ),
        hk(
            "HKQuantityTypeIdentifierHeartRate",
            "2026-03-02T08:06:00Z",
            "2026-03-02T08:06:00Z",
            118.0,
            "count/min",
        ),
        run,
        hk(
            "HKQuantityTypeIdentifierDietaryWater",
            "2026-03-02T09:00:00Z",
            "2026-03-02T09:00:00Z",
            250.0,
            "mL",
        ),
        hk(
            "HKQuantityTypeIdentifierDietaryWater",
            "2026-03-02T10:00:00Z",
            "2026-03-02T10:00:00Z",
            250.0,
            "mL",
        ),
    ];
    let rep = r.ingest_platform_records(PlatformSource::HealthKit, &reads).unwrap();
    assert_eq!(rep.samples_added, 1, "only the new heart rate: {rep:?}");
    assert_eq!(rep.samples_duplicate, 2);
    assert_eq!(rep.activities_added + rep.activities_merged, 0, "{rep:?}");
    assert_eq!(rep.activities_unchanged, 1);
    assert_eq!(rep.unknown.len(), 1);
    assert_eq!(
        (rep.unknown[0].record_type.as_str(), rep.unknown[0].count),
        ("HKQuantityTypeIdentifierDietaryWater", 2)
    );
    let day = (t("2026-03-02T00:00:00Z"), t("2026-03-03T00:00:00Z"));
    let steps: f64 = r.samples(SampleKind::Steps, day.0, day.1).unwrap().iter().map(|s| s.value).sum();
    assert_eq!(steps, 1200.0, "not double counted");
    // Reading again adds nothing.
    let again = r.ingest_platform_records(PlatformSource::HealthKit, &reads).unwrap();
    assert_eq!(again.samples_added, 0);

    // Health Connect from a phone app over the same minutes: the watch is preferred.
    let hc = PlatformRecord {
        record_type: "StepsRecord".into(),
        start_ms: t("2026-03-02T08:02:00Z"),
        end_ms: t("2026-03-02T08:08:00Z"),
        value: 800.0,
        unit: "count".into(),
        source: "com.google.android.apps.fitness".into(),
        ..Default::default()
    };
    let rep = r.ingest_platform_records(PlatformSource::HealthConnect, &[hc]).unwrap();
    assert_eq!((rep.samples_added, rep.samples_overlapping), (0, 1), "{rep:?}");
    let steps: f64 = r.samples(SampleKind::Steps, day.0, day.1).unwrap().iter().map(|s| s.value).sum();
    assert_eq!(steps, 1200.0);

    // Each read is in the import history.
    let imports = screens::imports_screen(&r, Utc::now()).unwrap();
    assert_eq!(imports.imports[0].origin, "health_connect");
    assert_eq!(strings::text(&imports.imports[1].origin_key), "Apple Health");
    assert_eq!(imports.imports.len(), 4);
}

/// The entry screen shows values as a person reads them, not as the form stores them: a day,
/// not `2019-06-03`; a code by its name and number; a choice by its catalogue label.
#[test]
fn entry_fields_read_as_a_person_would() {
    let dir = tempfile::tempdir().unwrap();
    let r = Record::create(&dir.path().join(DB_FILE), &RawKeyStore::new([6; 32])).unwrap();
    let c = r
        .add_entry_from_form(
            "conditions",
            None,
            &filled(&[
                ("name", "Essential hypertension"),
                ("status", "active"),
                ("onset", "2019-06-03"),
                ("code", "http://snomed.info/sct|59621000|Essential hypertension"),
            ]),
        )
        .unwrap()
        .unwrap();
    let detail = screens::entry_detail(&r, &c.id).unwrap();
    let field = |suffix: &str| {
        detail.fields.iter().find(|f| f.label_key.ends_with(suffix)).unwrap_or_else(|| {
            panic!(
                "no field {suffix} in {:?}",
                detail.fields.iter().map(|f| &f.label_key).collect::<Vec<_>>()
            )
        })
    };
    assert_eq!(field(".onset").value, "3 Jun 2019");
    assert_eq!(field(".code").value, "Essential hypertension (SNOMED CT 59621000)");
    let status = field(".status");
    let key = status.value_key.as_deref().expect("a choice is shown by its label");
    assert_eq!(key, "choice.status.active");
    assert_eq!(strings::text(key), "Still going on");
}
