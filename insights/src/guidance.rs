//! Published UK guidance: the thresholds the alerts use, each with its source.
//!
//! Verified (see NOTES.md for what was checked and where):
//! - NICE NG136 (2019, last updated 2023) Hypertension in adults: diagnosis and management.
//!   Stage 1: clinic >= 140/90 and ABPM daytime / HBPM average >= 135/85.
//!   Stage 2: clinic >= 160/100 and ABPM daytime / HBPM average >= 150/95.
//!   Severe: clinic systolic >= 180 or clinic diastolic >= 120 (raised from 110 in 2019).
//! - NHS BMI bands (adults): < 18.5 underweight, 18.5-24.9 healthy, 25-29.9 overweight,
//!   30-39.9 obese, 40+ severely obese. NICE PH46 lower action points (23 / 27.5) for
//!   people from Black, Asian and other minority ethnic groups.
//! - UK CMOs' Physical Activity Guidelines (2019): adults at least 150 minutes of
//!   moderate-intensity (or 75 minutes vigorous) activity a week.
//! - UK CMOs' Low Risk Drinking Guidelines (2016): not more than 14 units a week on a
//!   regular basis, spread over 3 or more days.
//! - UKHSA Green Book / routine immunisation schedule: vaccinations given on schedule.

use serde::{Deserialize, Serialize};

use super::input::BpSetting;

/// Where a piece of advice comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Source {
    pub citation: &'static str,
    pub url: &'static str,
}

pub const NHS_TEST_RESULTS: Source = Source {
    citation: "NHS: Blood tests (getting your results)",
    url: "https://www.nhs.uk/tests-and-treatments/blood-tests/",
};
pub const NICE_NG136: Source = Source {
    citation: "NICE NG136 (2019, updated 2023) Hypertension in adults: diagnosis and management",
    url: "https://www.nice.org.uk/guidance/ng136",
};
pub const NHS_BMI: Source = Source {
    citation: "NHS: BMI healthy weight calculator",
    url: "https://www.nhs.uk/health-assessment-tools/calculate-your-body-mass-index/",
};
pub const NICE_PH46: Source = Source {
    citation: "NICE PH46 (2013) BMI: preventing ill health and premature death in black, Asian and other minority ethnic groups",
    url: "https://www.nice.org.uk/guidance/ph46",
};
pub const CMO_ACTIVITY: Source = Source {
    citation: "UK Chief Medical Officers' Physical Activity Guidelines (2019)",
    url: "https://www.gov.uk/government/publications/physical-activity-guidelines-uk-chief-medical-officers-report",
};
pub const CMO_ALCOHOL: Source = Source {
    citation: "UK Chief Medical Officers' low risk drinking guidelines (2016)",
    url: "https://www.gov.uk/government/publications/alcohol-consumption-advice-on-low-risk-drinking",
};
pub const UKHSA_GREEN_BOOK: Source = Source {
    citation: "UK Health Security Agency: Green Book / routine immunisation schedule",
    url: "https://www.gov.uk/government/collections/immunisation-against-infectious-disease-the-green-book",
};
pub const NHS_MEDICINES: Source = Source {
    citation: "NHS: Prescriptions and repeat prescriptions (ask your GP practice or pharmacist)",
    url: "https://www.nhs.uk/nhs-services/prescriptions/",
};
pub const NHS_HEALTHY_WEIGHT: Source =
    Source { citation: "NHS Live Well: Healthy weight", url: "https://www.nhs.uk/live-well/healthy-weight/" };
pub const NHS_WEIGHT_LOSS: Source = Source {
    citation: "NHS: Unintentional weight loss",
    url: "https://www.nhs.uk/conditions/unintentional-weight-loss/",
};

// ---------- Blood pressure (NICE NG136) ----------

/// A systolic/diastolic pair; a reading "meets" it when either number is at or above.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BpThreshold {
    pub systolic: f64,
    pub diastolic: f64,
}

impl BpThreshold {
    pub fn met_by(&self, systolic: f64, diastolic: f64) -> bool {
        systolic >= self.systolic || diastolic >= self.diastolic
    }
}

