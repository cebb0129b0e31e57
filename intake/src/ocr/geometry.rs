//! Page geometry: growing PP-OCR's shrunk word boxes, estimating and
//! removing skew, turning the page, and mapping points back to the image
//! the customer sent.

use image::RgbImage;
use rten_imageproc::{PointF, RotatedRect, Vec2};

/// An axis-aligned box in original image pixels, `[x0, y0, x1, y1]`.
pub type BBox = [f32; 4];

/// PP-OCR's detector marks a shrunk core of each word (DBNet); the box is
/// grown by `area * ratio / perimeter` on every side, as its own
/// post-processing does. ocrs has already added 3 px a side: undo that first.
pub fn unclip(words: &mut [RotatedRect], ratio: f32) {
    for r in words.iter_mut() {
        let (w, h) = ((r.width() - 6.).max(1.), (r.height() - 6.).max(1.));
        let d = (w * h) * ratio / (2. * (w + h));
        r.resize(w + 2. * d, h + 2. * d);
    }
}

/// Angle in degrees of a rect's long side, folded into (-45, 45]; `None`
/// for boxes too square to say which way the text runs.
fn baseline_angle(r: &RotatedRect) -> Option<f32> {
    let c = r.corners();
    let e1 = (c[1].x - c[0].x, c[1].y - c[0].y);
    let e2 = (c[2].x - c[1].x, c[2].y - c[1].y);
    let (l1, l2) = (e1.0.hypot(e1.1), e2.0.hypot(e2.1));
    let (long, ratio) = if l1 >= l2 {
        (e1, l1 / l2.max(1.))
    } else {
        (e2, l2 / l1.max(1.))
    };
    if ratio < 3. {
        return None;
    }
    let a = long.1.atan2(long.0).to_degrees();
    // A line's direction is only defined up to 180°.
    let a = (a + 90.).rem_euclid(180.) - 90.;
    (a.abs() <= 45.).then_some(a)
}

/// Page skew as the median baseline angle of elongated word boxes.
pub fn skew_degrees(words: &[RotatedRect]) -> Option<f32> {
    let angles = baseline_angles(words);
    if angles.len() < 3 {
        return None;
    }
    angles.get(angles.len() / 2).copied()
}

/// The baseline angles of the elongated word boxes, in order.
fn baseline_angles(words: &[RotatedRect]) -> Vec<f32> {
    let mut angles: Vec<f32> = words.iter().filter_map(baseline_angle).collect();
    angles.sort_by(f32::total_cmp);
    angles
}

/// How far a line's baseline drops per pixel to the right, from its word
/// boxes: after deskewing, what is left is the photo's perspective, which
/// tilts rows at one side of the page more than at the other.
pub fn slope(words: &[RotatedRect]) -> f32 {
    let angles = baseline_angles(words);
    angles
        .get(angles.len() / 2)
        .map_or(0., |a| a.to_radians().tan())
}

/// Share of word boxes taller than wide: near 1 when the page lies on its
/// side.
pub fn vertical_share(words: &[RotatedRect]) -> f32 {
    let boxes: Vec<(f32, f32)> = words
        .iter()
        .map(|r| {
            let c = r.corners();
            let xs = c.iter().map(|p| p.x);
            let ys = c.iter().map(|p| p.y);
            let w = xs.clone().fold(f32::MIN, f32::max) - xs.fold(f32::MAX, f32::min);
            let h = ys.clone().fold(f32::MIN, f32::max) - ys.fold(f32::MAX, f32::min);
            (w, h)
        })
        .filter(|(w, h)| w.max(*h) > 2. * w.min(*h))
        .collect();
    if boxes.is_empty() {
        return 0.;
    }
    boxes.iter().filter(|(w, h)| h > w).count() as f32 / boxes.len() as f32
}

/// A 2-D affine map `p -> (a*x + b*y + c, d*x + e*y + f)`: from the frame
/// the recogniser saw back to the customer's image.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Affine([f32; 6]);

impl Affine {
    pub const IDENTITY: Affine = Affine([1., 0., 0., 0., 1., 0.]);

    pub fn apply(&self, x: f32, y: f32) -> (f32, f32) {
        let [a, b, c, d, e, f] = self.0;
        (a * x + b * y + c, d * x + e * y + f)
    }

    /// `self` after `inner`: first `inner`, then `self`.
    pub fn then(&self, inner: &Affine) -> Affine {
        let [a, b, c, d, e, f] = self.0;
        let [p, q, r, s, t, u] = inner.0;
        Affine([
            a * p + b * s,
            a * q + b * t,
            a * r + b * u + c,
            d * p + e * s,
            d * q + e * t,
            d * r + e * u + f,
        ])
    }

