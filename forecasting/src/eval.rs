//! Evaluation against a held-out test set: every model and `auto`, scored as in
//! M5 (unweighted means over series), with single-thread CPU time.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use cpu_time::ThreadTime;
use serde::Serialize;

use crate::error::Result;
use crate::metrics::{self, SeriesScore};
use crate::pipeline::{ForecastConfig, ModelChoice, SeriesForecast, forecast_batch};
use crate::series::{DemandSeries, apply_stockout_csv, read_long_csv};

/// Training and test series (test periods follow the training ones).
#[derive(Debug, Clone)]
pub struct Dataset {
    pub train: Vec<DemandSeries>,
    pub test: Vec<DemandSeries>,
}

/// Reads `train`, `test` and, when given, stock-out records for the training data.
pub fn load_dataset(train: &Path, test: &Path, stockouts: Option<&Path>) -> Result<Dataset> {
    let mut train_series = read_long_csv(train, None)?;
    let freq = train_series.first().map(DemandSeries::frequency);
    let test_series = read_long_csv(test, freq)?;
    if let Some(path) = stockouts {
        apply_stockout_csv(path, &mut train_series)?;
    }
    Ok(Dataset {
        train: train_series,
        test: test_series,
    })
}

/// Scores of one model over a dataset.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ModelReport {
    pub rmsse: f64,
    pub mase: f64,
    pub spl90: f64,
    pub spl95: f64,
    /// 100 · Σ(ŷ − y) / Σy over all series and periods.
    pub bias_pct: f64,
    /// Share of actuals at or below the 0.90 quantile (target 0.90).
    pub coverage90: f64,
    pub coverage95: f64,
    /// Single-thread CPU seconds of the whole pipeline per 1000 series.
    pub cpu_s_per_1000: f64,
    pub n_series: usize,
    /// Series with a non-zero scale, which enter the scaled metrics.
    pub n_scored: usize,
    /// How often each fitted model was used (for `auto`: what it chose).
    pub chosen: BTreeMap<String, usize>,
}

/// Forecasts and scores one model choice.
pub fn evaluate_model(
    data: &Dataset,
    horizon: usize,
    season: usize,
    model: ModelChoice,
) -> Result<ModelReport> {
    let cfg = ForecastConfig::new(horizon, season, model)?;
    let started = ThreadTime::now();
    let forecasts = forecast_batch(&data.train, &cfg)?;
    let cpu = started.elapsed().as_secs_f64();
    let tests: HashMap<&str, &DemandSeries> = data.test.iter().map(|s| (s.id(), s)).collect();
    let scores: Vec<SeriesScore> = data
        .train
        .iter()
        .zip(&forecasts)
        .filter_map(|(train, fc)| {
            let test = tests.get(train.id())?;
            let actual = aligned_actuals(train, test, horizon);
            Some(metrics::score(
                train.sales(),
                &actual,
                &fc.mean,
                &fc.quantile(0.90),
                &fc.quantile(0.95),
            ))
        })
        .collect();
    Ok(summarise(&scores, &forecasts, cpu))
}

/// Evaluates several model choices; the map is keyed by model name.
pub fn evaluate(
    data: &Dataset,
    horizon: usize,
    season: usize,
    models: &[ModelChoice],
) -> Result<BTreeMap<String, ModelReport>> {
    models
        .iter()
        .map(|m| {
            Ok((
                m.name().to_string(),
                evaluate_model(data, horizon, season, *m)?,
            ))
        })
        .collect()
}

/// Test values for the `horizon` periods after the training data (missing = 0).
fn aligned_actuals(train: &DemandSeries, test: &DemandSeries, horizon: usize) -> Vec<f64> {
    (0..horizon)
        .map(|j| {
            let idx = train.end_ordinal() + j as i64 - test.start_ordinal();
            usize::try_from(idx)
                .ok()
                .and_then(|i| test.sales().get(i))
                .copied()
                .unwrap_or(0.0)
        })
        .collect()
}

fn mean_of(values: impl Iterator<Item = f64>) -> f64 {
    let (s, n) = values.fold((0.0, 0usize), |(s, n), v| (s + v, n + 1));
    if n == 0 { f64::NAN } else { s / n as f64 }
}

fn summarise(scores: &[SeriesScore], forecasts: &[SeriesForecast], cpu: f64) -> ModelReport {
    let points: usize = scores.iter().map(|s| s.n).sum();
    let sum_actual: f64 = scores.iter().map(|s| s.sum_actual).sum();
    let sum_error: f64 = scores.iter().map(|s| s.sum_error).sum();
    let share = |f: fn(&SeriesScore) -> usize| {
        scores.iter().map(f).sum::<usize>() as f64 / points.max(1) as f64
    };
    let mut chosen = BTreeMap::new();
    for fc in forecasts {
        *chosen.entry(fc.model.clone()).or_insert(0) += 1;
    }
    ModelReport {
        rmsse: mean_of(scores.iter().filter_map(|s| s.rmsse)),
        mase: mean_of(scores.iter().filter_map(|s| s.mase)),
        spl90: mean_of(scores.iter().filter_map(|s| s.spl90)),
        spl95: mean_of(scores.iter().filter_map(|s| s.spl95)),
        bias_pct: if sum_actual > 0.0 {
            100.0 * sum_error / sum_actual
        } else {
            f64::NAN
        },
        coverage90: share(|s| s.below90),
        coverage95: share(|s| s.below95),
        cpu_s_per_1000: cpu / forecasts.len().max(1) as f64 * 1000.0,
        n_series: forecasts.len(),
        n_scored: scores.iter().filter(|s| s.rmsse.is_some()).count(),
        chosen,
    }
}

/// Renders reports as an aligned text table.
pub fn format_table(reports: &BTreeMap<String, ModelReport>) -> String {
    let mut out = format!(
        "{:<16} {:>7} {:>7} {:>7} {:>7} {:>8} {:>6} {:>6} {:>9}\n",
        "model", "rmsse", "mase", "spl90", "spl95", "bias%", "cov90", "cov95", "cpu/1000"
    );
    for (name, r) in reports {
        out.push_str(&format!(
            "{:<16} {:>7.4} {:>7.4} {:>7.4} {:>7.4} {:>8.2} {:>6.3} {:>6.3} {:>9.3}\n",
            name,
            r.rmsse,
            r.mase,
            r.spl90,
            r.spl95,
            r.bias_pct,
            r.coverage90,
            r.coverage95,
            r.cpu_s_per_1000
        ));
    }
    out
}
