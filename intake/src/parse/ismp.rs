//! Scanner for the ISMP list of error-prone abbreviations, symbols and dose
//! designations. A flag does not stop parsing: the text is still read with
//! its intended meaning, and the pharmacist is told what to query.

use std::ops::Range;

use super::text::{Kind, Token, tokenize};

/// One error-prone notation found in the text.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct IsmpFlag {
    /// Stable code, e.g. `ISMP_QD`.
    pub code: &'static str,
    /// Sentence for the pharmacist: what it may be mistaken for, what to write.
    pub message: String,
    /// Byte offsets of the notation in the scanned text.
    pub span: Range<usize>,
}

impl IsmpFlag {
    fn new(code: &'static str, message: &str, span: Range<usize>) -> Self {
        Self {
            code,
            message: message.to_string(),
            span,
        }
    }
}

const U: &str = "'U' for units is error-prone (mistaken for 0, 4 or cc); write 'units'.";
const IU: &str = "'IU' is error-prone (mistaken for IV or 10); write 'units'.";
const QD: &str = "'QD' is error-prone (mistaken for QID); write 'daily'.";
const QOD: &str = "'QOD' is error-prone (mistaken for QD or QID); write 'every other day'.";
const UG: &str = "'µg'/'ug' is error-prone (mistaken for mg); write 'mcg'.";
const TRAILING_ZERO: &str =
    "Trailing zero after a decimal point is error-prone (1.0 mg read as 10 mg); write '1 mg'.";
const NO_LEADING_ZERO: &str =
    "Missing leading zero is error-prone (.5 mg read as 5 mg); write '0.5 mg'.";
const MS: &str =
    "'MS' is error-prone (morphine sulfate or magnesium sulfate); write the drug name in full.";
const MSO4: &str =
    "'MSO4' is error-prone (mistaken for magnesium sulfate); write 'morphine sulfate'.";
const MGSO4: &str =
    "'MgSO4' is error-prone (mistaken for morphine sulfate); write 'magnesium sulfate'.";
const SS: &str =
    "'ss' is error-prone (mistaken for 55 or 'sliding scale'); write 'one-half' or '0.5'.";
const HS: &str =
    "'HS' is error-prone (bedtime or half-strength); write 'at bedtime' or 'half-strength'.";
const QHS: &str = "'qhs' is error-prone (mistaken for 'every hour'); write 'nightly at bedtime'.";
const OD: &str = "'OD' is error-prone (right eye or once daily); write 'right eye' or 'daily'.";
const OS: &str = "'OS' is error-prone (left eye, mistaken for other eye or ear); write 'left eye'.";

/// Every error-prone notation in `input`, in text order.
pub fn scan(input: &str) -> Vec<IsmpFlag> {
    let tokens = tokenize(input);
    let mut flags: Vec<IsmpFlag> = (0..tokens.len())
        .filter_map(|i| flag_at(input, &tokens, i))
        .collect();
    flags.sort_by_key(|f| (f.span.start, f.span.end));
    flags
}

fn flag_at(input: &str, tokens: &[Token], i: usize) -> Option<IsmpFlag> {
    let token = &tokens[i];
    match token.kind {
        Kind::Num => number_flag(tokens, i),
        Kind::Word => word_flag(input, tokens, i),
        Kind::Punct => None,
    }
}

fn number_flag(tokens: &[Token], i: usize) -> Option<IsmpFlag> {
    let token = &tokens[i];
    if token.text.starts_with('.') {
        return Some(IsmpFlag::new(
            "ISMP_NO_LEADING_ZERO",
            NO_LEADING_ZERO,
            token.span.clone(),
        ));
    }
    // Only a dose (number then unit) counts; "1.10.2025" is not a dose.
    let unit_follows = tokens.get(i + 1).is_some_and(|t| t.is_word() || t.is("%"));
    let trailing_zero = token.text.contains('.') && token.text.ends_with('0');
    (trailing_zero && unit_follows)
        .then(|| IsmpFlag::new("ISMP_TRAILING_ZERO", TRAILING_ZERO, token.span.clone()))
}

fn word_flag(input: &str, tokens: &[Token], i: usize) -> Option<IsmpFlag> {
    let token = &tokens[i];
    let span = token.span.clone();
    let prev = i.checked_sub(1).map(|p| &tokens[p]);
    let flag = |code, message| Some(IsmpFlag::new(code, message, span.clone()));
    match token.text.as_str() {
        "u" if prev.is_some_and(Token::is_num) => flag("ISMP_U", U),
        "iu" => flag("ISMP_IU", IU),
        "qd" => flag("ISMP_QD", QD),
        "qod" => flag("ISMP_QOD", QOD),
        "µg" | "μg" | "ug" => flag("ISMP_UG", UG),
        "ss" | "iss" => flag("ISMP_SS", SS),
        "hs" => flag("ISMP_HS", HS),
        "qhs" => flag("ISMP_HS", QHS),
        "od" => flag("ISMP_OD", OD),
        "os" if !prev.is_some_and(|p| p.is("per")) => flag("ISMP_OS", OS),
        "ms" => morphine_flag(input, tokens, i),
        "mso" | "mgso" | "mgs" => sulfate_formula_flag(tokens, i),
        _ => None,
    }
}

