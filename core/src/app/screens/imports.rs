//! The imports screen: the last import runs, newest first, each with its files and what
//! they added. Only names and counts are kept (store::import_log).

use super::{ago_label, format_date, Label};
use crate::store::{ImportLogEntry, Record};
use crate::Result;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Runs shown.
pub const SHOWN: usize = 20;
/// Files listed per run (the rest are counted in `more_files`; totals cover them all).
pub const FILES_SHOWN: usize = 10;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportFileRow {
    pub name: String,
    pub format: String,
    /// `ok`, `partial`, `failed`, `skipped`, `cancelled`, and its key.
    pub status: String,
    pub status_key: String,
    /// "Added 1,204 readings and 3 workouts" style summary.
    pub summary: Label,
    pub problems: u64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportRow {
    pub id: String,
    pub when: String,
    pub when_label: Label,
    /// `files`, `health_connect`, `healthkit`, and its key.
    pub origin: String,
    pub origin_key: String,
    pub files: Vec<ImportFileRow>,
    /// Files not listed (a large export), counted in the totals.
    pub more_files: u64,
    pub readings_added: u64,
    pub activities_added: u64,
    pub entries_added: u64,
    pub failed_files: u64,
    pub cancelled: bool,
    pub summary: Label,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportsScreen {
    pub imports: Vec<ImportRow>,
    /// Key of the empty-screen hint when nothing was imported yet.
    pub empty_key: Option<String>,
}

/// 1204 -> "1,204".
pub fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn added(readings: u64, activities: u64, entries: u64) -> Label {
    Label::new("import.added")
        .arg("readings", thousands(readings))
        .arg("activities", thousands(activities))
        .arg("entries", thousands(entries))
}

fn row(e: &ImportLogEntry, now: DateTime<Utc>) -> ImportRow {
    let at = DateTime::from_timestamp_millis(e.at_ms).unwrap_or_default();
    let (mut r, mut a, mut n, mut failed) = (0, 0, 0, 0);
    for f in &e.files {
        r += f.samples_added;
        a += f.activities_added;
        n += f.entries_added;
        failed += u64::from(f.status == "failed");
    }
    // Failed and partial files first (what the owner may want to look at), then in order.
    let mut listed: Vec<_> = e.files.iter().collect();
    listed.sort_by_key(|f| !matches!(f.status.as_str(), "failed" | "partial"));
    let files = listed
        .into_iter()
        .take(FILES_SHOWN)
        .map(|f| ImportFileRow {
            name: f.name.clone(),
            format: f.format.clone(),
            status: f.status.clone(),
            status_key: format!("import.status.{}", f.status),
            summary: added(f.samples_added, f.activities_added, f.entries_added),
            problems: f.problems,
        })
        .collect();
    ImportRow {
        id: e.id.clone(),
        when: format_date(at),
        when_label: ago_label(at, now),
        origin: e.origin.clone(),
        origin_key: format!("import.origin.{}", e.origin),
        files,
        more_files: e.files_not_listed + e.files.len().saturating_sub(FILES_SHOWN) as u64,
        readings_added: r,
        activities_added: a,
        entries_added: n,
        failed_files: failed,
        cancelled: e.cancelled,
        summary: added(r, a, n),
    }
}

pub fn imports_screen(record: &Record, now: DateTime<Utc>) -> Result<ImportsScreen> {
    let imports: Vec<ImportRow> = record.import_log(SHOWN)?.iter().map(|e| row(e, now)).collect();
    let empty_key = imports.is_empty().then(|| "import.none_yet".to_string());
    Ok(ImportsScreen { imports, empty_key })
}
