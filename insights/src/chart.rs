//! SVG charts via plotters: a time series with a target band, alert markers and
//! life-event markers; a compact sparkline; light and dark themes.
//!
//! Text is emitted as SVG `<text>` elements (plotters' SVG backend without a font
//! feature), so the shells render it with the platform's fonts.

use chrono::DateTime;
use phr_model::Label;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use serde::{Deserialize, Serialize};

/// A line's legend name and its points.
type NamedSeries = (String, Vec<SeriesPoint>);

use super::alerts::{Alert, AlertCategory};
use super::guidance;
use super::input::{day_start_t, InsightInput, MetricKind, SeriesPoint};
use super::trends;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum Theme {
    #[default]
    Light,
    Dark,
}

#[derive(Debug, Clone, Copy)]
struct Palette {
    bg: RGBColor,
    fg: RGBColor,
    grid: RGBColor,
    lines: [RGBColor; 3],
    band: RGBColor,
    life: RGBColor,
    alert: RGBColor,
}

fn palette(theme: Theme) -> Palette {
    match theme {
        Theme::Light => Palette {
            bg: RGBColor(255, 255, 255),
            fg: RGBColor(33, 37, 41),
            grid: RGBColor(226, 229, 233),
            lines: [RGBColor(0, 94, 184), RGBColor(237, 139, 0), RGBColor(0, 150, 57)],
            band: RGBColor(0, 150, 57),
            life: RGBColor(88, 44, 131),
            alert: RGBColor(218, 41, 28),
        },
        Theme::Dark => Palette {
            bg: RGBColor(18, 20, 24),
            fg: RGBColor(230, 232, 235),
            grid: RGBColor(58, 62, 68),
            lines: [RGBColor(65, 182, 230), RGBColor(255, 184, 28), RGBColor(120, 190, 32)],
            band: RGBColor(0, 164, 153),
            life: RGBColor(190, 160, 255),
            alert: RGBColor(255, 105, 97),
        },
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TargetBand {
    pub low: f64,
    pub high: f64,
    pub label: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum MarkerKind {
    LifeEvent,
    Alert,
}

/// A labelled vertical line on the time axis.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Marker {
    pub t: i64,
    pub label: String,
    pub kind: MarkerKind,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChartSpec {
    pub title: String,
    pub y_label: String,
    /// One or more named series (e.g. systolic and diastolic).
    pub series: Vec<(String, Vec<SeriesPoint>)>,
    pub band: Option<TargetBand>,
    pub markers: Vec<Marker>,
    pub theme: Theme,
    pub width: u32,
    pub height: u32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ChartError(pub String);

impl std::fmt::Display for ChartError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "chart error: {}", self.0)
    }
}

impl std::error::Error for ChartError {}

fn err<E: std::fmt::Display>(e: E) -> ChartError {
    ChartError(e.to_string())
}

const DAY: f64 = 86_400.0;

fn day_label(x: f64) -> String {
    if !x.is_finite() {
        return String::new();
    }
    DateTime::from_timestamp((x * DAY) as i64, 0)
        .map(|d| d.format("%-d %b %y").to_string())
        .unwrap_or_default()
}

fn escape_xml(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// Insert an accessible `<title>` right after the opening `<svg ...>` tag.
fn with_svg_title(svg: String, title: &str) -> String {
    match svg.find("<svg").and_then(|i| svg[i..].find('>').map(|j| i + j + 1)) {
        Some(pos) => format!("{}\n<title>{}</title>{}", &svg[..pos], escape_xml(title), &svg[pos..]),
        None => svg,
    }
}

/// Largest magnitude plotted; beyond this a value is a data error, and ranges
/// near f64::MAX would make the axis maths overflow to infinity.
const MAX_ABS_VALUE: f64 = 1e12;
/// Timestamps within roughly years 1 to 9999.
const T_RANGE: std::ops::RangeInclusive<i64> = -62_135_596_800..=253_402_300_799;

fn finite_points(points: &[SeriesPoint]) -> Vec<(f64, f64)> {
    trends::clean(points)
        .into_iter()
        .filter(|p| T_RANGE.contains(&p.t) && p.value.abs() <= MAX_ABS_VALUE)
        .map(|p| (p.t as f64 / DAY, p.value))
        .collect()
}

/// Pad a range so it is never empty or inverted.
fn padded(lo: f64, hi: f64, frac: f64) -> (f64, f64) {
    if !(lo.is_finite() && hi.is_finite()) {
        return (0.0, 1.0);
    }
    let (lo, hi) = if lo <= hi { (lo, hi) } else { (hi, lo) };
    let span = hi - lo;
    if span < 1e-9 {
        let pad = if lo.abs() > 1e-9 { lo.abs() * 0.05 } else { 1.0 };
        return (lo - pad, hi + pad);
    }
    (lo - span * frac, hi + span * frac)
}

/// Render a time series chart to an SVG string.
pub fn render_time_series(spec: &ChartSpec) -> Result<String, ChartError> {
    let pal = palette(spec.theme);
    let (w, h) = (spec.width.clamp(160, 4000), spec.height.clamp(120, 4000));
    let series: Vec<(String, Vec<(f64, f64)>)> =
        spec.series.iter().map(|(n, p)| (n.clone(), finite_points(p))).collect();
    let all: Vec<(f64, f64)> = series.iter().flat_map(|(_, p)| p.iter().copied()).collect();
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (w, h)).into_drawing_area();
        root.fill(&pal.bg).map_err(err)?;
        let title_font = ("sans-serif", 22).into_font().color(&pal.fg);
        if all.is_empty() {
            root.titled(&spec.title, title_font).map_err(err)?;
            root.draw(&Text::new(
                "No readings yet".to_string(),
                ((w / 2) as i32 - 60, (h / 2) as i32),
                ("sans-serif", 16).into_font().color(&pal.fg),
            ))
            .map_err(err)?;
            root.present().map_err(err)?;
        } else {
            let (mut x0, mut x1) = (f64::INFINITY, f64::NEG_INFINITY);
            let (mut y0, mut y1) = (f64::INFINITY, f64::NEG_INFINITY);
            for (x, y) in &all {
                x0 = x0.min(*x);
                x1 = x1.max(*x);
                y0 = y0.min(*y);
                y1 = y1.max(*y);
            }
            let band =
                spec.band.as_ref().filter(|b| b.low.abs() <= MAX_ABS_VALUE && b.high.abs() <= MAX_ABS_VALUE);
            if let Some(b) = band {
                y0 = y0.min(b.low);
                y1 = y1.max(b.high);
            }
            // Markers within a reasonable reach of the data widen the time axis.
            let reach = ((x1 - x0) * 0.25).max(14.0);
            let markers: Vec<&Marker> = spec
                .markers
                .iter()
                .filter(|m| T_RANGE.contains(&m.t))
                .filter(|m| {
                    let x = m.t as f64 / DAY;
                    x >= x0 - reach && x <= x1 + reach
                })
                .collect();
            for m in &markers {
                let x = m.t as f64 / DAY;
                x0 = x0.min(x);
                x1 = x1.max(x);
            }
            let (x0, x1) = padded(x0, x1, 0.03);
            let (y0, y1) = padded(y0, y1, 0.12);
            let mut chart = ChartBuilder::on(&root)
                .caption(&spec.title, title_font)
                .margin(12)
                .x_label_area_size(44)
                .y_label_area_size(60)
                .build_cartesian_2d(x0..x1, y0..y1)
                .map_err(err)?;
            let label_font = ("sans-serif", 13).into_font().color(&pal.fg);
            chart
                .configure_mesh()
                .x_desc("Date")
                .y_desc(&spec.y_label)
                .x_labels(6)
                .y_labels(6)
                .x_label_formatter(&|x| day_label(*x))
                .y_label_formatter(&|y| format!("{:.0}", y))
                .axis_style(pal.fg)
                .bold_line_style(pal.grid)
                .light_line_style(pal.bg)
                .label_style(label_font.clone())
                .axis_desc_style(("sans-serif", 14).into_font().color(&pal.fg))
                .draw()
                .map_err(err)?;
            if let Some(b) = band {
                chart
                    .draw_series(std::iter::once(Rectangle::new(
                        [(x0, b.low), (x1, b.high)],
                        pal.band.mix(0.15).filled(),
                    )))
                    .map_err(err)?
                    .label(b.label.clone())
                    .legend(move |(x, y)| {
                        Rectangle::new([(x, y - 5), (x + 16, y + 5)], pal.band.mix(0.3).filled())
                    });
            }
            for (i, (name, pts)) in series.iter().enumerate() {
                let c = pal.lines[i % pal.lines.len()];
                chart
                    .draw_series(LineSeries::new(pts.iter().copied(), c.stroke_width(2)))
                    .map_err(err)?
                    .label(name.clone())
                    .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], c.stroke_width(2)));
                chart.draw_series(pts.iter().map(|p| Circle::new(*p, 3, c.filled()))).map_err(err)?;
            }
            let span_y = y1 - y0;
            for (i, m) in markers.iter().enumerate() {
                let x = m.t as f64 / DAY;
                let c = match m.kind {
                    MarkerKind::LifeEvent => pal.life,
                    MarkerKind::Alert => pal.alert,
                };
                chart
                    .draw_series(std::iter::once(PathElement::new(vec![(x, y0), (x, y1)], c.stroke_width(2))))
                    .map_err(err)?;
                let ly = y1 - span_y * (0.04 + 0.07 * (i % 3) as f64);
                let prefix = match m.kind {
                    MarkerKind::LifeEvent => "",
                    MarkerKind::Alert => "! ",
                };
                // Labels in the right third hang to the left of their line so they are not clipped.
                let right = x > x0 + (x1 - x0) * 0.66;
                let (lx, anchor) = if right {
                    (x - (x1 - x0) * 0.006, Pos::new(HPos::Right, VPos::Top))
                } else {
                    (x + (x1 - x0) * 0.006, Pos::new(HPos::Left, VPos::Top))
                };
                // A soft box behind the label keeps it readable over the data.
                let label = format!("{}{}", prefix, m.label);
                let (pw, ph) = chart.plotting_area().dim_in_pixel();
                let (px_x, px_y) = ((x1 - x0) / f64::from(pw.max(1)), span_y / f64::from(ph.max(1)));
                let text_w = 6.6 * label.chars().count() as f64 + 6.0;
                let (bx0, bx1) = if right {
                    (lx - text_w * px_x, lx + 3.0 * px_x)
                } else {
                    (lx - 3.0 * px_x, lx + text_w * px_x)
                };
                chart
                    .draw_series(std::iter::once(Rectangle::new(
                        [(bx0, ly + 2.0 * px_y), (bx1, ly - 16.0 * px_y)],
                        pal.bg.mix(0.8).filled(),
                    )))
                    .map_err(err)?;
                chart
                    .draw_series(std::iter::once(Text::new(
                        label,
                        (lx, ly),
                        ("sans-serif", 13).into_font().color(&c).pos(anchor),
                    )))
                    .map_err(err)?;
            }
            chart
                .configure_series_labels()
                .background_style(pal.bg.mix(0.85))
                .border_style(pal.grid)
                .label_font(label_font)
                .position(SeriesLabelPosition::LowerRight)
                .draw()
                .map_err(err)?;
            root.present().map_err(err)?;
        }
    }
    Ok(with_svg_title(svg, &spec.title))
}

