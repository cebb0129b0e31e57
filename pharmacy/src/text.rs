//! Parsing of free-text fields shared by several records.

use crate::error::{StoreError, StoreResult};

/// A trimmed, non-empty, printable text of bounded length.
pub fn required(field: &'static str, raw: &str, max: usize) -> StoreResult<String> {
    let text = raw.trim();
    if text.is_empty() {
        return Err(StoreError::invalid(field, "must not be empty"));
    }
    optional(field, Some(text), max).map(|t| t.unwrap_or_default())
}

/// Like [`required`] but absent or blank becomes `None`.
pub fn optional(field: &'static str, raw: Option<&str>, max: usize) -> StoreResult<Option<String>> {
    let Some(text) = raw.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    if text.chars().count() > max {
        return Err(StoreError::invalid(
            field,
            format!("longer than {max} characters"),
        ));
    }
    if text.chars().any(|c| c.is_control() && c != '\n') {
        return Err(StoreError::invalid(field, "contains control characters"));
    }
    Ok(Some(text.to_string()))
}

/// A count of units: positive and small enough that sums cannot overflow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub struct Quantity(i64);

impl Quantity {
    pub const MAX: i64 = 1_000_000;

    pub fn new(n: i64) -> StoreResult<Self> {
        if (1..=Self::MAX).contains(&n) {
            Ok(Quantity(n))
        } else {
            Err(StoreError::invalid(
                "quantity",
                format!("{n} is not between 1 and {}", Self::MAX),
            ))
        }
    }

    pub fn get(self) -> i64 {
        self.0
    }
}
