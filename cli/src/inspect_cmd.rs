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
    let text = if json {
        serde_json::to_string_pretty(&i).map_err(|e| e.to_string())? + "\n"
    } else {
        human(&name, &i)
    };
    // Written once, errors ignored: `phr inspect big.fit | head` must not panic on a closed pipe.
    let _ = std::io::Write::write_all(&mut std::io::stdout().lock(), text.as_bytes());
    Ok(())
}

/// `writeln!` into a String (the human form is written in one go).
macro_rules! out {
    ($out:ident, $($arg:tt)*) => {{
        use std::fmt::Write as _;
        let _ = writeln!($out, $($arg)*);
    }};
}

fn human(name: &str, i: &Inspection) -> String {
    let mut o = String::new();
    let state = if i.damaged { "DAMAGED (what follows is what could be read)" } else { "readable" };
    out!(o, "{name}: {} ({} bytes), {state}", i.format.as_str(), i.bytes);
    out!(
        o,
        "  time range (UTC): {} .. {}",
        i.first_utc.as_deref().unwrap_or("-"),
        i.last_utc.as_deref().unwrap_or("-")
    );
    if let Some(f) = &i.fit {
        for (n, file) in f.files.iter().enumerate() {
            out!(
                o,
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
        out!(o, "  CRC: {}", if f.crc_ok { "ok" } else { "NOT ok (see problems)" });
        out!(o, "  messages:");
        for m in &f.messages {
            out!(o, "    {:<28} {:>5}  x{}", m.name, m.global_num, m.count);
        }
        if !f.developer_fields.is_empty() {
            out!(o, "  developer fields:");
            for d in &f.developer_fields {
                let units = d.units.as_deref().map(|u| format!(" [{u}]")).unwrap_or_default();
                out!(
                    o,
                    "    dev {} field {}: {}{units}  in {} messages",
                    d.developer_data_index,
                    d.field_num,
                    d.name.as_deref().unwrap_or("(undescribed)"),
                    d.count
                );
            }
        }
        if f.uptime_timestamps > 0 {
            out!(o, "  {} messages timed by device uptime only (no calendar date)", f.uptime_timestamps);
        }
    }
    if !i.counts.is_empty() {
        let c: Vec<String> = i.counts.iter().map(|(k, v)| format!("{k} {v}")).collect();
        out!(o, "  counts: {}", c.join(", "));
    }
    out!(o, "  points read: {}", i.points);
    if !i.sources.is_empty() {
        out!(o, "  sources: {}", i.sources.join(", "));
    }
    let total: u64 = i.samples.values().sum();
    out!(o, "  samples an import would offer: {total}");
    for (k, n) in &i.samples {
        out!(o, "    {k:<28} {n}");
    }
    out!(o, "  activities: {}", i.activities.len());
    for a in &i.activities {
        let km = a.distance_m.map_or("-".to_string(), |d| format!("{:.2} km", d / 1000.0));
        out!(
            o,
            "    {}  {:<16} {:>6.0} min  {:>10}  {} points, {} laps",
            a.start_utc,
            a.sport,
            a.elapsed_s / 60.0,
            km,
            a.track_points,
            a.laps
        );
    }
    if i.problems.is_empty() {
        out!(o, "  problems: none");
    } else {
        out!(o, "  problems:");
        for p in &i.problems {
            out!(o, "    {p}");
        }
    }
    o
}
