//! Table rows cut at their columns. PP-OCR's detector joins two cells into
//! one box when the gap between them is narrow, and the line then reads
//! "Take 1 cap orally 2 times a sixty": the directions run into the
//! quantity. A header row ("Medication  Directions  Qty  Refills") says
//! where each column starts; every line of the table below it is cut at the
//! word that starts a column.

use super::OcrLine;
use rxflow_clinical::fold::levenshtein;

/// What a table column holds, as its heading names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ColumnKind {
    Medication,
    Directions,
    Quantity,
    Refills,
}

/// Words that head a prescription table's columns, by column.
const HEADINGS: &[(ColumnKind, &[&str])] = &[
    (
        ColumnKind::Medication,
        &["medication", "medications", "drug", "medicine", "product"],
    ),
    (
        ColumnKind::Directions,
        &["directions", "sig", "instructions", "dosage"],
    ),
    (
        ColumnKind::Quantity,
        &["qty", "quantity", "disp", "dispense", "amount"],
    ),
    (
        ColumnKind::Refills,
        &["refills", "refill", "rpt", "repeats"],
    ),
];

/// Headings of this many different columns make a header row.
const MIN_COLUMNS: usize = 3;
/// Headings whose centres are this many line heights apart vertically
/// stand on one row.
const SAME_ROW: f32 = 0.6;
/// The table ends where the next line is this many line heights below the
/// table's lowest line.
const ROW_BREAK: f32 = 3.;
/// A cell's first word starts at most this far left of its heading, and
/// at most this far right of it (centred columns), in line heights.
const LEFT_SLACK: f32 = 0.5;
const RIGHT_SLACK: f32 = 2.;
/// Between the end of one cell and the start of the next there is at least
/// this gap (from character to character, in line heights): a word space
/// is about 0.75.
const MIN_CELL_GAP: f32 = 0.9;
/// A word starting this close to a column's start (in line heights) starts
/// a cell after a plain word space too: a cell's text wraps before it
/// reaches the next column, so only the next cell's text starts there.
const ON_COLUMN: f32 = 0.5;

/// `lines` with every table line cut at its columns, in reading order.
pub fn cut(lines: Vec<OcrLine>) -> Vec<OcrLine> {
    let Some(header) = header(&lines) else {
        return lines;
    };
    let table = table_rows(&lines, header.y);
    let mut out = Vec::with_capacity(lines.len() + 8);
    for (i, line) in lines.into_iter().enumerate() {
        if table.contains(&i) {
            out.extend(cut_line(line, &header.starts).into_iter().map(|mut cell| {
                let column = column_of(&cell, &header.starts);
                cell.column = Some(column);
                cell.column_kind = header.kinds.get(column).copied();
                cell
            }));
        } else {
            out.push(line);
        }
    }
    out
}

/// Where a table's columns start (after the first), what each column
/// holds (from the first), and the header's vertical centre, in the
/// recogniser's frame.
struct Header {
    starts: Vec<f32>,
    kinds: Vec<ColumnKind>,
    y: f32,
}

/// A heading word: which column it names, where it starts, and its row.
struct Heading {
    column: ColumnKind,
    x: f32,
    y: f32,
    height: f32,
}

/// The topmost row of headings naming at least `MIN_COLUMNS` columns.
fn header(lines: &[OcrLine]) -> Option<Header> {
    let mut found: Vec<Heading> = lines.iter().flat_map(headings).collect();
    found.sort_by(|a, b| a.y.total_cmp(&b.y));
    found.iter().find_map(|first| {
        let row: Vec<&Heading> = found
            .iter()
            .filter(|h| (h.y - first.y).abs() < SAME_ROW * first.height)
            .collect();
        let mut columns: Vec<ColumnKind> = row.iter().map(|h| h.column).collect();
        columns.sort_unstable();
        columns.dedup();
        if columns.len() < MIN_COLUMNS {
            return None;
        }
        let mut row = row;
        row.sort_by(|a, b| a.x.total_cmp(&b.x));
        let kinds = row.iter().map(|h| h.column).collect();
        // The first column starts the line: only the others cut it.
        let starts = row.iter().skip(1).map(|h| h.x).collect();
        Some(Header {
            starts,
            kinds,
            y: first.y,
        })
    })
}

/// The heading words of `line`. A line with a colon holds labels and
/// values ("Sig: Take one tab", "Refills: 2"), never headings.
fn headings(line: &OcrLine) -> Vec<Heading> {
    if line.text.contains(':') {
        return Vec::new();
    }
    words(line)
        .into_iter()
        .filter_map(|(start, end)| {
            let word: String = line.glyphs[start..end]
                .iter()
                .map(|g| g.ch.to_ascii_lowercase())
                .filter(|c| c.is_ascii_alphabetic())
                .collect();
            let column = heading_column(&word)?;
            Some(Heading {
                column,
                x: line.glyph_x(start),
                y: line.centre_y(),
                height: line.height(),
            })
        })
        .collect()
}

