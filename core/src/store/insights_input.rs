//! From a [`Record`] to the pure insights module: builds an [`InsightInput`] from the
//! store (daily rollups for the long series, raw samples only where pairing or timing
//! matters), and keeps the owner's insight settings and goals as sealed settings.
//!
//! Nothing here touches the network: it reads the local store and calls
//! [`insights::evaluate`], which is pure.

use super::{ListOptions, Record};
use crate::insights::{
    self, chart, AlertCategory, BpPoint, BpSetting, DailyRollup, Goal, InsightInput, InsightReport,
    InsightSettings, LifeEvent, Medication, MetricKind, SeriesPoint, Sport, Theme, Vaccination,
};
use crate::record::{EntryValue, SampleKind};
use crate::strings::English;
use crate::Result;
use chrono::{Duration, NaiveDate};
use std::collections::BTreeMap;

/// Setting name for the persisted [`InsightSettings`].
pub const INSIGHT_SETTINGS: &str = "insights";
/// Setting name for the owner's goals (a JSON list of [`Goal`]).
pub const GOALS_SETTING: &str = "goals";
/// How far back the report looks for the long series (trends, charts, fitness).
pub const REPORT_DAYS: i64 = 365;

/// Sample kinds read as daily rollups, and the insights metric each becomes.
const ROLLUP_KINDS: [(SampleKind, MetricKind); 8] = [
    (SampleKind::Weight, MetricKind::Weight),
    (SampleKind::RestingHeartRate, MetricKind::RestingHeartRate),
    (SampleKind::Vo2Max, MetricKind::Vo2Max),
    (SampleKind::SleepDuration, MetricKind::SleepDuration),
    (SampleKind::Steps, MetricKind::Steps),
    (SampleKind::ActiveMinutes, MetricKind::ActiveMinutes),
    (SampleKind::AlcoholUnits, MetricKind::AlcoholUnits),
    (SampleKind::Distance, MetricKind::Distance),
];

/// Two halves of a blood pressure reading belong together if taken this close.
const BP_PAIR_MS: i64 = 120_000;

fn ms(d: NaiveDate) -> i64 {
    d.and_hms_opt(0, 0, 0).map(|t| t.and_utc().timestamp_millis()).unwrap_or(0)
}

/// Clinic or home, from the reading's source: readings that came from the GP or
/// hospital record, or a device named after a clinic, count as clinic readings;
/// everything else (a home cuff, a watch, typed in by the owner) as home readings.
pub fn bp_setting_of_source(source: &str) -> BpSetting {
    let s = source.to_ascii_lowercase();
    let clinic = ["gp", "clinic", "surgery", "hospital", "practice", "fhir", "nhs", "pharmacy"];
    if s.split(|c: char| !c.is_ascii_alphanumeric()).any(|w| clinic.contains(&w)) {
        BpSetting::Clinic
    } else {
        BpSetting::Home
    }
}

/// The insights' coarse sport (what pace and longest-session rules group by), from the
/// record's sport family.
fn insight_sport(s: &crate::record::Sport) -> Sport {
    use crate::record::Sport as S;
    match s.family() {
        S::Running => Sport::Run,
        S::Walking => Sport::Walk,
        S::Cycling => Sport::Cycle,
        S::Swimming => Sport::Swim,
        _ => Sport::Other,
    }
}

fn to_insight_rollup(r: &crate::record::DailyRollup, scale: f64) -> DailyRollup {
    DailyRollup {
        day: r.day,
        count: r.count,
        min: r.min * scale,
        max: r.max * scale,
        sum: r.sum * scale,
        last: r.last * scale,
    }
}

/// Pairs systolic and diastolic samples from the same source taken within two minutes.
pub fn pair_bp(systolic: &[crate::record::Sample], diastolic: &[crate::record::Sample]) -> Vec<BpPoint> {
    let mut out = Vec::new();
    let mut used = vec![false; diastolic.len()];
    let mut j0 = 0usize;
    for s in systolic {
        while j0 < diastolic.len() && diastolic[j0].start_ms < s.start_ms - BP_PAIR_MS {
            j0 += 1;
        }
        let best = (j0..diastolic.len())
            .take_while(|&j| diastolic[j].start_ms <= s.start_ms + BP_PAIR_MS)
            .filter(|&j| !used[j] && diastolic[j].source == s.source)
            .min_by_key(|&j| (diastolic[j].start_ms - s.start_ms).abs());
        if let Some(j) = best {
            used[j] = true;
            out.push(BpPoint {
                t: s.start_ms.div_euclid(1000),
                systolic: s.value,
                diastolic: diastolic[j].value,
                setting: bp_setting_of_source(&s.source),
            });
        }
    }
    out
}

