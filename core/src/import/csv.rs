//! CSV measurements: blood-pressure cuffs and scales (Withings, Omron), HRV apps
//! (HRV4Training, Elite HRV), and any CSV through a [`CsvMapping`].
//!
//! Known layouts are recognised by their headers (`Date,"Weight (kg)","Fat mass (kg)"...`
//! for Withings, `Date,Time,Systolic (mmHg),Diastolic (mmHg),Pulse (bpm)...` for Omron),
//! and turned into a mapping, so every file goes through the same code. Times without a
//! zone are local to the device: they are shifted by `utc_offset_minutes` (default 0,
//! i.e. taken as UTC; the CLI's `--csv-utc-offset` sets it). Bad rows are reported by line
//! and skipped; the rest is imported.

use super::xml::strip_bom;
use super::{Parsed, Problem};
use crate::record::{Sample, SampleKind};
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};

/// One value column: its header, what it measures and in which unit.
#[derive(Clone, Debug, PartialEq)]
pub struct ColumnMap {
    pub column: String,
    pub kind: SampleKind,
    pub unit: String,
}

/// How to read a CSV: the time column(s) and the value columns.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CsvMapping {
    /// Header of the time column.
    pub time_column: String,
    /// Optional separate time-of-day column (joined to the date with a space).
    pub time_of_day_column: Option<String>,
    /// A column tried when the time column is empty or unreadable on a row.
    pub fallback_time_column: Option<String>,
    /// chrono format (`%Y-%m-%d %H:%M`), or "auto", "rfc3339", "unix", "unix_ms".
    pub time_format: String,
    /// Offset of zone-less times from UTC, in minutes (London summer time: 60).
    pub utc_offset_minutes: i32,
    pub columns: Vec<ColumnMap>,
    /// Sample source name ("omron", "withings scale").
    pub source: String,
    /// Column separator; `None` guesses `,` or `;` from the header line.
    pub delimiter: Option<u8>,
}

const AUTO_FORMATS: [&str; 14] = [
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%d.%m.%Y %H:%M",
    "%d %b %Y %H:%M",
    "%b %d %Y %H:%M",
    "%d-%b-%Y %H:%M",
    "%Y-%d-%m %H:%M",
    "%Y-%m-%d %I:%M %p",
    "%m/%d/%Y %I:%M %p",
];

fn parse_when(s: &str, format: &str, offset_min: i32) -> Option<i64> {
    let s = s.trim();
    let local = |n: NaiveDateTime| n.and_utc().timestamp_millis() - i64::from(offset_min) * 60_000;
    match format {
        "unix" => s.parse::<f64>().ok().filter(|v| v.is_finite()).map(|v| (v * 1000.0) as i64),
        "unix_ms" => s.parse::<i64>().ok(),
        "rfc3339" => DateTime::parse_from_rfc3339(s).ok().map(|t| t.with_timezone(&Utc).timestamp_millis()),
        "auto" => {
            // Spanish/Latin American exports write "12:01:00 a. m." for AM.
            let norm =
                s.replace("a. m.", "AM").replace("p. m.", "PM").replace("a.m.", "AM").replace("p.m.", "PM");
            let s = norm.as_str();
            for f in ["%Y-%m-%d %I:%M:%S %p %z", "%Y-%m-%d %H:%M:%S %z"] {
                if let Ok(t) = DateTime::parse_from_str(s, f) {
                    return Some(t.with_timezone(&Utc).timestamp_millis());
                }
            }
            if let Some(t) =
                super::xml::parse_time(s).filter(|_| s.contains('+') || s.ends_with('Z') || s.contains(" -"))
            {
                return Some(t);
            }
            for f in AUTO_FORMATS {
                if let Ok(n) = NaiveDateTime::parse_from_str(s, f) {
                    return Some(local(n));
                }
            }
            for f in ["%Y-%m-%d", "%d/%m/%Y", "%Y/%m/%d"] {
                if let Ok(d) = NaiveDate::parse_from_str(s, f) {
                    return d.and_hms_opt(0, 0, 0).map(local);
                }
            }
            None
        }
        f if f.contains("%z") || f.contains("%:z") => {
            DateTime::parse_from_str(s, f).ok().map(|t| t.with_timezone(&Utc).timestamp_millis())
        }
        f => NaiveDateTime::parse_from_str(s, f)
            .ok()
            .map(local)
            .or_else(|| NaiveDate::parse_from_str(s, f).ok().and_then(|d| d.and_hms_opt(0, 0, 0)).map(local)),
    }
}

