//! Charts: SVG content checks, rendering to PNG with resvg, and example SVGs.
//!
//! Set INSIGHTS_WRITE_DOCS=1 to (re)write the example SVGs into `docs/charts/` next to
//! Cargo.toml; PNGs always go to the system temp directory for a human to look at.

use super::super::alerts::AlertCategory;
use super::super::chart::{self, ChartSpec, Marker, MarkerKind, TargetBand, Theme};
use super::super::evaluate;
use super::super::input::{BpSetting, LifeEvent, MetricKind, SeriesPoint};
use super::{base_input, bp, english, push, t_days_ago, today};

struct Raster {
    width: u32,
    height: u32,
    non_background: usize,
    png: Vec<u8>,
}

fn options() -> resvg::usvg::Options<'static> {
    let mut opt = resvg::usvg::Options::default();
    let db = opt.fontdb_mut();
    db.load_system_fonts();
    // fontdb maps "sans-serif" to Arial by default; use whatever sans face the system has.
    let sans = db
        .faces()
        .flat_map(|f| f.families.iter().map(|(n, _)| n.clone()))
        .find(|n| n == "DejaVu Sans" || n.contains("Sans"));
    if let Some(s) = sans {
        db.set_sans_serif_family(s);
    }
    opt
}

fn rasterise(svg: &str) -> Raster {
    let opt = options();
    assert!(!opt.fontdb.is_empty(), "no system fonts: install fonts-dejavu-core");
    let tree = resvg::usvg::Tree::from_str(svg, &opt).expect("valid SVG");
    let size = tree.size().to_int_size();
    let mut pixmap = resvg::tiny_skia::Pixmap::new(size.width(), size.height()).expect("pixmap");
    resvg::render(&tree, resvg::tiny_skia::Transform::default(), &mut pixmap.as_mut());
    let data = pixmap.data();
    let (r0, g0, b0) = (data[0], data[1], data[2]);
    let non_background = data.chunks_exact(4).filter(|p| (p[0], p[1], p[2]) != (r0, g0, b0)).count();
    Raster {
        width: size.width(),
        height: size.height(),
        non_background,
        png: pixmap.encode_png().expect("png"),
    }
}

/// The trimmed contents of every `<text>` element.
fn texts(svg: &str) -> Vec<String> {
    svg.split("<text")
        .skip(1)
        .filter_map(|chunk| {
            let body = &chunk[chunk.find('>')? + 1..];
            Some(body[..body.find("</text>")?].trim().to_string())
        })
        .collect()
}

fn has_text(svg: &str, s: &str) -> bool {
    texts(svg).iter().any(|t| t == s)
}

/// Does the SVG's text survive into pixels? Compare a render with and without the title text.
fn text_renders(svg: &str, title: &str) -> bool {
    let without = svg.replacen(&format!("\n{title}\n</text>"), "\n</text>", 1);
    assert_ne!(without, svg, "title text element found");
    rasterise(svg).non_background > rasterise(&without).non_background
}

#[allow(clippy::disallowed_methods)] // a test writes example charts for people to look at; the crate itself never does
fn save(name: &str, svg: &str) {
    let r = rasterise(svg);
    let dir = std::env::temp_dir().join("insights-charts");
    let _ = std::fs::create_dir_all(&dir);
    let _ = std::fs::write(dir.join(format!("{name}.png")), &r.png);
    if std::env::var("INSIGHTS_WRITE_DOCS").is_ok() {
        let docs = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/charts");
        let _ = std::fs::create_dir_all(&docs);
        std::fs::write(docs.join(format!("{name}.svg")), svg).expect("write docs svg");
    }
}

fn weight_input() -> super::super::input::InsightInput {
    let mut input = base_input();
    input.height_m = Some(1.78);
    for d in 0..120 {
        let v = 84.0 - 0.03 * (120 - d) as f64
            + ((d * 37 % 11) as f64 - 5.0) * 0.12
            + if d < 40 { 3.0 } else { 0.0 };
        if d % 2 == 0 {
            push(&mut input, MetricKind::Weight, d, v);
        }
    }
    input
        .life_events
        .push(LifeEvent { date: today() - chrono::Duration::days(70), label: "started ramipril".into() });
    input.life_events.push(LifeEvent { date: today() - chrono::Duration::days(38), label: "new job".into() });
    input
}

#[test]
fn weight_chart_has_band_life_event_titles_and_renders() {
    let input = weight_input();
    let report = evaluate(&input);
    let svg = chart::metric_chart(&input, MetricKind::Weight, &report.alerts, Theme::Light, &english)
        .expect("chart");
    assert!(svg.contains("<svg"));
    assert!(svg.contains("<title>Weight</title>"));
    assert!(has_text(&svg, "Weight"), "title as <text>: {:?}", texts(&svg));
    assert!(has_text(&svg, "Date"), "x axis label");
    assert!(has_text(&svg, "Weight (kg)"), "y axis label");
    assert!(svg.contains("started ramipril"), "life event label");
    assert!(svg.contains("Healthy weight for your height"), "band legend");
    assert!(svg.matches("<text").count() > 10);
    let r = rasterise(&svg);
    assert_eq!((r.width, r.height), (800, 420));
    assert!(r.non_background > 5_000, "{} drawn pixels", r.non_background);
    assert!(text_renders(&svg, "Weight"), "title text rasterises with a system font");
    save("weight_light", &svg);
}

