//! The amount given each time: "1 tab", "1-2 puffs", "ss tab", "2 tsp",
//! "a thin layer".

use crate::parse::code::serialize_as_str;
use crate::parse::number::take_number;
use crate::parse::text::{Token, longest_phrase};

/// Unit of one dose.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DoseUnit {
    Tablet,
    Capsule,
    /// Also teaspoons (5 mL) and tablespoons (15 mL), converted.
    Ml,
    Drop,
    Puff,
    Spray,
    Application,
    Unit,
    Mg,
    Mcg,
    G,
    MEq,
    Patch,
    Suppository,
    Lozenge,
    Packet,
}

impl DoseUnit {
    /// Singular code, e.g. `tablet`, `mL`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Tablet => "tablet",
            Self::Capsule => "capsule",
            Self::Ml => "mL",
            Self::Drop => "drop",
            Self::Puff => "puff",
            Self::Spray => "spray",
            Self::Application => "application",
            Self::Unit => "unit",
            Self::Mg => "mg",
            Self::Mcg => "mcg",
            Self::G => "g",
            Self::MEq => "mEq",
            Self::Patch => "patch",
            Self::Suppository => "suppository",
            Self::Lozenge => "lozenge",
            Self::Packet => "packet",
        }
    }

    /// Counted in whole items, so halves are written as fractions.
    pub(crate) fn is_countable(self) -> bool {
        !matches!(self, Self::Ml | Self::Mg | Self::Mcg | Self::G | Self::MEq)
    }
}

serialize_as_str!(DoseUnit);

/// One dose: a value (or a range "1-2"), or for "a thin layer" no value.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Dose {
    value: Option<f64>,
    high: Option<f64>,
    unit: DoseUnit,
}

impl Dose {
    /// `None` unless values are positive and finite, and `high` (if any)
    /// follows a `value` and exceeds it.
    pub fn new(value: Option<f64>, high: Option<f64>, unit: DoseUnit) -> Option<Self> {
        let valid = |v: f64| v.is_finite() && v > 0.0;
        let ok = match (value, high) {
            (None, None) => true,
            (Some(v), None) => valid(v),
            (Some(v), Some(h)) => valid(v) && valid(h) && h > v,
            (None, Some(_)) => false,
        };
        ok.then_some(Self { value, high, unit })
    }

    pub fn value(&self) -> Option<f64> {
        self.value
    }

    /// Upper end of a range dose ("1-2 tabs" → 2).
    pub fn high(&self) -> Option<f64> {
        self.high
    }

    pub fn unit(&self) -> DoseUnit {
        self.unit
    }
}

/// (words, unit, millilitres or 1 per word-unit).
const UNITS: &[(&str, DoseUnit, f64)] = &[
    ("tab", DoseUnit::Tablet, 1.0),
    ("tabs", DoseUnit::Tablet, 1.0),
    ("tablet", DoseUnit::Tablet, 1.0),
    ("tablets", DoseUnit::Tablet, 1.0),
    ("tbl", DoseUnit::Tablet, 1.0),
    ("cap", DoseUnit::Capsule, 1.0),
    ("caps", DoseUnit::Capsule, 1.0),
    ("capsule", DoseUnit::Capsule, 1.0),
    ("capsules", DoseUnit::Capsule, 1.0),
    ("ml", DoseUnit::Ml, 1.0),
    ("mls", DoseUnit::Ml, 1.0),
    ("cc", DoseUnit::Ml, 1.0),
    ("tsp", DoseUnit::Ml, 5.0),
    ("tsps", DoseUnit::Ml, 5.0),
    ("teaspoon", DoseUnit::Ml, 5.0),
    ("teaspoons", DoseUnit::Ml, 5.0),
    ("teaspoonful", DoseUnit::Ml, 5.0),
    ("teaspoonfuls", DoseUnit::Ml, 5.0),
    ("tbsp", DoseUnit::Ml, 15.0),
    ("tbsps", DoseUnit::Ml, 15.0),
    ("tablespoon", DoseUnit::Ml, 15.0),
    ("tablespoons", DoseUnit::Ml, 15.0),
    ("tablespoonful", DoseUnit::Ml, 15.0),
    ("drop", DoseUnit::Drop, 1.0),
    ("drops", DoseUnit::Drop, 1.0),
    ("gtt", DoseUnit::Drop, 1.0),
    ("gtts", DoseUnit::Drop, 1.0),
    ("puff", DoseUnit::Puff, 1.0),
    ("puffs", DoseUnit::Puff, 1.0),
    ("inhalation", DoseUnit::Puff, 1.0),
    ("inhalations", DoseUnit::Puff, 1.0),
    ("actuation", DoseUnit::Puff, 1.0),
    ("actuations", DoseUnit::Puff, 1.0),
    ("spray", DoseUnit::Spray, 1.0),
    ("sprays", DoseUnit::Spray, 1.0),
    ("application", DoseUnit::Application, 1.0),
    ("applications", DoseUnit::Application, 1.0),
    ("applicatorful", DoseUnit::Application, 1.0),
    ("unit", DoseUnit::Unit, 1.0),
    ("units", DoseUnit::Unit, 1.0),
    ("u", DoseUnit::Unit, 1.0),
    ("iu", DoseUnit::Unit, 1.0),
    ("mg", DoseUnit::Mg, 1.0),
    ("mcg", DoseUnit::Mcg, 1.0),
    ("µg", DoseUnit::Mcg, 1.0),
    ("μg", DoseUnit::Mcg, 1.0),
    ("ug", DoseUnit::Mcg, 1.0),
    ("g", DoseUnit::G, 1.0),
    ("gm", DoseUnit::G, 1.0),
    ("gram", DoseUnit::G, 1.0),
    ("grams", DoseUnit::G, 1.0),
    ("meq", DoseUnit::MEq, 1.0),
    ("patch", DoseUnit::Patch, 1.0),
    ("patches", DoseUnit::Patch, 1.0),
    ("supp", DoseUnit::Suppository, 1.0),
    ("suppository", DoseUnit::Suppository, 1.0),
    ("suppositories", DoseUnit::Suppository, 1.0),
    ("lozenge", DoseUnit::Lozenge, 1.0),
    ("lozenges", DoseUnit::Lozenge, 1.0),
    ("troche", DoseUnit::Lozenge, 1.0),
    ("packet", DoseUnit::Packet, 1.0),
    ("packets", DoseUnit::Packet, 1.0),
    ("sachet", DoseUnit::Packet, 1.0),
];