/// The column `word` heads, allowing one misread letter ("aty" for "Qty")
/// in words of three letters or more.
fn heading_column(word: &str) -> Option<ColumnKind> {
    let exact = HEADINGS.iter().find(|(_, names)| names.contains(&word));
    exact
        .or_else(|| {
            (word.len() >= 3).then(|| {
                HEADINGS
                    .iter()
                    .find(|(_, names)| names.iter().any(|n| levenshtein(n, word, 1) <= 1))
            })?
        })
        .map(|(kind, _)| *kind)
}

/// Indices of the lines under the header, down to the first wide gap.
fn table_rows(lines: &[OcrLine], header_y: f32) -> Vec<usize> {
    let mut below: Vec<(usize, &OcrLine)> = lines
        .iter()
        .enumerate()
        .filter(|(_, l)| l.centre_y() >= header_y - SAME_ROW * l.height())
        .collect();
    below.sort_by(|a, b| a.1.centre_y().total_cmp(&b.1.centre_y()));
    let mut bottom = header_y;
    let mut rows = Vec::new();
    for (i, line) in below {
        if line.top() - bottom > ROW_BREAK * line.height() {
            break;
        }
        bottom = bottom.max(line.bottom());
        rows.push(i);
    }
    rows
}

/// `line` cut before each word that starts a column it runs into.
fn cut_line(line: OcrLine, starts: &[f32]) -> Vec<OcrLine> {
    let words = words(&line);
    let h = line.height();
    let first_x = line.glyph_x(0);
    let mut cuts: Vec<usize> = starts
        .iter()
        .filter(|&&column| first_x < column - LEFT_SLACK * h)
        .filter_map(|&column| {
            words.windows(2).find_map(|pair| {
                let (prev_end, start) = (pair[0].1 - 1, pair[1].0);
                let x = line.glyph_x(start);
                let gap = x - line.glyph_x(prev_end);
                let in_column = x >= column - LEFT_SLACK * h && x <= column + RIGHT_SLACK * h;
                let parted = gap >= MIN_CELL_GAP * h || (x - column).abs() <= ON_COLUMN * h;
                (in_column && parted).then_some(start)
            })
        })
        .collect();
    cuts.sort_unstable();
    cuts.dedup();
    let mut out = Vec::with_capacity(cuts.len() + 1);
    let mut rest = line;
    for &at in cuts.iter().rev() {
        let (head, tail) = rest.split(at);
        out.push(tail);
        rest = head;
    }
    out.push(rest);
    out.reverse();
    out
}

/// The column a cell starts in: 0 before the second heading.
fn column_of(cell: &OcrLine, starts: &[f32]) -> usize {
    let x = cell.glyph_x(0) + LEFT_SLACK * cell.height();
    starts.iter().take_while(|&&s| s <= x).count()
}

