//! OCR-noise augmentation that keeps span labels exact.
//!
//! Each character carries the index of the span it belongs to through every
//! edit, and spans are rebuilt from those tags afterwards, so an edit can
//! never shift a label onto the wrong text. Edits never remove a span's last
//! visible character.

use rand::Rng;

use super::corpus::Example;
use super::labels::Span;

/// A character and the span (by index into the input spans) it belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Glyph {
    c: char,
    span: Option<usize>,
}

/// Characters OCR engines commonly mistake for one another.
const CONFUSABLES: &[(char, &[char])] = &[
    ('0', &['O', 'o']),
    ('O', &['0']),
    ('o', &['0']),
    ('1', &['l', 'I']),
    ('l', &['1', 'I']),
    ('I', &['l', '1']),
    ('5', &['S']),
    ('S', &['5']),
    ('8', &['B']),
    ('B', &['8']),
];

/// A noisy copy of `example`, as OCR might have read the same line.
///
/// `rate` (clamped to 0..=1) is the chance that any one character or label
/// word is corrupted: confusable substitutions (0/O, 1/l/I, rn→m, cl→d,
/// 5/S, 8/B), dropped or doubled punctuation, dropped spaces (twice as likely
/// between two fields, gluing "Refills:2" or "10mgTAB"), doubled spaces, and
/// case changes of label words. `example.spans` must not overlap, as
/// [`super::corpus::generate`] guarantees.
pub fn augment<R: Rng + ?Sized>(example: &Example, rng: &mut R, rate: f64) -> Example {
    let rate = if rate.is_nan() {
        0.0
    } else {
        rate.clamp(0.0, 1.0)
    };
    let mut glyphs = to_glyphs(example);
    recase_label_words(&mut glyphs, rng, rate);
    let glyphs = corrupt(&glyphs, rng, rate, example.spans.len());
    from_glyphs(&glyphs, &example.spans)
}

fn to_glyphs(example: &Example) -> Vec<Glyph> {
    example
        .text
        .char_indices()
        .map(|(i, c)| Glyph {
            c,
            span: example.spans.iter().position(|s| s.start <= i && i < s.end),
        })
        .collect()
}

/// Rebuilds text and spans, trimming any whitespace an edit left at a span edge.
fn from_glyphs(glyphs: &[Glyph], spans: &[Span]) -> Example {
    let mut text = String::new();
    let mut ranges: Vec<Option<(usize, usize)>> = vec![None; spans.len()];
    for glyph in glyphs {
        let start = text.len();
        text.push(glyph.c);
        if let Some(range) = glyph.span.and_then(|k| ranges.get_mut(k)) {
            *range = Some(range.map_or((start, text.len()), |(s, _)| (s, text.len())));
        }
    }
    let spans = ranges
        .iter()
        .zip(spans)
        .filter_map(|(range, span)| {
            let (start, end) = (*range)?;
            let value = &text[start..end];
            let start = start + (value.len() - value.trim_start().len());
            let end = end - (value.len() - value.trim_end().len());
            (start < end).then_some(Span {
                start,
                end,
                role: span.role,
            })
        })
        .collect();
    Example { text, spans }
}

/// Changes the case of untagged ASCII words: the label words ("REFILLS",
/// "sig") whose casing varies between printed forms.
fn recase_label_words<R: Rng + ?Sized>(glyphs: &mut [Glyph], rng: &mut R, rate: f64) {
    let is_word = |g: &Glyph| g.span.is_none() && g.c.is_ascii_alphabetic();
    let mut i = 0;
    while i < glyphs.len() {
        let len = glyphs[i..].iter().take_while(|g| is_word(g)).count();
        if len > 0 && rng.random_bool(rate) {
            let style = rng.random_range(0..3);
            for (j, glyph) in glyphs[i..i + len].iter_mut().enumerate() {
                glyph.c = match style {
                    0 => glyph.c.to_ascii_uppercase(),
                    1 => glyph.c.to_ascii_lowercase(),
                    _ if j == 0 => glyph.c.to_ascii_uppercase(),
                    _ => glyph.c.to_ascii_lowercase(),
                };
            }
        }
        i += len.max(1);
    }
}