/// Topical amounts that are not measured.
const UNMEASURED: &[(&[&str], ())] = &[
    (&["a", "thin", "layer"], ()),
    (&["thin", "layer"], ()),
    (&["a", "thin", "film"], ()),
    (&["thin", "film"], ()),
    (&["thinly"], ()),
    (&["sparingly"], ()),
    (&["a", "small", "amount"], ()),
    (&["small", "amount"], ()),
];

/// A dose at the start of `tokens`, with the tokens used.
pub(crate) fn dose_at(tokens: &[Token]) -> Option<(usize, Dose)> {
    if let Some((len, ())) = longest_phrase(tokens, UNMEASURED) {
        return Dose::new(None, None, DoseUnit::Application).map(|d| (len, d));
    }
    let (value, mut len) = take_number(tokens)?;
    let high = range_end(&tokens[len..]).map(|(h, used)| {
        len += used;
        h
    });
    let (unit, ml_factor) = unit_at(tokens.get(len)?)?;
    let scale = |v: f64| v * ml_factor;
    Dose::new(Some(scale(value)), high.map(scale), unit).map(|d| (len + 1, d))
}

/// "-2", "to 2", "or 2" after the first number of a range.
fn range_end(tokens: &[Token]) -> Option<(f64, usize)> {
    let joiner = tokens.first()?;
    if !(joiner.is("-") || joiner.is("to") || joiner.is("or")) {
        return None;
    }
    take_number(&tokens[1..]).map(|(h, len)| (h, len + 1))
}

fn unit_at(token: &Token) -> Option<(DoseUnit, f64)> {
    UNITS
        .iter()
        .find(|(w, ..)| token.is(w))
        .map(|(_, unit, factor)| (*unit, *factor))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::text::tokenize;

    fn dose(input: &str) -> Option<(Option<f64>, Option<f64>, DoseUnit)> {
        dose_at(&tokenize(input)).map(|(_, d)| (d.value(), d.high(), d.unit()))
    }

    #[test]
    fn counts_and_fractions() {
        assert_eq!(dose("1 tab"), Some((Some(1.0), None, DoseUnit::Tablet)));
        assert_eq!(dose("i tab"), Some((Some(1.0), None, DoseUnit::Tablet)));
        assert_eq!(dose("ii caps"), Some((Some(2.0), None, DoseUnit::Capsule)));
        assert_eq!(dose("1/2 tab"), Some((Some(0.5), None, DoseUnit::Tablet)));
        assert_eq!(
            dose("one-half tablet"),
            Some((Some(0.5), None, DoseUnit::Tablet))
        );
        assert_eq!(
            dose("half a tablet"),
            Some((Some(0.5), None, DoseUnit::Tablet))
        );
        assert_eq!(dose("ss tab"), Some((Some(0.5), None, DoseUnit::Tablet)));
        assert_eq!(
            dose("1 1/2 tabs"),
            Some((Some(1.5), None, DoseUnit::Tablet))
        );
    }

    #[test]
    fn ranges() {
        assert_eq!(
            dose("1-2 tabs"),
            Some((Some(1.0), Some(2.0), DoseUnit::Tablet))
        );
        assert_eq!(
            dose("1 to 2 puffs"),
            Some((Some(1.0), Some(2.0), DoseUnit::Puff))
        );
        assert_eq!(dose("2-1 tabs"), None);
    }

    #[test]
    fn volumes() {
        assert_eq!(dose("5 mL"), Some((Some(5.0), None, DoseUnit::Ml)));
        assert_eq!(dose("2 tsp"), Some((Some(10.0), None, DoseUnit::Ml)));
        assert_eq!(dose("1 tbsp"), Some((Some(15.0), None, DoseUnit::Ml)));
        assert_eq!(dose("1/2 tsp"), Some((Some(2.5), None, DoseUnit::Ml)));
    }

    #[test]
    fn unmeasured_and_negatives() {
        assert_eq!(
            dose("a thin layer"),
            Some((None, None, DoseUnit::Application))
        );
        assert_eq!(dose("1 gtt"), Some((Some(1.0), None, DoseUnit::Drop)));
        assert_eq!(dose("iv"), None);
        assert_eq!(dose("2 days"), None);
        assert_eq!(dose("0 tabs"), None);
        assert_eq!(dose("tab"), None);
    }
}
