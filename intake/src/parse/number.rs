//! Numbers as prescribers write them: digits, fractions, English words and
//! the Latin/Roman counts of old-style directions ("ii tabs", "ss").

use super::text::{Kind, Token, tokenize};

/// Parses a whole string as one number ("2", ".5", "1 1/2", "one hundred
/// twenty", "one-half", "half a", "iii", "ss"); `None` if anything is left over.
pub fn parse_number(input: &str) -> Option<f64> {
    let tokens = tokenize(input);
    match take_number(&tokens) {
        Some((value, len)) if len == tokens.len() => Some(value),
        _ => None,
    }
}

/// The number at the start of `tokens`, with how many tokens it used.
pub(crate) fn take_number(tokens: &[Token]) -> Option<(f64, usize)> {
    let (value, len) = take_digits(tokens)
        .or_else(|| take_word_fraction(tokens))
        .or_else(|| take_cardinal(tokens))
        .or_else(|| take_latin(tokens))?;
    let (half, extra) = and_a_half(&tokens[len..]);
    Some((value + half, len + extra))
}

/// Like [`take_number`], but only whole numbers that fit a `u32`.
pub(crate) fn take_count(tokens: &[Token]) -> Option<(u32, usize)> {
    let (value, len) = take_number(tokens)?;
    let whole = value.fract() == 0.0 && (0.0..=f64::from(u32::MAX)).contains(&value);
    // The checks above make the cast exact.
    whole.then_some((value as u32, len))
}

fn num_value(token: &Token) -> Option<f64> {
    let value: f64 = token.text.parse().ok()?;
    (token.is_num() && value.is_finite()).then_some(value)
}

/// "2", "0.5", "1/2" and "1 1/2".
fn take_digits(tokens: &[Token]) -> Option<(f64, usize)> {
    let whole = num_value(tokens.first()?)?;
    if let Some(fraction) = proper_fraction(&tokens[1..]) {
        return Some((whole + fraction, 4));
    }
    match proper_fraction(tokens) {
        Some(fraction) => Some((fraction, 3)),
        None => Some((whole, 1)),
    }
}

/// "1/2", "3/4": small denominators only, so "5/325" (a combination
/// strength) or "5/7" (five days) are never read as fractions by accident.
fn proper_fraction(tokens: &[Token]) -> Option<f64> {
    let [num, slash, den, ..] = tokens else {
        return None;
    };
    let is_int = |t: &Token| t.is_num() && t.text.bytes().all(|b| b.is_ascii_digit());
    if !(is_int(num) && slash.is("/") && is_int(den)) {
        return None;
    }
    let (n, d): (u8, u8) = (num.text.parse().ok()?, den.text.parse().ok()?);
    (n >= 1 && n < d && [2, 3, 4, 8].contains(&d)).then(|| f64::from(n) / f64::from(d))
}

const FRACTION_PHRASES: &[(&[&str], f64)] = &[
    (&["half", "a"], 0.5),
    (&["half", "of", "a"], 0.5),
    (&["half"], 0.5),
    (&["a", "half"], 0.5),
    (&["one", "half"], 0.5),
    (&["one", "-", "half"], 0.5),
    (&["quarter"], 0.25),
    (&["a", "quarter"], 0.25),
    (&["one", "quarter"], 0.25),
    (&["one", "-", "quarter"], 0.25),
];

fn take_word_fraction(tokens: &[Token]) -> Option<(f64, usize)> {
    super::text::longest_phrase(tokens, FRACTION_PHRASES).map(|(len, value)| (value, len))
}

/// "one and a half", "2 and one-half".
fn and_a_half(tokens: &[Token]) -> (f64, usize) {
    const SUFFIXES: &[(&[&str], f64)] = &[
        (&["and", "a", "half"], 0.5),
        (&["and", "one", "half"], 0.5),
        (&["and", "one", "-", "half"], 0.5),
    ];
    match super::text::longest_phrase(tokens, SUFFIXES) {
        Some((len, value)) => (value, len),
        None => (0.0, 0),
    }
}

const SMALL: [&str; 20] = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
];

const TENS: [&str; 8] = [
    "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
];

