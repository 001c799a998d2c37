//! `inspect`: what one file holds, decoded without a record (sans-I/O).
//!
//! Runs the same parsers as an import, so what `phr inspect` shows is what `phr import`
//! would store (before dedup against the record): format, per-format counts, samples per
//! kind, activities, time range in UTC and every problem with its position. For FIT it
//! also lists the messages by name with counts, the developer fields, each chained
//! file's header and CRCs. Nothing here touches a record, the disk or the network; the
//! caller hands in bytes or a reader.

use super::bulk::{parse_bytes, ParseResult};
use super::fit::{self, CrcStatus, DecodeOptions, SliceDecoder, SummaryBuilder};
use super::{apple_health, fit_map, sha256_hex, utc_string, Format, ImportOptions, Parsed, Problem};
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::{Read, Seek, SeekFrom};

/// What a file holds.
#[derive(Clone, Debug, Serialize)]
pub struct Inspection {
    pub format: Format,
    pub bytes: u64,
    /// True when part of the file could not be read; the rest is what was recovered.
    pub damaged: bool,
    /// Format-specific counts ("records", "tracks", "laps", "workouts"...).
    pub counts: BTreeMap<String, u64>,
    /// Track points / records read.
    pub points: u64,
    /// Samples an import would offer the record, per kind (canonical units).
    pub samples: BTreeMap<String, u64>,
    pub activities: Vec<ActivityBrief>,
    /// Devices and apps named as sources.
    pub sources: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_utc: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_utc: Option<String>,
    /// FIT only: messages, developer fields, headers and CRCs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fit: Option<FitInspection>,
    pub problems: Vec<Problem>,
}

