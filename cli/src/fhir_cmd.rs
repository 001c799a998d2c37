//! `phr fhir connect URL`, `phr fhir pull`, `phr fhir import FILE`, `phr fhir links`, and
//! the FHIR side of `phr export` (`--ips`, `--fhir --sections a,b`).

use crate::terminal::{errln, outln};
use clap::Subcommand;
use phr_core::fhir::{self, smart, FhirImportOptions, FhirImportReport};
use phr_core::Record;
use std::path::{Path, PathBuf};

#[derive(Subcommand)]
pub enum FhirCmd {
    /// Connect to your GP or hospital FHIR server (SMART on FHIR, PKCE): opens a browser
    /// login and waits for it on a loopback address
    Connect {
        /// The FHIR base URL (e.g. https://example.nhs.uk/fhir/R4)
        url: String,
        /// For test servers that approve without a login page: fetch the authorization
        /// URL directly instead of waiting for a browser
        #[arg(long, hide = true)]
        no_browser: bool,
        /// Seconds to wait for the browser
        #[arg(long, default_value_t = 300)]
        timeout: u64,
    },
    /// Fetch your whole record from the connected server and bring the record up to date
    Pull {
        /// Import even if the server's record is about someone else
        #[arg(long)]
        force: bool,
    },
    /// Import a FHIR JSON file (a resource or a Bundle)
    Import {
        file: PathBuf,
        /// Import even if the file is about someone else
        #[arg(long)]
        force: bool,
        /// The file is the source's whole record: retire entries it no longer lists
        #[arg(long)]
        replace: bool,
        /// Name of the source system (default: from the file)
        #[arg(long)]
        source: Option<String>,
    },
    /// Your entries linked to medical-record ones, and where they disagree
    Links,
}

/// Imports one FHIR JSON or XML file; the small public entry `phr import` routes FHIR to.
pub fn import_file(record: &Record, file: &Path, force: bool) -> Result<FhirImportReport, String> {
    fhir::import_path(record, file, &FhirImportOptions { force, ..Default::default() }).map_err(super::err)
}

/// Whether `phr import` should hand this file to the FHIR importer.
pub fn is_fhir_file(file: &Path) -> bool {
    let mut head = vec![0u8; 8192];
    let n = std::fs::File::open(file).and_then(|mut f| std::io::Read::read(&mut f, &mut head)).unwrap_or(0);
    fhir::looks_like_fhir(&file.to_string_lossy(), &head[..n])
}

pub fn print_report(r: &FhirImportReport, json: bool) {
    if json {
        outln!("{}", serde_json::to_string_pretty(r).unwrap_or_default());
        return;
    }
    let o = &r.outcome;
    let types: Vec<String> = r.resources.iter().map(|(k, v)| format!("{k} {v}")).collect();
    outln!("From {}: {} resources ({})", r.system, r.resources.values().sum::<u64>(), types.join(", "));
    outln!(
        "  entries: {} added, {} updated, {} unchanged, {} restored, {} retired; samples: {} added ({} known); kept as received: {}",
        o.added, o.updated, o.unchanged, o.restored, o.retired, o.samples.added, o.samples.duplicates, r.kept_raw
    );
    if let Some(i) = &o.identity {
        outln!("  identity: {i}");
    }
    for l in &o.links {
        if l.conflicts.is_empty() {
            outln!("  linked your {} entry {} to the medical record (they agree)", l.section, l.user_entry);
        } else {
            for c in &l.conflicts {
                outln!(
                    "  CONFLICT in {} ({}): {}: you said {}, the medical record says {} (check with your GP or pharmacist)",
                    l.section,
                    l.user_entry,
                    c.field,
                    c.yours.clone().unwrap_or_default(),
                    c.source.clone().unwrap_or_default()
                );
            }
        }
    }
    for n in r.notes.iter().take(20) {
        outln!("  note: {n}");
    }
    if r.notes.len() > 20 {
        outln!("  ... and {} more notes (see --json)", r.notes.len() - 20);
    }
}

