//! Lines with nothing to extract: headers, addresses, boilerplate, blank
//! fields, and look-alike values (licence numbers, member IDs, allergy drugs,
//! do-not-fill dates) that the tagger must learn to leave alone.

use rand::Rng;
use rand::rngs::StdRng;

use super::dates::{DATE_LABELS, DOB_LABELS, written_date};
use super::line::{Line, chance, field_gap, pick, vary_case};

const SURNAMES: &[&str] = &[
    "Johnson",
    "Riverside",
    "Lakeview",
    "Patel",
    "Mercy",
    "St. Mary's",
    "Oakwood",
    "Chen",
    "Summit",
];
const CITIES: &[&str] = &[
    "Springfield, IL 62704",
    "Austin, TX 78701",
    "Portland, OR 97205",
    "Albany, NY 12207",
    "Tucson, AZ 85701",
    "Raleigh, NC 27601",
];
const BOILERPLATE: &[&str] = &[
    "Product selection permitted",
    "Dispense as written",
    "Substitution permitted",
    "Do not substitute",
    "Generic substitution permitted",
    "Void if altered",
    "Label",
    "Rx",
    "RX",
    "\u{211e}",
    "PRESCRIPTION",
    "Prescription",
    "Rx Only",
    "Page 1 of 1",
    "Page 1 of 2",
    "DAW",
    "May substitute",
    "Brand medically necessary",
    "Tamper-resistant prescription pad",
    "Security features listed on back",
    "VOID IF ALTERED OR PHOTOCOPIED",
    "Dispense as Written ______   Substitution Permitted ______",
    "Schedule II",
    "Patient Information",
    "Prescriber Information",
    "Refills authorized as indicated below",
    "Continued on next page",
    "ORIGINAL",
];
const BLANK_FIELD_LABELS: &[&str] = &[
    "Patient Name:",
    "Address:",
    "NPI:",
    "DEA#:",
    "Refills:",
    "Qty:",
    "Sig:",
    "Prescriber:",
    "Name:",
    "Phone:",
    "NDC:",
];

fn clinic(rng: &mut StdRng) -> String {
    let place = pick(rng, SURNAMES);
    let kind = pick(
        rng,
        &[
            "Family Medicine",
            "Medical Group",
            "Pediatrics, PC",
            "Internal Medicine Associates",
            "Health Clinic",
            "Dermatology",
            "Urgent Care",
            "Medical Center",
        ],
    );
    vary_case(rng, &format!("{place} {kind}"))
}

fn address(rng: &mut StdRng) -> String {
    let number = rng.random_range(1..9999);
    let street = pick(
        rng,
        &[
            "Main St",
            "Oak Ave",
            "Elm Street",
            "Medical Pkwy",
            "W 5th Ave",
            "Broadway",
            "Park Blvd",
        ],
    );
    match rng.random_range(0..3) {
        0 => format!("{number} {street}, Suite {}", rng.random_range(100..500)),
        1 => format!("{number} {street}, {}", pick(rng, CITIES)),
        _ => pick(rng, CITIES).to_string(),
    }
}

fn phone(rng: &mut StdRng) -> String {
    let (a, b, c) = (
        rng.random_range(201..990),
        rng.random_range(200..999),
        rng.random_range(0..10_000),
    );
    let label = pick(rng, &["Phone:", "Tel:", "Ph:", "Fax:", "Tel", "P:", "F:"]);
    match rng.random_range(0..3) {
        0 => format!("{label} ({a}) {b}-{c:04}"),
        1 => format!("{label} {a}-{b}-{c:04}"),
        _ => format!("{label} {a}.{b}.{c:04}"),
    }
}

/// A label printed on the form with nothing written after it.
fn blank_field(rng: &mut StdRng) -> String {
    let label = match rng.random_range(0..3) {
        0 => pick(rng, DOB_LABELS),
        1 => pick(rng, DATE_LABELS),
        _ => pick(rng, BLANK_FIELD_LABELS),
    };
    format!("{label} {}", "_".repeat(rng.random_range(0..20)))
        .trim_end()
        .to_string()
}

fn lookalike(rng: &mut StdRng) -> String {
    match rng.random_range(0..9) {
        0 => format!(
            "Allergies: {}",
            pick(
                rng,
                &[
                    "NKDA",
                    "None",
                    "Sulfa",
                    "PCN",
                    "Penicillin",
                    "Codeine",
                    "Latex",
                    "NKA"
                ]
            )
        ),
        1 => format!(
            "Member ID: {}{}",
            pick(rng, &["W", "XYZ", "H"]),
            rng.random_range(100_000_000u64..999_999_999)
        ),
        2 => format!(
            "BIN: {:06}  PCN: {}",
            rng.random_range(0..999_999),
            pick(rng, &["ADV", "MEDDPRIME", "9999"])
        ),
        3 => format!(
            "Dx: {}",
            pick(
                rng,
                &[
                    "J02.9 Acute pharyngitis",
                    "E11.9",
                    "I10 Essential hypertension",
                    "ICD-10: F41.1"
                ]
            )
        ),
        4 => format!(
            "{} {}{}",
            pick(rng, &["Lic #:", "State License:", "License No."]),
            pick(rng, &["A", "MD", "G"]),
            rng.random_range(10_000..999_999)
        ),
        5 => format!("Rx #: {}", rng.random_range(1_000_000..9_999_999)),
        6 => format!(
            "Pharmacy: {} #{:05}",
            pick(rng, &["CVS", "Walgreens", "Rite Aid", "Kroger"]),
            rng.random_range(1..99_999)
        ),
        7 => format!(
            "{} {}",
            pick(rng, &["Do not fill before", "Expires:", "Fill on or after"]),
            written_date(rng)
        ),
        _ => format!(
            "{} {}",
            pick(rng, &["Insurance:", "Plan:", "Payer:"]),
            pick(
                rng,
                &[
                    "Blue Cross Blue Shield",
                    "Aetna",
                    "Medicaid",
                    "Medicare Part D",
                    "Self-pay"
                ]
            )
        ),
    }
}

/// One line with no tagged spans.
pub(super) fn filler_line(rng: &mut StdRng) -> Line {
    let text = match rng.random_range(0..20) {
        0..=2 => clinic(rng),
        3..=4 => address(rng),
        5..=6 => phone(rng),
        7..=10 => pick(rng, BOILERPLATE).to_string(),
        11..=12 => format!(
            "{}Signature{}",
            pick(rng, &["", "Prescriber ", "Prescriber's ", "Physician "]),
            pick(rng, &["", ":", " ____________________", ": __________"])
        ),
        13 => format!("X{}", "_".repeat(rng.random_range(5..35))),
        14..=15 => blank_field(rng),
        16 => pick(
            rng,
            &[
                "Sex: M",
                "Sex: F",
                "Gender: Male",
                "Age: 34",
                "Wt: 70 kg",
                "Weight: 154 lb",
                "Ht: 5'8\"",
            ],
        )
        .to_string(),
        _ => lookalike(rng),
    };
    let mut line = Line::default();
    line.o(&text);
    if chance(rng, 0.1) {
        line.o(field_gap(rng)).o(&phone(rng));
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn filler_lines_have_text_and_no_spans() {
        let mut rng = StdRng::seed_from_u64(12);
        for _ in 0..300 {
            let example = filler_line(&mut rng).finish();
            assert!(example.spans.is_empty(), "{example:?}");
            assert!(!example.text.trim().is_empty());
        }
    }
}
