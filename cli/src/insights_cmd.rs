//! `phr insights`, `phr goal` and `phr chart`: the insights module on the command line.
//!
//! Everything is worked out on this machine from the local record; nothing is sent
//! anywhere. Charts are plaintext files written only where the owner asks.

use crate::output::print_json;
use crate::terminal::outln;
use chrono::NaiveDate;
use clap::Subcommand;
use phr_core::insights::{AlertCategory, Goal, InsightReport, InsightSettings, MetricKind, Severity, Theme};
use phr_core::strings::English;
use phr_core::Record;
use serde_json::json;
use std::path::{Path, PathBuf};

#[derive(Subcommand)]
pub enum InsightsCmd {
    /// Switch a category of insights, or a kind of output, off (it stays off)
    Off {
        #[arg(value_name = "NAME", help = switch_help())]
        what: String,
    },
    /// Switch a category of insights, or a kind of output, back on
    On {
        #[arg(value_name = "NAME", help = switch_help())]
        what: String,
    },
    /// Show what is on and off
    Settings,
}

#[derive(Subcommand)]
pub enum GoalCmd {
    /// Set a goal (by the sample kind names): weight KG | distance KM a week | resting_heart_rate BPM |
    /// active_minutes MIN a week
    Set { kind: String, value: f64 },
    /// Your goals and progress
    List,
    /// Remove every goal
    Clear,
}

fn err(e: phr_core::Error) -> String {
    e.to_string()
}

fn severity(s: Severity) -> &'static str {
    match s {
        Severity::Info => "info",
        Severity::Advice => "advice",
        Severity::Warning => "warning",
        Severity::Urgent => "URGENT",
    }
}

/// The kinds of output that can be switched as a whole (besides each category).
const OUTPUT_SWITCHES: [&str; 5] =
    ["alerts", "suggestions", "signposts", "fitness-summary", "leeds-services"];

/// The help for `on`/`off NAME`, made from the categories themselves so it never misses one.
fn switch_help() -> String {
    format!(
        "A category: {}; or a kind of output: {}",
        AlertCategory::ALL.iter().map(|c| c.slug()).collect::<Vec<_>>().join(", "),
        OUTPUT_SWITCHES.join(", ")
    )
}

/// Which switch `what` names.
enum Switch {
    Category(AlertCategory),
    Alerts,
    Suggestions,
    Signposts,
    FitnessSummary,
    LeedsServices,
}

fn switch(what: &str) -> Result<Switch, String> {
    let n: String =
        what.chars().filter(|c| c.is_ascii_alphanumeric()).collect::<String>().to_ascii_lowercase();
    Ok(match n.as_str() {
        "alerts" | "all" => Switch::Alerts,
        "suggestions" => Switch::Suggestions,
        "signposts" | "services" => Switch::Signposts,
        "fitnesssummary" => Switch::FitnessSummary,
        "leeds" | "leedsservices" => Switch::LeedsServices,
        _ => Switch::Category(AlertCategory::from_name(what).ok_or_else(|| {
            format!(
                "unknown insight category {what:?}; known: {}, or {}",
                AlertCategory::ALL.iter().map(|c| c.slug()).collect::<Vec<_>>().join(", "),
                OUTPUT_SWITCHES.join(", ")
            )
        })?),
    })
}

pub fn run(record: &Record, cmd: Option<InsightsCmd>, today: NaiveDate, json: bool) -> Result<(), String> {
    match cmd {
        None => report(
            &record.insight_report(today).map_err(err)?,
            &record.insight_settings().map_err(err)?,
            today,
            json,
        ),
        Some(InsightsCmd::Settings) => settings(&record.insight_settings().map_err(err)?, json),
        Some(InsightsCmd::On { what }) => toggle(record, &what, true, json),
        Some(InsightsCmd::Off { what }) => toggle(record, &what, false, json),
    }
}

/// Switches one category or kind of output on or off, and saves it in the record.
fn toggle(record: &Record, what: &str, on: bool, json: bool) -> Result<(), String> {
    let mut s = record.insight_settings().map_err(err)?;
    let label = match switch(what)? {
        Switch::Category(c) => {
            if on {
                s.enable(c)
            } else {
                s.disable(c)
            }
            c.label().to_string()
        }
        Switch::Alerts => {
            s.alerts_enabled = on;
            "All alerts".into()
        }
        Switch::Suggestions => {
            s.suggestions_enabled = on;
            "Suggestions".into()
        }
        Switch::Signposts => {
            s.signposts_enabled = on;
            "Signposts to services".into()
        }
        Switch::FitnessSummary => {
            s.fitness_enabled = on;
            "Fitness summary".into()
        }
        Switch::LeedsServices => {
            s.include_leeds_services = on;
            "Leeds services".into()
        }
    };
    record.set_insight_settings(&s).map_err(err)?;
    if json {
        print_json(&s);
    } else {
        outln!("{label}: {}", if on { "on" } else { "off" });
    }
    Ok(())
}

