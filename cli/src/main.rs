//! `phr`: the personal health record on the command line.
//!
//! Every command opens the record in `--home` (default `$PHR_HOME`, else `~/.phr`),
//! unlocking it with `PHR_PASSPHRASE` or a prompt. Human output by default; `--json`
//! for scripts.

// The doc comments on clap's arguments are the `--help` text, written for a terminal
// (`<home>`, `KIND[:UNIT]`, bare URLs), not rustdoc markup.
#![allow(rustdoc::broken_intra_doc_links, rustdoc::bare_urls, rustdoc::invalid_html_tags)]

mod fhir_cmd;
mod import_cmd;
mod input;
mod insights_cmd;
mod inspect_cmd;
mod output;
mod progress;
mod share_cmd;
mod strava_cmd;
mod sync_cmd;
mod terminal;

use clap::{Parser, Subcommand};
use phr_core::crypto::{PassphraseKeyStore, RecoveryKey};
use phr_core::record::{AnnotationKind, FieldDef, FieldType, PrivacyLevel, Sample, SampleKind};
use phr_core::store::{IdKind, ListOptions, DB_FILE};
use phr_core::{Error, Record};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use terminal::{errln, outln};

/// The passphrase `phr demo` uses when it makes its own temporary record.
const DEMO_PASSPHRASE: &str = "demo passphrase, not for real records";

