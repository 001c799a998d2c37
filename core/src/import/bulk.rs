//! Bulk import: files, folders and zips (a Garmin account export holds thousands of FIT
//! files, some inside nested zips; an Apple Health export.zip is one item).
//!
//! Parsing runs on worker threads (`std::thread::scope`, one per core), committing on the
//! calling thread: SQLite has one writer, so parse in parallel and write in series. A
//! bounded channel keeps at most a few parsed files in memory. Each file is one
//! [`ImportBatch`] and one transaction, so a failed file leaves
//! the record as it was and a cancelled import stops at a file boundary. Importing twice
//! adds nothing (stable source ids for activities, dedup keys for samples).

use super::derive::DeriveOptions;
use super::{apple_health, csv, fit_map, gpx, limits, sha256_hex, strava, tcx, utc_string};
use super::{FileReport, FileStatus, Format, ImportReport, Parsed, Problem};
use crate::progress::{CancelToken, ProgressListener};
use crate::record::{Sample, SampleKind};
use crate::store::{ImportBatch, ImportOutcome};
use crate::{Error, Record, Result};
use std::collections::HashMap;
use std::fs::File;
use std::io::{Cursor, Read};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

/// Settings for an import.
#[derive(Clone, Debug, Default)]
pub struct ImportOptions {
    pub derive: DeriveOptions,
    /// Offset of zone-less CSV times from UTC, in minutes.
    pub csv_utc_offset_minutes: i32,
    /// A mapping for CSVs whose layout is not recognised.
    pub csv_mapping: Option<csv::CsvMapping>,
    /// Parser threads (0 = one per core).
    pub threads: usize,
}

/// What parsing one item gave.
pub enum ParseResult {
    Parsed(Parsed),
    Failed(Problem),
    Skipped(String),
}

/// Parses one file's bytes (any supported format) without touching a record.
pub fn parse_bytes(name: &str, data: &[u8], opts: &ImportOptions) -> (Format, ParseResult) {
    let format = Format::detect(name, data);
    let r = match format {
        Format::Fit => ParseResult::Parsed(fit_map::parse(data, &opts.derive)),
        Format::Gpx => gpx::parse(data, &sha256_hex(data), &opts.derive)
            .map_or_else(ParseResult::Failed, ParseResult::Parsed),
        Format::Tcx => tcx::parse(data, &sha256_hex(data), &opts.derive)
            .map_or_else(ParseResult::Failed, ParseResult::Parsed),
        Format::AppleHealth => apple_health::parse_reader(data, &opts.derive)
            .map(|a| a.parsed)
            .map_or_else(ParseResult::Failed, ParseResult::Parsed),
        Format::Csv => match csv::parse(data, opts.csv_mapping.as_ref(), opts.csv_utc_offset_minutes) {
            Ok(p) => ParseResult::Parsed(p),
            Err(p) if p.reason.starts_with("CSV layout not recognised") => ParseResult::Skipped(p.reason),
            Err(p) => ParseResult::Failed(p),
        },
        Format::StravaJson => strava::parse_json(data, &opts.derive),
        Format::Zip => match apple_health::parse_zip(Cursor::new(data), &opts.derive) {
            Ok(p) => ParseResult::Parsed(p),
            Err(p) => {
                ParseResult::Skipped(format!("a zip that is not an Apple Health export ({})", p.reason))
            }
        },
        Format::Unknown => ParseResult::Skipped("not a format phr imports".into()),
    };
    (format, r)
}

enum Item {
    File(PathBuf),
    ZipEntry { zip: PathBuf, name: String },
    Nested { zip: PathBuf, outer: String, inner: String },
    AppleZip(PathBuf),
}

impl Item {
    fn display(&self) -> String {
        match self {
            Item::File(p) | Item::AppleZip(p) => p.display().to_string(),
            Item::ZipEntry { zip, name } => format!("{}!{name}", zip.display()),
            Item::Nested { zip, outer, inner } => format!("{}!{outer}!{inner}", zip.display()),
        }
    }
}

