//! Reading order: rows top to bottom, and left to right within a row, on
//! the straightened page. ocrs orders lines by paragraph, so a field at
//! the right margin can come after everything below it on the left.

use super::OcrLine;

/// Lines whose centres are within this many line heights of a row's first
/// line stand on that row.
const SAME_ROW: f32 = 0.5;

/// `lines` in reading order.
pub fn by_rows(mut lines: Vec<OcrLine>) -> Vec<OcrLine> {
    lines.sort_by(|a, b| a.centre_y().total_cmp(&b.centre_y()));
    let mut rows: Vec<Vec<OcrLine>> = Vec::new();
    for line in lines {
        match rows.last_mut() {
            Some(row) if row[0].centre_y() + SAME_ROW * row[0].height() >= line.centre_y() => {
                row.push(line);
            }
            _ => rows.push(vec![line]),
        }
    }
    rows.into_iter()
        .flat_map(|mut row| {
            row.sort_by(|a, b| a.glyph_x(0).total_cmp(&b.glyph_x(0)));
            row
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ocr::Glyph;
    use crate::ocr::geometry::Affine;

    fn line(text: &str, x: f32, y: f32) -> OcrLine {
        let glyphs: Vec<Glyph> = text
            .chars()
            .enumerate()
            .map(|(i, ch)| Glyph {
                ch,
                prob: 0.99,
                second: None,
                step: (x / 6.) as usize + 3 * i,
            })
            .collect();
        OcrLine {
            text: text.into(),
            confidence: 0.99,
            bbox: [x, y, x + 300., y + 30.],
            glyphs,
            column: None,
            frame: [0., y, 2400., y + 30.],
            steps: 400,
            back: Affine::IDENTITY,
        }
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
}