#[derive(Parser)]
#[command(name = "phr", version, about = "Your personal health record: encrypted, on your device, yours.")]
struct Cli {
    /// Folder holding the record (default: $PHR_HOME, else ~/.phr)
    #[arg(long, global = true, env = "PHR_HOME")]
    home: Option<PathBuf>,
    /// Machine-readable JSON output
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Create a new, empty record
    Init {
        /// Also make a printable recovery key (write it down)
        #[arg(long)]
        recovery_key: bool,
    },
    /// Fill a record with a realistic demo resident and show a summary (in --home, else in
    /// $PHR_HOME when set, else in a fresh temporary folder; the folder must not hold a record)
    Demo {
        /// Folder for the demo's charts (default: a fresh temporary folder; never the
        /// record's folder, as charts are not encrypted)
        #[arg(long)]
        charts: Option<PathBuf>,
    },
    /// List, switch on/off, set privacy of, or create sections
    #[command(subcommand)]
    Section(SectionCmd),
    /// Add an entry: `phr add medications name=Ramipril dose="5 mg"` or
    /// `--json-value '{"name": "Ramipril", "dose": "5 mg"}'` (`phr form SECTION` lists the fields)
    Add {
        /// Section: its slug (`medications`) or title; `phr section list` shows them
        section: String,
        /// key=value pairs (the entry type follows from the section; type=... overrides)
        pairs: Vec<String>,
        /// The fields as one JSON object instead of (or as well as) key=value pairs
        #[arg(long = "json-value", visible_alias = "value", value_name = "JSON")]
        json_value: Option<String>,
    },
    /// Show the form of a section: its fields, kinds, whether required, and an example
    Form {
        section: String,
        /// Another entry type the section takes (e.g. `note` for dental)
        #[arg(long = "type")]
        entry_type: Option<String>,
    },
    /// List entries of a section (or every section)
    List {
        section: Option<String>,
        /// Include deleted and hidden entries
        #[arg(long)]
        all: bool,
    },
    /// Show one entry with its history and annotations
    Show {
        /// Entry ID: the full ID or its first 6+ characters, as `phr list` shows them
        id: String,
    },
    /// Change fields of an entry: `phr edit ID dose="10 mg"`
    Edit {
        /// Entry ID: the full ID or its first 6+ characters, as `phr list` shows them
        id: String,
        pairs: Vec<String>,
        #[arg(long = "json-value", visible_alias = "value")]
        json_value: Option<String>,
    },
    /// Annotate an entry
    Annotate {
        /// Entry ID: the full ID or its first 6+ characters, as `phr list` shows them
        id: String,
        /// Mark as no longer relevant
        #[arg(long)]
        no_longer_relevant: bool,
        /// A free-text note
        #[arg(long)]
        note: Option<String>,
    },
    /// Hide an entry from normal views (e.g. one from the medical record)
    Hide {
        /// Entry ID: the full ID or its first 6+ characters, as `phr list` shows them
        id: String,
    },
    /// Show a hidden entry again
    Unhide {
        /// Entry ID: the full ID or its first 6+ characters, as `phr list` shows them
        id: String,
    },
    /// Delete an entry (it can be restored with `undo` until purged)
    Delete {
        /// Entry ID: the full ID or its first 6+ characters, as `phr list` shows them
        id: String,
    },
    /// Restore a deleted entry
    Undo {
        /// Entry ID: the full ID or its first 6+ characters, as `phr list` shows them
        id: String,
    },
    /// Erase deleted entries for good
    Purge {
        /// Entry ID of a deleted entry: the full ID or its first 6+ characters
        id: Option<String>,
        /// Purge every deleted entry
        #[arg(long)]
        all_deleted: bool,
    },
    /// Measurements: add one, or list a kind's readings or daily summaries
    #[command(subcommand)]
    Sample(SampleCmd),
    /// The whole record as JSON on stdout; `--ips` for an International Patient Summary,
    /// `--fhir --sections a,b` for a FHIR Bundle of chosen sections
    Export {
        #[arg(long, conflicts_with = "fhir")]
        ips: bool,
        #[arg(long)]
        fhir: bool,
        #[arg(long, value_delimiter = ',')]
        sections: Vec<String>,
    },
    /// GP and hospital records over FHIR: `connect URL`, `pull`, `import FILE`, `links`
    #[command(subcommand)]
    Fhir(fhir_cmd::FhirCmd),
    /// Write an encrypted backup file
    Backup { file: PathBuf },
    /// Restore a backup into --home (which must not hold a record)
    Restore {
        file: PathBuf,
        /// Forgot the passphrase? Unlock with the printed recovery key instead; you then
        /// choose a new passphrase (asked for, or $PHR_NEW_PASSPHRASE) and the old one stops working
        #[arg(long, value_name = "KEY")]
        recovery_key: Option<String>,
    },
    /// Your passphrase: `change` (asks for the current one and a new one)
    #[command(subcommand)]
    Passphrase(PassphraseCmd),
    /// Make a new printable recovery key (replaces the old one)
    RecoveryKey,
    /// Import files, folders or zips (FIT, GPX, TCX, Apple Health, CSV, Strava JSON)
    #[command(after_help = import_cmd::EXIT_CODES)]
    Import(import_cmd::ImportArgs),
    /// List activities (runs, rides, swims...)
    Activities(import_cmd::ActivitiesArgs),
    /// Decode one file and show what it holds, without opening the record
    Inspect(inspect_cmd::InspectArgs),
    /// Your Strava account: `connect`, `sync`, `status`
    #[command(subcommand)]
    Strava(strava_cmd::StravaCmd),
    /// Alerts, suggestions and signposts from your record; `off CATEGORY` / `on CATEGORY` / `settings`
    Insights {
        #[command(subcommand)]
        cmd: Option<insights_cmd::InsightsCmd>,
    },
    /// Your goals (weight, weekly distance, resting heart rate, active minutes)
    #[command(subcommand)]
    Goal(insights_cmd::GoalCmd),
    /// Share sections as SMART Health Links: `create`, `list`, `show`, `update`, `revoke`, `sync`
    #[command(subcommand)]
    Share(share_cmd::ShareCmd),
    /// Your devices: `start` (switch sync on), `add` (QR code for a new one), `join`, `list`, `remove`
    #[command(subcommand)]
    Device(sync_cmd::DeviceCmd),
    /// Sync with your other devices through the relay (end-to-end encrypted)
    Sync,
    /// Who may see what: your grants and their status
    Grants,
    /// Who saw what, when (`--verify` checks the hash chain)
    Audit {
        #[arg(long)]
        verify: bool,
    },
    /// Draw a chart as SVG: `phr chart weight --from 2026-01-01 --to 2026-11-25 --out weight.svg`
    Chart {
        /// What to draw, by the names `phr sample add` uses: weight, bmi, bp_systolic (blood pressure),
        /// bp_diastolic, resting_heart_rate, vo2max, sleep_duration, steps, active_minutes,
        /// alcohol_units, distance
        kind: String,
        /// First day (default: a year before --to)
        #[arg(long)]
        from: Option<String>,
        /// Last day (default: today)
        #[arg(long)]
        to: Option<String>,
        #[arg(long)]
        out: PathBuf,
        /// Dark theme
        #[arg(long)]
        dark: bool,
        /// A small sparkline instead of a full chart
        #[arg(long)]
        sparkline: bool,
    },
}

