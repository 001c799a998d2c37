//! Screen-model benchmark: every screen call (and the notifications plan) on a record with
//! ten years of data, p50/p99 against the 16 ms frame budget.
//!
//! `cargo bench -p phr-core --bench app_screens`
//!
//! Env: `PHR_BENCH_SAMPLES` (default 10,000,000), `PHR_BENCH_ENTRIES` (default 5,000),
//! `PHR_BENCH_RUNS` (timed calls per screen, default 200), `PHR_BENCH_DIR` (a folder to
//! build the record in once and reuse on later runs; default a fresh temporary folder).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout, clippy::print_stderr)] // a benchmark: it prints what it measured and stops at the first failure

use chrono::{DateTime, Duration as Days, NaiveDate, Utc};
use phr_core::app::forms::{entry_from_form, entry_types, example, form_spec_for};
use phr_core::app::{notifications, screens};
use phr_core::consent::{self, GrantRequest, Recipient, RecipientCategory};
use phr_core::crypto::RawKeyStore;
use phr_core::record::{Activity, Provenance, Sample, SampleKind};
use phr_core::store::{ImportBatch, ImportLogEntry, ImportLogFile, DB_FILE};
use phr_core::Record;
use std::path::Path;
use std::time::{Duration, Instant};

const FRAME: Duration = Duration::from_millis(16);
const DAY_MS: i64 = 86_400_000;
const KEY: [u8; 32] = [42; 32];

fn env(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|s| s.parse().ok()).unwrap_or(default)
}

/// A cheap deterministic noise source.
fn noise(i: u64) -> f64 {
    let mut x = i.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0xD1B5_4A32_D192_ED03;
    x ^= x >> 31;
    x = x.wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x ^= x >> 29;
    (x % 10_000) as f64 / 10_000.0
}

/// One day of a resident's data: a watch's heart rate every `hr_step_s` seconds, hourly
/// steps, and the daily readings insights use.
fn day_samples(day: i64, start_ms: i64, hr_step_s: i64) -> Vec<Sample> {
    let t0 = start_ms + day * DAY_MS;
    let d = day as u64;
    let mut out = Vec::with_capacity((86_400 / hr_step_s) as usize + 40);
    let mut i = 0;
    while i * hr_step_s < 86_400 {
        let t = t0 + i * hr_step_s * 1000;
        let hr = (62.0 + 25.0 * noise(d * 100_000 + i as u64)).round();
        out.push(Sample::instant(SampleKind::HeartRate, t, hr, "Garmin vivoactive 4"));
        i += 1;
    }
    for h in 7..23 {
        let s = t0 + h * 3_600_000;
        out.push(Sample {
            kind: SampleKind::Steps,
            start_ms: s,
            end_ms: s + 3_600_000,
            value: (600.0 * noise(d * 24 + h as u64)).round(),
            source: "Garmin vivoactive 4".into(),
            dedup_key: None,
        });
    }
    let morning = t0 + 7 * 3_600_000;
    let w = 84.0 - day as f64 * 0.002 + noise(d) - 0.5;
    out.push(Sample::instant(SampleKind::Weight, morning, w, "Withings Body+ scale"));
    out.push(Sample::instant(
        SampleKind::RestingHeartRate,
        morning,
        58.0 + 4.0 * noise(d + 7),
        "Garmin vivoactive 4",
    ));
    for (k, at) in [(0, morning + 600_000), (1, morning + 12 * 3_600_000)] {
        let sys = 128.0 + 14.0 * noise(d * 3 + k);
        out.push(Sample::instant(SampleKind::BloodPressureSystolic, at, sys.round(), "Omron M3 cuff"));
        out.push(Sample::instant(
            SampleKind::BloodPressureDiastolic,
            at,
            (sys * 0.64).round(),
            "Omron M3 cuff",
        ));
    }
    let bed = t0 - 2 * 3_600_000;
    out.push(Sample {
        kind: SampleKind::SleepDuration,
        start_ms: bed,
        end_ms: bed + 7 * 3_600_000,
        value: 420.0,
        source: "Garmin vivoactive 4".into(),
        dedup_key: None,
    });
    if day % 7 == 0 {
        out.push(Sample::instant(
            SampleKind::Vo2Max,
            morning,
            38.0 + 3.0 * noise(d + 3),
            "Garmin vivoactive 4",
        ));
    }
    out
}