/// The character-level edits, in one left-to-right pass.
fn corrupt<R: Rng + ?Sized>(
    glyphs: &[Glyph],
    rng: &mut R,
    rate: f64,
    n_spans: usize,
) -> Vec<Glyph> {
    // Visible characters left in each span: a deletion must leave at least one.
    let mut visible = vec![0usize; n_spans];
    for k in glyphs
        .iter()
        .filter(|g| !g.c.is_whitespace())
        .filter_map(|g| g.span)
    {
        visible[k] += 1;
    }
    let mut out = Vec::with_capacity(glyphs.len() + 8);
    let mut i = 0;
    while i < glyphs.len() {
        let glyph = glyphs[i];
        let next = glyphs.get(i + 1).copied();
        let at_field_boundary =
            glyph.c == ' ' && out.last().map(|g: &Glyph| g.span) != next.map(|g| g.span);
        let p = if at_field_boundary {
            (2.0 * rate).min(1.0)
        } else {
            rate
        };
        i += 1;
        if !rng.random_bool(p) {
            out.push(glyph);
            continue;
        }
        let deletable = glyph.span.is_none_or(|k| visible[k] > 1);
        match (glyph.c, next) {
            (' ', _) if at_field_boundary || rng.random_bool(0.5) => {}
            (' ', _) => out.extend([glyph, glyph]),
            ('r', Some(n)) if n.c == 'n' && n.span == glyph.span => {
                out.push(Glyph { c: 'm', ..glyph });
                i += 1;
                spend(&mut visible, glyph);
            }
            ('c', Some(n)) if n.c == 'l' && n.span == glyph.span => {
                out.push(Glyph { c: 'd', ..glyph });
                i += 1;
                spend(&mut visible, glyph);
            }
            ('m', _) => out.extend([Glyph { c: 'r', ..glyph }, Glyph { c: 'n', ..glyph }]),
            (c, _) if c.is_ascii_punctuation() && deletable && rng.random_bool(0.5) => {
                spend(&mut visible, glyph);
            }
            (c, _) if c.is_ascii_punctuation() => out.extend([glyph, glyph]),
            (c, _) => out.push(Glyph {
                c: confusable(rng, c),
                ..glyph
            }),
        }
    }
    out
}

/// Records that one visible character of `glyph`'s span is gone.
fn spend(visible: &mut [usize], glyph: Glyph) {
    if let Some(k) = glyph.span {
        visible[k] -= 1;
    }
}

/// A look-alike for `c`, or `c` itself when it has none.
fn confusable<R: Rng + ?Sized>(rng: &mut R, c: char) -> char {
    match CONFUSABLES.iter().find(|(from, _)| *from == c) {
        Some((_, to)) => to[rng.random_range(0..to.len())],
        None => c,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tagger::corpus::{generate, sample_drugs};
    use crate::tagger::labels::Role;
    use proptest::prelude::*;
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    fn dispense_example() -> Example {
        Example {
            text: "Disp: #30  Refills: 2".into(),
            spans: vec![
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
            ],
        }
    }

    fn span_text(example: &Example, role: Role) -> Option<&str> {
        example
            .spans
            .iter()
            .find(|s| s.role == role)
            .map(|s| &example.text[s.start..s.end])
    }

    #[test]
    fn zero_rate_is_identity() {
        let mut rng = StdRng::seed_from_u64(0);
        for example in generate(&sample_drugs(), 200, 9) {
            assert_eq!(augment(&example, &mut rng, 0.0), example);
        }
    }

    #[test]
    fn values_survive_and_fields_get_glued() {
        let example = dispense_example();
        let mut glued = 0;
        let mut recased = 0;
        for seed in 0..300 {
            let noisy = augment(&example, &mut StdRng::seed_from_u64(seed), 0.25);
            let quantity: String = span_text(&noisy, Role::Quantity)
                .unwrap_or("")
                .chars()
                .filter(|c| c.is_alphanumeric())
                .collect();
            assert!(matches!(quantity.as_str(), "30" | "3O" | "3o"), "{noisy:?}");
            assert_eq!(span_text(&noisy, Role::Refills), Some("2"), "{noisy:?}");
            glued += usize::from(noisy.text.contains(":2") || noisy.text.contains("#30R"));
            recased +=
                usize::from(noisy.text.contains("REFILLS") || noisy.text.contains("refills"));
        }
        assert!(glued > 20, "glued {glued}");
        assert!(recased > 20, "recased {recased}");
    }

    #[test]
    fn merges_rn_into_m_inside_a_span() {
        let example = Example {
            text: "Form: rn".into(),
            spans: vec![Span {
                start: 6,
                end: 8,
                role: Role::Form,
            }],
        };
        let noisy = augment(&example, &mut StdRng::seed_from_u64(1), 1.0);
        assert_eq!(span_text(&noisy, Role::Form), Some("m"));
    }

    #[test]
    fn last_visible_character_is_never_deleted() {
        let example = Example {
            text: "RF: # 2".into(),
            spans: vec![Span {
                start: 4,
                end: 5,
                role: Role::Refills,
            }],
        };
        for seed in 0..100 {
            let noisy = augment(&example, &mut StdRng::seed_from_u64(seed), 1.0);
            assert!(
                matches!(span_text(&noisy, Role::Refills), Some("#" | "##")),
                "{noisy:?}"
            );
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn spans_stay_valid_after_noise(seed in any::<u64>(), noise_seed in any::<u64>(), rate in 0.0f64..=1.0) {
            let mut rng = StdRng::seed_from_u64(noise_seed);
            for example in generate(&sample_drugs(), 40, seed) {
                let noisy = augment(&example, &mut rng, rate);
                let roles = |e: &Example| e.spans.iter().map(|s| s.role).collect::<Vec<_>>();
                prop_assert_eq!(roles(&noisy), roles(&example));
                let mut previous_end = 0;
                for span in &noisy.spans {
                    prop_assert!(span.start < span.end && span.end <= noisy.text.len(), "{:?}", noisy);
                    prop_assert!(noisy.text.is_char_boundary(span.start) && noisy.text.is_char_boundary(span.end));
                    prop_assert!(span.start >= previous_end, "overlap in {:?}", noisy);
                    let value = &noisy.text[span.start..span.end];
                    prop_assert_eq!(value.trim(), value);
                    previous_end = span.end;
                }
            }
        }
    }
}
