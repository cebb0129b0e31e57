//! Automatic model choice: the demand class proposes candidates, the
//! rolling-origin backtest picks one per class.
//!
//! A single series' backtest is short and noisy (18 points for a monthly series
//! with a 6-month horizon), so choosing per series mostly chases noise. The
//! choice is made per demand class, on the mean backtest score over a sample of
//! the class's series; every series of the class then uses that method (on
//! deseasonalised data where its seasonal profile is material).
//!
//! The score is the backtest RMSSE, inflated by the absolute bias: among
//! near-equals an unbiased model is preferred, since a biased one drifts stock in
//! one direction over every cycle. Pinball loss enters through the calibration of
//! the chosen model's quantiles (see `quantiles`).

use std::collections::BTreeMap;

use crate::backtest::{Local, Run};
use crate::classify::DemandClass;
use crate::history::History;
use crate::metrics;
use crate::models::Method;
use crate::quantiles::Dispersion;

/// Weight of |bias| in the score (a 20% bias costs as much as 5% more RMSSE).
const BIAS_WEIGHT: f64 = 0.25;
const SPL_WEIGHT: f64 = 1.0;
/// Series per class whose backtests decide the class's method.
pub const CLASS_SAMPLE: usize = 300;

/// Candidate methods for a class, the default (used without any backtest) first.
pub fn candidates(class: DemandClass) -> &'static [Method] {
    match class {
        DemandClass::Smooth | DemandClass::Erratic => {
            &[Method::Ses, Method::DampedHolt, Method::WindowAverage]
        }
        DemandClass::Intermittent | DemandClass::Lumpy => &[
            Method::Tsb,
            Method::Imapa,
            Method::Sba,
            Method::WindowAverage,
            Method::Ses,
        ],
        DemandClass::Inactive => &[Method::Naive],
    }
}

/// Backtest score of a run (lower is better), `None` without a usable backtest:
/// bias-inflated RMSSE plus the scaled pinball loss at 0.95 of the run's own
/// (uncalibrated) predictive distribution, so that the point forecast and the
/// upper quantile a reorder point rests on both count.
pub fn score(run: &Run, class: DemandClass, integer: bool) -> Option<f64> {
    let bt = &run.backtest;
    let rmsse = bt.rmsse()?;
    let bias = bt.bias().map_or(0.0, f64::abs).min(1.0);
    let spread = Dispersion::from_pairs(&bt.actual, &bt.forecast, class, integer);
    let pinball = bt
        .actual
        .iter()
        .zip(&bt.forecast)
        .map(|(y, f)| metrics::pinball(*y, spread.predictive(*f).quantile(0.95), 0.95))
        .sum::<f64>()
        / bt.actual.len() as f64;
    let spl = if bt.abs_scale > 0.0 {
        pinball / bt.abs_scale
    } else {
        0.0
    };
    Some(rmsse * (1.0 + BIAS_WEIGHT * bias) + SPL_WEIGHT * spl)
}

/// Indices of up to `CLASS_SAMPLE` series per class, evenly spread over the batch.
pub fn class_samples(histories: &[History]) -> BTreeMap<DemandClass, Vec<usize>> {
    let mut members: BTreeMap<DemandClass, Vec<usize>> = BTreeMap::new();
    for (i, h) in histories.iter().enumerate() {
        members.entry(h.class.class).or_default().push(i);
    }
    members
        .into_iter()
        .map(|(class, idx)| {
            let step = idx.len().div_ceil(CLASS_SAMPLE).max(1);
            (class, idx.into_iter().step_by(step).collect())
        })
        .collect()
}

/// The class's method: lowest mean score over the sampled series' runs, where
/// `runs[k][j]` is sampled series k's run of candidate j.
pub fn best_for_class(class: DemandClass, histories: &[&History], runs: &[Vec<Run>]) -> Method {
    let methods = candidates(class);
    let mean_score = |j: usize| -> Option<f64> {
        let scores: Vec<f64> = runs
            .iter()
            .zip(histories)
            .filter_map(|(r, h)| r.get(j).and_then(|run| score(run, class, h.integer)))
            .collect();
        (!scores.is_empty()).then(|| scores.iter().sum::<f64>() / scores.len() as f64)
    };
    (0..methods.len())
        .filter_map(|j| mean_score(j).map(|s| (j, s)))
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .map_or(methods[0], |(j, _)| methods[j])
}

/// Runs every candidate of its class on one history.
pub fn run_candidates(history: &History, cuts: &[usize], h: usize) -> Vec<Run> {
    candidates(history.class.class)
        .iter()
        .map(|m| Local::for_history(*m, history).run(history, cuts, h))
        .collect()
}
