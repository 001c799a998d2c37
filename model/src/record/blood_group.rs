//! ABO and RhD blood groups.

use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Abo {
    A,
    B,
    AB,
    O,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum RhD {
    Positive,
    Negative,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct BloodGroup {
    pub abo: Abo,
    pub rh: RhD,
}

impl BloodGroup {
    /// Accepts `O+`, `AB-`, `A pos`, `B negative`, `O Rh+`, `A RhD positive` (any case).
    pub fn parse(text: &str) -> crate::Result<Self> {
        let t = text.trim().to_ascii_uppercase().replace("RHD", "").replace("RH", "");
        let t = t.trim();
        let (abo, rest) = if let Some(r) = t.strip_prefix("AB") {
            (Abo::AB, r)
        } else if let Some(r) = t.strip_prefix('A') {
            (Abo::A, r)
        } else if let Some(r) = t.strip_prefix('B') {
            (Abo::B, r)
        } else if let Some(r) = t.strip_prefix('O') {
            (Abo::O, r)
        } else {
            return Err(crate::ModelError::invalid(
                "blood group",
                "must start with A, B, AB or O (e.g. O+, AB-)",
            ));
        };
        let rh = match rest.trim() {
            "+" | "POS" | "POSITIVE" => RhD::Positive,
            "-" | "NEG" | "NEGATIVE" => RhD::Negative,
            _ => return Err(crate::ModelError::invalid("blood group", "RhD must be + or - (e.g. O+, AB-)")),
        };
        Ok(Self { abo, rh })
    }
}

impl fmt::Display for BloodGroup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let abo = match self.abo {
            Abo::A => "A",
            Abo::B => "B",
            Abo::AB => "AB",
            Abo::O => "O",
        };
        write!(f, "{abo}{}", if self.rh == RhD::Positive { "+" } else { "-" })
    }
}

impl TryFrom<String> for BloodGroup {
    type Error = crate::ModelError;
    fn try_from(s: String) -> crate::Result<Self> {
        Self::parse(&s)
    }
}

impl From<BloodGroup> for String {
    fn from(b: BloodGroup) -> String {
        b.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_common_spellings() {
        for (s, want) in [
            ("O+", "O+"),
            ("ab-", "AB-"),
            ("A pos", "A+"),
            ("B negative", "B-"),
            ("O Rh+", "O+"),
            ("A RhD positive", "A+"),
        ] {
            assert_eq!(BloodGroup::parse(s).unwrap().to_string(), want, "{s}");
        }
    }

    #[test]
    fn refuses_nonsense() {
        for s in ["C+", "O", "AB?", "", "A++", "BA+"] {
            assert!(BloodGroup::parse(s).is_err(), "{s}");
        }
    }
}