    /// The axis-aligned box around `points` once mapped.
    pub fn bbox(&self, points: impl IntoIterator<Item = (f32, f32)>) -> BBox {
        let mut b = [f32::MAX, f32::MAX, f32::MIN, f32::MIN];
        for (x, y) in points {
            let (x, y) = self.apply(x, y);
            b = [b[0].min(x), b[1].min(y), b[2].max(x), b[3].max(y)];
        }
        b.map(|v| v.max(0.).round())
    }
}

/// A quarter turn of the page, clockwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Turn {
    None,
    Cw90,
    Half,
    Cw270,
}

impl Turn {
    /// Turns `img`; returns the turned image and the map from its pixels
    /// back to `img`'s.
    pub fn apply(self, img: &RgbImage) -> (RgbImage, Affine) {
        let (w, h) = (img.width() as f32, img.height() as f32);
        match self {
            Turn::None => (img.clone(), Affine::IDENTITY),
            // Output (x, y) came from input (y, h - x).
            Turn::Cw90 => (
                image::imageops::rotate90(img),
                Affine([0., 1., 0., -1., 0., h]),
            ),
            Turn::Half => (
                image::imageops::rotate180(img),
                Affine([-1., 0., w, 0., -1., h]),
            ),
            Turn::Cw270 => (
                image::imageops::rotate270(img),
                Affine([0., -1., w, 1., 0., 0.]),
            ),
        }
    }
}

/// `img` shrunk so its longest side is at most `side` (None when it
/// already fits), with the map from the copy's pixels back to `img`'s.
pub fn working_copy(img: &RgbImage, side: u32) -> (Option<RgbImage>, Affine) {
    let long = img.width().max(img.height());
    if long <= side {
        return (None, Affine::IDENTITY);
    }
    let s = side as f32 / long as f32;
    let (w, h) = (
        ((img.width() as f32 * s).round() as u32).max(1),
        ((img.height() as f32 * s).round() as u32).max(1),
    );
    let small = image::imageops::resize(img, w, h, image::imageops::FilterType::Triangle);
    let back = Affine([
        img.width() as f32 / w as f32,
        0.,
        0.,
        0.,
        img.height() as f32 / h as f32,
        0.,
    ]);
    (Some(small), back)
}

/// Rotates `img` by `deg` (counter-clockwise on screen for positive
/// angles, matching image y pointing down), growing the canvas so nothing is
/// cut, filling with the nearest edge pixel. Returns the rotated image and
/// the map from its pixels back to `img`'s.
pub fn rotate(img: &RgbImage, deg: f32) -> (RgbImage, Affine) {
    let (w, h) = (img.width() as f32, img.height() as f32);
    let (s, c) = deg.to_radians().sin_cos();
    let (nw, nh) = (
        (w * c.abs() + h * s.abs()).ceil(),
        (w * s.abs() + h * c.abs()).ceil(),
    );
    let back = Affine([
        c,
        s,
        w / 2. - c * nw / 2. - s * nh / 2.,
        -s,
        c,
        h / 2. + s * nw / 2. - c * nh / 2.,
    ]);
    let out = RgbImage::from_fn(nw as u32, nh as u32, |x, y| {
        let (sx, sy) = back.apply(x as f32, y as f32);
        bilinear(img, sx.clamp(0., w - 1.001), sy.clamp(0., h - 1.001))
    });
    (out, back)
}

fn bilinear(img: &RgbImage, x: f32, y: f32) -> image::Rgb<u8> {
    let (x0, y0) = (x.floor() as u32, y.floor() as u32);
    let (fx, fy) = (x - x0 as f32, y - y0 as f32);
    let p = |xx: u32, yy: u32| {
        img.get_pixel(xx.min(img.width() - 1), yy.min(img.height() - 1))
            .0
    };
    let (a, b, c, d) = (p(x0, y0), p(x0 + 1, y0), p(x0, y0 + 1), p(x0 + 1, y0 + 1));
    let mut px = [0u8; 3];
    for (ch, v) in px.iter_mut().enumerate() {
        let top = f32::from(a[ch]) * (1. - fx) + f32::from(b[ch]) * fx;
        let bottom = f32::from(c[ch]) * (1. - fx) + f32::from(d[ch]) * fx;
        *v = (top * (1. - fy) + bottom * fy).round() as u8;
    }
    image::Rgb(px)
}