impl Record {
    /// The owner's insight settings (defaults if never saved).
    pub fn insight_settings(&self) -> Result<InsightSettings> {
        Ok(self.setting::<InsightSettings>(INSIGHT_SETTINGS)?.unwrap_or_default())
    }

    pub fn set_insight_settings(&self, settings: &InsightSettings) -> Result<()> {
        self.set_setting(INSIGHT_SETTINGS, settings)
    }

    /// Switches one alert category on or off (and with it its suggestions and signposts).
    /// Persisted: it stays that way after the record is closed and opened again.
    pub fn set_insight_category_enabled(
        &self,
        category: AlertCategory,
        enabled: bool,
    ) -> Result<InsightSettings> {
        let mut s = self.insight_settings()?;
        if enabled {
            s.enable(category);
        } else {
            s.disable(category);
        }
        self.set_insight_settings(&s)?;
        Ok(s)
    }

    /// The owner's goals (weight, weekly distance, resting heart rate, active minutes).
    pub fn goals(&self) -> Result<Vec<Goal>> {
        Ok(self.setting::<Vec<Goal>>(GOALS_SETTING)?.unwrap_or_default())
    }

    pub fn set_goals(&self, goals: &[Goal]) -> Result<()> {
        self.set_setting(GOALS_SETTING, &goals.to_vec())
    }

    /// Sets a goal, replacing any earlier goal of the same kind.
    pub fn set_goal(&self, goal: Goal) -> Result<Vec<Goal>> {
        goal.validate().map_err(|why| crate::Error::invalid("goal", why))?;
        let mut goals = self.goals()?;
        goals.retain(|g| std::mem::discriminant(g) != std::mem::discriminant(&goal));
        goals.push(goal);
        self.set_goals(&goals)?;
        Ok(goals)
    }

    /// Everything insights needs for a report on `today`: a year of daily rollups,
    /// recent paired blood pressure readings, entries, activities, goals, settings.
    pub fn insight_input(&self, today: NaiveDate) -> Result<InsightInput> {
        Ok(self.cached_insight_input(today)?.as_ref().clone())
    }

    /// The input for `today`, built again only when a write has committed since the last
    /// build (or for another day).
    fn cached_insight_input(&self, today: NaiveDate) -> Result<std::sync::Arc<InsightInput>> {
        self.insight_cache.get_or_build(self.observers.generation(), today, || {
            Ok(std::sync::Arc::new(self.insight_input_between(today - Duration::days(REPORT_DAYS), today)?))
        })
    }

    /// Whether the insight input for `today` is built for the current write generation.
    #[cfg(test)]
    pub(crate) fn insight_input_is_cached(&self, today: NaiveDate) -> bool {
        self.insight_cache.is_fresh(self.observers.generation(), &today)
    }

    /// As [`Record::insight_input`], over the days `from..=to` (`to` acts as today).
    pub fn insight_input_between(&self, from: NaiveDate, to: NaiveDate) -> Result<InsightInput> {
        let (from, to) = if from <= to { (from, to) } else { (to, from) };
        let mut input = InsightInput::new(to);
        input.settings = self.insight_settings()?;
        input.utc_offset_s = insights::uk_utc_offset_s(to);
        input.goals = self.goals()?;

        for (sk, mk) in ROLLUP_KINDS {
            let rollups = self.daily_rollups(sk, from, to)?;
            if rollups.is_empty() {
                continue;
            }
            let converted = if sk == SampleKind::SleepDuration {
                // Stored as minutes, summed per day; insights wants one night's hours.
                rollups.iter().map(|r| DailyRollup { count: 1, ..to_insight_rollup(r, 1.0 / 60.0) }).collect()
            } else {
                rollups.iter().map(|r| to_insight_rollup(r, 1.0)).collect()
            };
            input.rollups.insert(mk, converted);
        }

        // Blood pressure: paired raw readings for the alert window, daily rollups before it.
        let s = &input.settings;
        let bp_days = s.lookback_days.max(s.home_bp_average_days).clamp(1, 3650) + 1;
        let bp_from = (to - Duration::days(bp_days)).max(from);
        let end_ms = ms(to + Duration::days(1));
        let sys = self.samples(SampleKind::BloodPressureSystolic, ms(bp_from), end_ms)?;
        let dia = self.samples(SampleKind::BloodPressureDiastolic, ms(bp_from), end_ms)?;
        input.blood_pressure = pair_bp(&sys, &dia);
        if bp_from > from {
            let before = bp_from - Duration::days(1);
            for (sk, mk) in [
                (SampleKind::BloodPressureSystolic, MetricKind::BloodPressureSystolic),
                (SampleKind::BloodPressureDiastolic, MetricKind::BloodPressureDiastolic),
            ] {
                let r = self.daily_rollups(sk, from, before)?;
                if !r.is_empty() {
                    input.rollups.insert(mk, r.iter().map(|r| to_insight_rollup(r, 1.0)).collect());
                }
            }
        }

        // Bedtimes: the first sleep sample of each night in the last 30 days.
        let sleep_from = (to - Duration::days(31)).max(from);
        let mut nights: BTreeMap<i64, i64> = BTreeMap::new();
        for smp in self.samples(SampleKind::SleepDuration, ms(sleep_from), end_ms)? {
            // A night runs noon to noon, local time.
            let local = smp.start_ms.div_euclid(1000) + i64::from(input.utc_offset_s);
            let night = (local - 12 * 3600).div_euclid(86_400);
            nights
                .entry(night)
                .and_modify(|t| *t = (*t).min(smp.start_ms.div_euclid(1000)))
                .or_insert(smp.start_ms.div_euclid(1000));
        }
        if !nights.is_empty() {
            input.series.insert(
                MetricKind::SleepBedtime,
                nights.values().map(|&t| SeriesPoint::new(t, 0.0)).collect(),
            );
        }

        // Height: the latest Height reading.
        if let Some(h) = self.daily_rollups(SampleKind::Height, NaiveDate::MIN, to)?.last() {
            input.height_m = Some(h.last);
        }

        input.activities = self
            .activities(ms(from), end_ms)?
            .into_iter()
            .map(|a| insights::Activity {
                start: a.start_ms.div_euclid(1000),
                duration_s: a.timer_s.unwrap_or(a.elapsed_s),
                distance_m: a.distance_m,
                avg_hr: a.avg_hr,
                sport: insight_sport(&a.sport),
            })
            .collect();

        self.fill_from_entries(&mut input)?;
        Ok(input)
    }

