//! Consent: who may see which sections, for what purpose, until when; and the owner's
//! hash-chained audit log of every read.
//!
//! The rules (docs/adr/0008-consent-and-sharing.md):
//!
//! - **Default deny.** Nothing is readable by anyone but the owner without a [`Grant`].
//! - **One gate.** [`check`] is the only function that assembles data for someone other
//!   than the owner. It re-applies every rule at read time (the owner may have changed a
//!   section's privacy since granting) and writes an audit entry whether it allows or
//!   denies. The `share` module gets its content only from here.
//! - **Private** sections are never shared. **Sensitive** sections are shared only when the
//!   grant names them one by one (the `all` shortcut never expands to them).
//! - **Employers and insurers** never receive sensitive sections, free-text illness
//!   experience, the stress section, or any entry [`mental_health::is_mental_health`]
//!   recognises. A grant asking for them is refused when made; at read time such content
//!   is dropped and the view says only that *some sections were not shared*.
//! - Grants and the audit log are sealed in the record like every other value.

pub mod mental_health;
pub mod preview;

use crate::record::{
    Activity, BuiltinSection, Entry, EntryValue, PrivacyLevel, Provenance, SampleKind, Section,
};
use crate::store::ListOptions;
use crate::{Error, Record, Result};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The grant and audit types are data in the model crate (the store keeps them without
/// depending on this module); re-exported so paths stay `phr_core::consent::...`.
pub use phr_model::grant::*;

/// Sections of the ready-made emergency card.
pub const EMERGENCY_SECTIONS: &[&str] = &[
    "allergies",
    "medications",
    "conditions",
    "blood_group",
    "contacts",
    "organ_donation",
    "emergency_info",
];

/// What the owner asks for. `sections` may contain `all` (every enabled shareable
/// section, never a sensitive or private one) and `emergency` (the emergency card).
#[derive(Clone, Debug)]
pub struct GrantRequest {
    pub recipient: Recipient,
    pub sections: Vec<String>,
    pub purpose: String,
    pub message: Option<String>,
    pub start: Option<DateTime<Utc>>,
    pub expiry: Option<DateTime<Utc>>,
    /// Chosen entries instead of whole sections, GPS tracks, the owner's confirmation.
    pub disclosure: Disclosure,
}

/// Why a read was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DenyReason {
    NoGrant,
    Revoked,
    Expired,
    NotYetValid,
}

/// One section as a recipient sees it.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SharedSection {
    pub slug: String,
    pub title: String,
    pub entries: Vec<SharedEntry>,
    /// Daily values of the section's measurements ([`measurement_kinds`]), oldest first.
    #[serde(default)]
    pub measurements: Vec<SharedMeasurement>,
    /// The exercise section's activities in the window, oldest first.
    #[serde(default)]
    pub activities: Vec<SharedActivity>,
    /// The exercise section's training load by week (sum of each activity's TRIMP).
    #[serde(default)]
    pub training_load: Vec<SharedWeekLoad>,
}

/// One activity as a recipient sees it: a summary; the route only if the owner ticked it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SharedActivity {
    pub id: String,
    /// [`crate::record::Sport::as_str`]: "running", "cycling", ...
    pub sport: String,
    pub start: DateTime<Utc>,
    pub duration_s: f64,
    #[serde(default)]
    pub distance_m: Option<f64>,
    #[serde(default)]
    pub avg_hr: Option<f64>,
    /// (latitude, longitude) points; empty unless the grant includes tracks.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub track: Vec<(f64, f64)>,
}

/// A week's training load: the sum of the TRIMP of that week's activities.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SharedWeekLoad {
    /// Monday of the ISO week.
    pub week_start: chrono::NaiveDate,
    pub trimp: f64,
    pub activities: u32,
}

/// One day's value of a measurement: the mean for levels (weight, blood pressure), the
/// total for counts (steps, sleep). Daily, not every reading: enough for a clinician's
/// trend, and bounded (at most [`MEASUREMENT_DAYS`] a kind).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SharedMeasurement {
    pub kind: SampleKind,
    pub day: chrono::NaiveDate,
    pub value: f64,
    /// Readings that day.
    pub count: u64,
}

