//! Quantity to dispense: "#30", "No. 30", "thirty (30) tablets",
//! "Disp: 1 inhaler", "1 x 100 mL", "15 g tube".

use std::fmt;

use super::code::serialize_as_str;
use super::number::take_number;
use super::text::{Token, tokenize};

/// What the dispensed amount is counted in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DispenseUnit {
    Tablet,
    Capsule,
    Ml,
    G,
    Inhaler,
    Tube,
    Bottle,
    Box,
    Patch,
    Suppository,
    Vial,
    Pen,
    Packet,
}

impl DispenseUnit {
    /// Singular code, e.g. `tablet`, `mL`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Tablet => "tablet",
            Self::Capsule => "capsule",
            Self::Ml => "mL",
            Self::G => "g",
            Self::Inhaler => "inhaler",
            Self::Tube => "tube",
            Self::Bottle => "bottle",
            Self::Box => "box",
            Self::Patch => "patch",
            Self::Suppository => "suppository",
            Self::Vial => "vial",
            Self::Pen => "pen",
            Self::Packet => "packet",
        }
    }

    fn plural(self) -> &'static str {
        match self {
            Self::Ml | Self::G => self.as_str(),
            Self::Box => "boxes",
            Self::Patch => "patches",
            Self::Suppository => "suppositories",
            Self::Tablet => "tablets",
            Self::Capsule => "capsules",
            Self::Inhaler => "inhalers",
            Self::Tube => "tubes",
            Self::Bottle => "bottles",
            Self::Vial => "vials",
            Self::Pen => "pens",
            Self::Packet => "packets",
        }
    }
}

serialize_as_str!(DispenseUnit);

const UNITS: &[(&str, DispenseUnit)] = &[
    ("tab", DispenseUnit::Tablet),
    ("tabs", DispenseUnit::Tablet),
    ("tablet", DispenseUnit::Tablet),
    ("tablets", DispenseUnit::Tablet),
    ("cap", DispenseUnit::Capsule),
    ("caps", DispenseUnit::Capsule),
    ("capsule", DispenseUnit::Capsule),
    ("capsules", DispenseUnit::Capsule),
    ("ml", DispenseUnit::Ml),
    ("mls", DispenseUnit::Ml),
    ("g", DispenseUnit::G),
    ("gm", DispenseUnit::G),
    ("gram", DispenseUnit::G),
    ("grams", DispenseUnit::G),
    ("inhaler", DispenseUnit::Inhaler),
    ("inhalers", DispenseUnit::Inhaler),
    ("tube", DispenseUnit::Tube),
    ("tubes", DispenseUnit::Tube),
    ("bottle", DispenseUnit::Bottle),
    ("bottles", DispenseUnit::Bottle),
    ("box", DispenseUnit::Box),
    ("boxes", DispenseUnit::Box),
    ("patch", DispenseUnit::Patch),
    ("patches", DispenseUnit::Patch),
    ("supp", DispenseUnit::Suppository),
    ("supps", DispenseUnit::Suppository),
    ("suppository", DispenseUnit::Suppository),
    ("suppositories", DispenseUnit::Suppository),
    ("vial", DispenseUnit::Vial),
    ("vials", DispenseUnit::Vial),
    ("pen", DispenseUnit::Pen),
    ("pens", DispenseUnit::Pen),
    ("packet", DispenseUnit::Packet),
    ("packets", DispenseUnit::Packet),
];

/// A positive, finite amount to dispense.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Quantity {
    value: f64,
    unit: Option<DispenseUnit>,
}

impl Quantity {
    /// `None` unless `value` is positive and finite.
    pub fn new(value: f64, unit: Option<DispenseUnit>) -> Option<Self> {
        (value.is_finite() && value > 0.0).then_some(Self { value, unit })
    }

    pub fn value(&self) -> f64 {
        self.value
    }

    pub fn unit(&self) -> Option<DispenseUnit> {
        self.unit
    }
}

