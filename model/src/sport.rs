//! What sport an activity is: one enum for every source's names.
//!
//! Each source names sports its own way: FIT a `sport` plus a `sub_sport` ("running" +
//! "trail"), Apple Health `HKWorkoutActivityTypeRunning`, TCX `Running`/`Biking`/`Other`,
//! Strava's `sport_type` `TrailRun`/`MountainBikeRide`, Strava's GPX `<type>` a name or a
//! number. [`Sport::from_label`] reads all of them; [`Sport::as_str`] is the stable stored
//! form (the snake_case names the importers wrote before this enum existed, so existing
//! records read back unchanged). Sports without a variant keep their name in
//! [`Sport::Other`], normalised to snake_case, so nothing an import said is lost.

use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(from = "String", into = "String")]
pub enum Sport {
    Running,
    TrailRunning,
    TreadmillRunning,
    Walking,
    Hiking,
    Cycling,
    MountainBiking,
    /// Indoors: a turbo trainer, a spin bike, Zwift (FIT `virtual_activity`, Strava `VirtualRide`).
    IndoorCycling,
    EBiking,
    Swimming,
    LapSwimming,
    OpenWaterSwimming,
    Rowing,
    /// The source did not say ("generic", "other", "workout", nothing).
    Generic,
    /// Any other sport, by its snake_case name ("yoga", "weight_training"). Made by
    /// [`Sport::from_label`], which never puts a known sport here.
    Other(String),
}

impl Sport {
    /// Every named variant (not [`Sport::Other`]), for tests and pickers.
    pub const KNOWN: [Sport; 14] = [
        Sport::Running,
        Sport::TrailRunning,
        Sport::TreadmillRunning,
        Sport::Walking,
        Sport::Hiking,
        Sport::Cycling,
        Sport::MountainBiking,
        Sport::IndoorCycling,
        Sport::EBiking,
        Sport::Swimming,
        Sport::LapSwimming,
        Sport::OpenWaterSwimming,
        Sport::Rowing,
        Sport::Generic,
    ];

    /// The stored form. Stable: records and sync ops hold it.
    pub fn as_str(&self) -> &str {
        match self {
            Sport::Running => "running",
            Sport::TrailRunning => "trail_running",
            Sport::TreadmillRunning => "treadmill_running",
            Sport::Walking => "walking",
            Sport::Hiking => "hiking",
            Sport::Cycling => "cycling",
            Sport::MountainBiking => "mountain_biking",
            Sport::IndoorCycling => "indoor_cycling",
            Sport::EBiking => "e_biking",
            Sport::Swimming => "swimming",
            Sport::LapSwimming => "lap_swimming",
            Sport::OpenWaterSwimming => "open_water",
            Sport::Rowing => "rowing",
            Sport::Generic => "generic",
            Sport::Other(name) => name,
        }
    }

    /// Reads any source's name for a sport (see the module docs), and every stored form.
    pub fn from_label(label: &str) -> Sport {
        let label = label.trim();
        let label = label.strip_prefix("HKWorkoutActivityType").unwrap_or(label);
        let name = snake_case(label);
        match name.as_str() {
            // Strava's GPX exports write the activity type as a number.
            "running" | "run" | "virtual_run" | "1" | "9" => Sport::Running,
            "trail_running" | "trail_run" | "trail" => Sport::TrailRunning,
            "treadmill_running" | "treadmill" => Sport::TreadmillRunning,
            "walking" | "walk" | "10" => Sport::Walking,
            "hiking" | "hike" | "4" => Sport::Hiking,
            "cycling" | "ride" | "biking" | "bike" | "road_cycling" | "road" | "gravel_ride"
            | "gravel_cycling" | "2" => Sport::Cycling,
            "mountain_biking" | "mountain_bike_ride" | "mountain" => Sport::MountainBiking,
            // "virtual_ride" is also how activities imported from Strava were once stored.
            "indoor_cycling" | "virtual_ride" | "virtual_activity" | "spin" => Sport::IndoorCycling,
            "e_biking" | "e_bike_ride" | "e_mountain_bike_ride" => Sport::EBiking,
            "swimming" | "swim" => Sport::Swimming,
            "lap_swimming" | "pool_swim" => Sport::LapSwimming,
            "open_water" | "open_water_swimming" => Sport::OpenWaterSwimming,
            "rowing" | "row" => Sport::Rowing,
            "" | "generic" | "other" | "workout" | "all" => Sport::Generic,
            _ => Sport::Other(name),
        }
    }

    /// A FIT session's sport and sub-sport (the profile's names, as fitstream gives them).
    pub fn from_fit(sport: Option<&str>, sub_sport: Option<&str>) -> Sport {
        let Some(sport) = sport else { return Sport::Generic };
        let main = Sport::from_label(sport);
        let sub = sub_sport.map(Sport::from_label);
        match (&main, sub) {
            // A sub-sport only refines within its family ("running" + "trail"); FIT writes
            // "generic" or a family-neutral one ("street", "track") otherwise.
            (_, Some(sub)) if sub != Sport::Generic && sub.family() == main.family() => sub,
            _ => main,
        }
    }