#[derive(Clone, Debug, Serialize)]
pub struct ActivityBrief {
    pub sport: String,
    pub start_utc: String,
    pub elapsed_s: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub distance_m: Option<f64>,
    pub track_points: u64,
    pub laps: u64,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct FitInspection {
    /// One per FIT file in the input (more than one when files are chained).
    pub files: Vec<FitFileBrief>,
    /// Data messages by global number, with the profile name (`unknown_<n>` otherwise).
    pub messages: Vec<MessageCount>,
    pub developer_fields: Vec<DeveloperFieldCount>,
    /// Every header and file CRC present and correct (absent header CRCs count as ok).
    pub crc_ok: bool,
    /// Messages whose timestamp is device uptime (no calendar date).
    pub uptime_timestamps: u64,
}

#[derive(Clone, Debug, Serialize)]
pub struct FitFileBrief {
    pub offset: u64,
    pub protocol_version: u8,
    pub profile_version: u16,
    pub data_size: u32,
    pub header_crc: String,
    pub file_crc: String,
    pub messages: usize,
    pub definitions: usize,
}

#[derive(Clone, Debug, Serialize)]
pub struct MessageCount {
    pub name: String,
    pub global_num: u16,
    pub count: u64,
}

#[derive(Clone, Debug, Serialize)]
pub struct DeveloperFieldCount {
    pub developer_data_index: u8,
    pub field_num: u8,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub units: Option<String>,
    /// Messages carrying this field.
    pub count: u64,
}

fn crc_text(c: CrcStatus) -> String {
    match c {
        CrcStatus::Ok => "ok".into(),
        CrcStatus::Mismatch { stored, computed } => {
            format!("mismatch (stored {stored:#06x}, computed {computed:#06x})")
        }
        CrcStatus::Absent => "absent".into(),
        CrcStatus::Missing => "missing (file ends before it)".into(),
    }
}

/// Builds the record-facing part of an inspection from what a parser made of the file.
fn from_parsed(format: Format, bytes: u64, p: Parsed) -> Inspection {
    let (first, last) =
        p.time_range().map_or((None, None), |(a, b)| (Some(utc_string(a)), Some(utc_string(b))));
    let mut samples: BTreeMap<String, u64> = BTreeMap::new();
    let mut sources: Vec<String> = Vec::new();
    for s in &p.batch.samples {
        *samples.entry(s.kind.slug().to_string()).or_default() += 1;
        if !sources.contains(&s.source) {
            sources.push(s.source.clone());
        }
    }
    for a in &p.batch.activities {
        if !sources.contains(&a.source) {
            sources.push(a.source.clone());
        }
    }
    sources.sort();
    let activities = p
        .batch
        .activities
        .iter()
        .map(|a| ActivityBrief {
            sport: a.sport.to_string(),
            start_utc: utc_string(a.start_ms),
            elapsed_s: a.elapsed_s,
            distance_m: a.distance_m,
            track_points: a.track.len() as u64,
            laps: a.laps.len() as u64,
        })
        .collect();
    Inspection {
        format,
        bytes,
        damaged: p.damaged,
        counts: p.counts,
        points: p.points,
        samples,
        activities,
        sources,
        first_utc: first,
        last_utc: last,
        fit: None,
        problems: p.problems,
    }
}

/// Inspects a FIT file: every message counted by name, developer fields, CRCs, and what
/// the import would make of it.
pub fn inspect_fit(data: &[u8], opts: &ImportOptions) -> Inspection {
    let mut builder = SummaryBuilder::new();
    let mut by_num: BTreeMap<u16, (String, u64)> = BTreeMap::new();
    let mut dev: BTreeMap<(u8, u8), DeveloperFieldCount> = BTreeMap::new();
    let mut uptime = 0u64;
    let (mut lo, mut hi) = (i64::MAX, i64::MIN);
    let mut it = SliceDecoder::new(data, DecodeOptions::default());
    // Borrowed messages: the decoder reuses one buffer per definition instead of allocating each.
    while let Some(m) = it.next_ref() {
        let name = m.name.map_or_else(|| format!("unknown_{}", m.global_num), str::to_string);
        by_num.entry(m.global_num).or_insert((name, 0)).1 += 1;
        for d in &m.dev_fields {
            let e = dev.entry((d.developer_data_index, d.num)).or_insert_with(|| DeveloperFieldCount {
                developer_data_index: d.developer_data_index,
                field_num: d.num,
                name: None,
                units: None,
                count: 0,
            });
            e.count += 1;
            // A field described late: take the name from the first message that has it.
            if let (None, Some(desc)) = (&e.name, &d.description) {
                e.name = desc.name.clone();
                e.units = desc.units.clone();
            }
        }
        match m.timestamp {
            Some(fit::FitTime::Utc(t)) => {
                lo = lo.min(t);
                hi = hi.max(t);
            }
            Some(fit::FitTime::Relative(_)) => uptime += 1,
            None => {}
        }
        builder.push(m);
    }
    let report = it.finish();
    let summary = builder.finish(report.clone());
    let mut parsed = fit_map::map_summary(&summary, &sha256_hex(data), &opts.derive);
    if report.messages == 0 {
        parsed.damaged = true;
        if parsed.problems.is_empty() {
            parsed.problems.push(Problem::at_byte(0, "no FIT messages could be read"));
        }
    }
    let mut out = from_parsed(Format::Fit, data.len() as u64, parsed);
    // Message times cover files that map to nothing in the record (settings, courses...).
    if lo <= hi {
        let first = out.first_utc.take().into_iter().chain([utc_string(lo * 1000)]).min();
        let last = out.last_utc.take().into_iter().chain([utc_string(hi * 1000)]).max();
        (out.first_utc, out.last_utc) = (first, last);
    }
    let crc_ok = report.header_crc_ok && report.file_crc_ok && !report.files.is_empty();
    out.fit = Some(FitInspection {
        files: report
            .files
            .iter()
            .map(|f| FitFileBrief {
                offset: f.offset,
                protocol_version: f.protocol_version,
                profile_version: f.profile_version,
                data_size: f.data_size,
                header_crc: crc_text(f.header_crc),
                file_crc: crc_text(f.file_crc),
                messages: f.messages,
                definitions: f.definitions,
            })
            .collect(),
        messages: by_num
            .into_iter()
            .map(|(num, (name, count))| MessageCount { name, global_num: num, count })
            .collect(),
        developer_fields: dev.into_values().collect(),
        crc_ok,
        uptime_timestamps: uptime,
    });
    out
}

/// Inspects one file's bytes (any format `phr import` reads). `Err` when the format is not
/// one we read or the file is unreadable from its first byte.
pub fn inspect_bytes(name: &str, data: &[u8], opts: &ImportOptions) -> Result<Inspection, Problem> {
    let format = Format::detect(name, data);
    if format == Format::Fit {
        return Ok(inspect_fit(data, opts));
    }
    let (format, result) = parse_bytes(name, data, opts);
    match result {
        ParseResult::Parsed(p) => Ok(from_parsed(
            if format == Format::Zip { Format::AppleHealth } else { format },
            data.len() as u64,
            p,
        )),
        ParseResult::Failed(p) => Err(p),
        ParseResult::Skipped(reason) => Err(Problem::general(reason)),
    }
}

/// Inspects a file given as a reader. Apple Health exports (XML or zip) are streamed,
/// since they reach several GB; other formats are small and read whole.
pub fn inspect_reader<R: Read + Seek>(
    name: &str,
    mut input: R,
    opts: &ImportOptions,
) -> Result<Inspection, Problem> {
    let io = |e: std::io::Error| Problem::general(format!("cannot read: {e}"));
    let bytes = input.seek(SeekFrom::End(0)).map_err(io)?;
    input.seek(SeekFrom::Start(0)).map_err(io)?;
    let mut head = Vec::with_capacity(4096);
    input.by_ref().take(4096).read_to_end(&mut head).map_err(io)?;
    input.seek(SeekFrom::Start(0)).map_err(io)?;
    match Format::detect(name, &head) {
        Format::AppleHealth => {
            let p = apple_health::parse_reader(input, &opts.derive)?.parsed;
            Ok(from_parsed(Format::AppleHealth, bytes, p))
        }
        Format::Zip => {
            let p = apple_health::parse_zip(input, &opts.derive).map_err(|p| Problem {
                reason: format!("a zip that is not an Apple Health export ({})", p.reason),
                ..p
            })?;
            Ok(from_parsed(Format::AppleHealth, bytes, p))
        }
        _ => {
            let mut data = Vec::with_capacity(bytes.min(256 << 20) as usize);
            input.read_to_end(&mut data).map_err(io)?;
            inspect_bytes(name, &data, opts)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gpx_counts_and_range() {
        let gpx = br#"<?xml version="1.0"?><gpx version="1.1" creator="t" xmlns="http://www.topografix.com/GPX/1/1"><trk><trkseg>
            <trkpt lat="53.8" lon="-1.55"><time>2024-05-01T07:00:00Z</time></trkpt>
            <trkpt lat="53.801" lon="-1.55"><time>2024-05-01T07:00:10Z</time></trkpt>
            <trkpt lat="53.802" lon="-1.55"><time>2024-05-01T07:00:20Z</time></trkpt></trkseg></trk></gpx>"#;
        let i = inspect_bytes("walk.gpx", gpx, &ImportOptions::default()).unwrap();
        assert_eq!(i.format, Format::Gpx);
        assert_eq!(i.points, 3);
        assert_eq!(i.activities.len(), 1);
        assert_eq!(i.first_utc.as_deref(), Some("2024-05-01T07:00:00Z"));
        assert_eq!(i.last_utc.as_deref(), Some("2024-05-01T07:00:20Z"));
        assert!(i.fit.is_none());
    }

    #[test]
    fn unknown_and_garbage_are_errors_not_panics() {
        assert!(inspect_bytes("notes.txt", b"hello", &ImportOptions::default()).is_err());
        let i = inspect_bytes("x.fit", &[14, 16, 0, 0, 1, 2, 3], &ImportOptions::default()).unwrap();
        assert!(i.damaged);
        assert!(!i.problems.is_empty());
        assert!(!i.fit.unwrap().crc_ok);
    }
}
