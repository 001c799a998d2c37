//! FHIR R4 / UK Core through the bindings: import a resource or Bundle (text or file)
//! and export the International Patient Summary or a plain Bundle of chosen sections.
//!
//! A bundle about a different person than the record's owner is refused with
//! `InvalidInput(field = "medical record")` and nothing is stored; the app asks the owner
//! and, if it really is them, imports again with `force = true`.

use crate::record::{blocking, PhrRecord};
use crate::PhrError;
use phr_core::fhir;
use std::collections::HashMap;

type R<T> = Result<T, PhrError>;

#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct FhirImportOptions {
    /// The source system (FHIR base URL). Default: the bundle's `meta.source`, else the
    /// base of its entries' full URLs, else `fhir-file`.
    #[uniffi(default = None)]
    pub system: Option<String>,
    /// Import even if the data is about someone other than the record's owner.
    #[uniffi(default = false)]
    pub force: bool,
    /// This is the source's whole record: retire entries it no longer lists.
    #[uniffi(default = false)]
    pub retire_missing: bool,
}

/// A field where the owner's own entry and the linked one from the medical record differ.
/// Shown as a conflict, never resolved silently.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct FieldConflict {
    pub field: String,
    pub yours: Option<String>,
    pub source: Option<String>,
}

/// An entry the owner typed, linked to the matching one from the medical record.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct SourceLink {
    pub user_entry: String,
    pub source_entry: String,
    pub section: String,
    pub system: String,
    pub conflicts: Vec<FieldConflict>,
}

/// What a FHIR import saw and did.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct FhirImportReport {
    pub system: String,
    pub bundle_type: Option<String>,
    /// Every resource seen, by type (bundle entries, nested and contained ones too).
    pub resources: HashMap<String, u64>,
    /// Resources that became entries / samples / were kept as received / were skipped.
    pub entries: u64,
    pub sample_resources: u64,
    pub kept_raw: u64,
    pub skipped: u64,
    /// Problems that did not stop the import (broken references, bad NHS numbers...).
    pub notes: Vec<String>,
    /// What changed in the record.
    pub added: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub restored: u64,
    pub retired: u64,
    pub samples_added: u64,
    pub samples_duplicate: u64,
    /// "filled" when the import filled an empty identity.
    pub identity: Option<String>,
    pub links: Vec<SourceLink>,
}

impl From<phr_core::store::SourceLink> for SourceLink {
    fn from(l: phr_core::store::SourceLink) -> Self {
        SourceLink {
            user_entry: l.user_entry,
            source_entry: l.source_entry,
            section: l.section,
            system: l.system,
            conflicts: l
                .conflicts
                .into_iter()
                .map(|c| FieldConflict { field: c.field, yours: c.yours, source: c.source })
                .collect(),
        }
    }
}

impl From<fhir::FhirImportReport> for FhirImportReport {
    fn from(r: fhir::FhirImportReport) -> Self {
        let o = r.outcome;
        FhirImportReport {
            system: r.system,
            bundle_type: r.bundle_type,
            resources: r.resources.into_iter().collect(),
            entries: r.entries,
            sample_resources: r.sample_resources,
            kept_raw: r.kept_raw,
            skipped: r.skipped,
            notes: r.notes,
            added: o.added,
            updated: o.updated,
            unchanged: o.unchanged,
            restored: o.restored,
            retired: o.retired,
            samples_added: o.samples.added,
            samples_duplicate: o.samples.duplicates,
            identity: o.identity,
            links: o.links.into_iter().map(Into::into).collect(),
        }
    }
}

fn core_options(o: Option<FhirImportOptions>) -> fhir::FhirImportOptions {
    let o = o.unwrap_or(FhirImportOptions { system: None, force: false, retire_missing: false });
    fhir::FhirImportOptions { system: o.system, force: o.force, retire_missing: o.retire_missing }
}

#[uniffi::export(async_runtime = "tokio")]
impl PhrRecord {
    /// Imports FHIR R4 JSON (a resource or a Bundle) in one transaction: it lands whole or
    /// not at all. Malformed JSON: `InvalidInput(field = "FHIR file")`.
    pub async fn import_fhir_json(
        &self,
        json: String,
        options: Option<FhirImportOptions>,
    ) -> R<FhirImportReport> {
        let inner = self.inner.clone();
        blocking(move || {
            let report = fhir::import_bytes(&inner, json.as_bytes(), &core_options(options))?;
            crate::share::card_follows(&inner, "medications");
            Ok(report.into())
        })
        .await
    }

    /// Imports a FHIR R4 JSON file, streamed (large bundles never sit in memory whole).
    pub async fn import_fhir_file(
        &self,
        path: String,
        options: Option<FhirImportOptions>,
    ) -> R<FhirImportReport> {
        let inner = self.inner.clone();
        blocking(move || {
            let p = std::path::Path::new(&path);
            if !p.is_file() {
                return Err(PhrError::NotFound { what: "file".into() });
            }
            let report = fhir::import_path(&inner, p, &core_options(options))?;
            crate::share::card_follows(&inner, "medications");
            Ok(report.into())
        })
        .await
    }

    /// The International Patient Summary as a FHIR `document` Bundle (compact JSON). `sections`:
    /// slugs to include (allergies, medications and problems are always present); None
    /// for the whole core.
    pub async fn export_ips(&self, sections: Option<Vec<String>>) -> R<String> {
        let inner = self.inner.clone();
        blocking(move || Ok(fhir::export::ips_bundle(&inner, sections.as_deref())?.to_string())).await
    }

    /// A plain FHIR `collection` Bundle (JSON) of the named sections, with the Patient.
    pub async fn export_fhir_bundle(&self, sections: Vec<String>) -> R<String> {
        let inner = self.inner.clone();
        blocking(move || {
            if sections.is_empty() {
                return Err(PhrError::InvalidInput { field: "sections".into() });
            }
            Ok(fhir::export::fhir_bundle(&inner, &sections)?.to_string())
        })
        .await
    }
}
