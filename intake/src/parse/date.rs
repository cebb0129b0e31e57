//! Dates as written on US prescriptions (month first): "03/16/1992",
//! "07/02/25", "Jan 5, 2026", "05-Jan-2026", "2026-01-05".

use time::{Date, Month};

/// Two-digit years up to this are 20yy, above it 19yy.
pub const DEFAULT_PIVOT: u8 = 40;

/// Four-digit years outside this range are taken as misreads.
const YEARS: std::ops::RangeInclusive<i32> = 1900..=2099;

/// Parses a date, reading two-digit years with [`DEFAULT_PIVOT`].
pub fn parse_date(input: &str) -> Option<Date> {
    parse_date_with_pivot(input, DEFAULT_PIVOT)
}

/// Parses a date; a two-digit year `yy` is 20yy when `yy <= pivot`, else
/// 19yy. Impossible dates (02/30/2025) are `None`.
pub fn parse_date_with_pivot(input: &str, pivot: u8) -> Option<Date> {
    let chunks: Vec<&str> = strip_label(input)
        .split(|c: char| c.is_whitespace() || "/-.,".contains(c))
        .filter(|c| !c.is_empty())
        .collect();
    let [a, b, c] = chunks.as_slice() else {
        return None;
    };
    let (year, month, day) = match (month_named(a), month_named(b)) {
        (Some(month), _) => (year(c, pivot)?, month, day(b)?),
        (None, Some(month)) => (year(c, pivot)?, month, day(a)?),
        (None, None) if digits(a)?.len() == 4 => (year(a, pivot)?, month_number(b)?, day(c)?),
        (None, None) => (year(c, pivot)?, month_number(a)?, day(b)?),
    };
    Date::from_calendar_date(year, month, day).ok()
}

/// "DOB: 03/16/1992" → "03/16/1992".
fn strip_label(input: &str) -> &str {
    match input.split_once(':') {
        Some((label, rest))
            if label
                .chars()
                .all(|c| c.is_alphabetic() || c.is_whitespace()) =>
        {
            rest
        }
        _ => input,
    }
}

/// The digits of a numeric chunk, undoing OCR's letter-for-digit swaps
/// ("O1" → "01", "l2" → "12"). At least one real digit must be present.
fn digits(chunk: &str) -> Option<String> {
    let fixed: Option<String> = chunk
        .chars()
        .map(|c| match c {
            '0'..='9' => Some(c),
            'O' | 'o' => Some('0'),
            'l' | 'I' | 'i' | '|' => Some('1'),
            _ => None,
        })
        .collect();
    fixed.filter(|_| chunk.chars().any(|c| c.is_ascii_digit()))
}

fn number(chunk: &str, max_len: usize) -> Option<u16> {
    let text = digits(chunk)?;
    if text.len() > max_len {
        return None;
    }
    text.parse().ok()
}

fn year(chunk: &str, pivot: u8) -> Option<i32> {
    let text = digits(chunk)?;
    let value: i32 = text.parse().ok()?;
    match text.len() {
        2 if value <= i32::from(pivot) => Some(2000 + value),
        2 => Some(1900 + value),
        4 => YEARS.contains(&value).then_some(value),
        _ => None,
    }
}

fn month_number(chunk: &str) -> Option<Month> {
    let value = u8::try_from(number(chunk, 2)?).ok()?;
    Month::try_from(value).ok()
}

/// "5", "05", and ordinals "5th", "1st".
fn day(chunk: &str) -> Option<u8> {
    let lower = chunk.to_ascii_lowercase();
    let bare = ["st", "nd", "rd", "th"]
        .iter()
        .find_map(|s| lower.strip_suffix(s))
        .unwrap_or(&lower);
    u8::try_from(number(bare, 2)?).ok()
}

const MONTHS: [Month; 12] = [
    Month::January,
    Month::February,
    Month::March,
    Month::April,
    Month::May,
    Month::June,
    Month::July,
    Month::August,
    Month::September,
    Month::October,
    Month::November,
    Month::December,
];