#[derive(Subcommand)]
enum SectionCmd {
    /// Every section with its state and privacy
    List,
    /// Switch an optional section on
    Enable { section: String },
    /// Switch an optional section off (its entries are kept)
    Disable { section: String },
    /// Set who may ever see a section: private, shareable or sensitive
    Privacy { section: String, level: String },
    /// Make your own section; fields as name:text|number[:unit]|date|bool, `!` = required
    Create {
        title: String,
        #[arg(long = "field")]
        fields: Vec<String>,
    },
}

#[derive(Subcommand)]
enum PassphraseCmd {
    /// Change the passphrase: the current one ($PHR_PASSPHRASE or asked) must unlock the
    /// record; the new one ($PHR_NEW_PASSPHRASE or asked twice) opens it from now on
    Change,
}

#[derive(Subcommand)]
enum SampleCmd {
    /// Add one reading: `phr sample add weight 82.4 --unit kg`
    Add {
        /// weight, bp_systolic, bp_diastolic, resting_heart_rate, steps, ... (a wrong one lists
        /// them all; `phr chart` takes the same names)
        kind: String,
        value: f64,
        #[arg(long)]
        unit: Option<String>,
        /// When (RFC 3339 or YYYY-MM-DD; default now)
        #[arg(long)]
        at: Option<String>,
        #[arg(long, default_value = "entered by hand")]
        source: String,
    },
    /// Readings of a kind between two dates (inclusive), or daily summaries with --daily
    List {
        kind: String,
        #[arg(long)]
        from: Option<String>,
        #[arg(long)]
        to: Option<String>,
        #[arg(long)]
        daily: bool,
    },
    /// Which kinds have readings
    Summary,
}

type CliResult = Result<(), String>;

/// The core's log lines (a schema migration, a Strava rate-limit wait) go to stderr through
/// `tracing`; `RUST_LOG` filters them (default `warn`: a person running `phr` reads what the
/// command says, not how the record was opened; `RUST_LOG=info` shows the rest). The core
/// never logs record values.
fn init_logs() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    // A second set-up cannot happen in this binary; if it did, the first one stands.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .without_time()
        .with_target(false)
        .try_init();
}

fn main() -> ExitCode {
    init_logs();
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(msg) => {
            errln!("phr: {msg}");
            ExitCode::FAILURE
        }
    }
}

fn default_home() -> PathBuf {
    std::env::var_os("HOME").map(PathBuf::from).unwrap_or_else(|| PathBuf::from(".")).join(".phr")
}

fn passphrase(confirm: bool) -> Result<String, String> {
    if let Ok(p) = std::env::var("PHR_PASSPHRASE") {
        return Ok(p);
    }
    let p = rpassword::prompt_password("Passphrase: ")
        .map_err(|_| "no passphrase: set PHR_PASSPHRASE or run in a terminal".to_string())?;
    if confirm && rpassword::prompt_password("Repeat passphrase: ").map_err(|e| e.to_string())? != p {
        return Err("the passphrases do not match".into());
    }
    Ok(p)
}

/// A new passphrase: `PHR_NEW_PASSPHRASE` (scripts, tests) or asked twice.
fn new_passphrase() -> Result<PassphraseKeyStore, String> {
    let p = match std::env::var("PHR_NEW_PASSPHRASE") {
        Ok(p) => zeroize::Zeroizing::new(p),
        Err(_) => {
            let p =
                zeroize::Zeroizing::new(rpassword::prompt_password("New passphrase: ").map_err(|_| {
                    "no new passphrase: set PHR_NEW_PASSPHRASE or run in a terminal".to_string()
                })?);
            let again = zeroize::Zeroizing::new(
                rpassword::prompt_password("Repeat new passphrase: ").map_err(|e| e.to_string())?,
            );
            if *again != *p {
                return Err("the new passphrases do not match".into());
            }
            p
        }
    };
    PassphraseKeyStore::new(&p).map_err(err)
}

