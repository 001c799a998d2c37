//! Human and JSON output for `phr`.

use crate::terminal::outln;
use phr_core::crypto::RecoveryKey;
use phr_core::demo::DemoReport;
use phr_core::record::{DailyRollup, Entry, IngestReport, Sample, SampleKind, Section, SectionClass};
use phr_core::store::SeriesSummary;
use phr_core::strings::English;
use phr_core::Record;
use serde_json::json;
use std::path::Path;

/// Prints `v` as pretty JSON (every `--json` output goes through here).
/// Prints a value as JSON for scripts, with the core's catalogue labels as English text.
pub(crate) fn print_json(v: &impl serde::Serialize) {
    let value = serde_json::to_value(v).map(|mut value| {
        phr_core::strings::labels_to_english(&mut value);
        value
    });
    match value.and_then(|value| serde_json::to_string_pretty(&value)) {
        Ok(text) => outln!("{text}"),
        // Plain data with string keys always encodes; say so rather than panic if not.
        Err(e) => crate::terminal::errln!("phr: cannot encode the output as JSON: {e}"),
    }
}

fn short(id: &str) -> &str {
    id.get(..8).unwrap_or(id)
}

fn flags(e: &Entry) -> String {
    let mut f = Vec::new();
    if e.provenance.is_medical_record() {
        f.push("GP record");
    }
    if e.is_no_longer_relevant() {
        f.push("no longer relevant");
    }
    if e.hidden {
        f.push("hidden");
    }
    if e.deleted_at.is_some() {
        f.push("deleted");
    }
    if f.is_empty() {
        String::new()
    } else {
        format!("  [{}]", f.join(", "))
    }
}

pub fn sections(list: &[Section], json: bool) {
    if json {
        return print_json(&list);
    }
    for class in [SectionClass::Core, SectionClass::Optional, SectionClass::Custom] {
        let of: Vec<_> = list.iter().filter(|s| s.class == class).collect();
        if of.is_empty() {
            continue;
        }
        outln!(
            "{}",
            match class {
                SectionClass::Core => "Core sections (always on)",
                SectionClass::Optional => "Optional sections",
                SectionClass::Custom => "Your own sections",
            }
        );
        for s in of {
            let state = if s.enabled { "on " } else { "off" };
            outln!(
                "  {state}  {:<22} {:<38} {}",
                s.id.strip_prefix("custom:").map(|_| "(custom)").unwrap_or(&s.id),
                s.title,
                s.privacy.as_str()
            );
        }
    }
}

pub fn section_changed(s: &Section, json: bool) {
    if json {
        return print_json(s);
    }
    outln!("{} ({}): {}, {}", s.title, s.id, if s.enabled { "on" } else { "off" }, s.privacy.as_str());
}

pub fn form(spec: &phr_core::app::forms::FormSpec, json: bool) {
    use phr_core::app::strings::text;
    if json {
        return print_json(spec);
    }
    outln!("{} ({} entry; this section takes: {})", spec.title, spec.entry_type, spec.entry_types.join(", "));
    for f in &spec.fields {
        let label = f.label.clone().unwrap_or_else(|| text(&f.label_key).to_string());
        let kind = serde_json::to_value(&f.kind).ok();
        let kind = kind.as_ref().and_then(|k| k["kind"].as_str()).unwrap_or("text").to_string();
        outln!(
            "  {:<18} {:<10} {}{}  e.g. {}",
            f.id,
            kind,
            if f.required { "required  " } else { "" },
            label,
            if f.example.is_empty() { "-" } else { &f.example }
        );
    }
}

pub fn entry_added(e: &Entry, json: bool) {
    entry_changed("Added", e, json)
}

pub fn entry_changed(what: &str, e: &Entry, json: bool) {
    if json {
        return print_json(e);
    }
    outln!("{what}: {}  {}{}", e.id, e.value.summary(), flags(e));
}

