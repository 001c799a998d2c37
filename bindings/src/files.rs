//! Files the owner picks: what a wearable file holds before importing it (`phr inspect`),
//! and the whole record written out as JSON (`phr export`).

use crate::record::{blocking, PhrRecord};
use crate::PhrError;
use phr_core::import::inspect::{inspect_reader, Inspection};
use phr_core::import::{ImportOptions, Problem};
use std::collections::HashMap;

type R<T> = Result<T, PhrError>;

/// One workout found in a file.
#[derive(Debug, uniffi::Record)]
pub struct InspectedActivity {
    pub sport: String,
    pub start_utc: String,
    pub elapsed_s: f64,
    pub distance_m: Option<f64>,
    pub track_points: u64,
}

/// What a file holds, read without opening the record: shown before the owner imports.
#[derive(Debug, uniffi::Record)]
pub struct FileInspection {
    /// `fit`, `gpx`, `tcx`, `apple_health`, `csv`, `strava_json`.
    pub format: String,
    pub bytes: u64,
    /// Part of the file could not be read; the rest is what was recovered.
    pub damaged: bool,
    pub points: u64,
    /// Samples an import would offer, per kind.
    pub samples: HashMap<String, u64>,
    pub activities: Vec<InspectedActivity>,
    /// Devices and apps named in the file.
    pub sources: Vec<String>,
    pub first_utc: Option<String>,
    pub last_utc: Option<String>,
    /// Problems found, each with its position and reason.
    pub problems: Vec<String>,
}

/// Reads the file at `path` (iOS file URLs, desktop) and says what an import would take
/// from it. Nothing is written anywhere. Not a format we read: `InvalidInput`.
#[uniffi::export(async_runtime = "tokio")]
pub async fn inspect_file(path: String) -> R<FileInspection> {
    blocking(move || {
        let f = std::fs::File::open(&path).map_err(|_| PhrError::NotFound { what: "file".into() })?;
        convert(inspect_reader(&path, std::io::BufReader::new(f), &ImportOptions::default()))
    })
    .await
}

/// [`inspect_file`] for bytes the app read itself (Android's document picker gives a
/// content URI, not a path); `name` carries the extension that tells the format.
#[uniffi::export(async_runtime = "tokio")]
pub async fn inspect_bytes(name: String, data: Vec<u8>) -> R<FileInspection> {
    blocking(move || convert(inspect_reader(&name, std::io::Cursor::new(data), &ImportOptions::default())))
        .await
}

fn convert(read: Result<Inspection, Problem>) -> R<FileInspection> {
    let i = read.map_err(|_| PhrError::InvalidInput { field: "file".into() })?;
    Ok(FileInspection {
        format: i.format.as_str().to_string(),
        bytes: i.bytes,
        damaged: i.damaged,
        points: i.points,
        samples: i.samples.into_iter().collect(),
        activities: i
            .activities
            .into_iter()
            .map(|a| InspectedActivity {
                sport: a.sport.to_string(),
                start_utc: a.start_utc,
                elapsed_s: a.elapsed_s,
                distance_m: a.distance_m,
                track_points: a.track_points,
            })
            .collect(),
        sources: i.sources,
        first_utc: i.first_utc,
        last_utc: i.last_utc,
        problems: i.problems.iter().map(|p| p.to_string()).collect(),
    })
}

#[uniffi::export(async_runtime = "tokio")]
impl PhrRecord {
    /// The whole record (every section, entry, history and note, and the measurements as
    /// daily summaries) as readable JSON, for the owner to save where they choose. The
    /// core writes it nowhere: the shell hands it to the document picker / share sheet
    /// (Android gives a content URI, not a path) after saying the copy is not encrypted.
    pub async fn export_record_json(&self) -> R<String> {
        let inner = self.inner.clone();
        blocking(move || {
            let export = inner.export()?;
            serde_json::to_string_pretty(&export).map_err(|_| PhrError::Internal)
        })
        .await
    }
}
