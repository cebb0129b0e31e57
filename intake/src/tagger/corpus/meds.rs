//! Drug lines: name, strength and dosage form as separate spans.

use rand::Rng;
use rand::rngs::StdRng;

use super::DrugEntry;
use super::dispense::{ndc_field, quantity_field, refills_field};
use super::line::{Line, chance, field_gap, pick, vary_case};
use super::sig::sig_text;
use crate::tagger::labels::Role;

const PREFIXES: &[&str] = &[
    "",
    "",
    "",
    "",
    "",
    "Rx: ",
    "Rx ",
    "RX: ",
    "Rx: ",
    "\u{211e} ",
    "1. ",
    "2. ",
    "1) ",
    "Medication: ",
    "Drug: ",
    "Med: ",
    "Medication Name: ",
    "- ",
    "Rx: 1. ",
    "Drug Name: ",
];

/// Abbreviations printed for common dosage forms, keyed by the canonical form.
const FORM_ABBREVIATIONS: &[(&str, &[&str])] = &[
    (
        "tablet",
        &[
            "tab",
            "tabs",
            "tablet",
            "tablets",
            "TAB",
            "Tab",
            "TABS",
            "tab(s)",
            "oral tablet",
        ],
    ),
    (
        "capsule",
        &[
            "cap",
            "caps",
            "capsule",
            "capsules",
            "CAP",
            "Cap",
            "CAPS",
            "oral capsule",
        ],
    ),
    (
        "suspension",
        &["susp", "suspension", "SUSP", "oral susp", "oral suspension"],
    ),
    (
        "solution",
        &["soln", "sol", "solution", "oral solution", "SOLN"],
    ),
    ("cream", &["cream", "crm", "CREAM", "topical cream"]),
    ("ointment", &["oint", "ointment", "ung", "OINT"]),
    (
        "injection",
        &["inj", "injection", "INJ", "soln for injection"],
    ),
    ("inhaler", &["inhaler", "INH", "inh", "MDI"]),
];

/// The entry's form as a prescriber might abbreviate it.
fn form_text(rng: &mut StdRng, form: &str) -> String {
    let lower = form.to_lowercase();
    let known = FORM_ABBREVIATIONS
        .iter()
        .find(|(canonical, _)| lower == *canonical || lower.strip_suffix('s') == Some(canonical));
    match known {
        Some((_, variants)) if chance(rng, 0.8) => pick(rng, variants).to_string(),
        _ => vary_case(rng, form),
    }
}

/// The entry's strength, sometimes with the number glued to its unit ("10mg")
/// or the unit in capitals, as typed prescriptions often show it.
fn strength_text(rng: &mut StdRng, strength: &str) -> String {
    match rng.random_range(0..10) {
        0..=2 => glue_units(strength),
        3 => strength.to_uppercase(),
        _ => strength.to_string(),
    }
}

/// Drops a space between a digit and the letter after it ("250 mg/5 mL" → "250mg/5mL").
fn glue_units(strength: &str) -> String {
    let chars: Vec<char> = strength.chars().collect();
    chars
        .iter()
        .enumerate()
        .filter(|&(i, &c)| {
            let between = i > 0 && i + 1 < chars.len() && chars[i - 1].is_ascii_digit();
            !(c == ' ' && between && chars[i + 1].is_alphabetic())
        })
        .map(|(_, &c)| c)
        .collect()
}

/// A usable value from an entry list: trimmed and non-empty.
fn pick_value<'a>(rng: &mut StdRng, values: &'a [String]) -> Option<&'a str> {
    let usable: Vec<&str> = values
        .iter()
        .map(|v| v.trim())
        .filter(|v| !v.is_empty())
        .collect();
    (!usable.is_empty()).then(|| usable[rng.random_range(0..usable.len())])
}