/// A compact line with a dot on the latest value, for overview screens.
/// Never fails: empty input gives an empty (background-only) sparkline.
pub fn render_sparkline(
    points: &[SeriesPoint],
    theme: Theme,
    width: u32,
    height: u32,
    title: &str,
) -> String {
    let pal = palette(theme);
    let (w, h) = (width.clamp(24, 2000), height.clamp(8, 1000));
    let pts = finite_points(points);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (w, h)).into_drawing_area();
        let _ = root.fill(&pal.bg);
        if !pts.is_empty() {
            let (mut x0, mut x1, mut y0, mut y1) =
                (f64::INFINITY, f64::NEG_INFINITY, f64::INFINITY, f64::NEG_INFINITY);
            for (x, y) in &pts {
                x0 = x0.min(*x);
                x1 = x1.max(*x);
                y0 = y0.min(*y);
                y1 = y1.max(*y);
            }
            let (x0, x1) = padded(x0, x1, 0.02);
            let (y0, y1) = padded(y0, y1, 0.1);
            if let Ok(mut chart) = ChartBuilder::on(&root).margin(3).build_cartesian_2d(x0..x1, y0..y1) {
                let c = pal.lines[0];
                let _ = chart.draw_series(LineSeries::new(pts.iter().copied(), c.stroke_width(2)));
                if let Some(last) = pts.last() {
                    let _ = chart.draw_series(std::iter::once(Circle::new(*last, 3, c.filled())));
                }
            }
        }
        let _ = root.present();
    }
    with_svg_title(svg, title)
}

