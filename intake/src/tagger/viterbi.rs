//! BIO-constrained Viterbi decoding of the tagger head's per-token scores.

use super::labels::Label;

/// Every label, in index order.
fn all_labels() -> impl Iterator<Item = Label> {
    (0..Label::COUNT).filter_map(Label::from_index)
}

/// The highest-scoring label sequence that obeys the BIO constraints.
///
/// `log_probs` is row-major `[n_tokens][Label::COUNT]`. The score of a
/// sequence is the sum of its labels' log-probabilities; a label is only
/// considered where [`Label::allowed_after`] permits it, so the result never
/// contains an `I-X` that does not continue an `X` span. NaN scores count as
/// impossible, and even when every path is impossible the result is legal.
///
/// # Panics
/// If `log_probs.len() != n_tokens * Label::COUNT`: the caller passed scores
/// for a different sequence, and guessing would mislabel a prescription.
pub fn decode(log_probs: &[f32], n_tokens: usize) -> Vec<Label> {
    assert_eq!(
        log_probs.len(),
        n_tokens * Label::COUNT,
        "log_probs must hold Label::COUNT scores per token"
    );
    let emit = |t: usize, label: Label| {
        let score = log_probs[t * Label::COUNT + label.index()];
        if score.is_nan() {
            f32::NEG_INFINITY
        } else {
            score
        }
    };
    if n_tokens == 0 {
        return Vec::new();
    }

    let mut score = [f32::NEG_INFINITY; Label::COUNT];
    for label in all_labels().filter(|l| l.allowed_after(None)) {
        score[label.index()] = emit(0, label);
    }
    // back[t][j]: best label at t - 1 given label j at t.
    let mut back = vec![[0usize; Label::COUNT]; n_tokens];
    for (t, back_t) in back.iter_mut().enumerate().skip(1) {
        let mut next = [f32::NEG_INFINITY; Label::COUNT];
        for label in all_labels() {
            let (prev, best) = best_predecessor(&score, label);
            back_t[label.index()] = prev;
            next[label.index()] = best + emit(t, label);
        }
        score = next;
    }

    let mut current = argmax_legal(&score, |l| l.allowed_after(None) || n_tokens > 1);
    let mut path = vec![Label::O; n_tokens];
    for t in (0..n_tokens).rev() {
        path[t] = Label::from_index(current).unwrap_or(Label::O);
        current = back[t][current];
    }
    path
}

/// Best legal previous label for `label`, with its accumulated score.
fn best_predecessor(score: &[f32; Label::COUNT], label: Label) -> (usize, f32) {
    let prev = argmax_legal(score, |p| label.allowed_after(Some(p)));
    (prev, score[prev])
}

