//! ADIDA: aggregate the history into non-overlapping buckets of about one
//! inter-demand interval (so most buckets hold demand), forecast the buckets with
//! SES, and spread the bucket forecast evenly back over its periods.

use serde::Serialize;

use super::croston::sizes_and_intervals;
use super::smoothing::{fit_alpha, ses_level};

/// SES α bounds used on aggregated buckets (as in statsforecast).
pub const ALPHA_RANGE: (f64, f64) = (0.1, 0.3);

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct AdidaParams {
    /// Bucket length in periods.
    pub level: usize,
    pub alpha: f64,
}

/// Mean inter-demand interval rounded to whole periods (at least 1).
pub fn aggregation_level(y: &[f64]) -> usize {
    let (_, intervals) = sizes_and_intervals(y);
    if intervals.is_empty() {
        return 1;
    }
    let mean = intervals.iter().sum::<f64>() / intervals.len() as f64;
    (mean.round() as usize).max(1)
}

/// Bucket sums aligned to the end of the history (the oldest remainder is dropped).
pub fn buckets(y: &[f64], level: usize) -> Vec<f64> {
    let k = level.clamp(1, y.len().max(1));
    let skip = y.len() % k;
    y[skip..].chunks(k).map(|c| c.iter().sum()).collect()
}

pub fn fit_level(y: &[f64], level: usize) -> AdidaParams {
    let b = buckets(y, level);
    AdidaParams {
        level,
        alpha: fit_alpha(&b, ALPHA_RANGE.0, ALPHA_RANGE.1),
    }
}

pub fn fit(y: &[f64]) -> AdidaParams {
    fit_level(y, aggregation_level(y))
}

/// Per-period forecast.
pub fn forecast(y: &[f64], p: AdidaParams) -> f64 {
    let k = p.level.clamp(1, y.len().max(1));
    ses_level(&buckets(y, k), p.alpha) / k as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adida_matches_hand_values() {
        let y = [9.0, 0.0, 2.0, 0.0, 0.0, 4.0, 1.0, 0.0];
        // intervals 1,2,3,1 → mean 1.75 → level 2; buckets (end-aligned) 9,2,4,1
        assert_eq!(aggregation_level(&y), 2);
        assert_eq!(buckets(&y, 2), vec![9.0, 2.0, 4.0, 1.0]);
        // SES α=0.2: 9 → 7.6 → 6.88 → 5.704; per period / 2
        let f = forecast(
            &y,
            AdidaParams {
                level: 2,
                alpha: 0.2,
            },
        );
        assert!((f - 5.704 / 2.0).abs() < 1e-9, "{f}");
        assert_eq!(buckets(&[1.0, 2.0, 3.0], 2), vec![5.0]);
    }
}
