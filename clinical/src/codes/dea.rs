//! DEA registration number: a registrant-type letter, a second letter (the
//! registrant's surname initial, or 9 for some business registrants) and seven
//! digits whose last is a check digit.

use super::CodeError;
use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Dea(String);

/// Registrant types in use (DEA Diversion Control, registration categories).
const REGISTRANT_TYPES: &str = "ABCDEFGHJKLMPRSTUX";

impl Dea {
    pub fn parse(raw: &str) -> Result<Self, CodeError> {
        let code = raw.trim().to_ascii_uppercase();
        let bytes = code.as_bytes();
        let layout_ok = bytes.len() == 9
            && bytes[0].is_ascii_uppercase()
            && (bytes[1].is_ascii_uppercase() || bytes[1] == b'9')
            && bytes[2..].iter().all(u8::is_ascii_digit);
        if !layout_ok {
            return Err(CodeError::DeaLayout(raw.to_string()));
        }
        if !REGISTRANT_TYPES.as_bytes().contains(&bytes[0]) {
            return Err(CodeError::DeaRegistrant(raw.to_string()));
        }
        let digits: Vec<u32> = bytes[2..].iter().map(|b| u32::from(b - b'0')).collect();
        if check_digit(&digits[..6]) != digits[6] {
            return Err(CodeError::DeaCheckDigit(raw.to_string()));
        }
        Ok(Dea(code))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Builds a valid number for a registrant type and surname initial; used
    /// to make demo prescribers.
    pub fn from_parts(kind: char, initial: char, six_digits: u32) -> Result<Self, CodeError> {
        let body = format!("{:06}", six_digits % 1_000_000);
        let digits: Vec<u32> = body.bytes().map(|b| u32::from(b - b'0')).collect();
        Dea::parse(&format!("{kind}{initial}{body}{}", check_digit(&digits)))
    }
}

fn check_digit(six: &[u32]) -> u32 {
    let odd = six[0] + six[2] + six[4];
    let even = six[1] + six[3] + six[5];
    (odd + 2 * even) % 10
}

impl fmt::Display for Dea {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for Dea {
    type Error = CodeError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Dea::parse(&value)
    }
}

impl From<Dea> for String {
    fn from(value: Dea) -> Self {
        value.0
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn checks_layout_registrant_and_digit() {
        // (1+3+5) + 2*(2+4+1) = 23 → check digit 3.
        assert!(Dea::parse("AB1234513").is_ok());
        assert!(Dea::parse("ab1234513").is_ok());
        assert!(matches!(
            Dea::parse("AB1234517"),
            Err(CodeError::DeaCheckDigit(_))
        ));
        assert!(matches!(
            Dea::parse("IB1234513"),
            Err(CodeError::DeaRegistrant(_))
        ));
        assert!(matches!(
            Dea::parse("A11234513"),
            Err(CodeError::DeaLayout(_))
        ));
        assert!(matches!(
            Dea::parse("AB123451"),
            Err(CodeError::DeaLayout(_))
        ));
    }

    proptest! {
        #[test]
        fn built_numbers_parse(kind in proptest::sample::select(REGISTRANT_TYPES.chars().collect::<Vec<_>>()),
                               initial in "[A-Z9]", n in 0u32..1_000_000) {
            let initial = initial.chars().next().unwrap();
            let dea = Dea::from_parts(kind, initial, n).unwrap();
            prop_assert!(Dea::parse(dea.as_str()).is_ok());
        }

        #[test]
        fn parse_never_panics(s in "\\PC{0,20}") {
            let _ = Dea::parse(&s);
        }
    }
}
