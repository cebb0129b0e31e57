//! National Provider Identifier: ten digits whose last is a Luhn check digit
//! computed over the number prefixed with the health-industry code 80840.

use super::CodeError;
use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Npi(String);

impl Npi {
    pub fn parse(raw: &str) -> Result<Self, CodeError> {
        let digits = raw.trim();
        if digits.len() != 10 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(CodeError::NpiLayout(raw.to_string()));
        }
        let prefixed = format!("80840{}", &digits[..9]);
        if luhn_check_digit(&prefixed) != digits.as_bytes()[9] - b'0' {
            return Err(CodeError::NpiCheckDigit(raw.to_string()));
        }
        Ok(Npi(digits.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Completes nine digits into a valid NPI; used to make demo prescribers.
    pub fn from_base(nine_digits: u32) -> Self {
        let base = format!("{:09}", nine_digits % 1_000_000_000);
        let check = luhn_check_digit(&format!("80840{base}"));
        Npi(format!("{base}{check}"))
    }
}

/// The Luhn digit that makes `payload` followed by it a valid Luhn number.
fn luhn_check_digit(payload: &str) -> u8 {
    let sum: u32 = payload
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 0 {
                let doubled = d * 2;
                doubled / 10 + doubled % 10
            } else {
                d
            }
        })
        .sum();
    ((10 - sum % 10) % 10) as u8
}

impl fmt::Display for Npi {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for Npi {
    type Error = CodeError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Npi::parse(&value)
    }
}

impl From<Npi> for String {
    fn from(value: Npi) -> Self {
        value.0
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn accepts_the_cms_example_and_refuses_a_typo() {
        // The worked example in the CMS NPI check-digit specification.
        assert!(Npi::parse("1234567893").is_ok());
        assert_eq!(
            Npi::parse("1234567894"),
            Err(CodeError::NpiCheckDigit("1234567894".into()))
        );
        assert!(matches!(
            Npi::parse("123456789"),
            Err(CodeError::NpiLayout(_))
        ));
        assert!(matches!(
            Npi::parse("12345678a3"),
            Err(CodeError::NpiLayout(_))
        ));
    }

    proptest! {
        #[test]
        fn generated_npis_parse_and_any_single_digit_change_is_caught(
            base in 100_000_000u32..999_999_999, pos in 0usize..10, bump in 1u8..10
        ) {
            let npi = Npi::from_base(base);
            prop_assert!(Npi::parse(npi.as_str()).is_ok());
            let mut bytes = npi.as_str().as_bytes().to_vec();
            bytes[pos] = b'0' + (bytes[pos] - b'0' + bump) % 10;
            let typo = String::from_utf8(bytes).unwrap();
            prop_assert!(Npi::parse(&typo).is_err());
        }
    }
}
