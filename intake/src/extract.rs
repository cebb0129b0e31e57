//! Tagged OCR lines to an `ExtractedPrescription`: each span becomes a
//! field, parsed by its role; a drug span opens a new item and the spans
//! after it fill that item.

use crate::cues;
use crate::drug_line;
use crate::letterhead;
use crate::link;
use crate::ocr::geometry::BBox;
use crate::ocr::{ColumnKind, OcrLine};
use crate::parse;
use crate::prescription::{Dispense, ExtractedPrescription, Field, Flag, Item, Line};
use crate::tagger::labels::{Role, Span};
use rxflow_clinical::Kb;
use rxflow_clinical::codes::{Dea, Ndc, Npi};

mod wrapped_strength;

/// A written two-digit birth year above this is last century.
pub(crate) const DOB_PIVOT: u8 = 26;
/// A second OCR reading is offered when its character was this likely.
const ALTERNATIVE_MIN_PROB: f32 = 0.15;
/// Fields whose text does not parse keep at most this confidence.
const UNPARSED_CAP: f32 = 0.4;

/// One OCR line with the tagger's spans and their probabilities.
pub struct TaggedLine<'a> {
    pub ocr: &'a OcrLine,
    pub spans: Vec<(Span, f32)>,
}

/// Confidence given to a role decided by a printed label.
const CUE_PROB: f32 = 0.99;
/// A wrapped line starts at most this many line heights right of where
/// the text above it started, and its centre is at most this many below
/// that text's bottom: a gap of up to one line height between them, as
/// forms spaced at one and a half lines or more leave.
const WRAP_INDENT: f32 = 3.;
const WRAP_GAP: f32 = 1.5;
/// A quantity's wrapped tail is a few words ("hundred (300) mL").
const QUANTITY_TAIL_WORDS: usize = 4;
/// Lines read after directions (or a label) that ended a line, among
/// which their wrapped tail (or value) may come: the other cells of a
/// table row come first.
const SIG_WRAP_LINES: u8 = 6;
/// A drug the tagger found must link at least this well to open an item.
const DRUG_LINK_MIN: f32 = 0.7;

/// Assembles the fields of `lines`, linking drugs through `kb`. Printed
/// labels decide roles where present; a tagger span elsewhere is kept only
/// when its text parses as its role (a city is not a quantity).
pub fn assemble(lines: &[TaggedLine], kb: &Kb) -> ExtractedPrescription {
    let mut rx = ExtractedPrescription::default();
    let mut drafts: Vec<Draft> = Vec::new();
    // Header fields a printed label has filled: no tagger guess replaces them.
    let mut cued_roles: Vec<Role> = Vec::new();
    // Lines since directions ended at a line's end: a table's quantity
    // cell may sit between the directions and their wrapped tail.
    let mut sig_open = 0u8;
    let mut quantity_open = false;
    // A label that ended a line, where, and for how many lines more its
    // value may come: in a table, the other cells of its row come first.
    let mut dangling: Option<(Role, Place, u8)> = None;
    for line in lines {
        let mut spans = merged_spans(line, kb);
        match dangling.take() {
            Some((role, at, _)) if wraps_under(at, line.ocr) => {
                if let Some(value) = head_as(line, role, &spans, kb) {
                    // The label's value beats a tagger guess over it.
                    let (vs, ve) = (value.0.start, value.0.end);
                    spans.retain(|(s, _, cued)| *cued || s.end <= vs || ve <= s.start);
                    spans.push(value);
                }
                spans.sort_by_key(|(s, _, _)| s.start);
            }
            Some((role, at, left)) if left > 1 => dangling = Some((role, at, left - 1)),
            _ => {}
        }
        let cued = cues::cued(&line.ocr.text);
        if let Some(role) = cued.dangling {
            dangling = Some((role, Place::of(line.ocr), SIG_WRAP_LINES));
        }
        // A quantity continues into a line's head before a label only when
        // it ended the line above: "Disp: three" / "hundred (300) mL Sig: …".
        let head_end = match cued.first_label {
            Some(label) if quantity_open => Some(label),
            Some(_) => None,
            None => Some(line.ocr.text.len()),
        };
        let strength_end =
            wrapped_strength::continue_strength(line, cued.first_label, &spans, &mut drafts);
        let took_head = head_end.filter(|&end| {
            strength_end.is_none()
                && !decided(&spans, end, Some(Role::Quantity))
                && continue_dispense(line, end, &mut drafts)
        });
        if let Some(end) = strength_end {
            spans.retain(|(s, _, _)| s.start >= end);
        } else if let Some(end) = took_head {
            if cued.first_label.is_none() {
                push_line(&mut rx, line);
                continue;
            }
            spans.retain(|(s, _, _)| s.start >= end);
        } else if sig_open > 0 {
            spans = continue_sig(line, cued.first_label, spans, &mut drafts);
        }
        let ends_in = |role| {
            spans.last().is_some_and(|(s, _, _)| {
                s.role == role && s.end + 1 >= line.ocr.text.trim_end().len()
            })
        };
        let ends_in_sig = ends_in(Role::Sig);
        quantity_open = ends_in(Role::Quantity);
        sig_open = if ends_in_sig {
            SIG_WRAP_LINES
        } else {
            sig_open.saturating_sub(1)
        };
        let letterhead = letterhead::is_letterhead(&line.ocr.text);
        let mut drug_end = None;
        for (span, prob, cued) in spans {
            let raw = Raw::new(line.ocr, &span, prob);
            let practice_or_street = letterhead && span.role == Role::Drug;
            if raw.text.is_empty()
                || practice_or_street
                || !(cued || plausible(span.role, &raw.text, kb))
            {
                continue;
            }
            let raw = Raw { cued, ..raw };
            if span.role == Role::Drug {
                drug_end = Some(span.end);
            }
            place(&mut rx, &mut drafts, &mut cued_roles, span.role, raw);
        }
        wrapped_strength::note_amount(line, drug_end, &mut drafts);
        push_line(&mut rx, line);
    }
    rx.items = drafts
        .into_iter()
        .filter(|d| d.drug.is_some() || d.has_fields())
        .map(|d| d.finish(kb, &mut rx.flags))
        .collect();
    rx
}