/// How far back measurements go: this many days before the grant's start, up to now (or
/// the grant's expiry). Also the cap on days per kind.
pub const MEASUREMENT_DAYS: i64 = 365;

/// The measurements a section carries when it is shared.
pub fn measurement_kinds(section: BuiltinSection) -> &'static [SampleKind] {
    use SampleKind as K;
    match section {
        BuiltinSection::Weight => &[K::Weight, K::Height, K::BodyFat],
        BuiltinSection::BloodPressure => {
            &[K::BloodPressureSystolic, K::BloodPressureDiastolic, K::RestingHeartRate]
        }
        // What a clinician reads fitness from: VO2max and heart rate variability beside
        // steps and resting heart rate (activities and training load come separately).
        BuiltinSection::Exercise => &[K::Steps, K::RestingHeartRate, K::Vo2Max, K::HeartRateVariability],
        BuiltinSection::Sleep => &[K::SleepDuration],
        // Vital signs the GP record holds besides weight and blood pressure.
        BuiltinSection::TestResults => {
            &[K::OxygenSaturation, K::BodyTemperature, K::RespiratoryRate, K::BloodGlucose]
        }
        _ => &[],
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SharedEntry {
    pub id: String,
    pub value: EntryValue,
    /// "GP record", "Entered by me", "Imported from ...".
    pub source: String,
    /// Where it came from, for the recipient to judge it.
    #[serde(default)]
    pub origin: Origin,
    pub recorded: DateTime<Utc>,
}

/// Where a shared item came from, as the recipient is told.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    /// From the GP or hospital record.
    GpRecord,
    /// Imported from a device or an app.
    Device,
    /// Entered by the owner.
    #[default]
    Owner,
}

impl Origin {
    pub fn of(p: &Provenance) -> Self {
        match p {
            Provenance::MedicalRecord { .. } => Self::GpRecord,
            Provenance::Import { .. } => Self::Device,
            Provenance::User => Self::Owner,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Self::GpRecord => "gp_record",
            Self::Device => "device",
            Self::Owner => "owner",
        }
    }
    /// The catalogue key of its wording.
    pub fn label_key(self) -> &'static str {
        match self {
            Self::GpRecord => "share.origin.gp_record",
            Self::Device => "share.origin.device",
            Self::Owner => "share.origin.owner",
        }
    }
}

/// A [`SharedView`] that [`check`] allowed. Only `check` can make one (the field is
/// private and it cannot be deserialised), and the share module takes nothing else: what
/// goes into a link has passed consent by construction, not by convention. It reads as
/// the view it wraps (`Deref`).
#[derive(Clone, Debug, Serialize)]
#[serde(transparent)]
pub struct ConsentedView(SharedView);

impl std::ops::Deref for ConsentedView {
    type Target = SharedView;
    fn deref(&self) -> &SharedView {
        &self.0
    }
}

impl ConsentedView {
    /// The plain view (for display); it no longer proves consent.
    pub fn into_view(self) -> SharedView {
        self.0
    }
}

/// Everything a recipient may see under a grant, assembled by [`check`].
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SharedView {
    pub grant_id: String,
    pub recipient: Recipient,
    pub purpose: String,
    pub message: Option<String>,
    pub generated_at: DateTime<Utc>,
    pub sections: Vec<SharedSection>,
    /// True when any named section or entry was left out. Says nothing about which.
    pub some_not_shared: bool,
    /// When this recipient was last given a share before this one: what changed since is
    /// what a clinician reads first.
    #[serde(default)]
    pub last_shared: Option<DateTime<Utc>>,
}

#[derive(Clone, Debug)]
pub enum Decision {
    Allowed(ConsentedView),
    Denied(DenyReason),
}

fn section_allowed(section: &Section, category: RecipientCategory) -> bool {
    if !section.enabled || section.privacy == PrivacyLevel::Private {
        return false;
    }
    if category.is_restricted() {
        if section.privacy == PrivacyLevel::Sensitive {
            return false;
        }
        if matches!(section.builtin(), Some(BuiltinSection::IllnessExperience | BuiltinSection::Stress)) {
            return false;
        }
    }
    true
}