/// "Rx: alosetron hydrochloride 1mg TAB #30" and the many layouts like it.
/// `drug.name` must be non-empty after trimming.
pub(super) fn drug_line(rng: &mut StdRng, drug: &DrugEntry) -> Line {
    let mut line = Line::default();
    line.o(pick(rng, PREFIXES));
    line.tag(Role::Drug, &vary_case(rng, drug.name.trim()));

    let strength = pick_value(rng, &drug.strengths).map(|s| strength_text(rng, s));
    let form = pick_value(rng, &drug.forms)
        .filter(|_| chance(rng, 0.75))
        .map(|f| form_text(rng, f));
    let mut parts: Vec<(Role, String)> =
        strength.map(|s| (Role::Strength, s)).into_iter().collect();
    parts.extend(form.map(|f| (Role::Form, f)));
    if chance(rng, 0.12) {
        parts.reverse();
    }
    for (role, text) in &parts {
        line.o(pick(rng, &[" ", " ", " ", " ", "  ", ", "]))
            .tag(*role, text);
    }
    let form = parts
        .iter()
        .find(|(role, _)| *role == Role::Form)
        .map(|(_, text)| text.as_str());
    drug_line_tail(rng, &mut line, form);
    line
}

/// What follows the product on the same line, if anything; `form` is the
/// form printed on the line, so trailing directions use a matching route.
fn drug_line_tail(rng: &mut StdRng, line: &mut Line, form: Option<&str>) {
    match rng.random_range(0..100) {
        0..=13 => {
            line.o(pick(rng, &[" ", "  ", ", "]));
            quantity_field(rng, line);
        }
        14..=17 => {
            line.o(field_gap(rng));
            quantity_field(rng, line);
            line.o(field_gap(rng));
            refills_field(rng, line);
        }
        18..=24 => {
            line.o(pick(rng, &[", ", " - ", "; ", "  Sig: ", " -- "]));
            line.tag(Role::Sig, &sig_text(rng, form));
        }
        25..=28 => {
            line.o(field_gap(rng));
            ndc_field(rng, line);
        }
        29..=32 => {
            line.o(pick(
                rng,
                &[
                    " (generic OK)",
                    " DAW",
                    " - brand medically necessary",
                    " (substitution permitted)",
                    " *C-II*",
                ],
            ));
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    fn entry(name: &str, strengths: &[&str], forms: &[&str]) -> DrugEntry {
        DrugEntry {
            name: name.to_string(),
            strengths: strengths.iter().map(|s| s.to_string()).collect(),
            forms: forms.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn glues_digits_to_units_only() {
        assert_eq!(glue_units("250 mg/5 mL"), "250mg/5mL");
        assert_eq!(glue_units("800-160 mg"), "800-160mg");
        assert_eq!(glue_units("80 mcg/actuation"), "80mcg/actuation");
        assert_eq!(glue_units("1 mg per 2 doses"), "1mg per 2doses");
    }

    #[test]
    fn tags_name_strength_and_form_separately() {
        let mut rng = StdRng::seed_from_u64(6);
        let drug = entry("Bactrim DS", &["800-160 mg"], &["tablet"]);
        for _ in 0..200 {
            let example = drug_line(&mut rng, &drug).finish();
            let text_of = |role| {
                example
                    .spans
                    .iter()
                    .find(|s| s.role == role)
                    .map(|s| &example.text[s.start..s.end])
            };
            assert_eq!(
                text_of(Role::Drug).map(str::to_lowercase).as_deref(),
                Some("bactrim ds")
            );
            let strength = text_of(Role::Strength).map(str::to_lowercase);
            assert!(
                matches!(strength.as_deref(), Some("800-160 mg" | "800-160mg")),
                "{example:?}"
            );
            if let Some(form) = text_of(Role::Form) {
                assert!(form.to_lowercase().contains("tab"), "{form}");
            }
        }
    }

    #[test]
    fn blank_strengths_and_forms_are_skipped() {
        let mut rng = StdRng::seed_from_u64(7);
        let drug = entry("  lisinopril ", &["", "  "], &[]);
        for _ in 0..50 {
            let example = drug_line(&mut rng, &drug).finish();
            assert!(
                !example
                    .spans
                    .iter()
                    .any(|s| matches!(s.role, Role::Strength | Role::Form))
            );
            assert!(example.spans.iter().any(|s| s.role == Role::Drug));
        }
    }
}
