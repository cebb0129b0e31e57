//! Which rows of a listing to return, written into its SQL as literals.
//!
//! SQLite's planner reads the value bound to a `LIMIT` or `OFFSET`, and so
//! marks the statement to be prepared again whenever that parameter is
//! bound: a listing with `LIMIT $n` was parsed and planned afresh on every
//! call, the review queue that pharmacists poll among them. The window is
//! made of clamped integers, so writing it into the SQL cannot inject.

use std::fmt;

/// The most rows one listing returns.
pub(crate) const MOST_ROWS: i64 = 500;

/// `LIMIT n`, with `OFFSET m` where m > 0; n is in 1..=[`MOST_ROWS`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Window {
    limit: i64,
    offset: i64,
}

impl Window {
    /// The first `limit` rows.
    pub fn first(limit: i64) -> Window {
        Window::new(limit, 0)
    }

    pub fn new(limit: i64, offset: i64) -> Window {
        Window {
            limit: limit.clamp(1, MOST_ROWS),
            offset: offset.max(0),
        }
    }
}

impl fmt::Display for Window {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "LIMIT {}", self.limit)?;
        if self.offset > 0 {
            write!(f, " OFFSET {}", self.offset)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_the_clause() {
        assert_eq!(Window::first(20).to_string(), "LIMIT 20");
        assert_eq!(Window::new(50, 100).to_string(), "LIMIT 50 OFFSET 100");
        assert_eq!(Window::first(0).to_string(), "LIMIT 1");
        assert_eq!(
            Window::first(-1).to_string(),
            "LIMIT 1",
            "not SQLite's no limit"
        );
        assert_eq!(Window::new(10_000, -5).to_string(), "LIMIT 500");
    }

    proptest::proptest! {
        #[test]
        fn always_a_bounded_window(limit: i64, offset: i64) {
            let text = Window::new(limit, offset).to_string();
            let numbers: Vec<i64> = text
                .split(' ')
                .filter_map(|w| w.parse().ok())
                .collect();
            proptest::prop_assert!((1..=MOST_ROWS).contains(&numbers[0]));
            proptest::prop_assert_eq!(numbers.get(1).copied().unwrap_or(0), offset.max(0));
            proptest::prop_assert!(text.chars().all(|c| c.is_ascii_alphanumeric() || c == ' '));
        }
    }
}