fn push_line(rx: &mut ExtractedPrescription, line: &TaggedLine) {
    rx.flags.extend(ismp_flags(line.ocr));
    rx.lines.push(Line {
        text: line.ocr.text.clone(),
        bbox: line.ocr.bbox,
        confidence: line.ocr.confidence,
    });
}

/// Whether a label or a drug line decided any of the text before `end`
/// as other than `but`: "3. fenofibrate 54mg" opens an item, it does not
/// continue one. A quantity cell may still be the tail of the quantity
/// above it ("28" / "(twenty-eight)").
fn decided(spans: &[(Span, f32, bool)], end: usize, but: Option<Role>) -> bool {
    spans
        .iter()
        .any(|(s, _, cued)| *cued && s.start < end && Some(s.role) != but)
}

/// Joins the head of `line` (the text before `head_end`, its first label)
/// to the last item's quantity when it wraps under it and the two read as
/// one quantity ("sixty" / "(60)", "180" / "capsules", "three" /
/// "hundred (300) mL Sig: …").
fn continue_dispense(line: &TaggedLine, head_end: usize, drafts: &mut [Draft]) -> bool {
    let text = line.ocr.text[..head_end].trim_end();
    let Some(d) = drafts.last_mut().filter(|d| d.item.dispense.is_found()) else {
        return false;
    };
    let words = text.split_whitespace().count();
    let short = (1..=QUANTITY_TAIL_WORDS).contains(&words) && !text.contains(':');
    if !short || !wraps_under(d.dispense_at, line.ocr) {
        return false;
    }
    let whole = Span {
        start: 0,
        end: text.len(),
        role: Role::Quantity,
    };
    let joined = d
        .item
        .dispense
        .joined(Raw::new(line.ocr, &whole, line.ocr.confidence));
    let Some(both) = parse::parse_quantity(&joined.text) else {
        return false;
    };
    // "(60)" reads alone; "capsules" only adds the unit the count lacked.
    let adds_unit = both.quantity.unit().is_some()
        && d.item
            .dispense
            .value
            .as_ref()
            .is_some_and(|v| v.unit.is_none());
    if parse::parse_quantity(text).is_none() && !adds_unit {
        return false;
    }
    d.item.dispense = Field::default();
    d.fill(Role::Quantity, joined);
    true
}

/// Joins the head of `line` (the text before its first label) to the
/// directions of the last item when it reads as their wrapped tail; the
/// spans left are those after it.
fn continue_sig(
    line: &TaggedLine,
    first_label: Option<usize>,
    spans: Vec<(Span, f32, bool)>,
    drafts: &mut [Draft],
) -> Vec<(Span, f32, bool)> {
    let text = &line.ocr.text;
    let head_end = first_label.unwrap_or(text.len());
    let head = &text[..head_end];
    let claimed = decided(&spans, head_end, None);
    let Some(d) = drafts.last_mut().filter(|d| d.item.sig.is_found()) else {
        return spans;
    };
    if claimed || !continues_sig(head, &d.item.sig.text) || !wraps_under(d.sig_at, line.ocr) {
        return spans;
    }
    let tail = Span {
        start: 0,
        end: head.trim_end().len(),
        role: Role::Sig,
    };
    d.continue_sig(Raw::new(line.ocr, &tail, line.ocr.confidence));
    spans
        .into_iter()
        .filter(|(s, _, _)| s.start >= head_end)
        .collect()
}

/// A wrapped tail sits on the next row. In a table it stays in its
/// column (a line beside the text is the next cell); elsewhere it starts
/// no further right than the text did, often back under its label.
fn wraps_under(above: Place, line: &OcrLine) -> bool {
    let b = Place::of(line).frame;
    let a = above.frame;
    let height = b[3] - b[1];
    let centre = (b[1] + b[3]) / 2.;
    let below = centre > (a[1] + a[3]) / 2. + height / 2.;
    let close = centre < a[3] + WRAP_GAP * height;
    let aligned = match (above.column, line.column) {
        (None, None) => b[0] < a[0] + WRAP_INDENT * height,
        (a, l) => a == l,
    };
    below && close && aligned
}

/// Where text stands on the straightened page, and in which table column.
#[derive(Clone, Copy, Default)]
struct Place {
    frame: BBox,
    column: Option<usize>,
}

impl Place {
    fn of(line: &OcrLine) -> Place {
        Place {
            frame: line.span_frame(0, line.glyphs.len()),
            column: line.column,
        }
    }
}

