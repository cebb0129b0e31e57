//! Printed label cues ("DOB:", "Refills:", "Sig:"): where a prescription
//! labels a value, the label decides its role, whatever the tagger says.
//! The tagger is left the unlabelled text (drug lines, bare names, sigs
//! without "Sig"), which is what it is for.

use crate::tagger::labels::{Role, Span};

/// Label words per role, longest first within a role so that "date of
/// birth" wins over "date".
const CUES: &[(&str, Option<Role>)] = &[
    ("date of birth", Some(Role::Dob)),
    ("birth date", Some(Role::Dob)),
    ("birthdate", Some(Role::Dob)),
    ("d.o.b.", Some(Role::Dob)),
    ("d.o.b", Some(Role::Dob)),
    ("dob", Some(Role::Dob)),
    ("born", Some(Role::Dob)),
    ("patient name", Some(Role::Patient)),
    ("patient", Some(Role::Patient)),
    ("pt name", Some(Role::Patient)),
    ("pt", Some(Role::Patient)),
    ("for", Some(Role::Patient)),
    ("name", Some(Role::Patient)),
    ("date written", Some(Role::Date)),
    ("rx date", Some(Role::Date)),
    ("date issued", Some(Role::Date)),
    ("issued", Some(Role::Date)),
    ("date", Some(Role::Date)),
    ("prescribed by", Some(Role::Prescriber)),
    ("prescriber", Some(Role::Prescriber)),
    ("physician", Some(Role::Prescriber)),
    ("provider", Some(Role::Prescriber)),
    ("npi", Some(Role::Npi)),
    ("dea", Some(Role::Dea)),
    ("directions", Some(Role::Sig)),
    ("instructions", Some(Role::Sig)),
    ("sig", Some(Role::Sig)),
    ("dispense", Some(Role::Quantity)),
    ("quantity", Some(Role::Quantity)),
    ("disp", Some(Role::Quantity)),
    ("qty", Some(Role::Quantity)),
    ("no.", Some(Role::Quantity)),
    ("refills", Some(Role::Refills)),
    ("refill", Some(Role::Refills)),
    ("repeats", Some(Role::Refills)),
    ("rpt", Some(Role::Refills)),
    ("rf", Some(Role::Refills)),
    // How the recogniser misreads "Refills" most often.
    ("reflls", Some(Role::Refills)),
    ("refils", Some(Role::Refills)),
    ("refll", Some(Role::Refills)),
    ("refil", Some(Role::Refills)),
    ("refi1ls", Some(Role::Refills)),
    ("refi1l", Some(Role::Refills)),
    ("ndc", Some(Role::Ndc)),
    ("mitte", Some(Role::Quantity)),
    // Labelled values that are none of ours: their text is nobody's name
    // or quantity ("Address: 7947 Park St, Rochester").
    ("address", None),
    ("addr", None),
    ("sex", None),
    ("gender", None),
    ("phone", None),
    ("tel", None),
    ("fax", None),
    ("allergies", None),
    ("weight", None),
    ("insurance", None),
    ("member id", None),
];

/// Whole-line values that need no label.
const BARE: &[(&str, Role)] = &[
    ("no refills", Role::Refills),
    ("nr", Role::Refills),
    ("no refill", Role::Refills),
];

/// Cue words that are also ordinary words ("for 7 days", "date"): they are
/// labels only when a colon or "#" follows.
const NEED_COLON: &[&str] = &[
    "sex",
    "tel",
    "phone",
    "fax",
    "weight",
    "gender",
    "allergies",
    "addr",
    "for",
    "name",
    "date",
    "pt",
    "born",
    "issued",
    "provider",
    "instructions",
    "dispense",
];

/// A label found in a line: its role, and where the label and value start.
struct Cue {
    role: Option<Role>,
    label_start: usize,
    value_start: usize,
}

/// What the labels in a line decide: spans with a role, and labelled
/// values that belong to no role (addresses, phone numbers).
#[derive(Debug, Default, PartialEq)]
pub struct Cued {
    pub spans: Vec<Span>,
    pub ignored: Vec<std::ops::Range<usize>>,
    /// A label that ends the line with its value on the next ("NDC").
    pub dangling: Option<Role>,
    /// Where the first label starts: text before it belongs to no label.
    pub first_label: Option<usize>,
}

