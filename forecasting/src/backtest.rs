//! Rolling-origin backtest. A model is fitted once at the earliest origin and its
//! parameters replayed at later origins (refitting at each would multiply the cost
//! for little change in the ranking); the final forecast uses a fresh fit on the
//! whole history.

use serde::Serialize;

use crate::history::History;
use crate::metrics;
use crate::models::{Fit, Method};

/// Forecast origins (history lengths), oldest first: the last `count`
/// non-overlapping windows of `h` periods that leave at least `min_train` behind.
pub fn origins(n: usize, h: usize, count: usize, min_train: usize) -> Vec<usize> {
    let mut cuts: Vec<usize> = (1..=count)
        .filter_map(|k| n.checked_sub(k * h))
        .filter(|cut| *cut >= min_train.max(2))
        .collect();
    cuts.reverse();
    cuts
}

/// Backtest origins for a history of `n`: every fit gets at least two seasons
/// (and 8 periods) of training. Shorter histories get no backtest; their spread
/// is judged around their mean instead (see `pipeline`).
pub fn plan(n: usize, h: usize, count: usize, season: usize) -> Vec<usize> {
    origins(n, h, count, (2 * season).max(8))
}

/// Actuals and forecasts of one model over all backtest windows.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Backtest {
    pub actual: Vec<f64>,
    pub forecast: Vec<f64>,
    /// Squared and absolute scales of the history before the first origin.
    pub sq_scale: f64,
    pub abs_scale: f64,
}

impl Backtest {
    pub fn is_empty(&self) -> bool {
        self.actual.is_empty()
    }

    pub fn rmsse(&self) -> Option<f64> {
        if self.is_empty() || self.sq_scale <= 0.0 {
            return None;
        }
        let mse =
            self.pairs().map(|(y, f)| (y - f).powi(2)).sum::<f64>() / self.actual.len() as f64;
        Some((mse / self.sq_scale).sqrt())
    }

    /// Σ(ŷ − y) / Σy, or `None` without demand in the windows.
    pub fn bias(&self) -> Option<f64> {
        let total: f64 = self.actual.iter().sum();
        (total > 0.0).then(|| (self.forecast.iter().sum::<f64>() - total) / total)
    }

    fn pairs(&self) -> impl Iterator<Item = (f64, f64)> + '_ {
        self.actual
            .iter()
            .copied()
            .zip(self.forecast.iter().copied())
    }
}

/// A candidate's backtest and final forecast path.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Run {
    pub label: String,
    pub backtest: Backtest,
    pub path: Vec<f64>,
}

/// A local method, optionally applied to deseasonalised data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Local {
    pub method: Method,
    pub deseasonalise: bool,
}

impl Local {
    /// Seasonal methods bring their own seasonality; the others use the profile
    /// when it is material (and there is a history to deseasonalise).
    pub fn for_history(method: Method, history: &History) -> Local {
        Local {
            method,
            deseasonalise: !method.is_seasonal()
                && !history.is_empty()
                && history.profile.is_material(),
        }
    }

    fn input(&self, history: &History, cut: usize) -> Vec<f64> {
        let y = &history.y[..cut];
        if self.deseasonalise {
            history.profile.deseasonalise(y, history.start)
        } else {
            y.to_vec()
        }
    }

    fn fit(&self, history: &History, cut: usize) -> Fit {
        self.method
            .fit(&self.input(history, cut), history.profile.season())
    }

    fn forecast(&self, fit: &Fit, history: &History, cut: usize, h: usize) -> Vec<f64> {
        let input = self.input(history, cut);
        if !self.deseasonalise {
            return fit.forecast(&input, h);
        }
        let first = history.start + cut as i64;
        let open = history.profile.open_periods(first, h);
        let path = fit.forecast(&input, open.max(1));
        history.profile.reseasonalise(&path, first, h)
    }

    /// Backtests at `cuts` and forecasts `h` periods after the whole history.
    pub fn run(&self, history: &History, cuts: &[usize], h: usize) -> Run {
        let backtest = match cuts.first() {
            Some(&first) => {
                let fit = self.fit(history, first);
                let mut bt = scaled_backtest(&history.y[..first]);
                for &cut in cuts {
                    let end = (cut + h).min(history.len());
                    bt.actual.extend_from_slice(&history.y[cut..end]);
                    bt.forecast
                        .extend(self.forecast(&fit, history, cut, end - cut));
                }
                bt
            }
            None => Backtest::default(),
        };
        let fit = self.fit(history, history.len());
        let suffix = if self.deseasonalise { "+season" } else { "" };
        Run {
            label: format!("{}{suffix}", fit.label()),
            path: self.forecast(&fit, history, history.len(), h),
            backtest,
        }
    }
}

/// An empty backtest carrying the scales of the training part.
pub fn scaled_backtest(train: &[f64]) -> Backtest {
    Backtest {
        actual: Vec::new(),
        forecast: Vec::new(),
        sq_scale: metrics::sq_scale(train),
        abs_scale: metrics::abs_scale(train),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_non_overlapping_and_respect_min_train() {
        assert_eq!(origins(100, 10, 3, 8), vec![70, 80, 90]);
        assert_eq!(origins(25, 10, 3, 8), vec![15]);
        assert!(origins(9, 10, 3, 8).is_empty());
        assert_eq!(plan(100, 10, 3, 12), vec![70, 80, 90]);
        assert!(
            plan(30, 6, 3, 12).len() == 1,
            "only one window leaves two seasons"
        );
    }
}
