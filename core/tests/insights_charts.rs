//! The demo record's charts, rendered to PNG with resvg and checked for content.
//!
//! PNGs go to `$TMP/insights-demo-charts/` for a person to look at. With
//! `INSIGHTS_WRITE_DOCS=1` the SVGs are also written to `docs/charts/demo_*.svg`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout, clippy::print_stderr)] // test code: a failed unwrap is a failed test, and it prints what it measured

use chrono::{Duration, NaiveDate};
use phr_core::crypto::RawKeyStore;
use phr_core::insights::{MetricKind, Theme};
use phr_core::store::DB_FILE;
use phr_core::Record;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 25).unwrap()
}

fn options() -> resvg::usvg::Options<'static> {
    let mut opt = resvg::usvg::Options::default();
    let db = opt.fontdb_mut();
    db.load_system_fonts();
    let sans = db
        .faces()
        .flat_map(|f| f.families.iter().map(|(n, _)| n.clone()))
        .find(|n| n == "DejaVu Sans" || n.contains("Sans"));
    if let Some(s) = sans {
        db.set_sans_serif_family(s);
    }
    opt
}

struct Raster {
    width: u32,
    height: u32,
    background: (u8, u8, u8),
    non_background: usize,
    png: Vec<u8>,
}

fn rasterise(svg: &str) -> Raster {
    let opt = options();
    assert!(!opt.fontdb.is_empty(), "no system fonts: install fonts-dejavu-core");
    let tree = resvg::usvg::Tree::from_str(svg, &opt).expect("valid SVG");
    let size = tree.size().to_int_size();
    let mut pixmap = resvg::tiny_skia::Pixmap::new(size.width(), size.height()).expect("pixmap");
    resvg::render(&tree, resvg::tiny_skia::Transform::default(), &mut pixmap.as_mut());
    let data = pixmap.data();
    let bg = (data[0], data[1], data[2]);
    let non_background = data.chunks_exact(4).filter(|p| (p[0], p[1], p[2]) != bg).count();
    Raster {
        width: size.width(),
        height: size.height(),
        background: bg,
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

/// Does this text reach the pixels? Render with and without it.
fn text_renders(svg: &str, text: &str) -> bool {
    let without = svg.replacen(&format!(">\n{text}\n</text>"), ">\n</text>", 1);
    assert_ne!(without, svg, "text element {text:?} not found");
    rasterise(svg).non_background > rasterise(&without).non_background
}

fn save(name: &str, svg: &str, r: &Raster) {
    let dir = std::env::temp_dir().join("insights-demo-charts");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(format!("{name}.png")), &r.png).unwrap();
    if std::env::var("INSIGHTS_WRITE_DOCS").is_ok() {
        let docs = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/charts");
        std::fs::create_dir_all(&docs).unwrap();
        std::fs::write(docs.join(format!("{name}.svg")), svg).unwrap();
    }
}

#[test]
fn demo_charts_render_with_axes_bands_and_life_events() {
    let dir = tempfile::tempdir().unwrap();
    let rec = Record::create(&dir.path().join(DB_FILE), &RawKeyStore::new([3; 32])).unwrap();
    phr_core::demo::fill(&rec, today()).unwrap();
    let year = today() - Duration::days(365);

    // Weight: a year, the healthy-weight band for 1.63 m, the dose-change life event.
    let svg = rec.insight_chart(MetricKind::Weight, year, today(), Theme::Light).unwrap();
    for t in [
        "Weight",
        "Date",
        "Weight (kg)",
        "Ramipril up to 10 mg",
        "Healthy weight for your height (NHS BMI 18.5-24.9)",
    ] {
        assert!(has_text(&svg, t), "weight chart lacks {t:?}: {:?}", texts(&svg));
    }
    let date_ticks = texts(&svg).iter().filter(|t| t.ends_with(" 26") && t.split(' ').count() == 3).count();
    assert!(date_ticks >= 2, "too few date tick labels: {:?}", texts(&svg));
    assert!(has_text(&svg, "! Your BMI is in the obese range"), "the BMI alert marker is missing");
    let r = rasterise(&svg);
    assert_eq!((r.width, r.height), (800, 420));
    assert_eq!(r.background, (255, 255, 255));
    assert!(
        r.non_background > 800 * 420 / 20,
        "weight chart is nearly empty: {} pixels drawn",
        r.non_background
    );
    assert!(text_renders(&svg, "Weight (kg)"), "the axis label does not rasterise");
    assert!(text_renders(&svg, "Ramipril up to 10 mg"), "the life-event label does not rasterise");
    save("demo_weight_light", &svg, &r);

    // Blood pressure: both lines, the NG136 target band, the alert marker for the home reading.
    let svg = rec.insight_chart(MetricKind::BloodPressureSystolic, year, today(), Theme::Light).unwrap();
    for t in [
        "Blood pressure",
        "Blood pressure (mmHg)",
        "Top number (systolic)",
        "Bottom number (diastolic)",
        "Target: under 140/90 at a clinic (NICE NG136)",
        "Ramipril up to 10 mg",
    ] {
        assert!(has_text(&svg, t), "BP chart lacks {t:?}: {:?}", texts(&svg));
    }
    let r = rasterise(&svg);
    assert!(r.non_background > 800 * 420 / 20);
    assert!(text_renders(&svg, "Blood pressure (mmHg)"));
    save("demo_blood_pressure_light", &svg, &r);

    // The same in the dark theme: a dark background, light text.
    let dark = rec.insight_chart(MetricKind::BloodPressureSystolic, year, today(), Theme::Dark).unwrap();
    let r = rasterise(&dark);
    assert!(
        r.background.0 < 40 && r.background.1 < 40 && r.background.2 < 40,
        "dark background expected: {:?}",
        r.background
    );
    assert!(has_text(&dark, "Blood pressure (mmHg)") && text_renders(&dark, "Blood pressure (mmHg)"));
    assert_ne!(dark, svg);
    save("demo_blood_pressure_dark", &dark, &r);

    // VO2max over the last 12 weeks: the dip the alert talks about.
    let svg =
        rec.insight_chart(MetricKind::Vo2Max, today() - Duration::days(84), today(), Theme::Light).unwrap();
    assert!(
        has_text(&svg, "Fitness score (VO2 max)") && has_text(&svg, "Fitness score (ml/kg/min)"),
        "{:?}",
        texts(&svg)
    );
    // The life event is 165 days back: outside this chart.
    assert!(!svg.contains("Ramipril up to 10 mg"));
    let r = rasterise(&svg);
    assert!(r.non_background > 800 * 420 / 25);
    save("demo_vo2max_light", &svg, &r);

    // Sparkline: small, no axes, but a line was drawn.
    let svg = rec
        .insight_sparkline(MetricKind::Weight, today() - Duration::days(90), today(), Theme::Light, 240, 48)
        .unwrap();
    assert!(svg.contains("<title>Weight</title>") && !has_text(&svg, "Date"));
    let r = rasterise(&svg);
    assert_eq!((r.width, r.height), (240, 48));
    assert!(r.non_background > 240, "sparkline is empty: {}", r.non_background);
    save("demo_weight_sparkline", &svg, &r);
}

#[test]
fn a_chart_with_no_readings_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let rec = Record::create(&dir.path().join(DB_FILE), &RawKeyStore::new([4; 32])).unwrap();
    let svg =
        rec.insight_chart(MetricKind::Steps, today() - Duration::days(30), today(), Theme::Light).unwrap();
    assert!(has_text(&svg, "No readings yet") && has_text(&svg, "Steps"), "{:?}", texts(&svg));
    assert!(rasterise(&svg).non_background > 0);
}
