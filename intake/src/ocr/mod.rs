//! Text lines from a page photo. The detector runs where the page holds
//! ink (`detect`), ocrs groups its words into lines, and the PP-OCR
//! recogniser runs here so that every character keeps its probability
//! (ocrs keeps only the characters).
//!
//! Photos come skewed and sometimes turned: the page is turned when its
//! words stand upright, straightened by the median word angle, and turned
//! half round when the recogniser reads it with low confidence.

mod columns;
mod ctc;
mod detect;
pub mod geometry;
mod ink;
mod order;
#[cfg(test)]
pub(crate) mod synthetic;

use crate::error::{IntakeError, Result};
pub use columns::ColumnKind;
pub use ctc::Glyph;
use detect::Detector;
use geometry::{Affine, BBox, Turn};
use image::RgbImage;
use ocrs::{ImageSource, OcrEngine, OcrEngineParams, OcrInput};
use rten::{Model, RunOptions, ThreadPool};
use rten_imageproc::RotatedRect;
use rten_tensor::NdTensor;
use rten_tensor::prelude::*;
use std::path::Path;
use std::sync::Arc;

/// Growth of PP-OCR word boxes; its own post-processing uses 1.5.
const UNCLIP_RATIO: f32 = 1.5;
/// Below this, straightening costs more than it gains.
const MIN_SKEW_DEGREES: f32 = 0.5;
/// Longest side the page is read at: the detector sees 1280 px anyway, and
/// printed text stays legible to the recogniser at this size, while a
/// 12-megapixel phone photo would make every later step four times slower.
const WORKING_SIDE: u32 = 2048;
/// Mean character confidence under which the page may be upside down.
const UPSIDE_DOWN_SUSPECT: f32 = 0.75;
/// Lines read less surely than this are a signature's strokes or specks
/// ("lOoool", "00m"): over the dev set's photos every line below it was.
const SCRIBBLE: f32 = 0.6;

/// One recognised line.
#[derive(Debug, Clone)]
pub struct OcrLine {
    pub text: String,
    /// Mean character probability.
    pub confidence: f32,
    /// In the customer's image.
    pub bbox: BBox,
    pub glyphs: Vec<Glyph>,
    /// The table column the line stands in, counted from the left, when
    /// the page has a table and the line is in it.
    pub column: Option<usize>,
    /// What that column holds, by its heading.
    pub column_kind: Option<ColumnKind>,
    /// Its baseline's drop per pixel to the right on the straightened page.
    slope: f32,
    /// Where the line lies in the frame the recogniser saw, the length of
    /// its output sequence, and the map back: enough to place any character.
    frame: [f32; 4],
    steps: usize,
    back: Affine,
}

impl OcrLine {
    /// The box of characters `start..end` (char indices into `text`).
    pub fn span_bbox(&self, start: usize, end: usize) -> BBox {
        if start >= end.min(self.glyphs.len()) {
            return self.bbox;
        }
        let [left, y0, right, y1] = self.span_frame(start, end);
        self.back
            .bbox([(left, y0), (right, y0), (right, y1), (left, y1)])
    }

    /// The box of characters `start..end` on the straightened page the
    /// recogniser read: unlike boxes in a skewed photo, these say which
    /// text stands beside or below which.
    pub fn span_frame(&self, start: usize, end: usize) -> BBox {
        let [x0, y0, x1, y1] = self.frame;
        let (Some(first), Some(last)) = (
            self.glyphs.get(start),
            self.glyphs.get(end.saturating_sub(1)),
        ) else {
            return self.frame;
        };
        let per_step = (x1 - x0) / self.steps.max(1) as f32;
        let left = x0 + first.step as f32 * per_step;
        let right = x0 + (last.step + 1) as f32 * per_step;
        [left, y0, right, y1]
    }

    /// Where character `i` starts, across the recogniser's frame.
    fn glyph_x(&self, i: usize) -> f32 {
        let [x0, _, x1, _] = self.frame;
        let step = self.glyphs.get(i).map_or(0, |g| g.step);
        x0 + step as f32 * (x1 - x0) / self.steps.max(1) as f32
    }

    fn top(&self) -> f32 {
        self.frame[1]
    }

    fn bottom(&self) -> f32 {
        self.frame[3]
    }

    fn centre_y(&self) -> f32 {
        (self.top() + self.bottom()) / 2.
    }

    fn height(&self) -> f32 {
        self.bottom() - self.top()
    }

    /// The line cut in two before character `at`. Both halves keep the
    /// whole line's frame, so their characters stay where they were.
    fn split(self, at: usize) -> (OcrLine, OcrLine) {
        let mut head = self.glyphs.clone();
        let tail = head.split_off(at.min(head.len()));
        (self.with_glyphs(trim(head)), self.with_glyphs(trim(tail)))
    }

