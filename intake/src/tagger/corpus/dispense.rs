//! Quantity, refills and NDC fields.
//!
//! The quantity span covers the whole written amount ("#30", "thirty (30)",
//! "30 tablets"); the refills span covers the value including its "x" or
//! "times" ("2", "x2", "3 times") or the whole phrase when the phrase is the
//! value ("No refills", "NR").

use rand::Rng;
use rand::rngs::StdRng;

use super::line::{Line, chance, field_gap, pick};
use crate::parse::number::number_words;
use crate::tagger::labels::Role;

const QUANTITY_LABELS: &[&str] = &[
    "Disp:",
    "Disp:",
    "Disp",
    "Disp.",
    "Disp No.",
    "Dispense:",
    "Dispense:",
    "Dispense",
    "Qty:",
    "Qty:",
    "Qty",
    "QTY:",
    "Quantity:",
    "Quantity",
    "Amount:",
    "Mitte:",
    "DISPENSE:",
];
const REFILL_LABELS: &[&str] = &[
    "Refills:",
    "Refills:",
    "Refills:",
    "Refills",
    "Refill:",
    "RF:",
    "RF",
    "Rf:",
    "Refills #:",
    "Repeats:",
    "Refills Authorized:",
    "Refill(s):",
    "REFILLS:",
    "# Refills:",
];
const NDC_LABELS: &[&str] = &[
    "NDC:",
    "NDC:",
    "NDC",
    "NDC#",
    "NDC #:",
    "NDC No.",
    "NDC Code:",
    "ndc",
];

/// Counts prescribers actually write, weighted towards the usual month supplies.
const COMMON_COUNTS: &[u32] = &[
    1, 2, 5, 7, 10, 14, 20, 21, 28, 30, 30, 30, 45, 60, 60, 90, 90, 100, 120, 180,
];

fn count(rng: &mut StdRng) -> u32 {
    if chance(rng, 0.7) {
        COMMON_COUNTS[rng.random_range(0..COMMON_COUNTS.len())]
    } else {
        rng.random_range(1..=240)
    }
}

/// Number words, sometimes printed in capitals ("THIRTY").
fn words_for(rng: &mut StdRng, n: u32) -> String {
    let words = number_words(n);
    if chance(rng, 0.2) {
        words.to_uppercase()
    } else {
        words
    }
}

fn quantity_value(rng: &mut StdRng) -> String {
    let n = count(rng);
    let words = words_for(rng, n);
    let unit = if n <= 3 {
        let unit = pick(
            rng,
            &["inhaler", "tube", "bottle", "box", "pen", "vial", "kit"],
        );
        if n == 1 {
            unit.to_string()
        } else {
            format!("{unit}s")
        }
    } else {
        pick(
            rng,
            &[
                "tablets",
                "tabs",
                "capsules",
                "caps",
                "mL",
                "g",
                "tablet(s)",
                "patches",
                "units",
                "TABS",
            ],
        )
        .to_string()
    };
    match rng.random_range(0..12) {
        0..=2 => format!("#{n}"),
        3 => format!("# {n}"),
        4 => n.to_string(),
        5 => format!("{words} ({n})"),
        6 => format!("{n} ({words})"),
        7 => format!("#{n} ({words})"),
        8..=9 => format!("{n} {unit}"),
        10 => format!("{n} ({words}) {unit}"),
        _ => format!("#{n} {unit}"),
    }
}

pub(super) fn quantity_field(rng: &mut StdRng, line: &mut Line) {
    let value = quantity_value(rng);
    // A bare "#30" needs no label; a bare "30" would be meaningless.
    let label = if value.starts_with('#') && chance(rng, 0.25) {
        ""
    } else {
        pick(rng, QUANTITY_LABELS)
    };
    line.field(rng, label, Role::Quantity, &value);
}

pub(super) fn refills_field(rng: &mut StdRng, line: &mut Line) {
    let n = if chance(rng, 0.8) {
        rng.random_range(0..=5)
    } else {
        rng.random_range(0..=11)
    };
    match rng.random_range(0..20) {
        0..=1 => {
            let phrase = pick(
                rng,
                &[
                    "No refills",
                    "No Refills",
                    "NO REFILLS",
                    "No refill",
                    "NR",
                    "NR",
                    "Non-refillable",
                ],
            );
            line.tag(Role::Refills, phrase);
        }
        2 => {
            let label = pick(rng, &["Refill", "Rpt", "Repeat", "Refills", "RF"]);
            let value = match rng.random_range(0..3) {
                0 => format!("x{n}"),
                1 => format!("x {n}"),
                _ => format!("X{n}"),
            };
            line.field(rng, label, Role::Refills, &value);
        }
        3 => {
            line.o(pick(rng, &["May refill ", "Refill ", "Refill: "]));
            line.tag(Role::Refills, &format!("{n} times"))
                .o(pick(rng, &["", " only"]));
        }
        4 => {
            line.tag(Role::Refills, &n.to_string())
                .o(pick(rng, &[" refills", " Refills", " refill(s)", " RF"]));
        }
        _ => {
            let label = pick(rng, REFILL_LABELS);
            let words = words_for(rng, n);
            let value = match rng.random_range(0..12) {
                0 => words,
                1 => format!("{words} ({n})"),
                2 => format!("{n} ({words})"),
                3 => pick(rng, &["none", "None", "NR", "0", "zero", "PRN"]).to_string(),
                _ => n.to_string(),
            };
            line.field(rng, label, Role::Refills, &value);
        }
    }
}

