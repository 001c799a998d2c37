//! Wearable and app imports through the bindings: files, folders and zips (FIT, GPX, TCX,
//! Apple Health, CSV, Strava JSON), off the caller's thread with progress and cancel, and
//! the activities they stored.
//!
//! The report says per file what was read and stored and every problem with its byte
//! offset or line and a reason. phr-core writes those reasons without health values
//! (column names and counts at most), so they may be shown and logged as they are.

use crate::progress::{CancelHandle, CancelOnDrop, ForeignProgress, ProgressListener};
use crate::record::{blocking, PhrRecord};
use crate::PhrError;
use phr_core::import::{self as core, bulk};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

type R<T> = Result<T, PhrError>;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum ImportFormat {
    Fit,
    Gpx,
    Tcx,
    AppleHealth,
    Csv,
    StravaJson,
    Zip,
    Unknown,
}

impl From<core::Format> for ImportFormat {
    fn from(f: core::Format) -> Self {
        use core::Format as F;
        match f {
            F::Fit => Self::Fit,
            F::Gpx => Self::Gpx,
            F::Tcx => Self::Tcx,
            F::AppleHealth => Self::AppleHealth,
            F::Csv => Self::Csv,
            F::StravaJson => Self::StravaJson,
            F::Zip => Self::Zip,
            F::Unknown => Self::Unknown,
        }
    }
}

/// How one file went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum ImportFileStatus {
    /// Read whole and stored.
    Ok,
    /// Damaged: what could be read was stored; `problems` says what was lost and where.
    Partial,
    /// Nothing from this file was stored; `problems` says why.
    Failed,
    /// Not a format we import; nothing stored.
    Skipped,
    /// Not reached because the import was cancelled.
    Cancelled,
}

impl From<core::FileStatus> for ImportFileStatus {
    fn from(s: core::FileStatus) -> Self {
        use core::FileStatus as S;
        match s {
            S::Ok => Self::Ok,
            S::Partial => Self::Partial,
            S::Failed => Self::Failed,
            S::Skipped => Self::Skipped,
            S::Cancelled => Self::Cancelled,
        }
    }
}

/// Where in a file something went wrong (byte offset or line, when known) and why.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ImportProblem {
    pub offset: Option<u64>,
    pub line: Option<u64>,
    pub reason: String,
}

/// One file (or one zip entry, `archive.zip!inner.fit`).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ImportFileReport {
    pub path: String,
    pub format: ImportFormat,
    pub status: ImportFileStatus,
    /// Activities, track points/records and samples the file held.
    pub activities: u64,
    pub points: u64,
    pub samples: u64,
    /// First and last timestamp in the file, UTC, RFC 3339.
    pub first_utc: Option<String>,
    pub last_utc: Option<String>,
    /// What it changed in the record.
    pub samples_added: u64,
    pub samples_duplicate: u64,
    pub activities_added: u64,
    /// The same session already came from another app: linked, not duplicated.
    pub activities_merged: u64,
    pub activities_unchanged: u64,
    pub entries_added: u64,
    pub problems: Vec<ImportProblem>,
}