impl fmt::Display for Quantity {
    /// "30 tablets", "1 inhaler", "100 mL", "30".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.value)?;
        match self.unit {
            Some(unit) if self.value == 1.0 => write!(f, " {}", unit.as_str()),
            Some(unit) => write!(f, " {}", unit.plural()),
            None => Ok(()),
        }
    }
}

/// Something about the written quantity the pharmacist must check.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub enum QuantityFlag {
    /// "thirty (31)": the spelled-out and numeric quantities differ; the
    /// numeric one was used.
    WordsDigitsDisagree { words: f64, digits: f64 },
}

/// A quantity read from text, with anything suspicious about it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ParsedQuantity {
    pub quantity: Quantity,
    pub flags: Vec<QuantityFlag>,
}

/// One way the amount was written.
#[derive(Clone, Copy)]
struct Written {
    value: f64,
    in_words: bool,
}

/// Parses the first quantity in `input`.
pub fn parse_quantity(input: &str) -> Option<ParsedQuantity> {
    let tokens = tokenize(input);
    let start = (0..tokens.len()).find(|&i| written_at(&tokens[i..]).is_some())?;
    let (first, mut at) = written_at(&tokens[start..]).map(|(w, len)| (w, start + len))?;
    let mut second = None;
    let mut unit = None;
    let mut pack = 1.0;
    // The spelled-out check, the unit and a pack size may come in any order.
    while at < tokens.len() {
        let rest = &tokens[at..];
        if let (None, Some((w, len))) = (second, parenthesised(rest)) {
            (second, at) = (Some(w), at + len);
        } else if let (None, Some((u, len))) = (unit, unit_at(rest)) {
            (unit, at) = (Some(u), at + len);
        } else if let (None, Some((size, u, len))) = (unit, pack_size(rest)) {
            (pack, unit, at) = (size, Some(u), at + len);
        } else {
            break;
        }
    }
    let unit = unit.or_else(|| unit_before(&tokens[..start]));
    let (value, flags) = reconcile(first, second);
    let quantity = Quantity::new(value * pack, unit)?;
    Some(ParsedQuantity { quantity, flags })
}

fn written_at(tokens: &[Token]) -> Option<(Written, usize)> {
    let in_words = !tokens.first()?.is_num();
    take_number(tokens).map(|(value, len)| (Written { value, in_words }, len))
}

/// "(30)" or "(thirty)".
fn parenthesised(tokens: &[Token]) -> Option<(Written, usize)> {
    if !tokens.first()?.is("(") {
        return None;
    }
    let (written, len) = written_at(&tokens[1..])?;
    tokens
        .get(len + 1)
        .filter(|t| t.is(")"))
        .map(|_| (written, len + 2))
}

fn unit_at(tokens: &[Token]) -> Option<(DispenseUnit, usize)> {
    let first = tokens.first()?;
    UNITS
        .iter()
        .find(|(w, _)| first.is(w))
        .map(|(_, u)| (*u, 1))
}

/// "x 100 mL" in "1 x 100 mL": one package of 100 mL.
fn pack_size(tokens: &[Token]) -> Option<(f64, DispenseUnit, usize)> {
    if !tokens.first()?.is("x") {
        return None;
    }
    let (size, len) = take_number(&tokens[1..])?;
    let (unit, unit_len) = unit_at(&tokens[1 + len..])?;
    Some((size, unit, 1 + len + unit_len))
}

/// "tabs #30": the unit written before the number.
fn unit_before(tokens: &[Token]) -> Option<DispenseUnit> {
    tokens
        .iter()
        .rev()
        .find_map(|t| unit_at(std::slice::from_ref(t)))
        .map(|(u, _)| u)
}

