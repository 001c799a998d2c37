//! Derived per-activity metrics, stored in `Activity.metrics`:
//!
//! * `duration_s`, `moving_s` (time between points less than 30 s apart, else `timer_s`),
//!   `distance_m` (the device's, else summed from the track), `speed_avg_mps`,
//!   `pace_s_per_km` (foot sports), `ascent_m` (from altitude, 1 m hysteresis);
//! * `hr_zone1_s` .. `hr_zone5_s`: seconds in 50-60, 60-70, 70-80, 80-90, 90+ % of max HR;
//! * `trimp`: Banister's training impulse, sum of dt(min) x HRr x 0.64 e^(1.92 HRr), with
//!   HRr = (HR - rest) / (max - rest); from the average HR when there is no HR track.
//!
//! Max and resting HR come from [`DeriveOptions`] (the CLI's `--max-hr/--resting-hr`); the
//! defaults (190/60) are population guesses and the metrics say which were used.

use crate::record::Activity;

/// Gaps longer than this between track points are pauses, not moving time.
const MAX_GAP_S: f64 = 30.0;

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DeriveOptions {
    pub max_hr: f64,
    pub resting_hr: f64,
}

impl Default for DeriveOptions {
    fn default() -> Self {
        DeriveOptions { max_hr: 190.0, resting_hr: 60.0 }
    }
}

/// Great-circle distance in metres (mean Earth radius 6 371 008.8 m).
pub fn haversine_m(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dp = p2 - p1;
    let dl = (lon2 - lon1).to_radians();
    let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * 6_371_008.8 * a.sqrt().min(1.0).asin()
}

fn zone_of(hr: f64, max: f64) -> Option<usize> {
    let p = hr / max;
    if p < 0.5 {
        None
    } else {
        Some((((p - 0.5) * 10.0).floor() as usize).min(4))
    }
}

fn trimp_rate(hr: f64, o: &DeriveOptions) -> f64 {
    let r = ((hr - o.resting_hr) / (o.max_hr - o.resting_hr)).clamp(0.0, 1.0);
    r * 0.64 * (1.92 * r).exp()
}

