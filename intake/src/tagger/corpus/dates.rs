//! Dates of birth and dates written, in the many ways US forms print them.

use rand::Rng;
use rand::rngs::StdRng;

use super::line::{Line, pick};
use crate::tagger::labels::Role;

pub(super) const DOB_LABELS: &[&str] = &[
    "DOB:",
    "DOB:",
    "DOB",
    "D.O.B.",
    "D.O.B:",
    "Date of Birth:",
    "Date of birth:",
    "Birth Date:",
    "Birthdate:",
    "Born:",
    "Born",
    "DOB -",
    "dob:",
    "B/D:",
];

pub(super) const DATE_LABELS: &[&str] = &[
    "Date:",
    "Date:",
    "Date",
    "Date Written:",
    "Rx Date:",
    "Issued:",
    "Date Issued:",
    "Written:",
    "Date of Rx:",
    "Dated:",
    "Date Prescribed:",
    "DATE:",
    "Written on",
    "Issue Date:",
];

/// A date of birth: pediatric through elderly, so the year alone never tells
/// a birth date from a recent one.
pub(super) fn birth_date(rng: &mut StdRng) -> String {
    let year = rng.random_range(1925..=2025);
    format_date(rng, year)
}

/// A plausible date the prescription was written.
pub(super) fn written_date(rng: &mut StdRng) -> String {
    let year = rng.random_range(2022..=2026);
    format_date(rng, year)
}

pub(super) fn dob_field(rng: &mut StdRng, line: &mut Line) {
    let label = pick(rng, DOB_LABELS);
    let value = birth_date(rng);
    line.field(rng, label, Role::Dob, &value);
}

pub(super) fn date_field(rng: &mut StdRng, line: &mut Line) {
    let label = pick(rng, DATE_LABELS);
    let value = written_date(rng);
    line.field(rng, label, Role::Date, &value);
}

fn format_date(rng: &mut StdRng, year: u32) -> String {
    let month = rng.random_range(1..=12);
    let day = rng.random_range(1..=days_in_month(year, month));
    // time's month names are the printed English ones ("January").
    let name = time::Month::try_from(month as u8)
        .map(|m| m.to_string())
        .unwrap_or_default();
    let abbr = name.get(..3).unwrap_or_default();
    let yy = year % 100;
    match rng.random_range(0..20) {
        0..=3 => format!("{month:02}/{day:02}/{year}"),
        4..=6 => format!("{month}/{day}/{year}"),
        7..=8 => format!("{month:02}/{day:02}/{yy:02}"),
        9 => format!("{month}/{day}/{yy:02}"),
        10 => format!("{month}-{day}-{year}"),
        11 => format!("{month:02}-{day:02}-{year}"),
        12 => format!("{name} {day}, {year}"),
        13 => format!("{abbr} {day}, {year}"),
        14 if month != 5 => format!("{abbr}. {day}, {year}"),
        15 => format!("{day:02}-{abbr}-{year}"),
        16 => format!("{day:02}-{}-{year}", abbr.to_uppercase()),
        17 => format!("{day} {abbr} {year}"),
        18 => format!("{year}-{month:02}-{day:02}"),
        _ => format!("{month:02}.{day:02}.{year}"),
    }
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        2 if year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400)) => {
            29
        }
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn month_lengths_follow_the_calendar() {
        assert_eq!(days_in_month(2024, 2), 29);
        assert_eq!(days_in_month(1900, 2), 28);
        assert_eq!(days_in_month(2000, 2), 29);
        assert_eq!(days_in_month(2025, 11), 30);
        assert_eq!(days_in_month(2025, 12), 31);
    }

    #[test]
    fn written_dates_mention_a_recent_year() {
        let mut rng = StdRng::seed_from_u64(3);
        for _ in 0..200 {
            let date = written_date(&mut rng);
            let recent = ["22", "23", "24", "25", "26"]
                .iter()
                .any(|y| date.contains(y));
            assert!(recent, "{date}");
            assert!(date.chars().any(|c| c.is_ascii_digit()), "{date}");
        }
    }
}