fn unit_in(header: &str) -> Option<String> {
    let (_, rest) = header.split_once('(')?;
    Some(rest.split(')').next()?.trim().to_string())
}

/// Recognises Withings, Omron, HRV4Training and Elite HRV exports (and look-alikes).
pub fn detect_mapping(headers: &[String]) -> Option<CsvMapping> {
    let low: Vec<String> = headers.iter().map(|h| h.trim().to_ascii_lowercase()).collect();
    let has = |k: &str| low.iter().any(|h| h.contains(k));
    let source = if has("fat mass") || (has("weight") && has("bone mass")) {
        "withings scale"
    } else if has("irregular") || has("pulse (bpm)") || has("sys(mmhg)") || has("body movement") {
        "omron"
    } else if has("hrv4t") {
        "hrv4training"
    } else if has("member") && has("sdnn") {
        "elite hrv"
    } else if has("systolic") && has("heart rate") {
        "withings bpm"
    } else {
        "csv"
    };
    let hrv_app = matches!(source, "hrv4training" | "elite hrv");
    // Time: one full timestamp column beats date + time.
    let find = |pred: &dyn Fn(&str) -> bool| low.iter().position(|h| pred(h)).map(|i| headers[i].clone());
    let full = find(&|h| {
        matches!(
            h,
            "timestamp_measurement"
                | "datetime"
                | "timestamp"
                | "date/time"
                | "measurement date"
                | "date time"
        )
    });
    let date_col = find(&|h| h == "date");
    let (time_column, tod) = match full {
        Some(c) => (c, None),
        None => {
            let date = find(&|h| h == "date" || h.starts_with("date") || h.ends_with(" date"))?;
            let time = find(&|h| h == "time" || h == "measurement time");
            (date, time)
        }
    };
    let mut columns = Vec::new();
    for (i, h) in low.iter().enumerate() {
        let unit = unit_in(&headers[i]);
        let c = |kind: SampleKind, default: &str| ColumnMap {
            column: headers[i].clone(),
            kind,
            unit: unit.clone().unwrap_or_else(|| default.into()),
        };
        let m = if h.starts_with("systolic") || h.starts_with("sys") {
            Some(c(SampleKind::BloodPressureSystolic, "mmHg"))
        } else if h.starts_with("diastolic") || h.starts_with("dia") {
            Some(c(SampleKind::BloodPressureDiastolic, "mmHg"))
        } else if h.starts_with("pulse") || h.starts_with("heart rate") || h == "hr" {
            Some(c(if hrv_app { SampleKind::RestingHeartRate } else { SampleKind::HeartRate }, "bpm"))
        } else if h.starts_with("weight") {
            Some(c(SampleKind::Weight, "kg"))
        } else if h.starts_with("fat ratio") || h.starts_with("body fat") || h == "fat (%)" || h == "fat %" {
            Some(c(SampleKind::BodyFat, "%"))
        } else if h == "sdnn" {
            Some(c(SampleKind::HeartRateVariability, "ms"))
        } else {
            None
        };
        if let Some(m) = m {
            columns.push(m);
        }
    }
    let fallback_time_column = date_col.filter(|d| *d != time_column && tod.is_none());
    (!columns.is_empty()).then(|| CsvMapping {
        time_column,
        fallback_time_column,
        time_of_day_column: tod,
        time_format: "auto".into(),
        utc_offset_minutes: 0,
        columns,
        source: source.into(),
        delimiter: None,
    })
}

fn reader(data: &[u8], delimiter: Option<u8>) -> ::csv::Reader<&[u8]> {
    let first = data.split(|b| *b == b'\n').next().unwrap_or_default();
    let delim = delimiter.unwrap_or_else(|| {
        let count = |c: u8| first.iter().filter(|b| **b == c).count();
        if count(b';') > count(b',') {
            b';'
        } else if count(b'\t') > count(b',') {
            b'\t'
        } else {
            b','
        }
    });
    ::csv::ReaderBuilder::new().delimiter(delim).flexible(true).trim(::csv::Trim::All).from_reader(data)
}

/// Rows, columns and header of a CSV (what MANIFEST's peer facts count).
pub fn shape(data: &[u8]) -> Result<(u64, u64, Vec<String>), Problem> {
    let mut r = reader(strip_bom(data), None);
    let headers: Vec<String> = r
        .headers()
        .map_err(|e| Problem::at_line(1, format!("unreadable header: {e}")))?
        .iter()
        .map(str::to_string)
        .collect();
    let mut rows = 0;
    for rec in r.records() {
        rec.map_err(|e| Problem {
            offset: e.position().map(|p| p.byte()),
            line: e.position().map(|p| p.line()),
            reason: format!("{e}"),
        })?;
        rows += 1;
    }
    Ok((rows, headers.len() as u64, headers))
}

