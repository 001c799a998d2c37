//! `phr import PATH...` and `phr activities`.

use crate::terminal::{errln, outln};
use clap::Args;
use phr_core::import::csv::{ColumnMap, CsvMapping};
use phr_core::import::derive::DeriveOptions;
use phr_core::import::{import_paths, FileStatus, ImportOptions};
use phr_core::progress::CancelToken;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Args)]
pub struct ImportArgs {
    /// Files, folders or zips (FIT, GPX, TCX, Apple Health export, CSV, Strava JSON)
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Your maximum heart rate, for zones and training load (default 190)
    #[arg(long)]
    pub max_hr: Option<f64>,
    /// Your resting heart rate, for training load (default 60)
    #[arg(long)]
    pub resting_hr: Option<f64>,
    /// Minutes CSV times without a zone are ahead of UTC (60 for UK summer time)
    #[arg(long, default_value_t = 0, allow_hyphen_values = true)]
    pub csv_utc_offset: i32,
    /// FHIR JSON files (GP/hospital records): import even if about someone else
    #[arg(long)]
    pub force: bool,
    /// A CSV layout phr does not know: the header of its date/time column
    #[arg(long, value_name = "COLUMN", requires = "csv_column")]
    pub csv_time: Option<String>,
    /// A CSV value column as HEADER=KIND[:UNIT], e.g. "Weight (kg)=weight:kg" (repeat for more;
    /// KIND is one of `phr sample list`'s kinds, UNIT one it accepts)
    #[arg(long, value_name = "HEADER=KIND[:UNIT]", requires = "csv_time")]
    pub csv_column: Vec<String>,
    /// How the --csv-time column is written: auto, rfc3339, unix, unix_ms or a chrono format
    #[arg(long, default_value = "auto", value_name = "FORMAT")]
    pub csv_time_format: String,
}

/// The CSV mapping the `--csv-*` flags describe, if any.
fn csv_mapping(a: &ImportArgs) -> Result<Option<CsvMapping>, String> {
    let Some(time) = &a.csv_time else { return Ok(None) };
    let columns = a
        .csv_column
        .iter()
        .map(|c| {
            let (header, spec) = c.rsplit_once('=').ok_or_else(|| {
                format!("--csv-column {c:?}: expected HEADER=KIND[:UNIT], e.g. Weight=weight:kg")
            })?;
            let (kind, unit) = spec.split_once(':').map_or((spec, None), |(k, u)| (k, Some(u)));
            let kind = super::kind(kind.trim())?;
            let unit = unit.map_or(kind.unit(), str::trim);
            kind.to_canonical(1.0, unit).map_err(super::err)?;
            Ok(ColumnMap { column: header.trim().to_string(), kind, unit: unit.to_string() })
        })
        .collect::<Result<Vec<_>, String>>()?;
    Ok(Some(CsvMapping {
        time_column: time.clone(),
        time_format: a.csv_time_format.clone(),
        utc_offset_minutes: a.csv_utc_offset,
        columns,
        source: "csv".into(),
        ..Default::default()
    }))
}

#[derive(Args)]
pub struct ActivitiesArgs {
    /// First day (YYYY-MM-DD), inclusive
    #[arg(long)]
    pub from: Option<String>,
    /// Last day (YYYY-MM-DD), inclusive
    #[arg(long)]
    pub to: Option<String>,
}

/// The exit code `phr import` ends with (also in its `--help` and the README).
pub const EXIT_CODES: &str = "Exit codes: 0 = every file was read; 2 = some files were skipped, failed \
or only partly read (the lines above say which); 1 = nothing was imported.";