/// Writes `n` (< 1,000,000) in words, the way a prescriber would ("thirty
/// (30)"); [`parse_number`] reads them back.
pub fn number_words(n: u32) -> String {
    fn below_hundred(n: u32) -> String {
        match n {
            0..20 => SMALL[n as usize].to_string(),
            _ if n.is_multiple_of(10) => TENS[(n / 10 - 2) as usize].to_string(),
            _ => format!(
                "{}-{}",
                TENS[(n / 10 - 2) as usize],
                SMALL[(n % 10) as usize]
            ),
        }
    }
    fn below_thousand(n: u32) -> String {
        match (n / 100, n % 100) {
            (0, rest) => below_hundred(rest),
            (h, 0) => format!("{} hundred", SMALL[h as usize]),
            (h, rest) => format!("{} hundred {}", SMALL[h as usize], below_hundred(rest)),
        }
    }
    match (n / 1000, n % 1000) {
        (0, rest) => below_thousand(rest),
        (t, 0) => format!("{} thousand", below_thousand(t)),
        (t, rest) => format!("{} thousand {}", below_thousand(t), below_thousand(rest)),
    }
}

fn word_index(token: Option<&Token>, words: &[&str]) -> Option<u32> {
    let token = token.filter(|t| t.kind == Kind::Word)?;
    let index = words.iter().position(|w| token.is(w))?;
    u32::try_from(index).ok()
}

/// English cardinals up to 999,999 ("one hundred twenty", "twenty-one").
fn take_cardinal(tokens: &[Token]) -> Option<(f64, usize)> {
    let (mut value, mut len) = below_thousand(tokens)?;
    if tokens.get(len).is_some_and(|t| t.is("thousand")) {
        value *= 1000;
        len += 1;
        if let Some((rest, used)) = below_thousand(&tokens[len..]) {
            value += rest;
            len += used;
        }
    }
    Some((f64::from(value), len))
}

fn below_thousand(tokens: &[Token]) -> Option<(u32, usize)> {
    let (hundreds, mut len) = match hundreds(tokens) {
        Some(found) => found,
        None => return below_hundred(tokens),
    };
    let rest_start = if tokens.get(len).is_some_and(|t| t.is("and")) {
        len + 1
    } else {
        len
    };
    let mut value = hundreds;
    if let Some((rest, used)) = below_hundred(&tokens[rest_start..]) {
        value += rest;
        len = rest_start + used;
    }
    Some((value, len))
}

/// "one hundred", "a hundred", "hundred".
fn hundreds(tokens: &[Token]) -> Option<(u32, usize)> {
    let multiplier = match tokens.first() {
        Some(t) if t.is("a") => Some(1),
        first => word_index(first, &SMALL).filter(|n| (1..10).contains(n)),
    };
    match multiplier {
        Some(m) if tokens.get(1).is_some_and(|t| t.is("hundred")) => Some((m * 100, 2)),
        _ if tokens.first().is_some_and(|t| t.is("hundred")) => Some((100, 1)),
        _ => None,
    }
}

fn below_hundred(tokens: &[Token]) -> Option<(u32, usize)> {
    let Some(tens) = word_index(tokens.first(), &TENS) else {
        return word_index(tokens.first(), &SMALL).map(|n| (n, 1));
    };
    let value = (tens + 2) * 10;
    let (unit_at, len_with_unit) = if tokens.get(1).is_some_and(|t| t.is("-")) {
        (2, 3)
    } else {
        (1, 2)
    };
    match word_index(tokens.get(unit_at), &SMALL).filter(|n| (1..10).contains(n)) {
        Some(unit) => Some((value + unit, len_with_unit)),
        None => Some((value, 1)),
    }
}

/// Roman counts used in Latin directions. "x" is left out on purpose: on a
/// prescription it almost always means "times" ("x7d").
const LATIN: &[(&str, f64)] = &[
    ("ss", 0.5),
    ("i", 1.0),
    ("iss", 1.5),
    ("ii", 2.0),
    ("iii", 3.0),
    ("iv", 4.0),
    ("v", 5.0),
    ("vi", 6.0),
];