fn build(path: &Path, today: NaiveDate, n_samples: usize, n_entries: usize) {
    let t = Instant::now();
    let r = Record::create(path, &RawKeyStore::new(KEY)).unwrap();
    phr_core::demo::fill(&r, today).unwrap();
    let days = 3653i64;
    let start_ms = (today - Days::days(days)).and_hms_opt(0, 0, 0).unwrap().and_utc().timestamp_millis();
    // Heart rate spacing so the ten years come to about `n_samples`.
    let per_day = (n_samples as i64 / days).max(40);
    let hr_step_s = (86_400 / (per_day - 30).max(1)).max(1);
    let mut total = 0u64;
    for chunk in (0..days).collect::<Vec<_>>().chunks(10) {
        let samples: Vec<Sample> = chunk.iter().flat_map(|&d| day_samples(d, start_ms, hr_step_s)).collect();
        total += r.ingest_samples(&samples).unwrap().added;
    }
    // A run or a walk every third day.
    let activities: Vec<Activity> = (0..days)
        .step_by(3)
        .map(|d| {
            let run = d % 2 == 0;
            Activity {
                id: String::new(),
                sport: if run { "running" } else { "walking" }.into(),
                name: None,
                start_ms: start_ms + d * DAY_MS + 18 * 3_600_000,
                elapsed_s: 2400.0,
                timer_s: Some(2300.0),
                distance_m: Some(if run { 6000.0 } else { 3500.0 }),
                avg_hr: Some(if run { 148.0 } else { 104.0 }),
                max_hr: Some(171.0),
                calories: Some(420.0),
                ascent_m: None,
                source: "Garmin vivoactive 4".into(),
                source_id: format!("bench:{d}"),
                also_from: vec![],
                laps: vec![],
                metrics: Default::default(),
                track: vec![],
            }
        })
        .collect();
    r.import(&ImportBatch { activities, ..Default::default() }).unwrap();
    // Entries: every section's example form, round robin, as imported entries (one
    // transaction); singletons were filled by the demo.
    let mut forms = vec![];
    for s in r.sections().unwrap().into_iter().filter(|s| s.enabled) {
        if s.builtin().is_some_and(phr_core::record::BuiltinSection::is_singleton) {
            continue;
        }
        for ty in entry_types(&s) {
            let Ok(spec) = form_spec_for(&s, ty) else { continue };
            if let Ok(v) = entry_from_form(&s, Some(ty), &example(&spec)) {
                forms.push((s.id.clone(), v));
            }
        }
    }
    let entries = (0..n_entries)
        .map(|i| {
            let (section, v) = forms[i % forms.len()].clone();
            (section, v, Provenance::Import { source: "bench".into(), source_id: Some(format!("e{i}")) })
        })
        .collect();
    r.import(&ImportBatch { entries, ..Default::default() }).unwrap();
    // Sharing history and import runs.
    let now = Utc::now();
    for i in 0..30 {
        let g = consent::create_grant(
            &r,
            GrantRequest {
                recipient: Recipient {
                    name: format!("Recipient {i}"),
                    role: "GP".into(),
                    category: RecipientCategory::HealthProfessional,
                },
                sections: vec!["medications".into(), "allergies".into()],
                purpose: "care".into(),
                message: None,
                start: None,
                expiry: Some(now + Days::days(i64::from(i % 10) + 1)),
                disclosure: Default::default(),
            },
        )
        .unwrap();
        if i % 3 == 0 {
            consent::revoke_grant(&r, &g.id).unwrap();
        }
    }
    for i in 0..100 {
        let mut e = ImportLogEntry {
            at_ms: now.timestamp_millis() - i * DAY_MS,
            origin: "files".into(),
            ..Default::default()
        };
        for f in 0..50 {
            e.push_file(ImportLogFile {
                name: format!("activity_{i}_{f}.fit"),
                format: "fit".into(),
                status: "ok".into(),
                samples_added: 3600,
                ..Default::default()
            });
        }
        r.log_import(&e).unwrap();
    }
    println!(
        "built: {total} samples, {n_entries} entries, {} activities, 30 grants, 100 import runs in {:.1} s",
        days.div_euclid(3) + 1,
        t.elapsed().as_secs_f64()
    );
}