impl Cued {
    /// Whether `start..end` overlaps anything a label decided.
    pub fn covers(&self, start: usize, end: usize) -> bool {
        let hit = |s: usize, e: usize| start < e && s < end;
        self.spans.iter().any(|c| hit(c.start, c.end))
            || self.ignored.iter().any(|r| hit(r.start, r.end))
    }
}

/// What the labels in `text` determine.
pub fn cued(text: &str) -> Cued {
    let first_cue = find_cues(text).first().map(|c| c.label_start);
    let trailing = trailing_refills(text).map(|s| s.start);
    let mut out = Cued {
        first_label: first_cue.into_iter().chain(trailing).min(),
        ..Cued::default()
    };
    for (range, role) in labelled(text) {
        match role {
            Some(role) if range.is_empty() => out.dangling = Some(role),
            Some(role) => out.spans.push(Span {
                start: range.start,
                end: range.end,
                role,
            }),
            None => out.ignored.push(range),
        }
    }
    out
}

/// The spans that labels in `text` determine.
pub fn spans(text: &str) -> Vec<Span> {
    cued(text).spans
}

fn labelled(text: &str) -> Vec<(std::ops::Range<usize>, Option<Role>)> {
    let trimmed = text.trim().trim_end_matches('.').to_ascii_lowercase();
    if let Some((_, role)) = BARE.iter().find(|(w, _)| *w == trimmed) {
        let start = text.len() - text.trim_start().len();
        return vec![(start..start + text.trim().len(), Some(*role))];
    }
    if let Some(span) = trailing_refills(text) {
        return vec![(span.start..span.end, Some(span.role))];
    }
    let cues = find_cues(text);
    let mut out = Vec::new();
    for (i, cue) in cues.iter().enumerate() {
        let end = cues.get(i + 1).map_or(text.len(), |c| c.label_start);
        let value = &text[cue.value_start..end];
        let trimmed_end = cue.value_start + value.trim_end().len();
        if trimmed_end > cue.value_start {
            out.push((cue.value_start..trimmed_end, cue.role));
        } else if i + 1 == cues.len() {
            out.push((cue.value_start..cue.value_start, cue.role));
        }
    }
    out
}

/// "4 refills", "two (2) refills" (the count before the word) or "NR",
/// ending the line; wrapped directions may come before ("prn pain NR").
fn trailing_refills(text: &str) -> Option<Span> {
    let t = text.trim_end();
    if let Some(head) = t.strip_suffix(" NR") {
        return Some(Span {
            start: head.len() + 1,
            end: t.len(),
            role: Role::Refills,
        });
    }
    let lower = t.to_ascii_lowercase();
    // "1 refil": the recogniser drops the last "l" of "refill".
    let head = ["refills", "refill", "refil"]
        .iter()
        .find_map(|word| lower.strip_suffix(word))?;
    let mut starts = head
        .char_indices()
        .filter(|&(i, c)| c != ' ' && (i == 0 || head[..i].ends_with(' ')))
        .map(|(i, _)| i)
        .rev();
    let last = starts.next()?;
    // "two (2)": the word before a bracketed count is the count in words.
    let start = match starts.next() {
        Some(before) if head[last..].trim_end().starts_with('(') => before,
        _ => last,
    };
    crate::parse::parse_refills(&t[start..])?;
    Some(Span {
        start,
        end: t.len(),
        role: Role::Refills,
    })
}

fn find_cues(text: &str) -> Vec<Cue> {
    let lower = text.to_ascii_lowercase();
    let mut cues: Vec<Cue> = Vec::new();
    let mut at = 0;
    while at < lower.len() {
        // "No refills" is its own value, wherever it sits on the line.
        if word_start(&lower, at) && lower[at..].starts_with("no refill") {
            cues.push(Cue {
                role: Some(Role::Refills),
                label_start: at,
                value_start: at,
            });
            at += "no refill".len();
            continue;
        }
        let glued = glued_start(text, at);
        let found = (glued || word_start(&lower, at)).then(|| {
            CUES.iter().find_map(|(w, role)| {
                if !lower[at..].starts_with(w) {
                    return None;
                }
                let strict = glued || NEED_COLON.contains(w);
                label_end(&lower, at + w.len(), strict).map(|e| (e, role))
            })
        });
        match found.flatten() {
            Some((label_end, role)) => {
                let value_start = skip_separators(text, label_end);
                cues.push(Cue {
                    role: *role,
                    label_start: at,
                    value_start,
                });
                at = value_start.max(at + 1);
            }
            None => at += lower[at..].chars().next().map_or(1, char::len_utf8),
        }
    }
    cues
}

