//! Series → forecasts with calibrated quantiles: the entry point the CLI, the
//! store and the API call.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use time::Date;

use crate::auto;
use crate::backtest::{self, Local, Run};
use crate::classify::{Classification, DemandClass};
use crate::error::{ForecastError, Result, require};
use crate::history::{History, prepare_all};
use crate::metrics;
use crate::models::{Method, elastic};
use crate::quantiles::{Calibration, Dispersion, LevelMap, Predictive};
use crate::series::{DemandSeries, Frequency};

/// Which model to use: one method for every series, or the automatic choice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ModelChoice {
    Auto,
    Method(Method),
}

impl ModelChoice {
    pub fn parse(name: &str) -> Result<ModelChoice> {
        if name == "auto" {
            Ok(ModelChoice::Auto)
        } else {
            Method::parse(name).map(ModelChoice::Method)
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            ModelChoice::Auto => "auto",
            ModelChoice::Method(m) => m.name(),
        }
    }

    /// `auto` and every method.
    pub fn all() -> Vec<ModelChoice> {
        std::iter::once(ModelChoice::Auto)
            .chain(Method::ALL.into_iter().map(ModelChoice::Method))
            .collect()
    }
}

/// Validated forecasting settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ForecastConfig {
    pub horizon: usize,
    /// Seasonal period in periods (7 for daily data, 12 for monthly, 1 for none).
    pub season: usize,
    pub model: ModelChoice,
    /// Quantile levels to report, each in (0, 1).
    pub levels: Vec<f64>,
    /// Rolling-origin windows used for choice and calibration.
    pub backtest_origins: usize,
}

impl ForecastConfig {
    pub fn new(horizon: usize, season: usize, model: ModelChoice) -> Result<ForecastConfig> {
        let cfg = ForecastConfig {
            horizon,
            season,
            model,
            levels: vec![0.5, 0.8, 0.9, 0.95, 0.99],
            backtest_origins: 3,
        };
        cfg.validate()?;
        Ok(cfg)
    }

    pub fn validate(&self) -> Result<()> {
        require(self.horizon >= 1, "horizon", "must be at least 1")?;
        require(
            self.season >= 1,
            "season",
            "must be at least 1 (1 = no season)",
        )?;
        require(
            self.backtest_origins >= 1,
            "backtest_origins",
            "must be at least 1",
        )?;
        require(
            self.levels.iter().all(|p| *p > 0.0 && *p < 1.0),
            "levels",
            "quantile levels must lie strictly between 0 and 1",
        )
    }
}

/// Forecasts at one quantile level.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QuantilePath {
    pub level: f64,
    pub values: Vec<f64>,
}

/// Everything known about one series' future.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SeriesForecast {
    pub series_id: String,
    pub frequency: Frequency,
    pub classification: Classification,
    /// The fitted model, e.g. `tsb+season`.
    pub model: String,
    /// Date of the first forecast period.
    #[serde(serialize_with = "crate::series::serialize_date")]
    pub first_date: Option<Date>,
    pub mean: Vec<f64>,
    pub quantiles: Vec<QuantilePath>,
    pub predictive: Vec<Predictive>,
    /// Nominal → calibrated quantile levels for this series' class.
    pub level_map: LevelMap,
    pub backtest_rmsse: Option<f64>,
    pub backtest_bias: Option<f64>,
}

impl SeriesForecast {
    /// Calibrated quantile path at nominal level `p`.
    pub fn quantile(&self, p: f64) -> Vec<f64> {
        let level = self.level_map.level(p);
        self.predictive.iter().map(|d| d.quantile(level)).collect()
    }
}

/// The chosen run of one series with its spread.
struct Chosen {
    run: Run,
    dispersion: Dispersion,
}

/// Forecasts a batch of series. Batching matters: seasonal profiles, the pooled
/// elastic net and the quantile calibration all learn across series.
pub fn forecast_batch(
    series: &[DemandSeries],
    cfg: &ForecastConfig,
) -> Result<Vec<SeriesForecast>> {
    cfg.validate()?;
    let histories = prepare_all(series, cfg.season);
    let runs = runs_for(&histories, cfg)?;
    let mut chosen: Vec<Chosen> = histories
        .iter()
        .zip(runs)
        .map(|(history, run)| with_dispersion(history, run))
        .collect();
    shrink_dispersions(&histories, &mut chosen);
    let maps = calibrate(&histories, &mut chosen);
    series
        .iter()
        .zip(&histories)
        .zip(chosen)
        .map(|((s, h), c)| {
            let map = maps
                .get(&h.class.class)
                .cloned()
                .unwrap_or_else(LevelMap::identity);
            Ok(assemble(s, h, c, &map, cfg))
        })
        .collect()
}