/// Index of the highest score among labels accepted by `legal`.
///
/// Starts from the first legal label and only moves on a strict improvement,
/// so ties and all-`-inf` rows still resolve to a legal, deterministic choice
/// (O, or B-X before I-X).
fn argmax_legal(score: &[f32; Label::COUNT], legal: impl Fn(Label) -> bool) -> usize {
    let mut best: Option<usize> = None;
    for label in all_labels().filter(|&l| legal(l)) {
        let i = label.index();
        if best.is_none_or(|b| score[i] > score[b]) {
            best = Some(i);
        }
    }
    // O is legal everywhere, so some label always qualifies.
    best.unwrap_or(Label::O.index())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tagger::labels::Role;
    use proptest::prelude::*;

    /// Scores that put `peak` on each token's preferred label and `low` elsewhere.
    fn peaked(preferred: &[Label], peak: f32, low: f32) -> Vec<f32> {
        let mut scores = vec![low; preferred.len() * Label::COUNT];
        for (t, label) in preferred.iter().enumerate() {
            scores[t * Label::COUNT + label.index()] = peak;
        }
        scores
    }

    fn path_score(scores: &[f32], path: &[Label]) -> f64 {
        path.iter()
            .enumerate()
            .map(|(t, l)| f64::from(scores[t * Label::COUNT + l.index()]))
            .sum()
    }

    fn is_legal(path: &[Label]) -> bool {
        let mut prev = None;
        path.iter().all(|&label| {
            let ok = label.allowed_after(prev);
            prev = Some(label);
            ok
        })
    }

    /// Best legal score by enumerating every sequence.
    fn brute_force(scores: &[f32], n: usize) -> f64 {
        let mut best = f64::NEG_INFINITY;
        let mut path = vec![Label::O; n];
        for code in 0..Label::COUNT.pow(n as u32) {
            let mut rest = code;
            for slot in path.iter_mut() {
                *slot = Label::from_index(rest % Label::COUNT).unwrap_or(Label::O);
                rest /= Label::COUNT;
            }
            if is_legal(&path) {
                best = best.max(path_score(scores, &path));
            }
        }
        best
    }

    #[test]
    fn empty_input_gives_empty_path() {
        assert_eq!(decode(&[], 0), Vec::<Label>::new());
    }

    #[test]
    fn keeps_a_legal_argmax() {
        let want = [
            Label::O,
            Label::B(Role::Drug),
            Label::I(Role::Drug),
            Label::B(Role::Strength),
        ];
        assert_eq!(decode(&peaked(&want, -0.1, -5.0), 4), want);
    }

    #[test]
    fn repairs_an_illegal_argmax() {
        // Argmax says O, I-Drug: an I with no B. The B-Drug runner-up fixes it.
        let mut scores = peaked(&[Label::O, Label::I(Role::Drug)], -0.1, -9.0);
        scores[Label::B(Role::Drug).index()] = -1.0;
        scores[Label::COUNT + Label::B(Role::Drug).index()] = -2.0;
        assert_eq!(
            decode(&scores, 2),
            [Label::B(Role::Drug), Label::I(Role::Drug)]
        );
    }

    #[test]
    fn illegal_start_falls_back_to_begin() {
        let mut scores = peaked(&[Label::I(Role::Sig)], -0.1, -9.0);
        scores[Label::B(Role::Sig).index()] = -3.0;
        assert_eq!(decode(&scores, 1), [Label::B(Role::Sig)]);
    }

    #[test]
    fn role_switch_inside_a_span_is_repaired() {
        // B-Drug then I-Strength is illegal; B-Strength is the cheapest fix.
        let mut scores = peaked(
            &[Label::B(Role::Drug), Label::I(Role::Strength)],
            -0.1,
            -9.0,
        );
        scores[Label::COUNT + Label::B(Role::Strength).index()] = -0.5;
        assert_eq!(
            decode(&scores, 2),
            [Label::B(Role::Drug), Label::B(Role::Strength)]
        );
    }

    #[test]
    fn nan_and_all_impossible_rows_still_decode_legally() {
        let scores = vec![f32::NAN; 3 * Label::COUNT];
        assert_eq!(decode(&scores, 3), [Label::O, Label::O, Label::O]);
        let scores = vec![f32::NEG_INFINITY; 2 * Label::COUNT];
        assert!(is_legal(&decode(&scores, 2)));
    }

    fn score() -> impl Strategy<Value = f32> {
        prop_oneof![
            8 => -20.0f32..0.0,
            1 => Just(f32::NEG_INFINITY),
            1 => Just(f32::NAN),
        ]
    }

    proptest! {
        #[test]
        fn never_emits_an_illegal_sequence(
            scores in (0usize..24).prop_flat_map(|n| prop::collection::vec(score(), n * Label::COUNT))
        ) {
            let n = scores.len() / Label::COUNT;
            let path = decode(&scores, n);
            prop_assert_eq!(path.len(), n);
            prop_assert!(is_legal(&path));
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(24))]
        #[test]
        fn matches_brute_force_on_short_inputs(
            scores in (1usize..=3).prop_flat_map(|n| prop::collection::vec(-10.0f32..0.0, n * Label::COUNT))
        ) {
            let n = scores.len() / Label::COUNT;
            let path = decode(&scores, n);
            prop_assert!(is_legal(&path));
            let best = brute_force(&scores, n);
            prop_assert!((path_score(&scores, &path) - best).abs() < 1e-3, "{} vs {best}", path_score(&scores, &path));
        }
    }
}