fn word_start(s: &str, at: usize) -> bool {
    s.is_char_boundary(at)
        && s[..at]
            .chars()
            .next_back()
            .is_none_or(|c| !c.is_ascii_alphanumeric())
}

/// "SamanthaDate:", "1934Sex:", "MITCHELLDate:": the recogniser dropped
/// the space before a label. A capital starts one after a small letter or
/// a digit, or after capitals when a small letter follows it (a name in
/// capitals, then a label in title case), but only where a colon or "#"
/// ends it ("McKesson" holds no label).
fn glued_start(text: &str, at: usize) -> bool {
    let b = text.as_bytes();
    let (Some(before), Some(&here)) = (at.checked_sub(1).map(|i| b[i]), b.get(at)) else {
        return false;
    };
    let title_case = b.get(at + 1).is_some_and(u8::is_ascii_lowercase);
    here.is_ascii_uppercase()
        && (before.is_ascii_lowercase()
            || before.is_ascii_digit()
            || (before.is_ascii_uppercase() && title_case))
}

/// Where the label that starts with a cue word ends: at a separator (":",
/// "#", "No."), or, when the value follows after a space, right after the
/// word; "Dated" is not "Date". A cue word that needs a colon may run on
/// for a word or two before it ("Date Writen:", as OCR misspells it).
fn label_end(s: &str, end: usize, strict: bool) -> Option<usize> {
    let rest = &s[end..];
    if strict {
        let run = rest
            .char_indices()
            .take_while(|(i, c)| *i < 14 && (c.is_ascii_alphabetic() || *c == ' '))
            .last()
            .map_or(0, |(i, c)| i + c.len_utf8());
        let glued = rest[..run].starts_with(|c: char| c.is_ascii_alphabetic());
        return (!glued && rest[run..].starts_with([':', '#'])).then_some(end + run);
    }
    match rest.chars().next() {
        // A label ending the line: its value is on the next one.
        None => Some(end),
        Some(':' | '#' | '.') => Some(end),
        // OCR glues a value to its label ("Refills2", "Rptx3") but not two
        // words.
        Some(c) if c.is_ascii_alphanumeric() => {
            let count = rest.strip_prefix('x').unwrap_or(rest);
            count
                .starts_with(|c: char| c.is_ascii_digit())
                .then_some(end)
        }
        Some(_) => Some(end),
    }
}

fn skip_separators(text: &str, mut at: usize) -> usize {
    let bytes = text.as_bytes();
    while at < bytes.len() && matches!(bytes[at], b':' | b'#' | b' ' | b'.') {
        at += 1;
    }
    let rest = text[at..].to_ascii_lowercase();
    for prefix in ["no. ", "no "] {
        if rest.starts_with(prefix)
            && rest[prefix.len()..].starts_with(|c: char| c.is_ascii_digit())
        {
            return at + prefix.len();
        }
    }
    at
}

#[cfg(test)]
mod tests {
    use super::*;

    fn roles(text: &str) -> Vec<(Role, &str)> {
        spans(text)
            .into_iter()
            .map(|s| (s.role, &text[s.start..s.end]))
            .collect()
    }

    #[test]
    fn labelled_values() {
        assert_eq!(
            roles("Patient Name: Rahul A. Gomez"),
            vec![(Role::Patient, "Rahul A. Gomez")]
        );
        assert_eq!(roles("DOB: 3/16/1992"), vec![(Role::Dob, "3/16/1992")]);
        assert_eq!(
            roles("Date of Birth: 12/20/2024"),
            vec![(Role::Dob, "12/20/2024")]
        );
        assert_eq!(roles("Rx Date: 07/02/25"), vec![(Role::Date, "07/02/25")]);
        assert_eq!(roles("Disp No. 13"), vec![(Role::Quantity, "13")]);
        assert_eq!(roles("No.60"), vec![(Role::Quantity, "60")]);
        assert_eq!(roles("Refills: 2"), vec![(Role::Refills, "2")]);
        assert_eq!(roles("Refill x3"), vec![(Role::Refills, "x3")]);
        assert_eq!(roles("Rptx3"), vec![(Role::Refills, "x3")]);
        assert_eq!(roles("Rptxyz"), vec![], "a word, not a count");
        assert_eq!(roles("NDC: 0115-7037"), vec![(Role::Ndc, "0115-7037")]);
        assert_eq!(
            roles("Sig: Take 1 tab po bid"),
            vec![(Role::Sig, "Take 1 tab po bid")]
        );
    }

