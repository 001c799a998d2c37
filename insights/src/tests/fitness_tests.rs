use super::super::fitness::{self, LoadMethod};
use super::super::input::{Activity, Goal, MetricKind, Sport};
use super::{base_input, english, push, t_days_ago};

fn run(days_ago: i64, minutes: f64, km: f64, hr: Option<f64>) -> Activity {
    Activity {
        start: t_days_ago(days_ago, 7),
        duration_s: minutes * 60.0,
        distance_m: Some(km * 1000.0),
        avg_hr: hr,
        sport: Sport::Run,
    }
}

#[test]
fn trimp_hand_computed() {
    // 60 min at 150 bpm, rest 60, max 190: HRr = 90/130; 60 x HRr x 0.64 x e^(1.92 HRr) = 100.4403.
    let t = fitness::trimp(60.0, 150.0, 60.0, 190.0).unwrap();
    assert!((t - 100.440_292_7).abs() < 1e-6, "{t}");
    assert!(fitness::trimp(60.0, 150.0, 190.0, 60.0).is_none(), "max below rest is nonsense");
}

#[test]
fn weekly_load_uses_trimp_or_minutes() {
    let mut input = base_input(); // today is Saturday 15 March 2025; week starts Monday 10 March
    input.profile.max_hr = Some(190.0);
    push(&mut input, MetricKind::RestingHeartRate, 1, 60.0);
    input.activities.push(run(1, 60.0, 10.0, Some(150.0)));
    input.activities.push(run(2, 30.0, 5.0, None));
    input.activities.push(run(9, 30.0, 5.0, None)); // previous week
    let w = fitness::weekly_load(&input, 2);
    assert_eq!(w.len(), 2);
    let this = &w[1];
    assert_eq!(this.week_start, super::date(2025, 3, 10));
    assert_eq!(this.sessions, 2);
    assert_eq!(this.minutes, 90.0);
    assert_eq!(this.distance_km, 15.0);
    assert!((this.load - (100.440_292_7 + 30.0)).abs() < 1e-6);
    assert_eq!(this.method, LoadMethod::Mixed);
    assert_eq!(w[0].method, LoadMethod::DurationOnly);
}

#[test]
fn personal_bests_from_runs() {
    let acts = vec![run(3, 25.0, 5.0, None), run(5, 55.0, 10.0, None), run(7, 90.0, 16.0, None)];
    let pbs = fitness::personal_bests(&acts);
    let get = |l: &str| pbs.iter().find(|p| english(&p.label) == l).map(|p| p.value);
    assert_eq!(get("Fastest 5k"), Some(1500.0)); // 25:00 beats 27:30 (10k pace) and 28:07 (16k pace)
    assert_eq!(get("Fastest 10k"), Some(3300.0));
    assert_eq!(get("Longest run"), Some(16_000.0));
}

#[test]
fn streaks_of_days_and_weeks() {
    let mut input = base_input();
    for d in [0, 1, 2, 5, 6, 7, 8] {
        input.activities.push(run(d, 20.0, 3.0, None));
    }
    let s = fitness::streaks(&input);
    assert_eq!(s.current_days, 3);
    assert_eq!(s.longest_days, 4);
    assert_eq!(s.current_weeks, 2);
    assert_eq!(fitness::streaks(&base_input()), fitness::Streaks::default());
}

#[test]
fn goal_progress_weight_and_distance() {
    let mut input = base_input();
    push(&mut input, MetricKind::Weight, 0, 85.0);
    input.goals.push(Goal::TargetWeight { target_kg: 80.0, start_kg: Some(90.0) });
    input.goals.push(Goal::WeeklyDistance { km: 20.0 });
    input.activities.push(run(1, 30.0, 5.0, None));
    let g = fitness::goal_progress(&input);
    assert_eq!(g[0].fraction, Some(0.5));
    assert!(!g[0].achieved);
    assert_eq!(g[1].fraction, Some(0.25));
}

#[test]
fn goals_outside_what_a_person_can_reach_are_refused() {
    assert!(Goal::TargetWeight { target_kg: 75.0, start_kg: None }.validate().is_ok());
    assert!(Goal::TargetWeight { target_kg: 75.0, start_kg: Some(90.0) }.validate().is_ok());
    assert!(Goal::TargetWeight { target_kg: f64::NAN, start_kg: None }.validate().is_err());
    assert!(Goal::TargetWeight { target_kg: 7000.0, start_kg: None }.validate().is_err());
    assert!(Goal::TargetWeight { target_kg: 75.0, start_kg: Some(-1.0) }.validate().is_err());
    assert!(Goal::WeeklyDistance { km: 0.0 }.validate().is_err());
    assert!(Goal::WeeklyDistance { km: 20.0 }.validate().is_ok());
    assert!(Goal::RestingHeartRate { target_bpm: 55.0, start_bpm: Some(70.0) }.validate().is_ok());
    assert!(Goal::RestingHeartRate { target_bpm: 5.0, start_bpm: None }.validate().is_err());
    assert!(Goal::WeeklyActiveMinutes { minutes: f64::INFINITY }.validate().is_err());
    assert!(Goal::WeeklyActiveMinutes { minutes: 150.0 }.validate().is_ok());
}
