//! Lines as the recogniser would give them, laid out by hand, for the
//! tests of what is done with lines.

use super::geometry::Affine;
use super::{Glyph, OcrLine};

const PX_PER_STEP: f32 = 6.;
pub const CHAR: f32 = 18.;
const HEIGHT: f32 = 35.;

/// One detector box read as one line: `pieces` of text starting at
/// their x, one space apart in the text whatever the gap on the page.
pub fn line(pieces: &[(&str, f32)], y: f32) -> OcrLine {
    let mut glyphs = Vec::new();
    for (i, (text, x)) in pieces.iter().enumerate() {
        if i > 0 {
            let step = glyphs.last().map_or(0, |g: &Glyph| g.step + 1);
            glyphs.push(glyph(' ', step));
        }
        for (j, ch) in text.chars().enumerate() {
            let at = (x + j as f32 * CHAR) / PX_PER_STEP;
            glyphs.push(glyph(ch, at as usize));
        }
    }
    let steps = 400;
    OcrLine {
        text: glyphs.iter().map(|g| g.ch).collect(),
        confidence: 1.,
        bbox: [0., y, steps as f32 * PX_PER_STEP, y + HEIGHT],
        glyphs,
        column: None,
        column_kind: None,
        slope: 0.,
        frame: [0., y, steps as f32 * PX_PER_STEP, y + HEIGHT],
        steps,
        back: Affine::IDENTITY,
    }
}

fn glyph(ch: char, step: usize) -> Glyph {
    Glyph {
        ch,
        prob: 0.99,
        second: None,
        step,
    }
}