/// What a request names, expanded and checked: the section slugs and the chosen entries'
/// full ids. Shared by [`create_grant`] and [`preview::disclosure_preview`], so what the
/// owner is shown is what the grant would be.
pub(crate) fn expand(record: &Record, req: &GrantRequest) -> Result<(Vec<String>, Vec<String>)> {
    let cat = req.recipient.category;
    let mut slugs: Vec<String> = Vec::new();
    let mut push = |s: String| {
        if !slugs.contains(&s) {
            slugs.push(s)
        }
    };
    for name in &req.sections {
        let name = name.trim();
        match name {
            "" => continue,
            // The fewest sections for an employer or insurer: each one named, never a shortcut.
            "all" | "emergency" if cat.is_restricted() => {
                return Err(Error::invalid(
                    "share.preview.name_each",
                    "name each section they need, one by one",
                ));
            }
            "all" => {
                for s in record.sections()? {
                    if s.enabled && s.privacy == PrivacyLevel::Shareable && section_allowed(&s, cat) {
                        push(s.id.clone());
                    }
                }
            }
            "emergency" => {
                for slug in EMERGENCY_SECTIONS {
                    let s = record.section(slug)?;
                    if s.enabled && s.privacy == PrivacyLevel::Shareable && section_allowed(&s, cat) {
                        push(s.id.clone());
                    }
                }
            }
            other => {
                let s = record.resolve_section(other)?;
                if s.privacy == PrivacyLevel::Private {
                    return Err(Error::invalid(
                        "sections",
                        format!("{} is private and is never shared", s.id),
                    ));
                }
                if cat.is_restricted() && !section_allowed(&s, cat) {
                    return Err(Error::invalid(
                        "sections",
                        format!("{} can never be shared with an employer or insurer", s.id),
                    ));
                }
                if !s.enabled {
                    return Err(Error::invalid("sections", format!("{} is switched off", s.id)));
                }
                push(s.id.clone());
            }
        }
    }
    // Chosen entries bring their section in, under the same rules as a named section.
    let mut chosen = Vec::new();
    for id in &req.disclosure.entries {
        let e = record.entry(&record.resolve_id(crate::store::IdKind::Entry, id)?)?;
        let s = record.section(&e.section)?;
        if !s.enabled || s.privacy == PrivacyLevel::Private || !section_allowed(&s, cat) {
            return Err(Error::invalid("entries", "an entry chosen is in a section that may not be shared"));
        }
        if e.deleted_at.is_some() || e.hidden || (cat.is_restricted() && mental_health::is_mental_health(&e))
        {
            return Err(Error::invalid("entries", "an entry chosen may not be shared"));
        }
        push(s.id.clone());
        chosen.push(e.id);
    }
    if slugs.is_empty() {
        return Err(Error::invalid("sections", "name at least one section that may be shared"));
    }
    Ok((slugs, chosen))
}

/// Expands `all`/`emergency`, checks every named section against the rules, and stores
/// the grant. A request the rules forbid is refused with a reason naming the section.
pub fn create_grant(record: &Record, req: GrantRequest) -> Result<Grant> {
    let now = Utc::now();
    if req.recipient.name.trim().is_empty() {
        return Err(Error::invalid("recipient", "needs a name"));
    }
    if req.purpose.trim().is_empty() {
        return Err(Error::invalid("purpose", "say why you are sharing"));
    }
    let cat = req.recipient.category;
    let (slugs, chosen) = expand(record, &req)?;
    // Pressure-proofing: an employer or insurer share needs the owner to have seen
    // [`preview::disclosure_preview`] and said yes (the CLI and the apps ask; this refuses otherwise).
    if cat.is_restricted() && !req.disclosure.confirmed {
        return Err(Error::invalid(
            "confirm",
            "an employer or insurer share needs your explicit confirmation",
        ));
    }
    let req_disclosure = Disclosure { entries: chosen, ..req.disclosure.clone() };
    let start = req.start.unwrap_or(now);
    if let Some(exp) = req.expiry {
        if exp <= start {
            return Err(Error::invalid("expiry", "must be after the start"));
        }
    }
    let grant = Grant {
        id: uuid::Uuid::new_v4().to_string(),
        recipient: req.recipient,
        sections: slugs,
        purpose: req.purpose,
        message: req.message,
        start,
        expiry: req.expiry,
        revoked_at: None,
        created_at: now,
        link: None,
        replies: Vec::new(),
        answer: None,
        disclosure: req_disclosure,
    };
    record.insert_grant_audited(&grant, AuditAction::GrantCreated, &format!("purpose: {}", grant.purpose))?;
    Ok(grant)
}

