//! Product strength: "10 mg", "250 mg/5 mL", "80 mcg/actuation", "0.1%",
//! and combinations such as "5/325 mg" or "800-160 mg".

use std::fmt;

use super::code::serialize_as_str;
use super::decimal::Decimal;
use super::ismp::{IsmpFlag, scan};
use super::text::{Token, tokenize};

/// Unit of the active-ingredient amount.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StrengthUnit {
    G,
    Mg,
    /// Also what "µg"/"ug" parse to (with an `ISMP_UG` flag).
    Mcg,
    Ml,
    Percent,
    /// Also what "U" parses to (with an `ISMP_U` flag).
    Units,
    Iu,
    MEq,
    Mmol,
}

impl StrengthUnit {
    /// Conventional symbol, e.g. `mg`, `mL`, `%`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::G => "g",
            Self::Mg => "mg",
            Self::Mcg => "mcg",
            Self::Ml => "mL",
            Self::Percent => "%",
            Self::Units => "units",
            Self::Iu => "IU",
            Self::MEq => "mEq",
            Self::Mmol => "mmol",
        }
    }

    /// Power of ten relative to one gram, for masses only.
    fn gram_exponent(self) -> Option<i32> {
        match self {
            Self::G => Some(0),
            Self::Mg => Some(-3),
            Self::Mcg => Some(-6),
            _ => None,
        }
    }
}

/// What the amount is given per ("/5 mL", "/actuation", "/24 hr").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PerUnit {
    Ml,
    L,
    G,
    Actuation,
    Spray,
    Dose,
    Hour,
    Day,
}

impl PerUnit {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ml => "mL",
            Self::L => "L",
            Self::G => "g",
            Self::Actuation => "actuation",
            Self::Spray => "spray",
            Self::Dose => "dose",
            Self::Hour => "hr",
            Self::Day => "day",
        }
    }
}

serialize_as_str!(StrengthUnit, PerUnit);

/// The denominator of a concentration; an amount of 1 is stored as `None`
/// so that "10 mg/1 mL" and "10 mg/mL" are the same strength.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub struct Per {
    amount: Option<Decimal>,
    unit: PerUnit,
}

impl Per {
    /// `None` for a zero amount, which no product has.
    pub fn new(amount: Option<Decimal>, unit: PerUnit) -> Option<Self> {
        match amount {
            Some(a) if a.is_zero() => None,
            Some(a) if a.is_integer(1) => Some(Self { amount: None, unit }),
            _ => Some(Self { amount, unit }),
        }
    }

    pub fn amount(&self) -> Option<Decimal> {
        self.amount
    }

    pub fn unit(&self) -> PerUnit {
        self.unit
    }
}

/// A product strength; every amount is positive and there is at least one.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
pub struct Strength {
    amounts: Vec<Decimal>,
    unit: StrengthUnit,
    per: Option<Per>,
}

impl Strength {
    /// `None` when `amounts` is empty or holds a zero, or a percentage has a
    /// denominator.
    pub fn new(amounts: Vec<Decimal>, unit: StrengthUnit, per: Option<Per>) -> Option<Self> {
        let valid = !amounts.is_empty()
            && amounts.iter().all(|a| !a.is_zero())
            && !(unit == StrengthUnit::Percent && per.is_some());
        valid.then_some(Self { amounts, unit, per })
    }

    /// One amount per ingredient, in the written order.
    pub fn amounts(&self) -> &[Decimal] {
        &self.amounts
    }

    pub fn unit(&self) -> StrengthUnit {
        self.unit
    }

    pub fn per(&self) -> Option<Per> {
        self.per
    }

    pub fn is_combination(&self) -> bool {
        self.amounts.len() > 1
    }

    /// The same strength with its masses in `unit` (g, mg or mcg), exactly.
    pub fn to_mass_unit(&self, unit: StrengthUnit) -> Option<Self> {
        let exponent = self.unit.gram_exponent()? - unit.gram_exponent()?;
        let amounts = self
            .amounts
            .iter()
            .map(|a| a.times_pow10(exponent))
            .collect::<Option<_>>()?;
        Self::new(amounts, unit, self.per)
    }