/// Digits win over words (they are what gets typed into the system), but a
/// disagreement is flagged for the pharmacist.
fn reconcile(first: Written, second: Option<Written>) -> (f64, Vec<QuantityFlag>) {
    let Some(second) = second else {
        return (first.value, Vec::new());
    };
    let (words, digits) = if first.in_words {
        (first, second)
    } else {
        (second, first)
    };
    if words.value == digits.value {
        return (digits.value, Vec::new());
    }
    let flag = QuantityFlag::WordsDigitsDisagree {
        words: words.value,
        digits: digits.value,
    };
    (digits.value, vec![flag])
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn quantity(input: &str) -> Option<(f64, Option<DispenseUnit>)> {
        parse_quantity(input).map(|p| (p.quantity.value(), p.quantity.unit()))
    }

    #[test]
    fn bare_counts() {
        for input in [
            "#30",
            "# 30",
            "No. 30",
            "no 30",
            "thirty (30)",
            "Thirty (30)",
            "30 (thirty)",
            "#30 (thirty)",
            "Disp:#30",
            "Qty: 30",
        ] {
            assert_eq!(quantity(input), Some((30.0, None)), "{input}");
        }
    }

    #[test]
    fn with_units() {
        assert_eq!(
            quantity("30 tablets"),
            Some((30.0, Some(DispenseUnit::Tablet)))
        );
        assert_eq!(
            quantity("#30 tabs"),
            Some((30.0, Some(DispenseUnit::Tablet)))
        );
        assert_eq!(
            quantity("180 tablets"),
            Some((180.0, Some(DispenseUnit::Tablet)))
        );
        assert_eq!(
            quantity("thirty (30) capsules"),
            Some((30.0, Some(DispenseUnit::Capsule)))
        );
        assert_eq!(
            quantity("Disp: 1 inhaler"),
            Some((1.0, Some(DispenseUnit::Inhaler)))
        );
        assert_eq!(
            quantity("1 x 100 mL"),
            Some((100.0, Some(DispenseUnit::Ml)))
        );
        assert_eq!(
            quantity("2 x 100 mL"),
            Some((200.0, Some(DispenseUnit::Ml)))
        );
        assert_eq!(quantity("15 g tube"), Some((15.0, Some(DispenseUnit::G))));
        assert_eq!(
            quantity("tabs #60"),
            Some((60.0, Some(DispenseUnit::Tablet)))
        );
    }

    #[test]
    fn words_and_digits_must_agree() {
        let parsed = parse_quantity("thirty (31)").unwrap();
        assert_eq!(parsed.quantity.value(), 31.0);
        assert_eq!(
            parsed.flags,
            [QuantityFlag::WordsDigitsDisagree {
                words: 30.0,
                digits: 31.0
            }]
        );
        assert!(parse_quantity("thirty (30)").unwrap().flags.is_empty());
        assert_eq!(parse_quantity("#30 (twenty)").unwrap().flags.len(), 1);
    }

    #[test]
    fn rejects_non_quantities() {
        for input in ["", "#", "Disp:", "tablets", "0 tablets", "# 0"] {
            assert_eq!(quantity(input), None, "{input}");
        }
    }

    #[test]
    fn displays_plainly() {
        assert_eq!(
            Quantity::new(30.0, Some(DispenseUnit::Tablet))
                .unwrap()
                .to_string(),
            "30 tablets"
        );
        assert_eq!(
            Quantity::new(1.0, Some(DispenseUnit::Inhaler))
                .unwrap()
                .to_string(),
            "1 inhaler"
        );
        assert_eq!(
            Quantity::new(7.5, Some(DispenseUnit::Ml))
                .unwrap()
                .to_string(),
            "7.5 mL"
        );
        assert_eq!(Quantity::new(30.0, None).unwrap().to_string(), "30");
        assert_eq!(Quantity::new(-1.0, None), None);
    }

    fn arb_unit() -> impl Strategy<Value = Option<DispenseUnit>> {
        prop::option::of(prop::sample::select(
            UNITS.iter().map(|(_, u)| *u).collect::<Vec<_>>(),
        ))
    }

    proptest! {
        #[test]
        fn display_round_trips(tenths in 1u32..1_000_000, unit in arb_unit()) {
            let quantity = Quantity::new(f64::from(tenths) / 10.0, unit).unwrap();
            let parsed = parse_quantity(&quantity.to_string()).map(|p| p.quantity);
            prop_assert_eq!(parsed, Some(quantity));
        }

        #[test]
        fn never_panics(input in "\\PC{0,60}") {
            let _ = parse_quantity(&input);
        }
    }
}