fn is_apple_zip(names: &[String]) -> bool {
    names.iter().any(|n| n.ends_with("export.xml") && (n.matches('/').count() <= 1))
}

fn zip_names<R: Read + std::io::Seek>(z: &zip::ZipArchive<R>) -> Vec<String> {
    let mut v: Vec<String> = z.file_names().filter(|n| !n.ends_with('/')).map(str::to_string).collect();
    v.sort();
    v
}

/// Where the walk of the given paths has been: every folder and file by (device, inode),
/// so a folder reached twice (a bind mount, a symlink given twice) and a file linked under
/// two names are read once.
#[derive(Default)]
struct Seen(std::collections::HashSet<(u64, u64)>);

impl Seen {
    /// True the first time `meta`'s file is met.
    fn first(&mut self, path: &Path, meta: &std::fs::Metadata) -> bool {
        self.0.insert(file_id(path, meta))
    }
}

#[cfg(unix)]
fn file_id(_path: &Path, meta: &std::fs::Metadata) -> (u64, u64) {
    use std::os::unix::fs::MetadataExt;
    (meta.dev(), meta.ino())
}

#[cfg(not(unix))]
fn file_id(path: &Path, _meta: &std::fs::Metadata) -> (u64, u64) {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf()).hash(&mut h);
    (0, h.finish())
}

fn skipped(path: String, format: Format, reason: String) -> FileReport {
    let mut r = failed(path, format, Problem::general(reason));
    r.status = FileStatus::Skipped;
    r
}

/// Lists what `path` holds. A path given by the owner is followed if it is a symlink;
/// inside folders, symlinked folders are not (a link to a parent would loop for ever).
/// Only regular files are read: a device (`/dev/zero`), FIFO or socket would never end
/// or never start.
fn enumerate(path: &Path, top: bool, seen: &mut Seen, out: &mut Vec<Item>, report: &mut ImportReport) {
    let shown = path.display().to_string();
    let link = std::fs::symlink_metadata(path);
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) => {
            return report.push(failed(shown, Format::Unknown, Problem::general(format!("cannot read: {e}"))))
        }
    };
    if meta.is_dir() {
        if !top && link.is_ok_and(|l| l.file_type().is_symlink()) {
            return report.push(skipped(shown, Format::Unknown, "a link to a folder: not followed".into()));
        }
        if !seen.first(path, &meta) {
            return;
        }
        let mut entries: Vec<PathBuf> = match std::fs::read_dir(path) {
            Ok(rd) => rd.filter_map(|e| e.ok().map(|e| e.path())).collect(),
            Err(e) => {
                return report.push(failed(
                    shown,
                    Format::Unknown,
                    Problem::general(format!("cannot read folder: {e}")),
                ))
            }
        };
        entries.sort();
        for e in entries {
            let hidden = e.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with('.'));
            if !hidden {
                enumerate(&e, false, seen, out, report);
            }
        }
        return;
    }
    if !meta.is_file() {
        return report.push(failed(
            shown,
            Format::Unknown,
            Problem::general("not a regular file (a device, pipe or socket): phr imports files only"),
        ));
    }
    if !seen.first(path, &meta) {
        return;
    }
    let is_zip = path.extension().and_then(|e| e.to_str()).is_some_and(|e| e.eq_ignore_ascii_case("zip"));
    if !is_zip {
        // Apple Health XML streams; everything else is read whole, so refuse it here
        // rather than after reading 32 MB.
        if meta.len() > limits::MAX_FILE_BYTES && !is_apple_xml(path) {
            return report.push(failed(
                shown,
                Format::detect(&path.to_string_lossy(), &[]),
                Problem::general(format!(
                    "{} MB: larger than {}, the most phr reads from one file",
                    meta.len() >> 20,
                    limits::mib(limits::MAX_FILE_BYTES)
                )),
            ));
        }
        out.push(Item::File(path.to_path_buf()));
        return;
    }
    let z = match File::open(path)
        .map_err(|e| e.to_string())
        .and_then(|f| zip::ZipArchive::new(f).map_err(|e| e.to_string()))
    {
        Ok(z) => z,
        Err(e) => {
            return report.push(failed(
                shown,
                Format::Zip,
                Problem::at_byte(0, format!("not a readable zip: {e}")),
            ))
        }
    };
    let names = zip_names(&z);
    if is_apple_zip(&names) {
        out.push(Item::AppleZip(path.to_path_buf()));
        return;
    }
    let mut z = z;
    for name in names {
        if name.to_ascii_lowercase().ends_with(".zip") {
            let inner = z.by_name(&name).map_err(|e| e.to_string()).and_then(|f| {
                let b = limits::read_capped(f, limits::MAX_FILE_BYTES).map_err(|e| e.to_string())?;
                zip::ZipArchive::new(Cursor::new(b)).map_err(|e| e.to_string())
            });
            match inner {
                Ok(iz) => {
                    for inner in zip_names(&iz) {
                        out.push(Item::Nested { zip: path.to_path_buf(), outer: name.clone(), inner });
                    }
                }
                Err(e) => report.push(failed(
                    format!("{shown}!{name}"),
                    Format::Zip,
                    Problem::general(format!("not a readable zip: {e}")),
                )),
            }
        } else {
            out.push(Item::ZipEntry { zip: path.to_path_buf(), name });
        }
    }
}