pub const CLINIC_STAGE1: BpThreshold = BpThreshold { systolic: 140.0, diastolic: 90.0 };
pub const CLINIC_STAGE2: BpThreshold = BpThreshold { systolic: 160.0, diastolic: 100.0 };
pub const HOME_STAGE1: BpThreshold = BpThreshold { systolic: 135.0, diastolic: 85.0 };
pub const HOME_STAGE2: BpThreshold = BpThreshold { systolic: 150.0, diastolic: 95.0 };
pub const SEVERE: BpThreshold = BpThreshold { systolic: 180.0, diastolic: 120.0 };

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum BpStage {
    BelowThreshold,
    Stage1,
    Stage2,
    Severe,
}

/// Classify a clinic reading or a home/ambulatory average.
///
/// NICE defines severe hypertension on clinic readings. We also treat a home
/// average at or above 180/120 as severe: a reading that high at home should not
/// wait for a clinic visit (a deliberate safety choice, noted in NOTES.md).
pub fn classify_bp(systolic: f64, diastolic: f64, setting: BpSetting) -> BpStage {
    if SEVERE.met_by(systolic, diastolic) {
        return BpStage::Severe;
    }
    let (s1, s2) = match setting {
        BpSetting::Clinic => (CLINIC_STAGE1, CLINIC_STAGE2),
        BpSetting::Home => (HOME_STAGE1, HOME_STAGE2),
    };
    if s2.met_by(systolic, diastolic) {
        BpStage::Stage2
    } else if s1.met_by(systolic, diastolic) {
        BpStage::Stage1
    } else {
        BpStage::BelowThreshold
    }
}

// ---------- BMI (NHS) ----------

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum BmiBand {
    Underweight,
    Healthy,
    Overweight,
    Obese,
    SeverelyObese,
}

impl BmiBand {
    pub fn label(self) -> &'static str {
        match self {
            BmiBand::Underweight => "underweight",
            BmiBand::Healthy => "healthy weight",
            BmiBand::Overweight => "overweight",
            BmiBand::Obese => "obese",
            BmiBand::SeverelyObese => "severely obese",
        }
    }
}

pub const BMI_UNDERWEIGHT_BELOW: f64 = 18.5;
pub const BMI_OVERWEIGHT_FROM: f64 = 25.0;
pub const BMI_OBESE_FROM: f64 = 30.0;
pub const BMI_SEVERE_FROM: f64 = 40.0;
/// NICE PH46 lower action points.
pub const BMI_ADJ_OVERWEIGHT_FROM: f64 = 23.0;
pub const BMI_ADJ_OBESE_FROM: f64 = 27.5;

/// NHS adult bands as half-open intervals: [18.5, 25) is healthy, so 24.9 and
/// 24.95 are healthy and 25.0 is overweight.
pub fn classify_bmi(bmi: f64, ethnicity_adjusted: bool) -> BmiBand {
    let (over, obese) = if ethnicity_adjusted {
        (BMI_ADJ_OVERWEIGHT_FROM, BMI_ADJ_OBESE_FROM)
    } else {
        (BMI_OVERWEIGHT_FROM, BMI_OBESE_FROM)
    };
    if bmi < BMI_UNDERWEIGHT_BELOW {
        BmiBand::Underweight
    } else if bmi < over {
        BmiBand::Healthy
    } else if bmi < obese {
        BmiBand::Overweight
    } else if bmi < BMI_SEVERE_FROM {
        BmiBand::Obese
    } else {
        BmiBand::SeverelyObese
    }
}

/// Healthy BMI range, for chart target bands (upper bound shown as 24.9 as on the NHS site).
pub const BMI_HEALTHY_RANGE: (f64, f64) = (18.5, 24.9);

// ---------- Activity and alcohol (UK CMOs) ----------

/// At least this many minutes of moderate activity a week.
pub const WEEKLY_ACTIVE_MINUTES: f64 = 150.0;
/// Or this many minutes of vigorous activity.
pub const WEEKLY_VIGOROUS_MINUTES: f64 = 75.0;
/// Not more than this many units a week on a regular basis.
pub const WEEKLY_ALCOHOL_UNITS: f64 = 14.0;
/// If drinking as much as 14 units, spread it over at least this many days.
pub const ALCOHOL_MIN_SPREAD_DAYS: usize = 3;

/// Home blood pressure targets for treated adults under 80 (NICE NG136): below 135/85;
/// clinic below 140/90. Used for chart target bands.
pub const BP_TARGET_CLINIC: BpThreshold = CLINIC_STAGE1;
pub const BP_TARGET_HOME: BpThreshold = HOME_STAGE1;
