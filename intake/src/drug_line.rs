//! The printed drug line ("1. Amoxicillin 875 mg tab", "Rx: IBU 600 mg"):
//! a name the knowledge base knows, then a strength, then perhaps a form.
//! Where a line reads this way the split is certain, so it overrides the
//! tagger's boundaries; lines that do not are left to the tagger.

use crate::link;
use crate::parse;
use crate::tagger::labels::{Role, Span};
use rxflow_clinical::Kb;

/// The name before the strength must match this well.
const NAME_MIN_SCORE: f32 = 0.85;

/// Words that number or introduce a drug line, not part of the name.
const LEADS: &[&str] = &["rx", "rx:", "medication:", "drug:", "med:"];

/// Units that may follow a number, separately or glued, in a strength.
const UNIT_WORDS: &[&str] = &[
    "mg", "mcg", "ug", "µg", "g", "ml", "%", "unit", "units", "u", "iu", "meq", "mmol",
];

/// Spans for `text` if it is a drug line.
pub fn spans(text: &str, kb: &Kb) -> Option<Vec<Span>> {
    let words = words(text);
    let first = words.iter().position(|&(s, e)| !is_lead(&text[s..e]))?;
    let at = number_after(text, &words, first)?;
    let end = strength_end(text, &words, at);
    let (name_start, name_end) = (words[first].0, words[at - 1].1);
    let strength = (words[at].0, words[end - 1].1);
    parse::parse_strength(&text[strength.0..strength.1])?;
    let name = &text[name_start..name_end];
    if link::link(kb, name, "", "").is_none_or(|l| l.score < NAME_MIN_SCORE) {
        return None;
    }
    let mut out = vec![
        span(name_start, name_end, Role::Drug),
        span(strength.0, strength.1, Role::Strength),
    ];
    if let Some(&(fs, _)) = words.get(end) {
        let form_end = words[end..]
            .iter()
            .take_while(|&&(s, e)| !text[s..e].starts_with('#'))
            .last()
            .map_or(fs, |w| w.1);
        if form_end > fs && parse::parse_dose_form(&text[fs..form_end]).is_some() {
            out.push(span(fs, form_end, Role::Form));
        }
    }
    Some(out)
}

/// The first word after the name's first word that starts a number: the
/// "2." that numbers the line is a lead, not the strength.
fn number_after(text: &str, words: &[(usize, usize)], first: usize) -> Option<usize> {
    let rest = words.get(first + 1..)?;
    let i = rest
        .iter()
        .position(|&(s, e)| starts_with_digit(&text[s..e]))?;
    Some(first + 1 + i)
}

fn span(start: usize, end: usize, role: Role) -> Span {
    Span { start, end, role }
}

/// Letters a word must run to before a digit glued to it starts a word
/// of its own: "Clonazepam0.5" is a name and a strength (the recogniser
/// drops the space), "B12" and "D3" are names.
const GLUED_NAME_LETTERS: usize = 4;

fn words(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = None;
    let mut letters = 0;
    for (i, c) in text.char_indices() {
        match (c.is_whitespace(), start) {
            (true, Some(s)) => {
                out.push((s, i));
                start = None;
            }
            (false, Some(s)) if c.is_ascii_digit() && letters >= GLUED_NAME_LETTERS => {
                out.push((s, i));
                start = Some(i);
            }
            (false, None) => start = Some(i),
            _ => {}
        }
        letters = if c.is_alphabetic() { letters + 1 } else { 0 };
    }
    if let Some(s) = start {
        out.push((s, text.len()));
    }
    out
}

fn is_lead(word: &str) -> bool {
    let w = word.to_ascii_lowercase();
    LEADS.contains(&w.as_str())
        || (w.ends_with('.') || w.ends_with(')'))
            && w[..w.len() - 1].chars().all(|c| c.is_ascii_digit())
}

fn starts_with_digit(word: &str) -> bool {
    let w = word.strip_prefix('.').unwrap_or(word);
    w.starts_with(|c: char| c.is_ascii_digit())
}

/// "mg", "ML", "units": a unit a strength is written in.
pub fn is_unit_word(word: &str) -> bool {
    UNIT_WORDS.contains(&word.to_lowercase().as_str())
}

/// One past the last word of the strength that starts at `at`: numbers,
/// units and "/5 mL"-style denominators.
fn strength_end(text: &str, words: &[(usize, usize)], at: usize) -> usize {
    let mut end = at + 1;
    while let Some(&(s, e)) = words.get(end) {
        let w = text[s..e].to_ascii_lowercase();
        let unit = UNIT_WORDS.iter().any(|u| {
            let w = w.trim_end_matches([',', '.']);
            w == *u || w.strip_prefix(u).is_some_and(|r| r.starts_with('/'))
        }) || w.starts_with('/')
            || w.starts_with(|c: char| c.is_ascii_digit()) && !w.starts_with('#');
        if !unit {
            break;
        }
        end += 1;
    }
    end
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_split_on_whitespace_and_after_a_name_glued_to_a_number() {
        assert_eq!(words(" a  bc d"), vec![(1, 2), (4, 6), (7, 8)]);
        let t = "Clonazepam0.5 mg";
        let split: Vec<&str> = words(t).iter().map(|&(s, e)| &t[s..e]).collect();
        assert_eq!(split, ["Clonazepam", "0.5", "mg"]);
        assert_eq!(words("B12 D3 q12h").len(), 3, "short names stay whole");
    }

    #[test]
    fn the_strength_is_found_after_a_numbered_lead() {
        let t = "2. Fludrocortisone 0.1 mg TAB";
        let w = words(t);
        let first = w.iter().position(|&(s, e)| !is_lead(&t[s..e])).unwrap_or(0);
        assert_eq!(first, 1);
        assert_eq!(number_after(t, &w, first), Some(2));
        assert_eq!(number_after("30 tablets", &words("30 tablets"), 0), None);
    }

    #[test]
    fn leads_and_strength_words() {
        assert!(is_lead("1.") && is_lead("Rx:") && is_lead("2)"));
        assert!(!is_lead("amoxicillin"));
        let t = "Amoxicillin 250 mg/5 mL susp #100";
        let w = words(t);
        assert_eq!(&t[w[1].0..w[strength_end(t, &w, 1) - 1].1], "250 mg/5 mL");
        let t = "Labetalol 100mg";
        let w = words(t);
        assert_eq!(strength_end(t, &w, 1), 2);
    }
}
