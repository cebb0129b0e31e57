//! Accuracy metrics as in M5. Scales use the training history from its first
//! non-zero observation onward, so a late launch is not rewarded for its zeros.

use serde::Serialize;

fn active(train: &[f64]) -> &[f64] {
    let first = train.iter().position(|&v| v != 0.0).unwrap_or(train.len());
    &train[first..]
}

/// Mean absolute one-step difference of the training history (MASE/SPL scale).
pub fn abs_scale(train: &[f64]) -> f64 {
    let a = active(train);
    if a.len() < 2 {
        return 0.0;
    }
    a.windows(2).map(|w| (w[1] - w[0]).abs()).sum::<f64>() / (a.len() - 1) as f64
}

/// Mean squared one-step difference of the training history (RMSSE scale).
pub fn sq_scale(train: &[f64]) -> f64 {
    let a = active(train);
    if a.len() < 2 {
        return 0.0;
    }
    a.windows(2).map(|w| (w[1] - w[0]).powi(2)).sum::<f64>() / (a.len() - 1) as f64
}

/// Pinball (quantile) loss of predicting `q` at level `level` when `y` happened.
pub fn pinball(y: f64, q: f64, level: f64) -> f64 {
    if y >= q {
        level * (y - q)
    } else {
        (1.0 - level) * (q - y)
    }
}

fn mean(v: impl Iterator<Item = f64>) -> f64 {
    let (s, n) = v.fold((0.0, 0usize), |(s, n), x| (s + x, n + 1));
    if n == 0 { 0.0 } else { s / n as f64 }
}

/// Scores of one series' forecast against its actuals.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SeriesScore {
    /// `None` when the training scale is zero (constant history).
    pub rmsse: Option<f64>,
    pub mase: Option<f64>,
    pub spl90: Option<f64>,
    pub spl95: Option<f64>,
    /// Σ(ŷ − y), for the pooled bias.
    pub sum_error: f64,
    pub sum_actual: f64,
    /// Count of actuals at or below the 0.90 / 0.95 quantile.
    pub below90: usize,
    pub below95: usize,
    pub n: usize,
}

/// Scores a point forecast with its 0.90 and 0.95 quantiles.
pub fn score(
    train: &[f64],
    actual: &[f64],
    mean_fc: &[f64],
    q90: &[f64],
    q95: &[f64],
) -> SeriesScore {
    let n = actual.len().min(mean_fc.len());
    let (a, f) = (&actual[..n], &mean_fc[..n]);
    let abs_s = abs_scale(train);
    let sq_s = sq_scale(train);
    let mse = mean(a.iter().zip(f).map(|(y, p)| (y - p).powi(2)));
    let mae = mean(a.iter().zip(f).map(|(y, p)| (y - p).abs()));
    let pin = |q: &[f64], level: f64| mean(a.iter().zip(q).map(|(y, p)| pinball(*y, *p, level)));
    let scaled = |x: f64, s: f64| (s > 0.0).then(|| x / s);
    SeriesScore {
        rmsse: (sq_s > 0.0).then(|| (mse / sq_s).sqrt()),
        mase: scaled(mae, abs_s),
        spl90: scaled(pin(q90, 0.90), abs_s),
        spl95: scaled(pin(q95, 0.95), abs_s),
        sum_error: f.iter().sum::<f64>() - a.iter().sum::<f64>(),
        sum_actual: a.iter().sum(),
        below90: a.iter().zip(q90).filter(|(y, q)| y <= q).count(),
        below95: a.iter().zip(q95).filter(|(y, q)| y <= q).count(),
        n,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scales_start_at_first_demand() {
        let train = [0.0, 0.0, 2.0, 4.0, 1.0];
        assert!((abs_scale(&train) - 2.5).abs() < 1e-12);
        assert!((sq_scale(&train) - 6.5).abs() < 1e-12);
        assert_eq!(abs_scale(&[0.0, 0.0]), 0.0);
    }

    #[test]
    fn score_matches_hand_values() {
        let train = [1.0, 3.0, 1.0];
        let s = score(&train, &[2.0, 4.0], &[3.0, 3.0], &[4.0, 4.0], &[5.0, 3.0]);
        // sq scale 4, mse 1 → rmsse 0.5; abs scale 2, mae 1 → mase 0.5
        assert!((s.rmsse.unwrap_or(f64::NAN) - 0.5).abs() < 1e-12);
        assert!((s.mase.unwrap_or(f64::NAN) - 0.5).abs() < 1e-12);
        // pinball95: y=2,q=5 → 0.05*3 = 0.15; y=4,q=3 → 0.95*1 → mean 0.55 / 2
        assert!((s.spl95.unwrap_or(f64::NAN) - 0.275).abs() < 1e-12);
        assert_eq!((s.below90, s.below95), (2, 1));
        assert!((s.sum_error - 0.0).abs() < 1e-12);
        assert!(
            score(&[2.0, 2.0], &[1.0], &[1.0], &[1.0], &[1.0])
                .rmsse
                .is_none()
        );
    }
}