fn failed(path: String, format: Format, p: Problem) -> FileReport {
    FileReport {
        path,
        format,
        status: FileStatus::Failed,
        activities: 0,
        points: 0,
        samples: 0,
        first_utc: None,
        last_utc: None,
        outcome: ImportOutcome::default(),
        problems: vec![p],
    }
}

/// Bytes unpacked so far from each zip of an import, over every worker, so a zip of many
/// entries just under [`limits::MAX_FILE_BYTES`] still stops at [`limits::MAX_ZIP_TOTAL_BYTES`].
#[derive(Default)]
struct ZipTotals(std::sync::Mutex<HashMap<PathBuf, u64>>);

impl ZipTotals {
    fn add(
        &self,
        zip: &Path,
        bytes: std::result::Result<Vec<u8>, String>,
    ) -> std::result::Result<Vec<u8>, String> {
        let b = bytes?;
        let mut totals = self.0.lock().map_err(|_| "a parser thread failed".to_string())?;
        let total = totals.entry(zip.to_path_buf()).or_default();
        *total += b.len() as u64;
        if *total > limits::MAX_ZIP_TOTAL_BYTES {
            return Err(format!(
                "the zip unpacks to more than {}, the most phr reads from one zip (a zip bomb?)",
                limits::mib(limits::MAX_ZIP_TOTAL_BYTES)
            ));
        }
        Ok(b)
    }
}

#[derive(Default)]
struct ZipCache<'a> {
    totals: Option<&'a ZipTotals>,
    outer: HashMap<PathBuf, zip::ZipArchive<File>>,
    nested: HashMap<(PathBuf, String), zip::ZipArchive<Cursor<Vec<u8>>>>,
}

fn count(
    totals: Option<&ZipTotals>,
    zip: &Path,
    bytes: std::result::Result<Vec<u8>, String>,
) -> std::result::Result<Vec<u8>, String> {
    match totals {
        Some(t) => t.add(zip, bytes),
        None => bytes,
    }
}

fn read_entry<R: Read + std::io::Seek>(
    z: &mut zip::ZipArchive<R>,
    name: &str,
) -> std::result::Result<Vec<u8>, String> {
    let f = z.by_name(name).map_err(|e| e.to_string())?;
    limits::read_capped(f, limits::MAX_FILE_BYTES).map_err(|e| e.to_string())
}

/// What a worker hands the committing thread.
enum Work {
    Parsed(Format, ParseResult),
    /// An Apple Health export (zip or XML; gigabytes): streamed into the record by the
    /// committing thread, inside one transaction, in bounded memory.
    AppleStream {
        zip: bool,
    },
}

fn is_apple_xml(p: &Path) -> bool {
    let mut head = [0u8; 4096];
    let n = File::open(p).and_then(|mut f| f.read(&mut head)).unwrap_or(0);
    Format::detect(&p.to_string_lossy(), &head[..n]) == Format::AppleHealth
}