#[test]
fn bp_chart_with_alert_marker() {
    let mut input = base_input();
    for d in (0..90).step_by(3) {
        let s = 150.0 - d as f64 * -0.0 - (90 - d) as f64 * 0.15 + (d % 7) as f64;
        input.blood_pressure.push(bp(d, s, s * 0.62, BpSetting::Home));
    }
    input.blood_pressure.push(bp(1, 162.0, 101.0, BpSetting::Clinic));
    input
        .life_events
        .push(LifeEvent { date: today() - chrono::Duration::days(45), label: "started ramipril".into() });
    let report = evaluate(&input);
    assert!(report.alerts.iter().any(|a| a.category == AlertCategory::BloodPressure));
    let svg = chart::metric_chart(
        &input,
        MetricKind::BloodPressureSystolic,
        &report.alerts,
        Theme::Light,
        &english,
    )
    .expect("chart");
    assert!(has_text(&svg, "Blood pressure"));
    assert!(has_text(&svg, "Date") && has_text(&svg, "Blood pressure (mmHg)"), "{:?}", texts(&svg));
    assert!(svg.contains("Top number (systolic)") && svg.contains("Bottom number (diastolic)"));
    assert!(svg.contains("! Your blood pressure is high"), "alert marker label");
    assert!(svg.contains("NICE NG136"));
    assert!(rasterise(&svg).non_background > 5_000);
    save("blood_pressure_light", &svg);
}

#[test]
fn vo2max_chart_dark_theme() {
    let mut input = base_input();
    for w in 0..=12 {
        input.series.entry(MetricKind::Vo2Max).or_default().push(SeriesPoint {
            t: t_days_ago(7 * (12 - w), 8),
            value: 47.0 - 0.4 * w as f64 + (w % 3) as f64 * 0.3,
        });
    }
    let report = evaluate(&input);
    let svg = chart::metric_chart(&input, MetricKind::Vo2Max, &report.alerts, Theme::Dark, &english)
        .expect("chart");
    assert!(svg.contains("Fitness score (VO2 max)"));
    assert!(svg.contains("ml/kg/min"));
    let r = rasterise(&svg);
    assert!(r.non_background > 3_000);
    save("vo2max_dark", &svg);
    let wsvg = chart::metric_chart(&weight_input(), MetricKind::Weight, &[], Theme::Dark, &english).unwrap();
    // Dark theme: background pixel is dark.
    let opt = options();
    let tree = resvg::usvg::Tree::from_str(&wsvg, &opt).unwrap();
    let mut pm = resvg::tiny_skia::Pixmap::new(800, 420).unwrap();
    resvg::render(&tree, resvg::tiny_skia::Transform::default(), &mut pm.as_mut());
    assert!(pm.data()[0] < 40 && pm.data()[1] < 40);
    save("weight_dark", &wsvg);
}

#[test]
fn sparkline_is_compact_and_drawn() {
    let pts: Vec<SeriesPoint> = (0..30)
        .map(|d| SeriesPoint { t: t_days_ago(30 - d, 12), value: 60.0 + (d as f64 * 0.7).sin() * 3.0 })
        .collect();
    let svg = chart::render_sparkline(&pts, Theme::Light, 160, 40, "Resting heart rate");
    assert!(svg.contains("<title>Resting heart rate</title>"));
    let r = rasterise(&svg);
    assert_eq!((r.width, r.height), (160, 40));
    assert!(r.non_background > 100);
    save("sparkline_light", &svg);
    let empty = chart::render_sparkline(&[], Theme::Dark, 160, 40, "Nothing");
    assert_eq!(rasterise(&empty).non_background, 0, "empty sparkline is just background");
}

#[test]
fn empty_and_degenerate_charts_do_not_fail() {
    let spec = |series: Vec<SeriesPoint>| ChartSpec {
        title: "Steps".into(),
        y_label: "steps".into(),
        series: vec![("Steps".into(), series)],
        band: Some(TargetBand { low: f64::NAN, high: 5.0, label: "odd".into() }),
        markers: vec![Marker { t: i64::MAX, label: "far away".into(), kind: MarkerKind::LifeEvent }],
        theme: Theme::Light,
        width: 0,
        height: 0,
    };
    let svg = chart::render_time_series(&spec(vec![])).unwrap();
    assert!(svg.contains("No readings yet"));
    rasterise(&svg);
    let one = chart::render_time_series(&spec(vec![SeriesPoint { t: 0, value: 5.0 }])).unwrap();
    assert!(rasterise(&one).non_background > 0);
    let flat = chart::render_time_series(&spec(vec![
        SeriesPoint { t: 0, value: 0.0 },
        SeriesPoint { t: 0, value: f64::INFINITY },
    ]))
    .unwrap();
    rasterise(&flat);
}