    fn fill_from_entries(&self, input: &mut InsightInput) -> Result<()> {
        let opts = ListOptions::default();
        let relevant = |e: &crate::record::Entry| !e.is_no_longer_relevant();
        if let Some(e) = self.list_entries("identity", opts)?.into_iter().next() {
            if let EntryValue::Identity { date_of_birth: Some(dob), .. } = e.value {
                input.profile.age_years = input.today.years_since(dob);
            }
        }
        // Vaccinations: only the latest dose of each vaccine says what is due next.
        let mut latest: BTreeMap<String, Vaccination> = BTreeMap::new();
        for e in self.list_entries("vaccinations", opts)?.into_iter().filter(relevant) {
            if let EntryValue::Vaccination { vaccine, date, next_due, .. } = e.value {
                let key = vaccine.trim().to_lowercase();
                if latest.get(&key).is_none_or(|v| v.given <= date) {
                    latest.insert(key, Vaccination { name: vaccine, given: date, next_due });
                }
            }
        }
        input.vaccinations = latest.into_values().collect();
        for e in self.list_entries("medications", opts)?.into_iter().filter(relevant) {
            if let EntryValue::Medication { name, stop, .. } = e.value {
                input.medications.push(Medication { name, stop_date: stop });
            }
        }
        for e in self.list_entries("life_events", opts)?.into_iter().filter(relevant) {
            if let EntryValue::LifeEvent { date, title, .. } = e.value {
                input.life_events.push(LifeEvent { date, label: title });
            }
        }
        input.life_events.sort_by_key(|e| e.date);
        for e in self.list_entries(crate::store::RESULTS_SECTION, opts)?.into_iter().filter(relevant) {
            if let EntryValue::Custom { fields } = e.value {
                input.test_results.push(test_result(&fields));
            }
        }
        Ok(())
    }

    /// The full insights report for `today`, honouring the saved settings.
    pub fn insight_report(&self, today: NaiveDate) -> Result<InsightReport> {
        Ok(insights::evaluate(self.cached_insight_input(today)?.as_ref()))
    }

    /// An SVG chart of one metric over `from..=to`, with its target band, alert markers
    /// (when that category is on) and life events.
    pub fn insight_chart(
        &self,
        kind: MetricKind,
        from: NaiveDate,
        to: NaiveDate,
        theme: Theme,
    ) -> Result<String> {
        self.insight_chart_sized(kind, from, to, theme, chart::PAGE_CHART)
    }

    /// [`Record::insight_chart`] at `size` (`chart::PHONE_CHART` for the apps).
    pub fn insight_chart_sized(
        &self,
        kind: MetricKind,
        from: NaiveDate,
        to: NaiveDate,
        theme: Theme,
        size: (u32, u32),
    ) -> Result<String> {
        let input = self.insight_input_between(from, to)?;
        let alerts = insights::evaluate(&input).alerts;
        let input = clip_to(input, from, to);
        chart::metric_chart_sized(&input, kind, &alerts, theme, &|l| l.english(), size)
            .map_err(|e| crate::Error::Invalid { field: "chart", reason: e.0 })
    }

