//! Prescriber names, NPI and DEA numbers, and signature lines.
//!
//! A prescriber span covers the name as printed, honorific and credentials
//! included ("Dr. Jane Smith", "T. Johansson, MD"): the credential tells an
//! MD from an NP or PA, and the normaliser strips what it does not need.

use rand::Rng;
use rand::rngs::StdRng;

use super::dates::{DATE_LABELS, written_date};
use super::line::{Line, chance, field_gap, pick};
use super::people::Person;
use crate::tagger::labels::Role;

const PHYSICIAN_CREDENTIALS: &[&str] = &[
    "MD", "MD", "M.D.", "DO", "D.O.", "MD, PhD", "MD, FACP", "DDS", "DPM", "DMD", "OD",
];
const MIDLEVEL_CREDENTIALS: &[&str] = &["NP", "FNP-C", "PA-C", "PA", "APRN", "DNP", "CNM"];

const PRESCRIBER_LABELS: &[&str] = &[
    "Prescriber:",
    "Prescriber:",
    "Prescribing Physician:",
    "Physician:",
    "Provider:",
    "Doctor:",
    "Prescribed by:",
    "Ordering Provider:",
    "Prescriber Name:",
    "Attending:",
    "PRESCRIBER:",
    "Practitioner:",
    "Dr:",
];
const NPI_LABELS: &[&str] = &[
    "NPI:",
    "NPI:",
    "NPI",
    "NPI#",
    "NPI #:",
    "NPI No.",
    "NPI No:",
    "NPI Number:",
    "Individual NPI:",
    "npi:",
];
const DEA_LABELS: &[&str] = &[
    "DEA:",
    "DEA:",
    "DEA",
    "DEA#",
    "DEA #:",
    "DEA No.",
    "DEA No:",
    "DEA Reg #:",
    "DEA Number:",
    "dea:",
];

/// A prescriber and the identifiers printed with them.
struct Prescriber {
    name: String,
    npi: String,
    dea: String,
}

impl Prescriber {
    fn random(rng: &mut StdRng) -> Prescriber {
        let person = Person::random(rng);
        let midlevel = chance(rng, 0.25);
        let name = printed_name(rng, &person, midlevel);
        let npi = npi(rng);
        let dea = dea(rng, person.last, midlevel);
        Prescriber { name, npi, dea }
    }
}

fn printed_name(rng: &mut StdRng, person: &Person, midlevel: bool) -> String {
    let (first, last) = (person.first, person.last);
    let fi: String = first.chars().take(1).collect();
    let base = match (rng.random_range(0..8), person.middle) {
        (0..=2, _) => format!("{first} {last}"),
        (3..=4, Some(middle)) => format!(
            "{first} {}. {last}",
            middle.chars().take(1).collect::<String>()
        ),
        (5, _) => format!("{fi}. {last}"),
        (6, _) => format!("{} {}", first.to_uppercase(), last.to_uppercase()),
        _ => format!("{last}, {first}"),
    };
    let credentials = if midlevel {
        MIDLEVEL_CREDENTIALS
    } else {
        PHYSICIAN_CREDENTIALS
    };
    let credential = pick(rng, credentials);
    let shouting = base
        .chars()
        .filter(|c| c.is_alphabetic())
        .all(char::is_uppercase);
    match rng.random_range(0..10) {
        0..=2 if !midlevel => match rng.random_range(0..4) {
            0 => format!("Dr. {last}"),
            1 => format!("DR. {} {}", first.to_uppercase(), last.to_uppercase()),
            2 => format!("Dr {first} {last}"),
            _ => format!("Dr. {first} {last}"),
        },
        3 => format!("{base} {credential}"),
        _ if shouting => format!("{base}, {}", credential.to_uppercase()),
        _ => format!("{base}, {credential}"),
    }
}

/// A 10-digit NPI with a valid check digit (Luhn over the "80840" prefix),
/// so a normaliser that validates NPIs accepts the training values.
pub(super) fn npi(rng: &mut StdRng) -> String {
    let mut digits: Vec<u32> = vec![rng.random_range(1..=2)];
    digits.extend((0..8).map(|_| rng.random_range(0..10)));
    digits.push(npi_check_digit(&digits));
    digits.iter().map(u32::to_string).collect()
}

fn npi_check_digit(first_nine: &[u32]) -> u32 {
    // 24 is the Luhn contribution of the constant "80840" prefix.
    let sum: u32 = first_nine
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            if i % 2 == 0 {
                (d * 2) / 10 + (d * 2) % 10
            } else {
                d
            }
        })
        .sum::<u32>()
        + 24;
    (10 - sum % 10) % 10
}

/// A DEA number: registrant letter (M for mid-levels), the surname's initial,
/// six digits and the DEA check digit.
pub(super) fn dea(rng: &mut StdRng, surname: &str, midlevel: bool) -> String {
    let registrant = if midlevel {
        "M"
    } else {
        pick(rng, &["A", "B", "F", "G"])
    };
    let initial = surname
        .chars()
        .next()
        .filter(char::is_ascii_alphabetic)
        .unwrap_or('9');
    let digits: Vec<u32> = (0..6).map(|_| rng.random_range(0..10)).collect();
    let body: String = digits.iter().map(u32::to_string).collect();
    format!(
        "{registrant}{}{body}{}",
        initial.to_ascii_uppercase(),
        dea_check_digit(&digits)
    )
}

