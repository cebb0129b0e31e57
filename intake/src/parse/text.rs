//! Tokeniser shared by the parsers.
//!
//! OCR text glues numbers to units ("10mg", "q4h", "Refills:2") and scatters
//! periods through abbreviations ("b.i.d.", "q.4.h."), so the tokeniser splits
//! at every letter/digit boundary, folds case and drops abbreviation periods.
//! Byte spans into the original text are kept for flagging.

use std::ops::Range;

/// What a token is made of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Letters, lower-cased, with abbreviation periods removed.
    Word,
    /// Digits with at most one decimal point, as written (".5", "1.0").
    Num,
    /// Any other single visible character ("/", "-", "#", "(", "%", ...).
    Punct,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Token {
    pub kind: Kind,
    pub text: String,
    pub span: Range<usize>,
    /// A sentence-ending period precedes this token.
    pub break_before: bool,
}

impl Token {
    pub fn is(&self, text: &str) -> bool {
        self.text == text
    }

    pub fn is_word(&self) -> bool {
        self.kind == Kind::Word
    }

    pub fn is_num(&self) -> bool {
        self.kind == Kind::Num
    }
}

/// Splits `input` into tokens; never fails.
pub(crate) fn tokenize(input: &str) -> Vec<Token> {
    let mut lexer = Lexer {
        input,
        pos: 0,
        tokens: Vec::new(),
        pending_break: false,
    };
    lexer.run();
    lexer.tokens
}

struct Lexer<'a> {
    input: &'a str,
    pos: usize,
    tokens: Vec<Token>,
    pending_break: bool,
}

impl Lexer<'_> {
    fn peek_at(&self, pos: usize) -> Option<char> {
        self.input.get(pos..).and_then(|s| s.chars().next())
    }

    fn prev_char(&self) -> Option<char> {
        self.input
            .get(..self.pos)
            .and_then(|s| s.chars().next_back())
    }

    fn run(&mut self) {
        while let Some(c) = self.peek_at(self.pos) {
            if c.is_whitespace() {
                self.pos += c.len_utf8();
            } else if c.is_ascii_digit() || self.starts_bare_decimal(c) {
                self.number();
            } else if c.is_alphabetic() {
                self.word();
            } else if c == '.' {
                self.period();
            } else {
                self.punct(c);
            }
        }
    }

    /// ".5" is a number, but in "q.4.h" the period only separates letters.
    fn starts_bare_decimal(&self, c: char) -> bool {
        let next_is_digit = self
            .peek_at(self.pos + 1)
            .is_some_and(|n| n.is_ascii_digit());
        let prev_is_alnum = self.prev_char().is_some_and(char::is_alphanumeric);
        c == '.' && next_is_digit && !prev_is_alnum
    }

    fn number(&mut self) {
        let start = self.pos;
        let mut seen_point = false;
        while let Some(c) = self.peek_at(self.pos) {
            let next_is_digit = self
                .peek_at(self.pos + 1)
                .is_some_and(|n| n.is_ascii_digit());
            if c.is_ascii_digit() {
                self.pos += 1;
            } else if c == '.' && !seen_point && next_is_digit {
                seen_point = true;
                self.pos += 1;
            } else if c == ',' && !seen_point && self.thousands_group_follows() {
                self.pos += 1;
            } else {
                break;
            }
        }
        let text: String = self.input[start..self.pos]
            .chars()
            .filter(|c| *c != ',')
            .collect();
        self.push(Kind::Num, text, start);
    }

    /// "1,000" is one thousand; "1,2" or "30, 2" are separate numbers.
    fn thousands_group_follows(&self) -> bool {
        let rest = self.input.get(self.pos + 1..).unwrap_or("");
        rest.chars().take_while(char::is_ascii_digit).count() == 3
    }

    fn word(&mut self) {
        let start = self.pos;
        let mut text = String::new();
        let mut dotted = false;
        while let Some(c) = self.peek_at(self.pos) {
            if c.is_alphabetic() {
                text.extend(c.to_lowercase());
                self.pos += c.len_utf8();
            } else if c == '.' && self.peek_at(self.pos + 1).is_some_and(char::is_alphabetic) {
                dotted = true;
                self.pos += 1;
            } else {
                break;
            }
        }
        // "p.r.n." owns its final period; "tab." may end a sentence.
        if dotted && self.peek_at(self.pos) == Some('.') {
            self.pos += 1;
        }
        self.push(Kind::Word, text, start);
    }

    fn period(&mut self) {
        self.pos += 1;
        let ends_sentence = self.peek_at(self.pos).is_none_or(char::is_whitespace);
        self.pending_break |= ends_sentence;
    }

    fn punct(&mut self, c: char) {
        let start = self.pos;
        self.pos += c.len_utf8();
        let text = match c {
            '\u{2013}' | '\u{2014}' | '\u{2212}' => "-".to_string(),
            '\u{d7}' => "x".to_string(),
            other => other.to_string(),
        };
        let kind = if text == "x" { Kind::Word } else { Kind::Punct };
        self.push(kind, text, start);
    }

    fn push(&mut self, kind: Kind, text: String, start: usize) {
        let break_before = std::mem::take(&mut self.pending_break);
        self.tokens.push(Token {
            kind,
            text,
            span: start..self.pos,
            break_before,
        });
    }
}