    /// The sport this one is a kind of: trail and treadmill running are running; hiking is
    /// walking; mountain, indoor and e-biking are cycling; pool and open water are
    /// swimming. Sports without a family are their own.
    pub fn family(&self) -> Sport {
        match self {
            Sport::Running | Sport::TrailRunning | Sport::TreadmillRunning => Sport::Running,
            Sport::Walking | Sport::Hiking => Sport::Walking,
            Sport::Cycling | Sport::MountainBiking | Sport::IndoorCycling | Sport::EBiking => Sport::Cycling,
            Sport::Swimming | Sport::LapSwimming | Sport::OpenWaterSwimming => Sport::Swimming,
            other => other.clone(),
        }
    }

    /// On foot (running, walking, hiking): where pace per kilometre means something.
    pub fn is_foot(&self) -> bool {
        matches!(self.family(), Sport::Running | Sport::Walking)
    }

    /// The source did not say which sport.
    pub fn is_generic(&self) -> bool {
        *self == Sport::Generic
    }
}

/// `TrailRun` -> `trail_run`, `EBikeRide` -> `e_bike_ride`, `Open Water` -> `open_water`.
fn snake_case(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len() + 4);
    for (i, &c) in chars.iter().enumerate() {
        if c == ' ' || c == '-' || c == '_' {
            if !out.is_empty() && !out.ends_with('_') {
                out.push('_');
            }
        } else if c.is_uppercase() {
            let prev = i.checked_sub(1).map(|j| chars[j]);
            let next = chars.get(i + 1);
            // A word starts at a capital after a small letter ("TrailRun"), or at the last
            // capital of a run followed by a small letter ("EBike": "e", "bike").
            let starts_word = prev.is_some_and(|p| p.is_lowercase() || p.is_ascii_digit())
                || (prev.is_some_and(char::is_uppercase) && next.is_some_and(|n| n.is_lowercase()));
            if starts_word && !out.ends_with('_') {
                out.push('_');
            }
            out.extend(c.to_lowercase());
        } else {
            out.push(c);
        }
    }
    out.trim_end_matches('_').to_string()
}

impl fmt::Display for Sport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // `pad`, not `write_str`: tables print sports in fixed-width columns.
        f.pad(self.as_str())
    }
}

impl From<String> for Sport {
    fn from(s: String) -> Sport {
        Sport::from_label(&s)
    }
}

impl From<&str> for Sport {
    fn from(s: &str) -> Sport {
        Sport::from_label(s)
    }
}

impl From<Sport> for String {
    fn from(s: Sport) -> String {
        match s {
            Sport::Other(name) => name,
            known => known.as_str().to_string(),
        }
    }
}

impl PartialEq<str> for Sport {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Sport {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fit_sport_and_sub_sport_names() {
        let fit = |s: &str, sub: Option<&str>| Sport::from_fit(Some(s), sub);
        assert_eq!(fit("running", Some("trail")), Sport::TrailRunning);
        assert_eq!(fit("running", Some("treadmill")), Sport::TreadmillRunning);
        assert_eq!(fit("running", Some("street")), Sport::Running);
        assert_eq!(fit("running", Some("generic")), Sport::Running);
        assert_eq!(fit("cycling", Some("indoor_cycling")), Sport::IndoorCycling);
        assert_eq!(fit("cycling", Some("virtual_activity")), Sport::IndoorCycling);
        assert_eq!(fit("cycling", Some("mountain")), Sport::MountainBiking);
        assert_eq!(fit("cycling", Some("road")), Sport::Cycling);
        assert_eq!(fit("cycling", Some("gravel_cycling")), Sport::Cycling);
        assert_eq!(fit("swimming", Some("lap_swimming")), Sport::LapSwimming);
        assert_eq!(fit("swimming", Some("open_water")), Sport::OpenWaterSwimming);
        assert_eq!(fit("walking", None), Sport::Walking);
        assert_eq!(fit("hiking", None), Sport::Hiking);
        assert_eq!(fit("e_biking", None), Sport::EBiking);
        assert_eq!(fit("rowing", Some("indoor_rowing")), Sport::Rowing);
        assert_eq!(fit("generic", Some("generic")), Sport::Generic);
        assert_eq!(fit("training", Some("strength_training")), Sport::Other("training".into()));
        assert_eq!(fit("fitness_equipment", None), Sport::Other("fitness_equipment".into()));
        assert_eq!(Sport::from_fit(None, Some("trail")), Sport::Generic);
    }

