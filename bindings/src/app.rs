//! The app-facing layer across the boundary: form specs and form submission, screen
//! models, the string catalogue and change observation (`phr_core::app`, ADR 0025).
//!
//! The core's own structs cross as UniFFI *remote* types: the definitions below mirror
//! `phr_core::app` field for field (a mismatch does not compile), so there is no second
//! copy to convert to and nothing to drift. Every call that reads or writes the store is
//! `async` (Kotlin `suspend`, Swift `async`) and runs on tokio's blocking pool, off the
//! app's main thread.

use crate::record::{blocking, PhrRecord};
use crate::PhrError;
use phr_core::app::forms::{self, FieldError, FieldKind, FormField, FormSpec, RangePart};
use phr_core::app::screens::{
    self, AnnotationLine, ConflictNote, EntryAction, EntryRow, EntryScreen, FieldLine, HistoryLine,
    HomeScreen, Label, ProvenanceLabel, SectionCard, SectionScreen,
};
use phr_core::app::warm::WarmingObserver;
use phr_core::store::{ObserverId, RecordArea};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

type R<T> = Result<T, PhrError>;

// ---- forms (phr_core::app::forms) ----

#[uniffi::remote(Enum)]
pub enum RangePart {
    Start,
    End,
}

#[uniffi::remote(Enum)]
pub enum FieldKind {
    Text,
    LongText,
    Date,
    DateRange { part: RangePart, pair: String },
    Number { units: Vec<String>, canonical_unit: Option<String>, integer: bool },
    Choice { values: Vec<String> },
    YesNo,
    NhsNumber,
    BloodGroup,
    CodedValue,
    TextList,
}

#[uniffi::remote(Record)]
pub struct FormField {
    pub id: String,
    pub label_key: String,
    pub hint_key: String,
    pub label: Option<String>,
    pub kind: FieldKind,
    pub required: bool,
    pub example: String,
    pub choice_label_keys: Vec<String>,
}

#[uniffi::remote(Record)]
pub struct FormSpec {
    pub section: String,
    pub title: String,
    pub entry_type: String,
    pub entry_types: Vec<String>,
    pub fields: Vec<FormField>,
}

#[uniffi::remote(Record)]
pub struct FieldError {
    pub field: String,
    pub key: String,
    pub suggestion: Option<String>,
    pub accepted: Vec<String>,
}

/// What submitting a form did: saved (the entry's id), or the per-field problems to show
/// beside the fields (catalogue keys; never what was typed).
#[derive(Debug, uniffi::Enum)]
pub enum FormOutcome {
    Saved { entry_id: String },
    Invalid { errors: Vec<FieldError> },
}

/// The form to edit an entry with, already filled with its current values.
#[derive(Debug, uniffi::Record)]
pub struct EditForm {
    pub entry_id: String,
    pub spec: FormSpec,
    pub values: HashMap<String, String>,
}

fn filled(values: HashMap<String, String>) -> forms::Filled {
    values.into_iter().collect()
}

fn outcome(r: Result<phr_core::record::Entry, Vec<FieldError>>) -> FormOutcome {
    match r {
        Ok(e) => FormOutcome::Saved { entry_id: e.id },
        Err(errors) => FormOutcome::Invalid { errors },
    }
}

// ---- screens (phr_core::app::screens) ----

#[uniffi::remote(Record)]
pub struct ProvenanceLabel {
    pub key: String,
    pub source: Option<String>,
}

#[uniffi::remote(Record)]
pub struct EntryRow {
    pub id: String,
    pub summary: String,
    pub updated: String,
    pub provenance: ProvenanceLabel,
    pub no_longer_relevant: bool,
    pub hidden: bool,
    pub deleted: bool,
}

#[uniffi::remote(Record)]
pub struct SectionCard {
    pub id: String,
    pub title: String,
    pub count: u32,
    pub latest: Vec<EntryRow>,
}

#[uniffi::remote(Record)]
pub struct HomeScreen {
    pub sections: Vec<SectionCard>,
    pub attention: Vec<String>,
}

#[uniffi::remote(Record)]
pub struct SectionScreen {
    pub id: String,
    pub title: String,
    pub privacy: String,
    pub entries: Vec<EntryRow>,
    pub can_add: bool,
}