/// "MS" alone; not the title "Ms" nor the brand "MS Contin".
fn morphine_flag(input: &str, tokens: &[Token], i: usize) -> Option<IsmpFlag> {
    let token = &tokens[i];
    let written = &input[token.span.clone()];
    let brand = tokens.get(i + 1).is_some_and(|t| t.is("contin"));
    let glued_digit = adjacent_number(tokens, i).is_some();
    (written != "Ms" && !brand && !glued_digit)
        .then(|| IsmpFlag::new("ISMP_MSO4", MS, token.span.clone()))
        .or_else(|| sulfate_formula_flag(tokens, i))
}

/// "MSO4", "MgSO4", and OCR's "MS04"/"MgS04": letters glued to a 4.
fn sulfate_formula_flag(tokens: &[Token], i: usize) -> Option<IsmpFlag> {
    let token = &tokens[i];
    let digits = adjacent_number(tokens, i)?;
    let (code, message) = match (token.text.as_str(), digits.text.as_str()) {
        ("mso" | "ms", "4" | "04") => ("ISMP_MSO4", MSO4),
        ("mgso" | "mgs", "4" | "04") => ("ISMP_MGSO4", MGSO4),
        _ => return None,
    };
    Some(IsmpFlag::new(
        code,
        message,
        token.span.start..digits.span.end,
    ))
}

fn adjacent_number(tokens: &[Token], i: usize) -> Option<&Token> {
    tokens
        .get(i + 1)
        .filter(|t| t.is_num() && t.span.start == tokens[i].span.end)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn codes(input: &str) -> Vec<&'static str> {
        scan(input).into_iter().map(|f| f.code).collect()
    }

    #[test]
    fn units_abbreviations() {
        assert_eq!(codes("Insulin 10 U SC"), ["ISMP_U"]);
        assert_eq!(codes("10u"), ["ISMP_U"]);
        assert_eq!(codes("100 u/mL"), ["ISMP_U"]);
        assert_eq!(codes("Vitamin D 1000 IU"), ["ISMP_IU"]);
        assert_eq!(codes("1000 i.u."), ["ISMP_IU"]);
        assert_eq!(codes("50 µg"), ["ISMP_UG"]);
        assert_eq!(codes("50ug"), ["ISMP_UG"]);
    }

    #[test]
    fn units_negatives() {
        assert!(codes("Ultram 50 mg").is_empty());
        assert!(codes("Humulin R U-100 10 units").is_empty());
        assert!(codes("drug 50 mcg").is_empty());
        assert!(codes("IUD").is_empty());
    }

    #[test]
    fn frequency_abbreviations() {
        assert_eq!(codes("1 tab po QD"), ["ISMP_QD"]);
        assert_eq!(codes("1 tab po q.d."), ["ISMP_QD"]);
        assert_eq!(codes("1 tab qod"), ["ISMP_QOD"]);
        assert_eq!(codes("1 tab Q.O.D."), ["ISMP_QOD"]);
        assert_eq!(codes("1 tab qhs"), ["ISMP_HS"]);
        assert_eq!(codes("1 tab h.s."), ["ISMP_HS"]);
    }

    #[test]
    fn frequency_negatives() {
        assert!(codes("1 tab QDaily").is_empty());
        assert!(codes("1 tab qid").is_empty());
        assert!(codes("1 tab daily").is_empty());
        assert!(codes("QDS").is_empty());
    }

    #[test]
    fn decimal_points() {
        assert_eq!(codes("1.0 mg"), ["ISMP_TRAILING_ZERO"]);
        assert_eq!(codes("2.50mg"), ["ISMP_TRAILING_ZERO"]);
        assert_eq!(codes(".5 mg"), ["ISMP_NO_LEADING_ZERO"]);
        assert!(codes("0.5 mg 1.5 mg 10 mg 100 mg").is_empty());
        assert!(codes("date 1.10.2025").is_empty());
    }

    #[test]
    fn drug_name_abbreviations() {
        assert_eq!(codes("MSO4 15 mg"), ["ISMP_MSO4"]);
        assert_eq!(codes("MS04 15 mg"), ["ISMP_MSO4"]);
        assert_eq!(codes("MS 15 mg"), ["ISMP_MSO4"]);
        assert_eq!(codes("MgSO4 2 g"), ["ISMP_MGSO4"]);
        assert!(codes("MS Contin 15 mg").is_empty());
        assert!(codes("Ms. Jane Doe").is_empty());
        assert!(codes("mso").is_empty());
    }

    #[test]
    fn latin_and_eyes() {
        assert_eq!(codes("ss tab"), ["ISMP_SS"]);
        assert_eq!(codes("2 gtts OD"), ["ISMP_OD"]);
        assert_eq!(codes("2 gtts o.s."), ["ISMP_OS"]);
        assert!(codes("1 tab per os").is_empty());
        assert!(codes("Ondansetron ODT 4 mg").is_empty());
        assert!(codes("class glass").is_empty());
    }

    #[test]
    fn spans_and_messages() {
        let input = "Take 1 tab po QD and 10 U";
        let flags = scan(input);
        assert_eq!(flags.len(), 2);
        assert_eq!(&input[flags[0].span.clone()], "QD");
        assert_eq!(&input[flags[1].span.clone()], "U");
        assert_eq!(flags[0].message, QD);
        assert_eq!(&"MgSO4 2 g"[scan("MgSO4 2 g")[0].span.clone()], "MgSO4");
    }

    proptest! {
        #[test]
        fn spans_are_valid_slices(input in "\\PC{0,40}") {
            for flag in scan(&input) {
                prop_assert!(input.get(flag.span.clone()).is_some());
            }
        }
    }
}