fn settings(s: &InsightSettings, json: bool) -> Result<(), String> {
    if json {
        print_json(s);
        return Ok(());
    }
    let onoff = |b: bool| if b { "on " } else { "off" };
    outln!("Insights settings (change with `phr insights on|off NAME`)");
    outln!("  {}  alerts (all)", onoff(s.alerts_enabled));
    outln!("  {}  suggestions", onoff(s.suggestions_enabled));
    outln!("  {}  signposts", onoff(s.signposts_enabled));
    outln!("  {}  leeds-services", onoff(s.include_leeds_services));
    outln!("  {}  fitness-summary", onoff(s.fitness_enabled));
    outln!("  Categories");
    for c in AlertCategory::ALL {
        outln!("    {}  {:<15} {}", onoff(!s.disabled_categories.contains(&c)), c.slug(), c.label());
    }
    Ok(())
}

/// Prints the report: alerts, then (when switched on) suggestions and signposts,
/// then a few trends and the fitness summary.
pub fn report(r: &InsightReport, s: &InsightSettings, today: NaiveDate, json: bool) -> Result<(), String> {
    if json {
        print_json(&json!({ "today": today, "report": r, "settings": s }));
        return Ok(());
    }
    outln!(
        "Insights for {} (worked out on this device; nothing is sent anywhere)",
        today.format("%-d %B %Y")
    );
    outln!();
    if !s.alerts_enabled {
        outln!("  Alerts are switched off (`phr insights on alerts`).");
    } else if r.alerts.is_empty() {
        outln!("  No alerts.");
    } else {
        outln!("  Alerts");
        for a in &r.alerts {
            outln!("    [{}] {}", severity(a.severity), a.title.english());
            outln!("        {}", a.explanation.english());
            outln!("        What to do: {}", a.what_to_do.english());
            outln!("        Source: {} <{}>", a.citation, a.citation_url);
        }
    }
    if s.suggestions_enabled && !r.suggestions.is_empty() {
        outln!();
        outln!("  Suggestions");
        for x in &r.suggestions {
            outln!("    - {}", x.text.english());
        }
    }
    if s.signposts_enabled && !r.signposts.is_empty() {
        outln!();
        outln!("  Where to get support");
        for p in &r.signposts {
            let phone = p.phone.as_deref().map(|p| format!("{p}, ")).unwrap_or_default();
            let unconfirmed =
                if p.verified { "" } else { " (details not yet confirmed: check before relying on them)" };
            outln!("    - {} ({}): {}", p.name, p.area, p.helps_with.trim_end_matches('.'));
            outln!("      {phone}{}{unconfirmed}", p.url);
        }
    }
    let ninety: Vec<_> = r.trends.trends.iter().filter(|t| t.window_days == 90).collect();
    if !ninety.is_empty() {
        outln!();
        outln!("  Last 90 days");
        for t in ninety {
            let dir = match t.direction {
                phr_core::insights::trends::Direction::Rising => "rising",
                phr_core::insights::trends::Direction::Falling => "falling",
                phr_core::insights::trends::Direction::Steady => "steady",
            };
            let num = |v: f64| {
                if v.abs() >= 100.0 {
                    format!("{v:.0}")
                } else if v.abs() < 0.05 {
                    "0.0".to_string()
                } else {
                    format!("{v:.1}")
                }
            };
            let per_day = if t.kind.daily_aggregate() == phr_core::insights::input::DailyAggregate::Sum {
                " a day"
            } else {
                ""
            };
            let per_week = t
                .slope_per_day
                .map(|s| {
                    format!(
                        ", {}{} {} a week",
                        if s * 7.0 >= 0.05 { "+" } else { "" },
                        num(s * 7.0),
                        t.kind.unit()
                    )
                })
                .unwrap_or_default();
            outln!(
                "    {:<32} average {} {}{per_day} ({dir}{per_week})",
                t.kind.label(),
                num(t.mean),
                t.kind.unit()
            );
        }
    }
    if let Some(f) = &r.fitness {
        if !f.goals.is_empty() {
            outln!();
            outln!("  Goals");
            for g in &f.goals {
                outln!("    - {}{}", g.message.english(), if g.achieved { " (achieved)" } else { "" });
            }
        }
        if f.streaks.current_days > 0 || f.streaks.longest_days > 0 {
            outln!();
            outln!("  Active-day streak: {} now, {} longest", f.streaks.current_days, f.streaks.longest_days);
        }
    }
    let off: Vec<&str> = s.disabled_categories.iter().map(|c| c.slug()).collect();
    if !off.is_empty() {
        outln!();
        outln!("  Switched off: {}", off.join(", "));
    }
    Ok(())
}