fn work_item(item: &Item, opts: &ImportOptions, cache: &mut ZipCache<'_>) -> Work {
    match item {
        Item::AppleZip(_) => Work::AppleStream { zip: true },
        Item::File(p) if is_apple_xml(p) => Work::AppleStream { zip: false },
        _ => {
            let (f, r) = parse_item(item, opts, cache);
            Work::Parsed(f, r)
        }
    }
}

fn parse_item(item: &Item, opts: &ImportOptions, cache: &mut ZipCache<'_>) -> (Format, ParseResult) {
    let bytes = match item {
        Item::AppleZip(p) => {
            return match File::open(p) {
                Ok(f) => (
                    Format::AppleHealth,
                    apple_health::parse_zip(std::io::BufReader::new(f), &opts.derive)
                        .map_or_else(ParseResult::Failed, ParseResult::Parsed),
                ),
                Err(e) => {
                    (Format::AppleHealth, ParseResult::Failed(Problem::general(format!("cannot open: {e}"))))
                }
            };
        }
        Item::File(p) => File::open(p)
            .and_then(|f| limits::read_capped(f, limits::MAX_FILE_BYTES))
            .map_err(|e| format!("cannot read: {e}")),
        Item::ZipEntry { zip, name } => {
            if !cache.outer.contains_key(zip) {
                match File::open(zip)
                    .map_err(|e| e.to_string())
                    .and_then(|f| zip::ZipArchive::new(f).map_err(|e| e.to_string()))
                {
                    Ok(z) => {
                        cache.outer.insert(zip.clone(), z);
                    }
                    Err(e) => return (Format::Zip, ParseResult::Failed(Problem::general(e))),
                }
            }
            match cache.outer.get_mut(zip) {
                Some(z) => count(cache.totals, zip, read_entry(z, name)),
                None => Err("zip vanished".into()),
            }
        }
        Item::Nested { zip, outer, inner } => {
            let key = (zip.clone(), outer.clone());
            if !cache.nested.contains_key(&key) {
                let opened = File::open(zip)
                    .map_err(|e| e.to_string())
                    .and_then(|f| zip::ZipArchive::new(f).map_err(|e| e.to_string()))
                    .and_then(|mut z| read_entry(&mut z, outer))
                    .and_then(|b| zip::ZipArchive::new(Cursor::new(b)).map_err(|e| e.to_string()));
                match opened {
                    Ok(z) => {
                        // One nested zip at a time per worker keeps memory bounded.
                        cache.nested.clear();
                        cache.nested.insert(key.clone(), z);
                    }
                    Err(e) => return (Format::Zip, ParseResult::Failed(Problem::general(e))),
                }
            }
            match cache.nested.get_mut(&key) {
                Some(z) => count(cache.totals, zip, read_entry(z, inner)),
                None => Err("zip vanished".into()),
            }
        }
    };
    match bytes {
        Ok(b) => {
            let name = match item {
                Item::File(p) => p.to_string_lossy().into_owned(),
                Item::ZipEntry { name, .. } => name.clone(),
                Item::Nested { inner, .. } => inner.clone(),
                Item::AppleZip(p) => p.to_string_lossy().into_owned(),
            };
            parse_bytes(&name, &b, opts)
        }
        Err(e) => (Format::Unknown, ParseResult::Failed(Problem::general(e))),
    }
}

