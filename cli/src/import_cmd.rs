//! `phr import PATH...` and `phr activities`.

use crate::terminal::outln;
use clap::Args;
use phr_core::import::derive::DeriveOptions;
use phr_core::import::{import_paths, FileStatus, ImportOptions};
use phr_core::progress::CancelToken;
use std::path::{Path, PathBuf};

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

pub fn import(home: &Path, a: ImportArgs, json: bool) -> Result<(), String> {
    let record = super::open(home)?;
    let d = DeriveOptions::default();
    let opts = ImportOptions {
        derive: DeriveOptions {
            max_hr: a.max_hr.unwrap_or(d.max_hr),
            resting_hr: a.resting_hr.unwrap_or(d.resting_hr),
        },
        csv_utc_offset_minutes: a.csv_utc_offset,
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
    if paths.is_empty() {
        return Ok(());
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
            outln!(
                "{status:9} {:12} {}  activities +{} (merged {}, known {})  samples +{} (dup {})  {}..{}",
                f.format.as_str(),
                f.path,
                o.activities_added,
                o.activities_merged,
                o.activities_unchanged,
                o.samples.added,
                o.samples.duplicates,
                f.first_utc.as_deref().unwrap_or("-"),
                f.last_utc.as_deref().unwrap_or("-"),
            );
            for p in &f.problems {
                outln!("          {p}");
            }
        }
        let t = &report.totals;
        outln!(
            "{} files: {} ok, {} partial, {} failed, {} skipped; activities +{} merged {} known {}; samples +{} duplicates {}",
            t.files, t.ok, t.partial, t.failed, t.skipped, t.activities_added, t.activities_merged, t.activities_unchanged, t.samples_added, t.samples_duplicate
        );
    }
    if report.totals.failed > 0 && report.totals.ok + report.totals.partial == 0 {
        return Err("nothing could be imported".into());
    }
    Ok(())
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