/// The head of `line` as the value of the label that ended a line above
/// it, when no other label claims it and it reads as that role. Most
/// values are one word (a code, a number); directions run up to the
/// line's next label ("Sig" / "Take i cap PO qid x7 days RF: 3").
fn head_as(
    line: &TaggedLine,
    role: Role,
    spans: &[(Span, f32, bool)],
    kb: &Kb,
) -> Option<(Span, f32, bool)> {
    let text = &line.ocr.text;
    let start = text.len() - text.trim_start().len();
    let end = value_end(text, start, role);
    let free = !spans
        .iter()
        .any(|(s, _, cued)| *cued && s.start < end && start < s.end);
    (free && end > start && plausible(role, &text[start..end], kb)).then_some((
        Span { start, end, role },
        CUE_PROB,
        true,
    ))
}

/// Where the value under a dangling `role` label, starting at `start`,
/// ends in `text`.
fn value_end(text: &str, start: usize, role: Role) -> usize {
    if role == Role::Sig {
        let head = &text[..cues::cued(text).first_label.unwrap_or(text.len())];
        return head.trim_end().len();
    }
    text[start..].find(' ').map_or(text.len(), |i| start + i)
}

/// A short line of words with no label: the tail of wrapped directions
/// `sig` so far. It starts with a word, or with a count of days or hours
/// when `sig` was left unfinished ("… every evening for" / "10 days"): any
/// other line starting with a number is a quantity.
fn continues_sig(text: &str, sig: &str) -> bool {
    let words = text.split_whitespace().count();
    let first = text.split_whitespace().next().unwrap_or("");
    let unfinished = sig
        .split_whitespace()
        .last()
        .is_some_and(|w| UNFINISHED.contains(&w.to_ascii_lowercase().as_str()));
    (1..=8).contains(&words)
        && !SIG_VERBS.contains(&first.to_ascii_lowercase().as_str())
        && !text.contains([':', '#'])
        && (text
            .trim_start()
            .starts_with(|c: char| c.is_alphabetic() || c == '(')
            || unfinished && completes_sig(sig, text))
        && !text.to_ascii_lowercase().contains("refill")
        && !FOOTERS
            .iter()
            .any(|f| text.to_ascii_lowercase().contains(f))
}

/// Directions start with a verb or a dose.
fn sig_like(text: &str) -> bool {
    const UNITS: &[&str] = &[
        "puff", "puffs", "tab", "tabs", "tablet", "tablets", "cap", "caps", "capsule", "capsules",
        "drop", "drops", "gtt", "gtts", "ml",
    ];
    text.split_whitespace().take(3).any(|w| {
        let w = w.to_ascii_lowercase();
        let w = w.trim_end_matches([',', '.']);
        SIG_VERBS.contains(&w) || UNITS.contains(&w)
    })
}

/// Whether `tail` gives the directions `sig` a duration or a schedule they
/// lacked ("… for" / "10 days", "… every" / "6 hours"): a number of days,
/// not of tablets. The sig parser decides, so both read durations alike.
fn completes_sig(sig: &str, tail: &str) -> bool {
    let Ok(joined) = parse::parse_sig(&format!("{sig} {tail}")) else {
        return false;
    };
    let before = parse::parse_sig(sig).ok();
    let gained_duration =
        joined.duration_days.is_some() && before.as_ref().is_none_or(|b| b.duration_days.is_none());
    let gained_schedule = before.is_none_or(|b| b.timing != joined.timing);
    gained_duration || gained_schedule
}

/// Words that leave directions unfinished: what follows them is their tail.
const UNFINISHED: &[&str] = &[
    "for", "x", "every", "times", "to", "per", "each", "then", "q",
];

/// Verbs that start directions, and so never their wrapped tail.
const SIG_VERBS: &[&str] = &[
    "take", "inhale", "apply", "instill", "give", "place", "use", "insert", "chew", "dissolve",
];

/// Printed footers that follow the last item: never part of directions.
const FOOTERS: &[&str] = &[
    "permitted",
    "selection",
    "substitut",
    "signature",
    "as written",
    "necessary",
    "void",
];

/// Confidence given to the split of a line that reads as a drug line.
const DRUG_LINE_PROB: f32 = 0.95;

/// Label-cued spans, else a drug line's split, else the tagger's spans
/// (snapped to whole words); tagger spans overlapping a cued one are
/// dropped. The flag marks spans that need no plausibility check.
fn merged_spans(line: &TaggedLine, kb: &Kb) -> Vec<(Span, f32, bool)> {
    let text = &line.ocr.text;
    let cued = cues::cued(text);
    if let Some(cell) = quantity_cell(line.ocr).filter(|_| cued.spans.is_empty()) {
        return vec![(cell, CUE_PROB, true)];
    }
    let mut out: Vec<(Span, f32, bool)> = cued.spans.iter().map(|s| (*s, CUE_PROB, true)).collect();
    // The drug line may open a labelled line: "2. Fludrocortisone 0.1 mg
    // TAB Qty: #45 Sig: ...".
    let head = &text[..cued.first_label.unwrap_or(text.len())];
    let drug = cued
        .ignored
        .is_empty()
        .then(|| drug_line::spans(head, kb))
        .flatten()
        .unwrap_or_default();
    out.extend(drug.iter().map(|s| (*s, DRUG_LINE_PROB, true)));
    let taken = |t: &Span| {
        cued.covers(t.start, t.end) || drug.iter().any(|d| t.start < d.end && d.start < t.end)
    };
    if drug.is_empty() || cued.first_label.is_some() {
        let tagged = tidy(text, &line.spans);
        out.extend(
            tagged
                .into_iter()
                .filter(|(t, _)| !taken(t))
                .map(|(t, p)| (t, p, false)),
        );
    }
    out.sort_by_key(|(s, _, _)| s.start);
    out.dedup_by(|b, a| b.0.start < a.0.end);
    out
}

