//! Property tests: no panics on empty, degenerate or hostile input.

use proptest::prelude::*;

use super::super::chart::{self, Theme};
use super::super::input::{
    Activity, BpPoint, BpSetting, DailyRollup, Goal, InsightInput, MetricKind, SeriesPoint, Sport,
};
use super::super::{evaluate, trends};
use super::date;

fn weird_f64() -> impl Strategy<Value = f64> {
    prop_oneof![
        Just(f64::NAN),
        Just(f64::INFINITY),
        Just(f64::NEG_INFINITY),
        Just(0.0),
        Just(-1.0),
        Just(f64::MAX),
        Just(f64::MIN_POSITIVE),
        -1e6..1e6f64,
        0.0..300.0f64,
    ]
}

fn weird_t() -> impl Strategy<Value = i64> {
    prop_oneof![Just(i64::MIN), Just(i64::MAX), Just(0i64), 1_600_000_000i64..1_760_000_000i64]
}

fn points() -> impl Strategy<Value = Vec<SeriesPoint>> {
    prop::collection::vec((weird_t(), weird_f64()).prop_map(|(t, value)| SeriesPoint { t, value }), 0..40)
}

fn input_strategy() -> impl Strategy<Value = InsightInput> {
    (
        prop::collection::vec((0usize..12, points()), 0..6),
        prop::collection::vec((weird_t(), weird_f64(), weird_f64(), any::<bool>()), 0..10),
        prop::option::of(weird_f64()),
        prop::collection::vec(
            (weird_t(), weird_f64(), prop::option::of(weird_f64()), prop::option::of(weird_f64())),
            0..8,
        ),
        (0u32..400, -50_000i32..50_000),
        prop::collection::vec((weird_f64(), 0u64..5, weird_f64()), 0..5),
        weird_f64(),
    )
        .prop_map(|(series, bps, height, acts, (day, off), rollups, goal)| {
            let mut input = InsightInput::new(date(2024, 1, 1) + chrono::Duration::days(day as i64));
            for (k, p) in series {
                input.series.insert(MetricKind::ALL[k], p);
            }
            input.blood_pressure = bps
                .into_iter()
                .map(|(t, s, d, c)| BpPoint {
                    t,
                    systolic: s,
                    diastolic: d,
                    setting: if c { BpSetting::Clinic } else { BpSetting::Home },
                })
                .collect();
            input.height_m = height;
            input.activities = acts
                .into_iter()
                .map(|(start, dur, dist, hr)| Activity {
                    start,
                    duration_s: dur,
                    distance_m: dist,
                    avg_hr: hr,
                    sport: Sport::Run,
                })
                .collect();
            input.utc_offset_s = off;
            input.rollups.insert(
                MetricKind::Steps,
                rollups
                    .iter()
                    .enumerate()
                    .map(|(i, (s, c, l))| DailyRollup {
                        day: input.today - chrono::Duration::days(i as i64),
                        count: *c,
                        min: *s,
                        max: *s,
                        sum: *s,
                        last: *l,
                    })
                    .collect(),
            );
            input.goals = vec![
                Goal::TargetWeight { target_kg: goal, start_kg: Some(goal) },
                Goal::WeeklyDistance { km: goal },
                Goal::RestingHeartRate { target_bpm: goal, start_bpm: None },
                Goal::WeeklyActiveMinutes { minutes: goal },
            ];
            input
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn evaluate_never_panics(input in input_strategy()) {
        let r = evaluate(&input);
        for a in &r.alerts {
            prop_assert!(!a.citation.is_empty());
            for d in &a.triggered_by {
                prop_assert!(d.value.is_finite(), "non-finite trigger in {}", a.id);
            }
        }
        for t in &r.trends.trends {
            prop_assert!(t.mean.is_finite());
        }
    }

    #[test]
    fn trend_maths_never_panics(p in points(), w in weird_f64(), days in -5i64..400) {
        let _ = trends::linear_fit(&p);
        let _ = trends::rolling_series(&p, w);
        let _ = trends::rolling_mean(&p, date(2025, 1, 1), days, 0);
        let _ = trends::trend(MetricKind::Weight, &p, date(2025, 1, 1), days, 3600);
    }

    #[test]
    fn charts_never_panic(p in points(), dark in any::<bool>(), w in 0u32..3000, h in 0u32..3000) {
        let theme = if dark { Theme::Dark } else { Theme::Light };
        let _ = chart::render_sparkline(&p, theme, w, h, "x");
        let spec = chart::ChartSpec { title: "t".into(), y_label: "y".into(), series: vec![("s".into(), p)], band: None, markers: vec![], theme, width: w, height: h };
        prop_assert!(chart::render_time_series(&spec).is_ok());
    }
}

#[test]
fn single_point_and_empty_inputs() {
    let mut input = InsightInput::new(date(2025, 1, 1));
    let r = evaluate(&input);
    assert!(r.alerts.is_empty() && r.trends.trends.is_empty());
    input.series.insert(MetricKind::Weight, vec![SeriesPoint { t: 1_735_732_800, value: 70.0 }]);
    let r = evaluate(&input);
    let t = r.trends.trends.iter().find(|t| t.kind == MetricKind::Weight).unwrap();
    assert_eq!(t.n, 1);
    assert!(t.slope_per_day.is_none());
}