pub fn listing(listing: &[(Section, Vec<Entry>)], json: bool) {
    if json {
        let v: Vec<_> =
            listing.iter().map(|(s, e)| json!({"section": s.id, "title": s.title, "entries": e})).collect();
        return print_json(&v);
    }
    for (s, entries) in listing {
        outln!("{} ({})", s.title, s.privacy.as_str());
        if entries.is_empty() {
            outln!("  (nothing yet)");
        }
        for e in entries {
            outln!("  {}  {}{}", short(&e.id), e.value.summary(), flags(e));
        }
    }
}

pub fn entry_detail(e: &Entry, json: bool) {
    if json {
        return print_json(e);
    }
    outln!("{}", e.value.summary());
    outln!("  id:       {}", e.id);
    outln!("  section:  {}", e.section);
    outln!("  source:   {}", e.provenance.label());
    outln!("  added:    {}", e.created_at.format("%Y-%m-%d %H:%M"));
    outln!("  updated:  {}", e.updated_at.format("%Y-%m-%d %H:%M"));
    if let Some(d) = e.deleted_at {
        outln!("  deleted:  {} (restore with `phr undo {}`)", d.format("%Y-%m-%d %H:%M"), e.id);
    }
    if e.hidden {
        outln!("  hidden from normal views");
    }
    for a in &e.annotations {
        let kind = match a.kind {
            phr_core::record::AnnotationKind::NoLongerRelevant => "no longer relevant",
            phr_core::record::AnnotationKind::Note => "note",
        };
        outln!(
            "  annotation ({}): {kind}{}",
            a.at.format("%Y-%m-%d"),
            a.text.as_ref().map(|t| format!(": {t}")).unwrap_or_default()
        );
    }
    for r in &e.history {
        outln!("  was until {}: {}", r.replaced_at.format("%Y-%m-%d %H:%M"), r.value.summary());
    }
}

pub fn purged(n: usize, json: bool) {
    if json {
        return print_json(&json!({"purged": n}));
    }
    outln!("Erased {n} deleted {} for good", if n == 1 { "entry" } else { "entries" });
}

pub fn ingested(r: &IngestReport, json: bool) {
    if json {
        return print_json(r);
    }
    outln!("Added {} reading(s); {} already there", r.added, r.duplicates);
}

pub fn samples(kind: SampleKind, list: &[Sample], json: bool) {
    if json {
        return print_json(&list);
    }
    for s in list {
        let t = chrono::DateTime::from_timestamp_millis(s.start_ms).unwrap_or_default();
        outln!("{}  {:>8.1} {}  ({})", t.format("%Y-%m-%d %H:%M"), s.value, kind.unit(), s.source);
    }
    outln!("{} reading(s)", list.len());
}

pub fn rollups(kind: SampleKind, list: &[DailyRollup], json: bool) {
    if json {
        return print_json(&list);
    }
    outln!("{:<10}  {:>5}  {:>8}  {:>8}  {:>8}  ({})", "day", "n", "min", "mean", "max", kind.unit());
    for r in list {
        outln!("{}  {:>5}  {:>8.1}  {:>8.1}  {:>8.1}", r.day, r.count, r.min, r.mean(), r.max);
    }
}

pub fn sample_summary(list: &[SeriesSummary], json: bool) {
    if json {
        return print_json(&list);
    }
    for s in list {
        outln!("{:<20} {:>8} readings  {} to {}", s.kind.slug(), s.count, s.first_day, s.last_day);
    }
}

pub fn backed_up(file: &Path, size: u64, json: bool) {
    if json {
        return print_json(&json!({"backup": file, "bytes": size}));
    }
    outln!(
        "Encrypted backup written to {} ({size} bytes). It opens with your passphrase or recovery key.",
        file.display()
    );
}

pub fn restored(record: &Record, home: &Path, json: bool) -> phr_core::Result<()> {
    let n: usize = record
        .sections()?
        .iter()
        .map(|s| record.list_entries(&s.id, Default::default()).map(|e| e.len()).unwrap_or(0))
        .sum();
    if json {
        print_json(&json!({"home": home, "entries": n}));
    } else {
        outln!("Restored the record into {} ({n} entries)", home.display());
    }
    Ok(())
}