/// The core's error, or the model's (validation), as the message the owner reads.
fn err(e: impl Into<Error>) -> String {
    e.into().to_string()
}

fn open(home: &Path) -> Result<Record, String> {
    let path = home.join(DB_FILE);
    if !path.exists() {
        return Err(format!(
            "no record in {}: run `phr --home {} init` first",
            home.display(),
            home.display()
        ));
    }
    let ks = PassphraseKeyStore::new(&passphrase(false)?).map_err(err)?;
    Record::open(&path, &ks).map_err(err)
}

/// The full ID of the entry `given` names (a full ID or a unique prefix, as `phr list` shows).
fn entry_id(record: &Record, given: &str) -> Result<String, String> {
    record.resolve_id(IdKind::Entry, given).map_err(err)
}

/// The section `name` names (slug or title), or an error listing the sections there are.
fn find_section(record: &Record, name: &str) -> Result<phr_core::record::Section, String> {
    match record.resolve_section(name) {
        Err(Error::NotFound { .. }) => {
            let all = record.sections().map_err(err)?;
            // Custom sections' ids are uuids: their titles are what the owner types.
            let names: Vec<String> = all
                .iter()
                .map(|s| if s.id.starts_with("custom:") { format!("{:?}", s.title) } else { s.id.clone() })
                .collect();
            Err(format!("no section called {name:?}; the sections are: {}", names.join(", ")))
        }
        other => other.map_err(err),
    }
}

fn parse_day(s: &str) -> Result<chrono::NaiveDate, String> {
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| format!("{s:?} is not a date (YYYY-MM-DD)"))
}

fn kind(s: &str) -> Result<SampleKind, String> {
    SampleKind::from_slug(s).ok_or_else(|| {
        format!(
            "unknown measurement {s:?}; known: {}",
            SampleKind::ALL.iter().map(|k| k.slug()).collect::<Vec<_>>().join(", ")
        )
    })
}