/// The corners of a line made of word boxes, as the region between its
/// first word's left edge and its last word's right edge, in the
/// recogniser's frame.
pub fn line_quad(words: &[RotatedRect]) -> [(f32, f32); 4] {
    let pts: Vec<PointF> = words.iter().flat_map(|r| r.corners()).collect();
    let xs = pts.iter().map(|p| p.x);
    let ys = pts.iter().map(|p| p.y);
    let (x0, x1) = (
        xs.clone().fold(f32::MAX, f32::min),
        xs.fold(f32::MIN, f32::max),
    );
    let (y0, y1) = (
        ys.clone().fold(f32::MAX, f32::min),
        ys.fold(f32::MIN, f32::max),
    );
    [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]
}

/// Horizontal extent and height of a word box.
fn extent(r: &RotatedRect) -> (f32, f32, f32) {
    let c = r.corners();
    let (mut x0, mut x1, mut y0, mut y1) = (f32::MAX, f32::MIN, f32::MAX, f32::MIN);
    for p in c {
        (x0, x1, y0, y1) = (x0.min(p.x), x1.max(p.x), y0.min(p.y), y1.max(p.y));
    }
    (x0, x1, y1 - y0)
}

/// A gap wider than this many line heights separates two fields of one
/// row ("Name: Rahul Gomez      DOB: 3/16/1992").
const FIELD_GAP: f32 = 1.2;

/// Splits a line (words in reading order) where the gap between two words
/// is a column gap rather than a space: read as one, the recogniser drops
/// the gap and glues the fields together.
pub fn segments(line: &[RotatedRect]) -> Vec<&[RotatedRect]> {
    let mut heights: Vec<f32> = line.iter().map(|r| extent(r).2).collect();
    heights.sort_by(f32::total_cmp);
    let height = heights.get(heights.len() / 2).copied().unwrap_or(0.);
    let mut out = Vec::new();
    let mut start = 0;
    for i in 1..line.len() {
        let gap = extent(&line[i]).0 - extent(&line[i - 1]).1;
        if gap > FIELD_GAP * height {
            out.push(&line[start..i]);
            start = i;
        }
    }
    if start < line.len() {
        out.push(&line[start..]);
    }
    out
}

/// Lines that ocrs found apart although they stand on one row within a
/// field gap of each other ("No" | "refills"), joined again: a line is the
/// words of a row up to the gaps where `segments` splits it.
pub fn join(lines: Vec<Vec<RotatedRect>>) -> Vec<Vec<RotatedRect>> {
    let mut out: Vec<Vec<RotatedRect>> = Vec::with_capacity(lines.len());
    for line in lines {
        match out.iter_mut().find(|o| one_row(o, &line)) {
            Some(o) => {
                o.extend(line);
                o.sort_by(|a, b| extent(a).0.total_cmp(&extent(b).0));
            }
            None => out.push(line),
        }
    }
    out
}

/// Whether two lines stand side by side on one row, less than a field gap
/// apart and not overlapping.
fn one_row(a: &[RotatedRect], b: &[RotatedRect]) -> bool {
    let span = |l: &[RotatedRect]| {
        let (x0, x1) = l
            .iter()
            .map(extent)
            .fold((f32::MAX, f32::MIN), |(x0, x1), e| {
                (x0.min(e.0), x1.max(e.1))
            });
        let y = l.iter().map(|r| r.center().y).sum::<f32>() / l.len().max(1) as f32;
        let h = l.iter().map(|r| extent(r).2).fold(f32::MAX, f32::min);
        (x0, x1, y, h)
    };
    let ((a0, a1, ay, ah), (b0, b1, by, bh)) = (span(a), span(b));
    let h = ah.min(bh);
    let gap = (b0 - a1).max(a0 - b1);
    (ay - by).abs() <= 0.5 * h && (0. ..=FIELD_GAP * h).contains(&gap)
}

/// Moves a word box by `to`: deskewing is done by rotating the image and
/// carrying the detected boxes along instead of detecting again.
pub fn carry(r: &RotatedRect, to: &Affine) -> RotatedRect {
    let c = r.center();
    let (x, y) = to.apply(c.x, c.y);
    let up = r.up_axis();
    let (ox, oy) = to.apply(0., 0.);
    let (ux, uy) = to.apply(up.x, up.y);
    RotatedRect::new(
        PointF::from_yx(y, x),
        Vec2::from_xy(ux - ox, uy - oy),
        r.width(),
        r.height(),
    )
}