    /// A compact sparkline of one metric's daily values over `from..=to`.
    pub fn insight_sparkline(
        &self,
        kind: MetricKind,
        from: NaiveDate,
        to: NaiveDate,
        theme: Theme,
        width: u32,
        height: u32,
    ) -> Result<String> {
        let input = clip_to(self.insight_input_between(from, to)?, from, to);
        let pts = insights::trends::trend_points(&input, kind);
        Ok(chart::render_sparkline(&pts, theme, width, height, kind.label()))
    }
}

/// Drops life events outside the charted days (the report may look further back).
fn clip_to(mut input: InsightInput, from: NaiveDate, to: NaiveDate) -> InsightInput {
    input.life_events.retain(|e| e.date >= from && e.date <= to);
    input
}

/// A `test_results` entry's fields as insights read them.
fn test_result(f: &BTreeMap<String, crate::record::FieldValue>) -> crate::insights::input::TestResult {
    use crate::record::FieldValue;
    let text = |k: &str| match f.get(k) {
        Some(FieldValue::Text(t)) => Some(t.clone()),
        _ => None,
    };
    let num = |k: &str| match f.get(k) {
        Some(FieldValue::Number(n)) => Some(*n),
        _ => None,
    };
    crate::insights::input::TestResult {
        date: text("date").and_then(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok()),
        test: text("test").unwrap_or_else(|| "a test".into()),
        value: num("value"),
        unit: text("unit"),
        low: num("low"),
        high: num("high"),
        interpretation: text("interpretation"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::Sample;

    #[test]
    fn the_cached_input_is_rebuilt_after_any_write_and_for_another_day() {
        let dir = tempfile::tempdir().unwrap();
        let r = Record::create(
            &dir.path().join(super::super::DB_FILE),
            &crate::crypto::RawKeyStore::new([9; 32]),
        )
        .unwrap();
        let day = NaiveDate::from_ymd_opt(2026, 6, 1).unwrap();
        let noon = |d: NaiveDate| d.and_hms_opt(12, 0, 0).unwrap().and_utc().timestamp_millis();
        let first = r.cached_insight_input(day).unwrap();
        assert!(std::sync::Arc::ptr_eq(&first, &r.cached_insight_input(day).unwrap()), "no write: reused");

        r.ingest_samples(&[Sample::instant(SampleKind::Weight, noon(day), 82.0, "scale")]).unwrap();
        let after_samples = r.cached_insight_input(day).unwrap();
        assert!(!std::sync::Arc::ptr_eq(&first, &after_samples), "a new reading must rebuild");
        assert_ne!(*first, *after_samples);

        let mut s = r.insight_settings().unwrap();
        s.alerts_enabled = !s.alerts_enabled;
        r.set_insight_settings(&s).unwrap();
        let after_settings = r.cached_insight_input(day).unwrap();
        assert_eq!(
            after_settings.settings.alerts_enabled, s.alerts_enabled,
            "a switch must reach the next report"
        );

        let next_day = r.cached_insight_input(day.succ_opt().unwrap()).unwrap();
        assert!(!std::sync::Arc::ptr_eq(&after_settings, &next_day), "another day: rebuilt");
        assert_eq!(*next_day, r.insight_input(day.succ_opt().unwrap()).unwrap());
    }

    #[test]
    fn bp_pairs_by_time_and_source_and_knows_clinic_from_home() {
        let s = |k, t, v, src: &str| Sample::instant(k, t, v, src);
        let sys = vec![
            s(SampleKind::BloodPressureSystolic, 1_000_000, 150.0, "Omron M3 cuff"),
            s(SampleKind::BloodPressureSystolic, 5_000_000, 162.0, "Leeds GP record"),
            s(SampleKind::BloodPressureSystolic, 9_000_000, 130.0, "Omron M3 cuff"),
        ];
        let dia = vec![
            s(SampleKind::BloodPressureDiastolic, 1_030_000, 95.0, "Omron M3 cuff"),
            s(SampleKind::BloodPressureDiastolic, 5_000_000, 101.0, "Leeds GP record"),
            // Too far from the third systolic (5 minutes): left unpaired.
            s(SampleKind::BloodPressureDiastolic, 9_300_000, 80.0, "Omron M3 cuff"),
        ];
        let p = pair_bp(&sys, &dia);
        assert_eq!(p.len(), 2);
        assert_eq!((p[0].systolic, p[0].diastolic, p[0].setting), (150.0, 95.0, BpSetting::Home));
        assert_eq!((p[1].systolic, p[1].diastolic, p[1].setting), (162.0, 101.0, BpSetting::Clinic));
        assert_eq!(bp_setting_of_source("Omron M3 cuff"), BpSetting::Home);
        assert_eq!(bp_setting_of_source("Chapeltown surgery"), BpSetting::Clinic);
    }
}
