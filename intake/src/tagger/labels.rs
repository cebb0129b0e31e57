//! BIO label scheme and the mapping between character spans and token labels.

use serde::{Deserialize, Serialize};

/// What a span of a prescription line means.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Patient,
    /// Patient's date of birth.
    Dob,
    /// Date the prescription was written.
    Date,
    Prescriber,
    Npi,
    Dea,
    Drug,
    Strength,
    Form,
    Sig,
    Quantity,
    Refills,
    Ndc,
}

impl Role {
    /// Every role, in index order.
    pub const ALL: [Role; 13] = [
        Role::Patient,
        Role::Dob,
        Role::Date,
        Role::Prescriber,
        Role::Npi,
        Role::Dea,
        Role::Drug,
        Role::Strength,
        Role::Form,
        Role::Sig,
        Role::Quantity,
        Role::Refills,
        Role::Ndc,
    ];

    /// Dense index in `0..Role::ALL.len()`, matching the order of [`Role::ALL`].
    pub const fn index(self) -> usize {
        self as usize
    }
}

/// Per-token BIO label.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Label {
    O,
    B(Role),
    I(Role),
}

impl Label {
    /// Number of distinct labels: the width of the model's output layer.
    pub const COUNT: usize = 1 + 2 * Role::ALL.len();

    /// Dense index: `O` is 0, then every `B`, then every `I`, in role order.
    pub const fn index(self) -> usize {
        match self {
            Label::O => 0,
            Label::B(role) => 1 + role.index(),
            Label::I(role) => 1 + Role::ALL.len() + role.index(),
        }
    }

    /// Inverse of [`Label::index`]; `None` for indices `>= Label::COUNT`.
    pub fn from_index(index: usize) -> Option<Label> {
        let roles = Role::ALL.len();
        match index {
            0 => Some(Label::O),
            i if i <= roles => Some(Label::B(Role::ALL[i - 1])),
            i if i <= 2 * roles => Some(Label::I(Role::ALL[i - 1 - roles])),
            _ => None,
        }
    }

    /// The role this label belongs to, `None` for `O`.
    pub const fn role(self) -> Option<Role> {
        match self {
            Label::O => None,
            Label::B(role) | Label::I(role) => Some(role),
        }
    }

    /// Whether `self` may follow `prev` (`None` = start of the sequence):
    /// an `I-X` only continues a `B-X` or `I-X`.
    pub fn allowed_after(self, prev: Option<Label>) -> bool {
        match self {
            Label::O | Label::B(_) => true,
            Label::I(role) => matches!(prev, Some(Label::B(r) | Label::I(r)) if r == role),
        }
    }
}

/// A tagged byte range `start..end` of a line's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Span {
    pub start: usize,
    pub end: usize,
    pub role: Role,
}

/// Labels each token given its byte offsets in the line.
///
/// A token belongs to the span it overlaps most, so word pieces that straddle
/// a boundary (OCR glue such as `10mgTAB`) still get one deterministic label.
/// Zero-width offsets (special tokens such as `[CLS]`) are always `O`.
pub fn token_labels(spans: &[Span], offsets: &[(usize, usize)]) -> Vec<Label> {
    let mut previous_owner = None;
    offsets
        .iter()
        .map(|&(start, end)| {
            let owner = owning_span(spans, start, end);
            let label = match owner {
                None => Label::O,
                Some(k) if previous_owner == Some(k) => Label::I(spans[k].role),
                Some(k) => Label::B(spans[k].role),
            };
            previous_owner = owner;
            label
        })
        .collect()
}

/// Index of the span overlapping `start..end` by the most bytes (earliest on ties).
fn owning_span(spans: &[Span], start: usize, end: usize) -> Option<usize> {
    let mut best: Option<(usize, usize)> = None;
    for (k, span) in spans.iter().enumerate() {
        let overlap = end.min(span.end).saturating_sub(start.max(span.start));
        if overlap > 0 && best.is_none_or(|(_, most)| overlap > most) {
            best = Some((k, overlap));
        }
    }
    best.map(|(k, _)| k)
}