/// A cell under a "Qty" heading that reads as a quantity ("180", "1
/// tube", "one (1)"): the heading is its label.
fn quantity_cell(line: &OcrLine) -> Option<Span> {
    let text = &line.text;
    let start = text.len() - text.trim_start().len();
    let end = text.trim_end().len();
    (line.column_kind == Some(ColumnKind::Quantity)
        && end > start
        && parse::parse_quantity(&text[start..end]).is_some())
    .then_some(Span {
        start,
        end,
        role: Role::Quantity,
    })
}

/// The tagger's spans snapped to whole words, a strength split off a drug
/// span that swallowed it, and a sig span taken to cover its line
/// when it covers most of it (the tagger often misses "Take i").
fn tidy(text: &str, spans: &[(Span, f32)]) -> Vec<(Span, f32)> {
    let mut out: Vec<(Span, f32)> = Vec::new();
    for &(s, p) in spans {
        let s = whole_words(text, s);
        match (s.role, digit_word(text, s)) {
            (Role::Drug, Some(at)) if at > s.start => {
                let name_end = text[..at].trim_end().len();
                out.push((Span { end: name_end, ..s }, p));
                out.push((
                    Span {
                        start: at,
                        role: Role::Strength,
                        ..s
                    },
                    p,
                ));
            }
            _ => out.push((s, p)),
        }
    }
    let trimmed = text.trim().len();
    if let Some(&(s, p)) = out
        .iter()
        .find(|(s, _)| s.role == Role::Sig && 2 * (s.end - s.start) >= trimmed)
    {
        let start = text.len() - text.trim_start().len();
        let whole = Span {
            start,
            end: start + trimmed,
            ..s
        };
        return vec![(whole, p)];
    }
    out
}

/// Byte offset of the first word in `s` that starts with a digit.
fn digit_word(text: &str, s: Span) -> Option<usize> {
    let inner = text.get(s.start..s.end)?;
    let mut at = 0;
    for w in inner.split(' ') {
        if w.starts_with(|c: char| c.is_ascii_digit()) {
            return Some(s.start + at);
        }
        at += w.len() + 1;
    }
    None
}

/// The tagger labels word pieces; a span that starts or ends inside a word
/// ("90 mcg/" of "90 mcg/actuation") is widened to the whole word.
fn whole_words(text: &str, mut s: Span) -> Span {
    let b = text.as_bytes();
    while s.start > 0 && s.start <= b.len() && !b[s.start - 1].is_ascii_whitespace() {
        s.start -= 1;
    }
    while s.end < b.len() && !b[s.end].is_ascii_whitespace() {
        s.end += 1;
    }
    while !text.is_char_boundary(s.start) {
        s.start -= 1;
    }
    while !text.is_char_boundary(s.end) {
        s.end += 1;
    }
    s
}

/// Whether a tagger span's text can be what the tagger says it is.
fn plausible(role: Role, text: &str, kb: &Kb) -> bool {
    match role {
        Role::Patient | Role::Prescriber => {
            text.chars().filter(|c| c.is_alphabetic()).count() >= 3
                && !text.chars().any(|c| c.is_ascii_digit())
        }
        Role::Dob | Role::Date => parse::parse_date(text).is_some(),
        Role::Npi => Npi::parse(&digits(text)).is_ok(),
        Role::Dea => Dea::parse(&text.replace([' ', '-'], "")).is_ok(),
        // "mg" alone links to magnesium: a unit left over is not a drug.
        Role::Drug => {
            !drug_line::is_unit_word(text.trim())
                && link::link(kb, text, "", "").is_some_and(|l| l.score >= DRUG_LINK_MIN)
        }
        Role::Strength => parse::parse_strength(text).is_some(),
        Role::Form => parse::parse_dose_form(text).is_some(),
        // Wrapped directions do not parse until joined with their tail.
        Role::Sig => parse::parse_sig(text).is_ok() || sig_like(text),
        // A bare number is more often part of an address than a quantity.
        Role::Quantity => {
            parse::parse_quantity(text).is_some()
                && text.contains(|c: char| c == '#' || c.is_alphabetic())
        }
        Role::Refills => parse::parse_refills(text).is_some(),
        Role::Ndc => ndc_value(text).is_some(),
    }
}

/// A span's text with where it is and how sure OCR and the tagger are.
#[derive(Clone)]
struct Raw {
    /// Whether a printed label decided the role.
    cued: bool,
    at: Place,
    text: String,
    confidence: f32,
    bbox: [f32; 4],
    alternatives: Vec<String>,
}

impl Raw {
    fn new(line: &OcrLine, span: &Span, tag_prob: f32) -> Raw {
        let (start, end) = trimmed(&line.text, span.start, span.end);
        let text = line.text.get(start..end).unwrap_or("").to_string();
        let (cs, ce) = (
            line.text[..start].chars().count(),
            line.text[..end].chars().count(),
        );
        Raw {
            cued: false,
            at: Place {
                frame: line.span_frame(cs, ce),
                column: line.column,
            },
            confidence: line.span_confidence(cs, ce).min(tag_prob),
            bbox: line.span_bbox(cs, ce),
            alternatives: second_reading(line, cs, ce).into_iter().collect(),
            text,
        }
    }

    /// This reading with `more`, read after it, as one.
    fn joined(self, more: Raw) -> Raw {
        let [a, b] = [self.bbox, more.bbox];
        Raw {
            cued: false,
            at: more.at,
            text: format!("{} {}", self.text, more.text),
            confidence: self.confidence.min(more.confidence),
            bbox: [
                a[0].min(b[0]),
                a[1].min(b[1]),
                a[2].max(b[2]),
                a[3].max(b[3]),
            ],
            alternatives: Vec::new(),
        }
    }