/// Imports and says how it went by the exit code: 0 all read, 2 some not, 1 none
/// (an `Err`, printed by `main`).
pub fn import(home: &Path, a: ImportArgs, json: bool) -> Result<ExitCode, String> {
    let record = super::open(home)?;
    let d = DeriveOptions::default();
    let opts = ImportOptions {
        derive: DeriveOptions {
            max_hr: a.max_hr.unwrap_or(d.max_hr),
            resting_hr: a.resting_hr.unwrap_or(d.resting_hr),
        },
        csv_utc_offset_minutes: a.csv_utc_offset,
        csv_mapping: csv_mapping(&a)?,
        ..Default::default()
    };
    // FHIR JSON (a resource or Bundle from a GP/hospital record) goes to the FHIR importer.
    let (fhir_files, paths): (Vec<PathBuf>, Vec<PathBuf>) =
        a.paths.iter().cloned().partition(|p| p.is_file() && super::fhir_cmd::is_fhir_file(p));
    for f in &fhir_files {
        let r =
            super::fhir_cmd::import_file(&record, f, a.force).map_err(|e| format!("{}: {e}", f.display()))?;
        super::fhir_cmd::print_report(&r, json);
    }
    if !fhir_files.is_empty() {
        super::share_cmd::card_follows(&record, "medications");
    }
    if paths.is_empty() {
        return Ok(ExitCode::SUCCESS);
    }
    let progress = crate::progress::Progress::new(json);
    let report = import_paths(&record, &paths, &opts, &progress, &CancelToken::new()).map_err(super::err)?;
    progress.done();
    if json {
        outln!("{}", serde_json::to_string_pretty(&report).map_err(|e| e.to_string())?);
    } else {
        for f in &report.files {
            let status = match f.status {
                FileStatus::Ok => "ok",
                FileStatus::Partial => "PARTIAL",
                FileStatus::Failed => "FAILED",
                FileStatus::Skipped => "skipped",
                FileStatus::Cancelled => "cancelled",
            };
            let o = &f.outcome;
            // Read = stored + already in the record + left out (implausible, or covered by a
            // preferred device; the problems below say which): stored is what the record holds.
            let left_out = f.samples.saturating_sub(o.samples.added + o.samples.duplicates);
            outln!(
                "{status:9} {:12} {}  activities +{} (merged {}, known {})  samples {} read: {} stored, {} duplicates skipped, {} left out  {}..{}",
                f.format.as_str(),
                f.path,
                o.activities_added,
                o.activities_merged,
                o.activities_unchanged,
                f.samples,
                o.samples.added,
                o.samples.duplicates,
                left_out,
                f.first_utc.as_deref().unwrap_or("-"),
                f.last_utc.as_deref().unwrap_or("-"),
            );
            for p in &f.problems {
                outln!("          {p}");
            }
        }
        let t = &report.totals;
        outln!(
            "{} files: {} ok, {} partial, {} failed, {} skipped; activities +{} merged {} known {}; samples {} stored, {} duplicates skipped",
            t.files, t.ok, t.partial, t.failed, t.skipped, t.activities_added, t.activities_merged, t.activities_unchanged, t.samples_added, t.samples_duplicate
        );
    }
    let t = &report.totals;
    let read = t.ok + t.partial + fhir_files.len() as u64;
    if read == 0 {
        return Err(format!(
            "nothing was imported ({} failed, {} skipped: not a format phr reads, or nothing in it)",
            t.failed, t.skipped
        ));
    }
    if t.ok + (fhir_files.len() as u64) < t.files + fhir_files.len() as u64 {
        errln!(
            "phr: {} of {} files were not read whole (partial, failed or skipped); exit code 2",
            t.files - t.ok,
            t.files + fhir_files.len() as u64
        );
        return Ok(ExitCode::from(2));
    }
    Ok(ExitCode::SUCCESS)
}

pub fn activities(home: &Path, a: ActivitiesArgs, json: bool) -> Result<(), String> {
    let record = super::open(home)?;
    let from = match a.from {
        Some(d) => super::parse_day(&d)?
            .and_hms_opt(0, 0, 0)
            .map_or(i64::MIN / 4, |t| t.and_utc().timestamp_millis()),
        None => i64::MIN / 4,
    };
    let to = match a.to {
        Some(d) => super::parse_day(&d)?
            .and_hms_opt(0, 0, 0)
            .map_or(i64::MAX / 4, |t| t.and_utc().timestamp_millis() + 86_400_000),
        None => i64::MAX / 4,
    };
    let acts = record.activities(from, to).map_err(super::err)?;
    if json {
        outln!("{}", serde_json::to_string_pretty(&acts).map_err(|e| e.to_string())?);
        return Ok(());
    }
    for x in &acts {
        let km = x.distance_m.map_or("-".to_string(), |d| format!("{:.2} km", d / 1000.0));
        let hr = x.avg_hr.map_or("-".to_string(), |h| format!("{h:.0} bpm"));
        let load = x.metrics.get("trimp").map_or("-".to_string(), |t| format!("{t:.0}"));
        let also = if x.also_from.is_empty() {
            String::new()
        } else {
            format!(" (also {})", x.also_from.join(", "))
        };
        outln!(
            "{}  {:14} {:>10}  {:>8}  HR {:>8}  load {:>4}  {}{}",
            phr_core::import::utc_string(x.start_ms),
            x.sport,
            km,
            format!("{:.0} min", x.elapsed_s / 60.0),
            hr,
            load,
            x.source,
            also
        );
    }
    outln!("{} activities", acts.len());
    Ok(())
}