    fn with_glyphs(&self, glyphs: Vec<Glyph>) -> OcrLine {
        let mut line = OcrLine {
            text: glyphs.iter().map(|g| g.ch).collect(),
            confidence: mean_prob(&glyphs),
            glyphs,
            ..self.clone()
        };
        line.bbox = line.span_bbox(0, line.glyphs.len());
        line
    }

    /// The lowest character probability within `start..end`.
    pub fn span_confidence(&self, start: usize, end: usize) -> f32 {
        self.glyphs
            .get(start..end.min(self.glyphs.len()))
            .map_or(0., |g| g.iter().map(|g| g.prob).fold(1., f32::min))
    }
}

/// What the page was read as.
#[derive(Debug, Clone)]
pub struct OcrPage {
    pub lines: Vec<OcrLine>,
    pub skew_degrees: f32,
    pub turned: &'static str,
}

/// The detector and recogniser, loaded once per process.
pub struct Ocr {
    engine: OcrEngine,
    detector: Detector,
    recogniser: Model,
    alphabet: Vec<char>,
    pool: Arc<ThreadPool>,
}

impl Ocr {
    /// Loads the wrapped PP-OCR models from `dir` (`models/cache/ocr`).
    /// `threads` bounds the models' thread pool.
    pub fn load(dir: &Path, threads: usize) -> Result<Ocr> {
        let load = |name: &str| {
            Model::load_file(dir.join(name)).map_err(|e| IntakeError::Models {
                path: dir.join(name),
                reason: e.to_string(),
            })
        };
        let alphabet_path = dir.join("alphabet.txt");
        let alphabet =
            std::fs::read_to_string(&alphabet_path).map_err(|e| IntakeError::Models {
                path: alphabet_path,
                reason: e.to_string(),
            })?;
        let pool = Arc::new(ThreadPool::with_num_threads(threads.max(1)));
        let engine = OcrEngine::new(OcrEngineParams {
            // ocrs crops and scales each line for the recogniser: it needs
            // the model to know the input height.
            recognition_model: Some(load("text-recognition.onnx")?),
            alphabet: Some(alphabet.clone()),
            ..Default::default()
        })
        .map_err(IntakeError::ocr)?;
        Ok(Ocr {
            engine,
            detector: Detector::new(load("text-detection.onnx")?, Arc::clone(&pool)),
            recogniser: load("text-recognition.onnx")?,
            alphabet: alphabet.chars().collect(),
            pool,
        })
    }

    /// Reads every line of `img`.
    pub fn read(&self, img: &RgbImage) -> Result<OcrPage> {
        let (small, scale) = geometry::working_copy(img, WORKING_SIDE);
        let img = small.as_ref().unwrap_or(img);
        let (mut frame, mut words) = self.detect(img, Turn::None, &scale)?;
        let mut turned = "none";
        if geometry::vertical_share(&words) > 0.6 {
            (frame, words) = self.detect(img, Turn::Cw90, &scale)?;
            turned = "cw90";
        }
        let skew = geometry::skew_degrees(&words).unwrap_or(0.);
        if skew.abs() > MIN_SKEW_DEGREES {
            // Straighten, carrying the word boxes along: detecting again on
            // the straightened page would cost a second detector pass.
            let (image, back) = geometry::rotate(&frame.image, -skew);
            frame = self.reframe(&frame, image, back, &mut words)?;
        }
        geometry::unclip(&mut words, UNCLIP_RATIO);
        let mut lines = self.recognise(&frame, &words)?;
        if mean_confidence(&lines) < UPSIDE_DOWN_SUSPECT {
            let (image, back) = Turn::Half.apply(&frame.image);
            let mut flipped_words = words.clone();
            let flipped = self.reframe(&frame, image, back, &mut flipped_words)?;
            let other = self.recognise(&flipped, &flipped_words)?;
            if mean_confidence(&other) > mean_confidence(&lines) {
                lines = other;
                turned = if turned == "none" { "half" } else { "cw270" };
            }
        }
        lines.retain(|l| l.confidence >= SCRIBBLE);
        Ok(OcrPage {
            lines: order::by_rows(columns::cut(lines)),
            skew_degrees: skew,
            turned,
        })
    }

    /// The detector's word boxes for `img` as it is: one detector pass.
    pub fn detect_words(&self, img: &RgbImage) -> Result<Vec<RotatedRect>> {
        self.detect(img, Turn::None, &Affine::IDENTITY)
            .map(|(_, words)| words)
    }