/// Drops incoming cumulative samples that a better source already covers in the record
/// (see [`super::priority`]).
pub(crate) fn resolve_against_record(record: &Record, samples: &mut Vec<Sample>) -> Result<u64> {
    let mut dropped = super::priority::resolve(samples);
    let mut kinds: Vec<SampleKind> = samples.iter().map(|s| s.kind).filter(|k| k.is_cumulative()).collect();
    kinds.sort();
    kinds.dedup();
    for kind in kinds {
        let (lo, hi) = samples
            .iter()
            .filter(|s| s.kind == kind)
            .fold((i64::MAX, i64::MIN), |(lo, hi), s| (lo.min(s.start_ms), hi.max(s.end_ms)));
        // Samples that start up to a day before may still overlap.
        let existing: Vec<Sample> = record
            .samples(kind, lo - 86_400_000, hi + 1)?
            .into_iter()
            .filter(|e| !samples.iter().any(|s| s.source == e.source))
            .collect();
        if existing.is_empty() {
            continue;
        }
        let (mut mine, rest): (Vec<Sample>, Vec<Sample>) =
            std::mem::take(samples).into_iter().partition(|s| s.kind == kind);
        dropped += super::priority::resolve_against(&mut mine, &existing);
        *samples = rest;
        samples.extend(mine);
    }
    Ok(dropped)
}

/// Stores one parsed file and reports it. A store error fails the file (nothing written).
pub fn commit(record: &Record, path: String, format: Format, result: ParseResult) -> FileReport {
    let mut parsed = match result {
        ParseResult::Failed(p) => return failed(path, format, p),
        ParseResult::Skipped(reason) => {
            let mut r = failed(path, format, Problem::general(reason));
            r.status = FileStatus::Skipped;
            return r;
        }
        ParseResult::Parsed(p) => p,
    };
    let (first, last) =
        parsed.time_range().map_or((None, None), |(a, b)| (Some(utc_string(a)), Some(utc_string(b))));
    let mut report = FileReport {
        path,
        format,
        status: if parsed.damaged { FileStatus::Partial } else { FileStatus::Ok },
        activities: parsed.batch.activities.len() as u64,
        points: parsed.points,
        samples: parsed.batch.samples.len() as u64,
        first_utc: first,
        last_utc: last,
        outcome: ImportOutcome::default(),
        problems: std::mem::take(&mut parsed.problems),
    };
    if parsed.damaged
        && parsed.batch.samples.is_empty()
        && parsed.batch.activities.is_empty()
        && parsed.points == 0
    {
        report.status = FileStatus::Failed;
        return report;
    }
    // A readable file with nothing in it (a GPX of waypoints only, an empty CSV) imported
    // nothing: "ok" would tell the owner their data is in.
    if parsed.batch.samples.is_empty()
        && parsed.batch.activities.is_empty()
        && parsed.batch.entries.is_empty()
    {
        report.status = FileStatus::Skipped;
        report.problems.push(Problem::general("holds no activities or readings to import"));
        return report;
    }
    match resolve_against_record(record, &mut parsed.batch.samples) {
        Ok(n) if n > 0 => report.problems.push(Problem::general(format!(
            "{n} samples overlapped readings from a preferred device and were left out"
        ))),
        Ok(_) => {}
        Err(e) => {
            report.status = FileStatus::Failed;
            report.problems.push(Problem::general(format!("could not check for overlaps: {e}")));
            return report;
        }
    }
    match record.import(&parsed.batch) {
        Ok(o) => report.outcome = o,
        Err(e) => {
            report.status = FileStatus::Failed;
            report.problems.push(Problem::general(format!("not stored: {e}")));
        }
    }
    report
}

/// Streams an Apple Health export (`export.zip` or `export.xml`) into the record in
/// parts of [`apple_health::STREAM_CHUNK`] samples, all inside ONE transaction
/// ([`Record::import_session`]): peak memory is one part, whatever the file size, and a
/// failure anywhere (unreadable file, store error) leaves the record as it was.
/// Cancelling stops at the next part and rolls the whole file back.
pub fn commit_apple_stream(
    record: &Record,
    path: &Path,
    zip: bool,
    opts: &ImportOptions,
    cancel: &CancelToken,
) -> FileReport {
    match File::open(path) {
        Ok(f) => commit_apple_stream_from(
            record,
            path.display().to_string(),
            std::io::BufReader::with_capacity(256 * 1024, f),
            zip,
            opts,
            apple_health::STREAM_CHUNK,
            cancel,
        ),
        Err(e) => failed(
            path.display().to_string(),
            Format::AppleHealth,
            Problem::general(format!("cannot open: {e}")),
        ),
    }
}

