//! Prescription reading, stage by stage, on a committed fixture photo
//! (tests/fixtures/intake/rx0001_photo.jpg, 1080x1440):
//!
//! - `decode`: signature check, limits, JPEG decode, EXIF orientation;
//! - `ocr_detect`: one detector pass over the bands of the page that hold ink;
//! - `ocr`: detection, turning, deskew, recognition of every line;
//! - `nlp`: MiniLM encoding, tagging, label cues, parsing, drug linking;
//! - `end_to_end`: all of it from the uploaded bytes.
//!
//! Needs `models/prepare` and `rxflow kb build`. CPU time per page is what
//! the issue targets: run single-threaded,
//! `CANDLE_NUM_THREADS=1 RTEN_NUM_THREADS=1 cargo bench --bench intake`,
//! so that wall time is CPU time.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use criterion::{Criterion, criterion_group, criterion_main};
use rxflow_clinical::{Kb, default_root};
use rxflow_intake::decode::{UploadLimits, decode};
use rxflow_intake::pipeline::{Intake, ModelPaths};
use std::hint::black_box;
use std::path::PathBuf;
use std::sync::Arc;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn load() -> Option<Intake> {
    let kb = Kb::open_current(&default_root(&root().join("data"))).ok()?;
    match Intake::load(&ModelPaths::under(&root().join("models")), Arc::new(kb), 1) {
        Ok(i) => Some(i),
        Err(e) => {
            eprintln!("skipping intake benches: {e}");
            None
        }
    }
}

fn benches(c: &mut Criterion) {
    let Some(intake) = load() else { return };
    let bytes = std::fs::read(root().join("tests/fixtures/intake/rx0001_photo.jpg")).unwrap();
    let limits = UploadLimits::default();
    let image = decode(&bytes, limits).unwrap().image;
    let page = intake.ocr().read(&image).unwrap();
    let mut g = c.benchmark_group("intake");
    g.sample_size(10);
    g.bench_function("decode", |b| b.iter(|| decode(black_box(&bytes), limits)));
    g.bench_function("ocr_detect", |b| {
        b.iter(|| intake.ocr().detect_words(black_box(&image)))
    });
    g.bench_function("ocr", |b| b.iter(|| intake.ocr().read(black_box(&image))));
    g.bench_function("nlp", |b| b.iter(|| intake.understand(black_box(&page))));
    g.bench_function("end_to_end", |b| {
        b.iter(|| intake.read(black_box(&bytes), limits))
    });
    g.finish();
}

criterion_group!(intake, benches);
criterion_main!(intake);