    /// The amount of a single-ingredient mass strength in grams.
    pub fn in_g(&self) -> Option<Decimal> {
        self.single_mass(StrengthUnit::G)
    }

    /// The amount of a single-ingredient mass strength in milligrams.
    pub fn in_mg(&self) -> Option<Decimal> {
        self.single_mass(StrengthUnit::Mg)
    }

    /// The amount of a single-ingredient mass strength in micrograms.
    pub fn in_mcg(&self) -> Option<Decimal> {
        self.single_mass(StrengthUnit::Mcg)
    }

    fn single_mass(&self, unit: StrengthUnit) -> Option<Decimal> {
        match self.to_mass_unit(unit)?.amounts.as_slice() {
            [amount] => Some(*amount),
            _ => None,
        }
    }
}

impl fmt::Display for Strength {
    /// Normalised text: "250 mg/5 mL", "10 mg/mL", "5/325 mg", "0.1%".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let amounts: Vec<String> = self.amounts.iter().map(Decimal::to_string).collect();
        let space = if self.unit == StrengthUnit::Percent {
            ""
        } else {
            " "
        };
        write!(f, "{}{space}{}", amounts.join("/"), self.unit.as_str())?;
        match self.per {
            Some(Per {
                amount: Some(amount),
                unit,
            }) => write!(f, "/{amount} {}", unit.as_str()),
            Some(Per { amount: None, unit }) => write!(f, "/{}", unit.as_str()),
            None => Ok(()),
        }
    }
}

/// A strength read from text, with the error-prone notations found in it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ParsedStrength {
    pub strength: Strength,
    pub flags: Vec<IsmpFlag>,
}

/// The first strength in `input` ("Amoxicillin 250mg/5mL susp" → 250 mg/5 mL).
pub fn parse_strength(input: &str) -> Option<ParsedStrength> {
    let tokens = tokenize(input);
    let (strength, span) = (0..tokens.len()).find_map(|i| strength_at(&tokens[i..]))?;
    let flags = scan(input)
        .into_iter()
        .filter(|f| f.span.start < span.end && span.start < f.span.end)
        .collect();
    Some(ParsedStrength { strength, flags })
}

/// The strength that `input` starts with, and the byte length it covers:
/// "10 mg/5 mL oral solution" → 10 mg/5 mL, 10 bytes. Text that only
/// holds a strength further on ("mg/5 mL") starts with none.
pub fn leading_strength(input: &str) -> Option<(Strength, usize)> {
    let tokens = tokenize(input);
    let (strength, span) = strength_at(&tokens)?;
    (span.start == input.len() - input.trim_start().len()).then_some((strength, span.end))
}

fn amount(token: Option<&Token>) -> Option<Decimal> {
    token
        .filter(|t| t.is_num())
        .and_then(|t| Decimal::parse(&t.text))
}

fn is_joiner(token: Option<&Token>) -> bool {
    token.is_some_and(|t| t.is("/") || t.is("-"))
}

/// A strength at the start of `tokens`, with the byte span it covers.
fn strength_at(tokens: &[Token]) -> Option<(Strength, std::ops::Range<usize>)> {
    let mut amounts = vec![amount(tokens.first())?];
    let mut at = 1;
    // "5/325 mg", "800-160 mg": several amounts share one unit.
    while is_joiner(tokens.get(at)) {
        let Some(next) = amount(tokens.get(at + 1)) else {
            break;
        };
        amounts.push(next);
        at += 2;
    }
    let (unit, len) = unit_at(&tokens[at..])?;
    at += len;
    // "5 mg/325 mg": each amount repeats the unit.
    while let Some(next) = repeated_amount(&tokens[at..], unit) {
        amounts.push(next);
        at += 3;
    }
    let per = match per_at(&tokens[at..]) {
        None => None,
        // A written but impossible denominator ("/0 mL") spoils the whole strength.
        Some((per, len)) => {
            at += len;
            Some(per?)
        }
    };
    let span = tokens[0].span.start..tokens[at - 1].span.end;
    Strength::new(amounts, unit, per).map(|s| (s, span))
}

