//! National Drug Code. Labels print a 10-digit NDC in one of three hyphenated
//! layouts; billing and the FDA directory use the 11-digit 5-4-2 form. We store
//! the 11-digit form because the 10-digit forms are ambiguous without hyphens.

use super::CodeError;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Segment widths of a printed 10-digit NDC (labeler-product-package).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NdcLayout {
    L442,
    L532,
    L541,
}

impl NdcLayout {
    pub const ALL: [NdcLayout; 3] = [NdcLayout::L442, NdcLayout::L532, NdcLayout::L541];

    fn widths(self) -> [usize; 3] {
        match self {
            NdcLayout::L442 => [4, 4, 2],
            NdcLayout::L532 => [5, 3, 2],
            NdcLayout::L541 => [5, 4, 1],
        }
    }
}

/// An NDC normalised to 11 digits (5-4-2).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Ndc(String);

impl Ndc {
    /// Accepts 4-4-2, 5-3-2, 5-4-1 (hyphenated), 5-4-2 (hyphenated or not)
    /// and 11 bare digits. Spaces around hyphens, as OCR tends to add, are ignored.
    pub fn parse(raw: &str) -> Result<Self, CodeError> {
        let cleaned: String = raw.chars().filter(|c| !c.is_whitespace()).collect();
        let segments: Vec<&str> = cleaned.split('-').collect();
        let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        let err = || CodeError::NdcLayout(raw.to_string());
        if !segments.iter().all(|s| all_digits(s)) {
            return Err(err());
        }
        let padded = match segments.as_slice() {
            [all] if all.len() == 11 => all.to_string(),
            [a, b, c] => {
                let widths = [a.len(), b.len(), c.len()];
                match widths {
                    [5, 4, 2] => format!("{a}{b}{c}"),
                    [4, 4, 2] => format!("0{a}{b}{c}"),
                    [5, 3, 2] => format!("{a}0{b}{c}"),
                    [5, 4, 1] => format!("{a}{b}0{c}"),
                    _ => return Err(err()),
                }
            }
            _ => return Err(err()),
        };
        Ok(Ndc(padded))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The hyphenated 11-digit form, 5-4-2.
    pub fn hyphenated(&self) -> String {
        format!("{}-{}-{}", &self.0[..5], &self.0[5..9], &self.0[9..])
    }

    /// The labeler-product part ("product NDC" in the FDA directory), 9 digits.
    pub fn product_code(&self) -> &str {
        &self.0[..9]
    }

    /// The printed 10-digit form in `layout`, if this code has the padding
    /// zero that layout implies.
    pub fn to_layout(&self, layout: NdcLayout) -> Option<String> {
        let (lab, prod, pkg) = (&self.0[..5], &self.0[5..9], &self.0[9..]);
        let strip = |s: &str| s.strip_prefix('0').map(str::to_string);
        let [a, b, c] = match layout {
            NdcLayout::L442 => [strip(lab)?, prod.to_string(), pkg.to_string()],
            NdcLayout::L532 => [lab.to_string(), strip(prod)?, pkg.to_string()],
            NdcLayout::L541 => [lab.to_string(), prod.to_string(), strip(pkg)?],
        };
        debug_assert_eq!([a.len(), b.len(), c.len()], layout.widths());
        Some(format!("{a}-{b}-{c}"))
    }
}

impl fmt::Display for Ndc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.hyphenated())
    }
}

impl TryFrom<String> for Ndc {
    type Error = CodeError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Ndc::parse(&value)
    }
}

impl From<Ndc> for String {
    fn from(value: Ndc) -> Self {
        value.0
    }
}

impl std::str::FromStr for Ndc {
    type Err = CodeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ndc::parse(s)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn pads_each_layout_in_the_short_segment() {
        assert_eq!(Ndc::parse("0777-3105-02").unwrap().as_str(), "00777310502");
        assert_eq!(Ndc::parse("12345-678-90").unwrap().as_str(), "12345067890");
        assert_eq!(Ndc::parse("12345-6789-1").unwrap().as_str(), "12345678901");
        assert_eq!(Ndc::parse("12345-6789-01").unwrap().as_str(), "12345678901");
        assert_eq!(Ndc::parse("12345678901").unwrap().as_str(), "12345678901");
        assert_eq!(
            Ndc::parse(" 0777 - 3105 - 02 ").unwrap().hyphenated(),
            "00777-3105-02"
        );
    }

    #[test]
    fn refuses_ambiguous_or_malformed_codes() {
        for bad in [
            "",
            "1234567890",
            "0777-3105-2",
            "abcde-1234-12",
            "1-2-3",
            "12345-6789-012",
            "--",
        ] {
            assert!(Ndc::parse(bad).is_err(), "{bad:?} should be refused");
        }
    }

    fn ten_digit(layout: NdcLayout) -> impl Strategy<Value = String> {
        let [a, b, c] = layout.widths();
        (
            proptest::string::string_regex(&format!("[0-9]{{{a}}}")).unwrap(),
            proptest::string::string_regex(&format!("[0-9]{{{b}}}")).unwrap(),
            proptest::string::string_regex(&format!("[0-9]{{{c}}}")).unwrap(),
        )
            .prop_map(|(a, b, c)| format!("{a}-{b}-{c}"))
    }

    proptest! {
        #[test]
        fn every_ten_digit_layout_round_trips(
            (layout, code) in proptest::sample::select(NdcLayout::ALL.to_vec())
                .prop_flat_map(|l| (Just(l), ten_digit(l)))
        ) {
            let ndc = Ndc::parse(&code).unwrap();
            prop_assert_eq!(ndc.as_str().len(), 11);
            prop_assert_eq!(ndc.to_layout(layout), Some(code));
            prop_assert_eq!(Ndc::parse(&ndc.hyphenated()).unwrap(), ndc);
        }

        #[test]
        fn eleven_digits_round_trip_through_every_layout_they_fit(digits in "[0-9]{11}") {
            let ndc = Ndc::parse(&digits).unwrap();
            for layout in NdcLayout::ALL {
                if let Some(printed) = ndc.to_layout(layout) {
                    prop_assert_eq!(Ndc::parse(&printed).unwrap(), ndc.clone());
                }
            }
        }

        #[test]
        fn parse_never_panics(s in "\\PC{0,40}") {
            let _ = Ndc::parse(&s);
        }
    }
}