impl From<core::FileReport> for ImportFileReport {
    fn from(f: core::FileReport) -> Self {
        ImportFileReport {
            path: f.path,
            format: f.format.into(),
            status: f.status.into(),
            activities: f.activities,
            points: f.points,
            samples: f.samples,
            first_utc: f.first_utc,
            last_utc: f.last_utc,
            samples_added: f.outcome.samples.added,
            samples_duplicate: f.outcome.samples.duplicates,
            activities_added: f.outcome.activities_added,
            activities_merged: f.outcome.activities_merged,
            activities_unchanged: f.outcome.activities_unchanged,
            entries_added: f.outcome.entries_added,
            problems: f
                .problems
                .into_iter()
                .map(|p| ImportProblem { offset: p.offset, line: p.line, reason: p.reason })
                .collect(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ImportTotals {
    pub files: u64,
    pub ok: u64,
    pub partial: u64,
    pub failed: u64,
    pub skipped: u64,
    pub samples_added: u64,
    /// Already in the record (re-imports land here).
    pub samples_duplicate: u64,
    pub activities_added: u64,
    pub activities_merged: u64,
    pub activities_unchanged: u64,
}

/// What an import did. Cancelled: the files committed before the cancel are kept whole,
/// the rest were not started.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ImportReport {
    pub files: Vec<ImportFileReport>,
    pub totals: ImportTotals,
    pub cancelled: bool,
}

impl From<core::ImportReport> for ImportReport {
    fn from(r: core::ImportReport) -> Self {
        let t = r.totals;
        ImportReport {
            files: r.files.into_iter().map(Into::into).collect(),
            totals: ImportTotals {
                files: t.files,
                ok: t.ok,
                partial: t.partial,
                failed: t.failed,
                skipped: t.skipped,
                samples_added: t.samples_added,
                samples_duplicate: t.samples_duplicate,
                activities_added: t.activities_added,
                activities_merged: t.activities_merged,
                activities_unchanged: t.activities_unchanged,
            },
            cancelled: r.cancelled,
        }
    }
}

/// How to read files whose content does not say everything.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ImportOptions {
    /// Offset from UTC, in minutes, of CSV times written without a zone (60 for BST).
    #[uniffi(default = 0)]
    pub csv_utc_offset_minutes: i32,
}

#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Lap {
    pub start_ms: i64,
    pub duration_s: f64,
    pub distance_m: Option<f64>,
    pub avg_hr: Option<f64>,
    pub max_hr: Option<f64>,
    pub calories: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct TrackPoint {
    pub t_ms: i64,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub altitude_m: Option<f64>,
    pub distance_m: Option<f64>,
    pub hr: Option<f64>,
    pub cadence: Option<f64>,
    pub power: Option<f64>,
    pub speed_mps: Option<f64>,
    pub temperature_c: Option<f64>,
}

/// A run, ride, swim or walk. `track` is filled only by [`PhrRecord::activity`].
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Activity {
    pub id: String,
    /// "running", "cycling", "walking", ... (FIT-style names).
    pub sport: String,
    pub name: Option<String>,
    pub start_ms: i64,
    /// From start to finish, pauses included.
    pub elapsed_s: f64,
    /// Moving time, when the source knows.
    pub timer_s: Option<f64>,
    pub distance_m: Option<f64>,
    pub avg_hr: Option<f64>,
    pub max_hr: Option<f64>,
    pub calories: Option<f64>,
    pub ascent_m: Option<f64>,
    pub source: String,
    /// Other apps that sent the same session (kept once).
    pub also_from: Vec<String>,
    pub laps: Vec<Lap>,
    /// Derived figures by name (pace, heart-rate zones, training load).
    pub metrics: HashMap<String, f64>,
    pub track: Vec<TrackPoint>,
}

impl From<phr_core::record::Activity> for Activity {
    fn from(a: phr_core::record::Activity) -> Self {
        Activity {
            id: a.id,
            sport: a.sport.to_string(),
            name: a.name,
            start_ms: a.start_ms,
            elapsed_s: a.elapsed_s,
            timer_s: a.timer_s,
            distance_m: a.distance_m,
            avg_hr: a.avg_hr,
            max_hr: a.max_hr,
            calories: a.calories,
            ascent_m: a.ascent_m,
            source: a.source,
            also_from: a.also_from,
            laps: a
                .laps
                .into_iter()
                .map(|l| Lap {
                    start_ms: l.start_ms,
                    duration_s: l.duration_s,
                    distance_m: l.distance_m,
                    avg_hr: l.avg_hr,
                    max_hr: l.max_hr,
                    calories: l.calories,
                })
                .collect(),
            metrics: a.metrics.into_iter().collect(),
            track: a
                .track
                .into_iter()
                .map(|p| TrackPoint {
                    t_ms: p.t_ms,
                    lat: p.lat,
                    lon: p.lon,
                    altitude_m: p.altitude_m,
                    distance_m: p.distance_m,
                    hr: p.hr,
                    cadence: p.cadence,
                    power: p.power,
                    speed_mps: p.speed_mps,
                    temperature_c: p.temperature_c,
                })
                .collect(),
        }
    }
}

fn core_options(o: Option<ImportOptions>) -> bulk::ImportOptions {
    let mut out = bulk::ImportOptions::default();
    if let Some(o) = o {
        out.csv_utc_offset_minutes = o.csv_utc_offset_minutes;
    }
    out
}

/// phr-core's listener when the app passed none.
struct Silent;
impl phr_core::progress::ProgressListener for Silent {
    fn on_progress(&self, _: &str, _: u64, _: u64) {}
}

#[uniffi::export(async_runtime = "tokio")]
impl PhrRecord {
    /// Imports files, folders and zips (a Garmin account export, an Apple Health
    /// export.zip) off the caller's thread, parsing on every core. Each file lands whole in
    /// one transaction or not at all; importing again adds nothing. `listener` hears
    /// ("files", done, total) after each file; `cancel` (or cancelling the coroutine/task)
    /// stops at the next file boundary and the report says `cancelled`. A path that does
    /// not exist: `NotFound(what = "file or folder")` before anything is read.
    pub async fn import_files(
        &self,
        paths: Vec<String>,
        options: Option<ImportOptions>,
        listener: Option<Arc<dyn ProgressListener>>,
        cancel: Option<Arc<CancelHandle>>,
    ) -> R<ImportReport> {
        let inner = self.inner.clone();
        let cancel = cancel.unwrap_or_default();
        let on_drop = CancelOnDrop::new(cancel.clone());
        let out = blocking(move || {
            if paths.is_empty() {
                return Err(PhrError::InvalidInput { field: "paths".into() });
            }
            let paths: Vec<PathBuf> = paths.into_iter().map(PathBuf::from).collect();
            // phr-core reports a missing path as an I/O error (Storage at the boundary);
            // the app wants to tell "not there" from "disk failed".
            if paths.iter().any(|p| !p.exists()) {
                return Err(PhrError::NotFound { what: "file or folder".into() });
            }
            let token = cancel.token();
            let report = match listener {
                Some(l) => {
                    bulk::import_paths(&inner, &paths, &core_options(options), &ForeignProgress(l), &token)?
                }
                None => bulk::import_paths(&inner, &paths, &core_options(options), &Silent, &token)?,
            };
            log::info!(
                "import: {} files, {} failed, cancelled: {}",
                report.totals.files,
                report.totals.failed,
                report.cancelled
            );
            Ok(report.into())
        })
        .await;
        on_drop.disarm();
        out
    }

    /// Imports one file held in memory (shared into the app, picked from a document
    /// provider). `name` is its file name, used with the first bytes to tell the format.
    pub async fn import_bytes(
        &self,
        name: String,
        data: Vec<u8>,
        options: Option<ImportOptions>,
    ) -> R<ImportFileReport> {
        let inner = self.inner.clone();
        blocking(move || Ok(bulk::import_bytes(&inner, &name, &data, &core_options(options)).into())).await
    }

    /// Activities starting in `[from_ms, to_ms)`, by start time, without their tracks.
    pub async fn activities(&self, from_ms: i64, to_ms: i64) -> R<Vec<Activity>> {
        let inner = self.inner.clone();
        blocking(move || Ok(inner.activities(from_ms, to_ms)?.into_iter().map(Into::into).collect())).await
    }

    /// One activity with its track (route and per-second data).
    pub async fn activity(&self, id: String) -> R<Activity> {
        let inner = self.inner.clone();
        blocking(move || Ok(inner.activity(&id)?.into())).await
    }
}
