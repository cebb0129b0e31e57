//! Synthetic, exactly labelled prescription lines for training the tagger head.
//!
//! Every value is appended through a builder that records its byte range as
//! it writes it, so labels are exact by construction. Layouts, label words,
//! value formats and casing are drawn independently so the head cannot key
//! on any one template; the test set comes from other forms entirely.

mod dates;
mod dispense;
mod filler;
mod line;
mod meds;
mod people;
mod prescriber;
mod sig;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};

use super::labels::Span;
use line::{Line, chance, field_gap};

/// One OCR line and its tagged spans, sorted and non-overlapping.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Example {
    pub text: String,
    pub spans: Vec<Span>,
}

/// A drug from the knowledge base: name (generic or brand) with the
/// strengths and dosage forms it is sold in, as printed ("10 mg", "tablet").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DrugEntry {
    pub name: String,
    pub strengths: Vec<String>,
    pub forms: Vec<String>,
}

/// The kinds of line a prescription holds, with how often each is drawn.
/// Weights keep every role in well over 5% of lines and about a quarter of
/// lines all-O, as on real forms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Filler,
    Patient,
    PatientDob,
    HeaderCombo,
    Dob,
    Date,
    Prescriber,
    Ids,
    Signature,
    Drug,
    Sig,
    Dispense,
    Ndc,
}

const KINDS: [(Kind, u32); 13] = [
    (Kind::Filler, 25),
    (Kind::Patient, 7),
    (Kind::PatientDob, 4),
    (Kind::HeaderCombo, 4),
    (Kind::Dob, 3),
    (Kind::Date, 4),
    (Kind::Prescriber, 6),
    (Kind::Ids, 8),
    (Kind::Signature, 3),
    (Kind::Drug, 15),
    (Kind::Sig, 8),
    (Kind::Dispense, 8),
    (Kind::Ndc, 5),
];

/// `n` labelled lines, reproducible from `seed`.
///
/// Drug lines use names, strengths and forms from `drugs`; entries with a
/// blank name are ignored, and with no usable entry no drug lines are made.
pub fn generate(drugs: &[DrugEntry], n: usize, seed: u64) -> Vec<Example> {
    let mut rng = StdRng::seed_from_u64(seed);
    let drugs: Vec<&DrugEntry> = drugs.iter().filter(|d| !d.name.trim().is_empty()).collect();
    (0..n).map(|_| example(&mut rng, &drugs)).collect()
}

fn example(rng: &mut StdRng, drugs: &[&DrugEntry]) -> Example {
    let line = match draw_kind(rng, !drugs.is_empty()) {
        Kind::Filler => filler::filler_line(rng),
        Kind::Patient => people::patient_line(rng),
        Kind::PatientDob => people::patient_dob_line(rng),
        Kind::HeaderCombo => people::header_combo_line(rng),
        Kind::Dob => single_field(rng, dates::dob_field),
        Kind::Date => single_field(rng, dates::date_field),
        Kind::Prescriber => prescriber::prescriber_line(rng),
        Kind::Ids => prescriber::ids_line(rng),
        Kind::Signature => prescriber::signature_line(rng),
        // draw_kind only yields Drug when `drugs` is non-empty.
        Kind::Drug => {
            let drug = drugs[rng.random_range(0..drugs.len())];
            meds::drug_line(rng, drug)
        }
        Kind::Sig => sig::sig_line(rng),
        Kind::Dispense => dispense::dispense_line(rng),
        Kind::Ndc => dispense::ndc_line(rng),
    };
    let mut example = line.finish();
    // Many pads print in capitals; ASCII upper-casing keeps byte offsets valid.
    if chance(rng, 0.08) {
        example.text.make_ascii_uppercase();
    }
    example
}

fn draw_kind(rng: &mut StdRng, has_drugs: bool) -> Kind {
    let weight = |&(kind, w): &(Kind, u32)| {
        if kind == Kind::Drug && !has_drugs {
            0
        } else {
            w
        }
    };
    let mut ticket = rng.random_range(0..KINDS.iter().map(weight).sum::<u32>());
    for entry in &KINDS {
        if ticket < weight(entry) {
            return entry.0;
        }
        ticket -= weight(entry);
    }
    Kind::Filler
}

/// A line holding one field, sometimes trailed by an unrelated O field.
fn single_field(rng: &mut StdRng, field: fn(&mut StdRng, &mut Line)) -> Line {
    let mut line = Line::default();
    field(rng, &mut line);
    if chance(rng, 0.2) {
        let extra = line::pick(rng, &["Sex: F", "Sex: M", "Age: 58", "Page 1 of 1", "Rx"]);
        line.o(field_gap(rng)).o(extra);
    }
    line
}