fn dea_check_digit(d: &[u32]) -> u32 {
    (d[0] + d[2] + d[4] + 2 * (d[1] + d[3] + d[5])) % 10
}

fn npi_field(rng: &mut StdRng, line: &mut Line, npi: &str) {
    let label = pick(rng, NPI_LABELS);
    line.field(rng, label, Role::Npi, npi);
}

fn dea_field(rng: &mut StdRng, line: &mut Line, dea: &str) {
    let label = pick(rng, DEA_LABELS);
    line.field(rng, label, Role::Dea, dea);
}

/// "Prescriber: T. Johansson, MD", often with a specialty or ID after it.
pub(super) fn prescriber_line(rng: &mut StdRng) -> Line {
    let doc = Prescriber::random(rng);
    let mut line = Line::default();
    let label = if chance(rng, 0.45) {
        ""
    } else {
        pick(rng, PRESCRIBER_LABELS)
    };
    line.field(rng, label, Role::Prescriber, &doc.name);
    match rng.random_range(0..10) {
        0..=1 => {
            line.o(field_gap(rng));
            npi_field(rng, &mut line, &doc.npi);
        }
        2 => {
            line.o(field_gap(rng));
            dea_field(rng, &mut line, &doc.dea);
        }
        3..=4 => {
            let specialty = pick(
                rng,
                &[
                    "Internal Medicine",
                    "Family Practice",
                    "Pediatrics",
                    "Cardiology",
                    "Board Certified",
                    "Dermatology",
                ],
            );
            line.o(field_gap(rng)).o(specialty);
        }
        5 => {
            line.o(field_gap(rng));
            let label = pick(rng, DATE_LABELS);
            let date = written_date(rng);
            line.field(rng, label, Role::Date, &date);
        }
        _ => {}
    }
    line
}

/// NPI and/or DEA lines, sometimes beside a state licence number that must stay O.
pub(super) fn ids_line(rng: &mut StdRng) -> Line {
    let doc = Prescriber::random(rng);
    let mut line = Line::default();
    match rng.random_range(0..20) {
        0..=7 => npi_field(rng, &mut line, &doc.npi),
        8..=12 => dea_field(rng, &mut line, &doc.dea),
        13..=16 => {
            npi_field(rng, &mut line, &doc.npi);
            line.o(field_gap(rng));
            dea_field(rng, &mut line, &doc.dea);
        }
        _ => {
            dea_field(rng, &mut line, &doc.dea);
            line.o(field_gap(rng));
            npi_field(rng, &mut line, &doc.npi);
        }
    }
    if chance(rng, 0.2) {
        let licence = format!(
            "{} {}{}",
            pick(rng, &["Lic #:", "State Lic:", "License:", "CA Lic."]),
            pick(rng, &["A", "MD", "G"]),
            rng.random_range(10_000..999_999)
        );
        line.o(field_gap(rng)).o(&licence);
    }
    line
}

/// Signature blocks: the printed name and IDs are tagged, the rule is not.
pub(super) fn signature_line(rng: &mut StdRng) -> Line {
    let doc = Prescriber::random(rng);
    let rule = "_".repeat(rng.random_range(8..30));
    let mut line = Line::default();
    match rng.random_range(0..5) {
        0 => {
            line.o(&rule).o(" ").tag(Role::Prescriber, &doc.name);
        }
        1 => {
            line.o("Signature: ")
                .o(&rule)
                .o(field_gap(rng))
                .tag(Role::Prescriber, &doc.name);
        }
        2 => {
            line.o("X")
                .o(&rule)
                .o(" ")
                .tag(Role::Prescriber, &doc.name)
                .o(", ");
            npi_field(rng, &mut line, &doc.npi);
        }
        3 => {
            line.o("Electronically signed by ")
                .tag(Role::Prescriber, &doc.name)
                .o(" on ");
            line.tag(Role::Date, &written_date(rng));
        }
        _ => {
            line.tag(Role::Prescriber, &doc.name)
                .o(" ")
                .o(&rule)
                .o(field_gap(rng));
            dea_field(rng, &mut line, &doc.dea);
        }
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    fn digits(s: &str) -> Vec<u32> {
        s.chars().filter_map(|c| c.to_digit(10)).collect()
    }

    #[test]
    fn npi_check_digit_matches_known_numbers() {
        assert_eq!(npi_check_digit(&digits("123456789")), 3);
        assert_eq!(npi_check_digit(&digits("106555388")), 9);
    }

    #[test]
    fn dea_check_digit_matches_known_number() {
        // BJ3333058: 3+3+0 + 2*(3+3+5) = 28.
        assert_eq!(dea_check_digit(&digits("333305")), 8);
    }

    #[test]
    fn generated_ids_are_valid() {
        let mut rng = StdRng::seed_from_u64(5);
        for _ in 0..100 {
            let n = digits(&npi(&mut rng));
            assert_eq!(n.len(), 10);
            assert_eq!(npi_check_digit(&n[..9]), n[9]);
            let d = dea(&mut rng, "O'Neil", false);
            assert_eq!(d.len(), 9);
            assert_eq!(&d[1..2], "O");
            let dd = digits(&d);
            assert_eq!(dea_check_digit(&dd[..6]), dd[6]);
        }
        assert!(dea(&mut rng, "Ng", true).starts_with("MN"));
    }
}