/// [`commit_apple_stream`] from any reader, with a chosen part size (tests use small parts).
///
/// Parsing and storing overlap: a parser thread hands parts through a channel of one to
/// this thread, which owns the store's transaction. If storing stops (an error or a
/// cancel), the channel closes and the parser stops at its next part.
pub fn commit_apple_stream_from<R: Read + std::io::Seek + Send>(
    record: &Record,
    shown: String,
    file: R,
    zip: bool,
    opts: &ImportOptions,
    chunk: usize,
    cancel: &CancelToken,
) -> FileReport {
    #[derive(Default)]
    struct Tally {
        samples: u64,
        invalid: u64,
        overlapped: u64,
        lo: i64,
        hi: i64,
    }
    let mut t = Tally { lo: i64::MAX, hi: i64::MIN, ..Default::default() };
    // A parse failure is carried out of the transaction here (and rolls it back).
    let mut stopped: Option<Problem> = None;
    let result = std::thread::scope(|scope| {
        let (parts_out, parts_in) = std::sync::mpsc::sync_channel::<Vec<Sample>>(1);
        let derive = &opts.derive;
        let parser = scope.spawn(move || {
            let mut send = |part: Vec<Sample>| {
                parts_out
                    .send(part)
                    .map_err(|_| Problem::general("stopped: the store did not take the samples"))
            };
            if zip {
                apple_health::stream_zip(file, derive, chunk, &mut send)
            } else {
                apple_health::stream_reader(file, derive, chunk, &mut send).map(|a| a.parsed)
            }
        });
        let (t, stopped) = (&mut t, &mut stopped);
        record.import_session(move |session| {
            let mut store_part = |mut samples: Vec<Sample>, t: &mut Tally| -> Result<()> {
                if cancel.is_cancelled() {
                    return Err(Error::Cancelled);
                }
                t.samples += samples.len() as u64;
                let before = samples.len();
                samples.retain(|s| s.validate().is_ok());
                t.invalid += (before - samples.len()) as u64;
                for s in &samples {
                    t.lo = t.lo.min(s.start_ms);
                    t.hi = t.hi.max(s.end_ms);
                }
                t.overlapped += resolve_against_record(record, &mut samples)?;
                session.add(&ImportBatch { samples, ..Default::default() })
            };
            // Returning early drops `parts_in`, which stops the parser.
            for part in parts_in.iter() {
                store_part(part, t)?;
            }
            let parsed =
                parser.join().unwrap_or_else(|_| Err(Problem::general("the parser stopped unexpectedly")));
            let mut parsed = match parsed {
                Ok(p) => p,
                Err(p) => {
                    *stopped = Some(p);
                    return Err(Error::Cancelled);
                }
            };
            parsed.batch.activities.retain(|a| a.validate().is_ok());
            if cancel.is_cancelled() {
                return Err(Error::Cancelled);
            }
            session.add(&ImportBatch {
                activities: std::mem::take(&mut parsed.batch.activities),
                ..Default::default()
            })?;
            Ok(parsed)
        })
    });
    let (mut parsed, outcome) = match result {
        Ok(r) => r,
        Err(_) if cancel.is_cancelled() => {
            let mut r = failed(
                shown,
                Format::AppleHealth,
                Problem::general("cancelled: nothing from this file was stored"),
            );
            r.status = FileStatus::Cancelled;
            return r;
        }
        Err(e) => {
            return failed(
                shown,
                Format::AppleHealth,
                stopped.unwrap_or_else(|| Problem::general(format!("not stored: {e}"))),
            )
        }
    };
    if t.invalid > 0 {
        parsed.problems.push(Problem::general(format!(
            "{} readings outside plausible ranges or times were left out",
            t.invalid
        )));
    }
    if t.overlapped > 0 {
        parsed.problems.push(Problem::general(format!(
            "{} samples overlapped readings from a preferred device and were left out",
            t.overlapped
        )));
    }
    let (mut lo, mut hi) = (t.lo, t.hi);
    let activities = outcome.activities_added + outcome.activities_merged + outcome.activities_unchanged;
    if let Some((a, b)) = parsed.time_range() {
        lo = lo.min(a);
        hi = hi.max(b);
    }
    FileReport {
        path: shown,
        format: Format::AppleHealth,
        status: if parsed.damaged { FileStatus::Partial } else { FileStatus::Ok },
        activities,
        points: parsed.points,
        samples: t.samples,
        first_utc: (lo <= hi).then(|| utc_string(lo)),
        last_utc: (lo <= hi).then(|| utc_string(hi)),
        outcome,
        problems: parsed.problems,
    }
}

