//! Number of refills: "Refills: 2", "RF 2", "Rpt x2", "NR", "two (2) refills".

use super::number::take_count;
use super::text::{Token, tokenize};

/// More than this is not a refill count but an OCR or reading error.
const MAX_REFILLS: u32 = 99;

const KEYWORDS: &[&str] = &[
    "refill", "refills", "rf", "rfl", "rpt", "rpts", "repeat", "repeats",
    // As the recogniser misreads "refill(s)".
    "refil", "refils",
];

/// Words meaning "zero refills" on their own.
const NONE_WORDS: &[&[&str]] = &[
    &["nr"],
    &["no", "refills"],
    &["no", "refill"],
    &["no", "repeats"],
    &["none"],
];

/// Parses a refill count. `None` when no count can be read, including "PRN"
/// refills (not a count), counts above 99, and spelled-out and numeric counts
/// that disagree ("two (3) refills").
pub fn parse_refills(input: &str) -> Option<u32> {
    let tokens = tokenize(input);
    if tokens.iter().any(|t| t.is("prn")) {
        return None;
    }
    if (0..tokens.len()).any(|i| {
        NONE_WORDS
            .iter()
            .any(|w| super::text::starts_with(&tokens[i..], w))
    }) {
        return Some(0);
    }
    let keyword = tokens.iter().position(is_keyword)?;
    let count = count_after(&tokens[keyword + 1..]).or_else(|| count_before(&tokens[..keyword]))?;
    (count <= MAX_REFILLS).then_some(count)
}

/// A refill keyword, also with the "x" of "Rpt x2" glued on, as OCR
/// reads it ("Rptx2").
fn is_keyword(token: &Token) -> bool {
    let word = token.text.strip_suffix('x').unwrap_or(&token.text);
    token.is_word() && KEYWORDS.contains(&word)
}

/// "Refills: 2", "Rpt x2", "Refill x 3", "Refills: zero", "Refills #2 (two)".
fn count_after(tokens: &[Token]) -> Option<u32> {
    let skip = tokens
        .iter()
        .take_while(|t| t.is(":") || t.is("x") || t.is("#") || t.is("="))
        .count();
    if tokens.get(skip).is_some_and(|t| t.is("no") || t.is("nil")) {
        return Some(0);
    }
    checked_count(&tokens[skip..]).map(|(count, _)| count)
}

/// "0 refills", "two (2) refills": the count that ends at the keyword.
fn count_before(tokens: &[Token]) -> Option<u32> {
    (0..tokens.len()).find_map(|i| {
        checked_count(&tokens[i..])
            .filter(|(_, len)| i + len == tokens.len())
            .map(|(count, _)| count)
    })
}

/// A count and the tokens it used; if a second spelling follows in brackets,
/// the two must agree.
fn checked_count(tokens: &[Token]) -> Option<(u32, usize)> {
    let (count, len) = take_count(tokens)?;
    let rest = &tokens[len..];
    if !rest.first().is_some_and(|t| t.is("(")) {
        return Some((count, len));
    }
    let (check, check_len) = take_count(&rest[1..])?;
    let closed = rest.get(check_len + 1).is_some_and(|t| t.is(")"));
    (closed && check == count).then_some((count, len + check_len + 2))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn zero_refills() {
        for input in [
            "NR",
            "No refills",
            "Refills: 0",
            "Refills: zero",
            "0 refills",
            "Refills: none",
            "N.R.",
            "Refills: no",
        ] {
            assert_eq!(parse_refills(input), Some(0), "{input}");
        }
    }

    #[test]
    fn counted_refills() {
        let cases = [
            ("Refills: 2", 2),
            ("Refills:2", 2),
            ("REFILLS 2", 2),
            ("RF 2", 2),
            ("Rpt x2", 2),
            ("Rptx3", 3),
            ("1 refil", 1),
            ("RFx 1", 1),
            ("Repeats: 3", 3),
            ("Refill x 3", 3),
            ("two (2) refills", 2),
            ("Refills: 5 (five)", 5),
            ("Refills: eleven", 11),
        ];
        for (input, expected) in cases {
            assert_eq!(parse_refills(input), Some(expected), "{input}");
        }
    }

    #[test]
    fn unreadable_refills() {
        for input in [
            "",
            "Refills: PRN",
            "prn refills",
            "Refills:",
            "two (3) refills",
            "Refills: 1.5",
            "Refills: 100",
            "Take 2 tabs",
        ] {
            assert_eq!(parse_refills(input), None, "{input}");
        }
    }

    proptest! {
        #[test]
        fn counts_round_trip(n in 0u32..=99) {
            prop_assert_eq!(parse_refills(&format!("Refills: {n}")), Some(n));
            prop_assert_eq!(parse_refills(&format!("{n} refills")), Some(n));
        }

        #[test]
        fn never_panics(input in "\\PC{0,60}") {
            let _ = parse_refills(&input);
        }
    }
}
