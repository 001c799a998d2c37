//! `phr inspect FILE`: what one file holds, decoded without opening the record.

use clap::Args;
use phr_core::import::inspect::{inspect_reader, Inspection};
use phr_core::import::ImportOptions;
use std::path::PathBuf;

#[derive(Args)]
pub struct InspectArgs {
    /// A FIT, GPX, TCX, Apple Health (export.xml / export.zip), CSV or Strava JSON file
    pub file: PathBuf,
    /// Minutes CSV times without a zone are ahead of UTC (60 for UK summer time)
    #[arg(long, default_value_t = 0, allow_hyphen_values = true)]
    pub csv_utc_offset: i32,
}

/// Never opens or creates a record: no passphrase is asked for, nothing is written.
pub fn inspect(a: InspectArgs, json: bool) -> Result<(), String> {
    let name = a.file.to_string_lossy().into_owned();
    let f = std::fs::File::open(&a.file).map_err(|e| format!("{name}: cannot open: {e}"))?;
    let opts = ImportOptions { csv_utc_offset_minutes: a.csv_utc_offset, ..Default::default() };
    let i = inspect_reader(&name, std::io::BufReader::new(f), &opts).map_err(|p| format!("{name}: {p}"))?;
    if json {
        println!("{}", serde_json::to_string_pretty(&i).map_err(|e| e.to_string())?);
    } else {
        print_human(&name, &i);
    }
    Ok(())
}

fn print_human(name: &str, i: &Inspection) {
    let state = if i.damaged { "DAMAGED (what follows is what could be read)" } else { "readable" };
    println!("{name}: {} ({} bytes), {state}", i.format.as_str(), i.bytes);
    println!("  time range (UTC): {} .. {}", i.first_utc.as_deref().unwrap_or("-"), i.last_utc.as_deref().unwrap_or("-"));
    if let Some(f) = &i.fit {
        for (n, file) in f.files.iter().enumerate() {
            println!(
                "  FIT file {} at byte {}: protocol {}, profile {}, {} data bytes, header CRC {}, file CRC {}, {} messages, {} definitions",
                n + 1,
                file.offset,
                file.protocol_version,
                file.profile_version,
                file.data_size,
                file.header_crc,
                file.file_crc,
                file.messages,
                file.definitions
            );
        }
        println!("  CRC: {}", if f.crc_ok { "ok" } else { "NOT ok (see problems)" });
        println!("  messages:");
        for m in &f.messages {
            println!("    {:<28} {:>5}  x{}", m.name, m.global_num, m.count);
        }
        if !f.developer_fields.is_empty() {
            println!("  developer fields:");
            for d in &f.developer_fields {
                let units = d.units.as_deref().map(|u| format!(" [{u}]")).unwrap_or_default();
                println!("    dev {} field {}: {}{units}  in {} messages", d.developer_data_index, d.field_num, d.name.as_deref().unwrap_or("(undescribed)"), d.count);
            }
        }
        if f.uptime_timestamps > 0 {
            println!("  {} messages timed by device uptime only (no calendar date)", f.uptime_timestamps);
        }
    }
    if !i.counts.is_empty() {
        let c: Vec<String> = i.counts.iter().map(|(k, v)| format!("{k} {v}")).collect();
        println!("  counts: {}", c.join(", "));
    }
    println!("  points read: {}", i.points);
    if !i.sources.is_empty() {
        println!("  sources: {}", i.sources.join(", "));
    }
    let total: u64 = i.samples.values().sum();
    println!("  samples an import would offer: {total}");
    for (k, n) in &i.samples {
        println!("    {k:<28} {n}");
    }
    println!("  activities: {}", i.activities.len());
    for a in &i.activities {
        let km = a.distance_m.map_or("-".to_string(), |d| format!("{:.2} km", d / 1000.0));
        println!("    {}  {:<16} {:>6.0} min  {:>10}  {} points, {} laps", a.start_utc, a.sport, a.elapsed_s / 60.0, km, a.track_points, a.laps);
    }
    if i.problems.is_empty() {
        println!("  problems: none");
    } else {
        println!("  problems:");
        for p in &i.problems {
            println!("    {p}");
        }
    }
}