    fn field<T>(self, value: Option<T>) -> Field<T> {
        let confidence = if value.is_some() {
            self.confidence
        } else {
            self.confidence.min(UNPARSED_CAP)
        };
        Field {
            text: self.text,
            value,
            confidence,
            bbox: self.bbox,
            alternatives: self.alternatives,
        }
    }
}

/// Byte range of the span without surrounding spaces and label punctuation.
fn trimmed(text: &str, start: usize, end: usize) -> (usize, usize) {
    let Some(s) = text.get(start..end) else {
        return (start, start);
    };
    let junk = |c: char| c.is_whitespace() || matches!(c, ':' | ';' | ',' | '|' | '_');
    let lead = s.len() - s.trim_start_matches(junk).len();
    let kept = s.trim_matches(junk).len();
    (start + lead, start + lead + kept)
}

/// The span read with its least certain character replaced by the
/// recogniser's second choice, when that choice was plausible.
fn second_reading(line: &OcrLine, cs: usize, ce: usize) -> Option<String> {
    let glyphs = line.glyphs.get(cs..ce)?;
    let (i, (ch, _)) = glyphs
        .iter()
        .enumerate()
        .filter_map(|(i, g)| g.second.map(|s| (i, s)))
        .filter(|(_, (_, p))| *p >= ALTERNATIVE_MIN_PROB)
        .max_by(|a, b| a.1.1.total_cmp(&b.1.1))?;
    Some(
        glyphs
            .iter()
            .enumerate()
            .map(|(j, g)| if j == i { ch } else { g.ch })
            .collect(),
    )
}

fn place(
    rx: &mut ExtractedPrescription,
    drafts: &mut Vec<Draft>,
    cued_roles: &mut Vec<Role>,
    role: Role,
    raw: Raw,
) {
    // The first reading wins, except that a labelled value replaces a
    // guessed one ("Patient: Billy Romero" over a city the tagger took).
    let mut set_once = |f: &mut Field<String>, raw: Raw, value: Option<String>| {
        let upgrade = raw.cued && !cued_roles.contains(&role);
        if !f.is_found() || upgrade {
            if raw.cued {
                cued_roles.push(role);
            }
            *f = raw.field(value);
        }
    };
    match role {
        Role::Patient => set_once(&mut rx.patient.name, raw.clone(), Some(name(&raw.text))),
        Role::Dob => {
            let v = parse::parse_date_with_pivot(&raw.text, DOB_PIVOT).map(iso);
            set_once(&mut rx.patient.dob, raw, v);
        }
        Role::Date => {
            let v = parse::parse_date(&raw.text).map(iso);
            set_once(&mut rx.written_date, raw, v);
        }
        Role::Prescriber => {
            let v = Some(name(&raw.text));
            set_once(&mut rx.prescriber.name, raw, v);
        }
        Role::Npi => {
            let v = Npi::parse(&digits(&raw.text))
                .ok()
                .map(|n| n.as_str().to_string());
            set_once(&mut rx.prescriber.npi, raw, v);
        }
        Role::Dea => {
            let v = Dea::parse(&raw.text.replace([' ', '-'], ""))
                .ok()
                .map(|d| d.as_str().to_string());
            set_once(&mut rx.prescriber.dea, raw, v);
        }
        // Fields written before the drug (some layouts put the quantity
        // first) belong to it.
        Role::Drug => match drafts.last_mut() {
            Some(d) if d.drug.is_none() => d.drug = Some(raw),
            _ => drafts.push(Draft::new(raw)),
        },
        other => {
            if drafts.last().is_none() {
                drafts.push(Draft::default());
            }
            if let Some(d) = drafts.last_mut() {
                d.fill(other, raw);
            }
        }
    }
}