    #[test]
    fn several_labels_on_one_line() {
        assert_eq!(
            roles("NPI:1132679220 DEA: FA7147538"),
            vec![(Role::Npi, "1132679220"), (Role::Dea, "FA7147538")]
        );
        assert_eq!(
            roles("Disp: #30  Refills: 2"),
            vec![(Role::Quantity, "30"), (Role::Refills, "2")]
        );
    }

    #[test]
    fn labels_glued_to_the_value_before() {
        assert_eq!(
            roles("Patient: Crawford, SamanthaDate: 10/14/2024"),
            vec![
                (Role::Patient, "Crawford, Samantha"),
                (Role::Date, "10/14/2024")
            ]
        );
        assert_eq!(
            roles("DOB: November 16, 1934Sex: F"),
            vec![(Role::Dob, "November 16, 1934")]
        );
        assert_eq!(
            roles("Sig: by mouth three times a dayRefills: 1"),
            vec![
                (Role::Sig, "by mouth three times a day"),
                (Role::Refills, "1")
            ]
        );
        assert_eq!(
            roles("Patient: CHRISTOPHER M. MITCHELLDate: June 17, 2025"),
            vec![
                (Role::Patient, "CHRISTOPHER M. MITCHELL"),
                (Role::Date, "June 17, 2025")
            ]
        );
        // Without a colon a capital inside a word is a name, not a label.
        assert_eq!(
            roles("Patient: Ann McDate"),
            vec![(Role::Patient, "Ann McDate")]
        );
        assert_eq!(roles("Rx: DayPro 10 mg"), vec![]);
        assert_eq!(
            roles("Patient: JAMES MCDATE"),
            vec![(Role::Patient, "JAMES MCDATE")]
        );
    }

    #[test]
    fn bare_values_and_non_labels() {
        assert_eq!(roles("No refills"), vec![(Role::Refills, "No refills")]);
        assert_eq!(roles("NR"), vec![(Role::Refills, "NR")]);
        assert_eq!(roles("4 refills"), vec![(Role::Refills, "4 refills")]);
        assert_eq!(roles("1 refil"), vec![(Role::Refills, "1 refil")]);
        assert_eq!(
            roles("x 10d Refi1ls: two (2) NDC 13985-606"),
            vec![(Role::Refills, "two (2)"), (Role::Ndc, "13985-606")]
        );
        assert_eq!(
            roles("two (2) refills"),
            vec![(Role::Refills, "two (2) refills")]
        );
        assert_eq!(
            roles("prn anxiety 3 refills"),
            vec![(Role::Refills, "3 refills")]
        );
        assert_eq!(cued("prn anxiety 3 refills").first_label, Some(12));
        assert!(roles("refills").is_empty());
        assert_eq!(roles("OS q6h NR"), vec![(Role::Refills, "NR")]);
        assert_eq!(roles("Refll x1"), vec![(Role::Refills, "x1")]);
        assert_eq!(
            roles("for 7/7 No refills"),
            vec![(Role::Refills, "No refills")]
        );
        assert!(roles("Dated material").is_empty());
        assert_eq!(
            roles("For: Rivera, Amber"),
            vec![(Role::Patient, "Rivera, Amber")]
        );
        assert!(roles("for seven days").is_empty());
        assert_eq!(
            roles("Date Written: 1/1/2026"),
            vec![(Role::Date, "1/1/2026")]
        );
        assert_eq!(
            roles("Date Writte: 1/1/2026"),
            vec![(Role::Date, "1/1/2026")]
        );
        assert!(roles("Dispense as written").is_empty());
        assert!(roles("Methyltestosterone 10 mg tabs").is_empty());
        assert!(roles("Take 1 tablet by mouth daily").is_empty());
    }
}