/// Runs one command; most end with 0, `import` says with 2 that some files were not read.
fn run(cli: Cli) -> Result<ExitCode, String> {
    let json = cli.json;
    let home = cli.home.clone().unwrap_or_else(default_home);
    match cli.command {
        Command::Init { recovery_key } => {
            let ks = PassphraseKeyStore::new(&passphrase(true)?).map_err(err)?;
            let record = Record::create(&home.join(DB_FILE), &ks).map_err(err)?;
            outln!("Created an encrypted record in {}", home.display());
            if recovery_key {
                output::recovery_key(&record.create_recovery_key().map_err(err)?);
            }
        }
        Command::Demo { charts } => {
            let (home, pass, kept) = match cli.home {
                Some(h) => {
                    (h, std::env::var("PHR_PASSPHRASE").unwrap_or_else(|_| DEMO_PASSPHRASE.into()), true)
                }
                None => {
                    let dir =
                        tempfile::Builder::new().prefix("phr-demo-").tempdir().map_err(|e| e.to_string())?;
                    (dir.keep(), DEMO_PASSPHRASE.to_string(), false)
                }
            };
            let ks = PassphraseKeyStore::new(&pass).map_err(err)?;
            let record = Record::create(&home.join(DB_FILE), &ks).map_err(err)?;
            let today = chrono::Utc::now().date_naive();
            let report = phr_core::demo::fill(&record, today).map_err(err)?;
            let chart_dir = match charts {
                Some(d) => d,
                None => tempfile::Builder::new()
                    .prefix("phr-demo-charts-")
                    .tempdir()
                    .map_err(|e| e.to_string())?
                    .keep(),
            };
            let written = insights_cmd::demo_charts(&record, today, &chart_dir)?;
            output::demo_summary(&record, &report, today, &written, json).map_err(err)?;
            if !json {
                outln!();
                outln!("The demo record is in {}", home.display());
                if !kept || std::env::var("PHR_PASSPHRASE").is_err() {
                    outln!(
                        "Explore it: PHR_PASSPHRASE='{DEMO_PASSPHRASE}' phr --home {} list",
                        home.display()
                    );
                }
            }
        }
        Command::Section(cmd) => {
            let record = open(&home)?;
            match cmd {
                SectionCmd::List => output::sections(&record.sections().map_err(err)?, json),
                SectionCmd::Enable { section } => {
                    let s = find_section(&record, &section)?;
                    output::section_changed(&record.set_section_enabled(&s.id, true).map_err(err)?, json)
                }
                SectionCmd::Disable { section } => {
                    let s = find_section(&record, &section)?;
                    output::section_changed(&record.set_section_enabled(&s.id, false).map_err(err)?, json)
                }
                SectionCmd::Privacy { section, level } => {
                    let s = find_section(&record, &section)?;
                    let level = PrivacyLevel::parse(&level).map_err(err)?;
                    output::section_changed(&record.set_section_privacy(&s.id, level).map_err(err)?, json)
                }
                SectionCmd::Create { title, fields } => {
                    let defs = fields.iter().map(|f| field_def(f)).collect::<Result<Vec<_>, _>>()?;
                    output::section_changed(&record.create_section(&title, defs).map_err(err)?, json)
                }
            }
        }
        Command::Add { section, pairs, json_value } => {
            let record = open(&home)?;
            let s = find_section(&record, &section)?;
            let mut fields = input::pairs(&pairs)?;
            if let Some(j) = json_value {
                fields.extend(input::json_pairs(&j)?);
            }
            let value = input::entry_from_pairs(&s, fields)?;
            let e = record.add_entry(&s.id, value, phr_core::record::Provenance::User).map_err(err)?;
            output::entry_added(&e, json);
            share_cmd::card_follows(&record, &e.section);
        }
        Command::Form { section, entry_type } => {
            let record = open(&home)?;
            let s = find_section(&record, &section)?;
            let spec = match entry_type {
                Some(t) => phr_core::app::forms::form_spec_for(&s, &t)
                    .map_err(|e| input::form_errors(std::slice::from_ref(&e)))?,
                None => phr_core::app::forms::form_spec(&s),
            };
            output::form(&spec, json);
        }
        Command::List { section, all } => {
            let record = open(&home)?;
            let opts = ListOptions { include_deleted: all, include_hidden: all };
            let sections = match section {
                Some(name) => vec![find_section(&record, &name)?],
                None => record.sections().map_err(err)?.into_iter().filter(|s| s.enabled).collect(),
            };
            let mut listing = Vec::new();
            for s in sections {
                let entries = record.list_entries(&s.id, opts).map_err(err)?;
                listing.push((s, entries));
            }
            output::listing(&listing, json);
        }
        Command::Show { id } => {
            let record = open(&home)?;
            output::entry_detail(&record.entry(&entry_id(&record, &id)?).map_err(err)?, json)
        }
        Command::Edit { id, pairs, json_value } => {
            let record = open(&home)?;
            let id = entry_id(&record, &id)?;
            let current = record.entry(&id).map_err(err)?;
            let s = find_section(&record, &current.section)?;
            let mut filled = phr_core::app::forms::form_values(&s, &current.value);
            let mut fields = input::pairs(&pairs)?;
            if let Some(j) = json_value {
                fields.extend(input::json_pairs(&j)?);
            }
            let (_, patch) = input::filled_form(fields);
            filled.extend(patch);
            let e = record
                .edit_entry_from_form(&id, &filled)
                .map_err(err)?
                .map_err(|e| input::form_errors(&e))?;
            output::entry_changed("Updated", &e, json);
            share_cmd::card_follows(&record, &e.section);
        }
        Command::Annotate { id, no_longer_relevant, note } => {
            let record = open(&home)?;
            let id = entry_id(&record, &id)?;
            let (kind, text) = match (no_longer_relevant, note) {
                (true, text) => (AnnotationKind::NoLongerRelevant, text),
                (false, Some(t)) => (AnnotationKind::Note, Some(t)),
                (false, None) => return Err("say --no-longer-relevant or --note TEXT".into()),
            };
            output::entry_changed("Annotated", &record.annotate(&id, kind, text).map_err(err)?, json);
        }
        Command::Hide { id } => {
            let record = open(&home)?;
            let id = entry_id(&record, &id)?;
            let e = record.set_hidden(&id, true).map_err(err)?;
            output::entry_changed("Hidden", &e, json);
            share_cmd::card_follows(&record, &e.section);
        }
        Command::Unhide { id } => {
            let record = open(&home)?;
            let id = entry_id(&record, &id)?;
            let e = record.set_hidden(&id, false).map_err(err)?;
            output::entry_changed("Shown", &e, json);
            share_cmd::card_follows(&record, &e.section);
        }
        Command::Delete { id } => {
            let record = open(&home)?;
            let e = record.delete_entry(&entry_id(&record, &id)?).map_err(err)?;
            output::entry_changed("Deleted (undo with `phr undo ID`)", &e, json);
            share_cmd::card_follows(&record, &e.section);
        }
        Command::Undo { id } => {
            let record = open(&home)?;
            let id = entry_id(&record, &id)?;
            let e = record.undo_delete(&id).map_err(err)?;
            output::entry_changed("Restored", &e, json);
            share_cmd::card_follows(&record, &e.section);
        }
        Command::Purge { id, all_deleted } => {
            let record = open(&home)?;
            let n = match (id, all_deleted) {
                (Some(id), false) => record.purge(&entry_id(&record, &id)?).map(|_| 1).map_err(err)?,
                (None, true) => record.purge_deleted().map_err(err)?,
                _ => return Err("give one entry ID or --all-deleted".into()),
            };
            output::purged(n, json);
        }
        Command::Sample(cmd) => sample(&home, cmd, json)?,
        Command::Export { ips, fhir, sections } if ips || fhir => fhir_cmd::export(&home, ips, &sections)?,
        Command::Fhir(cmd) => fhir_cmd::run(&home, cmd, json)?,
        Command::Export { .. } => {
            let export = open(&home)?.export().map_err(err)?;
            outln!("{}", serde_json::to_string_pretty(&export).map_err(|e| e.to_string())?);
        }
        Command::Backup { file } => {
            let record = open(&home)?;
            let waiting = progress::Progress::waiting(json, "Writing the encrypted backup");
            let size = record.backup(&file);
            waiting.done();
            let size = size.map_err(err)?;
            output::backed_up(&file, size, json);
        }
        Command::Restore { file, recovery_key } => {
            let record = match recovery_key {
                Some(k) => {
                    let key = RecoveryKey::parse(&k).map_err(err)?;
                    Record::restore_with_recovery_key(&file, &home, key, &new_passphrase()?)
                }
                None => {
                    Record::restore(&file, &home, &PassphraseKeyStore::new(&passphrase(false)?).map_err(err)?)
                }
            }
            .map_err(err)?;
            output::restored(&record, &home, json).map_err(err)?;
        }
        Command::Passphrase(PassphraseCmd::Change) => {
            let path = home.join(DB_FILE);
            let old = PassphraseKeyStore::new(&passphrase(false)?).map_err(err)?;
            let record = Record::open(&path, &old).map_err(|e| match e {
                Error::NoRecord => format!("no record in {}: run `phr init` first", home.display()),
                Error::WrongKey => "the current passphrase does not unlock this record".to_string(),
                other => err(other),
            })?;
            record.change_passphrase(Some(&old), &new_passphrase()?).map_err(err)?;
            if json {
                outln!("{}", serde_json::json!({ "passphrase_changed": true }));
            } else {
                outln!("Passphrase changed. The old one no longer opens this record.");
            }
        }
        Command::RecoveryKey => output::recovery_key(&open(&home)?.create_recovery_key().map_err(err)?),
        Command::Import(a) => return import_cmd::import(&home, a, json),
        Command::Activities(a) => import_cmd::activities(&home, a, json)?,
        Command::Inspect(a) => inspect_cmd::inspect(a, json)?,
        Command::Strava(cmd) => strava_cmd::run(&home, cmd, json)?,
        Command::Insights { cmd } => {
            insights_cmd::run(&open(&home)?, cmd, chrono::Utc::now().date_naive(), json)?
        }
        Command::Goal(cmd) => insights_cmd::goal(&open(&home)?, cmd, chrono::Utc::now().date_naive(), json)?,
        Command::Share(cmd) => share_cmd::run(&open(&home)?, cmd, json)?,
        Command::Grants => share_cmd::grants(&open(&home)?, json)?,
        Command::Sync => sync_cmd::sync(&open(&home)?, json)?,
        Command::Device(cmd) => sync_cmd::run(&home, || open(&home), cmd, json, || passphrase(true))?,
        Command::Audit { verify } => share_cmd::audit(&open(&home)?, verify, json)?,
        Command::Chart { kind, from, to, out, dark, sparkline } => {
            let kind = insights_cmd::metric(&kind)?;
            let to =
                to.map(|t| parse_day(&t)).transpose()?.unwrap_or_else(|| chrono::Utc::now().date_naive());
            let from = from.map(|f| parse_day(&f)).transpose()?.unwrap_or(to - chrono::Duration::days(365));
            insights_cmd::chart(&open(&home)?, kind, from, to, &out, dark, sparkline)?;
            if json {
                outln!("{}", serde_json::json!({ "written": out }));
            } else {
                outln!("Wrote {}", out.display());
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn sample(home: &Path, cmd: SampleCmd, json: bool) -> CliResult {
    let record = open(home)?;
    match cmd {
        SampleCmd::Add { kind: k, value, unit, at, source } => {
            let k = kind(&k)?;
            let value = k.to_canonical(value, unit.as_deref().unwrap_or(k.unit())).map_err(err)?;
            let at_ms = match at {
                None => chrono::Utc::now().timestamp_millis(),
                Some(t) => {
                    chrono::DateTime::parse_from_rfc3339(&t).map(|d| d.timestamp_millis()).or_else(|_| {
                        parse_day(&t)
                            .map(|d| d.and_hms_opt(12, 0, 0).unwrap_or_default().and_utc().timestamp_millis())
                    })?
                }
            };
            let r = record.ingest_samples(&[Sample::instant(k, at_ms, value, &source)]).map_err(err)?;
            output::ingested(&r, json);
        }
        SampleCmd::List { kind: k, from, to, daily } => {
            let k = kind(&k)?;
            let to =
                to.map(|t| parse_day(&t)).transpose()?.unwrap_or_else(|| chrono::Utc::now().date_naive());
            let from = from.map(|f| parse_day(&f)).transpose()?.unwrap_or(to - chrono::Duration::days(30));
            if daily {
                output::rollups(k, &record.daily_rollups(k, from, to).map_err(err)?, json);
            } else {
                let ms = |d: chrono::NaiveDate| {
                    d.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc().timestamp_millis()
                };
                output::samples(
                    k,
                    &record.samples(k, ms(from), ms(to + chrono::Duration::days(1))).map_err(err)?,
                    json,
                );
            }
        }
        SampleCmd::Summary => output::sample_summary(&record.sample_summary().map_err(err)?, json),
    }
    Ok(())
}

/// `name:type[:unit]`, with a trailing `!` for required: `pain:number!`, `weight:number:kg`.
fn field_def(spec: &str) -> Result<FieldDef, String> {
    let (spec, required) = spec.strip_suffix('!').map(|s| (s, true)).unwrap_or((spec, false));
    let mut parts = spec.splitn(3, ':');
    let name = parts.next().unwrap_or_default().trim().to_string();
    let field_type = match parts.next().unwrap_or("text") {
        "text" => FieldType::Text,
        "number" => FieldType::Number { unit: parts.next().map(str::to_string) },
        "date" => FieldType::Date,
        "bool" => FieldType::Bool,
        other => return Err(format!("field type {other:?} is not one of text, number, date, bool")),
    };
    Ok(FieldDef { name, field_type, required })
}