pub fn run(home: &Path, cmd: FhirCmd, json: bool) -> Result<(), String> {
    let record = super::open(home)?;
    match cmd {
        FhirCmd::Connect { url, no_browser, timeout } => {
            let http = smart::http_client().map_err(super::err)?;
            let cfg = smart::discover(&http, &url).map_err(super::err)?;
            let listener = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
            let port = listener.local_addr().map_err(|e| e.to_string())?.port();
            let req = smart::AuthRequest::new(&url, &cfg, &format!("http://127.0.0.1:{port}/callback"))
                .map_err(super::err)?;
            let code = if no_browser {
                smart::authorize_without_login(&http, &req).map_err(super::err)?
            } else {
                errln!("Open this address in your browser and log in:\n\n  {}\n", req.url);
                let back = smart::wait_for_redirect(&listener, std::time::Duration::from_secs(timeout))
                    .map_err(super::err)?;
                req.code_from_redirect(&back).map_err(super::err)?
            };
            let conn = smart::exchange_code(&http, &req, &code).map_err(super::err)?;
            fhir::save_connection(&record, &conn).map_err(super::err)?;
            if json {
                outln!(
                    "{}",
                    serde_json::json!({ "connected": conn.base, "patient": conn.patient.is_some() })
                );
            } else {
                outln!("Connected to {}. Run `phr fhir pull` to fetch your record.", conn.base);
            }
        }
        FhirCmd::Pull { force } => {
            let http = smart::http_client().map_err(super::err)?;
            let waiting = crate::progress::Progress::waiting(json, "Fetching your record from the GP server");
            let pulled = fhir::pull(&record, &http, force);
            waiting.done();
            let (report, stats) = pulled.map_err(super::err)?;
            if !json {
                outln!(
                    "Fetched {} resources in {} pages{}",
                    stats.resources,
                    stats.pages,
                    if stats.used_everything { " ($everything)" } else { "" }
                );
            }
            print_report(&report, json);
            super::share_cmd::card_follows(&record, "medications");
        }
        FhirCmd::Import { file, force, replace, source } => {
            let r = fhir::import_path(
                &record,
                &file,
                &FhirImportOptions { system: source, force, retire_missing: replace },
            )
            .map_err(super::err)?;
            print_report(&r, json);
            // An import may bring medications or allergies: the emergency card follows.
            super::share_cmd::card_follows(&record, "medications");
        }
        FhirCmd::Links => {
            let links = record.source_links().map_err(super::err)?;
            if json {
                outln!("{}", serde_json::to_string_pretty(&links).map_err(|e| e.to_string())?);
            } else if links.is_empty() {
                outln!(
                    "No links yet: `phr fhir import` or `pull` links your entries to the medical record's."
                );
            } else {
                outln!("{:<9} {:<9} {:<16} {:<24} disagreements", "yours", "record's", "section", "from");
                for l in &links {
                    let fields: Vec<&str> = l.conflicts.iter().map(|c| c.field.as_str()).collect();
                    outln!(
                        "{:<9} {:<9} {:<16} {:<24} {}",
                        l.user_entry.get(..8).unwrap_or(&l.user_entry),
                        l.source_entry.get(..8).unwrap_or(&l.source_entry),
                        l.section,
                        l.system,
                        if fields.is_empty() { "none".to_string() } else { fields.join(", ") }
                    );
                }
            }
        }
    }
    Ok(())
}

/// `phr export --ips [--sections ...]` or `phr export --fhir --sections a,b`.
pub fn export(home: &Path, ips: bool, sections: &[String]) -> Result<(), String> {
    let record = super::open(home)?;
    let v = if ips {
        fhir::export::ips_bundle(&record, if sections.is_empty() { None } else { Some(sections) })
    } else {
        let all: Vec<String> = fhir::export::EXPORTABLE.iter().map(|s| s.to_string()).collect();
        fhir::export::fhir_bundle(&record, if sections.is_empty() { &all } else { sections })
    }
    .map_err(super::err)?;
    outln!("{}", serde_json::to_string_pretty(&v).map_err(|e| e.to_string())?);
    Ok(())
}