/// Marks a grant revoked (the share module also deletes the relay's copy).
pub fn revoke_grant(record: &Record, grant_id: &str) -> Result<Grant> {
    let mut g = record.grant(grant_id)?.ok_or(Error::NotFound { what: "grant" })?;
    if g.revoked_at.is_none() {
        g.revoked_at = Some(Utc::now());
        record.update_grant_audited(&g, Some((AuditAction::GrantRevoked, String::new())))?;
    }
    Ok(g)
}

/// THE consent check: decides a read made under `grant_id` for someone other than the
/// owner, assembles what may be seen, and writes an audit entry either way.
pub fn check(record: &Record, grant_id: &str, now: DateTime<Utc>) -> Result<Decision> {
    let Some(grant) = record.grant(grant_id)? else {
        record.append_audit(AuditAction::Denied, "unknown", Some(grant_id), &[], "no such grant")?;
        return Ok(Decision::Denied(DenyReason::NoGrant));
    };
    let reason = match grant.status(now) {
        GrantStatus::Active => None,
        GrantStatus::Revoked => Some(DenyReason::Revoked),
        GrantStatus::Expired => Some(DenyReason::Expired),
        GrantStatus::NotYetValid => Some(DenyReason::NotYetValid),
    };
    if let Some(r) = reason {
        record.append_audit(
            AuditAction::Denied,
            &grant.recipient.name,
            Some(grant_id),
            &[],
            &format!("{r:?}").to_lowercase(),
        )?;
        return Ok(Decision::Denied(r));
    }
    let cat = grant.recipient.category;
    let mut some_not_shared = false;
    let mut sections = Vec::new();
    for slug in &grant.sections {
        let s = match record.section(slug) {
            Ok(s) => s,
            Err(_) => {
                some_not_shared = true;
                continue;
            }
        };
        if !section_allowed(&s, cat) {
            some_not_shared = true;
            continue;
        }
        let all = record.list_entries(slug, ListOptions::default())?;
        // Minimal disclosure: a section holding a chosen entry gives only the chosen ones
        // (and none of its measurements); the other named sections are shared whole.
        let chosen = &grant.disclosure.entries;
        let narrowed = all.iter().any(|e| chosen.contains(&e.id));
        let mut entries = Vec::new();
        for e in all {
            if e.deleted_at.is_some() || e.hidden || (narrowed && !chosen.contains(&e.id)) {
                continue;
            }
            if cat.is_restricted() && mental_health::is_mental_health(&e) {
                some_not_shared = true;
                continue;
            }
            entries.push(shared_entry(e));
        }
        let (measurements, activities, training_load) = match s.builtin() {
            Some(_) if narrowed => (Vec::new(), Vec::new(), Vec::new()),
            Some(b) => {
                let m = shared_measurements(record, measurement_kinds(b), &grant, now)?;
                if b == BuiltinSection::Exercise {
                    let acts = record.activities(window(&grant, now).0, now.timestamp_millis() + 1)?;
                    let load = weekly_load(&acts);
                    (m, shared_activities(record, acts, grant.disclosure.include_tracks)?, load)
                } else {
                    (m, Vec::new(), Vec::new())
                }
            }
            None => (Vec::new(), Vec::new(), Vec::new()),
        };
        sections.push(SharedSection {
            slug: s.id.clone(),
            title: s.title.clone(),
            entries,
            measurements,
            activities,
            training_load,
        });
    }
    let who = grant.recipient.name.trim().to_lowercase();
    let last_shared = record
        .grants()?
        .into_iter()
        .filter(|g| g.id != grant.id && g.created_at < grant.created_at)
        .filter(|g| g.recipient.name.trim().to_lowercase() == who)
        .map(|g| g.created_at)
        .max();
    let read: Vec<String> = sections.iter().map(|s| s.slug.clone()).collect();
    record.append_audit(AuditAction::Read, &grant.recipient.name, Some(grant_id), &read, &grant.purpose)?;
    Ok(Decision::Allowed(ConsentedView(SharedView {
        grant_id: grant.id,
        recipient: grant.recipient,
        purpose: grant.purpose,
        message: grant.message,
        generated_at: now,
        sections,
        some_not_shared,
        last_shared,
    })))
}

