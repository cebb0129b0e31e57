//! Line builder and the small random helpers every generator shares.

use rand::Rng;
use rand::rngs::StdRng;

use super::Example;
use crate::tagger::labels::{Role, Span};

/// Accumulates a line's text, recording the exact byte range of each value
/// as it is appended so labels can never drift from the text.
#[derive(Debug, Default)]
pub(super) struct Line {
    text: String,
    spans: Vec<Span>,
}

impl Line {
    /// Appends untagged text (label words, punctuation, filler).
    pub(super) fn o(&mut self, text: &str) -> &mut Self {
        self.text.push_str(text);
        self
    }

    /// Appends a value tagged with `role`.
    ///
    /// Values must be non-empty and carry no edge whitespace; generators that
    /// break this would teach the model sloppy boundaries, so debug builds
    /// (and therefore the tests) reject it.
    pub(super) fn tag(&mut self, role: Role, value: &str) -> &mut Self {
        debug_assert!(
            !value.is_empty() && value.trim() == value,
            "bad value {value:?}"
        );
        let start = self.text.len();
        self.text.push_str(value);
        self.spans.push(Span {
            start,
            end: self.text.len(),
            role,
        });
        self
    }

    /// Appends `label`, a gap, then `value` tagged with `role`.
    pub(super) fn field(
        &mut self,
        rng: &mut StdRng,
        label: &str,
        role: Role,
        value: &str,
    ) -> &mut Self {
        self.o(label).o(label_gap(rng, label)).tag(role, value)
    }

    pub(super) fn finish(self) -> Example {
        Example {
            text: self.text,
            spans: self.spans,
        }
    }
}

/// Uniform choice from a non-empty constant table.
pub(super) fn pick<'a>(rng: &mut StdRng, items: &[&'a str]) -> &'a str {
    items[rng.random_range(0..items.len())]
}

pub(super) fn chance(rng: &mut StdRng, p: f64) -> bool {
    rng.random_bool(p)
}

/// Space between a label word and its value. Printed forms sometimes butt
/// the value against a colon or `#` ("NPI#1234567893").
fn label_gap(rng: &mut StdRng, label: &str) -> &'static str {
    let tight = label.ends_with([':', '#', '.']) && chance(rng, 0.06);
    match rng.random_range(0..10) {
        _ if tight || label.is_empty() => "",
        0 => "  ",
        _ => " ",
    }
}

/// Space between two fields sharing a line ("Disp: #30  Refills: 2").
pub(super) fn field_gap(rng: &mut StdRng) -> &'static str {
    pick(
        rng,
        &[
            "  ", "  ", "   ", "    ", " ", " | ", ", ", "; ", " - ", "\t",
        ],
    )
}

/// Names and drug words appear as typed, shouted or lower-cased on real forms.
pub(super) fn vary_case(rng: &mut StdRng, text: &str) -> String {
    match rng.random_range(0..20) {
        0..=9 => text.to_string(),
        10..=14 => text.to_uppercase(),
        15..=17 => title_case(text),
        _ => text.to_lowercase(),
    }
}

/// Upper-cases the first letter of each word and lower-cases the rest.
pub(super) fn title_case(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut at_word_start = true;
    for c in text.chars() {
        if at_word_start {
            out.extend(c.to_uppercase());
        } else {
            out.extend(c.to_lowercase());
        }
        at_word_start = c.is_whitespace() || c == '-' || c == '/';
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn records_exact_value_ranges() {
        let mut rng = StdRng::seed_from_u64(1);
        let mut line = Line::default();
        line.o("Qty: ").tag(Role::Quantity, "30").o("  ");
        line.field(&mut rng, "", Role::Refills, "NR");
        let example = line.finish();
        assert_eq!(example.text, "Qty: 30  NR");
        assert_eq!(
            example.spans,
            [
                Span {
                    start: 5,
                    end: 7,
                    role: Role::Quantity
                },
                Span {
                    start: 9,
                    end: 11,
                    role: Role::Refills
                },
            ]
        );
    }

    #[test]
    fn title_case_handles_hyphens_and_caps() {
        assert_eq!(title_case("BACTRIM DS"), "Bactrim Ds");
        assert_eq!(title_case("smith-jones"), "Smith-Jones");
    }
}
