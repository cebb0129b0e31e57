//! Exact decimal amounts, so unit conversions never drift (0.1 mg is exactly
//! 100 mcg, which `0.1_f64 * 1000.0` does not promise).

use std::fmt;

/// A non-negative decimal `digits × 10^-scale`, kept in lowest terms so that
/// equal values compare equal ("2.50" == "2.5").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Decimal {
    digits: u64,
    scale: u32,
}

/// Far below anything on a prescription, and keeps `10^scale` in range.
const MAX_SCALE: u32 = 18;

impl Decimal {
    /// `digits × 10^-scale`; `None` if `scale` is beyond 18 places.
    pub fn new(digits: u64, scale: u32) -> Option<Self> {
        (scale <= MAX_SCALE).then(|| Self { digits, scale }.lowest_terms())
    }

    /// Parses plain decimal text: "250", "0.5", ".5". No signs, no exponents.
    pub fn parse(text: &str) -> Option<Self> {
        let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
        let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if whole.len() + fraction.len() == 0 || !all_digits(whole) || !all_digits(fraction) {
            return None;
        }
        let digits = whole
            .bytes()
            .chain(fraction.bytes())
            .try_fold(0u64, |acc, b| {
                acc.checked_mul(10)?.checked_add(u64::from(b - b'0'))
            })?;
        Self::new(digits, u32::try_from(fraction.len()).ok()?)
    }

    fn lowest_terms(mut self) -> Self {
        while self.scale > 0 && self.digits.is_multiple_of(10) {
            self.digits /= 10;
            self.scale -= 1;
        }
        self
    }

    pub fn is_zero(self) -> bool {
        self.digits == 0
    }

    /// True for a whole number equal to `n`.
    pub fn is_integer(self, n: u64) -> bool {
        self.scale == 0 && self.digits == n
    }

    /// Exactly `self × 10^exponent`; `None` if it would not fit.
    pub fn times_pow10(self, exponent: i32) -> Option<Self> {
        let shift = exponent.unsigned_abs();
        if exponent < 0 {
            return Self::new(self.digits, self.scale.checked_add(shift)?);
        }
        if shift <= self.scale {
            return Self::new(self.digits, self.scale - shift);
        }
        let factor = 10u64.checked_pow(shift - self.scale)?;
        Self::new(self.digits.checked_mul(factor)?, 0)
    }

    /// The nearest `f64`, rounded once from the exact decimal text.
    pub fn to_f64(self) -> f64 {
        self.to_string().parse().unwrap_or(f64::NAN)
    }
}

impl fmt::Display for Decimal {
    /// Always a leading zero and never a trailing one ("0.5", "1"), as ISMP
    /// asks for doses.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.scale == 0 {
            return write!(f, "{}", self.digits);
        }
        let scale = self.scale as usize;
        let padded = format!("{:0>width$}", self.digits, width = scale + 1);
        let (whole, fraction) = padded.split_at(padded.len() - scale);
        write!(f, "{whole}.{fraction}")
    }
}

impl serde::Serialize for Decimal {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_f64(self.to_f64())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn dec(text: &str) -> Option<Decimal> {
        Decimal::parse(text)
    }

    #[test]
    fn parses_and_normalises() {
        assert_eq!(dec("2.50"), dec("2.5"));
        assert_eq!(dec(".5"), dec("0.5"));
        assert_eq!(dec("0.5").map(|d| d.to_string()), Some("0.5".to_string()));
        assert_eq!(dec("1.0").map(|d| d.to_string()), Some("1".to_string()));
        assert_eq!(
            dec("0.025").map(|d| d.to_string()),
            Some("0.025".to_string())
        );
        assert_eq!(dec("250").map(Decimal::to_f64), Some(250.0));
    }

    #[test]
    fn rejects_bad_text() {
        for text in [
            "",
            ".",
            "1.2.3",
            "-1",
            "1e3",
            "99999999999999999999",
            "0.0000000000000000001",
        ] {
            assert_eq!(dec(text), None, "{text}");
        }
    }

    #[test]
    fn shifts_exactly() {
        assert_eq!(dec("0.1").and_then(|d| d.times_pow10(3)), dec("100"));
        assert_eq!(dec("0.3").and_then(|d| d.times_pow10(3)), dec("300"));
        assert_eq!(dec("25").and_then(|d| d.times_pow10(-3)), dec("0.025"));
        assert_eq!(dec("1").and_then(|d| d.times_pow10(30)), None);
    }

    proptest! {
        #[test]
        fn display_round_trips(digits in 0u64..1_000_000_000_000, scale in 0u32..=18) {
            let value = Decimal::new(digits, scale);
            prop_assert_eq!(value.and_then(|v| Decimal::parse(&v.to_string())), value);
        }

        #[test]
        fn shifting_there_and_back_is_identity(digits in 0u64..1_000_000_000, scale in 0u32..=9, exp in 0i32..=6) {
            let value = Decimal::new(digits, scale);
            let back = value.and_then(|v| v.times_pow10(exp)).and_then(|v| v.times_pow10(-exp));
            prop_assert_eq!(back, value);
        }
    }
}
