//! Reading order: rows top to bottom, and left to right within a row, on
//! the straightened page. ocrs orders lines by paragraph, so a field at
//! the right margin can come after everything below it on the left.

use super::OcrLine;

/// Lines whose centres are within this many line heights of a row's first
/// line, followed along its slope, stand on that row.
const SAME_ROW: f32 = 0.5;

/// `lines` in reading order.
pub fn by_rows(mut lines: Vec<OcrLine>) -> Vec<OcrLine> {
    lines.sort_by(|a, b| a.centre_y().total_cmp(&b.centre_y()));
    let mut rows: Vec<Vec<OcrLine>> = Vec::new();
    for line in lines {
        // On a tilted page the next row's left end can sort before this
        // row's right end: the row before the last is still open.
        let nearest = rows
            .iter_mut()
            .rev()
            .take(2)
            .filter_map(|r| off_row(&r[0], &line).map(|off| (off, r)))
            .min_by(|a, b| a.0.total_cmp(&b.0));
        match nearest {
            Some((_, row)) => row.push(line),
            None => rows.push(vec![line]),
        }
    }
    rows.into_iter()
        .flat_map(|mut row| {
            row.sort_by(|a, b| a.glyph_x(0).total_cmp(&b.glyph_x(0)));
            row
        })
        .collect()
}

/// How far, in line heights, `line` stands from where the row that
/// `first` starts would be at its place, when it stands on that row.
fn off_row(first: &OcrLine, line: &OcrLine) -> Option<f32> {
    let dx = centre_x(line) - centre_x(first);
    // A long line's boxes give its tilt more surely than a short one's.
    let slope = if width(first) >= width(line) {
        first.slope
    } else {
        line.slope
    };
    let expected = first.centre_y() + slope * dx;
    let off = (line.centre_y() - expected).abs() / first.height().max(1.);
    (off <= SAME_ROW).then_some(off)
}

fn width(line: &OcrLine) -> f32 {
    line.glyph_x(line.glyphs.len().saturating_sub(1)) - line.glyph_x(0)
}

fn centre_x(line: &OcrLine) -> f32 {
    (line.glyph_x(0) + line.glyph_x(line.glyphs.len().saturating_sub(1))) / 2.
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ocr::synthetic;

    fn line(text: &str, x: f32, y: f32) -> OcrLine {
        synthetic::line(&[(text, x)], y)
    }

    #[test]
    fn rows_read_top_down_then_left_to_right() {
        // As ocrs gives them: the left column's paragraph, then the right's.
        let lines = vec![
            line("7748 Lincoln Ave", 90., 200.),
            line("Bristol, CT 11959", 90., 240.),
            line("Fax: 377-555-0164", 900., 205.),
        ];
        let texts: Vec<String> = by_rows(lines).into_iter().map(|l| l.text).collect();
        assert_eq!(
            texts,
            ["7748 Lincoln Ave", "Fax: 377-555-0164", "Bristol, CT 11959"]
        );
    }

    #[test]
    fn a_row_is_followed_along_its_tilt() {
        // The photo's perspective drops the right margin: the fax number
        // sits lower than the next row's left end, yet on the first row.
        let mut street = line("7748 Lincoln Avenue, Suite 200, Bristol", 90., 200.);
        street.slope = 0.05;
        let lines = vec![
            street,
            line("Bristol, CT 11959", 90., 232.),
            line("Fax: 377-555-0164", 1000., 245.),
        ];
        let texts: Vec<String> = by_rows(lines).into_iter().map(|l| l.text).collect();
        assert_eq!(
            texts,
            [
                "7748 Lincoln Avenue, Suite 200, Bristol",
                "Fax: 377-555-0164",
                "Bristol, CT 11959"
            ]
        );
    }
}