/// Turns decoded token labels back into spans of the line text.
///
/// A span runs from the start of its `B` token to the end of its last `I`
/// token. An `I` that does not continue a span of its role starts one, so a
/// confident but badly-formed run is not silently dropped. Zero-width tokens
/// end any open span, whatever their label.
pub fn spans_from_labels(offsets: &[(usize, usize)], labels: &[Label]) -> Vec<Span> {
    let mut spans = Vec::new();
    let mut open: Option<Span> = None;
    for (&(start, end), &label) in offsets.iter().zip(labels) {
        let continues = matches!((label, open), (Label::I(r), Some(span)) if span.role == r);
        if start < end && continues {
            if let Some(span) = open.as_mut() {
                span.end = span.end.max(end);
            }
            continue;
        }
        spans.extend(open.take());
        if start < end {
            open = label.role().map(|role| Span { start, end, role });
        }
    }
    spans.extend(open);
    spans
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Whitespace-split token offsets of `text`.
    fn words(text: &str) -> Vec<(usize, usize)> {
        let mut offsets = Vec::new();
        let mut start = None;
        for (i, c) in text.char_indices().chain([(text.len(), ' ')]) {
            match (c.is_whitespace(), start) {
                (true, Some(s)) => {
                    offsets.push((s, i));
                    start = None;
                }
                (false, None) => start = Some(i),
                _ => {}
            }
        }
        offsets
    }

    #[test]
    fn index_round_trips_for_every_label() {
        for i in 0..Label::COUNT {
            let label = Label::from_index(i);
            assert_eq!(label.map(Label::index), Some(i));
        }
        assert_eq!(Label::COUNT, 27);
        assert_eq!(Label::from_index(Label::COUNT), None);
        assert_eq!(Label::B(Role::Patient).index(), 1);
        assert_eq!(Label::I(Role::Ndc).index(), 26);
    }

    #[test]
    fn inside_needs_same_role_before_it() {
        let i_drug = Label::I(Role::Drug);
        assert!(!i_drug.allowed_after(None));
        assert!(!i_drug.allowed_after(Some(Label::O)));
        assert!(!i_drug.allowed_after(Some(Label::B(Role::Strength))));
        assert!(i_drug.allowed_after(Some(Label::B(Role::Drug))));
        assert!(i_drug.allowed_after(Some(Label::I(Role::Drug))));
        assert!(Label::B(Role::Drug).allowed_after(None));
        assert!(Label::O.allowed_after(Some(Label::I(Role::Sig))));
    }

    #[test]
    fn role_serialises_lower_case() {
        assert_eq!(
            serde_json::to_string(&Role::Prescriber).ok().as_deref(),
            Some("\"prescriber\"")
        );
        let span: Result<Span, _> = serde_json::from_str(r#"{"start":1,"end":4,"role":"ndc"}"#);
        assert_eq!(
            span.ok(),
            Some(Span {
                start: 1,
                end: 4,
                role: Role::Ndc
            })
        );
    }

    #[test]
    fn labels_a_combined_dispense_line() {
        // "Disp: #30  Refills: 2" split the way BERT's basic tokenizer does.
        let offsets = [
            (0, 0),
            (0, 4),
            (4, 5),
            (6, 7),
            (7, 9),
            (11, 18),
            (18, 19),
            (20, 21),
            (0, 0),
        ];
        let spans = [
            Span {
                start: 6,
                end: 9,
                role: Role::Quantity,
            },
            Span {
                start: 20,
                end: 21,
                role: Role::Refills,
            },
        ];
        let labels = token_labels(&spans, &offsets);
        use Label::{B, I, O};
        assert_eq!(
            labels,
            [
                O,
                O,
                O,
                B(Role::Quantity),
                I(Role::Quantity),
                O,
                O,
                B(Role::Refills),
                O
            ]
        );
        assert_eq!(spans_from_labels(&offsets, &labels), spans);
    }

    #[test]
    fn straddling_piece_goes_to_larger_overlap() {
        // "10mgTAB": pieces "10", "mgT", "AB" against strength 0..4, form 4..7.
        let spans = [
            Span {
                start: 0,
                end: 4,
                role: Role::Strength,
            },
            Span {
                start: 4,
                end: 7,
                role: Role::Form,
            },
        ];
        let labels = token_labels(&spans, &[(0, 2), (2, 5), (5, 7)]);
        assert_eq!(
            labels,
            [
                Label::B(Role::Strength),
                Label::I(Role::Strength),
                Label::B(Role::Form)
            ]
        );
    }

    #[test]
    fn stray_inside_starts_a_span() {
        let offsets = [(0, 3), (4, 7), (8, 11), (12, 15)];
        let labels = [
            Label::I(Role::Drug),
            Label::I(Role::Drug),
            Label::I(Role::Form),
            Label::O,
        ];
        assert_eq!(
            spans_from_labels(&offsets, &labels),
            [
                Span {
                    start: 0,
                    end: 7,
                    role: Role::Drug
                },
                Span {
                    start: 8,
                    end: 11,
                    role: Role::Form
                },
            ]
        );
    }

    #[test]
    fn adjacent_spans_of_one_role_stay_apart() {
        let offsets = [(0, 2), (3, 5), (6, 8)];
        let labels = [
            Label::B(Role::Sig),
            Label::B(Role::Sig),
            Label::I(Role::Sig),
        ];
        assert_eq!(
            spans_from_labels(&offsets, &labels),
            [
                Span {
                    start: 0,
                    end: 2,
                    role: Role::Sig
                },
                Span {
                    start: 3,
                    end: 8,
                    role: Role::Sig
                },
            ]
        );
    }

    /// Random words with random word-aligned, non-overlapping spans.
    fn line_with_spans() -> impl Strategy<Value = (String, Vec<Span>)> {
        let word = "[a-zA-Z0-9#:/.,-]{1,6}";
        let gap = prop::sample::select(vec![" ", "  ", "\t"]);
        let role = prop::sample::select(Role::ALL.to_vec());
        // Each word: (text, gap after it, Some(role) = starts a span, how many words it covers).
        prop::collection::vec((word, gap, prop::option::of(role), 1usize..4), 1..12).prop_map(
            |parts| {
                let mut text = String::new();
                let mut bounds = Vec::new();
                for (w, gap, _, _) in &parts {
                    let start = text.len();
                    text.push_str(w);
                    bounds.push((start, text.len()));
                    text.push_str(gap);
                }
                let mut spans = Vec::new();
                let mut i = 0;
                while i < parts.len() {
                    match parts[i].2 {
                        Some(role) => {
                            let last = (i + parts[i].3).min(parts.len()) - 1;
                            spans.push(Span {
                                start: bounds[i].0,
                                end: bounds[last].1,
                                role,
                            });
                            i = last + 1;
                        }
                        None => i += 1,
                    }
                }
                (text, spans)
            },
        )
    }

    proptest! {
        #[test]
        fn labels_round_trip_on_word_offsets((text, spans) in line_with_spans()) {
            let offsets = words(&text);
            let labels = token_labels(&spans, &offsets);
            prop_assert_eq!(labels.len(), offsets.len());
            prop_assert_eq!(spans_from_labels(&offsets, &labels), spans);
        }

        #[test]
        fn token_labels_are_bio_legal((text, spans) in line_with_spans()) {
            let labels = token_labels(&spans, &words(&text));
            let mut prev = None;
            for label in labels {
                prop_assert!(label.allowed_after(prev));
                prev = Some(label);
            }
        }
    }
}