/// Forecasts one series (no pooling: its own profile and calibration only).
pub fn forecast_series(series: &DemandSeries, cfg: &ForecastConfig) -> Result<SeriesForecast> {
    forecast_batch(std::slice::from_ref(series), cfg)?
        .pop()
        .ok_or_else(|| ForecastError::EmptySeries {
            series_id: series.id().to_string(),
        })
}

/// One run (backtest + final path) per history.
fn runs_for(histories: &[History], cfg: &ForecastConfig) -> Result<Vec<Run>> {
    let h = cfg.horizon;
    let cuts = |hist: &History| backtest::plan(hist.len(), h, cfg.backtest_origins, cfg.season);
    match cfg.model {
        ModelChoice::Method(Method::ElasticNet) => {
            elastic::run_all(histories, h, cfg.backtest_origins)
        }
        ModelChoice::Method(method) => Ok(histories
            .iter()
            .map(|hist| {
                let local = Local {
                    method,
                    deseasonalise: false,
                };
                local.run(hist, &cuts(hist), h)
            })
            .collect()),
        ModelChoice::Auto => Ok(auto_runs(histories, &cuts, h)),
    }
}

/// Runs the class's chosen method on every series; sampled series ran all
/// candidates already, so their run of the chosen one is reused.
fn auto_runs(histories: &[History], cuts: &dyn Fn(&History) -> Vec<usize>, h: usize) -> Vec<Run> {
    let mut done: Vec<Option<Run>> = vec![None; histories.len()];
    let mut chosen: BTreeMap<DemandClass, Method> = BTreeMap::new();
    for (class, sample) in auto::class_samples(histories) {
        let runs: Vec<Vec<Run>> = sample
            .iter()
            .map(|&i| auto::run_candidates(&histories[i], &cuts(&histories[i]), h))
            .collect();
        let members: Vec<&History> = sample.iter().map(|&i| &histories[i]).collect();
        let best = auto::best_for_class(class, &members, &runs);
        let position = auto::candidates(class)
            .iter()
            .position(|m| *m == best)
            .unwrap_or(0);
        for (i, mut r) in sample.into_iter().zip(runs) {
            if position < r.len() {
                done[i] = Some(r.swap_remove(position));
            }
        }
        chosen.insert(class, best);
    }
    histories
        .iter()
        .zip(done)
        .map(|(hist, run)| {
            run.unwrap_or_else(|| {
                let method = chosen
                    .get(&hist.class.class)
                    .copied()
                    .unwrap_or(Method::Naive);
                Local::for_history(method, hist).run(hist, &cuts(hist), h)
            })
        })
        .collect()
}

fn with_dispersion(history: &History, run: Run) -> Chosen {
    let class = history.class.class;
    let dispersion = if run.backtest.is_empty() {
        // No backtest window fits: judge the spread around the history's mean.
        let mean = history.y.iter().sum::<f64>() / history.len().max(1) as f64;
        Dispersion::from_pairs(
            &history.y,
            &vec![mean; history.len()],
            class,
            history.integer,
        )
    } else {
        Dispersion::from_pairs(
            &run.backtest.actual,
            &run.backtest.forecast,
            class,
            history.integer,
        )
    };
    Chosen { run, dispersion }
}

/// Backtest points behind the class prior of a dispersion index.
const DISPERSION_PRIOR_POINTS: f64 = 100.0;

/// Shrinks each series' dispersion index toward its class median: a handful of
/// backtest errors on intermittent demand is a noisy variance estimate.
fn shrink_dispersions(histories: &[History], chosen: &mut [Chosen]) {
    let mut by_class: BTreeMap<DemandClass, Vec<f64>> = BTreeMap::new();
    for (h, c) in histories.iter().zip(chosen.iter()) {
        if let Some(phi) = c.dispersion.index {
            by_class.entry(h.class.class).or_default().push(phi);
        }
    }
    let medians: BTreeMap<DemandClass, f64> = by_class
        .into_iter()
        .map(|(class, mut v)| {
            v.sort_by(f64::total_cmp);
            (class, v[v.len() / 2])
        })
        .collect();
    for (h, c) in histories.iter().zip(chosen.iter_mut()) {
        if let (Some(phi), Some(prior)) = (c.dispersion.index, medians.get(&h.class.class)) {
            let n = c.run.backtest.actual.len() as f64;
            c.dispersion.index =
                Some((n * phi + DISPERSION_PRIOR_POINTS * prior) / (n + DISPERSION_PRIOR_POINTS));
        }
    }
}

