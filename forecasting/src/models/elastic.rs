//! Pooled elastic net across series (a "global" model).
//!
//! One linear model is trained on every series at once, on scale-free features
//! taken at a forecast origin: recent means over 1, 2, 4 and 13 seasons, the
//! same-phase mean, the recent occurrence rate and the seasonal factor of the
//! target period (alone and times the means, since demand is multiplicative).
//! Targets and means are divided by the series' recent mean, so a slow mover and a
//! fast mover share the same coefficients. Forecasts are direct (one row per
//! horizon step), never fed back into lags.

use linfa::Dataset;
use linfa::traits::{Fit as _, Predict as _};
use linfa_elasticnet::{ElasticNet, ElasticNetParams};
use ndarray::{Array1, Array2};

use crate::backtest::{self, Run, scaled_backtest};
use crate::error::{ForecastError, Result};
use crate::history::History;

const FEATURES: usize = 12;
/// Training origins per series, spaced half a horizon apart.
const ORIGINS_PER_SERIES: usize = 8;
const PENALTY: f64 = 1e-3;
const L1_RATIO: f64 = 0.5;
/// Scaled targets above this are outliers (promotions, bulk orders): clipped.
const TARGET_CLIP: f64 = 25.0;
/// Training rows beyond this add cost, not accuracy: series are subsampled.
const MAX_TRAINING_ROWS: usize = 40_000;

/// Prefix sums so every window mean is O(1).
struct Prefix {
    sum: Vec<f64>,
    nonzero: Vec<f64>,
}

impl Prefix {
    fn new(y: &[f64]) -> Prefix {
        let mut sum = vec![0.0; y.len() + 1];
        let mut nonzero = vec![0.0; y.len() + 1];
        for (i, v) in y.iter().enumerate() {
            sum[i + 1] = sum[i] + v;
            nonzero[i + 1] = nonzero[i] + f64::from(u8::from(*v > 0.0));
        }
        Prefix { sum, nonzero }
    }

    /// Mean of the `w` values before `o` (fewer if the history is shorter; 0 if none).
    fn mean(&self, o: usize, w: usize) -> f64 {
        Self::window(&self.sum, o, w)
    }

    fn occurrence(&self, o: usize, w: usize) -> f64 {
        Self::window(&self.nonzero, o, w)
    }

    fn window(prefix: &[f64], o: usize, w: usize) -> f64 {
        let o = o.min(prefix.len().saturating_sub(1));
        let w = w.min(o);
        if w == 0 {
            0.0
        } else {
            (prefix[o] - prefix[o - w]) / w as f64
        }
    }
}

/// Features for the target `step` periods (1-based) after origin `o`, plus the scale.
fn features(
    history: &History,
    prefix: &Prefix,
    o: usize,
    step: usize,
    horizon: usize,
) -> Option<([f64; FEATURES], f64)> {
    let m = history.profile.season().max(2);
    let mut scale = prefix.mean(o, 4 * m.max(7));
    if scale <= 0.0 {
        scale = prefix.mean(o, o);
    }
    if scale <= 0.0 || o == 0 {
        return None;
    }
    let target = o + step - 1;
    let factor = history.profile.factor(history.start + target as i64);
    let same_phase: Vec<f64> = (1..=4)
        .filter_map(|k| target.checked_sub(k * m))
        .filter(|t| *t < o)
        .map(|t| history.y[t])
        .collect();
    let phase_mean = if same_phase.is_empty() {
        1.0
    } else {
        same_phase.iter().sum::<f64>() / same_phase.len() as f64 / scale
    };
    let means = [1, 2, 4, 13].map(|k| prefix.mean(o, k * m) / scale);
    Some((
        [
            means[0],
            means[1],
            means[2],
            means[3],
            phase_mean,
            prefix.occurrence(o, 4 * m),
            factor,
            factor * means[0],
            factor * means[1],
            factor * means[2],
            factor * means[3],
            step as f64 / horizon as f64,
        ],
        scale,
    ))
}

/// Training rows from origins whose whole horizon lies before `limit`.
fn training_rows(
    histories: &[History],
    limits: &[usize],
    horizon: usize,
) -> (Vec<[f64; FEATURES]>, Vec<f64>) {
    let stride = (horizon / 2).max(1);
    let per_series = ORIGINS_PER_SERIES * horizon;
    let every = (histories.len() * per_series)
        .div_ceil(MAX_TRAINING_ROWS)
        .max(1);
    let mut x = Vec::new();
    let mut t = Vec::new();
    for (history, &limit) in histories.iter().zip(limits).step_by(every) {
        let prefix = Prefix::new(&history.y);
        for k in 0..ORIGINS_PER_SERIES {
            let Some(o) = limit.checked_sub(horizon + k * stride) else {
                break;
            };
            if o < 2 {
                break;
            }
            for step in 1..=horizon {
                if let Some((f, scale)) = features(history, &prefix, o, step, horizon) {
                    x.push(f);
                    t.push((history.y[o + step - 1] / scale).min(TARGET_CLIP));
                }
            }
        }
    }
    (x, t)
}

