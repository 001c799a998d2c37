//! Importers: bytes from files and apps -> the record's samples, activities and entries.
//!
//! Parsers are sans-I/O (they take bytes or `impl Read`) and report bad input with its
//! position; mapping into the record happens in one [`crate::store::ImportBatch`].
//!
//! * [`fit`] (our decoder, the `fitstream` crate, re-exported) + [`fit_map`]: FIT activity, monitoring, sleep, HRV, scale, cuff.
//! * [`gpx`], [`tcx`]: XML tracks (quick-xml, streaming).
//! * [`apple_health`]: `export.zip` / `export.xml`, streamed.
//! * [`csv`]: Withings and Omron exports, HRV4Training / Elite HRV, and a generic mapping.
//! * [`strava`]: the Strava API v3 client (the only module here that uses the network,
//!   and only when called); [`strava_account`]: the connection sealed in the record.
//! * [`derive`](mod@derive): per-activity metrics (pace, zones, TRIMP).
//! * [`priority`]: which source wins when two devices measured the same thing.
//! * [`bulk`]: [`import_path`] for folders and zips of thousands of files.
//! * [`inspect`]: what one file holds, without a record (`phr inspect`).

pub mod apple_health;
pub mod bulk;
pub mod csv;
pub mod derive;
pub mod fit_map;
pub mod gpx;
pub mod inspect;
pub mod limits;
/// Source priority is a rule over model data, used by the store too; it lives in the model crate.
pub use phr_model::priority;
pub mod strava;
pub mod strava_account;
pub mod tcx;
mod xml;

/// The FIT decoder (crate `fitstream`), under its old path `phr_core::import::fit`.
pub use fitstream as fit;

pub use bulk::{import_bytes, import_path, import_paths, ImportOptions};

use crate::store::{ImportBatch, ImportOutcome};
use serde::Serialize;
use std::fmt;

/// A file format the importers understand.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    Fit,
    Gpx,
    Tcx,
    AppleHealth,
    Csv,
    StravaJson,
    Zip,
    Unknown,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Fit => "fit",
            Format::Gpx => "gpx",
            Format::Tcx => "tcx",
            Format::AppleHealth => "apple_health",
            Format::Csv => "csv",
            Format::StravaJson => "strava_json",
            Format::Zip => "zip",
            Format::Unknown => "unknown",
        }
    }

    /// Guesses the format from the name and the first bytes.
    pub fn detect(name: &str, head: &[u8]) -> Format {
        let lower = name.to_ascii_lowercase();
        let head_s = String::from_utf8_lossy(&head[..head.len().min(4096)]);
        if head.len() >= 12 && &head[8..12] == b".FIT" || lower.ends_with(".fit") {
            return Format::Fit;
        }
        if head.starts_with(b"PK\x03\x04") || lower.ends_with(".zip") {
            return Format::Zip;
        }
        if head_s.contains("<HealthData") || lower.ends_with("export.xml") {
            return Format::AppleHealth;
        }
        if head_s.contains("<gpx") || lower.ends_with(".gpx") {
            return Format::Gpx;
        }
        if head_s.contains("TrainingCenterDatabase") || lower.ends_with(".tcx") {
            return Format::Tcx;
        }
        if lower.ends_with(".csv") {
            return Format::Csv;
        }
        if lower.ends_with(".json") {
            return Format::StravaJson;
        }
        Format::Unknown
    }
}

/// Where in a file something went wrong, and why. Never quotes health values.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Problem {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub offset: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
    pub reason: String,
}

impl Problem {
    pub fn at_byte(offset: u64, reason: impl Into<String>) -> Self {
        Problem { offset: Some(offset), line: None, reason: reason.into() }
    }
    pub fn at_line(line: u64, reason: impl Into<String>) -> Self {
        Problem { offset: None, line: Some(line), reason: reason.into() }
    }
    pub fn general(reason: impl Into<String>) -> Self {
        Problem { offset: None, line: None, reason: reason.into() }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.offset, self.line) {
            (_, Some(l)) => write!(f, "line {l}: {}", self.reason),
            (Some(o), None) => write!(f, "byte {o}: {}", self.reason),
            (None, None) => write!(f, "{}", self.reason),
        }
    }
}

impl std::error::Error for Problem {}

/// What a parser made of one file, before it is stored.
#[derive(Clone, Debug, Default)]
pub struct Parsed {
    pub batch: ImportBatch,
    /// Damage and dropped items. With `damaged` set, the batch is what could be recovered.
    pub problems: Vec<Problem>,
    /// True when part of the file could not be read (the batch is a partial result).
    pub damaged: bool,
    /// Track points / records read (whether or not they became samples).
    pub points: u64,
    /// Format-specific counts ("tracks", "laps", "records"...), for reports and `inspect`.
    pub counts: std::collections::BTreeMap<String, u64>,
}

impl Parsed {
    /// First and last time (UTC ms) over samples, activities and track points.
    pub fn time_range(&self) -> Option<(i64, i64)> {
        let mut lo = i64::MAX;
        let mut hi = i64::MIN;
        for s in &self.batch.samples {
            lo = lo.min(s.start_ms);
            hi = hi.max(s.end_ms);
        }
        for a in &self.batch.activities {
            lo = lo.min(a.start_ms);
            hi = hi.max(a.end_ms());
            if let (Some(f), Some(l)) = (a.track.first(), a.track.last()) {
                lo = lo.min(f.t_ms);
                hi = hi.max(l.t_ms);
            }
        }
        (lo <= hi).then_some((lo, hi))
    }