fn repeated_amount(tokens: &[Token], unit: StrengthUnit) -> Option<Decimal> {
    let next = amount(tokens.get(1)).filter(|_| is_joiner(tokens.first()))?;
    matches!(unit_at(&tokens[2..]), Some((u, 1)) if u == unit).then_some(next)
}

const UNITS: &[(&str, StrengthUnit)] = &[
    ("g", StrengthUnit::G),
    ("gm", StrengthUnit::G),
    ("gram", StrengthUnit::G),
    ("grams", StrengthUnit::G),
    ("mg", StrengthUnit::Mg),
    ("milligram", StrengthUnit::Mg),
    ("milligrams", StrengthUnit::Mg),
    ("mcg", StrengthUnit::Mcg),
    ("microgram", StrengthUnit::Mcg),
    ("micrograms", StrengthUnit::Mcg),
    ("µg", StrengthUnit::Mcg),
    ("μg", StrengthUnit::Mcg),
    ("ug", StrengthUnit::Mcg),
    ("ml", StrengthUnit::Ml),
    ("%", StrengthUnit::Percent),
    ("units", StrengthUnit::Units),
    ("unit", StrengthUnit::Units),
    ("u", StrengthUnit::Units),
    ("iu", StrengthUnit::Iu),
    ("meq", StrengthUnit::MEq),
    ("mmol", StrengthUnit::Mmol),
];

fn unit_at(tokens: &[Token]) -> Option<(StrengthUnit, usize)> {
    let first = tokens.first()?;
    UNITS
        .iter()
        .find(|(w, _)| first.is(w))
        .map(|(_, unit)| (*unit, 1))
}

const PER_UNITS: &[(&str, PerUnit)] = &[
    ("ml", PerUnit::Ml),
    ("l", PerUnit::L),
    ("g", PerUnit::G),
    ("gm", PerUnit::G),
    ("actuation", PerUnit::Actuation),
    ("actuations", PerUnit::Actuation),
    ("act", PerUnit::Actuation),
    ("puff", PerUnit::Actuation),
    ("inhalation", PerUnit::Actuation),
    ("spray", PerUnit::Spray),
    ("dose", PerUnit::Dose),
    ("h", PerUnit::Hour),
    ("hr", PerUnit::Hour),
    ("hrs", PerUnit::Hour),
    ("hour", PerUnit::Hour),
    ("hours", PerUnit::Hour),
    ("d", PerUnit::Day),
    ("day", PerUnit::Day),
];