#[uniffi::remote(Enum)]
pub enum EntryAction {
    Edit,
    Delete,
    Undo,
    Purge,
    Annotate,
    Hide,
    Unhide,
    DismissConflict,
}

#[uniffi::remote(Record)]
pub struct ConflictNote {
    pub message: Label,
    pub restore: Label,
    pub replaced: String,
}

#[uniffi::remote(Record)]
pub struct FieldLine {
    pub label_key: String,
    pub label: Option<String>,
    pub value: String,
    pub value_key: Option<String>,
}

#[uniffi::remote(Record)]
pub struct HistoryLine {
    pub until: String,
    pub summary: String,
}

#[uniffi::remote(Record)]
pub struct AnnotationLine {
    pub at: String,
    pub key: String,
    pub text: Option<String>,
}

#[uniffi::remote(Record)]
pub struct EntryScreen {
    pub id: String,
    pub section: String,
    pub summary: String,
    pub fields: Vec<FieldLine>,
    pub provenance: ProvenanceLabel,
    pub created: String,
    pub updated: String,
    pub history: Vec<HistoryLine>,
    pub annotations: Vec<AnnotationLine>,
    pub hidden: bool,
    pub deleted: bool,
    pub actions: Vec<EntryAction>,
    pub conflict: Option<ConflictNote>,
}

// ---- change observation (phr_core::store::observe) ----

#[uniffi::remote(Enum)]
pub enum RecordArea {
    Sections,
    Entries,
    Samples,
    Activities,
    Sharing,
    Settings,
    Keys,
    Imports,
}

/// Told after each committed change to the record (an edit, an import, a sync), with the
/// areas it touched, so screens showing them refresh. Changes that land close together may
/// be told once, with all their areas. Called on the core's warming thread:
/// post to a channel and return (the shells wrap it as a Kotlin `Flow` / Swift
/// `AsyncStream`); never write to the record from here.
#[uniffi::export(with_foreign)]
pub trait RecordChangeListener: Send + Sync {
    fn record_changed(&self, areas: Vec<RecordArea>);
}

/// The app's listener, silent once its handle is cancelled: a notice already on its way
/// through the warming thread is dropped rather than told after `cancel()`.
struct ForeignListener {
    listener: Arc<dyn RecordChangeListener>,
    open: Arc<AtomicBool>,
}

impl phr_core::store::RecordObserver for ForeignListener {
    fn record_changed(&self, changed: phr_core::store::Changed) {
        if self.open.load(Ordering::Acquire) {
            self.listener.record_changed(changed.areas());
        }
    }
}

/// A listener's registration. `cancel()` (from Kotlin's `awaitClose`, Swift's
/// `onTermination`) stops it; dropping the handle does too.
#[derive(uniffi::Object)]
pub struct ObservationHandle {
    record: Arc<phr_core::Record>,
    id: Mutex<Option<ObserverId>>,
    open: Arc<AtomicBool>,
}

impl std::fmt::Debug for ObservationHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ObservationHandle").finish_non_exhaustive()
    }
}

#[uniffi::export]
impl ObservationHandle {
    /// Stops the listener hearing of changes. Idempotent.
    pub fn cancel(&self) {
        self.open.store(false, Ordering::Release);
        if let Some(id) = self.id.lock().unwrap_or_else(|p| p.into_inner()).take() {
            self.record.unobserve(id);
        }
    }
}

impl Drop for ObservationHandle {
    fn drop(&mut self) {
        self.cancel();
    }
}

// ---- the calls ----

#[uniffi::export(async_runtime = "tokio")]
impl PhrRecord {
    /// The form for adding to `section` (slug or title); `entry_type` picks one of the
    /// section's entry types (`None`: the usual one).
    pub async fn form_spec(&self, section: String, entry_type: Option<String>) -> R<FormSpec> {
        let inner = self.inner.clone();
        blocking(move || {
            let s = inner.resolve_section(&section)?;
            match entry_type {
                None => Ok(forms::form_spec(&s)),
                Some(t) => {
                    forms::form_spec_for(&s, &t).map_err(|_| PhrError::NotFound { what: "entry type".into() })
                }
            }
        })
        .await
    }

    /// Checks a filled form without saving (field id -> text as typed).
    pub async fn validate_form(
        &self,
        section: String,
        entry_type: Option<String>,
        values: HashMap<String, String>,
    ) -> R<Vec<FieldError>> {
        let inner = self.inner.clone();
        blocking(move || {
            let s = inner.resolve_section(&section)?;
            Ok(forms::validate(&s, entry_type.as_deref(), &filled(values)))
        })
        .await
    }

