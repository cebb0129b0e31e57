//! Wall-clock helpers. Times are stored as RFC 3339 UTC text and dates as
//! ISO `YYYY-MM-DD`, so that both backends sort them the same way as text.

use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{Date, OffsetDateTime};

use crate::error::{StoreError, StoreResult};

const DATE: &[time::format_description::BorrowedFormatItem<'static>] =
    format_description!("[year]-[month]-[day]");

pub fn now() -> String {
    // Rfc3339 formatting of a UTC time cannot fail for years 0..=9999.
    OffsetDateTime::now_utc()
        .format(&Rfc3339)
        .unwrap_or_default()
}

/// `ttl` from now, formatted like [`now`], for expiries compared as text.
pub fn after(ttl: time::Duration) -> String {
    (OffsetDateTime::now_utc() + ttl)
        .format(&Rfc3339)
        .unwrap_or_default()
}

/// How long from now until `at` (formatted like [`now`]); `None` when it
/// has passed or does not parse.
pub fn until(at: &str) -> Option<std::time::Duration> {
    let at = OffsetDateTime::parse(at, &Rfc3339).ok()?;
    (at - OffsetDateTime::now_utc()).try_into().ok()
}

pub fn today() -> Date {
    OffsetDateTime::now_utc().date()
}

pub fn format_date(date: Date) -> String {
    date.format(DATE).unwrap_or_default()
}

pub fn parse_date(field: &'static str, text: &str) -> StoreResult<Date> {
    Date::parse(text.trim(), DATE)
        .map_err(|e| StoreError::invalid(field, format!("{text:?} is not a YYYY-MM-DD date ({e})")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn until_counts_down_to_a_time_to_come() {
        let left = until(&after(time::Duration::hours(1))).map(|d| d.as_secs());
        assert!(left.is_some_and(|s| (3590..=3600).contains(&s)), "{left:?}");
        assert_eq!(until(&after(time::Duration::seconds(-5))), None);
        assert_eq!(until("yesterday"), None);
    }
}