/// Glyph ranges of the words of `line`. A gap as wide as a cell gap
/// parts two words even where the recogniser read no space.
fn words(line: &OcrLine) -> Vec<(usize, usize)> {
    let wide = MIN_CELL_GAP * line.height();
    let mut out: Vec<(usize, usize)> = Vec::new();
    let mut start = None;
    for (i, g) in line.glyphs.iter().enumerate() {
        if g.ch == ' ' {
            if let Some(s) = start.take() {
                out.push((s, i));
            }
            continue;
        }
        match start {
            Some(s) if line.glyph_x(i) - line.glyph_x(i - 1) >= wide => {
                out.push((s, i));
                start = Some(i);
            }
            None => start = Some(i),
            Some(_) => {}
        }
    }
    if let Some(s) = start {
        out.push((s, line.glyphs.len()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ocr::synthetic::{CHAR, line};

    fn header() -> Vec<OcrLine> {
        let heads = [
            ("Medication", 90.),
            ("Directions", 600.),
            ("Qty", 1140.),
            ("Refills", 1340.),
        ];
        heads.iter().map(|&h| line(&[h], 530.)).collect()
    }

    fn texts(lines: &[OcrLine]) -> Vec<(&str, Option<usize>)> {
        lines.iter().map(|l| (l.text.as_str(), l.column)).collect()
    }

    #[test]
    fn a_row_joined_across_a_column_is_cut_there() {
        let mut page = header();
        page.push(line(&[("ZALEPLON 10 mg caps", 95.)], 595.));
        page.push(line(
            &[("Take 1 cap orally 2 times a", 608.), ("sixty", 1150.)],
            595.,
        ));
        page.push(line(&[("day", 603.), ("(60)", 1150.)], 640.));
        let cut = cut(page);
        let kinds: Vec<_> = cut[4..].iter().map(|l| l.column_kind).collect();
        assert_eq!(
            kinds[..3],
            [
                Some(ColumnKind::Medication),
                Some(ColumnKind::Directions),
                Some(ColumnKind::Quantity)
            ]
        );
        assert_eq!(
            texts(&cut[4..]),
            vec![
                ("ZALEPLON 10 mg caps", Some(0)),
                ("Take 1 cap orally 2 times a", Some(1)),
                ("sixty", Some(2)),
                ("day", Some(1)),
                ("(60)", Some(2)),
            ]
        );
        assert!(
            cut[5].bbox[2] < cut[6].bbox[0],
            "{:?}",
            (cut[5].bbox, cut[6].bbox)
        );
    }

    #[test]
    fn a_heading_misread_by_a_letter_still_heads_its_column() {
        let mut page = header();
        page[2] = line(&[("aty", 1140.)], 530.);
        page.push(line(
            &[("Take 3 tabs PO t.i.d.", 608.), ("three", 1150.)],
            595.,
        ));
        assert_eq!(
            texts(&cut(page)[4..]),
            vec![("Take 3 tabs PO t.i.d.", Some(1)), ("three", Some(2))]
        );
        assert_eq!(heading_column("oty"), Some(ColumnKind::Quantity));
        // Short words stay exact: "si" is not "sig".
        assert_eq!(heading_column("si"), None);
    }

    #[test]
    fn a_word_right_at_a_column_start_is_cut_after_a_plain_space() {
        let mut page = header();
        // The drug ends 0.6 line heights before the sig: a wide word space.
        let drug = "FLOVENT 220mcg/actuation inhaler";
        let x = 600. - 21. - (drug.len() - 1) as f32 * CHAR;
        page.push(line(&[(drug, x), ("Inhale 2 puffs", 600.)], 595.));
        assert_eq!(
            texts(&cut(page)[4..]),
            vec![
                ("FLOVENT 220mcg/actuation inhaler", Some(0)),
                ("Inhale 2 puffs", Some(1))
            ]
        );
    }

    #[test]
    fn labelled_fields_on_one_tilted_row_are_no_header() {
        let page = vec![
            line(&[("Sig: Take one tab by mouth once weekly", 90.)], 530.),
            line(&[("No refills", 700.)], 540.),
            line(&[("Disp No. 13", 900.)], 545.),
        ];
        assert!(cut(page).iter().all(|l| l.column.is_none()));
    }

    #[test]
    fn words_glued_across_a_wide_gap_are_cut_too() {
        let mut page = header();
        // The recogniser read no space: "…x 3No. 6".
        let mut row = line(&[("Take one tab twice a day x 3", 608.)], 595.);
        let tail = line(&[("No. 6", 1150.)], 595.);
        row.glyphs.extend(tail.glyphs);
        row.text = row.glyphs.iter().map(|g| g.ch).collect();
        page.push(row);
        let cut = cut(page);
        assert_eq!(
            texts(&cut[4..]),
            vec![
                ("Take one tab twice a day x 3", Some(1)),
                ("No. 6", Some(2))
            ]
        );
    }

    #[test]
    fn word_spaces_and_pages_without_a_table_are_left_alone() {
        let mut page = header();
        page.push(line(
            &[("Take 1 cap", 608.), ("orally", 608. + 11. * CHAR)],
            595.,
        ));
        assert_eq!(texts(&cut(page)[4..]), vec![("Take 1 cap orally", Some(1))]);
        let plain = vec![
            line(&[("Patient: Smith, Cheryl", 90.)], 270.),
            line(
                &[("Sig: Take 1 cap orally 2 times a", 90.), ("day", 1150.)],
                595.,
            ),
        ];
        let read = cut(plain);
        assert_eq!(read.len(), 2);
        assert!(read.iter().all(|l| l.column.is_none()));
    }

    #[test]
    fn the_table_ends_at_a_wide_vertical_gap() {
        let mut page = header();
        page.push(line(&[("amoxicillin 875 mg tab", 95.)], 595.));
        page.push(line(
            &[("Product selection permitted by law", 95.), ("x", 1150.)],
            1120.,
        ));
        let cut = cut(page);
        assert_eq!(cut.last().map(|l| l.column), Some(None));
        assert_eq!(cut.len(), 6);
    }
}