/// A fitted pooled model.
pub struct Pooled {
    model: ElasticNet<f64>,
}

impl Pooled {
    /// Trains on every history up to its `limit` (exclusive).
    pub fn fit(histories: &[History], limits: &[usize], horizon: usize) -> Result<Pooled> {
        let (rows, targets) = training_rows(histories, limits, horizon);
        if rows.len() < 2 * FEATURES {
            return Err(ForecastError::PooledFit(format!(
                "only {} training rows",
                rows.len()
            )));
        }
        let x = Array2::from_shape_vec((rows.len(), FEATURES), rows.concat())
            .map_err(|e| ForecastError::PooledFit(e.to_string()))?;
        let dataset = Dataset::new(x, Array1::from(targets));
        let params: ElasticNetParams<f64> =
            ElasticNet::params().penalty(PENALTY).l1_ratio(L1_RATIO);
        let model = params
            .fit(&dataset)
            .map_err(|e| ForecastError::PooledFit(e.to_string()))?;
        Ok(Pooled { model })
    }

    /// Forecasts `horizon` periods after the first `o` values of `history`.
    pub fn forecast(&self, history: &History, o: usize, horizon: usize) -> Vec<f64> {
        let prefix = Prefix::new(&history.y[..o]);
        let rows: Vec<Option<([f64; FEATURES], f64)>> = (1..=horizon)
            .map(|s| features(history, &prefix, o, s, horizon))
            .collect();
        let flat: Vec<f64> = rows
            .iter()
            .flat_map(|r| r.map_or([0.0; FEATURES], |(f, _)| f))
            .collect();
        let Ok(x) = Array2::from_shape_vec((horizon, FEATURES), flat) else {
            return vec![0.0; horizon];
        };
        let pred: Array1<f64> = self.model.predict(&x);
        rows.iter()
            .zip(pred.iter())
            .map(|(r, p)| r.map_or(0.0, |(_, scale)| (p * scale).max(0.0)))
            .collect()
    }
}

/// Backtests and forecasts every history with the pooled model: one fit on the
/// data before each series' first origin, one on everything.
pub fn run_all(histories: &[History], horizon: usize, origins: usize) -> Result<Vec<Run>> {
    let season = histories.first().map_or(1, |h| h.profile.season());
    let cuts: Vec<Vec<usize>> = histories
        .iter()
        .map(|h| backtest::plan(h.len(), horizon, origins, season))
        .collect();
    let first: Vec<usize> = histories
        .iter()
        .zip(&cuts)
        .map(|(h, c)| c.first().copied().unwrap_or(h.len()))
        .collect();
    let full: Vec<usize> = histories.iter().map(History::len).collect();
    let early = Pooled::fit(histories, &first, horizon)?;
    let late = Pooled::fit(histories, &full, horizon)?;
    Ok(histories
        .iter()
        .zip(&cuts)
        .map(|(history, cuts)| {
            let mut bt = scaled_backtest(&history.y[..cuts.first().copied().unwrap_or(0)]);
            for &cut in cuts {
                let end = (cut + horizon).min(history.len());
                bt.actual.extend_from_slice(&history.y[cut..end]);
                bt.forecast.extend(early.forecast(history, cut, end - cut));
            }
            Run {
                label: "elastic_net".into(),
                backtest: bt,
                path: late.forecast(history, history.len(), horizon),
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::history::prepare_all;
    use crate::series::{DemandSeries, Frequency};
    use time::macros::date;

    #[test]
    fn pooled_model_learns_a_shared_weekly_shape() {
        let series: Vec<DemandSeries> = (0..12)
            .map(|i| {
                let level = 2.0 + f64::from(i);
                let y: Vec<f64> = if i == 11 {
                    vec![0.0; 150]
                } else {
                    (0..150)
                        .map(|t| if t % 7 == 6 { 0.2 * level } else { level })
                        .collect()
                };
                DemandSeries::from_values(
                    format!("s{i}"),
                    Frequency::Daily,
                    date!(2024 - 01 - 01),
                    &y,
                )
                .unwrap()
            })
            .collect();
        let histories = prepare_all(&series, 7);
        let runs = run_all(&histories, 7, 2).unwrap();
        assert_eq!(runs.len(), 12);
        let path = &runs[5].path;
        let level = 7.0;
        let low = path.iter().copied().fold(f64::INFINITY, f64::min);
        let high = path.iter().copied().fold(0.0, f64::max);
        assert!((high - level).abs() < 0.15 * level, "{path:?}");
        assert!(low < 0.5 * level, "the weekly dip is learned: {path:?}");
        assert!(
            runs[11].path.iter().all(|v| *v == 0.0),
            "a series without demand forecasts zero: {:?}",
            runs[11].path
        );
    }
}