/// "/5 mL", "/mL", "per actuation", "/24 hr": `None` if there is no
/// denominator, `Some((None, _))` if there is one but it is impossible.
fn per_at(tokens: &[Token]) -> Option<(Option<Per>, usize)> {
    if !tokens.first().is_some_and(|t| t.is("/") || t.is("per")) {
        return None;
    }
    let per_amount = amount(tokens.get(1));
    let unit_index = if per_amount.is_some() { 2 } else { 1 };
    let word = tokens.get(unit_index)?;
    let unit = PER_UNITS
        .iter()
        .find(|(w, _)| word.is(w))
        .map(|(_, u)| *u)?;
    Some((Per::new(per_amount, unit), unit_index + 1))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn text(input: &str) -> Option<String> {
        parse_strength(input).map(|p| p.strength.to_string())
    }

    fn codes(input: &str) -> Vec<&'static str> {
        parse_strength(input)
            .map(|p| p.flags.iter().map(|f| f.code).collect())
            .unwrap_or_default()
    }

    fn dec(text: &str) -> Option<Decimal> {
        Decimal::parse(text)
    }

    #[test]
    fn simple_and_concentrations() {
        assert_eq!(text("10mg"), Some("10 mg".into()));
        assert_eq!(text("250 mg/5 mL"), Some("250 mg/5 mL".into()));
        assert_eq!(text("250MG/5ML"), Some("250 mg/5 mL".into()));
        assert_eq!(text("80 mcg/actuation"), Some("80 mcg/actuation".into()));
        assert_eq!(text("10 mg/mL"), Some("10 mg/mL".into()));
        assert_eq!(text("10 mg/1 mL"), Some("10 mg/mL".into()));
        assert_eq!(text("0.1%"), Some("0.1%".into()));
        assert_eq!(text("100 units/mL"), Some("100 units/mL".into()));
        assert_eq!(text("20 mEq"), Some("20 mEq".into()));
        assert_eq!(text("2 mmol/mL"), Some("2 mmol/mL".into()));
        assert_eq!(text("25 mcg/hr"), Some("25 mcg/hr".into()));
        assert_eq!(text("1 g"), Some("1 g".into()));
    }

    #[test]
    fn combinations() {
        let parsed = parse_strength("5/325 mg").map(|p| p.strength).unwrap();
        assert_eq!(parsed.amounts(), [dec("5").unwrap(), dec("325").unwrap()]);
        assert_eq!(parsed.unit(), StrengthUnit::Mg);
        assert!(parsed.is_combination());
        assert_eq!(text("800-160 mg"), Some("800/160 mg".into()));
        assert_eq!(text("5 mg/325 mg"), Some("5/325 mg".into()));
    }

    #[test]
    fn found_inside_longer_text() {
        assert_eq!(
            text("Amoxicillin 250mg/5ml susp"),
            Some("250 mg/5 mL".into())
        );
        assert_eq!(
            text("Take 1/2 tab of lisinopril 10 mg"),
            Some("10 mg".into())
        );
    }

    #[test]
    fn flags_error_prone_units() {
        assert_eq!(
            parse_strength("50 ug").map(|p| p.strength.unit()),
            Some(StrengthUnit::Mcg)
        );
        assert_eq!(codes("50 ug"), ["ISMP_UG"]);
        assert_eq!(codes("50µg"), ["ISMP_UG"]);
        assert_eq!(
            parse_strength("100 U/mL").map(|p| p.strength.unit()),
            Some(StrengthUnit::Units)
        );
        assert_eq!(codes("100 U/mL"), ["ISMP_U"]);
        assert_eq!(codes("1000 IU"), ["ISMP_IU"]);
        assert_eq!(codes("1.0 mg"), ["ISMP_TRAILING_ZERO"]);
        assert_eq!(codes(".5 mg"), ["ISMP_NO_LEADING_ZERO"]);
        assert_eq!(text(".5 mg"), Some("0.5 mg".into()));
        assert!(codes("MSO4 15 mg").is_empty());
    }

    #[test]
    fn rejects_non_strengths() {
        for input in [
            "",
            "mg",
            "10",
            "2 tabs",
            "0 mg",
            "Refills: 2",
            "5 mg/0 mL",
            "1/2 tab",
        ] {
            assert_eq!(text(input), None, "{input}");
        }
        assert_eq!(text("99999999999999999999 mg"), None);
    }

    #[test]
    fn exact_mass_conversions() {
        let strength = |s| parse_strength(s).map(|p| p.strength);
        assert_eq!(strength("0.1 mg").and_then(|s| s.in_mcg()), dec("100"));
        assert_eq!(strength("0.3 mg").and_then(|s| s.in_mcg()), dec("300"));
        assert_eq!(strength("1.5 g").and_then(|s| s.in_mg()), dec("1500"));
        assert_eq!(strength("25 mcg").and_then(|s| s.in_mg()), dec("0.025"));
        assert_eq!(strength("25 mcg").and_then(|s| s.in_g()), dec("0.000025"));
        assert_eq!(strength("10 mL").and_then(|s| s.in_mg()), None);
        assert_eq!(strength("5/325 mg").and_then(|s| s.in_mg()), None);
        let converted = strength("5/325 mg").and_then(|s| s.to_mass_unit(StrengthUnit::Mcg));
        assert_eq!(
            converted.map(|s| s.to_string()),
            Some("5000/325000 mcg".into())
        );
    }

    #[test]
    fn serialises_with_codes() -> Result<(), serde_json::Error> {
        let parsed = parse_strength("250 mg/5 mL").map(|p| p.strength);
        let json = serde_json::to_string(&parsed)?;
        assert_eq!(
            json,
            r#"{"amounts":[250.0],"unit":"mg","per":{"amount":5.0,"unit":"mL"}}"#
        );
        Ok(())
    }

    fn arb_unit() -> impl Strategy<Value = StrengthUnit> {
        prop::sample::select(vec![
            StrengthUnit::G,
            StrengthUnit::Mg,
            StrengthUnit::Mcg,
            StrengthUnit::Ml,
            StrengthUnit::Percent,
            StrengthUnit::Units,
            StrengthUnit::Iu,
            StrengthUnit::MEq,
            StrengthUnit::Mmol,
        ])
    }

    fn arb_per() -> impl Strategy<Value = Option<Per>> {
        let unit = prop::sample::select(vec![
            PerUnit::Ml,
            PerUnit::L,
            PerUnit::G,
            PerUnit::Actuation,
            PerUnit::Spray,
            PerUnit::Dose,
            PerUnit::Hour,
            PerUnit::Day,
        ]);
        prop::option::of(
            (prop::option::of(arb_decimal()), unit)
                .prop_filter_map("zero", |(a, u)| Per::new(a, u)),
        )
    }

    #[test]
    fn a_strength_only_leads_where_the_text_starts_with_it() {
        let lead = |s: &str| leading_strength(s).map(|(st, end)| (st.to_string(), end));
        assert_eq!(
            lead("10 mg/5 mL oral solution"),
            Some(("10 mg/5 mL".into(), 10))
        );
        assert_eq!(lead("  2 mg cap"), Some(("2 mg".into(), 6)));
        assert_eq!(lead("mg/5 mL oral solution"), None);
        assert_eq!(lead("2 5 mg"), None);
        assert_eq!(lead("tab 5 mg"), None);
    }

    fn arb_decimal() -> impl Strategy<Value = Decimal> {
        (1u64..10_000_000, 0u32..6).prop_filter_map("scale", |(d, s)| Decimal::new(d, s))
    }

    proptest! {
        #[test]
        fn display_then_parse_is_identity(
            amounts in prop::collection::vec(arb_decimal(), 1..4),
            unit in arb_unit(),
            per in arb_per(),
        ) {
            prop_assume!(!(unit == StrengthUnit::Percent && per.is_some()));
            // "1 g/10 g" reads as a two-ingredient combination, as "5 mg/325 mg" does.
            prop_assume!(per.is_none_or(|p| p.unit().as_str() != unit.as_str()));
            let strength = Strength::new(amounts, unit, per);
            prop_assert!(strength.is_some());
            let reparsed = strength.as_ref().and_then(|s| parse_strength(&s.to_string())).map(|p| p.strength);
            prop_assert_eq!(reparsed, strength);
        }

        #[test]
        fn mass_conversions_are_exact(amount in arb_decimal(), unit in prop::sample::select(vec![StrengthUnit::G, StrengthUnit::Mg, StrengthUnit::Mcg])) {
            let strength = Strength::new(vec![amount], unit, None);
            let mg = strength.as_ref().and_then(Strength::in_mg);
            let mcg = strength.as_ref().and_then(Strength::in_mcg);
            let g = strength.as_ref().and_then(Strength::in_g);
            prop_assert!(mg.is_some() && mcg.is_some() && g.is_some());
            prop_assert_eq!(mg.and_then(|v| v.times_pow10(3)), mcg);
            prop_assert_eq!(g.and_then(|v| v.times_pow10(3)), mg);
            let ratio = mcg.map(Decimal::to_f64).zip(mg.map(Decimal::to_f64)).map(|(a, b)| a / b);
            prop_assert!(ratio.is_some_and(|r| (r - 1000.0).abs() < 1e-9));
        }

        #[test]
        fn never_panics(input in "\\PC{0,60}") {
            let _ = parse_strength(&input);
            let _ = leading_strength(&input);
        }

        #[test]
        fn a_leading_strength_is_the_first_and_ends_inside_the_text(
            amount in arb_decimal(),
            unit in arb_unit(),
            tail in "[ a-z]{0,12}",
        ) {
            let written = format!("{amount} {} {tail}", unit.as_str());
            let lead = leading_strength(&written);
            prop_assert!(lead.as_ref().is_some_and(|(_, end)| *end <= written.len()));
            prop_assert_eq!(lead.map(|(s, _)| s), parse_strength(&written).map(|p| p.strength));
        }
    }
}