/// Drugs shaped like knowledge-base entries, for tests across the tagger.
#[cfg(test)]
pub(crate) fn sample_drugs() -> Vec<DrugEntry> {
    let entry = |name: &str, strengths: &[&str], forms: &[&str]| DrugEntry {
        name: name.to_string(),
        strengths: strengths.iter().map(|s| s.to_string()).collect(),
        forms: forms.iter().map(|s| s.to_string()).collect(),
    };
    vec![
        entry("alosetron hydrochloride", &["1 mg", "0.5 mg"], &["tablet"]),
        entry("Methyltestosterone", &["10 mg"], &["capsule", "tablet"]),
        entry(
            "Amoxicillin",
            &["500 mg", "250 mg/5 mL"],
            &["capsule", "suspension"],
        ),
        entry("Lisinopril", &["10 mg", "20 mg"], &["tablet"]),
        entry("BACTRIM DS", &["800-160 mg"], &["tablet"]),
        entry("Beclomethasone", &["80 mcg/actuation"], &["HFA inhaler"]),
        entry("Zestril", &["10 mg"], &["tablet"]),
        entry("Lipitor", &["40 mg"], &[]),
        entry("hydrocortisone", &["1%"], &["cream", "ointment"]),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tagger::labels::{Role, spans_from_labels, token_labels};
    use proptest::prelude::*;
    use std::collections::HashSet;

    /// Offsets the way BERT's basic tokenizer splits: on whitespace, and each
    /// ASCII punctuation mark on its own. Word pieces only split further.
    fn bert_words(text: &str) -> Vec<(usize, usize)> {
        let mut offsets = Vec::new();
        let mut start = None;
        for (i, c) in text.char_indices() {
            if c.is_whitespace() || c.is_ascii_punctuation() {
                offsets.extend(start.take().map(|s| (s, i)));
                if c.is_ascii_punctuation() {
                    offsets.push((i, i + 1));
                }
            } else if start.is_none() {
                start = Some(i);
            }
        }
        offsets.extend(start.map(|s| (s, text.len())));
        offsets
    }

    fn check_spans(example: &Example) -> Result<(), TestCaseError> {
        let text = &example.text;
        let mut previous_end = 0;
        for span in &example.spans {
            prop_assert!(
                span.start < span.end && span.end <= text.len(),
                "{example:?}"
            );
            prop_assert!(text.is_char_boundary(span.start) && text.is_char_boundary(span.end));
            prop_assert!(
                span.start >= previous_end,
                "overlap or unsorted: {example:?}"
            );
            let value = &text[span.start..span.end];
            prop_assert_eq!(value.trim(), value, "edge whitespace in {:?}", example);
            previous_end = span.end;
        }
        Ok(())
    }

    #[test]
    fn same_seed_same_corpus() {
        let drugs = sample_drugs();
        let a = generate(&drugs, 300, 42);
        assert_eq!(a.len(), 300);
        assert_eq!(a, generate(&drugs, 300, 42));
        assert_ne!(a, generate(&drugs, 300, 43));
    }

    #[test]
    fn every_role_is_well_represented_and_a_quarter_is_all_o() {
        let corpus = generate(&sample_drugs(), 4000, 7);
        let share = |hit: &dyn Fn(&Example) -> bool| {
            corpus.iter().filter(|e| hit(e)).count() as f64 / 4000.0
        };
        for role in Role::ALL {
            let s = share(&|e| e.spans.iter().any(|sp| sp.role == role));
            assert!(s >= 0.05, "{role:?} only in {s:.3} of lines");
        }
        let all_o = share(&|e| e.spans.is_empty());
        assert!((0.2..=0.3).contains(&all_o), "all-O share {all_o:.3}");
    }

    #[test]
    fn clean_spans_align_with_bert_word_boundaries() {
        for example in generate(&sample_drugs(), 3000, 11) {
            let offsets = bert_words(&example.text);
            let labels = token_labels(&example.spans, &offsets);
            assert_eq!(
                spans_from_labels(&offsets, &labels),
                example.spans,
                "{:?}",
                example.text
            );
        }
    }

    #[test]
    fn lines_are_varied() {
        let corpus = generate(&sample_drugs(), 4000, 3);
        let texts: HashSet<&str> = corpus.iter().map(|e| e.text.as_str()).collect();
        assert!(texts.len() > 3400, "{} distinct lines", texts.len());
        // What precedes the first value is the label word and layout.
        let lead_ins: HashSet<&str> = corpus
            .iter()
            .filter_map(|e| e.spans.first().map(|s| e.text[..s.start].trim()))
            .collect();
        assert!(lead_ins.len() > 150, "{} distinct lead-ins", lead_ins.len());
    }

    #[test]
    fn drug_names_come_from_the_entries() {
        let drugs = sample_drugs();
        let names: HashSet<String> = drugs.iter().map(|d| d.name.to_lowercase()).collect();
        let corpus = generate(&drugs, 2000, 5);
        let tagged: Vec<String> = corpus
            .iter()
            .flat_map(|e| {
                e.spans
                    .iter()
                    .filter(|s| s.role == Role::Drug)
                    .map(|s| e.text[s.start..s.end].to_lowercase())
            })
            .collect();
        assert!(tagged.len() > 200);
        assert!(tagged.iter().all(|t| names.contains(t)), "{tagged:?}");
        assert!(tagged.iter().any(|t| t == "bactrim ds"));
    }

    #[test]
    fn without_drugs_there_are_no_drug_lines() {
        let blank = DrugEntry {
            name: "  ".into(),
            strengths: vec!["5 mg".into()],
            forms: vec![],
        };
        let corpus = generate(&[blank], 500, 1);
        assert_eq!(corpus.len(), 500);
        assert!(
            corpus
                .iter()
                .all(|e| e.spans.iter().all(|s| s.role != Role::Drug))
        );
        assert!(
            corpus
                .iter()
                .any(|e| e.spans.iter().any(|s| s.role == Role::Sig))
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn spans_are_in_bounds_sorted_and_disjoint(seed in any::<u64>()) {
            for example in generate(&sample_drugs(), 80, seed) {
                check_spans(&example)?;
            }
        }
    }
}