/// Parses with a known layout (detected from the header) or the given mapping.
pub fn parse(data: &[u8], mapping: Option<&CsvMapping>, utc_offset_minutes: i32) -> Result<Parsed, Problem> {
    let data = strip_bom(data);
    let mut r = reader(data, mapping.and_then(|m| m.delimiter));
    let headers: Vec<String> = r
        .headers()
        .map_err(|e| Problem::at_line(1, format!("unreadable header: {e}")))?
        .iter()
        .map(str::to_string)
        .collect();
    let detected;
    let m = match mapping {
        Some(m) => m,
        None => {
            detected = detect_mapping(&headers).ok_or_else(|| {
                Problem::at_line(
                    1,
                    format!(
                        "CSV layout not recognised (columns: {}); give a column mapping (`phr import --csv-time COLUMN --csv-column COLUMN=KIND:UNIT`)",
                        headers.join(", ")
                    ),
                )
            })?;
            &detected
        }
    };
    let offset = if mapping.is_some() { m.utc_offset_minutes } else { utc_offset_minutes };
    let col = |name: &str| headers.iter().position(|h| h.trim().eq_ignore_ascii_case(name.trim()));
    let tcol = col(&m.time_column)
        .ok_or_else(|| Problem::at_line(1, format!("no time column {:?}", m.time_column)))?;
    let todcol = match &m.time_of_day_column {
        Some(c) => Some(col(c).ok_or_else(|| Problem::at_line(1, format!("no time column {c:?}")))?),
        None => None,
    };
    let fallback = m.fallback_time_column.as_deref().and_then(&col);
    let mut vcols = Vec::new();
    for c in &m.columns {
        let i = col(&c.column).ok_or_else(|| Problem::at_line(1, format!("no column {:?}", c.column)))?;
        c.kind
            .to_canonical(1.0, &c.unit)
            .map_err(|_| Problem::at_line(1, format!("unit {:?} does not fit {}", c.unit, c.kind.slug())))?;
        vcols.push((i, c));
    }
    let mut out = Parsed::default();
    let mut rows = 0u64;
    let mut bad_rows = 0u64;
    for rec in r.records() {
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                out.problems.push(Problem {
                    offset: e.position().map(|p| p.byte()),
                    line: e.position().map(|p| p.line()),
                    reason: format!("{e}"),
                });
                out.damaged = true;
                break;
            }
        };
        rows += 1;
        let line = rec.position().map_or(rows + 1, |p| p.line());
        let when = rec.get(tcol).map(|d| match todcol.and_then(|i| rec.get(i)) {
            Some(t) if !t.is_empty() => format!("{d} {t}"),
            _ => d.to_string(),
        });
        let t = when.as_deref().and_then(|w| parse_when(w, &m.time_format, offset));
        let t = t.or_else(|| {
            fallback.and_then(|i| rec.get(i)).and_then(|w| parse_when(w, &m.time_format, offset))
        });
        let Some(t) = t else {
            bad_rows += 1;
            if bad_rows <= 20 {
                out.problems.push(Problem::at_line(line, "the date/time could not be read"));
            }
            continue;
        };
        for (i, c) in &vcols {
            let Some(raw) =
                rec.get(*i).map(str::trim).filter(|s| !matches!(*s, "" | "-" | "NA" | "n/a" | "--"))
            else {
                continue;
            };
            let Some(v) = raw.replace(',', ".").parse::<f64>().ok().filter(|v| v.is_finite()) else {
                bad_rows += 1;
                if bad_rows <= 20 {
                    out.problems
                        .push(Problem::at_line(line, format!("column {:?} is not a number", c.column)));
                }
                continue;
            };
            if let Ok(v) = c.kind.to_canonical(v, &c.unit) {
                out.batch.samples.push(Sample {
                    kind: c.kind,
                    start_ms: t,
                    end_ms: t,
                    value: v,
                    source: m.source.clone(),
                    dedup_key: None,
                });
            }
        }
    }
    if bad_rows > 20 {
        out.problems.push(Problem::general(format!("{} more bad values not listed", bad_rows - 20)));
    }
    out.points = rows;
    out.count("rows", rows);
    out.count("columns", headers.len() as u64);
    out.drop_invalid();
    Ok(out)
}