/// "January", "Jan", "JAN", "Sept".
fn month_named(chunk: &str) -> Option<Month> {
    let lower = chunk.to_lowercase();
    if lower == "sept" {
        return Some(Month::September);
    }
    MONTHS.into_iter().find(|m| {
        let name = m.to_string().to_lowercase();
        lower == name || (lower.len() == 3 && name.starts_with(&lower))
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ymd(y: i32, m: u8, d: u8) -> Option<Date> {
        Date::from_calendar_date(y, Month::try_from(m).unwrap(), d).ok()
    }

    #[test]
    fn numeric_us_dates() {
        assert_eq!(parse_date("03/16/1992"), ymd(1992, 3, 16));
        assert_eq!(parse_date("3/16/1992"), ymd(1992, 3, 16));
        assert_eq!(parse_date("07/02/25"), ymd(2025, 7, 2));
        assert_eq!(parse_date("03/16/52"), ymd(1952, 3, 16));
        assert_eq!(parse_date("1-1-2026"), ymd(2026, 1, 1));
        assert_eq!(parse_date("2026-01-05"), ymd(2026, 1, 5));
        assert_eq!(parse_date("DOB: 03/16/1992"), ymd(1992, 3, 16));
    }

    #[test]
    fn pivot_is_configurable() {
        assert_eq!(parse_date_with_pivot("07/02/25", 20), ymd(1925, 7, 2));
        assert_eq!(parse_date_with_pivot("07/02/40", 40), ymd(2040, 7, 2));
        assert_eq!(parse_date_with_pivot("07/02/41", 40), ymd(1941, 7, 2));
    }

    #[test]
    fn named_months() {
        assert_eq!(parse_date("January 5, 2026"), ymd(2026, 1, 5));
        assert_eq!(parse_date("Jan 5, 2026"), ymd(2026, 1, 5));
        assert_eq!(parse_date("Jan. 5, 2026"), ymd(2026, 1, 5));
        assert_eq!(parse_date("JAN 5 2026"), ymd(2026, 1, 5));
        assert_eq!(parse_date("Sept 30, 2025"), ymd(2025, 9, 30));
        assert_eq!(parse_date("March 1st, 2024"), ymd(2024, 3, 1));
        assert_eq!(parse_date("05-Jan-2026"), ymd(2026, 1, 5));
        assert_eq!(parse_date("5 January 2026"), ymd(2026, 1, 5));
    }

    #[test]
    fn ocr_digit_confusions() {
        assert_eq!(parse_date("O1/O5/2026"), ymd(2026, 1, 5));
        assert_eq!(parse_date("l2/20/2024"), ymd(2024, 12, 20));
        assert_eq!(parse_date("12/2O/2O24"), ymd(2024, 12, 20));
    }

    #[test]
    fn rejects_impossible_or_garbled() {
        for input in [
            "",
            "02/30/2025",
            "13/01/2025",
            "00/10/2025",
            "02/29/2025",
            "1/2",
            "1/2/3/4",
            "Jan 2026",
            "Foo 5, 2026",
            "03/16/199",
            "03/16/3025",
            "Ol/Ol/2026",
            "16/03/1992",
            "1.5e3",
        ] {
            assert_eq!(parse_date(input), None, "{input}");
        }
        assert_eq!(parse_date("02/29/2024"), ymd(2024, 2, 29));
    }

    /// Every supported way of writing `date` with a four-digit year.
    fn styles(date: Date) -> Vec<String> {
        let (y, m, d) = (date.year(), u8::from(date.month()), date.day());
        let name = date.month().to_string();
        let abbrev = &name[..3];
        vec![
            format!("{m:02}/{d:02}/{y}"),
            format!("{m}/{d}/{y}"),
            format!("{m}-{d}-{y}"),
            format!("{name} {d}, {y}"),
            format!("{abbrev} {d}, {y}"),
            format!("{d:02}-{abbrev}-{y}"),
            format!("{y}-{m:02}-{d:02}"),
        ]
    }

    proptest! {
        #[test]
        fn every_style_round_trips(days in 0i32..73_049) {
            let date = ymd(1900, 1, 1).unwrap() + time::Duration::days(i64::from(days));
            for text in styles(date) {
                prop_assert_eq!(parse_date(&text), Some(date), "{}", text);
            }
        }

        #[test]
        fn two_digit_years_round_trip_inside_the_pivot_window(days in 0i32..36_525) {
            let date = ymd(1941, 1, 1).unwrap() + time::Duration::days(i64::from(days));
            let text = format!("{:02}/{:02}/{:02}", u8::from(date.month()), date.day(), date.year() % 100);
            prop_assert_eq!(parse_date(&text), Some(date), "{}", text);
        }

        #[test]
        fn never_panics(input in "\\PC{0,40}") {
            let _ = parse_date(&input);
        }
    }
}