pub fn recovery_key(k: &RecoveryKey) {
    outln!("Your recovery key (write it down and keep it somewhere safe; it is shown only once):");
    outln!();
    outln!("    {}", k.to_printable());
    outln!();
}

pub fn demo_summary(
    record: &Record,
    report: &DemoReport,
    today: chrono::NaiveDate,
    charts: &[std::path::PathBuf],
    json: bool,
) -> phr_core::Result<()> {
    let insights = record.insight_report(today)?;
    if json {
        print_json(&json!({
            "record_id": record.id(),
            "entries": report.entries,
            "samples": report.samples,
            "sections_enabled": report.sections_enabled,
            "series": record.sample_summary()?,
            "alerts": insights.alerts.iter().map(|a| json!({ "category": a.category.slug(), "severity": a.severity, "title": a.title.english(), "citation": a.citation })).collect::<Vec<_>>(),
            "charts": charts,
        }));
        return Ok(());
    }
    let first = |slug: &str| -> phr_core::Result<Option<String>> {
        Ok(record.list_entries(slug, Default::default())?.first().map(|e| e.value.summary()))
    };
    outln!("Demo record for a Leeds resident ({} entries, {} readings)", report.entries, report.samples);
    outln!();
    if let Some(me) = first("identity")? {
        outln!("  {me}");
    }
    if let Some(bg) = first("blood_group")? {
        outln!("  Blood group {bg}");
    }
    if let Some(od) = first("organ_donation")? {
        outln!("  Organ donation: {od}");
    }
    for (slug, heading) in [
        ("allergies", "Allergies"),
        ("medications", "Medications"),
        ("conditions", "Conditions"),
        ("contacts", "Contacts"),
    ] {
        outln!();
        outln!("  {heading}");
        for e in record.list_entries(slug, Default::default())? {
            outln!("    - {}{}", e.value.summary(), flags(&e));
        }
    }
    outln!();
    outln!("  Last 30 days");
    let from = today - chrono::Duration::days(30);
    for (kind, label) in [
        (SampleKind::Weight, "weight"),
        (SampleKind::BloodPressureSystolic, "blood pressure (systolic)"),
        (SampleKind::BloodPressureDiastolic, "blood pressure (diastolic)"),
        (SampleKind::RestingHeartRate, "resting heart rate"),
        (SampleKind::Steps, "steps a day"),
    ] {
        let days = record.daily_rollups(kind, from, today)?;
        if days.is_empty() {
            continue;
        }
        let mean = days.iter().map(DailyRollup::mean).sum::<f64>() / days.len() as f64;
        let year = record.daily_rollups(
            kind,
            today - chrono::Duration::days(365),
            today - chrono::Duration::days(335),
        )?;
        let then = if year.is_empty() {
            mean
        } else {
            year.iter().map(DailyRollup::mean).sum::<f64>() / year.len() as f64
        };
        outln!("    {label:<28} {mean:>8.1} {:<6} (a year ago {then:.1})", kind.unit());
    }
    outln!();
    outln!("  Insights (all worked out on this device; `phr insights` for the detail, `phr insights off CATEGORY` to switch any off)");
    for a in insights.alerts.iter().take(6) {
        let source = a.citation.split(" (").next().unwrap_or(&a.citation);
        outln!("    - {}  [{}; {}]", a.title.english(), a.category.slug(), source);
    }
    if let Some(p) = insights.signposts.first() {
        outln!("    Support: {} ({})", p.name, p.phone.as_deref().unwrap_or(&p.url));
    }
    if !charts.is_empty() {
        outln!();
        outln!("  Charts (plain SVG files, kept apart from the encrypted record)");
        for c in charts {
            outln!("    {}", c.display());
        }
    }
    Ok(())
}