impl Affine {
    /// The inverse map (these maps are rotations, turns and shifts, so
    /// they are always invertible).
    pub fn inverse(&self) -> Affine {
        let [a, b, c, d, e, f] = self.0;
        let det = a * e - b * d;
        let (ia, ib, id, ie) = (e / det, -b / det, -d / det, a / det);
        Affine([ia, ib, -(ia * c + ib * f), id, ie, -(id * c + ie * f)])
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn close(a: (f32, f32), b: (f32, f32)) -> bool {
        (a.0 - b.0).abs() < 0.01 && (a.1 - b.1).abs() < 0.01
    }

    #[test]
    fn turns_map_corners_back() {
        let img = RgbImage::new(40, 20);
        for t in [Turn::Cw90, Turn::Half, Turn::Cw270] {
            let (out, back) = t.apply(&img);
            let (w, h) = (out.width() as f32, out.height() as f32);
            let b = back.bbox([(0., 0.), (w, 0.), (w, h), (0., h)]);
            assert_eq!(b, [0., 0., 40., 20.], "{t:?}");
        }
    }

    #[test]
    fn a_pixel_rotated_lands_where_the_map_says() {
        let mut img = RgbImage::from_pixel(100, 60, image::Rgb([255, 255, 255]));
        img.put_pixel(80, 10, image::Rgb([0, 0, 0]));
        let (out, back) = rotate(&img, 5.);
        let there = back.inverse().apply(80., 10.);
        let px = out.get_pixel(there.0.round() as u32, there.1.round() as u32);
        assert!(px.0[0] < 160, "{px:?} at {there:?}");
    }

    #[test]
    fn lines_split_on_one_row_are_joined_but_fields_and_rows_are_not() {
        // An upright word box from x0 to x1, centred on row y, 20 px tall.
        let word = |x0: f32, x1: f32, y: f32| {
            let centre = PointF::from_yx(y, (x0 + x1) / 2.);
            RotatedRect::new(centre, Vec2::from_xy(0., -1.), x1 - x0, 20.)
        };
        let lefts = |lines: &[Vec<RotatedRect>]| -> Vec<Vec<f32>> {
            let left = |r: &RotatedRect| extent(r).0.round();
            lines.iter().map(|l| l.iter().map(left).collect()).collect()
        };
        // "refills" found as a line of its own, a word space after "No".
        let joined = join(vec![
            vec![word(100., 130., 50.)],
            vec![word(140., 210., 52.)],
        ]);
        assert_eq!(lefts(&joined), vec![vec![100., 140.]]);
        // A field 60 px away (3 line heights), and the next row, stay apart.
        let apart = join(vec![
            vec![word(100., 130., 50.)],
            vec![word(190., 260., 50.)],
            vec![word(100., 160., 80.)],
        ]);
        assert_eq!(lefts(&apart), vec![vec![100.], vec![190.], vec![100.]]);
    }

    #[test]
    fn skew_is_the_median_word_angle() {
        let word = |deg: f32| {
            let (s, c) = deg.to_radians().sin_cos();
            RotatedRect::new(PointF::from_yx(50., 50.), Vec2::from_xy(s, -c), 80., 10.)
        };
        let words: Vec<_> = [3.0, 3.5, 4.0, -20.0, 3.8].map(word).into();
        let a = skew_degrees(&words).unwrap();
        assert!((a - 3.5).abs() < 0.01 || (a - 3.8).abs() < 0.01, "{a}");
        assert_eq!(vertical_share(&words), 0.);
    }

    #[test]
    fn a_large_page_is_read_from_a_smaller_copy_mapped_back() {
        let img = RgbImage::new(4032, 3024);
        let (small, back) = working_copy(&img, 2048);
        let small = small.unwrap();
        assert_eq!(small.dimensions(), (2048, 1536));
        assert_eq!(
            back.bbox([(0., 0.), (2048., 1536.)]),
            [0., 0., 4032., 3024.]
        );
        assert!(working_copy(&RgbImage::new(100, 80), 2048).0.is_none());
    }

    proptest! {
        #[test]
        fn inverse_undoes_a_rotation(deg in -30f32..30., x in 0f32..500., y in 0f32..500.) {
            let (_, back) = rotate(&RgbImage::new(50, 30), deg);
            let p = back.apply(x, y);
            prop_assert!(close(back.inverse().apply(p.0, p.1), (x, y)));
        }

        #[test]
        fn composition_is_application_in_order(deg in -30f32..30., x in 0f32..100., y in 0f32..100.) {
            let (_, r) = rotate(&RgbImage::new(50, 30), deg);
            let (_, t) = Turn::Cw90.apply(&RgbImage::new(30, 50));
            let both = t.then(&r);
            let (ix, iy) = r.apply(x, y);
            prop_assert!(close(both.apply(x, y), t.apply(ix, iy)));
        }
    }
}
