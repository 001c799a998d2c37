//! The record model: sections, entries, provenance, annotations, tombstones, samples.
//!
//! Pure data and validation; storage lives in `store`, which is the only module that
//! reads or writes these to disk.

mod activity;
mod blood_group;
mod entry;
mod fields;
mod nhs;
mod sample;
mod section;

pub use crate::sport::Sport;
pub use activity::{Activity, Lap, TrackPoint};
pub use blood_group::{Abo, BloodGroup, RhD};
pub use entry::format_day;
pub use entry::{
    AllergyKind, AllergyStatus, Annotation, AnnotationKind, Code, ConditionStatus, Entry, EntryValue,
    FieldValue, OrganDonationDecision, Provenance, Revision, Severity,
};
pub use fields::{
    entry_fields, section_entry_types, EntryField, FieldShape, ALLERGY_KINDS, ALLERGY_STATUSES,
    CONDITION_STATUSES, ENTRY_TYPES, ORGAN_DONATION_DECISIONS, SEVERITIES,
};
pub use nhs::NhsNumber;
pub use sample::{DailyRollup, IngestReport, Sample, SampleKind};
pub use section::{BuiltinSection, FieldDef, FieldType, PrivacyLevel, Section, SectionClass};
