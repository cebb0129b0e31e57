//! `Intake`: the models loaded once, and one call from upload bytes to an
//! `ExtractedPrescription`.

use crate::decode::{self, UploadLimits};
use crate::encoder::Encoder;
use crate::error::Result;
use crate::extract::{self, TaggedLine};
use crate::ocr::{Ocr, OcrPage};
use crate::prescription::{ExtractedPrescription, TimingMs};
use crate::tagger::head::Head;
use image::RgbImage;
use rxflow_clinical::Kb;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

/// Where the prepared models are.
#[derive(Debug, Clone)]
pub struct ModelPaths {
    /// `models/cache/ocr`: wrapped PP-OCR detector and recogniser.
    pub ocr: PathBuf,
    /// `models/cache/minilm`: MiniLM weights and tokenizer.
    pub minilm: PathBuf,
    /// `models/tagger/head.safetensors`: the committed tagger head.
    pub head: PathBuf,
}

impl ModelPaths {
    /// The layout `models/prepare` writes under `models_dir`.
    pub fn under(models_dir: &Path) -> ModelPaths {
        ModelPaths {
            ocr: models_dir.join("cache").join("ocr"),
            minilm: models_dir.join("cache").join("minilm"),
            head: models_dir.join("tagger").join("head.safetensors"),
        }
    }
}

pub struct Intake {
    ocr: Ocr,
    encoder: Encoder,
    head: Head,
    kb: Arc<Kb>,
}

impl Intake {
    /// Loads every model; `threads` bounds the recogniser's pool.
    pub fn load(paths: &ModelPaths, kb: Arc<Kb>, threads: usize) -> Result<Intake> {
        Ok(Intake {
            ocr: Ocr::load(&paths.ocr, threads)?,
            encoder: Encoder::load(&paths.minilm)?,
            head: Head::load(&paths.head)?,
            kb,
        })
    }

    /// Reads an uploaded image.
    pub fn read(&self, bytes: &[u8], limits: UploadLimits) -> Result<ExtractedPrescription> {
        let start = Instant::now();
        let photo = decode::decode(bytes, limits)?;
        let decoded = ms(start);
        let mut rx = self.read_image(&photo.image)?;
        rx.timing_ms.decode = decoded;
        rx.timing_ms.total = ms(start);
        Ok(rx)
    }

    /// Reads an upright decoded image.
    pub fn read_image(&self, image: &RgbImage) -> Result<ExtractedPrescription> {
        let start = Instant::now();
        let page = self.ocr.read(image)?;
        let ocr_ms = ms(start);
        let nlp_start = Instant::now();
        let mut rx = self.understand(&page)?;
        rx.timing_ms = TimingMs {
            decode: 0.,
            ocr: ocr_ms,
            nlp: ms(nlp_start),
            total: ms(start),
        };
        rx.skew_degrees = page.skew_degrees;
        rx.turned = page.turned;
        Ok(rx)
    }

    /// Tags and assembles the lines of an OCR'd page.
    pub fn understand(&self, page: &OcrPage) -> Result<ExtractedPrescription> {
        let texts: Vec<&str> = page.lines.iter().map(|l| l.text.as_str()).collect();
        let encoded = self.encoder.encode(&texts)?;
        let tagged = page
            .lines
            .iter()
            .zip(&encoded)
            .map(|(ocr, enc)| {
                Ok(TaggedLine {
                    ocr,
                    spans: self.head.tag(enc)?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(extract::assemble(&tagged, &self.kb))
    }

    pub fn ocr(&self) -> &Ocr {
        &self.ocr
    }
}

fn ms(since: Instant) -> f64 {
    since.elapsed().as_secs_f64() * 1000.
}