    pub(crate) fn count(&mut self, key: &str, n: u64) {
        *self.counts.entry(key.to_string()).or_default() += n;
    }

    /// Drops samples and activities the store would refuse (implausible values, bad times),
    /// so one odd reading does not fail a whole file; says how many were dropped.
    pub fn drop_invalid(&mut self) {
        let before = self.batch.samples.len();
        self.batch.samples.retain(|s| s.validate().is_ok());
        let dropped = before - self.batch.samples.len();
        if dropped > 0 {
            self.problems.push(Problem::general(format!(
                "{dropped} readings outside plausible ranges or times were left out"
            )));
        }
        let before = self.batch.activities.len();
        self.batch.activities.retain(|a| a.validate().is_ok());
        let dropped = before - self.batch.activities.len();
        if dropped > 0 {
            self.problems.push(Problem::general(format!(
                "{dropped} activities with impossible durations or values were left out"
            )));
        }
    }
}

/// How one file went.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FileStatus {
    /// Read whole and stored.
    Ok,
    /// Damaged: what could be read was stored; `problems` says what was lost and where.
    Partial,
    /// Nothing stored (the record is as it was); `problems` says why.
    Failed,
    /// Not a format we import (or nothing in it to import); nothing stored.
    Skipped,
    /// Not reached because the import was cancelled.
    Cancelled,
}

/// The report for one file (or one zip entry).
#[derive(Clone, Debug, Serialize)]
pub struct FileReport {
    pub path: String,
    pub format: Format,
    pub status: FileStatus,
    pub activities: u64,
    /// Track points / records read.
    pub points: u64,
    /// Samples the file yielded (before dedup against the record).
    pub samples: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_utc: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_utc: Option<String>,
    pub outcome: ImportOutcome,
    pub problems: Vec<Problem>,
}

/// The report for a whole import: per file, and totals.
#[derive(Clone, Debug, Default, Serialize)]
pub struct ImportReport {
    pub files: Vec<FileReport>,
    pub totals: Totals,
    pub cancelled: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Totals {
    pub files: u64,
    pub ok: u64,
    pub partial: u64,
    pub failed: u64,
    pub skipped: u64,
    pub samples_added: u64,
    pub samples_duplicate: u64,
    pub activities_added: u64,
    pub activities_merged: u64,
    pub activities_unchanged: u64,
}

impl ImportReport {
    pub(crate) fn push(&mut self, f: FileReport) {
        let t = &mut self.totals;
        t.files += 1;
        match f.status {
            FileStatus::Ok => t.ok += 1,
            FileStatus::Partial => t.partial += 1,
            FileStatus::Failed => t.failed += 1,
            FileStatus::Skipped | FileStatus::Cancelled => t.skipped += 1,
        }
        t.samples_added += f.outcome.samples.added;
        t.samples_duplicate += f.outcome.samples.duplicates;
        t.activities_added += f.outcome.activities_added;
        t.activities_merged += f.outcome.activities_merged;
        t.activities_unchanged += f.outcome.activities_unchanged;
        self.files.push(f);
    }
}

impl FileStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ok => "ok",
            Self::Partial => "partial",
            Self::Failed => "failed",
            Self::Skipped => "skipped",
            Self::Cancelled => "cancelled",
        }
    }
}

impl FileReport {
    /// The file as the import history keeps it: its name and counts, nothing it contained.
    pub fn log_file(&self) -> crate::store::ImportLogFile {
        crate::store::ImportLogFile {
            name: crate::store::file_name_only(&self.path),
            format: self.format.as_str().to_string(),
            status: self.status.as_str().to_string(),
            samples_added: self.outcome.samples.added,
            samples_duplicate: self.outcome.samples.duplicates,
            activities_added: self.outcome.activities_added,
            activities_merged: self.outcome.activities_merged,
            entries_added: self.outcome.entries_added,
            problems: self.problems.len() as u64,
        }
    }
}

impl ImportReport {
    /// Writes this run to the record's import history (for the imports screen). A failure
    /// to log is only a warning: the data itself is already stored.
    pub(crate) fn log_to(&self, record: &crate::Record, origin: &str) {
        let mut entry = crate::store::ImportLogEntry {
            at_ms: chrono::Utc::now().timestamp_millis(),
            origin: origin.to_string(),
            cancelled: self.cancelled,
            ..Default::default()
        };
        for f in &self.files {
            entry.push_file(f.log_file());
        }
        if let Err(e) = record.log_import(&entry) {
            log::warn!("could not write the import history: {e}");
        }
    }
}

/// SHA-256 of `data`, lower-case hex (stable ids for files without a better key).
pub fn sha256_hex(data: &[u8]) -> String {
    ring::digest::digest(&ring::digest::SHA256, data).as_ref().iter().map(|b| format!("{b:02x}")).collect()
}

/// UTC ms -> "2024-01-01T08:00:00Z".
pub fn utc_string(ms: i64) -> String {
    chrono::DateTime::<chrono::Utc>::from_timestamp_millis(ms)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        .unwrap_or_else(|| ms.to_string())
}