fn digits(rng: &mut StdRng, n: usize) -> String {
    (0..n)
        .map(|_| char::from(b'0' + rng.random_range(0..10u8)))
        .collect()
}

/// NDCs in the 10- and 11-digit layouts, hyphenated or not, and the partial
/// labeler-product form some labels print.
fn ndc_value(rng: &mut StdRng) -> String {
    let groups: &[usize] = match rng.random_range(0..7) {
        0..=1 => &[5, 4, 2],
        2 => &[4, 4, 2],
        3 => &[5, 3, 2],
        4 => &[5, 4, 1],
        5 => &[11],
        _ => &[4, 4],
    };
    let parts: Vec<String> = groups.iter().map(|&n| digits(rng, n)).collect();
    parts.join("-")
}

pub(super) fn ndc_field(rng: &mut StdRng, line: &mut Line) {
    let label = pick(rng, NDC_LABELS);
    let value = ndc_value(rng);
    line.field(rng, label, Role::Ndc, &value);
}

/// Values that sit beside quantities on real forms but are not quantities.
fn distractor(rng: &mut StdRng) -> String {
    match rng.random_range(0..4) {
        0 => format!("Days Supply: {}", pick(rng, &["30", "90", "7", "10", "28"])),
        1 => format!("Lot: {}", digits(rng, 6)),
        2 => format!(
            "Exp: {:02}/20{}",
            rng.random_range(1..=12),
            rng.random_range(25..=29)
        ),
        _ => pick(
            rng,
            &[
                "Unit of use",
                "Dispense in original container",
                "Brand medically necessary",
            ],
        )
        .to_string(),
    }
}

/// Quantity, refills or NDC alone or combined ("Disp: #30  Refills: 2").
pub(super) fn dispense_line(rng: &mut StdRng) -> Line {
    let mut line = Line::default();
    let fields: &[fn(&mut StdRng, &mut Line)] = match rng.random_range(0..10) {
        0..=2 => &[quantity_field],
        3..=4 => &[refills_field],
        5..=7 => &[quantity_field, refills_field],
        8 => &[refills_field, quantity_field],
        _ => &[quantity_field, refills_field, ndc_field],
    };
    for (i, field) in fields.iter().enumerate() {
        if i > 0 {
            line.o(field_gap(rng));
        }
        field(rng, &mut line);
    }
    if chance(rng, 0.15) {
        line.o(field_gap(rng)).o(&distractor(rng));
    }
    line
}

pub(super) fn ndc_line(rng: &mut StdRng) -> Line {
    let mut line = Line::default();
    ndc_field(rng, &mut line);
    if chance(rng, 0.3) {
        line.o(field_gap(rng)).o(&distractor(rng));
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn spells_numbers_the_way_prescribers_do() {
        assert_eq!(number_words(0), "zero");
        assert_eq!(number_words(13), "thirteen");
        assert_eq!(number_words(30), "thirty");
        assert_eq!(number_words(45), "forty-five");
        assert_eq!(number_words(100), "one hundred");
        assert_eq!(number_words(120), "one hundred twenty");
        assert_eq!(number_words(240), "two hundred forty");
    }

    #[test]
    fn ndc_values_have_ten_or_eleven_digits_unless_partial() {
        let mut rng = StdRng::seed_from_u64(11);
        for _ in 0..200 {
            let ndc = ndc_value(&mut rng);
            let n = ndc.chars().filter(char::is_ascii_digit).count();
            assert!(matches!(n, 8 | 10 | 11), "{ndc}");
            assert!(ndc.chars().all(|c| c.is_ascii_digit() || c == '-'), "{ndc}");
        }
    }

    #[test]
    fn quantity_span_is_the_value_not_the_label() {
        let mut rng = StdRng::seed_from_u64(2);
        for _ in 0..200 {
            let mut line = Line::default();
            quantity_field(&mut rng, &mut line);
            let example = line.finish();
            let [span] = example.spans[..] else {
                panic!("one span expected: {example:?}")
            };
            let value = &example.text[span.start..];
            assert_eq!(span.end, example.text.len());
            assert!(value.chars().any(|c| c.is_ascii_digit()), "{value}");
            assert!(
                !value.to_lowercase().starts_with("disp") && !value.to_lowercase().starts_with("q"),
                "{value}"
            );
        }
    }
}
