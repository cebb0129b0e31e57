//! Greedy CTC decoding that keeps what ocrs throws away: how sure the
//! recogniser was of each character, and its second choice.

/// One decoded character.
#[derive(Debug, Clone, PartialEq)]
pub struct Glyph {
    pub ch: char,
    /// Probability of the chosen class at its most confident step.
    pub prob: f32,
    /// The runner-up class at that step, with its probability.
    pub second: Option<(char, f32)>,
    /// Index of that step in the output sequence (for positions on the line).
    pub step: usize,
}

/// Decodes one line of `[seq][classes]` log-probabilities. Class 0 is the
/// CTC blank; class `k` is `alphabet[k - 1]`.
pub fn decode(log_probs: &[f32], classes: usize, alphabet: &[char]) -> Vec<Glyph> {
    let mut out: Vec<Glyph> = Vec::new();
    let mut prev = 0usize;
    for (step, row) in log_probs.chunks_exact(classes).enumerate() {
        let (best, second) = top2(row);
        if best.0 != 0 && best.0 == prev {
            if let Some(g) = out.last_mut().filter(|g| best.1.exp() > g.prob) {
                g.prob = best.1.exp();
                g.second = char_of(second.0, alphabet).map(|c| (c, second.1.exp()));
                g.step = step;
            }
        } else if let Some(ch) = char_of(best.0, alphabet) {
            out.push(Glyph {
                ch,
                prob: best.1.exp(),
                second: char_of(second.0, alphabet).map(|c| (c, second.1.exp())),
                step,
            });
        }
        prev = best.0;
    }
    out
}

fn char_of(class: usize, alphabet: &[char]) -> Option<char> {
    class.checked_sub(1).and_then(|i| alphabet.get(i)).copied()
}

fn top2(row: &[f32]) -> ((usize, f32), (usize, f32)) {
    let mut best = (0, f32::NEG_INFINITY);
    let mut second = (0, f32::NEG_INFINITY);
    for (i, &v) in row.iter().enumerate() {
        if v > best.1 {
            second = best;
            best = (i, v);
        } else if v > second.1 {
            second = (i, v);
        }
    }
    (best, second)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(probs: &[f32]) -> Vec<f32> {
        probs.iter().map(|p| p.max(1e-6).ln()).collect()
    }

    #[test]
    fn collapses_repeats_and_drops_blanks() {
        let alphabet = ['a', 'b'];
        let seq: Vec<f32> = [
            row(&[0.1, 0.8, 0.1]),
            row(&[0.1, 0.9, 0.0]),
            row(&[0.9, 0.05, 0.05]),
            row(&[0.2, 0.7, 0.1]),
            row(&[0.3, 0.1, 0.6]),
        ]
        .concat();
        let g = decode(&seq, 3, &alphabet);
        let text: String = g.iter().map(|g| g.ch).collect();
        assert_eq!(text, "aab");
        assert!((g[0].prob - 0.9).abs() < 1e-4);
        assert_eq!(g[0].step, 1);
        // The runner-up there is the blank, which is no alternative.
        assert_eq!(g[2].second, None);
        assert!((g[2].prob - 0.6).abs() < 1e-4);
    }

    #[test]
    fn runner_up_is_kept_for_alternatives() {
        let g = decode(&row(&[0.05, 0.5, 0.45]), 3, &['0', 'O']);
        assert_eq!(g.len(), 1);
        assert_eq!(g[0].ch, '0');
        let (c, p) = g[0].second.unwrap_or((' ', 0.));
        assert_eq!(c, 'O');
        assert!((p - 0.45).abs() < 1e-4);
    }
}