/// True when `tokens` begins with the given texts, in order.
pub(crate) fn starts_with(tokens: &[Token], words: &[&str]) -> bool {
    tokens.len() >= words.len() && tokens.iter().zip(words).all(|(t, w)| t.is(w))
}

/// The longest phrase of `table` that `tokens` begins with: (length, value).
pub(crate) fn longest_phrase<T: Copy>(
    tokens: &[Token],
    table: &[(&[&str], T)],
) -> Option<(usize, T)> {
    table
        .iter()
        .filter(|(words, _)| starts_with(tokens, words))
        .max_by_key(|(words, _)| words.len())
        .map(|(words, value)| (words.len(), *value))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(input: &str) -> Vec<String> {
        tokenize(input).into_iter().map(|t| t.text).collect()
    }

    #[test]
    fn splits_numbers_from_units_and_folds_case() {
        assert_eq!(texts("10MG Tab"), ["10", "mg", "tab"]);
        assert_eq!(texts("Refills:2"), ["refills", ":", "2"]);
        assert_eq!(texts("Disp:#30"), ["disp", ":", "#", "30"]);
        assert_eq!(texts("x7d"), ["x", "7", "d"]);
    }

    #[test]
    fn drops_abbreviation_periods() {
        assert_eq!(texts("1 tab p.o. b.i.d."), ["1", "tab", "po", "bid"]);
        assert_eq!(texts("q.4.h."), ["q", "4", "h"]);
        assert_eq!(texts("Q.D."), ["qd"]);
    }

    #[test]
    fn keeps_decimals_as_written() {
        assert_eq!(texts(".5 mg"), [".5", "mg"]);
        assert_eq!(texts("1.0mg"), ["1.0", "mg"]);
        assert_eq!(texts("1,000 units"), ["1000", "units"]);
        assert_eq!(texts("30, 2"), ["30", ",", "2"]);
    }

    #[test]
    fn marks_sentence_breaks() {
        let tokens = tokenize("prn pain. Do not");
        assert!(
            tokens
                .iter()
                .find(|t| t.is("do"))
                .is_some_and(|t| t.break_before)
        );
        assert!(tokenize("p.r.n. pain").iter().all(|t| !t.break_before));
    }

    #[test]
    fn spans_point_into_the_input() {
        let input = "µg 5";
        let tokens = tokenize(input);
        assert_eq!(&input[tokens[0].span.clone()], "µg");
        assert_eq!(&input[tokens[1].span.clone()], "5");
    }
}