/// Imports one in-memory file (the bindings' entry point for a shared file).
pub fn import_bytes(record: &Record, name: &str, data: &[u8], opts: &ImportOptions) -> FileReport {
    let (format, r) = parse_bytes(name, data, opts);
    let report = commit(record, name.to_string(), format, r);
    let mut run = ImportReport::default();
    run.push(report.clone());
    run.log_to(record, "files");
    report
}

/// Imports a file, folder or zip with default options.
pub fn import_path(
    record: &Record,
    path: &Path,
    progress: &dyn ProgressListener,
    cancel: &CancelToken,
) -> Result<ImportReport> {
    import_paths(record, &[path.to_path_buf()], &ImportOptions::default(), progress, cancel)
}

/// Imports files, folders and zips. Returns `Err` only for a cancelled import whose
/// report is still wanted? No: a cancelled import returns `Ok` with `cancelled = true`
/// (what finished is kept); `Err` is for a missing path.
pub fn import_paths(
    record: &Record,
    paths: &[PathBuf],
    opts: &ImportOptions,
    progress: &dyn ProgressListener,
    cancel: &CancelToken,
) -> Result<ImportReport> {
    let mut report = ImportReport::default();
    let mut items = Vec::new();
    let mut seen = Seen::default();
    for p in paths {
        if !p.exists() {
            return Err(Error::io(
                p,
                std::io::Error::new(std::io::ErrorKind::NotFound, "no such file or folder"),
            ));
        }
        enumerate(p, true, &mut seen, &mut items, &mut report);
    }
    let total = items.len() as u64;
    progress.on_progress("files", 0, total);
    let threads = if opts.threads == 0 {
        std::thread::available_parallelism().map_or(2, |n| n.get())
    } else {
        opts.threads
    }
    .clamp(1, limits::MAX_PARSE_THREADS)
    .min(items.len().max(1));
    let next = AtomicUsize::new(0);
    let items = &items;
    let totals = &ZipTotals::default();
    std::thread::scope(|scope| {
        let (tx, rx) = std::sync::mpsc::sync_channel::<(usize, Work)>(threads);
        for _ in 0..threads {
            let tx = tx.clone();
            let next = &next;
            scope.spawn(move || {
                let mut cache = ZipCache { totals: Some(totals), ..Default::default() };
                loop {
                    if cancel.is_cancelled() {
                        break;
                    }
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    let Some(item) = items.get(i) else { break };
                    if tx.send((i, work_item(item, opts, &mut cache))).is_err() {
                        break;
                    }
                }
            });
        }
        drop(tx);
        let mut done = 0u64;
        for (i, work) in rx {
            if cancel.is_cancelled() {
                report.cancelled = true;
                continue; // drain: workers stop at their next check
            }
            report.push(match (work, &items[i]) {
                (Work::AppleStream { zip }, Item::File(p) | Item::AppleZip(p)) => {
                    commit_apple_stream(record, p, zip, opts, cancel)
                }
                (Work::AppleStream { .. }, other) => failed(
                    other.display(),
                    Format::AppleHealth,
                    Problem::general("an Apple Health export inside another zip: unpack it first"),
                ),
                (Work::Parsed(format, result), item) => commit(record, item.display(), format, result),
            });
            done += 1;
            progress.on_progress("files", done, total);
        }
    });
    if cancel.is_cancelled() {
        report.cancelled = true;
    }
    report.log_to(record, "files");
    Ok(report)
}