/// Fills what the source left out (distance, HR summary, duration) from the track, and
/// computes the derived metrics. Idempotent.
pub fn derive(a: &mut Activity, o: &DeriveOptions) {
    let o = DeriveOptions { max_hr: o.max_hr.max(o.resting_hr + 1.0), resting_hr: o.resting_hr };
    let t = &a.track;
    if a.elapsed_s <= 0.0 {
        if let (Some(f), Some(l)) = (t.first(), t.last()) {
            a.elapsed_s = ((l.t_ms - f.t_ms) as f64 / 1000.0).max(0.0);
        }
    }
    // Distance: the device's own figure wins, else the last cumulative distance, else GPS.
    let mut gps = 0.0;
    let mut have_gps = false;
    let mut moving = 0.0;
    let mut zones = [0.0f64; 5];
    let mut trimp = 0.0;
    let mut hr_sum = 0.0;
    let mut hr_time = 0.0;
    let mut hr_max: Option<f64> = None;
    let mut ascent = 0.0;
    let mut have_alt = false;
    let mut alt_ref: Option<f64> = None;
    for (i, p) in t.iter().enumerate() {
        if let Some(h) = p.hr.filter(|h| h.is_finite() && *h > 0.0) {
            hr_max = Some(hr_max.map_or(h, |m: f64| m.max(h)));
        }
        if let Some(al) = p.altitude_m.filter(|v| v.is_finite()) {
            have_alt = true;
            match alt_ref {
                None => alt_ref = Some(al),
                Some(r) if al > r + 1.0 => {
                    ascent += al - r;
                    alt_ref = Some(al);
                }
                Some(r) if al < r - 1.0 => alt_ref = Some(al),
                _ => {}
            }
        }
        if i == 0 {
            continue;
        }
        let q = &t[i - 1];
        if let (Some(la1), Some(lo1), Some(la2), Some(lo2)) = (q.lat, q.lon, p.lat, p.lon) {
            let d = haversine_m(la1, lo1, la2, lo2);
            if d.is_finite() {
                gps += d;
                have_gps = true;
            }
        }
        let dt = (p.t_ms - q.t_ms) as f64 / 1000.0;
        if !(dt > 0.0 && dt <= MAX_GAP_S) {
            continue;
        }
        moving += dt;
        if let Some(h) = q.hr.filter(|h| h.is_finite() && *h > 0.0) {
            hr_sum += h * dt;
            hr_time += dt;
            if let Some(z) = zone_of(h, o.max_hr) {
                zones[z] += dt;
            }
            trimp += dt / 60.0 * trimp_rate(h, &o);
        }
    }
    if a.distance_m.is_none() {
        let cumulative = t.iter().rev().find_map(|p| p.distance_m).filter(|d| d.is_finite() && *d >= 0.0);
        a.distance_m = cumulative.or(have_gps.then_some(gps));
    }
    if a.avg_hr.is_none() && hr_time > 0.0 {
        a.avg_hr = Some((hr_sum / hr_time * 10.0).round() / 10.0);
    }
    if a.max_hr.is_none() {
        a.max_hr = hr_max;
    }
    if a.ascent_m.is_none() && have_alt {
        a.ascent_m = Some(ascent);
    }
    let m = &mut a.metrics;
    m.insert("duration_s".into(), a.elapsed_s);
    let moving_s = if moving > 0.0 { moving } else { a.timer_s.unwrap_or(a.elapsed_s) };
    m.insert("moving_s".into(), moving_s);
    if let Some(d) = a.distance_m {
        m.insert("distance_m".into(), d);
        let secs = a.timer_s.filter(|s| *s > 0.0).unwrap_or(moving_s);
        if secs > 0.0 && d > 0.0 {
            m.insert("speed_avg_mps".into(), d / secs);
            if a.sport.is_foot() {
                m.insert("pace_s_per_km".into(), secs / (d / 1000.0));
            }
        }
    }
    if let Some(asc) = a.ascent_m {
        m.insert("ascent_m".into(), asc);
    }
    if hr_time > 0.0 {
        for (i, z) in zones.iter().enumerate() {
            m.insert(format!("hr_zone{}_s", i + 1), *z);
        }
        m.insert("trimp".into(), (trimp * 10.0).round() / 10.0);
    } else if let Some(avg) = a.avg_hr {
        let mins = a.timer_s.unwrap_or(a.elapsed_s) / 60.0;
        m.insert("trimp".into(), (mins * trimp_rate(avg, &o) * 10.0).round() / 10.0);
    }
    if m.contains_key("trimp") {
        m.insert("trimp_max_hr".into(), o.max_hr);
        m.insert("trimp_resting_hr".into(), o.resting_hr);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::TrackPoint;

    fn pt(t: i64, lat: f64, hr: f64) -> TrackPoint {
        TrackPoint {
            t_ms: t * 1000,
            lat: Some(lat),
            lon: Some(0.0),
            altitude_m: None,
            distance_m: None,
            hr: Some(hr),
            cadence: None,
            power: None,
            speed_mps: None,
            temperature_c: None,
        }
    }

    #[test]
    fn zones_pace_and_trimp() {
        // 1 degree of latitude ~ 111.2 km; 0.0001 deg ~ 11.1 m per second for 600 s.
        let track: Vec<TrackPoint> = (0..=600).map(|i| pt(i, i as f64 * 0.0001, 152.0)).collect();
        let mut a = Activity {
            id: String::new(),
            sport: "running".into(),
            name: None,
            start_ms: 0,
            elapsed_s: 0.0,
            timer_s: None,
            distance_m: None,
            avg_hr: None,
            max_hr: None,
            calories: None,
            ascent_m: None,
            source: "t".into(),
            source_id: "t:1".into(),
            also_from: vec![],
            laps: vec![],
            metrics: Default::default(),
            track,
        };
        derive(&mut a, &DeriveOptions::default());
        assert_eq!(a.elapsed_s, 600.0);
        let d = a.distance_m.unwrap();
        assert!((d - 6671.7).abs() < 5.0, "{d}");
        assert_eq!(a.metrics["hr_zone4_s"], 600.0); // 152/190 = 80 %
        assert!((a.metrics["pace_s_per_km"] - 600.0 / (d / 1000.0)).abs() < 1e-6);
        // HRr = 92/130 = 0.7077; 10 min x 0.7077 x 0.64 x e^(1.3588) = 17.6
        assert!((a.metrics["trimp"] - 17.6).abs() < 0.15, "{}", a.metrics["trimp"]);
        let again = a.clone();
        derive(&mut a, &DeriveOptions::default());
        assert_eq!(a, again);
    }

    #[test]
    fn haversine_known_distance() {
        // Leeds Town Hall to York Minster ~ 35.6 km
        let d = haversine_m(53.8005, -1.5492, 53.9623, -1.0819);
        assert!((d - 35_600.0).abs() < 600.0, "{d}");
    }
}
