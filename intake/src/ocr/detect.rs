//! Word boxes from PP-OCR's text detector, run only on the bands of the page
//! that hold ink (`ink::bands`).
//!
//! ocrs resizes every page to the detector's one input size, so the
//! detector, the costliest step of reading a photo, spends half its time on
//! table and blank paper. Here the page is scaled as ocrs scales it, each
//! band is detected with a margin of context, and the bands' probability
//! maps are laid back on one map of the page. Words are then found on it as
//! ocrs finds them.

use super::ink;
use crate::error::{IntakeError, Result};
use image::RgbImage;
use rten::{FloatOperators, Model, ThreadPool};
use rten_imageproc::{RetrievalMode, RotatedRect, find_contours, min_area_rect, simplify_polygon};
use rten_tensor::prelude::*;
use rten_tensor::{NdTensor, NdTensorView};
use std::ops::Range;
use std::sync::Arc;

/// The page size ocrs gave the detector: a portrait page's height is read
/// at 1280 px and its width at 960 at most. Text stays as large as it was.
const LONG_SIDE: f32 = 1280.;
const SHORT_SIDE: f32 = 960.;
/// The network halves its input five times, so each side is a multiple.
const STRIDE: usize = 32;
/// Context around a band, in the detector's pixels.
const MARGIN: usize = 32;
// A band's margin must never reach the next band's ink.
const _: () = assert!(MARGIN < ink::GAP * ink::CELL);
/// ocrs' post-processing: a pixel is text above this probability, and each
/// box grows by `EXPAND` pixels and must cover `MIN_AREA`.
const TEXT_THRESHOLD: f32 = 0.2;
const EXPAND: f32 = 3.;
const MIN_AREA: f32 = 100.;
/// ocrs' grey: black is -0.5, white 0.5; the weights are ITU BT.601's.
const BLACK: f32 = -0.5;
const WHITE: f32 = 0.5;
const LUMA: [f32; 3] = [0.299, 0.587, 0.114];

pub struct Detector {
    model: Model,
    pool: Arc<ThreadPool>,
}

impl Detector {
    pub fn new(model: Model, pool: Arc<ThreadPool>) -> Detector {
        Detector { model, pool }
    }

    /// The word boxes of `image`, in its pixels.
    pub fn words(&self, image: &RgbImage) -> Result<Vec<RotatedRect>> {
        let (w, h) = image.dimensions();
        let (h, w) = (h as usize, w as usize);
        let scale = (LONG_SIDE / h.max(w) as f32)
            .min(SHORT_SIDE / h.min(w) as f32)
            .min(1.);
        let size = [scaled(h, scale), scaled(w, scale)];
        let small = resized(grey(image), size)?;
        let page = padded(small.view());
        let mut prob = NdTensor::<f32, 2>::zeros(page.shape());
        for band in ink::bands(small.view()) {
            let (rows, cols) = window(&band, page.shape());
            let out = self.run(page.slice((rows.clone(), cols.clone())))?;
            for (y, row) in rows.enumerate() {
                for (x, col) in cols.clone().enumerate() {
                    let p = &mut prob[[row, col]];
                    *p = p.max(out[[y, x]]);
                }
            }
        }
        let prob = prob.slice((..size[0], ..size[1])).to_tensor();
        let mask = resized(prob, [h, w])?.map(|p| *p > TEXT_THRESHOLD);
        Ok(boxes(mask.view()))
    }

    fn run(&self, input: NdTensorView<f32, 2>) -> Result<NdTensor<f32, 2>> {
        let [h, w] = input.shape();
        let out: NdTensor<f32, 4> = super::run(
            &self.model,
            input.to_tensor().into_shape([1, 1, h, w]),
            &self.pool,
        )?;
        if out.shape() != [1, 1, h, w] {
            return Err(IntakeError::Ocr(format!(
                "detector gave {:?} for a {h}x{w} input",
                out.shape()
            )));
        }
        Ok(out.into_shape([h, w]))
    }
}

fn scaled(side: usize, scale: f32) -> usize {
    ((side as f32 * scale).round() as usize).max(1)
}

fn grey(image: &RgbImage) -> NdTensor<f32, 2> {
    let (w, h) = image.dimensions();
    let data = image
        .pixels()
        .map(|p| {
            let [r, g, b] = p.0.map(|c| c as f32 / 255.);
            BLACK + LUMA[0] * r + LUMA[1] * g + LUMA[2] * b
        })
        .collect::<Vec<_>>();
    NdTensor::from_data([h as usize, w as usize], data)
}