/// Daily values of `kinds` from [`MEASUREMENT_DAYS`] before the grant's start to now
/// (or its expiry), at most [`MEASUREMENT_DAYS`] days a kind (the latest).
fn shared_measurements(
    record: &Record,
    kinds: &[SampleKind],
    grant: &Grant,
    now: DateTime<Utc>,
) -> Result<Vec<SharedMeasurement>> {
    let to = grant.expiry.map_or(now, |e| e.min(now)).date_naive();
    let from = (grant.start - chrono::Duration::days(MEASUREMENT_DAYS)).date_naive();
    let mut out = Vec::new();
    for &kind in kinds {
        let days = record.daily_rollups(kind, from, to)?;
        let skip = days.len().saturating_sub(MEASUREMENT_DAYS as usize);
        for d in days.into_iter().skip(skip).filter(|d| d.count > 0) {
            let value = if kind.is_cumulative() { d.sum } else { d.mean() };
            out.push(SharedMeasurement {
                kind,
                day: d.day,
                value: (value * 10.0).round() / 10.0,
                count: d.count,
            });
        }
    }
    Ok(out)
}

fn shared_entry(e: Entry) -> SharedEntry {
    SharedEntry {
        source: e.provenance.label(),
        origin: Origin::of(&e.provenance),
        id: e.id,
        value: e.value,
        recorded: e.updated_at,
    }
}

/// The measurement window in milliseconds: [`MEASUREMENT_DAYS`] before the grant's start
/// to now (or its expiry).
fn window(grant: &Grant, now: DateTime<Utc>) -> (i64, i64) {
    let to = grant.expiry.map_or(now, |e| e.min(now));
    ((grant.start - chrono::Duration::days(MEASUREMENT_DAYS)).timestamp_millis(), to.timestamp_millis())
}

/// The activities' summaries; each route is read (it is stored apart) only when the grant
/// includes tracks.
fn shared_activities(record: &Record, acts: Vec<Activity>, tracks: bool) -> Result<Vec<SharedActivity>> {
    let mut out = Vec::with_capacity(acts.len());
    for a in acts {
        let track = if tracks {
            record.activity(&a.id)?.track.iter().filter_map(|p| Some((p.lat?, p.lon?))).collect()
        } else {
            Vec::new()
        };
        out.push(SharedActivity {
            sport: a.sport.as_str().to_string(),
            start: DateTime::<Utc>::from_timestamp_millis(a.start_ms).unwrap_or_default(),
            duration_s: a.timer_s.unwrap_or(a.elapsed_s),
            distance_m: a.distance_m,
            avg_hr: a.avg_hr,
            id: a.id,
            track,
        });
    }
    Ok(out)
}

/// Training load by ISO week: the sum of each activity's TRIMP (weeks with none are left out).
fn weekly_load(acts: &[Activity]) -> Vec<SharedWeekLoad> {
    use chrono::Datelike;
    let mut weeks: std::collections::BTreeMap<chrono::NaiveDate, (f64, u32)> = Default::default();
    for a in acts {
        let Some(t) = a.metrics.get("trimp") else { continue };
        let Some(day) = DateTime::<Utc>::from_timestamp_millis(a.start_ms).map(|d| d.date_naive()) else {
            continue;
        };
        let monday = day - chrono::Duration::days(i64::from(day.weekday().num_days_from_monday()));
        let w = weeks.entry(monday).or_default();
        w.0 += t;
        w.1 += 1;
    }
    weeks
        .into_iter()
        .map(|(week_start, (t, n))| SharedWeekLoad {
            week_start,
            trimp: (t * 10.0).round() / 10.0,
            activities: n,
        })
        .collect()
}