    #[test]
    fn apple_health_workout_activity_types() {
        let apple = |t: &str| Sport::from_label(&format!("HKWorkoutActivityType{t}"));
        assert_eq!(apple("Running"), Sport::Running);
        assert_eq!(apple("Walking"), Sport::Walking);
        assert_eq!(apple("Hiking"), Sport::Hiking);
        assert_eq!(apple("Cycling"), Sport::Cycling);
        assert_eq!(apple("Swimming"), Sport::Swimming);
        assert_eq!(apple("Rowing"), Sport::Rowing);
        assert_eq!(apple("Other"), Sport::Generic);
        assert_eq!(apple("Yoga"), Sport::Other("yoga".into()));
        assert_eq!(
            apple("TraditionalStrengthTraining"),
            Sport::Other("traditional_strength_training".into())
        );
        assert_eq!(apple("HighIntensityIntervalTraining").as_str(), "high_intensity_interval_training");
    }

    #[test]
    fn tcx_sport_attribute() {
        assert_eq!(Sport::from_label("Running"), Sport::Running);
        assert_eq!(Sport::from_label("Biking"), Sport::Cycling);
        assert_eq!(Sport::from_label("Other"), Sport::Generic);
        assert_eq!(Sport::from_label(""), Sport::Generic);
    }

    #[test]
    fn strava_sport_types() {
        let cases = [
            ("Run", Sport::Running),
            ("TrailRun", Sport::TrailRunning),
            ("VirtualRun", Sport::Running),
            ("Ride", Sport::Cycling),
            ("GravelRide", Sport::Cycling),
            ("MountainBikeRide", Sport::MountainBiking),
            ("EBikeRide", Sport::EBiking),
            ("EMountainBikeRide", Sport::EBiking),
            ("VirtualRide", Sport::IndoorCycling),
            ("Walk", Sport::Walking),
            ("Hike", Sport::Hiking),
            ("Swim", Sport::Swimming),
            ("Rowing", Sport::Rowing),
            ("Workout", Sport::Generic),
            ("WeightTraining", Sport::Other("weight_training".into())),
            ("AlpineSki", Sport::Other("alpine_ski".into())),
        ];
        for (label, sport) in cases {
            assert_eq!(Sport::from_label(label), sport, "{label}");
        }
    }

    #[test]
    fn strava_gpx_types_are_names_or_numbers() {
        assert_eq!(Sport::from_label("1"), Sport::Running);
        assert_eq!(Sport::from_label("9"), Sport::Running);
        assert_eq!(Sport::from_label("2"), Sport::Cycling);
        assert_eq!(Sport::from_label("10"), Sport::Walking);
        assert_eq!(Sport::from_label("4"), Sport::Hiking);
        assert_eq!(Sport::from_label("running"), Sport::Running);
        assert_eq!(Sport::from_label("Open Water"), Sport::OpenWaterSwimming);
    }

    #[test]
    fn stored_strings_read_back_as_stored() {
        // Every form the importers wrote before this enum, and every variant's own form.
        for old in [
            "running",
            "trail_running",
            "treadmill_running",
            "walking",
            "hiking",
            "cycling",
            "mountain_biking",
            "indoor_cycling",
            "e_biking",
            "swimming",
            "lap_swimming",
            "open_water",
            "rowing",
            "generic",
            "yoga",
            "weighttraining",
            "functional_strength_training",
        ] {
            assert_eq!(Sport::from_label(old).as_str(), old);
        }
        assert_eq!(Sport::from_label("virtual_ride"), Sport::IndoorCycling, "Strava's old stored form");
        for s in Sport::KNOWN {
            assert_eq!(Sport::from_label(s.as_str()), s);
        }
    }

    #[test]
    fn serde_is_the_stored_string() {
        let json = serde_json::to_string(&Sport::TrailRunning).unwrap();
        assert_eq!(json, "\"trail_running\"");
        let back: Sport = serde_json::from_str(&json).unwrap();
        assert_eq!(back, Sport::TrailRunning);
        let other: Sport = serde_json::from_str("\"yoga\"").unwrap();
        assert_eq!(serde_json::to_string(&other).unwrap(), "\"yoga\"");
        assert_eq!(serde_json::from_str::<Sport>("\"virtual_ride\"").unwrap(), Sport::IndoorCycling);
        // Tables print it in a column: the width applies.
        assert_eq!(format!("{:9}|", Sport::Running), "running  |");
    }

    #[test]
    fn families_and_feet() {
        assert_eq!(Sport::TrailRunning.family(), Sport::Running);
        assert_eq!(Sport::Hiking.family(), Sport::Walking);
        assert_eq!(Sport::IndoorCycling.family(), Sport::Cycling);
        assert_eq!(Sport::OpenWaterSwimming.family(), Sport::Swimming);
        assert_eq!(Sport::Other("yoga".into()).family(), Sport::Other("yoga".into()));
        assert_ne!(Sport::Rowing.family(), Sport::Other("yoga".into()).family());
        for foot in [Sport::Running, Sport::TreadmillRunning, Sport::Walking, Sport::Hiking] {
            assert!(foot.is_foot(), "{foot}");
        }
        for not in [Sport::Cycling, Sport::Swimming, Sport::Rowing, Sport::Generic] {
            assert!(!not.is_foot(), "{not}");
        }
    }
}
