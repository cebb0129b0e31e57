//! Simple exponential smoothing started at the first value, as the intermittent
//! methods (Croston, ADIDA, IMAPA) use it on sizes, intervals and buckets.

use crate::optim::golden_section;

/// Final level of SES with level₀ = x₀ and levelᵢ = α·xᵢ + (1−α)·levelᵢ₋₁.
pub fn ses_level(x: &[f64], alpha: f64) -> f64 {
    let Some((&first, rest)) = x.split_first() else {
        return 0.0;
    };
    rest.iter()
        .fold(first, |level, &v| alpha * v + (1.0 - alpha) * level)
}

/// One-step SSE of [`ses_level`]'s recursion.
pub fn ses_sse(x: &[f64], alpha: f64) -> f64 {
    let Some((&first, rest)) = x.split_first() else {
        return 0.0;
    };
    let mut level = first;
    let mut sse = 0.0;
    for &v in rest {
        sse += (v - level).powi(2);
        level = alpha * v + (1.0 - alpha) * level;
    }
    sse
}

/// α in `[lo, hi]` minimising the one-step SSE.
pub fn fit_alpha(x: &[f64], lo: f64, hi: f64) -> f64 {
    golden_section(|a| ses_sse(x, a), lo, hi, 1e-4)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ses_level_by_hand() {
        // 4 → 0.1·2 + 0.9·4 = 3.8 → 0.1·6 + 0.9·3.8 = 4.02
        assert!((ses_level(&[4.0, 2.0, 6.0], 0.1) - 4.02).abs() < 1e-12);
        assert!((ses_sse(&[4.0, 2.0, 6.0], 0.1) - (4.0 + 2.2f64.powi(2))).abs() < 1e-12);
        assert_eq!(ses_level(&[], 0.1), 0.0);
    }
}
