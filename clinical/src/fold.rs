//! OCR-aware folding and edit distance. OCR and handwriting confuse 0/O,
//! 1/l/I, rn/m, 5/S and cl/d; folding maps each confusable set to one
//! character so "arnoxici11in" and "amoxicillin" share a key, and the edit
//! distance then ranks what remains.

use crate::text::name_key;

/// Folds one already-normalised key (see [`name_key`]).
pub fn fold_key(key: &str) -> String {
    let mut out = String::with_capacity(key.len());
    let bytes: Vec<char> = key.chars().collect();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        let next = bytes.get(i + 1).copied();
        match (c, next) {
            ('r', Some('n')) => {
                out.push('m');
                i += 2;
                continue;
            }
            ('c', Some('l')) | ('c', Some('1')) | ('c', Some('i')) => {
                out.push('d');
                i += 2;
                continue;
            }
            _ => {}
        }
        out.push(match c {
            '0' => 'o',
            '1' | 'i' | 'l' | '|' => 'l',
            '5' => 's',
            other => other,
        });
        i += 1;
    }
    out
}

/// The search key of any raw text: normalise, then fold.
pub fn search_key(raw: &str) -> String {
    fold_key(&name_key(raw))
}

/// Levenshtein distance over chars, with a cap: returns `cap + 1` as soon as
/// the distance is known to exceed `cap` (ranking never needs more).
pub fn levenshtein(a: &str, b: &str, cap: usize) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len().abs_diff(b.len()) > cap {
        return cap + 1;
    }
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        cur[0] = i + 1;
        let mut row_min = cur[0];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
            row_min = row_min.min(cur[j + 1]);
        }
        if row_min > cap {
            return cap + 1;
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()].min(cap + 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn confusables_share_a_key() {
        assert_eq!(search_key("AMOXICILLIN"), search_key("arnoxici11in"));
        assert_eq!(search_key("Clonidine"), search_key("donidine"));
        assert_eq!(search_key("5imvastatin"), search_key("simvastatin"));
        assert_eq!(search_key("L0RAZEPAM"), search_key("lorazepam"));
    }

    #[test]
    fn distance_is_capped() {
        assert_eq!(levenshtein("hydroxyzine", "hydralazine", 5), 3);
        assert_eq!(levenshtein("abc", "abc", 0), 0);
        assert_eq!(levenshtein("abcdef", "x", 2), 3);
    }

    proptest! {
        #[test]
        fn fold_never_panics_and_is_idempotent_on_folded_output(s in "\\PC{0,60}") {
            let k = search_key(&s);
            prop_assert_eq!(fold_key(&k), k.clone());
        }

        #[test]
        fn distance_is_symmetric(a in "[a-z]{0,12}", b in "[a-z]{0,12}") {
            prop_assert_eq!(levenshtein(&a, &b, 20), levenshtein(&b, &a, 20));
        }
    }
}
