//! NHS numbers: 10 digits, the last a modulus-11 check digit (NHS Data Dictionary).

use serde::{Deserialize, Serialize};
use std::fmt;

/// A validated NHS number. Stored as its 10 digits; shown as `943 476 5919`.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct NhsNumber(String);

impl NhsNumber {
    /// Accepts spaces and dashes (`943 476 5919`, `943-476-5919`). The error never repeats
    /// the number: it is personal data.
    pub fn parse(text: &str) -> crate::Result<Self> {
        let digits: Vec<u32> = text
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .map(|c| c.to_digit(10).ok_or(()))
            .collect::<Result<_, _>>()
            .map_err(|_| {
                crate::ModelError::invalid("NHS number", "must contain only digits, spaces or dashes")
            })?;
        if digits.len() != 10 {
            return Err(crate::ModelError::invalid("NHS number", "must have exactly 10 digits"));
        }
        let sum: u32 = digits[..9].iter().zip((2..=10).rev()).map(|(d, w)| d * w).sum();
        let check = match 11 - (sum % 11) {
            11 => 0,
            10 => {
                return Err(crate::ModelError::invalid(
                    "NHS number",
                    "is not a valid NHS number (no check digit exists for it)",
                ))
            }
            c => c,
        };
        if check != digits[9] {
            return Err(crate::ModelError::invalid(
                "NHS number",
                "the check digit does not match; please check it was typed correctly",
            ));
        }
        Ok(Self(digits.iter().map(|d| char::from_digit(*d, 10).unwrap_or('0')).collect()))
    }

    pub fn digits(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for NhsNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} {}", &self.0[..3], &self.0[3..6], &self.0[6..])
    }
}

impl fmt::Debug for NhsNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("NhsNumber([REDACTED])")
    }
}

impl TryFrom<String> for NhsNumber {
    type Error = crate::ModelError;
    fn try_from(s: String) -> crate::Result<Self> {
        Self::parse(&s)
    }
}

impl From<NhsNumber> for String {
    fn from(n: NhsNumber) -> String {
        n.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn known_valid_numbers() {
        // 943 476 5919 is the NHS Digital documentation example.
        assert_eq!(NhsNumber::parse("943 476 5919").unwrap().digits(), "9434765919");
        assert_eq!(NhsNumber::parse("943-476-5919").unwrap().to_string(), "943 476 5919");
        // Sum giving remainder 0 -> check digit 0.
        assert!(NhsNumber::parse("4010232137").is_ok());
    }

    #[test]
    fn invalid_numbers_are_refused_without_echo() {
        for bad in ["9434765918", "943476591", "94347659190", "943476591X", ""] {
            let e = NhsNumber::parse(bad).unwrap_err().to_string();
            assert!(e.starts_with("NHS number is not valid"), "{e}");
            if !bad.is_empty() {
                assert!(!e.contains(bad), "error must not echo the number");
            }
        }
    }

    #[test]
    fn debug_is_redacted() {
        assert_eq!(format!("{:?}", NhsNumber::parse("9434765919").unwrap()), "NhsNumber([REDACTED])");
    }

    proptest! {
        // Exactly one check digit works for any 9 leading digits whose checksum is not 10.
        #[test]
        fn exactly_one_check_digit_fits(prefix in proptest::collection::vec(0u32..10, 9)) {
            let p: String = prefix.iter().map(|d| char::from_digit(*d, 10).unwrap()).collect();
            let ok: Vec<u32> = (0..10).filter(|c| NhsNumber::parse(&format!("{p}{c}")).is_ok()).collect();
            prop_assert!(ok.len() <= 1);
        }

        #[test]
        fn never_panics(s in ".{0,40}") {
            let _ = NhsNumber::parse(&s);
        }
    }
}