    /// Detects on `img` turned by `turn`; `scale` maps `img` back to the
    /// customer's image.
    fn detect(
        &self,
        img: &RgbImage,
        turn: Turn,
        scale: &Affine,
    ) -> Result<(Frame, Vec<RotatedRect>)> {
        let (image, back) = turn.apply(img);
        let input = self.prepare(&image)?;
        let words = self.detector.words(&image)?;
        let back = scale.then(&back);
        Ok((Frame { image, input, back }, words))
    }

    /// A new frame made from `frame` by a rotation whose map back is `back`.
    fn reframe(
        &self,
        frame: &Frame,
        image: RgbImage,
        back: Affine,
        words: &mut [RotatedRect],
    ) -> Result<Frame> {
        let forward = back.inverse();
        for w in words.iter_mut() {
            *w = geometry::carry(w, &forward);
        }
        Ok(Frame {
            input: self.prepare(&image)?,
            back: frame.back.then(&back),
            image,
        })
    }

    fn prepare(&self, image: &RgbImage) -> Result<OcrInput> {
        let source = ImageSource::from_bytes(image.as_raw(), image.dimensions())
            .map_err(IntakeError::ocr)?;
        self.engine.prepare_input(source).map_err(IntakeError::ocr)
    }

    fn recognise(&self, frame: &Frame, words: &[RotatedRect]) -> Result<Vec<OcrLine>> {
        let lines = geometry::join(self.engine.find_text_lines(&frame.input, words));
        let mut out = Vec::with_capacity(lines.len());
        for segment in lines.iter().flat_map(|l| geometry::segments(l)) {
            if let Some(l) = self.recognise_line(frame, segment)? {
                out.push(l);
            }
        }
        Ok(out)
    }

    fn recognise_line(&self, frame: &Frame, words: &[RotatedRect]) -> Result<Option<OcrLine>> {
        let pixels = self
            .engine
            .prepare_recognition_input(&frame.input, words)
            .map_err(IntakeError::ocr)?;
        let [h, w] = pixels.shape();
        let out: NdTensor<f32, 3> = run(
            &self.recogniser,
            pixels.into_shape([1, 1, h, w]),
            &self.pool,
        )?;
        let [steps, _, classes] = out.shape();
        if classes != self.alphabet.len() + 1 {
            return Err(IntakeError::Ocr(format!(
                "recogniser has {classes} classes for an alphabet of {}",
                self.alphabet.len()
            )));
        }
        let data = out.to_vec();
        let glyphs = trim(ctc::decode(&data, classes, &self.alphabet));
        if glyphs.is_empty() {
            return Ok(None);
        }
        let quad = geometry::line_quad(words);
        let frame_box = [quad[0].0, quad[0].1, quad[2].0, quad[2].1];
        Ok(Some(OcrLine {
            text: glyphs.iter().map(|g| g.ch).collect(),
            confidence: mean_prob(&glyphs),
            bbox: frame.back.bbox(quad),
            glyphs,
            column: None,
            column_kind: None,
            slope: geometry::slope(words),
            frame: frame_box,
            steps,
            back: frame.back,
        }))
    }
}

/// One run of `model` on one grey image, with the process's bounded pool.
fn run<const N: usize>(
    model: &Model,
    image: NdTensor<f32, 4>,
    pool: &Arc<ThreadPool>,
) -> Result<NdTensor<f32, N>> {
    let mut opts = RunOptions::default();
    opts.thread_pool = Some(Arc::clone(pool));
    let out = model
        .run_one(image.into(), Some(opts))
        .map_err(IntakeError::ocr)?;
    out.try_into().map_err(IntakeError::ocr)
}

/// Leading and trailing spaces carry no text, and would shift spans.
fn trim(mut glyphs: Vec<Glyph>) -> Vec<Glyph> {
    while glyphs.last().is_some_and(|g| g.ch == ' ') {
        glyphs.pop();
    }
    let lead = glyphs.iter().take_while(|g| g.ch == ' ').count();
    glyphs.drain(..lead);
    glyphs
}

fn mean_prob(glyphs: &[Glyph]) -> f32 {
    glyphs.iter().map(|g| g.prob).sum::<f32>() / glyphs.len().max(1) as f32
}

fn mean_confidence(lines: &[OcrLine]) -> f32 {
    let (sum, n) = lines.iter().fold((0., 0usize), |(s, n), l| {
        (s + l.confidence * l.glyphs.len() as f32, n + l.glyphs.len())
    });
    if n == 0 { 0. } else { sum / n as f32 }
}

/// The image the recogniser reads, prepared for ocrs, and its map back to
/// the customer's image.
struct Frame {
    image: RgbImage,
    input: OcrInput,
    back: Affine,
}