/// Markers for the user's life events (e.g. "started ramipril").
pub fn life_event_markers(input: &InsightInput) -> Vec<Marker> {
    input
        .life_events
        .iter()
        .map(|e| Marker {
            t: day_start_t(e.date, input.utc_offset_s) + 12 * 3600,
            label: e.label.clone(),
            kind: MarkerKind::LifeEvent,
        })
        .collect()
}

/// Markers for alerts that point at a single dated reading of this chart's metric, labelled
/// with the alert's title in the words `text` gives it (the core's catalogue).
pub fn alert_markers(
    alerts: &[Alert],
    categories: &[AlertCategory],
    text: &dyn Fn(&Label) -> String,
) -> Vec<Marker> {
    alerts
        .iter()
        .filter(|a| categories.contains(&a.category))
        .filter_map(|a| {
            a.triggered_by.iter().find_map(|d| d.t).map(|t| Marker {
                t,
                label: text(&a.title),
                kind: MarkerKind::Alert,
            })
        })
        .collect()
}

/// The size of a chart for a page or a screen the width of a printed page (the CLI, docs).
pub const PAGE_CHART: (u32, u32) = (800, 420);
/// The size of a chart on a phone: drawn about 380 dp wide, so its labels stay near their
/// own size instead of shrinking to half (an 800-wide chart's 10-unit labels became 5 dp).
pub const PHONE_CHART: (u32, u32) = (420, 340);

