//! The one error type of this crate. Callers (CLI, api) map it to their own
//! responses; nothing here panics on bad input.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum ClinicalError {
    #[error("cannot read {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("source file {path} is malformed: {reason}")]
    Source { path: PathBuf, reason: String },
    #[error("curated file {path} is invalid: {reason}")]
    Curated { path: PathBuf, reason: String },
    #[error("snapshot at {path} is unusable: {reason}")]
    Snapshot { path: PathBuf, reason: String },
    #[error("search index error: {0}")]
    Index(#[from] tantivy::TantivyError),
    #[error("query refused: {0}")]
    BadQuery(String),
    #[error("unknown drug {0:?}")]
    UnknownDrug(String),
    #[error("invalid input: {0}")]
    Input(String),
}

impl ClinicalError {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        ClinicalError::Io {
            path: path.into(),
            source,
        }
    }
    pub(crate) fn source(path: impl Into<PathBuf>, reason: impl Into<String>) -> Self {
        ClinicalError::Source {
            path: path.into(),
            reason: reason.into(),
        }
    }
    pub(crate) fn curated(path: impl Into<PathBuf>, reason: impl Into<String>) -> Self {
        ClinicalError::Curated {
            path: path.into(),
            reason: reason.into(),
        }
    }
    pub(crate) fn snapshot(path: impl Into<PathBuf>, reason: impl Into<String>) -> Self {
        ClinicalError::Snapshot {
            path: path.into(),
            reason: reason.into(),
        }
    }
}

pub type Result<T, E = ClinicalError> = std::result::Result<T, E>;