fn take_latin(tokens: &[Token]) -> Option<(f64, usize)> {
    let first = tokens.first().filter(|t| t.is_word())?;
    LATIN
        .iter()
        .find(|(word, _)| first.is(word))
        .map(|(_, value)| (*value, 1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn digits_and_decimals() {
        assert_eq!(parse_number("2"), Some(2.0));
        assert_eq!(parse_number("0.5"), Some(0.5));
        assert_eq!(parse_number(".5"), Some(0.5));
        assert_eq!(parse_number("1,000"), Some(1000.0));
    }

    #[test]
    fn fractions() {
        assert_eq!(parse_number("1/2"), Some(0.5));
        assert_eq!(parse_number("1 1/2"), Some(1.5));
        assert_eq!(parse_number("3/4"), Some(0.75));
        assert_eq!(parse_number("2 and 1/2"), None);
        assert_eq!(parse_number("5/325"), None);
        assert_eq!(parse_number("5/7"), None);
    }

    #[test]
    fn english_words() {
        assert_eq!(parse_number("one"), Some(1.0));
        assert_eq!(parse_number("Twenty"), Some(20.0));
        assert_eq!(parse_number("thirty"), Some(30.0));
        assert_eq!(parse_number("twenty-one"), Some(21.0));
        assert_eq!(parse_number("ninety nine"), Some(99.0));
        assert_eq!(parse_number("one hundred twenty"), Some(120.0));
        assert_eq!(parse_number("one hundred and five"), Some(105.0));
        assert_eq!(parse_number("a hundred"), Some(100.0));
        assert_eq!(parse_number("two thousand five hundred"), Some(2500.0));
        assert_eq!(parse_number("zero"), Some(0.0));
    }

    #[test]
    fn halves() {
        assert_eq!(parse_number("half"), Some(0.5));
        assert_eq!(parse_number("one-half"), Some(0.5));
        assert_eq!(parse_number("half a"), Some(0.5));
        assert_eq!(parse_number("a half"), Some(0.5));
        assert_eq!(parse_number("one and a half"), Some(1.5));
        assert_eq!(parse_number("one and one-half"), Some(1.5));
    }

    #[test]
    fn latin_counts() {
        assert_eq!(parse_number("i"), Some(1.0));
        assert_eq!(parse_number("ii"), Some(2.0));
        assert_eq!(parse_number("III"), Some(3.0));
        assert_eq!(parse_number("iv"), Some(4.0));
        assert_eq!(parse_number("ss"), Some(0.5));
        assert_eq!(parse_number("iss"), Some(1.5));
    }

    #[test]
    fn rejects_non_numbers() {
        for input in [
            "",
            "tab",
            "x",
            "one two",
            "2 tabs",
            "twenty twenty",
            "-",
            "1/0",
            "1e5",
        ] {
            assert_eq!(parse_number(input), None, "{input}");
        }
    }

    #[test]
    fn counts_are_whole() {
        let tokens = tokenize("2.5");
        assert_eq!(take_count(&tokens), None);
        assert_eq!(take_count(&tokenize("12 days")), Some((12, 1)));
        assert_eq!(take_count(&tokenize("99999999999999999999")), None);
    }

    proptest! {
        #[test]
        fn integers_round_trip_as_digits(n in 0u64..10_000_000_000) {
            prop_assert_eq!(parse_number(&n.to_string()), Some(n as f64));
        }

        #[test]
        fn integers_round_trip_as_words(n in 0u32..1_000_000) {
            prop_assert_eq!(parse_number(&number_words(n)), Some(f64::from(n)));
        }

        #[test]
        fn decimals_round_trip(whole in 0u32..10_000, thousandths in 0u32..1000) {
            let text = format!("{whole}.{thousandths:03}");
            prop_assert_eq!(parse_number(&text), text.parse::<f64>().ok());
        }

        #[test]
        fn mixed_numbers_round_trip(whole in 0u32..100, num in 1u8..8, den in prop::sample::select(vec![2u8, 3, 4, 8])) {
            prop_assume!(num < den);
            let expected = f64::from(whole) + f64::from(num) / f64::from(den);
            prop_assert_eq!(parse_number(&format!("{whole} {num}/{den}")), Some(expected));
        }

        #[test]
        fn never_panics(input in ".*") {
            let _ = parse_number(&input);
        }
    }
}
