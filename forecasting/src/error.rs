//! The crate's single error type. Every input path returns these instead of panicking.

use thiserror::Error;

/// Why a forecasting request could not be served.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum ForecastError {
    #[error("series `{series_id}` has no observations")]
    EmptySeries { series_id: String },
    #[error("series `{series_id}`: quantity on {date} is not a finite number")]
    NonFinite { series_id: String, date: String },
    #[error("series `{series_id}`: quantity on {date} is negative ({qty})")]
    NegativeQuantity {
        series_id: String,
        date: String,
        qty: f64,
    },
    #[error("series `{series_id}`: dates are not strictly increasing at {date} (after {previous})")]
    UnsortedDates {
        series_id: String,
        date: String,
        previous: String,
    },
    #[error("{source_name} line {line}: {reason}")]
    Csv {
        source_name: String,
        line: usize,
        reason: String,
    },
    #[error("cannot read {path}: {reason}")]
    Io { path: String, reason: String },
    #[error("invalid parameter `{name}`: {reason}")]
    InvalidParameter { name: &'static str, reason: String },
    #[error("unknown model `{0}`")]
    UnknownModel(String),
    #[error("pooled model could not be fitted: {0}")]
    PooledFit(String),
}

/// Shorthand used across the crate.
pub type Result<T> = std::result::Result<T, ForecastError>;

/// Rejects a non-positive or non-finite parameter with a message naming it.
pub(crate) fn require(cond: bool, name: &'static str, reason: impl Into<String>) -> Result<()> {
    if cond {
        Ok(())
    } else {
        Err(ForecastError::InvalidParameter {
            name,
            reason: reason.into(),
        })
    }
}