pub fn goal(record: &Record, cmd: GoalCmd, today: NaiveDate, json: bool) -> Result<(), String> {
    match cmd {
        GoalCmd::Set { kind, value } => {
            if !value.is_finite() || value <= 0.0 {
                return Err("a goal must be a positive number".into());
            }
            let n: String =
                kind.chars().filter(|c| c.is_ascii_alphanumeric()).collect::<String>().to_ascii_lowercase();
            let g = match n.as_str() {
                "weight" => Goal::TargetWeight {
                    target_kg: value,
                    start_kg: latest(record, phr_core::record::SampleKind::Weight, today)?,
                },
                "weeklydistance" | "distance" => Goal::WeeklyDistance { km: value },
                "restinghr" | "restingheartrate" | "rhr" => Goal::RestingHeartRate {
                    target_bpm: value,
                    start_bpm: latest(record, phr_core::record::SampleKind::RestingHeartRate, today)?,
                },
                "activeminutes" | "weeklyactiveminutes" => Goal::WeeklyActiveMinutes { minutes: value },
                _ => {
                    return Err(format!(
                    "unknown goal {kind:?}; use one of: weight, distance, resting_heart_rate, active_minutes"
                ))
                }
            };
            let goals = record.set_goal(g).map_err(err)?;
            if json {
                print_json(&goals);
            } else {
                outln!("Goal set. You have {} goal{}.", goals.len(), if goals.len() == 1 { "" } else { "s" });
            }
        }
        GoalCmd::Clear => {
            record.set_goals(&[]).map_err(err)?;
            if !json {
                outln!("Goals cleared.");
            }
        }
        GoalCmd::List => {
            let input = record.insight_input(today).map_err(err)?;
            let progress = phr_core::insights::fitness::goal_progress(&input);
            if json {
                print_json(&progress);
            } else if progress.is_empty() {
                outln!("No goals yet: `phr goal set weight 75`");
            } else {
                for p in progress {
                    let pct =
                        p.fraction.map(|f| format!(" ({:.0}% of the way)", f * 100.0)).unwrap_or_default();
                    outln!("  - {}{pct}", p.message.english());
                }
            }
        }
    }
    Ok(())
}

fn latest(
    record: &Record,
    kind: phr_core::record::SampleKind,
    today: NaiveDate,
) -> Result<Option<f64>, String> {
    Ok(record
        .daily_rollups(kind, today - chrono::Duration::days(90), today)
        .map_err(err)?
        .last()
        .map(|r| r.last))
}

/// What `phr chart` can draw, by the names `phr sample add` uses for the same readings.
pub fn chart_names() -> String {
    MetricKind::ALL
        .iter()
        .filter(|k| **k != MetricKind::SleepBedtime)
        .map(|k| k.name())
        .collect::<Vec<_>>()
        .join(", ")
}

pub fn metric(name: &str) -> Result<MetricKind, String> {
    MetricKind::from_name(name)
        .ok_or_else(|| format!("unknown chart {name:?}; use one of: {}", chart_names()))
}

/// Renders one chart (or a sparkline) and writes it to `out`.
pub fn chart(
    record: &Record,
    kind: MetricKind,
    from: NaiveDate,
    to: NaiveDate,
    out: &Path,
    dark: bool,
    sparkline: bool,
) -> Result<(), String> {
    if from > to {
        return Err("--from is after --to".into());
    }
    let theme = if dark { Theme::Dark } else { Theme::Light };
    let svg = if sparkline {
        record.insight_sparkline(kind, from, to, theme, 240, 48)
    } else {
        record.insight_chart(kind, from, to, theme)
    }
    .map_err(err)?;
    if let Some(dir) = out.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    std::fs::write(out, svg).map_err(|e| format!("cannot write {}: {e}", out.display()))?;
    Ok(())
}

/// The demo's charts: written to `dir` (not the record's folder: charts are plaintext).
pub fn demo_charts(record: &Record, today: NaiveDate, dir: &Path) -> Result<Vec<PathBuf>, String> {
    let from = today - chrono::Duration::days(365);
    let recent = today - chrono::Duration::days(84);
    let jobs: [(&str, MetricKind, NaiveDate, bool, bool); 5] = [
        ("weight.svg", MetricKind::Weight, from, false, false),
        ("blood_pressure.svg", MetricKind::BloodPressureSystolic, from, false, false),
        ("vo2max.svg", MetricKind::Vo2Max, recent, false, false),
        ("weight_sparkline.svg", MetricKind::Weight, today - chrono::Duration::days(90), false, true),
        ("blood_pressure_dark.svg", MetricKind::BloodPressureSystolic, from, true, false),
    ];
    let mut out = Vec::new();
    for (name, kind, from, dark, spark) in jobs {
        let path = dir.join(name);
        chart(record, kind, from, today, &path, dark, spark)?;
        out.push(path);
    }
    Ok(out)
}
