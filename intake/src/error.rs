//! Everything that can go wrong reading a prescription image. Input errors
//! (the upload) are kept apart from setup errors (the models) so that the
//! service can answer 4xx for the first and 503 for the second.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum IntakeError {
    #[error("the upload is empty")]
    Empty,
    #[error("the upload is {size} bytes; the limit is {limit}")]
    TooLarge { size: usize, limit: usize },
    #[error("not an image: the file starts with no JPEG, PNG or WebP signature")]
    NotAnImage,
    #[error(
        "unsupported image format {0}: send a JPEG, PNG or WebP (on iPhone: Settings > Camera > Formats > Most Compatible)"
    )]
    UnsupportedFormat(&'static str),
    #[error(
        "the image is {width}x{height} pixels ({megapixels:.1} MP); the limit is {limit_mp} MP"
    )]
    TooManyPixels {
        width: u32,
        height: u32,
        megapixels: f64,
        limit_mp: u32,
    },
    #[error("the image is {width}x{height} pixels, too small to hold a readable prescription")]
    TooSmall { width: u32, height: u32 },
    #[error("the image is damaged or truncated: {0}")]
    Malformed(String),
    #[error("models are not prepared at {}: {reason} (run models/prepare)", path.display())]
    Models { path: PathBuf, reason: String },
    #[error("text recognition failed: {0}")]
    Ocr(String),
    #[error("the language model failed: {0}")]
    Nlp(String),
    #[error("the drug knowledge base failed: {0}")]
    Clinical(#[from] rxflow_clinical::ClinicalError),
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

impl IntakeError {
    /// True when the caller's input is at fault (an HTTP 4xx), false when
    /// the service is (models missing, a model failing).
    pub fn is_input_error(&self) -> bool {
        matches!(
            self,
            IntakeError::Empty
                | IntakeError::TooLarge { .. }
                | IntakeError::NotAnImage
                | IntakeError::UnsupportedFormat(_)
                | IntakeError::TooManyPixels { .. }
                | IntakeError::TooSmall { .. }
                | IntakeError::Malformed(_)
        )
    }

    pub(crate) fn nlp(e: impl std::fmt::Display) -> Self {
        IntakeError::Nlp(e.to_string())
    }

    pub(crate) fn ocr(e: impl std::fmt::Display) -> Self {
        IntakeError::Ocr(e.to_string())
    }
}

pub type Result<T, E = IntakeError> = std::result::Result<T, E>;