/// `img` resized (bilinear, as ocrs) to `size`; as it was when it fits.
fn resized(img: NdTensor<f32, 2>, size: [usize; 2]) -> Result<NdTensor<f32, 2>> {
    let [h, w] = img.shape();
    if [h, w] == size {
        return Ok(img);
    }
    let out = img
        .into_shape([1, 1, h, w])
        .resize_image(size)
        .map_err(IntakeError::ocr)?;
    let out: NdTensor<f32, 4> = out.try_into().map_err(IntakeError::ocr)?;
    Ok(out.into_shape(size))
}

/// `img` on white paper grown to whole strides.
fn padded(img: NdTensorView<f32, 2>) -> NdTensor<f32, 2> {
    let [h, w] = img.shape();
    let mut out = NdTensor::full(
        [h.div_ceil(STRIDE) * STRIDE, w.div_ceil(STRIDE) * STRIDE],
        WHITE,
    );
    out.slice_mut((..h, ..w)).copy_from(&img);
    out
}

/// The rows and columns of `page` the detector sees for `band`: the band
/// with its margin, grown to the stride's grid.
fn window(band: &ink::Band, page: [usize; 2]) -> (Range<usize>, Range<usize>) {
    (
        span(band.top, band.bottom, page[0]),
        span(band.left, band.right, page[1]),
    )
}

/// `start..end` with the margin, on the stride's grid, inside `0..len`
/// (itself on the grid). On the grid, the network sees each pixel as it
/// would see it on the whole page: off it, a faint line read on the whole
/// page may be missed, or the reverse.
fn span(start: usize, end: usize, len: usize) -> Range<usize> {
    let from = start.saturating_sub(MARGIN) / STRIDE * STRIDE;
    let to = ((end + MARGIN).div_ceil(STRIDE) * STRIDE).min(len);
    from..to
}

/// The smallest rotated boxes around each blob of `mask`, as ocrs draws them.
fn boxes(mask: NdTensorView<bool, 2>) -> Vec<RotatedRect> {
    find_contours(mask, RetrievalMode::External)
        .iter()
        .filter_map(|poly| {
            let points: Vec<_> = poly.iter().map(|p| p.to_f32()).collect();
            min_area_rect(&simplify_polygon(&points, 2.)).map(|mut r| {
                r.resize(r.width() + 2. * EXPAND, r.height() + 2. * EXPAND);
                r
            })
        })
        .filter(|r| r.area() >= MIN_AREA)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rten_imageproc::BoundingRect;

    proptest! {
        /// A window covers its band and margin, on the grid and on the page.
        #[test]
        fn a_window_covers_its_band_in_whole_strides(
            strides in 1usize..40,
            a in 0usize..1280,
            b in 0usize..1280,
        ) {
            let len = strides * STRIDE;
            let (start, end) = (a.min(b) % len, (a.max(b) % len).max(a.min(b) % len + 1));
            let got = span(start, end, len);
            prop_assert_eq!(got.len() % STRIDE, 0);
            prop_assert!(got.end <= len);
            prop_assert!(got.start <= start && end <= got.end, "{:?} for {}..{}", got, start, end);
            prop_assert_eq!(got.start % STRIDE, 0);
            prop_assert!(got.start + MARGIN <= start || got.start == 0);
            prop_assert!(end + MARGIN <= got.end || got.end == len);
        }
    }

    #[test]
    fn a_page_is_padded_with_paper() {
        let img = NdTensor::<f32, 2>::full([40, 70], BLACK);
        let page = padded(img.view());
        assert_eq!(page.shape(), [64, 96]);
        assert_eq!(page[[39, 69]], BLACK);
        assert_eq!(page[[40, 0]], WHITE);
        assert_eq!(page[[0, 70]], WHITE);
    }

    #[test]
    fn a_blob_becomes_one_grown_box() {
        let mut mask = NdTensor::<bool, 2>::full([60, 100], false);
        mask.slice_mut((20..30, 10..70)).fill(true);
        let got = boxes(mask.view());
        assert_eq!(got.len(), 1);
        let r = got[0].bounding_rect();
        assert!(
            (r.width() - 66.).abs() <= 2. && (r.height() - 16.).abs() <= 2.,
            "{r:?}"
        );
    }
}