fn pct(v: &mut [Duration], p: f64) -> Duration {
    v.sort();
    v[((v.len() as f64 - 1.0) * p).round() as usize]
}

fn main() {
    let n_samples = env("PHR_BENCH_SAMPLES", 10_000_000);
    let n_entries = env("PHR_BENCH_ENTRIES", 5_000);
    let runs = env("PHR_BENCH_RUNS", 200).max(1);
    let temp = tempfile::tempdir().unwrap();
    let dir =
        std::env::var("PHR_BENCH_DIR").map(std::path::PathBuf::from).unwrap_or(temp.path().to_path_buf());
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(DB_FILE);
    let now: DateTime<Utc> = Utc::now();
    if path.exists() {
        println!("reusing the record in {}", dir.display());
    } else {
        build(&path, now.date_naive(), n_samples, n_entries);
    }
    let r = std::sync::Arc::new(Record::open(&path, &RawKeyStore::new(KEY)).unwrap());
    let input = r.insight_input(now.date_naive()).unwrap();
    let entry_id = r.list_entries("medications", Default::default()).unwrap()[0].id.clone();

    type Call<'a> = Box<dyn Fn() -> usize + 'a>;
    let len = |s: String| s.len();
    let json = |v: serde_json::Value| len(v.to_string());
    let calls: Vec<(&str, Call<'_>)> = vec![
        ("home", Box::new(|| json(serde_json::to_value(screens::home(&r).unwrap()).unwrap()))),
        (
            "section (medications)",
            Box::new(|| {
                json(
                    serde_json::to_value(screens::section_detail(&r, "medications", false).unwrap()).unwrap(),
                )
            }),
        ),
        (
            "entry",
            Box::new(|| json(serde_json::to_value(screens::entry_detail(&r, &entry_id).unwrap()).unwrap())),
        ),
        (
            "insights",
            Box::new(|| json(serde_json::to_value(screens::insights_screen(&r, now).unwrap()).unwrap())),
        ),
        (
            "sharing",
            Box::new(|| json(serde_json::to_value(screens::sharing_screen(&r, now).unwrap()).unwrap())),
        ),
        (
            "devices",
            Box::new(|| json(serde_json::to_value(screens::devices_screen(&r, now).unwrap()).unwrap())),
        ),
        (
            "imports",
            Box::new(|| json(serde_json::to_value(screens::imports_screen(&r, now).unwrap()).unwrap())),
        ),
        (
            "settings",
            Box::new(|| json(serde_json::to_value(screens::settings_screen(&r, now).unwrap()).unwrap())),
        ),
        ("  insight input (store)", Box::new(|| r.insight_input(now.date_naive()).unwrap().rollups.len())),
        ("  insight evaluate (pure)", Box::new(|| phr_core::insights::evaluate(&input).alerts.len())),
        (
            "notifications plan",
            Box::new(|| {
                json(serde_json::to_value(notifications::notifications_due(&r, now).unwrap()).unwrap())
            }),
        ),
        // The screens above are cached per write generation, so repeated draws are cheap;
        // these measure the first draw after a change (a one-setting write, included).
        (
            "home after a write",
            Box::new(|| {
                r.set_setting("bench.tick", &now.timestamp_millis()).unwrap();
                json(serde_json::to_value(screens::home(&r).unwrap()).unwrap())
            }),
        ),
        (
            "insights after a write",
            Box::new(|| {
                r.set_setting("bench.tick", &now.timestamp_millis()).unwrap();
                json(serde_json::to_value(screens::insights_screen(&r, now).unwrap()).unwrap())
            }),
        ),
    ];
    println!(
        "{runs} calls per screen (after 3 warm-up calls), result serialised to JSON as the bindings would:"
    );
    println!("{:<24} {:>9} {:>9} {:>9} {:>10}", "screen", "p50 ms", "p99 ms", "max ms", "p99/16ms");
    let mut worst = 0.0f64;
    for (name, f) in &calls {
        for _ in 0..3 {
            f();
        }
        let mut times: Vec<Duration> = (0..runs)
            .map(|_| {
                let t = Instant::now();
                std::hint::black_box(f());
                t.elapsed()
            })
            .collect();
        let (p50, p99, max) = (pct(&mut times, 0.5), pct(&mut times, 0.99), pct(&mut times, 1.0));
        let ratio = p99.as_secs_f64() / FRAME.as_secs_f64();
        worst = worst.max(ratio);
        println!(
            "{name:<24} {:>9.3} {:>9.3} {:>9.3} {:>9.2}x",
            p50.as_secs_f64() * 1e3,
            p99.as_secs_f64() * 1e3,
            max.as_secs_f64() * 1e3,
            ratio
        );
    }
    println!("worst p99 is {:.2}x the 16 ms frame budget (goal < 1.00x)", worst);
    after_the_app_is_told(&r, runs, now);
}