/// A person's name spaced as printed: the recogniser drops the space
/// around an initial ("RahulA. Gomez", "Jason W.Woods"), and a name never
/// glues an initial to a word.
fn name(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len() + 2);
    for (i, &c) in chars.iter().enumerate() {
        let at = |k: usize| i.checked_sub(k).and_then(|j| chars.get(j)).copied();
        let next = chars.get(i + 1).copied();
        let upper = c.is_ascii_uppercase();
        let initial_after_word =
            upper && next == Some('.') && at(1).is_some_and(|p| p.is_ascii_lowercase());
        let word_after_initial = upper
            && at(1) == Some('.')
            && at(2).is_some_and(|p| p.is_ascii_uppercase())
            && next.is_some_and(|n| n.is_ascii_lowercase());
        if initial_after_word || word_after_initial {
            out.push(' ');
        }
        out.push(c);
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn digits(text: &str) -> String {
    text.chars().filter(char::is_ascii_digit).collect()
}

pub(crate) fn iso(d: time::Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

fn ismp_flags(line: &OcrLine) -> Vec<Flag> {
    parse::scan(&line.text)
        .into_iter()
        .map(|f| {
            let cs = line.text[..f.span.start].chars().count();
            let ce = line.text[..f.span.end].chars().count();
            Flag {
                code: f.code.to_string(),
                message: f.message,
                bbox: line.span_bbox(cs, ce),
            }
        })
        .collect()
}

/// An item's raw spans until it is complete and can be linked.
#[derive(Default)]
struct Draft {
    drug: Option<Raw>,
    /// The directions' reading confidence before any cap for not parsing:
    /// a wrapped sig that parses once joined must not keep the cap.
    sig_read_confidence: f32,
    item: Item,
    /// Where the directions and the quantity were read, for their tails.
    sig_at: Place,
    dispense_at: Place,
    strength_text: String,
    form_text: String,
    /// A bare number that ended the drug's line: the strength's amount,
    /// whose unit may have wrapped onto the next row.
    amount: Option<Raw>,
}

impl Draft {
    fn new(drug: Raw) -> Draft {
        Draft {
            drug: Some(drug),
            ..Default::default()
        }
    }

    fn has_fields(&self) -> bool {
        let i = &self.item;
        i.strength.is_found() || i.sig.is_found() || i.dispense.is_found() || i.refills.is_found()
    }

    fn fill(&mut self, role: Role, raw: Raw) {
        let item = &mut self.item;
        match role {
            Role::Strength if !item.strength.is_found() => {
                self.strength_text = raw.text.clone();
                let v = parse::parse_strength(&raw.text)
                    .and_then(|s| serde_json::to_value(s.strength).ok());
                item.strength = raw.field(v);
            }
            Role::Form if !item.form.is_found() => {
                self.form_text = raw.text.clone();
                let v = parse::parse_dose_form(&raw.text).map(|f| f.as_str().to_string());
                item.form = raw.field(v);
            }
            Role::Sig if !item.sig.is_found() => {
                self.sig_read_confidence = raw.confidence;
                self.sig_at = raw.at;
                set_sig(item, raw);
            }
            Role::Quantity if !item.dispense.is_found() => {
                self.dispense_at = raw.at;
                let v = parse::parse_quantity(&raw.text).map(|q| Dispense {
                    quantity: q.quantity.value(),
                    unit: q.quantity.unit().map(|u| u.as_str().to_string()),
                });
                item.dispense = raw.field(v);
            }
            Role::Refills if !item.refills.is_found() => {
                // The tagger leaves the label out: "2" alone is a count here.
                let v = parse::parse_refills(&raw.text)
                    .or_else(|| parse::parse_refills(&format!("Refills: {}", raw.text)))
                    .or_else(|| raw.text.eq_ignore_ascii_case("none").then_some(0));
                item.refills = raw.field(v);
            }
            Role::Ndc if !item.ndc.is_found() => {
                let v = ndc_value(&raw.text);
                item.ndc = raw.field(v);
            }
            _ => {}
        }
    }

    fn finish(mut self, kb: &Kb, flags: &mut Vec<Flag>) -> Item {
        if let Some(raw) = self.drug.take() {
            let linked = link::link(kb, &raw.text, &self.strength_text, &self.form_text);
            let mut field = raw.clone().field(linked.as_ref().map(|l| l.drug.clone()));
            if let Some(l) = linked {
                field.confidence = field.confidence.min(l.confidence);
                field.alternatives.extend(l.alternatives);
            } else {
                flags.push(Flag {
                    code: "DRUG_NOT_FOUND".into(),
                    message: format!("'{}' matches no drug in the knowledge base", raw.text),
                    bbox: raw.bbox,
                });
            }
            self.item.drug = field;
        }
        if !self.item.route.is_found() {
            self.item.route = implied_route(&self.item.form);
        }
        self.item
    }
}

fn set_sig(item: &mut Item, raw: Raw) {
    let sig = parse::parse_sig(&raw.text).ok();
    if let Some(route) = sig.as_ref().and_then(|s| s.route) {
        item.route = Field {
            text: raw.text.clone(),
            value: Some(route.as_str().to_string()),
            confidence: raw.confidence,
            bbox: raw.bbox,
            alternatives: Vec::new(),
        };
    }
    item.sig = raw.field(sig.and_then(|s| serde_json::to_value(s).ok()));
}

impl Draft {
    /// Directions that wrap onto the next line ("... for" / "seven days")
    /// are one sig: the continuation is appended and the whole re-parsed.
    fn continue_sig(&mut self, more: Raw) {
        self.sig_at = more.at;
        let confidence = self.sig_read_confidence.min(more.confidence);
        let joined = Raw {
            confidence,
            ..self.item.sig.joined(more)
        };
        self.sig_read_confidence = confidence;
        set_sig(&mut self.item, joined);
    }
}

impl<T> Field<T> {
    /// This field's text with `more` after it, as one raw reading.
    fn joined(&self, more: Raw) -> Raw {
        let this = Raw {
            cued: false,
            at: more.at,
            text: self.text.clone(),
            confidence: self.confidence,
            bbox: self.bbox,
            alternatives: Vec::new(),
        };
        this.joined(more)
    }
}

/// A tablet or capsule with no route written is taken by mouth; the
/// reviewer sees it was implied from the low confidence and empty text.
fn implied_route(form: &Field<String>) -> Field<String> {
    let route = match form.value.as_deref() {
        Some("tablet" | "capsule" | "solution" | "suspension" | "syrup" | "elixir") => "oral",
        Some("cream" | "ointment" | "gel" | "lotion") => "topical",
        _ => return Field::default(),
    };
    Field {
        text: String::new(),
        value: Some(route.to_string()),
        confidence: form.confidence.min(0.5),
        bbox: form.bbox,
        alternatives: Vec::new(),
    }
}

/// Eleven digits for a full NDC; for a product code (labeler-product, no
/// package), the code with the labeler padded to five digits.
pub(crate) fn ndc_value(text: &str) -> Option<String> {
    let cleaned: String = text
        .chars()
        .filter(|c| c.is_ascii_digit() || *c == '-')
        .collect();
    if let Ok(n) = Ndc::parse(&cleaned) {
        return Some(n.as_str().to_string());
    }
    let (labeler, product) = cleaned.split_once('-')?;
    let ok = |s: &str, n: std::ops::RangeInclusive<usize>| {
        n.contains(&s.len()) && s.chars().all(|c| c.is_ascii_digit())
    };
    // 4-4, 5-3 and 5-4 product codes; 4-3 would be ambiguous.
    (ok(labeler, 4..=5) && ok(product, 3..=4) && labeler.len() + product.len() >= 8)
        .then(|| format!("{labeler:0>5}-{product:0>4}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ocr::synthetic::line;

    /// Lines at the left margin, each `(text, top)`, read with no tagger
    /// spans: labels and drug lines decide.
    fn read(lines: &[(&str, f32)]) -> Vec<Item> {
        items_of(
            &lines
                .iter()
                .map(|(t, y)| line(&[(t, 0.)], *y))
                .collect::<Vec<_>>(),
        )
    }

    fn kb() -> Kb {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../data");
        Kb::open_current(&rxflow_clinical::default_root(&root))
            .unwrap_or_else(|e| panic!("the knowledge base (run `rxflow kb build`): {e}"))
    }

    fn items_of(ocr: &[OcrLine]) -> Vec<Item> {
        let kb = kb();
        let tagged: Vec<TaggedLine> = ocr
            .iter()
            .map(|ocr| TaggedLine {
                ocr,
                spans: Vec::new(),
            })
            .collect();
        assemble(&tagged, &kb).items
    }

    fn quantity(item: &Item) -> Option<f64> {
        item.dispense.value.as_ref().map(|d| d.quantity)
    }

    #[test]
    fn a_line_that_opens_an_item_continues_nothing_above_it() {
        let items = read(&[
            ("1. Amitriptyline 100 mg tab", 0.),
            ("Sig: i tab PO bid", 50.),
            ("Quantity: #60 tabs", 100.),
            // Short enough to read as a quantity's wrapped tail.
            ("2. fenofibrate 54mg", 150.),
            ("Sig: Take 1 tablet by mouth daily", 200.),
            ("Quantity: #30", 250.),
        ]);
        assert_eq!(items.len(), 2, "{items:#?}");
        assert_eq!(items[0].dispense.text, "60 tabs");
        assert_eq!(quantity(&items[1]), Some(30.));
        assert!(items[1].drug.text.contains("fenofibrate"), "{items:#?}");
    }

    #[test]
    fn a_cell_under_the_quantity_heading_is_the_quantity() {
        let qty = Some(ColumnKind::Quantity);
        // (text, x, top, column, kind): a row of cells, and the
        // quantity's second line.
        let cells = [
            ("SILDENAFIL 20 mg tab", 0., 0., 0, None),
            ("2 tabs orally twice daily", 600., 0., 1, None),
            ("28", 1150., 0., 2, qty),
            ("NR", 1350., 0., 3, None),
            ("(twenty-eight)", 1150., 45., 2, qty),
        ];
        let ocr: Vec<OcrLine> = cells
            .iter()
            .map(|&(text, x, y, column, kind)| {
                let mut cell = line(&[(text, x)], y);
                cell.column = Some(column);
                cell.column_kind = kind;
                cell
            })
            .collect();
        let items = items_of(&ocr);
        assert_eq!(items.len(), 1, "{items:#?}");
        assert_eq!(items[0].dispense.text, "28 (twenty-eight)");
        assert_eq!(quantity(&items[0]), Some(28.));
    }

    #[test]
    fn a_strength_whose_unit_wrapped_in_its_cell_is_read_whole() {
        // (text, x, top, column): the drug cell wraps its unit and form
        // under the amount, after the other cells of its row.
        let cells = [
            ("Clindamycin Hydrochloride 150", 0., 0., 0),
            ("Take 2 caps orally daily", 600., 0., 1),
            ("#14", 1150., 0., 2),
            ("mg caps", 0., 45., 0),
        ];
        let ocr: Vec<OcrLine> = cells
            .iter()
            .map(|&(text, x, y, column)| {
                let mut cell = line(&[(text, x)], y);
                cell.column = Some(column);
                cell
            })
            .collect();
        let name = Span {
            start: 0,
            end: "Clindamycin Hydrochloride".len(),
            role: Role::Drug,
        };
        let tagged: Vec<TaggedLine> = ocr
            .iter()
            .enumerate()
            .map(|(i, ocr)| TaggedLine {
                ocr,
                spans: if i == 0 {
                    vec![(name, 0.9)]
                } else {
                    Vec::new()
                },
            })
            .collect();
        let items = assemble(&tagged, &kb()).items;
        assert_eq!(items.len(), 1, "{items:#?}");
        let strength = &items[0].strength;
        assert_eq!(strength.text, "150 mg");
        let amount = strength
            .value
            .as_ref()
            .and_then(|v| v["amounts"][0].as_f64());
        assert_eq!(amount, Some(150.));
        assert_eq!(items[0].form.value.as_deref(), Some("capsule"));
        // The box covers both rows of the cell.
        assert!(strength.bbox[3] > 45., "{:?}", strength.bbox);
    }

    #[test]
    fn a_name_glued_to_its_strength_still_opens_an_item() {
        let items = read(&[
            ("1. Cefuroxime Axetil 250 mg tabs", 0.),
            ("Sig: 1 tab po bid x7 days", 50.),
            ("2. Clonazepam0.5 mg TAB", 100.),
            ("Sig: 1 tablet by mouth every morning", 150.),
            ("Qty: #30", 200.),
        ]);
        assert_eq!(items.len(), 2, "{items:#?}");
        assert_eq!(items[1].drug.text, "Clonazepam");
        assert_eq!(items[1].strength.text, "0.5 mg");
        assert_eq!(quantity(&items[1]), Some(30.));
    }

    #[test]
    fn wrapped_values_join_their_line_up_to_its_next_label() {
        let items = read(&[
            ("1. ibuprofen 100 mg/5 mL suspension Disp: three", 0.),
            ("hundred (300) mL Sig: 10 mL PO tid Refills: 2", 60.),
            ("2. Dicyclomine 10 mg cap Quantity: # 28 Sig", 120.),
            ("Take i cap PO q.i.d. x7 days RF: 3", 180.),
            (
                "3. Warfarin 7.5 mg tablet Qty: # 270 Sig: Take 1 tablet",
                240.,
            ),
            // Spaced at one and a half lines: a gap of most of a line.
            ("by mouth three times daily Refills: 1", 305.),
        ]);
        assert_eq!(items.len(), 3, "{items:#?}");
        assert_eq!(quantity(&items[0]), Some(300.), "{:?}", items[0].dispense);
        assert_eq!(items[0].sig.text, "10 mL PO tid");
        assert_eq!(items[0].refills.value, Some(2));
        assert_eq!(items[1].sig.text, "Take i cap PO q.i.d. x7 days");
        assert_eq!(items[1].refills.value, Some(3));
        assert_eq!(
            items[2].sig.text,
            "Take 1 tablet by mouth three times daily"
        );
        assert_eq!(items[2].refills.value, Some(1));
    }

    #[test]
    fn wrapped_directions_continue_but_footers_and_fields_do_not() {
        let sig = "Take 1 tab by mouth";
        assert!(continues_sig("hours as needed for shortness of", sig));
        assert!(continues_sig("breath", sig));
        assert!(continues_sig("seven days", sig));
        assert!(!continues_sig("Product selection pemitted", sig));
        assert!(!continues_sig("Dispense as written", sig));
        assert!(!continues_sig("#30", sig));
        // A number continues only directions left unfinished.
        assert!(!continues_sig("10 days", sig));
        assert!(continues_sig(
            "10 days",
            "2 tabs by mouth every evening for"
        ));
        assert!(continues_sig(
            "10 days ",
            "One tab orally every night at bedtime x"
        ));
        assert!(!continues_sig("No refills", sig));
        assert!(!continues_sig("Refills: 2", sig));
        assert!(!continues_sig("30 tablets", sig));
        assert!(
            !continues_sig("30 tablets", "Take 1 tab daily x"),
            "a count, not a duration"
        );
    }

    #[test]
    fn a_dangling_label_takes_a_word_and_directions_take_the_head() {
        fn value(text: &str, role: Role) -> &str {
            let start = text.len() - text.trim_start().len();
            &text[start..value_end(text, start, role).max(start)]
        }
        assert_eq!(
            value("Take i cap PO q.i.d. x7 days RF: 3", Role::Sig),
            "Take i cap PO q.i.d. x7 days"
        );
        assert_eq!(
            value(" Apply sparingly topically once a day ", Role::Sig),
            "Apply sparingly topically once a day"
        );
        assert_eq!(value("Refills: 2", Role::Sig), "", "a label, no value");
        assert_eq!(value("0682-0051 Refills: 0", Role::Ndc), "0682-0051");
    }

    #[test]
    fn names_get_back_the_spaces_around_initials() {
        assert_eq!(name("RahulA. Gomez"), "Rahul A. Gomez");
        assert_eq!(name("Jason W.Woods"), "Jason W. Woods");
        assert_eq!(name(" Crawford,  Samantha "), "Crawford, Samantha");
        // Initials together, and capitals inside a name, stay as printed.
        assert_eq!(name("A.J. McDonald"), "A.J. McDonald");
        assert_eq!(name("DeAndre St.John"), "DeAndre St.John");
    }

    #[test]
    fn directions_look_like_directions() {
        assert!(sig_like("Inhale 2 puffs by mouth every 4 to 6"));
        assert!(sig_like("i tab po"));
        assert!(!sig_like("Product selection permitted"));
    }

    #[test]
    fn spans_snap_to_words_and_drug_spans_give_up_their_strength() {
        let text = "TRIDERM 0.025% cream";
        let s = |start, end, role| Span { start, end, role };
        let out = tidy(text, &[(s(0, 10, Role::Drug), 0.9)]);
        let got: Vec<(Role, &str)> = out
            .iter()
            .map(|(s, _)| (s.role, &text[s.start..s.end]))
            .collect();
        assert_eq!(
            got,
            vec![(Role::Drug, "TRIDERM"), (Role::Strength, "0.025%")]
        );
        let text = "Take i tablet per os bid pc";
        let out = tidy(text, &[(s(7, 27, Role::Sig), 0.9)]);
        assert_eq!((out[0].0.start, out[0].0.end), (0, text.len()));
    }

    #[test]
    fn product_codes_and_full_ndcs_normalise() {
        assert_eq!(ndc_value("0115-7037").as_deref(), Some("00115-7037"));
        assert_eq!(ndc_value("68071-3343").as_deref(), Some("68071-3343"));
        assert_eq!(ndc_value("67877-288").as_deref(), Some("67877-0288"));
        assert_eq!(ndc_value("00093-7424-01").as_deref(), Some("00093742401"));
        assert_eq!(ndc_value("123-45"), None);
    }
}