/// A ready-made chart for a metric with the right target band and markers, page-sized.
pub fn metric_chart(
    input: &InsightInput,
    kind: MetricKind,
    alerts: &[Alert],
    theme: Theme,
    text: &dyn Fn(&Label) -> String,
) -> Result<String, ChartError> {
    metric_chart_sized(input, kind, alerts, theme, text, PAGE_CHART)
}

/// [`metric_chart`] at `(width, height)`.
pub fn metric_chart_sized(
    input: &InsightInput,
    kind: MetricKind,
    alerts: &[Alert],
    theme: Theme,
    text: &dyn Fn(&Label) -> String,
    (width, height): (u32, u32),
) -> Result<String, ChartError> {
    let person_height = input.valid_height_m();
    let (series, band, cats): (Vec<NamedSeries>, Option<TargetBand>, Vec<AlertCategory>) = match kind {
        MetricKind::Weight => (
            vec![("Weight".to_string(), input.points(kind))],
            person_height.map(|h| TargetBand {
                low: guidance::BMI_HEALTHY_RANGE.0 * h * h,
                high: guidance::BMI_HEALTHY_RANGE.1 * h * h,
                label: "Healthy weight for your height (NHS BMI 18.5-24.9)".to_string(),
            }),
            vec![AlertCategory::Bmi, AlertCategory::WeightChange],
        ),
        MetricKind::Bmi => (
            vec![("BMI".to_string(), trends::bmi_points(input))],
            Some(TargetBand {
                low: guidance::BMI_HEALTHY_RANGE.0,
                high: guidance::BMI_HEALTHY_RANGE.1,
                label: "Healthy range (NHS, 18.5-24.9)".to_string(),
            }),
            vec![AlertCategory::Bmi],
        ),
        MetricKind::BloodPressureSystolic | MetricKind::BloodPressureDiastolic => (
            vec![
                (
                    "Top number (systolic)".to_string(),
                    trends::trend_points(input, MetricKind::BloodPressureSystolic),
                ),
                (
                    "Bottom number (diastolic)".to_string(),
                    trends::trend_points(input, MetricKind::BloodPressureDiastolic),
                ),
            ],
            Some(TargetBand {
                low: 60.0,
                high: guidance::BP_TARGET_CLINIC.systolic,
                label: "Target: under 140/90 at a clinic (NICE NG136)".to_string(),
            }),
            vec![AlertCategory::BloodPressure],
        ),
        k => (
            vec![(k.label().to_string(), trends::trend_points(input, k))],
            None,
            vec![AlertCategory::Fitness],
        ),
    };
    let title = match kind {
        MetricKind::BloodPressureSystolic | MetricKind::BloodPressureDiastolic => {
            "Blood pressure".to_string()
        }
        k => k.label().to_string(),
    };
    let unit = match kind {
        MetricKind::BloodPressureSystolic | MetricKind::BloodPressureDiastolic => "mmHg",
        k => k.unit(),
    };
    let mut markers = life_event_markers(input);
    markers.extend(alert_markers(alerts, &cats, text));
    render_time_series(&ChartSpec {
        title,
        y_label: format!("{} ({})", kind.label().split(" (").next().unwrap_or(""), unit),
        series,
        band,
        markers,
        theme,
        width,
        height,
    })
}