/// Chooses the distribution family per class (normal, or negative binomial for
/// counts) by the calibrated backtest pinball loss at 0.90 and 0.95, and returns
/// the class level maps of the chosen family.
fn calibrate(histories: &[History], chosen: &mut [Chosen]) -> BTreeMap<DemandClass, LevelMap> {
    let mut best: BTreeMap<DemandClass, (f64, bool, LevelMap)> = BTreeMap::new();
    for counts in [false, true] {
        let mut calibration = Calibration::default();
        for (h, c) in histories.iter().zip(chosen.iter_mut()) {
            c.dispersion.counts = counts && h.integer;
            calibration.add(h.class.class, pits(c));
        }
        let maps = calibration.finish();
        let mut losses: BTreeMap<DemandClass, (f64, usize)> = BTreeMap::new();
        for (h, c) in histories.iter().zip(chosen.iter()) {
            if let Some(loss) = maps.get(&h.class.class).and_then(|m| backtest_spl(c, m)) {
                let e = losses.entry(h.class.class).or_insert((0.0, 0));
                e.0 += loss;
                e.1 += 1;
            }
        }
        for (class, map) in maps {
            let loss = losses
                .get(&class)
                .map_or(f64::INFINITY, |(s, n)| s / *n as f64);
            let default_counts = class != DemandClass::Smooth;
            let better = match best.get(&class) {
                None => true,
                Some((l, ..)) => loss < *l || (loss == *l && counts == default_counts),
            };
            if better {
                best.insert(class, (loss, counts, map));
            }
        }
    }
    for (h, c) in histories.iter().zip(chosen.iter_mut()) {
        c.dispersion.counts = h.integer && best.get(&h.class.class).is_some_and(|b| b.1);
    }
    best.into_iter()
        .map(|(class, (_, _, map))| (class, map))
        .collect()
}

/// Mean scaled pinball loss at 0.90 and 0.95 over a run's backtest.
fn backtest_spl(chosen: &Chosen, map: &LevelMap) -> Option<f64> {
    let bt = &chosen.run.backtest;
    if bt.is_empty() || bt.abs_scale <= 0.0 {
        return None;
    }
    let loss: f64 = bt
        .actual
        .iter()
        .zip(&bt.forecast)
        .map(|(y, f)| {
            let d = chosen.dispersion.predictive(*f);
            [0.90, 0.95]
                .iter()
                .map(|p| metrics::pinball(*y, d.quantile(map.level(*p)), *p))
                .sum::<f64>()
        })
        .sum();
    Some(loss / bt.actual.len() as f64 / bt.abs_scale)
}

fn pits(chosen: &Chosen) -> Vec<f64> {
    let bt = &chosen.run.backtest;
    bt.actual
        .iter()
        .zip(&bt.forecast)
        .map(|(y, f)| chosen.dispersion.predictive(*f).pit(*y))
        .collect()
}

fn assemble(
    series: &DemandSeries,
    history: &History,
    chosen: Chosen,
    map: &LevelMap,
    cfg: &ForecastConfig,
) -> SeriesForecast {
    let mut mean = chosen.run.path;
    mean.resize(cfg.horizon, 0.0);
    let inactive = history.class.class == DemandClass::Inactive;
    let predictive: Vec<Predictive> = mean
        .iter()
        .map(|m| {
            if inactive {
                Predictive::Normal { mean: 0.0, sd: 0.0 }
            } else {
                chosen.dispersion.predictive(*m)
            }
        })
        .collect();
    let quantiles = cfg
        .levels
        .iter()
        .map(|p| QuantilePath {
            level: *p,
            values: predictive
                .iter()
                .map(|d| d.quantile(map.level(*p)))
                .collect(),
        })
        .collect();
    SeriesForecast {
        series_id: series.id().to_string(),
        frequency: series.frequency(),
        classification: history.class,
        model: chosen.run.label,
        first_date: series.frequency().date_of(history.end),
        mean,
        quantiles,
        predictive,
        level_map: map.clone(),
        backtest_rmsse: chosen.run.backtest.rmsse(),
        backtest_bias: chosen.run.backtest.bias(),
    }
}