    /// Adds an entry from a filled form in one call.
    pub async fn add_entry_from_form(
        &self,
        section: String,
        entry_type: Option<String>,
        values: HashMap<String, String>,
    ) -> R<FormOutcome> {
        let inner = self.inner.clone();
        blocking(move || {
            let saved = inner.add_entry_from_form(&section, entry_type.as_deref(), &filled(values))?;
            if let Ok(e) = &saved {
                crate::share::card_follows(&inner, &e.section);
            }
            Ok(outcome(saved))
        })
        .await
    }

    /// The form to edit entry `id`, filled with its current values.
    pub async fn edit_form(&self, id: String) -> R<EditForm> {
        let inner = self.inner.clone();
        blocking(move || {
            let e = inner.entry(&id)?;
            let s = inner.resolve_section(&e.section)?;
            let spec = forms::form_spec_for(&s, e.value.type_name()).map_err(|_| PhrError::Internal)?;
            let values = forms::form_values(&s, &e.value).into_iter().collect();
            Ok(EditForm { entry_id: e.id, spec, values })
        })
        .await
    }

    /// Saves an edited form; the old value goes to the entry's history.
    pub async fn edit_entry_from_form(&self, id: String, values: HashMap<String, String>) -> R<FormOutcome> {
        let inner = self.inner.clone();
        blocking(move || {
            let saved = inner.edit_entry_from_form(&id, &filled(values))?;
            if let Ok(e) = &saved {
                crate::share::card_follows(&inner, &e.section);
            }
            Ok(outcome(saved))
        })
        .await
    }

    /// The home screen: sections with counts and latest entries, what needs attention.
    pub async fn home_screen(&self) -> R<HomeScreen> {
        let inner = self.inner.clone();
        blocking(move || Ok(screens::home(&inner)?)).await
    }

    /// One section's screen; `include_removed` adds hidden and deleted entries.
    pub async fn section_screen(&self, section: String, include_removed: bool) -> R<SectionScreen> {
        let inner = self.inner.clone();
        blocking(move || Ok(screens::section_detail(&inner, &section, include_removed)?)).await
    }

    /// One entry's screen: fields, where it came from, history, notes, allowed actions.
    pub async fn entry_screen(&self, id: String) -> R<EntryScreen> {
        let inner = self.inner.clone();
        blocking(move || Ok(screens::entry_detail(&inner, &id)?)).await
    }

    /// The owner has read the sync conflict note on an entry (`EntryAction.DismissConflict`):
    /// it leaves the entry's screen; the history keeps both values. False if there was none.
    pub async fn dismiss_sync_conflict(&self, entry_id: String) -> R<bool> {
        let inner = self.inner.clone();
        blocking(move || Ok(inner.dismiss_sync_conflict(&entry_id)?)).await
    }

    /// Registers `listener` to hear of every committed change; keep the handle while the
    /// screen is shown and close it after.
    /// The listener is told after the core has rebuilt what home and insights keep per
    /// change (`phr_core::app::warm`), so the redraw it triggers finds them built.
    pub fn observe(&self, listener: Arc<dyn RecordChangeListener>) -> Arc<ObservationHandle> {
        let open = Arc::new(AtomicBool::new(true));
        let app: Arc<dyn phr_core::store::RecordObserver> =
            Arc::new(ForeignListener { listener, open: open.clone() });
        let observer: Arc<dyn phr_core::store::RecordObserver> =
            match WarmingObserver::new(Arc::downgrade(&self.inner), app.clone()) {
                Ok(warming) => warming,
                // No thread to spare: tell the app straight away; its first draw builds.
                Err(_) => app,
            };
        let id = self.inner.observe(observer);
        Arc::new(ObservationHandle { record: self.inner.clone(), id: Mutex::new(Some(id)), open })
    }
}

/// The English text of a catalogue key, with `{name}` placeholders left for the caller.
/// The apps read their generated `strings.xml` / `Localizable.strings`; this is for tests
/// and tools. An unknown key comes back as itself.
#[uniffi::export]
pub fn catalogue_text(key: String) -> String {
    phr_core::app::strings::text(&key).to_string()
}