/// The first draw after a change as the apps meet it: they redraw when told of a change,
/// and the bindings tell them after `app::warm` rebuilt the caches. Times the draw only
/// (the write and the rebuild happen before the app hears of it, off its thread).
fn after_the_app_is_told(r: &std::sync::Arc<Record>, runs: usize, now: DateTime<Utc>) {
    use phr_core::app::warm::WarmingObserver;
    use phr_core::store::{Changed, RecordObserver};
    struct Told(std::sync::Mutex<std::sync::mpsc::Sender<()>>);
    impl RecordObserver for Told {
        fn record_changed(&self, _: Changed) {
            let _ = self.0.lock().unwrap().send(());
        }
    }
    let (tx, rx) = std::sync::mpsc::channel();
    let warming =
        WarmingObserver::new(std::sync::Arc::downgrade(r), std::sync::Arc::new(Told(tx.into()))).unwrap();
    let id = r.observe(warming);
    println!("first draw after a write, once the app is told (as the bindings do it):");
    type Draw<'a> = Box<dyn Fn() -> usize + 'a>;
    let draws: Vec<(&str, Draw<'_>)> = vec![
        (
            "home, told of a write",
            Box::new(|| serde_json::to_string(&screens::home(r).unwrap()).unwrap().len()),
        ),
        (
            "insights, told of a write",
            Box::new(|| serde_json::to_string(&screens::insights_screen(r, now).unwrap()).unwrap().len()),
        ),
    ];
    for (name, draw) in &draws {
        let mut times: Vec<Duration> = (0..runs)
            .map(|i| {
                r.set_setting("bench.tick", &(now.timestamp_millis() + i as i64)).unwrap();
                rx.recv_timeout(Duration::from_secs(60)).expect("told of the write");
                let t = Instant::now();
                std::hint::black_box(draw());
                t.elapsed()
            })
            .collect();
        let (p50, p99, max) = (pct(&mut times, 0.5), pct(&mut times, 0.99), pct(&mut times, 1.0));
        println!(
            "{name:<24} {:>9.3} {:>9.3} {:>9.3} {:>9.2}x",
            p50.as_secs_f64() * 1e3,
            p99.as_secs_f64() * 1e3,
            max.as_secs_f64() * 1e3,
            p99.as_secs_f64() / FRAME.as_secs_f64()
        );
    }
    r.unobserve(id);
}
